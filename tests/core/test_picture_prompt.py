"""The image prompt: built from the scene and style, with gore and real people kept out."""

from __future__ import annotations

import pytest

from glitchcart.core.picture_prompt import MAX_PROMPT, filter_prompt, picture_prompt
from support.cartridges import mini_cartridge


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a bloody corpse by the door", "a dark still shape by the door"),
        ("The severed hand lies in blood.", "The broken hand lies in shadow."),
        ("Entrails and GORE everywhere", "and everywhere"),
        ("a figure that looks like Donald Trump waves", "a figure that waves"),
        ("a desert, in the style of Greg Rutkowski", "a desert"),
        ("a portrait of the famous Taylor Swift on the wall", "on the wall"),
        ("the president smiles", "the stranger smiles"),
        ("a quiet motel at night", "a quiet motel at night"),
    ],
)
def test_filter_softens_gore_and_cuts_real_people(text: str, expected: str) -> None:
    assert filter_prompt(text) == expected


def test_prompt_carries_scene_style_palette_and_continuity() -> None:
    cart = mini_cartridge()
    prompt = picture_prompt(
        cart,
        location="the hall",
        time_of_day="dusk",
        elements=("interior", "neon-sign"),
        description="The hall at dusk, something unseen watching.",
        mood="unlucky",
        chaos=80,
        previous="The yard under trees at dawn.",
    )
    assert prompt.startswith("found-footage. The hall at dusk")
    assert "Setting: the hall, at dusk." in prompt
    assert "neon sign" in prompt
    assert "#101020" in prompt
    assert "glitching" in prompt
    assert "Motifs: static." in prompt
    assert "previous frame: The yard under trees at dawn." in prompt
    assert prompt.endswith("no real people.")


def test_prompt_is_filtered_and_bounded() -> None:
    prompt = picture_prompt(
        mini_cartridge(),
        location="the hall",
        time_of_day="night",
        elements=("bones",),
        description="A mutilated corpse, photo of Tom Hanks. " * 60,
        mood="dead",
        chaos=0,
    )
    assert len(prompt) <= MAX_PROMPT
    lowered = prompt.lower()
    for word in ("mutilated", "corpse", "tom hanks"):
        assert word not in lowered
