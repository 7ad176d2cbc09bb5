"""The "signal lost" frame: what a turn shows when its picture could not be painted.

A refused or failed image never leaves a hole in the film. This frame is drawn
with Pillow alone in the cartridge's palette: colour bars, tracking noise, a
chunky "SIGNAL LOST" caption and scanlines. It is deterministic in its seed, so
an offline replay draws the same bytes.

    png = await signal_lost(cartridge, 512, 288, seed=7)
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageDraw, ImageFont

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.seeds import rng_for

CAPTION = "SIGNAL LOST"
MAX_SIDE = 4096


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _dim(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = colour
    return int(r * factor), int(g * factor), int(b * factor)


def render_signal_lost(
    cartridge: Cartridge, width: int, height: int, seed: int, caption: str = CAPTION
) -> bytes:
    """PNG bytes of a ``width`` x ``height`` "signal lost" frame."""
    width, height = max(16, min(width, MAX_SIDE)), max(16, min(height, MAX_SIDE))
    rng = rng_for(seed, "signal-lost")
    palette = [_rgb(c) for c in cartridge.art.palette]
    image = Image.new("RGB", (width, height), _dim(palette[0], 0.35))
    draw = ImageDraw.Draw(image)

    # Colour bars in the palette, top two thirds.
    bars = [*palette, (200, 200, 200), (20, 20, 20)]
    bar_w = width / len(bars)
    for i, colour in enumerate(bars):
        x0 = int(i * bar_w)
        draw.rectangle((x0, 0, int((i + 1) * bar_w), height * 2 // 3), fill=_dim(colour, 0.55))

    # Tracking noise: torn horizontal bands.
    for _ in range(max(3, height // 24)):
        y = rng.randrange(height)
        band = rng.randint(1, max(2, height // 40))
        shade = rng.choice(palette)
        draw.rectangle((0, y, width, y + band), fill=_dim(shade, rng.uniform(0.3, 0.9)))
    for _ in range(width * height // 180):
        x, y = rng.randrange(width), rng.randrange(height)
        v = rng.randint(40, 220)
        draw.point((x, y), fill=(v, v, v))

    # The caption: the default bitmap font, scaled up with nearest-neighbour for chunky pixels.
    font = ImageFont.load_default()
    left, top, right, bottom = (int(v) for v in draw.textbbox((0, 0), caption, font=font))
    small = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(small).text((1 - left, 1 - top), caption, font=font, fill=(255, 255, 255, 255))
    scale = max(1, min(width * 3 // 5 // small.width, height // 4 // small.height))
    big = small.resize((small.width * scale, small.height * scale), Image.Resampling.NEAREST)
    box_w, box_h = big.width + 4 * scale, big.height + 4 * scale
    bx, by = (width - box_w) // 2, (height - box_h) // 2
    draw.rectangle((bx, by, bx + box_w, by + box_h), fill=(8, 8, 10))
    tint = Image.new("RGBA", big.size, (*palette[-1], 255))
    image.paste(tint, (bx + 2 * scale, by + 2 * scale), big)

    # Scanlines.
    for y in range(0, height, 3):
        draw.line((0, y, width, y), fill=(0, 0, 0), width=1)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=1)
    return out.getvalue()


async def signal_lost(cartridge: Cartridge, width: int, height: int, seed: int) -> bytes:
    """:func:`render_signal_lost` in a worker thread, off the event loop."""
    return await asyncio.to_thread(render_signal_lost, cartridge, width, height, seed)
