"""The canvas of the offline painter: colours, a pen that draws in units, the pixel font.

A :class:`Canvas` is a low-resolution frame that the painter later scales up,
grades and glitches. Sizes are "units" of a frame 144 pixels high, so a scene
looks the same at any size; a :class:`Pen` draws in units around an anchor on
the ground, scaled by its depth.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from glitchcart.adapters.pixel_font import ADVANCE, fold, glyph

PIXEL = 2  # one scene pixel is PIXEL x PIXEL frame pixels

RGB = tuple[int, int, int]
Ink = tuple[int, ...]
Point = tuple[float, float]
Box = tuple[float, float, float, float]


BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)
FIRE: RGB = (255, 96, 32)
GREEN: RGB = (56, 104, 60)
WOOD: RGB = (112, 72, 40)
STEEL: RGB = (96, 100, 112)
GOLD: RGB = (230, 186, 80)
RED: RGB = (255, 50, 40)


def hex_rgb(text: str) -> RGB:
    return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend of two colours; ``t`` = 0 gives ``a``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def box(x0: float, y0: float, x1: float, y1: float) -> Box:
    """A box with its corners in order, as Pillow requires."""
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def disc(cx: float, cy: float, rx: float, ry: float | None = None) -> Box:
    ry = rx if ry is None else ry
    return box(cx - rx, cy - ry, cx + rx, cy + ry)


@dataclass(frozen=True, slots=True)
class Palette:
    sky_top: RGB
    sky_bottom: RGB
    ground: RGB
    accent: RGB
    highlight: RGB

    @classmethod
    def from_hex(cls, colours: Sequence[str]) -> Palette:
        return cls(*(hex_rgb(c) for c in colours[:5]))


@dataclass(frozen=True, slots=True)
class Room:
    """The back wall of an interior; the side walls run from it to the frame's corners."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


class Pen:
    """Draws in units around an anchor ``(x, y)``, scaled by ``s``; y grows downwards."""

    __slots__ = ("ctx", "depth", "k", "s", "x", "y")

    def __init__(self, ctx: Canvas, x: float, y: float, s: float, depth: float) -> None:
        self.ctx, self.x, self.y, self.s, self.depth = ctx, x, y, s, depth
        self.k = ctx.h / 144 * s

    def pts(self, coords: Sequence[float]) -> list[Point]:
        k = self.k
        return [
            (self.x + a * k, self.y + b * k) for a, b in zip(coords[::2], coords[1::2], strict=True)
        ]

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        k = self.k
        return box(self.x + x0 * k, self.y + y0 * k, self.x + x1 * k, self.y + y1 * k)

    def rect(
        self, fill: Ink | None, *xyxy: float, radius: float = 0, outline: Ink | None = None
    ) -> None:
        b = self.box(*xyxy)
        if radius:
            self.ctx.draw.rounded_rectangle(b, radius * self.k, fill=fill, outline=outline)
        else:
            self.ctx.draw.rectangle(b, fill=fill, outline=outline)

    def poly(self, fill: Ink, *coords: float) -> None:
        self.ctx.draw.polygon(self.pts(coords), fill=fill)

    def oval(self, fill: Ink, cx: float, cy: float, rx: float, ry: float | None = None) -> None:
        ry = rx if ry is None else ry
        self.ctx.draw.ellipse(self.box(cx - rx, cy - ry, cx + rx, cy + ry), fill=fill)

    def line(self, fill: Ink, *coords: float, width: float = 0) -> None:
        self.ctx.draw.line(self.pts(coords), fill=fill, width=max(1, round(width * self.k)))

    def glow(self, c: RGB, cx: float, cy: float, r: float, alpha: int = 18, steps: int = 5) -> None:
        x, y = self.pts((cx, cy))[0]
        self.ctx.halo(x, y, r * self.k, c, alpha, steps)

    def shadow(self, rx: float) -> None:
        self.oval((0, 0, 0, 90), 0, 0, rx, rx * 0.22)

    def flame(self, cx: float, cy: float, size: float) -> None:
        """A flickering flame whose base is at (cx, cy), with its warm glow."""
        r, p = self.ctx.rng, self.ctx.palette
        self.glow(mix(FIRE, p.accent, 0.25), cx, cy - size, size * 6, alpha=14)
        layers = ((1.0, mix(FIRE, p.accent, 0.2)), (0.6, mix(p.highlight, (255, 236, 160), 0.5)))
        for scale, colour in (*layers, (0.3, WHITE)):
            s = size * scale
            tip = (cx + r.uniform(-0.4, 0.4) * s, cy - s * r.uniform(2.2, 2.9))
            edge = (0.8 * s, -0.7 * s, 0.5 * s, 0)
            self.poly(colour, *tip, cx + edge[0], cy + edge[1], cx + edge[2], cy, cx - edge[2], cy)
            self.poly(colour, *tip, cx - edge[2], cy, cx - edge[0], cy + edge[1])


