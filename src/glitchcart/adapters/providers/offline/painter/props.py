"""Things that stand on the floor or the ground: furniture, machines, vehicles, fires, figures."""

from __future__ import annotations

import itertools
import math

from glitchcart.adapters.providers.offline.painter.canvas import (
    BLACK,
    FIRE,
    GOLD,
    RED,
    RGB,
    STEEL,
    WHITE,
    WOOD,
    Canvas,
    Pen,
    box,
    mix,
)


def torches(ctx: Canvas) -> None:
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


def altar(ctx: Canvas) -> None:
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


def throne(ctx: Canvas) -> None:
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


def bones(ctx: Canvas) -> None:
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


def chest(ctx: Canvas) -> None:
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


def crates(ctx: Canvas) -> None:
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


def machinery(ctx: Canvas) -> None:
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


def console(ctx: Canvas) -> None:
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


def pipes(ctx: Canvas) -> None:
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


def hull(ctx: Canvas) -> None:
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


def car(ctx: Canvas) -> None:
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


def pod(ctx: Canvas) -> None:
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


def crystals(ctx: Canvas) -> None:
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


def fire(ctx: Canvas) -> None:
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


def figure(ctx: Canvas) -> None:
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
