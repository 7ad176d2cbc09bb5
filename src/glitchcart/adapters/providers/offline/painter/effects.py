"""Finishing effects on the full-size frame: mood grade, chaos glitch, grain, tape wear, REC.

Each takes the seeded random it may use, so a frame is the same in every process.
"""

from __future__ import annotations

import functools
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageOps

from glitchcart.adapters.providers.offline.painter.canvas import PIXEL, RGB, draw_text, text_width
from glitchcart.core.seeds import rng_for


def apply_mood(image: Image.Image, mood: str, rng: random.Random) -> Image.Image:
    """Fate colours the frame: warm luck, red shaken misfortune, cool calm, grey death."""
    size = image.size
    if mood == "lucky":
        warm = ImageChops.multiply(image, Image.new("RGB", size, (255, 222, 160)))
        image = ImageEnhance.Color(Image.blend(image, warm, 0.5)).enhance(1.15)
        image = ImageEnhance.Brightness(image).enhance(1.18)
        return _vignette(image, (40, 20, 0), 0.35)
    if mood == "unlucky":
        lifted = image.convert("L").point(_LIFT)  # keep the shadows readable once red
        blood = ImageOps.colorize(lifted, (16, 0, 2), (255, 214, 190), (196, 36, 28))
        image = Image.blend(image, blood, 0.6)
        dx = rng.choice((-1, 1)) * max(2, size[0] // 120)
        image = Image.blend(image, ImageChops.offset(image, dx, dx // 2), 0.3)
        return _vignette(image, (60, 0, 0), 0.6)
    if mood == "calm":
        cool = ImageChops.multiply(image, Image.new("RGB", size, (200, 222, 255)))
        image = ImageEnhance.Contrast(Image.blend(image, cool, 0.45)).enhance(0.9)
        return _vignette(image, (0, 0, 20), 0.3)
    if mood == "dead":
        image = ImageEnhance.Brightness(ImageEnhance.Color(image).enhance(0.12)).enhance(0.9)
        return _vignette(image, (0, 0, 0), 0.9)
    return _vignette(image, (0, 0, 0), 0.45)


_LIFT = [round(255 * (v / 255) ** 0.7) for v in range(256)]


def _vignette(image: Image.Image, colour: RGB, strength: float) -> Image.Image:
    mask = _vignette_mask(image.width, image.height, round(strength * 20))
    return Image.composite(Image.new("RGB", image.size, colour), image, mask)


@functools.lru_cache(maxsize=16)
def _vignette_mask(w: int, h: int, strength: int) -> Image.Image:
    """Dark edges: 0 in the middle, up to ``strength``/20 of full at the corners."""
    gain = strength / 20
    lut = [min(255, int(max(0.0, (v - 90) / 165) ** 1.6 * 255 * gain)) for v in range(256)]
    return Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR).point(lut)


def glitch(image: Image.Image, g: float, rng: random.Random) -> Image.Image:
    """Chaos as signal damage: split colour channels, torn lines, misplaced blocks, static."""
    if g <= 0:
        return image
    w, h = image.size
    shift = round(g * w / 70)
    if shift:
        r, gr, b = image.split()
        image = Image.merge(
            "RGB", (ImageChops.offset(r, shift, 0), gr, ImageChops.offset(b, -shift, 0))
        )
    for _ in range(round(g * 12)):
        bh = rng.randint(1, max(1, round(h * 0.04 * (0.3 + g))))
        y = rng.randrange(max(1, h - bh))
        band = image.crop((0, y, w, y + bh))
        image.paste(ImageChops.offset(band, round(rng.uniform(-1, 1) * w * 0.12 * g), 0), (0, y))
    for _ in range(round(max(0.0, g - 0.4) * 10) if min(w, h) >= 40 else 0):
        bw, bh = rng.randint(w // 20, w // 5), rng.randint(h // 40 + 1, h // 10 + 1)
        sx, sy = rng.randrange(w - bw), rng.randrange(h - bh)
        block = image.crop((sx, sy, sx + bw, sy + bh))
        if rng.random() < 0.2:
            block = Image.merge("RGB", block.split()[::-1])
        image.paste(block, (rng.randrange(w - bw), rng.randrange(h - bh)))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(round(g * 10)):
        y = rng.randrange(h)
        x = rng.uniform(-0.2, 0.8) * w
        draw.line(
            (x, y, x + rng.uniform(0.1, 0.6) * w, y), fill=(255, 255, 255, rng.randint(30, 100))
        )
    if g > 0.5:  # a rolling bright bar
        top = rng.uniform(0, h)
        draw.rectangle((0, top, w, top + h * 0.08), fill=(255, 255, 255, round(40 * g)))
    return image


def add_grain(image: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """Film grain from seeded bytes, one grain per scene pixel."""
    amount = min(1.0, amount)
    if amount <= 0:
        return image
    gw, gh = max(1, image.width // PIXEL), max(1, image.height // PIXEL)
    spread = round(90 * amount)
    lut = [v * spread // 255 for v in range(256)]
    noise = Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)).point(lut)
    noise = noise.resize(image.size, Image.Resampling.NEAREST).convert("RGB")
    return ImageChops.add(image, noise, 1.0, -(spread // 2))


def tracking_band(image: Image.Image, rng: random.Random) -> None:
    """A worn tape's tracking band: a torn strip of frame with white dropouts."""
    w, h = image.size
    y = round(h * rng.uniform(0.8, 0.93))
    bh = max(2, round(h * rng.uniform(0.02, 0.05)))
    band = image.crop((0, y, w, y + bh))
    image.paste(ImageChops.offset(band, round(w * rng.uniform(0.01, 0.04)), 0), (0, y))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(rng.randint(6, 14)):
        x, yy = rng.uniform(0, w), rng.uniform(y, y + bh)
        draw.line(
            (x, yy, x + rng.uniform(4, w * 0.15), yy), fill=(255, 255, 255, rng.randint(60, 160))
        )


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


# The hours a camcorder's clock may show at each time of day (a night frame is never 2 PM).
HOURS = {
    "dawn": (5, 6, 7),
    "day": tuple(range(8, 17)),
    "dusk": (17, 18, 19),
    "night": (20, 21, 22, 23, 0, 1, 2, 3, 4),
}


def camcorder_stamp(seed: int, time_of_day: str | None) -> tuple[str, str]:
    """The date and the clock a camcorder prints on a frame, e.g. ("AUG.14 1994", "9:05:31 PM")."""
    rng = rng_for(seed, "rec-clock")
    stamp = f"{_MONTHS[rng.randrange(12)]}.{rng.randint(1, 28):02d} {rng.randint(1988, 1999)}"
    hours = HOURS.get(time_of_day or "", tuple(range(24)))
    rolled = rng.randrange(24)
    hour = rolled if rolled in hours else hours[rolled % len(hours)]  # a fitting hour stays
    clock = f"{hour % 12 or 12}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    return stamp, clock + (" PM" if hour >= 12 else " AM")


# The widest texts the overlay prints: a date stamp, a clock, "REC" beside its light, "SP".
_WIDEST_STAMP, _WIDEST_CLOCK = "MMM.00 0000", "00:00:00 PM"


def overlay_boxes(width: int, height: int) -> tuple[tuple[int, int, int, int], ...]:
    """Where :func:`rec_overlay` may draw on a ``width`` x ``height`` frame: its three
    corner boxes (left, top, right, bottom), shadows and a little room included."""
    size = max(1, round(height / 144))
    m = size * 6
    room = size * 2

    def wide(text: str) -> int:
        return math.ceil(text_width(text, size))

    rec = m + size * 6 + wide("REC") + size + room
    stamp = m + max(wide(_WIDEST_STAMP), wide(_WIDEST_CLOCK)) + size
    top = m + size * 6 + room
    return (
        (0, 0, min(width, rec), min(height, top)),
        (max(0, width - m - wide("SP") - room), 0, width, min(height, top)),
        (0, max(0, height - m - 12 * size - room), min(width, stamp + room), height),
    )


def rec_overlay(image: Image.Image, seed: int, time_of_day: str | None = None) -> None:
    """A camcorder's REC light, tape counter and date stamp (inside :func:`overlay_boxes`);
    the date comes from the seed, the hour from the seed within the scene's time of day."""
    size = max(1, round(image.height / 144))
    draw = ImageDraw.Draw(image, "RGBA")
    m = size * 6
    stamp, clock = camcorder_stamp(seed, time_of_day)
    lines = (
        ("REC", m + size * 6, m, (255, 255, 255, 230)),
        ("SP", image.width - m - text_width("SP", size), m, (255, 255, 255, 200)),
        (clock, m, image.height - m - 5 * size, (255, 255, 255, 220)),
        (stamp, m, image.height - m - 12 * size, (255, 255, 255, 220)),
    )
    for text, x, y, fill in lines:
        draw_text(draw, text, x + size, y + size, size, (0, 0, 0, 160))
        draw_text(draw, text, x, y, size, fill)
    draw.ellipse((m, m, m + size * 4, m + size * 4), fill=(255, 30, 30, 240))


@functools.lru_cache(maxsize=8)
def scanline_mask(w: int, h: int) -> Image.Image:
    """Every other frame row darkened, like a CRT."""
    rows = bytes(255 if y % PIXEL == 0 else 178 for y in range(h))
    return (
        Image.frombytes("L", (1, h), rows).resize((w, h), Image.Resampling.NEAREST).convert("RGB")
    )
