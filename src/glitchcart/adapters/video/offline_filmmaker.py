"""The offline filmmaker: a short clip per turn, animated from the frames alone.

The clip starts on the previous turn's frame and crossfades into the new one
while a slow camera move (a push in or pull out with a pan, its direction drawn
from the seed) runs across it, with film grain on every frame. A frame with a camcorder overlay
(``request.overlay``) keeps the overlay's corners still while the scene moves
under them, so the date stamp is never panned or zoomed out of the picture.
A flipbook frame
keeps playing its own frames under the camera. Pillow draws, the ffmpeg that
imageio-ffmpeg ships encodes H.264; the same request gives the same clip::

    clip = await OfflineFilmmaker().segment(SegmentRequest(frame=png, previous=None, seed=7))
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageSequence

from glitchcart.adapters.providers.offline.painter.effects import overlay_boxes
from glitchcart.adapters.tapes.frames import open_picture
from glitchcart.adapters.video.ffmpeg import encode_h264
from glitchcart.core.seeds import rng_for
from glitchcart.errors import ProviderError
from glitchcart.ports import SegmentRequest

MAX_DURATION = 20.0
GRAIN_TILES = 4


class OfflineFilmmaker:
    """Implements :class:`~glitchcart.ports.Filmmaker` without any model."""

    name = "offline"

    def __init__(self, *, fps: int = 12, crf: int = 23, preset: str = "veryfast") -> None:
        self.fps = fps
        self.crf = crf
        self.preset = preset

    async def segment(self, request: SegmentRequest) -> bytes:
        return await asyncio.to_thread(self.render, request)

    def render(self, request: SegmentRequest) -> bytes:
        """The clip as MP4 bytes, in the calling thread."""
        if not 0 < request.duration <= MAX_DURATION:
            raise ProviderError(f"a clip lasts up to {MAX_DURATION:g} seconds")
        size = (max(16, request.width // 2 * 2), max(16, request.height // 2 * 2))
        try:
            frames = _frames(request, size, self.fps)
            return encode_h264(frames, size, fps=self.fps, crf=self.crf, preset=self.preset)
        except (OSError, ValueError, MemoryError) as exc:
            raise ProviderError(f"the offline filmmaker failed: {exc}") from exc


def _frames(request: SegmentRequest, size: tuple[int, int], fps: int) -> Iterator[Image.Image]:
    new = _pictures(request.frame, size)
    if not new:
        raise ValueError("the turn's frame is not a picture")
    before = _pictures(request.previous, size)
    rng = rng_for(request.seed, "film")
    count = max(2, round(request.duration * fps))
    fade = round(count * 0.35) if before else 0
    zoom = 1.0 + rng.uniform(0.06, 0.12)
    push_in = rng.random() < 0.6
    angle = rng.uniform(0, 2 * math.tau)
    pan = (math.cos(angle) * 0.04, math.sin(angle) * 0.03)
    grain = [_noise(size, rng.randbytes(size[0] * size[1] // 4)) for _ in range(GRAIN_TILES)]
    mask = _overlay_mask(request.frame, size) if request.overlay else None
    for i in range(count):
        t = _ease(i / (count - 1))
        z = 1.0 + (zoom - 1.0) * (t if push_in else 1 - t)
        still = _at(new, i * 1000 / fps)
        image = _held(_camera(still, z, pan[0] * t, pan[1] * t, size), still, mask)
        if i < fade:
            last = before[-1][0]
            held = _held(_camera(last, 1.0 + 0.02 * i / fade, 0.0, 0.0, size), last, mask)
            image = Image.blend(held, image, _ease((i + 1) / (fade + 1)))
        yield ImageChops.add(image, grain[i % GRAIN_TILES], 1.0, -8)


def _pictures(data: bytes | None, size: tuple[int, int]) -> list[tuple[Image.Image, int]]:
    """The frames of a still or flipbook picture at ``size``, with their display times."""
    image = open_picture(data)
    if image is None:
        return []
    return [
        (
            f.convert("RGB").resize(size, Image.Resampling.BILINEAR),
            int(f.info.get("duration") or 100),
        )
        for f in ImageSequence.Iterator(image)
    ]


def _at(frames: list[tuple[Image.Image, int]], ms: float) -> Image.Image:
    """The flipbook frame showing at ``ms``, looping."""
    if len(frames) == 1:
        return frames[0][0]
    ms %= sum(d for _, d in frames)
    for image, duration in frames:
        if ms < duration:
            return image
        ms -= duration
    return frames[-1][0]


def _camera(
    image: Image.Image, zoom: float, dx: float, dy: float, size: tuple[int, int]
) -> Image.Image:
    """The view of a camera zoomed by ``zoom`` and panned by (dx, dy) frame widths/heights."""
    w, h = size
    cw, ch = w / zoom, h / zoom
    cx = min(max(w / 2 + dx * w, cw / 2), w - cw / 2)
    cy = min(max(h / 2 + dy * h, ch / 2), h - ch / 2)
    box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
    return image.transform(size, Image.Transform.EXTENT, box, Image.Resampling.BILINEAR)


def _overlay_mask(data: bytes, size: tuple[int, int]) -> Image.Image | None:
    """White where the picture's camcorder overlay is (at ``size``), feathered at the edges."""
    picture = open_picture(data, load=False)
    if picture is None:
        return None
    sx, sy = size[0] / picture.width, size[1] / picture.height
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for left, top, right, bottom in overlay_boxes(picture.width, picture.height):
        box = (
            math.floor(left * sx),
            math.floor(top * sy),
            math.ceil(right * sx),
            math.ceil(bottom * sy),
        )
        draw.rectangle(box, fill=255)
    return mask.filter(ImageFilter.BoxBlur(max(1, size[1] // 144)))


def _held(moving: Image.Image, still: Image.Image, mask: Image.Image | None) -> Image.Image:
    """The moving view with the overlay's corners taken from the still picture."""
    return moving if mask is None else Image.composite(still, moving, mask)


def _noise(size: tuple[int, int], seed_bytes: bytes) -> Image.Image:
    w, h = max(1, size[0] // 2), max(1, size[1] // 2)
    grains = Image.frombytes("L", (w, h), seed_bytes[: w * h].ljust(w * h, b"\0"))
    grains = grains.point([v * 16 // 255 for v in range(256)])
    return grains.resize(size, Image.Resampling.NEAREST).convert("RGB")


def _ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)
