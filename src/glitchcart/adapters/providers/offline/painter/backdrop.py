"""The backdrop of a frame: the sky gradient, then open ground or a room in perspective.

Runes on the back wall and drifting particles, both named by the cartridge's
motifs, are drawn here too: they belong to the place, not to any element.
"""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

from glitchcart.adapters.providers.offline.painter.canvas import (
    BLACK,
    PIXEL,
    RGB,
    Canvas,
    Palette,
    Room,
    dot,
    mix,
)
from glitchcart.adapters.providers.offline.painter.elements import ELEMENTS, FAR, MID
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.ports import PaintRequest

# Time of day: (sky-top target, weight), (sky-bottom target, weight), light on surfaces.
TIMES: dict[str, tuple[tuple[RGB, float], tuple[RGB, float], tuple[float, float, float]]] = {
    "dawn": (((70, 82, 150), 0.45), ((255, 188, 160), 0.5), (0.92, 0.84, 0.88)),
    "day": (((92, 156, 228), 0.5), ((200, 226, 240), 0.42), (1.1, 1.1, 1.08)),
    "dusk": (((46, 24, 78), 0.45), ((255, 106, 60), 0.45), (0.8, 0.62, 0.62)),
    "night": (((6, 8, 26), 0.8), ((26, 30, 70), 0.72), (0.4, 0.44, 0.64)),
}
# Motif words that set particles drifting: colour, and whether they rise.
_PARTICLES: dict[str, tuple[RGB, bool]] = {
    "ash": ((150, 144, 140), False),
    "ember": ((255, 130, 40), True),
    "spark": ((255, 220, 120), True),
    "snow": ((236, 240, 255), False),
    "dust": ((200, 170, 120), False),
    "debris": ((120, 124, 134), False),
    "rain": ((150, 170, 210), False),
    "spore": ((170, 255, 160), True),
}
_PANELLED = {"hull", "console", "pod", "window-space", "pipes", "machinery", "cables"}


