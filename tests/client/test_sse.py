"""Reading an event stream: messages are assembled from lines, and bounded."""

import pytest

from glitchcart.client.sse import SseMessage, SseReader
from glitchcart.errors import GlitchcartError


def test_lines_make_messages_and_a_blank_line_ends_one() -> None:
    reader = SseReader(max_chars=100)
    fed = [reader.feed(line) for line in ["id: 7", "event: turn", "data: a", "data: b", ""]]
    assert fed[-1] == SseMessage("7", "turn", "a\nb")
    assert fed[:-1] == [None] * 4


def test_a_message_that_never_ends_is_refused_not_buffered() -> None:
    reader = SseReader(max_chars=100)
    for _ in range(9):
        reader.feed("data: " + "x" * 10)
    with pytest.raises(GlitchcartError, match="over 100 characters"):
        for _ in range(10):
            reader.feed("data: " + "x" * 10)


def test_the_bound_is_per_message() -> None:
    reader = SseReader(max_chars=100)
    for _ in range(50):
        reader.feed("data: " + "x" * 60)
        assert reader.feed("") == SseMessage(None, "message", "x" * 60)
