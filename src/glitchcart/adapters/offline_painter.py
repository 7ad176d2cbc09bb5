"""The offline painter: a moody, pixel-ish frame for every turn, drawn with Pillow alone.

A frame is composed at half resolution (chunky pixels), back to front: the sky
for the time of day, sun, moon and stars, then either the ground or an indoor
room in one-point perspective, then the scene's elements from
:data:`~glitchcart.adapters.scene_elements.ELEMENTS` layer by layer. It is then
scaled up and finished: the fate mood grades it, chaos glitches it, the
cartridge's art style adds grain, scanlines and a found-footage overlay.

All randomness comes from the request's seed, so the same request gives the same
PNG bytes in every process::

    painter = OfflinePainter()
    png = await painter.paint(PaintRequest(cartridge, scene, seed=42))

:func:`render` is the same thing without the worker thread, for tests and
benchmarks.
"""

from __future__ import annotations

import asyncio
import functools
import io
import random
import re

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageOps

from glitchcart.adapters.scene_elements import (
    BLACK,
    ELEMENTS,
    FAR,
    MID,
    RGB,
    SKY,
    Canvas,
    Palette,
    Room,
    dot,
    draw_text,
    mix,
    text_width,
    unknown,
)
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.errors import ProviderError
from glitchcart.ports import PaintRequest

PIXEL = 2  # one scene pixel is PIXEL x PIXEL frame pixels
MAX_PIXELS = 4096 * 4096
MAX_ELEMENTS = 14

# Words the narrator or a motif may use for a vocabulary element.
ALIASES = {
    "cactus": "cacti", "tree": "trees", "forest": "trees", "rock": "rocks", "boulder": "rocks",
    "crate": "crates", "box": "crates", "bone": "bones", "skull": "bones", "pillar": "pillars",
    "column": "pillars", "torch": "torches", "candle": "torches", "pipe": "pipes",
    "cable": "cables", "wire": "cables", "wires": "cables", "crystal": "crystals",
    "light": "lights", "lamp": "lights", "eye": "eyes", "star": "stars", "mountain": "mountains",
    "dune": "dunes", "ruin": "ruins", "neon": "neon-sign", "sign": "neon-sign", "stair": "stairs",
    "staircase": "stairs", "person": "figure", "stranger": "figure", "silhouette": "figure",
    "lake": "water", "river": "water", "sea": "water", "ocean": "water", "campfire": "fire",
    "flame": "fire", "flames": "fire", "radio": "antenna", "mast": "antenna", "truck": "car",
    "vehicle": "car", "spaceship": "hull", "machine": "machinery", "computer": "console",
    "terminal": "console", "screen": "console", "mist": "fog", "smoke": "fog", "haze": "fog",
    "cell": "bars", "prison": "bars", "window": "window-space", "vine": "vines", "gates": "gate",
    "doors": "door", "towers": "tower", "buildings": "building",
}  # fmt: skip

# Time of day: (sky-top target, weight), (sky-bottom target, weight), light on surfaces.
_TIMES: dict[str, tuple[tuple[RGB, float], tuple[RGB, float], tuple[float, float, float]]] = {
    "dawn": (((70, 82, 150), 0.45), ((255, 188, 160), 0.5), (0.92, 0.84, 0.88)),
    "day": (((92, 156, 228), 0.5), ((200, 226, 240), 0.42), (1.1, 1.1, 1.08)),
    "dusk": (((46, 24, 78), 0.45), ((255, 106, 60), 0.45), (0.8, 0.62, 0.62)),
    "night": (((6, 8, 26), 0.8), ((26, 30, 70), 0.72), (0.4, 0.44, 0.64)),
}
# What the sky shows by itself outdoors, by time of day.
_SKY_BODIES = {"dawn": ("sun",), "day": ("sun",), "dusk": ("sun",), "night": ("stars", "moon")}
# Motifs may add these anywhere; they suit any place.
_AMBIENT = {"fog", "eyes", "lights", "cables", "vines", "torches", "crystals", "bones", "rocks"}
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


class OfflinePainter:
    """Paints frames locally with Pillow; never touches the network."""

    name = "offline"

    async def paint(self, request: PaintRequest) -> bytes:
        return await asyncio.to_thread(render, request)


def render(request: PaintRequest) -> bytes:
    """Render ``request`` to PNG bytes; Pillow failures become :class:`ProviderError`."""
    if request.width * request.height > MAX_PIXELS:
        raise ProviderError(f"frame of {request.width}x{request.height} is too large")
    try:
        image = compose(request)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False, compress_level=1)
    except (OSError, ValueError, TypeError, MemoryError, Image.DecompressionBombError) as exc:
        raise ProviderError(f"offline painter failed: {exc}") from exc
    return out.getvalue()


