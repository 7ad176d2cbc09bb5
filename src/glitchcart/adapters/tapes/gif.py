"""Replay tapes as animated GIFs, squeezed under a size cap without dropping a turn.

The frames come from :func:`~glitchcart.adapters.tapes.frames.render_frames`.
To fit ``max_bytes`` the encoder walks a ladder of (colours, scale) steps: first
fewer colours, then smaller frames (90%, 80%, ...). Every step keeps every frame.
For a long tape a sample of its shots, encoded step by step, predicts where on
the ladder to start, and each failed pass predicts the next step, so a long run
usually needs one full pass::

    tape = await GifTapeEncoder().encode(script, max_bytes=8 * 1024 * 1024)

Pillow failures become :class:`ProviderError`; a tape that cannot fit even on
the last step is :class:`LimitExceeded`.
"""

from __future__ import annotations

import asyncio
import functools
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from PIL import GifImagePlugin, Image, ImageChops

from glitchcart.adapters.tapes.frames import (
    DEFAULT_TIMING,
    FrameCounter,
    Progress,
    Timing,
    count_frames,
    layout_for,
    picture_size,
    render_frames,
)
from glitchcart.adapters.tapes.work_ahead import default_workers
from glitchcart.core.seeds import rng_for
from glitchcart.core.tape import EncodedTape, TapeFormat, TapeScript, TapeShot
from glitchcart.errors import LimitExceeded, ProviderError

Step = tuple[int, float]  # (colours, scale)

LADDER: tuple[Step, ...] = (
    (256, 1.0), (128, 1.0), (64, 1.0), (64, 0.9), (64, 0.8), (64, 0.7), (64, 0.6),
    (48, 0.5), (32, 0.45), (32, 0.4), (32, 0.35), (32, 0.3), (16, 0.25),
)  # fmt: skip
SAMPLE_SHOTS = 16
SAMPLE_ABOVE = 100  # shots; a shorter tape goes straight to a full pass (the sample: < 16%)
SAMPLE_FIT = 0.95  # sixteen shots have estimated a full pass within about 5%


