"""Replay tapes as animated GIFs, squeezed under a size cap without dropping a turn.

The frames come from :func:`~glitchcart.adapters.tape_frames.render_frames`.
To fit ``max_bytes`` the encoder walks a ladder of (colours, scale) steps: first
fewer colours, then smaller frames (90%, 80%, ...). Every step keeps every frame.
For a long tape a sample of its shots predicts where on the ladder to start,
and each failed pass predicts the next step, so a long run needs few passes::

    tape = await GifTapeEncoder().encode(script, max_bytes=8 * 1024 * 1024)

Pillow failures become :class:`ProviderError`; a tape that cannot fit even on
the last step is :class:`LimitExceeded`.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Callable, Iterable, Sequence

from PIL import Image

from glitchcart.adapters.tape_frames import (
    DEFAULT_TIMING,
    FrameCounter,
    Progress,
    Timing,
    count_frames,
    layout_for,
    picture_size,
    render_frames,
)
from glitchcart.core.tape import EncodedTape, TapeFormat, TapeScript
from glitchcart.errors import LimitExceeded, ProviderError

Step = tuple[int, float]  # (colours, scale)

LADDER: tuple[Step, ...] = (
    (256, 1.0), (128, 1.0), (64, 1.0), (64, 0.9), (64, 0.8), (64, 0.7), (64, 0.6),
    (48, 0.5), (32, 0.45), (32, 0.4), (32, 0.35), (32, 0.3), (16, 0.25),
)  # fmt: skip
SAMPLE_SHOTS = 10
SAMPLE_ABOVE = 60  # shots; shorter tapes go straight to a full pass


class GifTapeEncoder:
    """Encodes a :class:`TapeScript` as a looping animated GIF."""

    format: TapeFormat = "gif"
    version = "gif-1"

    def __init__(self, *, timing: Timing = DEFAULT_TIMING, ladder: Sequence[Step] = LADDER) -> None:
        if not ladder:
            raise ValueError("the ladder needs at least one step")
        self.timing = timing
        self.ladder = tuple(ladder)

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
        """Where to start: predicted from a few shots encoded at the ladder's first step."""
        if len(script.shots) <= SAMPLE_ABOVE:
            return 0  # a failed full pass would cost little more than the sample
        step = (len(script.shots) - 1) / (SAMPLE_SHOTS - 1)
        picks = tuple(script.shots[round(i * step)] for i in range(SAMPLE_SHOTS))
        sample = TapeScript(
            script.title, picks, script.closing, script.look, script.seed, script.size
        )
        colours, scale = self.ladder[0]
        size = len(self.encode_step(sample, colours, scale, picture, None))
        estimate = size * total / count_frames(sample)
        if estimate <= max_bytes * 0.9:
            return 0
        return _next_step(self.ladder, 0, round(estimate), max_bytes)

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
            script, scale=scale, timing=self.timing, picture=picture, on_frame=on_frame
        )
        return save_gif(_quantized(frames, colours))


def save_gif(frames: Iterable[Image.Image]) -> bytes:
    """Frames carrying ``info["duration"]`` as one looping GIF."""
    iterator = iter(frames)
    first = next(iterator)
    out = io.BytesIO()
    first.save(out, format="GIF", save_all=True, append_images=iterator, loop=0, optimize=False)
    return out.getvalue()


def _quantized(frames: Iterable[tuple[Image.Image, int]], colours: int) -> Iterable[Image.Image]:
    for image, ms in frames:
        small = image.quantize(colours, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        small.info["duration"] = ms
        yield small


def _next_step(ladder: Sequence[Step], index: int, size: int, max_bytes: int) -> int:
    """The first later step predicted to fit; size grows with pixels and bits per pixel."""
    colours, scale = ladder[index]
    for later in range(index + 1, len(ladder)):
        c, s = ladder[later]
        predicted = size * (s / scale) ** 2 * math.log2(c) / math.log2(colours)
        if predicted <= max_bytes * 0.97:
            return later
    return len(ladder) - 1