@dataclass(slots=True)
class Canvas:
    """The frame being drawn, with its light, sky, room and free places for elements."""

    image: Image.Image
    draw: ImageDraw.ImageDraw
    palette: Palette
    time: str
    horizon: float
    grade: tuple[float, float, float]
    sky: tuple[RGB, RGB]
    sky_span: tuple[float, float]
    room: Room | None = None
    window: Box | None = None
    space: bool = False
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    slots: list[float] = field(default_factory=list)
    anchors: dict[str, Point] = field(default_factory=dict)

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height

    @property
    def dark(self) -> bool:
        return self.time in ("dusk", "night")

    @property
    def floor_top(self) -> float:
        return self.room.y1 if self.room else self.horizon

    def u(self, v: float) -> float:
        return v * self.h / 144

    def px(self, v: float) -> int:
        """A line width in pixels, at least one."""
        return max(1, round(self.u(v)))

    def solid(self, c: RGB, depth: float = 1.0) -> RGB:
        """A lit surface: hazed by distance (depth 0 = far), then graded by the light."""
        c = mix(c, self.sky[1], (1 - min(1.0, depth)) * 0.55)
        g = self.grade
        return (min(255, int(c[0] * g[0])), min(255, int(c[1] * g[1])), min(255, int(c[2] * g[2])))

    def dim(self, c: RGB, depth: float, darkness: float = 0.6) -> RGB:
        """A colour darkened, then lit like a surface: for silhouettes."""
        return self.solid(mix(c, BLACK, darkness), depth)

    def sky_at(self, y: float) -> RGB:
        y0, y1 = self.sky_span
        t = 0.0 if y1 <= y0 else min(1.0, max(0.0, (y - y0) / (y1 - y0)))
        return mix(self.sky[0], self.sky[1], round(t * 11) / 11)

    def sky_box(self) -> Box:
        return self.window if self.window is not None else (0, 0, self.w, self.horizon)

    def slot(self) -> float:
        return self.slots.pop() if self.slots else self.rng.uniform(0.08, 0.92)

    def pen(self, xf: float, depth: float, scale: float = 1.0) -> Pen:
        """A pen at a horizontal fraction and a depth on the ground (0 far, 1 near)."""
        top = self.floor_top
        y = top + (self.h - top) * depth
        if self.room is None:
            return Pen(self, xf * self.w, y, (0.55 + 0.9 * depth) * scale, depth)
        half = (self.room.x1 - self.room.x0) / 2
        half += (self.w * 0.5 - half) * depth
        x = self.room.cx + (xf - 0.5) * 1.7 * half
        return Pen(self, x, y, (0.8 + 0.9 * depth) * scale, depth)

    def spot(self, lo: float, hi: float, scale: float = 1.0) -> Pen:
        """A pen at the next free slot, at a seeded depth between ``lo`` and ``hi``."""
        return self.pen(self.slot(), self.rng.uniform(lo, hi), scale)

    def at(self, x: float, y: float, s: float = 1.0) -> Pen:
        return Pen(self, x, y, s, 1.0)

    def wall(self, t: float, side: int) -> tuple[float, float, float]:
        """x, top and bottom of a side wall (-1 left, 1 right) at depth t (0 back, 1 front)."""
        r = self.room or Room(self.w * 0.35, self.h * 0.2, self.w * 0.65, self.floor_top)
        x = r.x0 * (1 - t) if side < 0 else r.x1 + (self.w - r.x1) * t
        return x, r.y0 * (1 - t), r.y1 + (self.h - r.y1) * t

    def halo(self, x: float, y: float, r: float, c: RGB, alpha: int = 18, steps: int = 5) -> None:
        for i in range(steps, 0, -1):
            self.draw.ellipse(disc(x, y, r * i / steps), fill=(*c, alpha))


# ---------------------------------------------------------------- pixel font
# The glyphs are the one pixel font's (:mod:`glitchcart.adapters.pixel_font`); the painter
# draws them square by square, at fractional positions and sizes, on the grid.


def text_width(text: str, size: float) -> float:
    return max(0, len(fold(text)) * ADVANCE - 1) * size


def dot(draw: ImageDraw.ImageDraw, x: float, y: float, size: float, fill: Ink) -> None:
    """One square pixel of ``size``, snapped to the grid."""
    x0, y0, n = round(x), round(y), max(1, round(size))
    draw.rectangle((x0, y0, x0 + n - 1, y0 + n - 1), fill=fill)


def draw_text(
    draw: ImageDraw.ImageDraw, text: str, x: float, y: float, size: float, fill: Ink
) -> None:
    """Draw ``text`` in the pixel font, folded, each font pixel ``size`` wide."""
    for i, ch in enumerate(fold(text)):
        for j, bit in enumerate(glyph(ch)):
            if bit == "1":
                dot(draw, x + (i * ADVANCE + j % 3) * size, y + (j // 3) * size, size, fill)
