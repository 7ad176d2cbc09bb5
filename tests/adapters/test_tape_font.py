"""The one pixel font: folded to what it can draw, honest wrapping."""

from __future__ import annotations

from PIL import Image, ImageDraw

from glitchcart.adapters.pixel_font import draw_text, fold, text_width, wrap


def test_wrap_keeps_words_and_marks_an_overflow() -> None:
    assert wrap("search the road for tracks", 12) == ["SEARCH THE", "ROAD FOR", "TRACKS"]
    assert wrap("a" * 10, 4) == ["AAAA", "AAAA", "AA"]
    assert wrap("one two three four five six", 9, max_lines=2) == ["ONE TWO", "THREE..."]
    assert wrap("", 10) == []


def test_text_is_drawn_in_pixels_and_unknown_characters_are_blank() -> None:
    image = Image.new("L", (40, 10))
    draw = ImageDraw.Draw(image)
    draw_text(draw, "€☃", 0, 0, 1, 255)  # symbols with no glyph are left out
    assert image.getbbox() is None
    draw_text(draw, "qz!", 0, 0, 2, 255)
    box = image.getbbox()
    assert box is not None and box[2] <= text_width("qz!", 2) and box[3] <= 10


def test_accents_fold_and_other_scripts_show_that_something_was_written() -> None:
    """Issue 12 item 19: "café — ñandú 漢字" captioned as "CAF SAINT AND"."""
    assert fold("café — ñandú") == "CAFE - NANDU"
    assert fold("café — ñandú 漢字") == "CAFE - NANDU ??"
    assert fold("Straße, Œuvre… «Łódź»") == 'STRASSE, OEUVRE... "LODZ"'
    assert fold("rock 🎸 on") == "ROCK ON"
    assert wrap("crème brûlée at the café", 12) == ["CREME BRULEE", "AT THE CAFE"]
    assert text_width("é", 1) == text_width("E", 1) == 3


def test_a_folded_caption_draws_the_plain_letters() -> None:
    accented, plain = Image.new("L", (60, 5)), Image.new("L", (60, 5))
    draw_text(ImageDraw.Draw(accented), "ñandú", 0, 0, 1, 255)
    draw_text(ImageDraw.Draw(plain), "NANDU", 0, 0, 1, 255)
    assert accented.tobytes() == plain.tobytes() and accented.getbbox() is not None
