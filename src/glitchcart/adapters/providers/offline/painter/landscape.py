"""Outdoor elements: the sky and what hangs in it, far land, and what covers the ground."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from glitchcart.adapters.providers.offline.painter.canvas import (
    BLACK,
    GREEN,
    RGB,
    WHITE,
    Canvas,
    Pen,
    Point,
    disc,
    mix,
)

# ---------------------------------------------------------------- sky


def _disc_mask(d: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A round stencil ``d`` pixels wide, and a pen to cut it further."""
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((0, 0, d - 1, d - 1), fill=255)
    return mask, draw


def stars(ctx: Canvas) -> None:
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


def sun(ctx: Canvas) -> None:
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


def moon(ctx: Canvas) -> None:
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


def planet(ctx: Canvas) -> None:
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


def window_space(ctx: Canvas) -> None:
    x0, y0, x1, y1 = ctx.sky_box()
    r = ctx.rng
    neb = mix(ctx.palette.accent, ctx.palette.sky_top, 0.4)
    for _ in range(6):
        rx, ry = (x1 - x0) * r.uniform(0.1, 0.3), (y1 - y0) * r.uniform(0.08, 0.2)
        ctx.draw.ellipse(disc(r.uniform(x0, x1), r.uniform(y0, y1), rx, ry), fill=(*neb, 22))
    stars(ctx)


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


def mountains(ctx: Canvas) -> None:
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


def mesa(ctx: Canvas) -> None:
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


def dunes(ctx: Canvas) -> None:
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


def road(ctx: Canvas) -> None:
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


def water(ctx: Canvas) -> None:
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


def rocks(ctx: Canvas) -> None:
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


def cacti(ctx: Canvas) -> None:
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


def trees(ctx: Canvas) -> None:
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


def fence(ctx: Canvas) -> None:
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
