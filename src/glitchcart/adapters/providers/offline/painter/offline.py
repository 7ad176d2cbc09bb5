"""The offline painter: a moody, pixel-ish frame for every turn, drawn with Pillow alone.

A frame is composed at half resolution (chunky pixels), back to front: the sky
for the time of day, sun, moon and stars, then either the ground or an indoor
room in one-point perspective (:mod:`~glitchcart.adapters.providers.offline.painter.backdrop`),
then the scene's elements from
:data:`~glitchcart.adapters.providers.offline.painter.elements.ELEMENTS` layer by layer. It is
then scaled up and finished (:mod:`~glitchcart.adapters.providers.offline.painter.effects`): the
fate mood grades it, chaos glitches it, the cartridge's art style adds grain,
scanlines and a found-footage overlay.

All randomness comes from the request's seed, so the same request gives the same
PNG bytes in every process::

    painter = OfflinePainter()
    png = await painter.paint(PaintRequest(cartridge, scene, seed=42))

:func:`render` is the same thing without the worker thread, for tests and
benchmarks.
"""

from __future__ import annotations

import asyncio
import io
import re

from PIL import Image, ImageChops

from glitchcart.adapters.providers.offline.painter.backdrop import (
    TIMES,
    draw_ground,
    draw_particles,
    draw_room,
    draw_runes,
    new_canvas,
)
from glitchcart.adapters.providers.offline.painter.effects import (
    add_grain,
    apply_mood,
    glitch,
    rec_overlay,
    scanline_mask,
    tracking_band,
)
from glitchcart.adapters.providers.offline.painter.elements import ELEMENTS, FAR, MID, SKY, unknown
from glitchcart.core.seeds import rng_for
from glitchcart.errors import ProviderError
from glitchcart.ports import PaintRequest

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

# What the sky shows by itself outdoors, by time of day.
_SKY_BODIES = {"dawn": ("sun",), "day": ("sun",), "dusk": ("sun",), "night": ("stars", "moon")}
# Motifs may add these anywhere; they suit any place.
_AMBIENT = {"fog", "eyes", "lights", "cables", "vines", "torches", "crystals", "bones", "rocks"}


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
        time = scene.time_of_day if scene.time_of_day in TIMES else "day"
        names += [n for n in _SKY_BODIES[time] if n not in names]
    order = {name: i for i, name in enumerate(ELEMENTS)}
    layered = sorted(names, key=lambda n: order.get(n, order["pillars"]))
    ctx = new_canvas(request, names, interior)

    def paint_layers(lo: int, hi: int) -> None:
        for name in layered:
            layer, draw = ELEMENTS.get(name, (MID, unknown))
            if lo <= layer <= hi:
                ctx.rng = rng_for(request.seed, "element", name)
                draw(ctx)

    paint_layers(SKY, SKY)
    if ctx.room is not None:
        paint_layers(FAR, FAR)  # seen through the window
        draw_room(ctx, ctx.room, names)
    else:
        draw_ground(ctx, request.seed)
        paint_layers(FAR, FAR)
    draw_runes(ctx, art.motifs)
    paint_layers(FAR + 1, 99)
    draw_particles(ctx, art.motifs, request.seed)

    image = ctx.image.resize((request.width, request.height), Image.Resampling.NEAREST)
    rng = rng_for(request.seed, "finish")
    chaos = max(0, min(100, scene.chaos))
    image = apply_mood(image, scene.mood, rng)
    image = glitch(image, chaos / 100, rng)
    grain = art.grain + chaos / 1000 + (0.1 if scene.mood == "dead" else 0.0)
    image = add_grain(image, grain, rng)
    look = " ".join((art.style, *art.motifs)).lower()
    if re.search(r"vhs|tracking", look):
        tracking_band(image, rng)
    if art.camcorder:
        rec_overlay(image, request.seed, scene.time_of_day)
    if art.scanlines:
        image = ImageChops.multiply(image, scanline_mask(image.width, image.height))
    return image
