"""Cartridges may carry lore with trigger words and a provider preference list."""

from __future__ import annotations

import pytest

from glitchcart.core.cartridge import LoreEntry
from glitchcart.errors import InvalidCartridge
from support.cartridges import mini_cartridge


def test_lore_and_providers_are_optional() -> None:
    cart = mini_cartridge()
    assert cart.lore == ()
    assert cart.providers == ()


def test_lore_entries_are_parsed_in_order() -> None:
    cart = mini_cartridge(
        lore=[
            {"keys": ["tower", "KVOX"], "text": "  The tower is off the air.  "},
            {"keys": ["Dale"], "text": "Dale is the director."},
        ],
        providers=["hosted", "local-llm"],
    )
    assert cart.lore == (
        LoreEntry(("tower", "KVOX"), "The tower is off the air."),
        LoreEntry(("Dale",), "Dale is the director."),
    )
    assert cart.providers == ("hosted", "local-llm")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lore": [{"keys": [], "text": "x"}]}, "lore[0].keys"),
        ({"lore": [{"keys": ["a"]}]}, "lore[0].text"),
        ({"lore": [{"keys": ["a"], "text": "x" * 2001}]}, "lore[0].text"),
        ({"lore": "tower"}, "lore"),
        ({"providers": ["Hosted!"]}, "providers[0]"),
        ({"providers": "hosted"}, "providers"),
    ],
)
def test_bad_lore_or_providers_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidCartridge, match=field.replace("[", r"\[").replace("]", r"\]")):
        mini_cartridge(**changes)
