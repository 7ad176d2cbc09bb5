import pytest

from glitchcart.core.cartridge import parse_cartridge
from glitchcart.errors import InvalidCartridge
from support.cartridges import mini_data


def test_mini_cartridge_parses() -> None:
    cart = parse_cartridge(mini_data())
    assert (cart.id, cart.choice_count, cart.stats.health) == ("mini", 3, 10)
    assert cart.location("yard").exits == ("hall",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"title": ""}, "title"),
        ({"choice_count": 9}, "choice_count"),
        ({"fate": {"lucky": 0.5, "normal": 0.5, "unlucky": 0.5}}, "fate"),
        ({"fate": {"normal": 0.5, "unlucky": 0.5}}, "fate.lucky"),
        ({"stats": {"health": 11, "max_health": 10, "inventory_limit": 3}}, "stats.health"),
        ({"chaos": {"phases": [{"name": "a", "at": 5}]}}, "chaos.phases"),
        ({"lexicon": {"threats": ["x"]}}, "lexicon.sensations"),
        ({"openings": []}, "openings"),
    ],
)
def test_invalid_field_is_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidCartridge, match=rf"^{field}\b"):
        parse_cartridge(mini_data(**change))


def test_bad_colour_is_named() -> None:
    data = mini_data()
    data["art"]["palette"][2] = "red"
    with pytest.raises(InvalidCartridge, match=r"art\.palette\[2\]"):
        parse_cartridge(data)


def test_unknown_exit_is_named() -> None:
    data = mini_data()
    data["locations"][0]["exits"] = ["moon"]
    with pytest.raises(InvalidCartridge, match=r"locations\[0\]\.exits: unknown location 'moon'"):
        parse_cartridge(data)


def test_opening_at_unknown_location_is_named() -> None:
    data = mini_data()
    data["openings"][0]["location"] = "attic"
    with pytest.raises(InvalidCartridge, match=r"openings\[0\]\.location"):
        parse_cartridge(data)


@pytest.mark.parametrize(
    ("style", "camcorder"),
    [
        ("found-footage", True),
        ("Found Footage, grainy", True),
        ("washed-out camcorder footage as pixel art", True),
        ("torchlit dungeon pixel art", False),
    ],
)
def test_the_art_style_says_whether_frames_carry_a_camcorder_overlay(
    style: str, camcorder: bool
) -> None:
    data = mini_data()
    cartridge = parse_cartridge({**data, "art": {**data["art"], "style": style}})
    assert cartridge.art.camcorder is camcorder
