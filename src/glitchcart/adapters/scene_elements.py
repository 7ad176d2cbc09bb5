"""Scene elements of the offline painter: one small draw function per vocabulary word.

Every function draws onto a :class:`Canvas`, a low-resolution frame that the
painter later scales up, grades and glitches. Sizes are "units" of a frame 144
pixels high, so a scene looks the same at any size; a :class:`Pen` draws in
units around an anchor on the ground, scaled by its depth. Each function gets
its own seeded ``ctx.rng`` and never reads a clock or ``hash()``, so a frame is
the same in every process. :data:`ELEMENTS` maps each word to its layer (back to
front) and its function.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]
Ink = tuple[int, ...]
Point = tuple[float, float]
Box = tuple[float, float, float, float]
DrawFn = Callable[["Canvas"], None]

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

_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", ":": "000010000010000", ".": "000000000000010",
    "-": "000000111000000", "/": "001001010100100", "A": "010101111101101",
    "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011",
    "H": "101101111101101", "I": "111010010010111", "J": "001001001101010",
    "K": "101101110101101", "L": "100100100100111", "M": "101111111101101",
    "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101",
    "X": "101101010101101", "Y": "101101010010010",
}  # fmt: skip


def text_width(text: str, size: float) -> float:
    return max(0, len(text) * 4 - 1) * size


def dot(draw: ImageDraw.ImageDraw, x: float, y: float, size: float, fill: Ink) -> None:
    """One square pixel of ``size``, snapped to the grid."""
    x0, y0, n = round(x), round(y), max(1, round(size))
    draw.rectangle((x0, y0, x0 + n - 1, y0 + n - 1), fill=fill)


def draw_text(
    draw: ImageDraw.ImageDraw, text: str, x: float, y: float, size: float, fill: Ink
) -> None:
    """Draw ``text`` in a 3x5 pixel font, each font pixel ``size`` wide."""
    for i, ch in enumerate(text.upper()):
        for j, bit in enumerate(_GLYPHS.get(ch, "")):
            if bit == "1":
                dot(draw, x + (i * 4 + j % 3) * size, y + (j // 3) * size, size, fill)


# ---------------------------------------------------------------- sky


def _disc_mask(d: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A round stencil ``d`` pixels wide, and a pen to cut it further."""
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((0, 0, d - 1, d - 1), fill=255)
    return mask, draw


