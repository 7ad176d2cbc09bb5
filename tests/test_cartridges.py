"""The packaged cartridges: they parse, hang together and fill every template."""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources
from typing import Any

import pytest

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.providers.offline.painter.elements import ELEMENTS
from glitchcart.adapters.providers.offline.prose import PLACEHOLDERS, fill, placeholders
from glitchcart.core.cartridge import LEXICON_KEYS, Cartridge, parse_cartridge
from glitchcart.errors import InvalidCartridge

# What the offline painter can draw ("interior" switches to an indoor composition).
PAINTER_WORDS = frozenset(ELEMENTS) | {"interior"}
IDS = ("ashen-vault", "dust-signal", "hollow-orbit")

# The placeholders each lexicon list may use (documented at the top of every cartridge).
ALLOWED: dict[str, set[str]] = {
    "threats": set(),
    "discoveries": set(),
    "injuries": set(),
    "sensations": {"place", "time"},
    "lucky": {"place", "exit", "threat", "item"},
    "normal": {"place", "exit", "threat", "item"},
    "unlucky": {"place", "exit", "threat", "item", "injury"},
    "hesitation": {"place", "threat"},
    "approaches": {"place", "exit"},
    "ticks": {"place", "time", "threat"},
}
VALUES = {
    "place": "the place",
    "exit": "the exit",
    "threat": "a threat",
    "item": "lamp",
    "injury": "a cut",
    "time": "dusk",
}


def packaged(cartridge_id: str) -> Cartridge:
    return CartridgeLibrary().get(cartridge_id)


def raw(cartridge_id: str) -> dict[str, Any]:
    text = resources.files("glitchcart.cartridges").joinpath(f"{cartridge_id}.toml").read_text()
    return tomllib.loads(text)


def test_the_library_holds_the_three_packaged_cartridges() -> None:
    assert [c.id for c in CartridgeLibrary().list()] == list(IDS)


@pytest.mark.parametrize("cartridge_id", IDS)
def test_a_cartridge_has_openings_locations_and_a_full_palette(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    assert len(cart.openings) >= 3
    assert 6 <= len(cart.locations) <= 9
    assert len(cart.art.palette) >= 5
    assert cart.stats.health <= 12
    assert 3 <= cart.death.unlucky_damage <= 4
    for opening in cart.openings:
        assert len(opening.prologue) > 300
        assert opening.visual


@pytest.mark.parametrize("cartridge_id", IDS)
def test_every_lexicon_list_is_rich(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    for key in LEXICON_KEYS:
        entries = cart.lexicon[key]
        assert len(entries) >= 8, key
        assert len(set(entries)) == len(entries), key


@pytest.mark.parametrize("cartridge_id", IDS)
def test_elements_are_words_the_painter_draws(cartridge_id: str) -> None:
    for loc in packaged(cartridge_id).locations:
        assert set(loc.elements) <= PAINTER_WORDS, loc.id


@pytest.mark.parametrize("cartridge_id", IDS)
def test_exits_lead_somewhere_else_and_every_place_can_be_reached(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    ids = {loc.id for loc in cart.locations}
    for loc in cart.locations:
        assert loc.id not in loc.exits
        assert set(loc.exits) <= ids
    for opening in cart.openings:
        reached, frontier = {opening.location}, [opening.location]
        while frontier:
            for exit_id in cart.location(frontier.pop()).exits:
                if exit_id not in reached:
                    reached.add(exit_id)
                    frontier.append(exit_id)
        assert reached == ids


@pytest.mark.parametrize("cartridge_id", IDS)
def test_lexicon_placeholders_are_known_and_all_fill(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    for key in LEXICON_KEYS:
        for template in cart.lexicon[key]:
            assert placeholders(template) <= ALLOWED[key], (key, template)
            assert placeholders(template) <= set(PLACEHOLDERS)
            rendered = fill(template, VALUES)
            assert "{" not in rendered and "}" not in rendered, (key, template)


@pytest.mark.parametrize("cartridge_id", IDS)
def test_approaches_always_name_the_destination(cartridge_id: str) -> None:
    for template in packaged(cartridge_id).lexicon["approaches"]:
        assert "{exit}" in template


@pytest.mark.parametrize("cartridge_id", IDS)
def test_noun_lists_read_well_inside_sentences(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    for threat in cart.lexicon["threats"]:
        assert len(threat) <= 45, threat  # fits in a choice such as "Hide from <threat>"
        assert threat[0].islower(), threat  # "a ...", "the ...", "something ..."
    for noun in (*cart.lexicon["discoveries"], *cart.lexicon["injuries"]):
        assert not re.match(r"(a|an|the) ", noun), noun  # the narrator adds the article
        assert len(noun) <= 40, noun
    for item in cart.stats.inventory:
        assert not re.match(r"(a|an|the) ", item), item


@pytest.mark.parametrize("cartridge_id", IDS)
def test_names_read_well_mid_sentence(cartridge_id: str) -> None:
    cart = packaged(cartridge_id)
    names = [loc.name for loc in cart.locations]
    assert len(set(names)) == len(names)
    for name in names:
        assert not name.startswith("The "), name  # "Head for the ..." not "Head for The ..."


def test_a_missing_fate_odd_is_named() -> None:
    data = raw("dust-signal")
    del data["fate"]["lucky"]
    with pytest.raises(InvalidCartridge, match=r"fate\.lucky"):
        parse_cartridge(data)


def test_a_bad_colour_is_named() -> None:
    data = raw("ashen-vault")
    data["art"]["palette"][2] = "orange"
    with pytest.raises(InvalidCartridge, match=r"art\.palette\[2\]"):
        parse_cartridge(data)


def test_an_unknown_exit_is_named() -> None:
    data = raw("hollow-orbit")
    data["locations"][1]["exits"].append("airlock-nine")
    with pytest.raises(InvalidCartridge, match=r"locations\[1\]\.exits.*airlock-nine"):
        parse_cartridge(data)


def test_a_missing_lexicon_list_is_named() -> None:
    data = copy.deepcopy(raw("dust-signal"))
    del data["lexicon"]["ticks"]
    with pytest.raises(InvalidCartridge, match=r"lexicon\.ticks"):
        parse_cartridge(data)


def test_an_opening_at_an_unknown_place_is_named() -> None:
    data = raw("ashen-vault")
    data["openings"][0]["location"] = "the-moon"
    with pytest.raises(InvalidCartridge, match=r"openings\[0\]\.location"):
        parse_cartridge(data)
