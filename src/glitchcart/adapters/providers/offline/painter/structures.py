"""Built elements: buildings, towers, signs, ruins, gates, doors, stairs, corridors and bars."""

from __future__ import annotations

import itertools

from glitchcart.adapters.providers.offline.painter.canvas import (
    BLACK,
    RED,
    STEEL,
    WHITE,
    WOOD,
    Canvas,
    box,
    disc,
    draw_text,
    mix,
    text_width,
)

# ---------------------------------------------------------------- structures


def building(ctx: Canvas) -> None:
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


def tower(ctx: Canvas) -> None:
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


def antenna(ctx: Canvas) -> None:
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


def neon_sign(ctx: Canvas) -> None:
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


def ruins(ctx: Canvas) -> None:
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


def bridge(ctx: Canvas) -> None:
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


def gate(ctx: Canvas) -> None:
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


def pillars(ctx: Canvas) -> None:
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


def door(ctx: Canvas) -> None:
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


def stairs(ctx: Canvas) -> None:
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


def corridor(ctx: Canvas) -> None:
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


def bars(ctx: Canvas) -> None:
    iron = ctx.dim(ctx.palette.ground, 1, 0.8)
    shine = ctx.solid(mix(STEEL, ctx.palette.highlight, 0.3), 1)
    gap, wd = ctx.u(22), ctx.u(1.8)
    for k in range(int(ctx.w / gap) + 1):
        x = gap / 2 + k * gap
        ctx.draw.rectangle(box(x - wd, 0, x + wd, ctx.h), fill=iron)
        ctx.draw.line((x - wd * 0.4, 0, x - wd * 0.4, ctx.h), fill=shine, width=1)
    for y in (ctx.h * 0.1, ctx.h * 0.86):
        ctx.draw.rectangle((0, y, ctx.w, y + wd * 2), fill=iron)