class GifTapeEncoder:
    """Encodes a :class:`TapeScript` as a looping animated GIF."""

    format: TapeFormat = "gif"
    version = "gif-1"

    def __init__(
        self,
        *,
        timing: Timing = DEFAULT_TIMING,
        ladder: Sequence[Step] = LADDER,
        workers: int | None = None,
    ) -> None:
        if not ladder:
            raise ValueError("the ladder needs at least one step")
        self.timing = timing
        self.ladder = tuple(ladder)
        self.workers = default_workers() if workers is None else workers

    async def encode(
        self, script: TapeScript, *, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        return await asyncio.to_thread(self.encode_now, script, max_bytes, progress)

    def encode_now(
        self, script: TapeScript, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        """The same, in the calling thread (for benchmarks and scripts)."""
        try:
            return self._fit(script, max_bytes, progress)
        except (OSError, ValueError, MemoryError) as exc:
            raise ProviderError(f"the GIF encoder failed: {exc}") from exc

    def _fit(self, script: TapeScript, max_bytes: int, progress: Progress | None) -> EncodedTape:
        picture = picture_size(script)
        total = count_frames(script)
        index = self._first_step(script, picture, max_bytes, total)
        verb = "encoding"
        while True:
            colours, scale = self.ladder[index]
            stage = verb if index == 0 else f"{verb}: {colours} colours, {scale:.0%}"
            verb = "shrinking"
            counter = FrameCounter(progress, stage, total)
            data = self.encode_step(script, colours, scale, picture, counter)
            if len(data) <= max_bytes:
                width, height = layout_for(picture, scale).size
                return EncodedTape(data, counter.done, width, height, colours, scale)
            if index == len(self.ladder) - 1:
                raise LimitExceeded(
                    f"a tape of {total} frames is {len(data)} bytes even at {colours} colours "
                    f"and {scale:.0%} scale; the cap is {max_bytes} bytes"
                )
            index = _next_step(self.ladder, index, len(data), max_bytes)

    def _first_step(
        self, script: TapeScript, picture: tuple[int, int], max_bytes: int, total: int
    ) -> int:
        """Where to start: the first step at which a sample of the shots predicts a fit.

        A step's estimate is the cards (encoded alone) plus the sample's shots scaled up
        to the whole tape; a sample pass costs at most a sixth of a full one. The next
        step tried is the one the failed estimate predicts, as after a full pass.
        """
        if len(script.shots) <= SAMPLE_ABOVE:
            return 0  # a failed full pass would cost little more than the sample
        sample = replace(script, shots=_sample(script.shots, SAMPLE_SHOTS, script.seed))
        cards = replace(script, shots=())
        shown = count_frames(sample) - 2
        index = 0
        while index < len(self.ladder) - 1:
            colours, scale = self.ladder[index]
            size = len(self.encode_step(sample, colours, scale, picture))
            fixed = len(self.encode_step(cards, colours, scale, picture))
            estimate = fixed + (size - fixed) * (total - 2) / shown
            if estimate <= max_bytes * SAMPLE_FIT:
                break
            index = _next_step(self.ladder, index, round(estimate), max_bytes)
        return index

    def encode_step(
        self,
        script: TapeScript,
        colours: int,
        scale: float,
        picture: tuple[int, int] | None = None,
        on_frame: Callable[[], None] | None = None,
    ) -> bytes:
        """One full pass at ``colours`` and ``scale``; every frame is kept."""
        frames = render_frames(
            script,
            scale=scale,
            timing=self.timing,
            picture=picture,
            on_frame=on_frame,
            then=functools.partial(quantize, colours=colours),
            workers=self.workers,
        )
        return save_gif(_timed(frames))


def save_gif(frames: Iterable[Image.Image]) -> bytes:
    """Palette frames carrying ``info["duration"]`` as one looping GIF, written as they come.

    For two frames or more, the bytes of Pillow's ``save_all`` without optimizing: the
    first frame's palette is the global colour table; a later frame has its own, is
    cropped to where it differs from the frame before, and one that does not differ
    lengthens that frame. Unlike ``save_all``, which holds every frame until the last,
    each frame is compressed as soon as the next one is known, while the frames after
    it are still being drawn.
    """
    out = io.BytesIO()
    last: _Kept | None = None  # the last frame kept, written once the next one is known
    for frame in frames:
        ms = int(frame.info.get("duration", 0))
        if last is None:
            header, _ = GifImagePlugin.getheader(frame, info={"loop": 0})
            out.writelines(header)
            last = _Kept(frame, None, ms)
            continue
        kept = _Kept(frame, None, ms)
        kept.box = _changed(last, kept)
        if kept.box is None:
            last.ms += ms
            continue
        _write(out, last)
        last = kept
    if last is None:
        raise ValueError("a GIF needs at least one frame")
    _write(out, last)
    out.write(b";")
    return out.getvalue()


@dataclass(slots=True)
class _Kept:
    image: Image.Image
    box: tuple[int, int, int, int] | None  # where it differs; None: the first frame
    ms: int
    rgba: Image.Image | None = None  # the image in RGBA, once it has been needed

    def in_rgba(self) -> Image.Image:
        if self.rgba is None:
            self.rgba = self.image.convert("RGBA")
        return self.rgba


def _changed(before: _Kept, after: _Kept) -> tuple[int, int, int, int] | None:
    """Where ``after`` shows other colours than ``before``; None if nowhere."""
    if before.image.getpalette() == after.image.getpalette():
        delta = ImageChops.subtract_modulo(after.image, before.image)
    else:  # the same index may be another colour: compare colours
        delta = ImageChops.subtract_modulo(after.in_rgba(), before.in_rgba())
    return delta.getbbox(alpha_only=False)


def _write(out: io.BytesIO, frame: _Kept) -> None:
    if frame.box is None:
        out.writelines(GifImagePlugin.getdata(frame.image, duration=frame.ms))
        return
    image = frame.image
    if frame.box != (0, 0, *image.size):
        image = image.crop(frame.box)
    data = GifImagePlugin.getdata(image, frame.box[:2], duration=frame.ms, include_color_table=True)
    out.writelines(data)


def quantize(image: Image.Image, colours: int) -> Image.Image:
    """An RGB frame with its own palette of ``colours``: fast octree, no dithering."""
    return image.quantize(colours, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def _timed(frames: Iterable[tuple[Image.Image, int]]) -> Iterable[Image.Image]:
    for image, ms in frames:
        image.info["duration"] = ms
        yield image


def _sample(shots: Sequence[TapeShot], count: int, seed: int) -> tuple[TapeShot, ...]:
    """One shot from each of ``count`` equal stretches of the tape, picked at (seeded) random.

    Evenly spaced picks can fall in step with a pattern in the run and skew the estimate.
    """
    rng = rng_for(seed, "tape-sample")
    n = len(shots)
    return tuple(shots[rng.randrange(i * n // count, (i + 1) * n // count)] for i in range(count))


def _next_step(ladder: Sequence[Step], index: int, size: int, max_bytes: int) -> int:
    """The first later step predicted to fit; size grows with pixels and bits per pixel."""
    colours, scale = ladder[index]
    for later in range(index + 1, len(ladder)):
        c, s = ladder[later]
        predicted = size * (s / scale) ** 2 * math.log2(c) / math.log2(colours)
        if predicted <= max_bytes * 0.97:
            return later
    return len(ladder) - 1
