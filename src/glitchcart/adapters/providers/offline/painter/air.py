"""Elements of the air layer, drawn over everything but bars: lights, cables, vines, fog, eyes."""

from __future__ import annotations

import math

from glitchcart.adapters.providers.offline.painter.canvas import (
    GREEN,
    WHITE,
    Canvas,
    box,
    disc,
    mix,
)


def lights(ctx: Canvas) -> None:
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


def cables(ctx: Canvas) -> None:
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


def vines(ctx: Canvas) -> None:
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


def fog(ctx: Canvas) -> None:
    r = ctx.rng
    c = mix(ctx.sky[1], WHITE, 0.15 if ctx.dark else 0.35)
    top = ctx.floor_top
    for k in range(6):  # a veil, thickest just above the ground line
        ctx.draw.rectangle((0, top - ctx.u(18 - 3 * k), ctx.w, ctx.h), fill=(*c, 14 + 2 * k))
    for _ in range(12):
        y = top + (ctx.h - top) * r.uniform(-0.25, 0.9)
        wisp = disc(r.uniform(0, ctx.w), y, ctx.w * r.uniform(0.15, 0.4), ctx.u(r.uniform(3, 8)))
        ctx.draw.ellipse(wisp, fill=(*c, r.randint(30, 60)))


def eyes(ctx: Canvas) -> None:
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
