"""The caption font: upper case, a blank for unknown characters, honest wrapping."""

from __future__ import annotations

from PIL import Image, ImageDraw

from glitchcart.adapters.tapes.font import draw_text, text_width, wrap


def test_wrap_keeps_words_and_marks_an_overflow() -> None:
    assert wrap("search the road for tracks", 12) == ["SEARCH THE", "ROAD FOR", "TRACKS"]
    assert wrap("a" * 10, 4) == ["AAAA", "AAAA", "AA"]
    assert wrap("one two three four five six", 9, max_lines=2) == ["ONE TWO", "THREE..."]
    assert wrap("", 10) == []


def test_text_is_drawn_in_pixels_and_unknown_characters_are_blank() -> None:
    image = Image.new("L", (40, 10))
    draw = ImageDraw.Draw(image)
    draw_text(draw, "é€", 0, 0, 1, 255)
    assert image.getbbox() is None
    draw_text(draw, "qz!", 0, 0, 2, 255)
    box = image.getbbox()
    assert box is not None and box[2] <= text_width("qz!", 2) and box[3] <= 10