def _stars(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r = ctx.rng
    vis = 1.0 if ctx.space or ctx.time == "night" else 0.5 if ctx.time in ("dawn", "dusk") else 0.2
    for _ in range(int((x1 - x0) * (y1 - y0) / 70)):
        x, y = r.uniform(x0, x1), y0 + (y1 - y0) * r.random() ** 1.4
        c = mix(WHITE, ctx.palette.highlight, r.random() * 0.5)
        ctx.draw.point((x, y), fill=(*c, int(255 * vis * r.uniform(0.25, 1))))
    for _ in range(int((x1 - x0) / 40) + 1):
        x, y = r.uniform(x0, x1), y0 + (y1 - y0) * r.random() * 0.7
        ctx.draw.line((x - 1, y, x + 1, y), fill=(*WHITE, int(230 * vis)))
        ctx.draw.line((x, y - 1, x, y + 1), fill=(*WHITE, int(230 * vis)))


def _sun(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r, p = ctx.rng, ctx.palette
    low = ctx.time != "day"
    rad = min(ctx.u(24 if low else 12), (y1 - y0) * 0.45)
    cx = x0 + (x1 - x0) * r.uniform(0.25, 0.75)
    cy = y1 - rad * 0.35 if low else y0 + (y1 - y0) * r.uniform(0.22, 0.4)
    hot = mix(p.highlight, (255, 244, 210), 0.35)
    warm = mix(p.accent, (255, 80, 60), 0.45) if low else hot
    ctx.anchors["sun"] = (cx, cy)
    ctx.halo(cx, cy, rad * 2.6, hot, alpha=14, steps=6)
    d = max(2, round(rad * 2))
    fade = Image.linear_gradient("L").resize((d, d))
    face = Image.composite(Image.new("RGB", (d, d), warm), Image.new("RGB", (d, d), hot), fade)
    mask, md = _disc_mask(d)
    for k in range(6 if low else 0):  # the striped retro sunset
        y = d * (0.55 + k * 0.08)
        md.rectangle((0, y, d, y + max(1, d * 0.012 * (k + 1))), fill=0)
    ctx.image.paste(face, (round(cx - d / 2), round(cy - d / 2)), mask)


def _moon(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r = ctx.rng
    rad = min(ctx.u(r.uniform(8, 12)), (y1 - y0) * 0.3)
    cx, cy = x0 + (x1 - x0) * r.uniform(0.12, 0.88), y0 + (y1 - y0) * r.uniform(0.18, 0.4)
    pale = mix(ctx.palette.highlight, (236, 236, 222), 0.65)
    ctx.anchors["moon"] = (cx, cy)
    ctx.halo(cx, cy, rad * 3, pale, alpha=10, steps=5)
    d = max(2, round(rad * 2))
    mask, md = _disc_mask(d)
    off = d * r.choice((-0.45, 0.45, 0.7, -0.7, 2.0))
    md.ellipse((off, -d * 0.08, off + d - 1, d * 0.92), fill=0)
    x, y = round(cx - d / 2), round(cy - d / 2)
    ctx.image.paste(pale, (x, y, x + d, y + d), mask)
    for _ in range(3):
        crater = disc(cx + r.uniform(-0.5, 0.5) * rad, cy + r.uniform(-0.5, 0.5) * rad, rad * 0.15)
        ctx.draw.ellipse(crater, fill=(*BLACK, 30))


def _planet(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r, p = ctx.rng, ctx.palette
    rad = min(ctx.u(r.uniform(14, 26)), (y1 - y0) * 0.36, (x1 - x0) * 0.22)
    cx, cy = x0 + (x1 - x0) * r.uniform(0.25, 0.75), y0 + (y1 - y0) * r.uniform(0.3, 0.5)
    base = mix(mix(p.accent, p.highlight, r.uniform(0, 0.6)), p.sky_top, 0.2)
    d = max(2, round(rad * 2))
    face = Image.new("RGB", (d, d), base)
    fd = ImageDraw.Draw(face, "RGBA")
    y = 0.0
    while y < d:  # cloud bands
        band = mix(base, r.choice((p.highlight, BLACK, p.sky_bottom, WHITE)), r.uniform(0.1, 0.3))
        bh = d * r.uniform(0.04, 0.14)
        fd.rectangle((0, y, d, y + bh), fill=band)
        y += bh
    tilt, light = r.uniform(-0.3, 0.3), r.choice((-1, 1))
    for k in range(4):  # the night side, in soft steps
        off = d * (0.12 + 0.16 * k) * light
        fd.ellipse((off - d * 0.15, -d * 0.15, off + d * 1.15, d * 1.15), fill=(0, 0, 0, 55))
    mask, _ = _disc_mask(d)
    ring_c = mix(p.highlight, base, 0.35)
    ct, st = math.cos(tilt), math.sin(tilt)
    ring = [
        (cx + rad * (1.9 * math.cos(a) * ct - 0.4 * math.sin(a) * st),
         cy + rad * (1.9 * math.cos(a) * st + 0.4 * math.sin(a) * ct))
        for a in (i * math.tau / 64 for i in range(65))
    ]  # fmt: skip
    ctx.halo(cx, cy, rad * 1.35, mix(base, WHITE, 0.4), alpha=12, steps=3)
    ctx.draw.line(ring[32:], fill=ring_c, width=ctx.px(1.2))
    ctx.image.paste(face, (round(cx - d / 2), round(cy - d / 2)), mask)
    rim = 90 + 90 * light
    ctx.draw.arc(disc(cx, cy, rad), rim - 60, rim + 60, fill=mix(base, WHITE, 0.5))
    ctx.draw.line(ring[:33], fill=ring_c, width=ctx.px(1.2))


def _window_space(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r = ctx.rng
    neb = mix(ctx.palette.accent, ctx.palette.sky_top, 0.4)
    for _ in range(6):
        rx, ry = (x1 - x0) * r.uniform(0.1, 0.3), (y1 - y0) * r.uniform(0.08, 0.2)
        ctx.draw.ellipse(disc(r.uniform(x0, x1), r.uniform(y0, y1), rx, ry), fill=(*neb, 22))
    _stars(ctx)


# ---------------------------------------------------------------- far land


def _ridge(ctx: Canvas, height: float, step: float, rough: float) -> list[Point]:
    r = ctx.rng
    phase, freq = r.uniform(0, 6.3), r.uniform(2.0, 4.0)
    pts: list[Point] = [(-2, ctx.horizon)]
    x = -step
    while x <= ctx.w + step:
        wave = 0.6 + 0.3 * math.sin(x / ctx.w * freq * math.pi + phase)
        pts.append((x, ctx.horizon - height * (wave + rough * r.uniform(-1, 1))))
        x += step * r.uniform(0.6, 1.4)
    return [*pts, (ctx.w + 2, ctx.horizon)]


def _mountains(ctx: Canvas) -> None:
    span = ctx.horizon - ctx.sky_box()[1]
    p = ctx.palette
    ranges = ((0.1, 0.62, mix(p.sky_top, p.ground, 0.5)), (0.45, 0.36, mix(p.ground, BLACK, 0.35)))
    for depth, height, tone in ranges:
        pts = _ridge(ctx, span * height, ctx.u(7), 0.22)
        ctx.draw.polygon(pts, fill=ctx.solid(tone, depth))
        ctx.draw.line(pts[1:-1], fill=ctx.solid(mix(tone, p.highlight, 0.35), depth), width=1)
        snow = ctx.solid(mix(p.highlight, WHITE, 0.5), depth)
        for (ax, ay), (bx, by), (cx, cy) in zip(pts, pts[1:], pts[2:], strict=False):
            if depth < 0.3 and by < min(ay, cy) and by < ctx.horizon - span * height * 0.85:
                left, right = (
                    (bx + (ax - bx) * 0.4, by + (ay - by) * 0.4),
                    (bx + (cx - bx) * 0.4, by + (cy - by) * 0.4),
                )
                ctx.draw.polygon([(bx, by), left, right], fill=snow)


def _mesa(ctx: Canvas) -> None:
    r, p = ctx.rng, ctx.palette
    span = ctx.horizon - ctx.sky_box()[1]
    for _ in range(r.randint(1, 3)):
        depth = r.uniform(0.15, 0.45)
        pen = ctx.at(ctx.w * r.uniform(0.05, 0.95), ctx.horizon)
        top, hgt, flare = r.uniform(11, 27), -span / pen.k * r.uniform(0.22, 0.45), r.uniform(6, 14)
        rock = mix(p.ground, p.accent, 0.22)
        pen.poly(ctx.solid(rock, depth), -top, hgt, top, hgt, top + flare, 0, -top - flare, 0)
        shade = ctx.solid(mix(rock, BLACK, 0.35), depth)
        pen.poly(shade, top * 0.4, hgt, top, hgt, top + flare, 0, top * 0.7, 0)
        for f in (0.3, 0.55, 0.8):
            strata = (*ctx.solid(mix(rock, BLACK, 0.3), depth), 90)
            pen.line(strata, -top - flare * f, hgt * (1 - f), top + flare * f, hgt * (1 - f))
        pen.line(ctx.solid(mix(rock, p.highlight, 0.5), depth), -top, hgt, top, hgt)


def _dunes(ctx: Canvas) -> None:
    r, p, hz = ctx.rng, ctx.palette, ctx.horizon
    step = max(1.0, ctx.u(3))
    for i, d in enumerate((0.0, 0.35, 0.7)):
        base = hz + (ctx.h - hz) * d * 0.8 - ctx.u(5) * (1 - d)
        amp, freq, ph = ctx.u(4 + 9 * d), r.uniform(1.0, 2.2), r.uniform(0, 6.3)
        xs = [i * step for i in range(int(ctx.w / step) + 2)]
        pts = [
            (x, base - amp * (0.5 + 0.5 * math.sin(x / ctx.w * freq * math.tau + ph))) for x in xs
        ]
        sand, depth = mix(p.ground, p.highlight, 0.18 - 0.09 * i), 0.2 + 0.7 * d
        ctx.draw.polygon([*pts, (ctx.w, ctx.h), (0, ctx.h)], fill=ctx.solid(sand, depth))
        lee = [(x, y + amp * 0.8) for x, y in reversed(pts)]
        ctx.draw.polygon([*pts, *lee], fill=ctx.solid(mix(sand, BLACK, 0.18), depth))
        ctx.draw.line(pts, fill=ctx.solid(mix(sand, p.highlight, 0.5), depth + 0.1), width=1)


# ---------------------------------------------------------------- on the ground


def _road(ctx: Canvas) -> None:
    top, w, h = ctx.floor_top, ctx.w, ctx.h
    vx = ctx.room.cx if ctx.room else w * ctx.rng.uniform(0.4, 0.6)
    half = w * 0.36
    asphalt = ctx.dim(ctx.palette.ground, 0.8, 0.55)
    ctx.draw.polygon([(vx - 1, top), (vx + 1, top), (vx + half, h), (vx - half, h)], fill=asphalt)
    edge = ctx.solid(mix(ctx.palette.highlight, ctx.palette.ground, 0.4), 0.8)
    for side in (-1, 1):
        ctx.draw.line((vx + side, top, vx + side * half * 0.92, h), fill=edge, width=ctx.px(1))
    paint = ctx.solid(mix(ctx.palette.highlight, (255, 214, 110), 0.5), 0.9)
    for k in range(9):
        t0, t1 = (k / 9) ** 2, ((k + 0.45) / 9) ** 2
        y0, y1 = top + (h - top) * t0, top + (h - top) * t1
        a, b = ctx.u(0.3 + 2.2 * t0), ctx.u(0.3 + 2.2 * t1)
        ctx.draw.polygon([(vx - a, y0), (vx + a, y0), (vx + b, y1), (vx - b, y1)], fill=paint)


def _water(ctx: Canvas) -> None:
    r, top = ctx.rng, ctx.floor_top
    shine = mix(ctx.sky[1], WHITE, 0.35)
    if ctx.room is not None:
        p = ctx.spot(0.4, 0.8)
        p.oval(mix(ctx.sky[0], BLACK, 0.4), 0, 0, 26, 5)
        p.line((*shine, 110), -10, 0, 6, 0)
        return
    bottom = top + (ctx.h - top) * r.uniform(0.3, 0.5)
    for k in range(6):  # the sky, mirrored and darkened
        ya, yb = top + (bottom - top) * k / 6, top + (bottom - top) * (k + 1) / 6
        ctx.draw.rectangle(
            (0, ya, ctx.w, yb), fill=mix(mix(ctx.sky[1], ctx.sky[0], k / 5), BLACK, 0.2)
        )
    for _ in range(int(ctx.w / 4)):
        t = r.random()
        x, y = r.uniform(0, ctx.w), top + (bottom - top) * t**1.5
        ctx.draw.line((x, y, x + ctx.u(2 + 14 * t), y), fill=(*shine, int(50 + 100 * r.random())))
    light = ctx.anchors.get("sun") or ctx.anchors.get("moon")
    for k in range(14 if light else 0):  # the sun's or moon's path on the water
        lx = light[0] if light else 0.0
        y, half = top + (bottom - top) * k / 14, ctx.u(9) * (1 - k / 16) * r.uniform(0.4, 1)
        ctx.draw.line((lx - half, y, lx + half, y), fill=(*ctx.palette.highlight, 140))
    shore = ctx.solid(mix(ctx.palette.ground, WHITE, 0.25), 0.6)
    ctx.draw.line((0, bottom, ctx.w, bottom), fill=shore)


def _rocks(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    for _ in range(r.randint(3, 6)):
        p = ctx.pen(r.random(), r.uniform(0.2, 1.0))
        rad = r.uniform(3, 7)
        angles = [i * math.tau / 7 + r.uniform(-0.2, 0.2) for i in range(7)]
        pts = [
            (
                math.cos(a) * rad * r.uniform(0.7, 1.1),
                min(0, -rad * 0.5 + math.sin(a) * rad * r.uniform(0.6, 1)),
            )
            for a in angles
        ]
        flat = [v for pt in pts for v in pt]
        p.poly(ctx.dim(pal.ground, p.depth + 0.3, 0.35), *flat)
        p.poly(
            ctx.solid(mix(pal.ground, pal.highlight, 0.25), p.depth + 0.3),
            *flat[6:12],
            0,
            -rad * 0.4,
        )


def _cacti(ctx: Canvas) -> None:
    r = ctx.rng
    for _ in range(r.randint(2, 4)):
        p = ctx.spot(0.1, 0.85)
        col = ctx.solid(mix(GREEN, ctx.palette.ground, 0.35), p.depth + 0.3)
        rim = ctx.solid(mix(GREEN, ctx.palette.highlight, 0.35), p.depth + 0.3)
        hgt = r.uniform(22, 32)
        p.shadow(9)
        p.rect(col, -2.25, -hgt, 2.25, 0, radius=2.25)
        for side, at, up in ((-1, r.uniform(0.35, 0.5), 0.28), (1, r.uniform(0.5, 0.65), 0.22)):
            if r.random() < 0.8:
                ay, ax = -hgt * at, side * 7.6
                p.rect(col, 0, ay - 1.6, ax, ay + 1.6)
                p.rect(col, ax - 1.8, ay - hgt * up, ax + 1.8, ay + 1.6, radius=1.8)
        p.line(rim, -1.1, -hgt + 2.2, -1.1, 0)


def _pine(p: Pen, x: float, hgt: float, colour: RGB) -> None:
    p.rect(colour, x - hgt * 0.04, -hgt * 0.2, x + hgt * 0.04, 0)
    for k in range(3):
        ty, wd = -hgt + hgt * 0.25 * k, hgt * (0.18 + 0.1 * k)
        p.poly(colour, x, ty, x + wd, ty + hgt * 0.42, x - wd, ty + hgt * 0.42)


def _trees(ctx: Canvas) -> None:
    r = ctx.rng
    lo, hi = (ctx.room.x0, ctx.room.x1) if ctx.room else (0, ctx.w)
    far = ctx.solid(mix(GREEN, ctx.palette.sky_top, 0.45), 0.25)
    for _ in range(r.randint(8, 16)):
        _pine(
            ctx.at(r.uniform(lo, hi), ctx.floor_top + ctx.u(r.uniform(0, 2))),
            0,
            r.uniform(8, 16),
            far,
        )
    for _ in range(r.randint(1, 3)):
        p = ctx.spot(0.15, 0.6)
        _pine(p, 0, r.uniform(30, 44), ctx.dim(GREEN, p.depth + 0.4, 0.5))


def _fence(ctx: Canvas) -> None:
    side = ctx.rng.choice((-1, 1))
    near = (ctx.w * (0.5 + side * 0.52), ctx.h * 1.02)
    far = (ctx.w * (0.5 + side * ctx.rng.uniform(0.08, 0.2)), ctx.floor_top)
    col = ctx.dim(ctx.palette.ground, 0.9, 0.45)
    prev: list[Point] = []
    for k in range(14):  # posts receding to the horizon, two wires between them
        f = 1 - 1 / (1 + 0.32 * k)
        p = ctx.at(near[0] + (far[0] - near[0]) * f, near[1] + (far[1] - near[1]) * f, 1 - f * 0.94)
        p.rect(col, -1.7, -34, 1.7, 0)
        wires = p.pts((0, -30, 0, -17))
        for a, b in zip(prev, wires, strict=False):
            ctx.draw.line((a, b), fill=col, width=1)
        prev = wires


# ---------------------------------------------------------------- structures


def _building(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    for _ in range(r.randint(1, 2)):
        p = ctx.spot(0.02, 0.2)
        bw, bh = r.uniform(14, 26), r.uniform(28, 56)
        body = ctx.solid(mix(mix(pal.ground, pal.sky_top, 0.5), BLACK, 0.45), 0.5)
        dx = bw * 0.36
        p.poly(mix(body, BLACK, 0.35), bw, -bh, bw + dx, -bh - dx / 2, bw + dx, -dx / 2, bw, 0)
        p.rect(body, -bw, -bh, bw, 0)
        p.line(ctx.solid(pal.highlight, 0.5), -bw, -bh, bw, -bh)
        lit = mix(pal.highlight, (255, 214, 140), 0.4)
        chance = {"night": 0.6, "dusk": 0.45, "dawn": 0.25}.get(ctx.time, 0.12)
        for j, i in itertools.product(range(int((bh - 5) / 8)), range(int((bw * 2 - 4) / 7.2))):
            wx, wy = -bw + 3.2 + i * 7.2, -bh + 4 + j * 8
            p.rect(
                lit if r.random() < chance else mix(body, BLACK, 0.4), wx, wy, wx + 3.4, wy + 4.4
            )
        p.rect(mix(body, BLACK, 0.6), -3.2, -10, 3.2, 0)


def _tower(ctx: Canvas) -> None:
    p = ctx.spot(0.02, 0.25)
    hgt = min(ctx.rng.uniform(70, 90), (p.y - ctx.u(16)) / p.k)
    col = ctx.dim(ctx.palette.ground, 0.6, 0.7)
    n = 7
    rungs = [(-hgt * k / n, 8 - 6.2 * k / n) for k in range(n + 1)]
    for side in (-1, 1):
        p.line(col, side * 8, 0, side * 1.8, -hgt, width=0.9)
    for (ya, wa), (yb, wb) in itertools.pairwise(rungs):
        p.line(col, -wa, ya, wb, yb)
        p.line(col, wa, ya, -wb, yb)
        p.line(col, -wb, yb, wb, yb)
    p.rect(col, -2.8, -hgt * 0.82, 2.8, -hgt * 0.8 + 2)
    p.line(col, 0, -hgt, 0, -hgt - 10)
    p.glow(RED, 0, -hgt - 10, 6 / p.s, alpha=40, steps=3)
    p.rect((255, 120, 100), -0.8, -hgt - 10.8, 0.8, -hgt - 9.2)


def _antenna(ctx: Canvas) -> None:
    p = ctx.spot(0.05, 0.35)
    hgt = min(ctx.rng.uniform(48, 62), (p.y - ctx.u(16)) / p.k)
    col = ctx.dim(ctx.palette.ground, 0.7, 0.7)
    p.line(col, 0, 0, 0, -hgt, width=1.2)
    for at, span in ((0.45, 9), (0.62, 7), (0.78, 5), (0.9, 3)):
        y = -hgt * at
        p.line(col, -span, y - 2, -span, y, span, y, span, y - 2)
    for side in (-1, 1):
        p.line((*col, 150), 0, -hgt * 0.6, side * hgt * 0.45, 0)
    dish = p.box(-13.6, -hgt * 0.28 - 6.4, 2.4, -hgt * 0.28 + 6.4)
    ctx.draw.chord(dish, 110, 290, fill=ctx.solid(mix(STEEL, ctx.palette.highlight, 0.3), 0.7))
    p.line(col, -4.8, -hgt * 0.28, -12.8, -hgt * 0.28 - 4.8)
    p.glow(ctx.palette.accent, 0, -hgt, 5 / p.s, alpha=40, steps=3)
    p.rect(mix(ctx.palette.accent, WHITE, 0.4), -0.7, -hgt - 0.7, 0.7, -hgt + 0.7)


_WORDS = ("MOTEL", "OPEN", "BAR", "EAT", "24H", "GAS", "DINER", "NO EXIT", "VACANCY", "LIVE")


def _neon_sign(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    p = ctx.spot(0.15, 0.5)
    word = r.choice(_WORDS)
    size = max(1.0, round(ctx.u(1.5) * p.s))
    half, pad = text_width(word, size) / 2, size * 2
    x0, y1 = p.x - half - pad, p.y - 22 * p.k
    x1, y0 = p.x + half + pad, y1 - 5 * size - pad * 2
    col = ctx.dim(pal.ground, 0.9, 0.75)
    p.rect(col, -0.6 * size / p.k, -22, 0.6 * size / p.k, 0)
    neon = mix(pal.accent, WHITE, 0.1)
    cyan, pink = mix(pal.highlight, (80, 240, 255), 0.4), mix(pal.highlight, (255, 80, 200), 0.3)
    tube = pink if neon[0] < 128 else cyan
    ctx.halo(
        (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.75, neon, alpha=14 if ctx.dark else 6, steps=4
    )
    ctx.draw.rectangle(
        box(x0, y0, x1, y1),
        fill=mix(col, BLACK, 0.3),
        outline=neon,
        width=max(1, round(size * 0.7)),
    )
    for i, ch in enumerate(word):
        draw_text(
            ctx.draw,
            ch,
            x0 + pad + i * 4 * size,
            y0 + pad,
            size,
            (*tube, 70 if r.random() < 0.12 else 255),
        )


def _car(ctx: Canvas) -> None:
    p = ctx.spot(0.45, 0.8)
    f = ctx.rng.choice((-1, 1))
    body = ctx.solid(mix(ctx.palette.accent, BLACK, 0.45), 1)
    glass = mix(ctx.sky[1], BLACK, 0.3)
    p.shadow(24)
    p.rect(body, -20, -11.2, 20, -3.2)
    p.poly(body, -f * 12, -11.2, -f * 7.2, -18.4, f * 4.8, -18.4, f * 10, -11.2)
    p.poly(glass, -f * 9.6, -11.6, -f * 6.4, -17.2, f * 4, -17.2, f * 7.2, -11.6)
    p.line(ctx.solid(mix(body, ctx.palette.highlight, 0.6), 1), -20, -11.2, 20, -11.2)
    for wx in (-12, 12):
        p.oval((16, 14, 18), wx, -3.6, 3.6)
        p.oval(ctx.solid(STEEL, 1), wx, -3.6, 1.4)
    beam = mix(ctx.palette.highlight, (255, 240, 190), 0.5)
    p.poly((*beam, 36 if ctx.dark else 14), f * 20, -8.8, f * 76, -12, f * 76, 2)
    p.glow(beam, f * 20, -8.4, 4, alpha=60, steps=3)
    p.glow((255, 40, 40), -f * 20, -8.4, 2.5, alpha=90, steps=2)


def _ruins(ctx: Canvas) -> None:
    r = ctx.rng
    for _ in range(r.randint(2, 4)):
        p = ctx.spot(0.1, 0.55)
        hw, wh = r.uniform(5, 14), r.uniform(16, 36)
        n = max(2, int(hw * 2 / 3))
        top = [v for i in range(n + 1) for v in (-hw + 2 * hw * i / n, -wh * r.uniform(0.45, 1.0))]
        stone = ctx.solid(mix(ctx.palette.ground, ctx.palette.highlight, 0.28), p.depth + 0.3)
        p.poly(stone, -hw, 0, *top, hw, 0)
        right = [v for i in range(0, len(top), 2) if top[i] > hw * 0.6 for v in top[i : i + 2]]
        p.poly(mix(stone, BLACK, 0.3), hw * 0.6, 0, *right, hw, 0)
        for k in range(1, int(wh / 4)):
            p.line((*BLACK, 40), -hw, -4 * k, hw, -4 * k)
        if hw > 7:
            p.rect(
                mix(stone, BLACK, 0.65),
                -hw * 0.54,
                -wh * 0.55,
                -hw * 0.06,
                -wh * 0.15,
                radius=hw * 0.24,
            )


def _bridge(ctx: Canvas) -> None:
    r = ctx.rng
    top = ctx.floor_top
    deck = top + (ctx.h - top) * 0.2 if ctx.room else top - ctx.u(r.uniform(8, 18))
    col = ctx.dim(ctx.palette.ground, 0.55, 0.55)
    th, span = ctx.u(3), ctx.u(r.uniform(30, 46))
    ctx.draw.rectangle((0, deck, ctx.w, deck + th), fill=col)
    x = -r.uniform(0, span)
    while x < ctx.w:
        ctx.draw.rectangle(box(x - ctx.u(2), deck, x + ctx.u(2), top + ctx.u(4)), fill=col)
        ctx.draw.arc(
            box(x, deck + th, x + span, deck + th + span * 0.7), 180, 360, fill=col, width=ctx.px(2)
        )
        x += span
    rail, y = ctx.solid(mix(ctx.palette.ground, ctx.palette.highlight, 0.3), 0.6), deck - ctx.u(4)
    ctx.draw.line((0, y, ctx.w, y), fill=rail, width=1)
    for k in range(int(ctx.w / ctx.u(6)) + 1):
        ctx.draw.line((k * ctx.u(6), y, k * ctx.u(6), deck), fill=rail, width=1)


def _gate(ctx: Canvas) -> None:
    r = ctx.rng
    p = ctx.pen(r.uniform(0.35, 0.65), r.uniform(0.0, 0.3))
    stone = ctx.solid(mix(ctx.palette.ground, ctx.palette.highlight, 0.28), p.depth + 0.3)
    iron = ctx.dim(ctx.palette.ground, p.depth + 0.3, 0.8)
    for k in range(8):
        bx = -12.5 + k * 4
        p.line(iron, bx, 0, bx, -37.8, width=0.8)
        p.poly(iron, bx, -40.3, bx - 1, -37.8, bx + 1, -37.8)
    p.line(iron, -16, -21.6, 16, -21.6, width=0.8)
    for px in (-16, 16):
        p.rect(stone, px - 3.5, -43.2, px + 3.5, 0)
        p.rect(mix(stone, WHITE, 0.15), px - 4.9, -46.8, px + 4.9, -43.2)
        p.line(mix(stone, BLACK, 0.3), px + 1.75, -43.2, px + 1.75, 0)
    ctx.draw.arc(p.box(-16, -54.4, 16, -32), 180, 360, fill=stone, width=max(1, round(3 * p.k)))


def _pillars(ctx: Canvas) -> None:
    stone = mix(ctx.palette.ground, ctx.palette.highlight, 0.3)
    cols: list[tuple[float, float, float, float]] = []  # x, top, bottom, width in pixels
    if ctx.room is not None:
        for t, side in itertools.product((0.15, 0.44, 0.75), (-1, 1)):
            x, top, bottom = ctx.wall(t, side)
            cols.append((x - side * ctx.w * (0.06 + 0.1 * t), top, bottom, ctx.u(4 + 14 * t)))
    else:
        n = ctx.rng.randint(4, 6)
        p = ctx.pen(0.5, ctx.rng.uniform(0.05, 0.3))
        for i in range(n):
            x = ctx.w * (0.12 + 0.76 * i / (n - 1)) + ctx.rng.uniform(-3, 3)
            cols.append((x, p.y - ctx.rng.choice((40, 40, 26)) * p.k, p.y, 6 * p.k))
    for x, top, bottom, wd in cols:
        c = ctx.solid(stone, min(1.0, wd / ctx.u(18) + 0.3))
        cap = max(2.0, wd * 0.3)
        ctx.draw.rectangle(box(x - wd / 2, top, x + wd / 2, bottom), fill=c)
        ctx.draw.rectangle(box(x + wd * 0.1, top, x + wd / 2, bottom), fill=mix(c, BLACK, 0.35))
        ctx.draw.line((x - wd * 0.2, top, x - wd * 0.2, bottom), fill=mix(c, WHITE, 0.15), width=1)
        ctx.draw.rectangle(box(x - wd * 0.7, top, x + wd * 0.7, top + cap), fill=mix(c, WHITE, 0.1))
        ctx.draw.rectangle(
            box(x - wd * 0.7, bottom - cap, x + wd * 0.7, bottom), fill=mix(c, BLACK, 0.15)
        )


def _side_door(ctx: Canvas) -> None:
    """A door in a side wall, seen at an angle, for rooms whose back wall is a window."""
    side, pal = ctx.rng.choice((-1, 1)), ctx.palette
    (xa, ta, ba), (xb, tb, bb) = ctx.wall(0.12, side), ctx.wall(0.3, side)
    ya, yb = ba - (ba - ta) * 0.7, bb - (bb - tb) * 0.7
    frame = [(xa, ya), (xb, yb), (xb, bb), (xa, ba)]
    ctx.draw.polygon(frame, fill=ctx.solid(mix(WOOD, pal.accent, 0.2), 0.8))
    ctx.draw.line([*frame, frame[0]], fill=ctx.dim(pal.ground, 0.8, 0.75), width=ctx.px(1.5))
    hx, hy = xa + (xb - xa) * 0.8, ba + (bb - ba) * 0.8 - (ba - ya) * 0.45
    ctx.draw.rectangle(disc(hx, hy, ctx.u(0.8)), fill=pal.highlight)


def _door(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    if ctx.window is not None:
        _side_door(ctx)
        return
    if ctx.room is not None:
        rm = ctx.room
        p = ctx.at(rm.x0 + (rm.x1 - rm.x0) * r.choice((0.2, 0.5, 0.8)), rm.y1)
        dw, dh = (rm.x1 - rm.x0) * 0.2 / p.k, (rm.y1 - rm.y0) * 0.68 / p.k
    else:
        p = ctx.spot(0.05, 0.3)
        dw, dh = 10, 20
        wall = ctx.solid(mix(pal.ground, pal.highlight, 0.28), 0.7)
        p.rect(wall, -dw * 1.6, -dh * 1.3, dw * 1.6, 0)
        p.poly(mix(wall, BLACK, 0.3), -dw * 1.9, -dh * 1.3, 0, -dh * 1.9, dw * 1.9, -dh * 1.3)
    p.rect(ctx.dim(pal.ground, 0.8, 0.75), -dw / 2 - 1.5, -dh - 1.5, dw / 2 + 1.5, 0)
    if r.random() < 0.5:  # ajar, light spilling out
        light = mix(pal.highlight, WHITE, 0.3)
        p.rect(light, -dw / 2, -dh, dw / 2, 0)
        spill = [
            *p.pts((-dw / 2, 0, dw / 2, 0)),
            (p.x + dw * 1.5 * p.k, ctx.h),
            (p.x - dw * 1.1 * p.k, ctx.h),
        ]
        ctx.draw.polygon(spill, fill=(*light, 40))
        p.rect(ctx.solid(WOOD, 0.8), -dw / 2, -dh, -dw * 0.1, 0)
        return
    wood = ctx.solid(mix(WOOD, pal.accent, 0.2), 0.8)
    p.rect(wood, -dw / 2, -dh, dw / 2, 0)
    for k in (0.15, 0.55):
        p.rect(
            None,
            -dw * 0.35,
            -dh * (1 - k),
            dw * 0.35,
            -dh * (0.65 - k),
            outline=mix(wood, BLACK, 0.35),
        )
    p.rect(pal.highlight, dw * 0.32 - 0.8, -dh * 0.45 - 0.8, dw * 0.32 + 0.8, -dh * 0.45 + 0.8)


def _stairs(ctx: Canvas) -> None:
    cx = ctx.room.cx if ctx.room else ctx.w * ctx.rng.uniform(0.35, 0.65)
    top_y = ctx.floor_top - ctx.u(ctx.rng.uniform(14, 26))
    stone = ctx.solid(mix(ctx.palette.ground, ctx.palette.highlight, 0.28), 0.8)
    n = 9
    for i in range(n):
        t0, t1 = i / n, (i + 1) / n
        yb, yt = ctx.h + (top_y - ctx.h) * t0, ctx.h + (top_y - ctx.h) * t1
        half = ctx.w * (0.3 - 0.22 * t0)
        ctx.draw.rectangle(
            box(cx - half, yt, cx + half, yb), fill=mix(stone, BLACK, 0.25 + 0.3 * t0)
        )
        tread = mix(stone, WHITE, 0.12 - 0.1 * t0)
        ctx.draw.rectangle(
            box(cx - half, yt, cx + half, yt + max(1.0, (yb - yt) * 0.3)), fill=tread
        )


def _corridor(ctx: Canvas) -> None:
    pal = ctx.palette
    if ctx.room is None:  # a tunnel mouth
        p = ctx.spot(0.1, 0.1)
        p.rect(ctx.solid(mix(pal.ground, pal.highlight, 0.28), 0.6), -25, -29, 25, 0, radius=22)
        for k in range(5):
            f = 1 - k * 0.18
            dark = mix(ctx.dim(pal.ground, 0.6, 0.5), BLACK, 0.2 * k)
            p.rect(dark, -18 * f, -22 * f, 18 * f, 0, radius=16 * f)
        return
    rm = ctx.room
    x0, x1 = rm.x0 + (rm.x1 - rm.x0) * 0.3, rm.x1 - (rm.x1 - rm.x0) * 0.3
    y0, y1 = rm.y0 + (rm.y1 - rm.y0) * 0.2, rm.y1
    cx, cy = (x0 + x1) / 2, y0 + (y1 - y0) * 0.55
    wall = ctx.solid(mix(pal.ground, pal.sky_top, 0.45), 0.7)
    for k in range(6):  # frames receding to the vanishing point
        f = 0.7**k
        b = (cx - (cx - x0) * f, cy - (cy - y0) * f, cx + (x1 - cx) * f, cy + (y1 - cy) * f)
        ctx.draw.rectangle(b, fill=mix(wall, BLACK, 0.3 + 0.12 * k), outline=mix(wall, BLACK, 0.6))
        ctx.draw.line((b[0] + 1, b[1] + 1, b[2] - 1, b[1] + 1), fill=(*pal.highlight, 120 - 18 * k))
    ctx.draw.rectangle(
        disc(cx, cy, (x1 - x0) * 0.08, (y1 - y0) * 0.1), fill=mix(pal.highlight, WHITE, 0.3)
    )


def _bars(ctx: Canvas) -> None:
    iron = ctx.dim(ctx.palette.ground, 1, 0.8)
    shine = ctx.solid(mix(STEEL, ctx.palette.highlight, 0.3), 1)
    gap, wd = ctx.u(22), ctx.u(1.8)
    for k in range(int(ctx.w / gap) + 1):
        x = gap / 2 + k * gap
        ctx.draw.rectangle(box(x - wd, 0, x + wd, ctx.h), fill=iron)
        ctx.draw.line((x - wd * 0.4, 0, x - wd * 0.4, ctx.h), fill=shine, width=1)
    for y in (ctx.h * 0.1, ctx.h * 0.86):
        ctx.draw.rectangle((0, y, ctx.w, y + wd * 2), fill=iron)


def _torches(ctx: Canvas) -> None:
    r = ctx.rng
    pens: list[Pen] = []
    if ctx.room is not None:  # on the side walls, between any pillars
        for side in (-1, 1):
            t = r.choice((0.3, 0.58))
            x, top, bottom = ctx.wall(t, side)
            pens.append(ctx.at(x - side * ctx.u(3 + 6 * t), top + (bottom - top) * 0.42, 1 + t))
    else:
        for _ in range(2):
            p = ctx.spot(0.3, 0.7, scale=1.6)
            p.line(ctx.solid(WOOD, 1), 0, 0, 0, -18, width=1.2)
            pens.append(ctx.at(p.x, p.y - 18 * p.k, p.s))
    for p in pens:
        p.glow(mix(FIRE, ctx.palette.highlight, 0.3), 0, 0, 30, alpha=9, steps=6)
        p.poly(ctx.solid(mix(WOOD, BLACK, 0.4), 1), -2, 0, 2, 0, 1, 6, -1, 6)
        p.flame(0, 0, 2.2)


def _altar(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    p = ctx.pen(r.uniform(0.4, 0.6), r.uniform(0.15, 0.35))
    stone = ctx.solid(mix(pal.ground, pal.highlight, 0.28), 0.9)
    glow = mix(pal.accent, WHITE, 0.2)
    p.glow(glow, 0, -19, 31, alpha=16)
    p.rect(stone, -14, -12, 14, 0)
    p.rect(mix(stone, WHITE, 0.15), -16.8, -15, 16.8, -12)
    p.rect(mix(stone, BLACK, 0.3), 4.2, -12, 14, 0)
    p.line(glow, 0, -10.2, 3, -6, 0, -1.8, -3, -6, 0, -10.2)
    for cx in (-11.2, -4.2, 8.4):
        p.rect((236, 226, 200), cx - 0.8, -19, cx + 0.8, -15)
        p.flame(cx, -19, 0.9)


def _throne(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    p = ctx.pen(r.uniform(0.4, 0.6), r.uniform(0.05, 0.2))
    gold = ctx.solid(mix(pal.highlight, GOLD, 0.5), 0.9)
    seat = ctx.solid(mix(pal.accent, BLACK, 0.45), 0.9)
    stone = ctx.solid(mix(pal.ground, pal.highlight, 0.28), 0.9)
    p.rect(stone, -20.8, -3, 20.8, 0)
    p.rect(stone, -17.6, -6, 17.6, -3)
    p.glow(pal.accent, 0, -30, 32, alpha=14)
    back = p.pts((-8, -20, -8, -42, 0, -48, 8, -42, 8, -20))
    ctx.draw.polygon(back, fill=seat, outline=gold)
    p.rect(seat, -11.2, -20, 11.2, -6, outline=gold)
    p.rect(gold, -12.8, -26, -8.8, -18)
    p.rect(gold, 8.8, -26, 12.8, -18)
    p.rect(mix(pal.accent, WHITE, 0.4), -1.2, -39.2, 1.2, -36.8)


def _bones(ctx: Canvas) -> None:
    r = ctx.rng
    bone = ctx.solid(mix(ctx.palette.highlight, (232, 226, 204), 0.7), 1)
    for _ in range(r.randint(3, 6)):
        p = ctx.pen(r.random(), r.uniform(0.4, 1.0))
        a = r.uniform(-0.6, 0.6)
        dx, dy = math.cos(a) * 3.5, math.sin(a) * 1.7
        p.line(bone, -dx, -dy, dx, dy, width=1)
        p.oval(bone, -dx, -dy, 1.1)
        p.oval(bone, dx, dy, 1.1)
    for _ in range(r.randint(1, 2)):  # skulls
        p = ctx.spot(0.45, 0.9)
        p.shadow(5.6)
        p.oval(bone, 0, -5.6, 4, 3.6)
        p.rect(bone, -2.2, -3.6, 2.2, -0.8)
        for ex in (-1.6, 1.6):
            p.oval((30, 20, 24), ex, -5, 1.1, 1.3)
        p.line((30, 20, 24), 0, -3, 0, -1)


def _chest(ctx: Canvas) -> None:
    p = ctx.spot(0.5, 0.8)
    wood = ctx.solid(mix(WOOD, ctx.palette.accent, 0.15), 1)
    gold = ctx.solid(mix(ctx.palette.highlight, GOLD, 0.5), 1)
    p.shadow(12.6)
    if ctx.rng.random() < 0.5:
        p.glow((255, 214, 110), 0, -9, 20, alpha=26)
    p.rect(wood, -9, -9, 9, 0)
    ctx.draw.chord(p.box(-9, -17, 9, -4.5), 180, 360, fill=mix(wood, WHITE, 0.1))
    for bx in (-5.4, 5.4):
        p.rect(gold, bx - 1, -10.8, bx + 1, 0)
    p.rect(gold, -1.4, -9, 1.4, -6.3)


def _crates(ctx: Canvas) -> None:
    r = ctx.rng
    p = ctx.spot(0.4, 0.8)
    sz = r.uniform(11, 15)
    wood = ctx.solid(mix(WOOD, ctx.palette.ground, 0.3), 1)
    p.shadow(sz * 1.4)
    for dx, dy in ((-0.55, 0), (0.55, 0), (r.uniform(-0.3, 0.3), -1))[: r.randint(2, 3)]:
        bx, by = dx * sz, dy * sz
        c = mix(wood, BLACK, r.uniform(0, 0.2))
        p.rect(c, bx - sz / 2, by - sz, bx + sz / 2, by, outline=mix(c, BLACK, 0.4))
        p.rect(
            None,
            bx - sz * 0.38,
            by - sz * 0.88,
            bx + sz * 0.38,
            by - sz * 0.12,
            outline=mix(c, BLACK, 0.3),
        )
        p.line(mix(c, BLACK, 0.3), bx - sz * 0.38, by - sz * 0.12, bx + sz * 0.38, by - sz * 0.88)


def _gear(p: Pen, x: float, y: float, rad: float, colour: RGB) -> None:
    rot = p.ctx.rng.uniform(0, 1)
    teeth = [((i + rot) * math.tau / 40, 1.0 if (i // 2) % 2 else 0.78) for i in range(40)]
    p.poly(
        colour,
        *(v for a, f in teeth for v in (x + math.cos(a) * rad * f, y + math.sin(a) * rad * f)),
    )
    p.oval(mix(colour, BLACK, 0.5), x, y, rad * 0.3)


def _machinery(ctx: Canvas) -> None:
    p = ctx.spot(0.25, 0.55)
    metal = ctx.solid(mix(STEEL, ctx.palette.ground, 0.3), 0.9)
    p.shadow(21)
    _gear(p, -13.5, -22.8, 10, mix(metal, ctx.palette.highlight, 0.2))
    p.rect(metal, -15, -24, 15, 0, outline=mix(metal, BLACK, 0.4))
    p.rect(mix(metal, BLACK, 0.2), 3, -36, 9, -24)
    _gear(p, 1.5, -10.8, 7.2, mix(metal, WHITE, 0.15))
    for k, c in enumerate((ctx.palette.accent, RED, ctx.palette.highlight)):
        p.glow(c, 9, -24 * (0.8 - 0.15 * k), 2.2, alpha=60, steps=2)
    for k in range(3):
        y = -24 * (0.2 + 0.12 * k)
        p.line(mix(metal, BLACK, 0.5), 6, y, 13.5, y)


def _console(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    p = ctx.pen(r.uniform(0.3, 0.7), r.uniform(0.6, 0.85))
    metal = ctx.solid(mix(STEEL, pal.ground, 0.4), 1)
    screen = mix(pal.accent, (90, 255, 190), 0.35)
    n = r.randint(1, 3)
    sw = 40 / n * 0.8
    for i in range(n):  # monitors on the desk, lines of text glowing
        sx, sy = -20 + 40 / n * (i + 0.5), -12 - sw * 0.35 - r.uniform(1.5, 3)
        p.glow(screen, sx, sy, sw * 0.8, alpha=12, steps=3)
        p.line(mix(metal, BLACK, 0.4), sx, sy, sx, -12)
        p.rect(mix(metal, BLACK, 0.5), sx - sw / 2, sy - sw * 0.35, sx + sw / 2, sy + sw * 0.35)
        p.rect(
            mix(screen, BLACK, 0.55), sx - sw * 0.43, sy - sw * 0.28, sx + sw * 0.43, sy + sw * 0.28
        )
        for k in range(int(sw * 0.25)):
            ly = sy - sw * 0.22 + k * 2
            p.line(screen, sx - sw * 0.36, ly, sx - sw * 0.36 + sw * 0.72 * r.uniform(0.2, 1), ly)
    p.poly(mix(metal, WHITE, 0.12), -20, -12, 20, -12, 24, -6.6, -24, -6.6)
    p.rect(metal, -24, -6.6, 24, 0)
    for _ in range(10):
        c = r.choice((pal.accent, pal.highlight, RED, screen))
        bx, by = r.uniform(-18, 18), -12 * r.uniform(0.65, 0.9)
        p.rect(c, bx - 0.8, by - 0.5, bx + 0.8, by + 0.5)


def _pipes(ctx: Canvas) -> None:
    r = ctx.rng
    metal = ctx.solid(mix(STEEL, ctx.palette.accent, 0.2), 1)
    shine = mix(metal, WHITE, 0.3)
    if ctx.room is None:  # a pipeline on stilts
        p = ctx.pen(0.5, r.uniform(0.35, 0.6))
        ctx.draw.rectangle(box(0, p.y - 12 * p.k, ctx.w, p.y - 8 * p.k), fill=metal)
        ctx.draw.line((0, p.y - 12 * p.k, ctx.w, p.y - 12 * p.k), fill=shine)
        for k in range(int(ctx.w / (24 * p.k)) + 1):
            leg = ctx.at(k * 24 * p.k + 4 * p.k, p.y, p.s)
            leg.rect(mix(metal, BLACK, 0.4), -1.2, -8, 1.2, 0)
            leg.rect(mix(metal, BLACK, 0.2), -2.4, -13.2, 2.4, -6.8)
        return
    for side in (-1, 1):  # along the tops of the side walls
        for k in range(r.randint(1, 3)):
            off = 0.06 + 0.07 * k
            (bx, bt, bb), (fx, ft, fb) = ctx.wall(0, side), ctx.wall(1, side)
            by, fy = bt + (bb - bt) * off, ft + (fb - ft) * off
            thb, thf = ctx.u(1.5), ctx.u(7)
            ctx.draw.polygon([(bx, by), (fx, fy), (fx, fy + thf), (bx, by + thb)], fill=metal)
            ctx.draw.line((bx, by, fx, fy), fill=shine, width=1)
            for t in (0.3, 0.55, 0.8):
                jx, jy, jt = bx + (fx - bx) * t, by + (fy - by) * t, thb + (thf - thb) * t
                ctx.draw.rectangle(
                    box(jx - jt * 0.3, jy - jt * 0.2, jx + jt * 0.3, jy + jt * 1.2),
                    fill=mix(metal, BLACK, 0.3),
                )
    x = ctx.room.x0 + (ctx.room.x1 - ctx.room.x0) * r.uniform(0.05, 0.95)
    ctx.draw.rectangle(
        box(x - ctx.u(1.5), ctx.room.y0, x + ctx.u(1.5), ctx.room.y1), fill=mix(metal, BLACK, 0.15)
    )


def _hull(ctx: Canvas) -> None:
    r = ctx.rng
    if ctx.room is None:  # a ship overhead
        _, y0, _, y1 = ctx.sky_box()
        p = ctx.at(ctx.w * r.uniform(0.02, 0.3), y0 + (y1 - y0) * r.uniform(0.25, 0.5))
        ln, th = ctx.w * r.uniform(0.4, 0.6) / p.k, r.uniform(9, 14)
        shipc = ctx.dim(ctx.palette.ground, 0.4)
        p.poly(
            shipc,
            ln * 0.15,
            -th * 0.8,
            ln * 0.3,
            -th * 1.5,
            ln * 0.45,
            -th * 1.5,
            ln * 0.5,
            -th / 2,
        )
        p.poly(shipc, 0, -th, ln * 0.85, -th / 2, ln, 0, ln * 0.85, th * 0.35, 0, th * 0.6)
        p.line(mix(shipc, ctx.palette.highlight, 0.4), 0, -th, ln * 0.85, -th / 2, ln, 0)
        p.glow(ctx.palette.accent, 0, -th * 0.2, th * 0.9, alpha=50, steps=3)
        for k in range(int(ln / 4)):
            if r.random() < 0.5:
                p.rect(ctx.palette.highlight, k * 4, 0, k * 4, 0)
        return
    for t, side in itertools.product((0.15, 0.35, 0.6, 0.9), (-1, 1)):  # riveted plates
        x, top, bottom = ctx.wall(t, side)
        ctx.draw.line((x, top, x, bottom), fill=(*BLACK, 70), width=ctx.px(1 + t))
        for k in range(6):
            ctx.draw.point(
                (x + side * ctx.u(2), top + (bottom - top) * (k + 0.5) / 6),
                fill=(*ctx.palette.highlight, 60),
            )
    rm, st = ctx.room, ctx.u(2.5)
    for k in range(int((rm.x1 - rm.x0) / st / 2) + 1):  # hazard stripes
        sx = rm.x0 + k * st * 2
        ctx.draw.polygon(
            [(sx, rm.y1 - st), (sx + st, rm.y1 - st), (sx + st * 2, rm.y1), (sx + st, rm.y1)],
            fill=(230, 190, 40, 140),
        )


def _lights(ctx: Canvas) -> None:
    r, pal = ctx.rng, ctx.palette
    warm = mix(pal.highlight, WHITE, 0.4)
    if ctx.room is not None:  # ceiling lamps and their cones
        rm = ctx.room
        for t in (0.15, 0.45, 0.8):
            top, floor_y, half = rm.y0 * (1 - t), rm.y1 + (ctx.h - rm.y1) * t, ctx.u(3 + 9 * t)
            cone = [
                (rm.cx - half, top),
                (rm.cx + half, top),
                (rm.cx + half * 3.5, floor_y),
                (rm.cx - half * 3.5, floor_y),
            ]
            ctx.draw.polygon(cone, fill=(*warm, 14))
            ctx.draw.ellipse(disc(rm.cx, floor_y, half * 3.5, half * 0.8), fill=(*warm, 22))
            ctx.draw.rectangle(box(rm.cx - half, top, rm.cx + half, top + ctx.u(1 + t)), fill=warm)
        return
    ya, yb, sag = ctx.h * r.uniform(0.1, 0.3), ctx.h * r.uniform(0.1, 0.3), ctx.u(r.uniform(10, 24))
    pts = [
        (ctx.w * t, ya + (yb - ya) * t + sag * 4 * t * (1 - t)) for t in (i / 40 for i in range(41))
    ]
    ctx.draw.line(pts, fill=(20, 18, 22), width=1)
    colours = (pal.accent, pal.highlight, (255, 90, 70), (110, 220, 255))
    for i, (x, y) in enumerate(pts[1::3]):  # a string of bulbs
        c = colours[i % len(colours)]
        ctx.halo(x, y + ctx.u(1), ctx.u(3), c, alpha=50, steps=2)
        ctx.draw.point((x, y + ctx.u(1)), fill=mix(c, WHITE, 0.5))


def _cables(ctx: Canvas) -> None:
    r = ctx.rng
    col = ctx.dim(ctx.palette.ground, 1, 0.8)
    top = ctx.room.y0 * 0.3 if ctx.room else 0.0
    for _ in range(r.randint(3, 6)):
        ax, bx = r.uniform(-0.1, 1.1) * ctx.w, r.uniform(-0.1, 1.1) * ctx.w
        ay, by, sag = top + r.uniform(-4, 10), top + r.uniform(-4, 10), ctx.h * r.uniform(0.1, 0.45)
        pts = [
            (ax + (bx - ax) * t, ay + (by - ay) * t + sag * 4 * t * (1 - t))
            for t in (i / 24 for i in range(25))
        ]
        ctx.draw.line(pts, fill=col, width=ctx.px(r.uniform(0.8, 2)))


def _pod(ctx: Canvas) -> None:
    p = ctx.spot(0.15, 0.5)
    metal = ctx.solid(mix(STEEL, ctx.palette.highlight, 0.2), 0.9)
    glass = mix(ctx.palette.accent, (110, 240, 255), 0.4)
    p.shadow(14)
    p.glow(glass, 0, -19, 18, alpha=16)
    p.rect(metal, -7, -32, 7, -2.6, radius=7, outline=mix(metal, BLACK, 0.4))
    p.rect(mix(glass, BLACK, 0.25), -4.6, -28.8, 4.6, -11.2, radius=4.2)
    p.oval((*BLACK, 130), 0, -23, 1.7, 2)  # someone asleep inside
    p.rect(mix(metal, BLACK, 0.4), -8.4, -3.2, 8.4, 0)
    p.line((*WHITE, 110), -2.8, -27.5, -2.8, -16)


def _vines(ctx: Canvas) -> None:
    r = ctx.rng
    col, leaf = ctx.dim(GREEN, 1, 0.45), ctx.solid(mix(GREEN, ctx.palette.highlight, 0.2), 1)
    for _ in range(r.randint(6, 11)):
        x = r.choice((r.uniform(0, 0.3), r.uniform(0.7, 1.0), r.random())) * ctx.w
        ln, ph, amp = ctx.h * r.uniform(0.15, 0.6), r.uniform(0, 6.3), ctx.u(r.uniform(1, 4))
        pts = [(x + amp * math.sin(ph + t * 9), ln * t) for t in (i / 20 for i in range(21))]
        ctx.draw.line(pts, fill=col, width=ctx.px(1))
        for lx, ly in pts[2::3]:
            ctx.draw.ellipse(
                disc(lx + r.choice((-1, 1)) * ctx.u(1.3), ly, ctx.u(1.5), ctx.u(0.9)), fill=leaf
            )


def _crystals(ctx: Canvas) -> None:
    r = ctx.rng
    glow = mix(ctx.palette.accent, ctx.palette.highlight, 0.3)
    for _ in range(r.randint(1, 3)):
        p = ctx.spot(0.25, 0.85)
        p.glow(glow, 0, -8, 18, alpha=16)
        for _ in range(r.randint(3, 6)):  # shards leaning out of one root
            a, ln, wd, bx = (
                -math.pi / 2 + r.uniform(-0.55, 0.55),
                r.uniform(8, 18),
                r.uniform(1.5, 3),
                r.uniform(-4, 4),
            )
            ux, uy, nx, ny = math.cos(a), math.sin(a), -math.sin(a) * wd, math.cos(a) * wd
            body = (
                bx + nx,
                ny,
                bx + nx + ux * ln * 0.75,
                ny + uy * ln * 0.75,
                bx + ux * ln,
                uy * ln,
            )
            p.poly(
                mix(glow, BLACK, 0.25),
                *body,
                bx - nx + ux * ln * 0.75,
                -ny + uy * ln * 0.75,
                bx - nx,
                -ny,
            )
            p.poly(mix(glow, WHITE, 0.3), *body, bx, 0)


def _fog(ctx: Canvas) -> None:
    r = ctx.rng
    c = mix(ctx.sky[1], WHITE, 0.15 if ctx.dark else 0.35)
    top = ctx.floor_top
    for k in range(6):  # a veil, thickest just above the ground line
        ctx.draw.rectangle((0, top - ctx.u(18 - 3 * k), ctx.w, ctx.h), fill=(*c, 14 + 2 * k))
    for _ in range(12):
        y = top + (ctx.h - top) * r.uniform(-0.25, 0.9)
        wisp = disc(r.uniform(0, ctx.w), y, ctx.w * r.uniform(0.15, 0.4), ctx.u(r.uniform(3, 8)))
        ctx.draw.ellipse(wisp, fill=(*c, r.randint(30, 60)))


def _fire(ctx: Canvas) -> None:
    r = ctx.rng
    p = ctx.spot(0.5, 0.8)
    p.oval((*FIRE, 40), 0, 0, 24, 6)
    log = ctx.solid(mix(WOOD, BLACK, 0.5), 1)
    p.line(log, -9, 0, 9, -2.5, width=2)
    p.line(log, 9, 0, -9, -2.5, width=2)
    p.flame(0, -1, 4.5)
    for _ in range(8):  # sparks
        sx, sy = r.uniform(-9, 9), -r.uniform(12, 30)
        p.rect((255, 200, 120), sx, sy, sx, sy)


def _figure(ctx: Canvas) -> None:
    r = ctx.rng
    p = ctx.pen(r.uniform(0.3, 0.7), r.uniform(0.4, 0.7))
    col = (14, 12, 18)
    p.shadow(11)
    p.rect(col, -3.2, -16.2, -0.7, 0)
    p.rect(col, 0.7, -16.2, 3.2, 0)
    p.poly(col, -5, -28.8, 5, -28.8, 6.1, -13.7, -6.1, -13.7)
    p.oval(col, 0, -31.7, 2.9, 3.4)
    if r.random() < 0.5:  # hooded
        p.poly(col, -4, -28.8, 0, -36.7, 4, -28.8)
    side = r.choice((-1, 1))
    p.line((*mix(ctx.palette.highlight, WHITE, 0.3), 140), side * 5.4, -28, side * 6.1, -14.4)


def _eyes(ctx: Canvas) -> None:
    r = ctx.rng
    c = r.choice(((255, 40, 40), mix(ctx.palette.accent, WHITE, 0.3), (255, 220, 80)))
    seen = 1.0 if ctx.room or ctx.dark else 0.35  # eyes shine in the dark
    for _ in range(r.randint(2, 5)):
        if ctx.room is not None:
            x, top, bottom = ctx.wall(r.uniform(0.05, 0.5), r.choice((-1, 1)))
            p = ctx.at(x + r.uniform(-1, 1) * ctx.u(8), top + (bottom - top) * r.uniform(0.4, 0.85))
        else:
            p = ctx.at(r.uniform(0.05, 0.95) * ctx.w, ctx.floor_top + ctx.u(r.uniform(-6, 16)))
        gap, sz = r.uniform(2.5, 4), r.uniform(0.7, 1.2)
        p.glow(c, 0, 0, gap * 2.5, alpha=round(20 * seen), steps=2)
        for ex in (-gap / 2, gap / 2):
            p.oval((*mix(c, WHITE, 0.3), round(255 * seen)), ex, 0, sz * 1.3, sz * 0.7)


def unknown(ctx: Canvas) -> None:
    """Any word outside the vocabulary: a seeded standing stone with a glowing mark."""
    r = ctx.rng
    p = ctx.spot(0.2, 0.6)
    sw, sh = r.uniform(9, 16), r.uniform(22, 38)
    p.shadow(sw)
    stone = ctx.solid(mix(ctx.palette.accent, ctx.palette.ground, 0.6), 0.9)
    p.poly(
        stone,
        -sw / 2,
        0,
        -sw * r.uniform(0.3, 0.6),
        -sh * r.uniform(0.6, 0.9),
        r.uniform(-0.2, 0.2) * sw,
        -sh,
        sw * r.uniform(0.3, 0.6),
        -sh * r.uniform(0.5, 0.9),
        sw / 2,
        0,
    )
    p.glow(ctx.palette.highlight, 0, -sh * 0.55, sw * 0.7, alpha=40, steps=2)


# ---------------------------------------------------------------- the table

SKY, FAR, GROUND, MID, NEAR, AIR, FRONT = range(7)

# Back to front: a scene's elements are drawn in this order.
ELEMENTS: Mapping[str, tuple[int, DrawFn]] = {
    "stars": (SKY, _stars),
    "window-space": (SKY, _window_space),
    "sun": (SKY, _sun),
    "moon": (SKY, _moon),
    "planet": (SKY, _planet),
    "mountains": (FAR, _mountains),
    "mesa": (FAR, _mesa),
    "dunes": (FAR, _dunes),
    "water": (GROUND, _water),
    "road": (GROUND, _road),
    "hull": (GROUND, _hull),
    "bridge": (MID, _bridge),
    "trees": (MID, _trees),
    "building": (MID, _building),
    "ruins": (MID, _ruins),
    "tower": (MID, _tower),
    "antenna": (MID, _antenna),
    "corridor": (MID, _corridor),
    "door": (MID, _door),
    "gate": (MID, _gate),
    "stairs": (MID, _stairs),
    "pillars": (MID, _pillars),
    "throne": (MID, _throne),
    "altar": (MID, _altar),
    "machinery": (MID, _machinery),
    "pod": (MID, _pod),
    "neon-sign": (MID, _neon_sign),
    "fence": (MID, _fence),
    "torches": (MID, _torches),
    "pipes": (MID, _pipes),
    "rocks": (NEAR, _rocks),
    "cacti": (NEAR, _cacti),
    "crystals": (NEAR, _crystals),
    "crates": (NEAR, _crates),
    "chest": (NEAR, _chest),
    "bones": (NEAR, _bones),
    "fire": (NEAR, _fire),
    "car": (NEAR, _car),
    "console": (NEAR, _console),
    "figure": (NEAR, _figure),
    "eyes": (AIR, _eyes),
    "fog": (AIR, _fog),
    "lights": (AIR, _lights),
    "cables": (AIR, _cables),
    "vines": (AIR, _vines),
    "bars": (FRONT, _bars),
}
