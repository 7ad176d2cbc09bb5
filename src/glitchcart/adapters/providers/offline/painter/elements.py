"""The painter's vocabulary: each scene word with its layer and its draw function.

Every draw function paints onto a :class:`~.canvas.Canvas`
with its own seeded ``ctx.rng`` and never reads a clock or ``hash()``, so a
frame is the same in every process. :data:`ELEMENTS` lists the words back to
front; :func:`unknown` stands in for any word outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from glitchcart.adapters.providers.offline.painter import air, landscape, props, structures
from glitchcart.adapters.providers.offline.painter.canvas import Canvas, mix

DrawFn = Callable[[Canvas], None]

SKY, FAR, GROUND, MID, NEAR, AIR, FRONT = range(7)  # layers, back to front


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


# Back to front: a scene's elements are drawn in this order.
ELEMENTS: Mapping[str, tuple[int, DrawFn]] = {
    "stars": (SKY, landscape.stars),
    "window-space": (SKY, landscape.window_space),
    "sun": (SKY, landscape.sun),
    "moon": (SKY, landscape.moon),
    "planet": (SKY, landscape.planet),
    "mountains": (FAR, landscape.mountains),
    "mesa": (FAR, landscape.mesa),
    "dunes": (FAR, landscape.dunes),
    "water": (GROUND, landscape.water),
    "road": (GROUND, landscape.road),
    "hull": (GROUND, props.hull),
    "bridge": (MID, structures.bridge),
    "trees": (MID, landscape.trees),
    "building": (MID, structures.building),
    "ruins": (MID, structures.ruins),
    "tower": (MID, structures.tower),
    "antenna": (MID, structures.antenna),
    "corridor": (MID, structures.corridor),
    "door": (MID, structures.door),
    "gate": (MID, structures.gate),
    "stairs": (MID, structures.stairs),
    "pillars": (MID, structures.pillars),
    "throne": (MID, props.throne),
    "altar": (MID, props.altar),
    "machinery": (MID, props.machinery),
    "pod": (MID, props.pod),
    "neon-sign": (MID, structures.neon_sign),
    "fence": (MID, landscape.fence),
    "torches": (MID, props.torches),
    "pipes": (MID, props.pipes),
    "rocks": (NEAR, landscape.rocks),
    "cacti": (NEAR, landscape.cacti),
    "crystals": (NEAR, props.crystals),
    "crates": (NEAR, props.crates),
    "chest": (NEAR, props.chest),
    "bones": (NEAR, props.bones),
    "fire": (NEAR, props.fire),
    "car": (NEAR, props.car),
    "console": (NEAR, props.console),
    "figure": (NEAR, props.figure),
    "eyes": (AIR, air.eyes),
    "fog": (AIR, air.fog),
    "lights": (AIR, air.lights),
    "cables": (AIR, air.cables),
    "vines": (AIR, air.vines),
    "bars": (FRONT, structures.bars),
}