def new_canvas(request: PaintRequest, names: list[str], interior: bool) -> Canvas:
    """A scene-resolution canvas with the sky painted in and seeded places for elements."""
    w, h = max(1, request.width // PIXEL), max(1, request.height // PIXEL)
    rng = rng_for(request.seed, "layout")
    time = request.scene.time_of_day if request.scene.time_of_day in TIMES else "day"
    palette = Palette.from_hex(request.cartridge.art.palette)
    (top_to, top_w), (bottom_to, bottom_w), grade = TIMES[time]
    space = "window-space" in names
    sky = (mix(palette.sky_top, top_to, top_w), mix(palette.sky_bottom, bottom_to, bottom_w))
    if space:
        sky = (mix(palette.sky_top, BLACK, 0.88), mix(palette.sky_top, BLACK, 0.6))
    room = window = None
    horizon = h * rng.uniform(0.56, 0.64)
    if interior:
        room = Room(
            w * rng.uniform(0.28, 0.34),
            h * rng.uniform(0.2, 0.26),
            w * rng.uniform(0.66, 0.72),
            h * rng.uniform(0.6, 0.66),
        )
        grade = (grade[0] * 0.35 + 0.6, grade[1] * 0.35 + 0.56, grade[2] * 0.35 + 0.54)
        if any(ELEMENTS.get(n, (MID,))[0] <= FAR for n in names):  # the sky shows
            rw, rh = room.x1 - room.x0, room.y1 - room.y0
            mx, top, bottom = (0.08, 0.1, 0.72) if space else (0.22, 0.14, 0.58)
            window = (
                room.x0 + rw * mx,
                room.y0 + rh * top,
                room.x1 - rw * mx,
                room.y0 + rh * bottom,
            )
            horizon = window[3] - rh * 0.04
    image = Image.new("RGB", (w, h), sky[0])
    span = (window[1], window[3]) if window else (0.0, horizon)
    ctx = Canvas(
        image=image,
        draw=ImageDraw.Draw(image, "RGBA"),
        palette=palette,
        time=time,
        horizon=horizon,
        grade=grade,
        sky=sky,
        sky_span=span,
        room=room,
        window=window,
        space=space,
    )
    bands = 12
    for k in range(bands + 1):
        y0 = span[0] + (span[1] - span[0]) * (k - 0.5) / bands
        ctx.draw.rectangle(
            (0, y0, w, h if k == bands else y0 + (span[1] - span[0]) / bands),
            fill=ctx.sky_at(y0 + 1),
        )
    slots = [0.1 + 0.8 * i / 6 + rng.uniform(-0.04, 0.04) for i in range(7)]
    rng.shuffle(slots)
    ctx.slots = slots
    return ctx


def draw_ground(ctx: Canvas, seed: int) -> None:
    """The land from the horizon down, darkening towards the viewer, with scattered texture."""
    rng = rng_for(seed, "ground")
    p, hz, w, h = ctx.palette, ctx.horizon, ctx.w, ctx.h
    far, near = ctx.solid(p.ground, 0.15), ctx.solid(mix(p.ground, BLACK, 0.45), 1)
    bands = 9
    for k in range(bands):
        t0, t1 = (k / bands) ** 1.6, ((k + 1) / bands) ** 1.6
        ctx.draw.rectangle(
            (0, hz + (h - hz) * t0, w, hz + (h - hz) * t1 + 1), fill=mix(far, near, k / (bands - 1))
        )
    for _ in range(int(w / 3)):
        t = rng.random() ** 1.5
        y, x = hz + (h - hz) * t, rng.uniform(0, w)
        shade = mix(far, near, t)
        tone = mix(shade, p.highlight, 0.18) if rng.random() < 0.5 else mix(shade, BLACK, 0.25)
        ctx.draw.line((x, y, x + ctx.u(1 + 8 * t), y), fill=tone)
    ctx.draw.line((0, hz, w, hz), fill=(*mix(ctx.sky[1], p.highlight, 0.4), 150))


def draw_room(ctx: Canvas, r: Room, names: list[str]) -> None:
    """Walls, floor and ceiling in one-point perspective, with a window if the scene needs one."""
    p, w, h = ctx.palette, ctx.w, ctx.h
    wall = mix(mix(p.ground, p.sky_top, 0.3), p.highlight, 0.1)
    back, floor = ctx.solid(mix(wall, BLACK, 0.25), 0.7), ctx.solid(mix(p.ground, BLACK, 0.3), 1)
    d = ctx.draw
    d.polygon(
        [(0, 0), (w, 0), (r.x1, r.y0), (r.x0, r.y0)], fill=ctx.solid(mix(wall, BLACK, 0.6), 1)
    )
    d.polygon([(0, h), (w, h), (r.x1, r.y1), (r.x0, r.y1)], fill=floor)
    d.polygon(
        [(0, 0), (r.x0, r.y0), (r.x0, r.y1), (0, h)], fill=ctx.solid(mix(wall, BLACK, 0.12), 1)
    )
    d.polygon(
        [(w, 0), (r.x1, r.y0), (r.x1, r.y1), (w, h)], fill=ctx.solid(mix(wall, BLACK, 0.4), 1)
    )
    if ctx.window is None:
        d.rectangle((r.x0, r.y0, r.x1, r.y1), fill=back)
    else:
        x0, y0, x1, y1 = ctx.window
        for part in (
            (r.x0, r.y0, r.x1, y0),
            (r.x0, y1, r.x1, r.y1),
            (r.x0, y0, x0, y1),
            (x1, y0, r.x1, y1),
        ):
            d.rectangle(part, fill=back)
    vy = (r.y0 + r.y1) / 2
    seam = (*BLACK, 60)
    for i in range(11):  # floor boards and ceiling beams run to the vanishing point
        bx = r.x0 + (r.x1 - r.x0) * i / 10
        fx = r.cx + (bx - r.cx) * (h - vy) / (r.y1 - vy)
        d.line((bx, r.y1, fx, h), fill=seam, width=1)
        d.line((bx, r.y0, r.cx + (bx - r.cx) * vy / (vy - r.y0), 0), fill=seam, width=1)
    for t in (0.06, 0.16, 0.32, 0.56, 0.9):
        d.line((0, r.y1 + (h - r.y1) * t, w, r.y1 + (h - r.y1) * t), fill=seam, width=1)
    panelled = bool(_PANELLED & set(names))
    step = ctx.u(5)
    k = 0
    while not panelled and r.y0 + step * (k + 1) < r.y1:  # stone courses on the back wall
        y = r.y0 + step * (k + 1)
        d.line((r.x0, y, r.x1, y), fill=(*BLACK, 45))
        for j in range(int((r.x1 - r.x0) / (step * 2)) + 1):
            x = r.x0 + (j + 0.5 * (k % 2)) * step * 2
            d.line((x, y - step, x, y), fill=(*BLACK, 35))
        k += 1
    if panelled:
        for i in range(1, 6):
            x = r.x0 + (r.x1 - r.x0) * i / 6
            d.line((x, r.y0, x, r.y1), fill=(*BLACK, 70))
    for corner in ((r.x0, r.y0, 0, 0), (r.x1, r.y0, w, 0), (r.x0, r.y1, 0, h), (r.x1, r.y1, w, h)):
        d.line(corner, fill=(*p.highlight, 36), width=ctx.px(1))
    d.rectangle((r.x0, r.y0, r.x1, r.y1), outline=(*p.highlight, 30))
    if ctx.window is not None:
        x0, y0, x1, y1 = ctx.window
        frame = ctx.solid(mix(wall, BLACK, 0.65), 1)
        d.rectangle((x0, y0, x1, y1), outline=frame, width=ctx.px(2.5))
        for f in (1 / 3, 2 / 3) if ctx.space else (0.5,):
            d.line((x0 + (x1 - x0) * f, y0, x0 + (x1 - x0) * f, y1), fill=frame, width=ctx.px(1.5))
        d.line((x0, y1 + 1, x1, y1 + 1), fill=(*p.highlight, 70))
    d.ellipse(
        (r.cx - w * 0.3, r.y1 + (h - r.y1) * 0.2, r.cx + w * 0.3, h * 1.05), fill=(*p.highlight, 12)
    )


def draw_runes(ctx: Canvas, motifs: tuple[str, ...]) -> None:
    """Rune, glyph or sigil motifs: faint glyphs on the back wall, the same in every frame."""
    marks = [m for m in motifs if re.search(r"rune|glyph|sigil|symbol", m.lower())][:1]
    if ctx.room is None or not marks:
        return
    r = ctx.room
    size = max(1.0, round(ctx.u(1.2)))
    colour = (*ctx.palette.accent, 80)
    for i in range(4):
        bits = derive_seed(0, "rune", marks[0], i)
        x, y = r.x0 + (r.x1 - r.x0) * (0.1 + 0.22 * i), r.y0 + ctx.u(4)
        for j in range(15):
            if bits >> j & 1:
                for col in sorted({j % 3, 4 - j % 3}):  # mirrored, like a sigil
                    dot(ctx.draw, x + col * size, y + j // 3 * size, size, colour)


def draw_particles(ctx: Canvas, motifs: tuple[str, ...], seed: int) -> None:
    """Ash, embers, snow, dust... named by a motif, drifting across the whole frame."""
    text = " ".join(motifs).lower()
    kinds = [v for k, v in _PARTICLES.items() if k in text][:2]
    for n, (colour, rising) in enumerate(kinds):
        rng = rng_for(seed, "particles", n)
        for _ in range(int(ctx.w * ctx.h / 900)):
            x, y = rng.uniform(0, ctx.w), rng.uniform(0, ctx.h)
            alpha = rng.randint(60, 200)
            ctx.draw.point((x, y), fill=(*colour, alpha))
            if rising and rng.random() < 0.3:
                ctx.draw.point((x, y + 1), fill=(*colour, alpha // 3))
