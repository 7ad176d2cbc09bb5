"""Flipbooks: a few frames of subtle motion around a painter's still, from the seed."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image, ImageChops

from glitchcart.adapters.providers.flipbook import FlipbookPainter, animate
from glitchcart.core.keys import SessionKey
from glitchcart.errors import ProviderError
from glitchcart.ports import PaintRequest, Scene
from support.cartridges import mini_cartridge
from support.media import BitPainter, gif_durations, gif_frames, read_bits
from support.providers import TinyPainter

KEY = SessionKey.parse("cli:flip")
BIG = (256, 144)  # drift and zoom move a few pixels: bands wide enough to read back


def request(turn: int, seed: int = 5) -> PaintRequest:
    scene = Scene("hall", "dusk", ("rocks",), f"turn={turn}", "normal", 0)
    return PaintRequest(
        mini_cartridge(), scene, seed=seed, session=KEY, game_id="g1", flipbook=True
    )


async def test_a_flipbook_is_a_looping_gif_of_a_few_frames_of_the_still() -> None:
    painter = FlipbookPainter(BitPainter({KEY: 3}, size=BIG), frames=5, frame_ms=120)
    assert painter.name == "bits+flipbook"
    gif = await painter.paint(request(7))
    with Image.open(io.BytesIO(gif)) as image:
        assert image.format == "GIF" and image.info.get("loop") == 0
    frames = gif_frames(gif)
    assert len(frames) == 5 and all(f.size == BIG for f in frames)
    assert gif_durations(gif) == [120] * 5
    assert [read_bits(f) for f in frames] == [(7, 3)] * 5  # the picture stays the picture
    moved = [ImageChops.difference(frames[0], f).getbbox() for f in frames[1:]]
    assert all(box is not None for box in moved)  # but every frame moves a little


async def test_a_request_that_asks_for_no_flipbook_gets_the_still() -> None:
    inner = BitPainter({KEY: 3}, size=BIG)
    still = replace(request(7), flipbook=False)
    assert await FlipbookPainter(inner).paint(still) == await inner.paint(still)


async def test_the_same_request_gives_the_same_flipbook() -> None:
    painter = FlipbookPainter(BitPainter(), frames=4)
    assert await painter.paint(request(1)) == await painter.paint(request(1))
    assert await painter.paint(request(1)) != await painter.paint(request(1, seed=6))


async def test_a_still_that_does_not_decode_is_a_provider_error() -> None:
    with pytest.raises(ProviderError):
        await FlipbookPainter(TinyPainter()).paint(request(1))
    with pytest.raises(ProviderError):
        animate(b"GIF89a broken", seed=1)


def test_frame_counts_and_times_are_bounded() -> None:
    with pytest.raises(ValueError):
        FlipbookPainter(BitPainter(), frames=1)
    with pytest.raises(ValueError):
        FlipbookPainter(BitPainter(), frame_ms=5)
