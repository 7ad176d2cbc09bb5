"""Server-sent events: writing one event, and reading a stream of lines back.

>>> reader = SseReader()
>>> [reader.feed(line) for line in ["id: 3", "event: vote_cast", 'data: {"a": 1}', ""]][-1]
SseMessage(id='3', event='vote_cast', data='{"a": 1}')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SseMessage:
    id: str | None
    event: str
    data: str


def encode(event_id: int, kind: str, data: str) -> str:
    """One SSE message; ``data`` must be a single line (compact JSON is)."""
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n"


class SseReader:
    """Feed it lines (without their line ends); a blank line completes a message."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._event = "message"
        self._data: list[str] = []

    def feed(self, line: str) -> SseMessage | None:
        if not line:
            if not self._data:
                self._event = "message"
                return None
            message = SseMessage(self._id, self._event, "\n".join(self._data))
            self._event, self._data = "message", []
            return message
        if line.startswith(":"):
            return None  # a comment: keep-alive
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id" and "\0" not in value:
            self._id = value
        return None