def element_names(words: tuple[str, ...], motifs: tuple[str, ...] = ()) -> list[str]:
    """Scene words as element names (aliases resolved), then ambient elements named by motifs."""
    names = [ALIASES.get(k, k) for k in (re.sub(r"[\s_]+", "-", w.strip().lower()) for w in words)]
    for motif in motifs:
        for name in re.findall(r"[a-z]+", motif.lower()):
            if name in _AMBIENT:
                names.append(name)
                break
    return [n for i, n in enumerate(names) if n and n not in names[:i]][:MAX_ELEMENTS]


def compose(request: PaintRequest) -> Image.Image:
    """The finished frame as a Pillow image."""
    scene, art = request.scene, request.cartridge.art
    names = element_names(scene.elements, art.motifs)
    interior = "interior" in names
    names = [n for n in names if n != "interior"]
    if not interior:
        time = scene.time_of_day if scene.time_of_day in _TIMES else "day"
        names += [n for n in _SKY_BODIES[time] if n not in names]
    order = {name: i for i, name in enumerate(ELEMENTS)}
    layered = sorted(names, key=lambda n: order.get(n, order["pillars"]))
    ctx = _canvas(request, names, interior)

    def paint_layers(lo: int, hi: int) -> None:
        for name in layered:
            layer, draw = ELEMENTS.get(name, (MID, unknown))
            if lo <= layer <= hi:
                ctx.rng = rng_for(request.seed, "element", name)
                draw(ctx)

    paint_layers(SKY, SKY)
    if ctx.room is not None:
        paint_layers(FAR, FAR)  # seen through the window
        _room(ctx, ctx.room, names)
    else:
        _ground(ctx, request.seed)
        paint_layers(FAR, FAR)
    _runes(ctx, art.motifs)
    paint_layers(FAR + 1, 99)
    _particles(ctx, art.motifs, request.seed)

    image = ctx.image.resize((request.width, request.height), Image.Resampling.NEAREST)
    rng = rng_for(request.seed, "finish")
    chaos = max(0, min(100, scene.chaos))
    image = _mood(image, scene.mood, rng)
    image = _glitch(image, chaos / 100, rng)
    grain = art.grain + chaos / 1000 + (0.1 if scene.mood == "dead" else 0.0)
    image = _grain(image, grain, rng)
    look = " ".join((art.style, *art.motifs)).lower()
    if re.search(r"vhs|tracking", look):
        _tracking(image, rng)
    if re.search(r"found[- ]footage|camcorder", art.style.lower()):
        _rec_overlay(image, request.seed)
    if art.scanlines:
        image = ImageChops.multiply(image, _scanline_mask(image.width, image.height))
    return image


# ---------------------------------------------------------------- backdrop


def _canvas(request: PaintRequest, names: list[str], interior: bool) -> Canvas:
    w, h = max(1, request.width // PIXEL), max(1, request.height // PIXEL)
    rng = rng_for(request.seed, "layout")
    time = request.scene.time_of_day if request.scene.time_of_day in _TIMES else "day"
    palette = Palette.from_hex(request.cartridge.art.palette)
    (top_to, top_w), (bottom_to, bottom_w), grade = _TIMES[time]
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


def _ground(ctx: Canvas, seed: int) -> None:
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


def _room(ctx: Canvas, r: Room, names: list[str]) -> None:
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


def _runes(ctx: Canvas, motifs: tuple[str, ...]) -> None:
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


def _particles(ctx: Canvas, motifs: tuple[str, ...], seed: int) -> None:
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


# ---------------------------------------------------------------- finishing


def _mood(image: Image.Image, mood: str, rng: random.Random) -> Image.Image:
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


def _glitch(image: Image.Image, g: float, rng: random.Random) -> Image.Image:
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


def _grain(image: Image.Image, amount: float, rng: random.Random) -> Image.Image:
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


def _tracking(image: Image.Image, rng: random.Random) -> None:
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


def _rec_overlay(image: Image.Image, seed: int) -> None:
    """A camcorder's REC light, tape counter and date stamp; the date comes from the seed."""
    rng = rng_for(seed, "rec-clock")
    size = max(1, round(image.height / 144))
    draw = ImageDraw.Draw(image, "RGBA")
    m = size * 6
    stamp = f"{_MONTHS[rng.randrange(12)]}.{rng.randint(1, 28):02d} {rng.randint(1988, 1999)}"
    hour = rng.randrange(24)
    clock = f"{hour % 12 or 12}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    clock += " PM" if hour >= 12 else " AM"
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
def _scanline_mask(w: int, h: int) -> Image.Image:
    """Every other frame row darkened, like a CRT."""
    rows = bytes(255 if y % PIXEL == 0 else 178 for y in range(h))
    return (
        Image.frombytes("L", (1, h), rows).resize((w, h), Image.Resampling.NEAREST).convert("RGB")
    )
