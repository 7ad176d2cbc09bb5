"""Flipbooks: a turn's picture as a short looping GIF instead of a still.

:class:`FlipbookPainter` wraps any :class:`~glitchcart.ports.Painter`: it paints
the still, then makes a handful of frames from it with subtle motion (a slow
drift of the view, a flicker of the light, fresh grain on each frame). All of
it comes from the request's seed, so the same request gives the same GIF::

    painter = FlipbookPainter(OfflinePainter(), frames=6)
    gif = await painter.paint(replace(request, flipbook=True))  # store under a .gif ref
    png = await painter.paint(request)      # a request without flipbook: the still
"""

from __future__ import annotations

import asyncio
import io
import math

from PIL import Image, ImageChops, ImageEnhance

from glitchcart.adapters.tapes.frames import open_picture
from glitchcart.core.seeds import rng_for
from glitchcart.errors import ProviderError
from glitchcart.ports import Painter, PaintRequest


class FlipbookPainter:
    """A :class:`Painter` whose pictures are animated GIFs of ``frames`` frames."""

    def __init__(self, painter: Painter, *, frames: int = 6, frame_ms: int = 150) -> None:
        if not 2 <= frames <= 24 or not 20 <= frame_ms <= 2000:
            raise ValueError("a flipbook has 2 to 24 frames of 20 to 2000 ms")
        self.painter = painter
        self.frames = frames
        self.frame_ms = frame_ms
        self.name = f"{painter.name}+flipbook"

    async def paint(self, request: PaintRequest) -> bytes:
        """A flipbook when the request asks for one (``request.flipbook``), else the still."""
        still = await self.painter.paint(request)
        if not request.flipbook:
            return still
        return await asyncio.to_thread(animate, still, request.seed, self.frames, self.frame_ms)


def animate(still: bytes, seed: int, frames: int = 6, frame_ms: int = 150) -> bytes:
    """A looping GIF of ``frames`` frames made from a still picture's bytes."""
    image = open_picture(still)
    if image is None:
        raise ProviderError("the painter's picture cannot be animated: it does not decode")
    try:
        base = image.convert("RGB")
        rng = rng_for(seed, "flipbook")
        phase = rng.uniform(0, math.tau)
        drift = max(1.0, base.width / 256)
        zoom = 1.0 + 2 * (drift + 1) / min(base.size)
        cells = []
        for k in range(frames):
            turn = phase + math.tau * k / frames  # a closed loop: the last frame leads to the first
            view = _view(base, zoom, drift * math.cos(turn), drift * math.sin(turn) * 0.6)
            light = 1.0 + rng.uniform(-0.04, 0.04)
            view = ImageEnhance.Brightness(view).enhance(light)
            cells.append(_grain(view, rng.randbytes(view.width * view.height // 4)))
        palette = cells[0].quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        shared = [c.quantize(palette=palette, dither=Image.Dither.NONE) for c in cells]
        out = io.BytesIO()
        shared[0].save(
            out,
            format="GIF",
            save_all=True,
            append_images=shared[1:],
            duration=frame_ms,
            loop=0,
            optimize=False,
        )
        return out.getvalue()
    except (OSError, ValueError, MemoryError) as exc:
        raise ProviderError(f"cannot make a flipbook: {exc}") from exc


def _view(image: Image.Image, zoom: float, dx: float, dy: float) -> Image.Image:
    """The picture seen slightly zoomed in, shifted by (dx, dy) pixels, at its own size."""
    w, h = image.size
    cw, ch = w / zoom, h / zoom
    x0, y0 = (w - cw) / 2 + dx, (h - ch) / 2 + dy
    box = (x0, y0, x0 + cw, y0 + ch)
    return image.transform(image.size, Image.Transform.EXTENT, box, Image.Resampling.BILINEAR)


def _grain(image: Image.Image, noise: bytes) -> Image.Image:
    w, h = max(1, image.width // 2), max(1, image.height // 2)
    grains = Image.frombytes("L", (w, h), noise[: w * h].ljust(w * h, b"\0"))
    grains = grains.point([v * 12 // 255 for v in range(256)]).resize(
        image.size, Image.Resampling.NEAREST
    )
    return ImageChops.add(image, grains.convert("RGB"), 1.0, -6)
