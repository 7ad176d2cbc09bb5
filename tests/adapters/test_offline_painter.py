"""The offline painter: real PNGs, byte-identical per request, shaped by the scene."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat

from glitchcart.adapters.providers.offline.painter.effects import camcorder_stamp
from glitchcart.adapters.providers.offline.painter.elements import ELEMENTS
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter, render
from glitchcart.core.cartridge import LEXICON_KEYS, Cartridge, parse_cartridge
from glitchcart.errors import ProviderError
from glitchcart.ports import PaintRequest, Scene

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_cartridge(**art: Any) -> Cartridge:
    return parse_cartridge(
        {
            "id": "painter-test",
            "title": "Painter Test",
            "genre": "test",
            "premise": "A place to paint.",
            "tone": "Quiet.",
            "art": {
                "palette": ["#2b1b4d", "#ff7b54", "#c2703d", "#39d0ff", "#ffd56b"],
                "style": "pixel art",
                "motifs": [],
                "scanlines": True,
                "grain": 0.15,
                **art,
            },
            "stats": {"health": 5, "max_health": 5, "inventory": [], "inventory_limit": 5},
            "fate": {"lucky": 0.3, "normal": 0.4, "unlucky": 0.3},
            "chaos": {"phases": [{"name": "calm", "at": 0}]},
            "death": {"max_injuries": 3},
            "locations": [
                {
                    "id": "a",
                    "name": "A",
                    "description": "Out.",
                    "elements": ["mesa"],
                    "exits": ["b"],
                },
                {
                    "id": "b",
                    "name": "B",
                    "description": "In.",
                    "elements": ["door"],
                    "exits": ["a"],
                },
            ],
            "openings": [{"location": "a", "time_of_day": "dusk", "prologue": "p", "visual": "v"}],
            "lexicon": {key: ["word"] for key in LEXICON_KEYS},
        }
    )


CARTRIDGE = make_cartridge()
SCENE = Scene(
    location="outpost",
    time_of_day="day",
    elements=("mesa", "road", "cacti", "tower"),
    description="A road into the mesas.",
    mood="normal",
    chaos=0,
)


def request(cartridge: Cartridge = CARTRIDGE, seed: int = 7, **scene: Any) -> PaintRequest:
    return PaintRequest(cartridge, dataclasses.replace(SCENE, **scene), seed=seed)


def picture(req: PaintRequest) -> Image.Image:
    image = Image.open(io.BytesIO(render(req)))
    return image.convert("RGB")


def luminance(image: Image.Image) -> float:
    return float(ImageStat.Stat(image.convert("L")).mean[0])


def redness(image: Image.Image) -> float:
    r, g, b = ImageStat.Stat(image).mean
    return float(r / (r + g + b))


def difference(a: Image.Image, b: Image.Image) -> float:
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


async def test_paint_returns_a_png_of_the_requested_size() -> None:
    painter = OfflinePainter()
    png = await painter.paint(request())
    assert painter.name == "offline"
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (512, 288)


@pytest.mark.parametrize("size", [(640, 360), (301, 169), (96, 54)])
def test_other_sizes_are_honoured(size: tuple[int, int]) -> None:
    req = dataclasses.replace(request(), width=size[0], height=size[1])
    assert picture(req).size == size


async def test_the_same_request_gives_the_same_bytes() -> None:
    req = request(mood="unlucky", chaos=80, elements=("interior", "torches", "bones"))
    assert render(req) == render(req) == await OfflinePainter().paint(req)


def test_the_same_request_gives_the_same_bytes_in_another_process() -> None:
    here = hashlib.sha256(render(request(chaos=60))).hexdigest()
    script = (
        "import hashlib, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_offline_painter import render, request\n"
        "print(hashlib.sha256(render(request(chaos=60))).hexdigest())\n"
    )
    folder = __file__.rsplit("/", 1)[0]
    env = {"PYTHONHASHSEED": "12345", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", script, folder], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == here


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 8},
        {"elements": ("mountains", "trees", "water")},
        {"time_of_day": "night"},
        {"time_of_day": "dawn"},
        {"mood": "lucky"},
        {"mood": "unlucky"},
        {"mood": "calm"},
        {"mood": "dead"},
    ],
)
def test_seed_place_time_and_mood_each_change_the_picture(change: dict[str, Any]) -> None:
    assert render(request(**change)) != render(request())


def test_night_is_darker_than_day() -> None:
    for elements in (SCENE.elements, ("interior", "window-space", "console")):
        day = picture(request(time_of_day="day", elements=elements))
        night = picture(request(time_of_day="night", elements=elements))
        assert luminance(night) < luminance(day) - 10


def test_unlucky_is_redder_than_lucky() -> None:
    lucky, unlucky = picture(request(mood="lucky")), picture(request(mood="unlucky"))
    assert redness(unlucky) > redness(lucky) + 0.03


def test_dead_is_drained_of_colour() -> None:
    normal, dead = picture(request()), picture(request(mood="dead"))
    saturation = [ImageStat.Stat(i.convert("HSV")).mean[1] for i in (normal, dead)]
    assert saturation[1] < saturation[0] / 2


def test_an_interior_is_a_room_not_a_landscape() -> None:
    outside = picture(request(elements=("door", "crates")))
    inside = picture(request(elements=("interior", "door", "crates")))
    assert difference(outside, inside) > 20
    top = (0, 0, 512, 40)  # bright day sky outside, a dark ceiling inside
    assert luminance(inside.crop(top)) < luminance(outside.crop(top)) - 20


@pytest.mark.parametrize("name", sorted(ELEMENTS))
@pytest.mark.parametrize("interior", [False, True])
def test_every_element_renders_outside_and_inside(name: str, interior: bool) -> None:
    elements = ("interior", name) if interior else (name,)
    bare = ("interior",) if interior else ()
    time = "night" if name == "sun" else "dusk"  # outdoors, dusk has a sun of its own
    drawn = picture(request(elements=elements, time_of_day=time))
    assert drawn.size == (512, 288)
    assert difference(drawn, picture(request(elements=bare, time_of_day=time))) > 0


@pytest.mark.parametrize("word", ["glorp", "Neon Sign", "SKULL", "", "../../etc", "  fog  "])
def test_unknown_or_odd_words_do_not_crash(word: str) -> None:
    assert render(request(elements=(word, "road"))).startswith(PNG_SIGNATURE)


def test_an_unknown_element_still_draws_something() -> None:
    assert render(request(elements=("road", "glorp"))) != render(request(elements=("road",)))


def test_chaos_glitches_the_picture_more_as_it_rises() -> None:
    calm, mid, wild = (picture(request(chaos=c)) for c in (0, 40, 100))
    assert 0 < difference(calm, mid) < difference(calm, wild)


def test_found_footage_adds_a_recording_overlay_from_the_seed() -> None:
    footage = make_cartridge(style="found-footage, pixel art", grain=0.0, scanlines=False)
    plain = make_cartridge(grain=0.0, scanlines=False)
    rec = picture(request(footage, time_of_day="night"))
    assert rec != picture(request(plain, time_of_day="night"))
    red_dot = rec.crop((12, 12, 20, 20))
    assert redness(red_dot) > 0.6
    assert render(request(footage, seed=1)) != render(request(footage, seed=2))


def test_scanlines_and_grain_follow_the_art_style() -> None:
    clean = make_cartridge(scanlines=False, grain=0.0)
    lined = make_cartridge(scanlines=True, grain=0.0)
    grainy = make_cartridge(scanlines=False, grain=0.8)
    base = picture(request(clean))
    rows = picture(request(lined))
    assert luminance(rows.crop((0, 1, 512, 2))) < luminance(base.crop((0, 1, 512, 2)))
    assert difference(base, picture(request(grainy))) > 5


def test_motifs_that_name_elements_appear_in_every_frame() -> None:
    haunted = make_cartridge(motifs=["glowing eyes in the dark"])
    assert render(request(haunted, time_of_day="night")) != render(request(time_of_day="night"))


def test_a_pillow_failure_becomes_a_provider_error() -> None:
    with pytest.raises(ProviderError) as caught:
        render(dataclasses.replace(request(), width=-5))
    assert isinstance(caught.value.__cause__, ValueError)


def test_an_absurd_frame_size_is_refused() -> None:
    with pytest.raises(ProviderError, match="too large"):
        render(dataclasses.replace(request(), width=100_000, height=100_000))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**63),
    elements=st.lists(st.sampled_from([*sorted(ELEMENTS), "interior", "glorp"]), max_size=8),
    time=st.sampled_from(["dawn", "day", "dusk", "night", "noon"]),
    mood=st.sampled_from(["lucky", "normal", "unlucky", "calm", "dead", "weird"]),
    chaos=st.integers(min_value=-10, max_value=120),
    size=st.sampled_from([(512, 288), (96, 54), (333, 187), (64, 480)]),
)
def test_any_scene_paints_a_png(
    seed: int, elements: list[str], time: str, mood: str, chaos: int, size: tuple[int, int]
) -> None:
    scene = Scene("anywhere", time, tuple(elements), "", mood, chaos)
    footage = make_cartridge(style="found-footage", motifs=["carved runes", "falling ash"])
    req = PaintRequest(footage, scene, seed=seed, width=size[0], height=size[1])
    with Image.open(io.BytesIO(render(req))) as image:
        assert image.size == size


@pytest.mark.parametrize(
    ("time_of_day", "hours"),
    [("dawn", {5, 6, 7}), ("day", set(range(8, 17))), ("dusk", {17, 18, 19}),
     ("night", {20, 21, 22, 23, 0, 1, 2, 3, 4})],
)  # fmt: skip
def test_the_camcorder_clock_agrees_with_the_time_of_day(time_of_day: str, hours: set[int]) -> None:
    """Issue 12 item 20: a night frame was stamped "2:24:51 PM"."""
    seen = set()
    for seed in range(300):
        _, clock = camcorder_stamp(seed, time_of_day)
        hour12, rest = clock.split(":", 1)
        hour = int(hour12) % 12 + (12 if rest.endswith("PM") else 0)
        seen.add(hour)
    assert seen == hours
