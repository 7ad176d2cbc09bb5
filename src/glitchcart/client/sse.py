"""Server-sent events: writing one event, and reading a stream of lines back.

>>> reader = SseReader()
>>> [reader.feed(line) for line in ["id: 3", "event: vote_cast", 'data: {"a": 1}', ""]][-1]
SseMessage(id='3', event='vote_cast', data='{"a": 1}')
"""

from __future__ import annotations

from dataclasses import dataclass

from glitchcart.errors import GlitchcartError

MAX_MESSAGE_CHARS = 1_000_000  # an event is a few hundred bytes; a megabyte is a broken server


@dataclass(frozen=True, slots=True)
class SseMessage:
    id: str | None
    event: str
    data: str


def encode(event_id: int | None, kind: str, data: str) -> str:
    """One SSE message (no ``id:`` line without an id); ``data`` must be a single line."""
    head = "" if event_id is None else f"id: {event_id}\n"
    return f"{head}event: {kind}\ndata: {data}\n\n"


class SseReader:
    """Feed it lines (without their line ends); a blank line completes a message.

    A message whose data grows past ``max_chars`` (a server that never ends one)
    is refused rather than buffered without bound.
    """

    def __init__(self, max_chars: int = MAX_MESSAGE_CHARS) -> None:
        self._id: str | None = None
        self._event = "message"
        self._data: list[str] = []
        self._size = 0
        self._max = max_chars

    def feed(self, line: str) -> SseMessage | None:
        if not line:
            if not self._data:
                self._event = "message"
                return None
            message = SseMessage(self._id, self._event, "\n".join(self._data))
            self._event, self._data, self._size = "message", [], 0
            return message
        if line.startswith(":"):
            return None  # a comment: keep-alive
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self._size += len(value) + 1
            if self._size > self._max:
                raise GlitchcartError(f"an event of the stream is over {self._max} characters")
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id" and "\0" not in value:
            self._id = value
        return None
