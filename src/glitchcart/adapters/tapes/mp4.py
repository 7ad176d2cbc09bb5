"""Replay tapes as MP4 (H.264, yuv420p) through the ffmpeg that imageio-ffmpeg ships.

The frames are the GIF tape's (:func:`~glitchcart.adapters.tapes.frames.render_frames`),
each repeated for its display time at a fixed frame rate. Over the size cap,
the encoder raises the CRF step by step, then scales the frames down; every
turn stays in::

    tape = await Mp4TapeEncoder().encode(script, max_bytes=8 * 1024 * 1024)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

from PIL import Image

from glitchcart.adapters.tapes.frames import (
    DEFAULT_TIMING,
    Frame,
    FrameCounter,
    Progress,
    Timing,
    count_frames,
    layout_for,
    picture_size,
    render_frames,
)
from glitchcart.adapters.video.ffmpeg import encode_h264
from glitchcart.core.tape import EncodedTape, TapeFormat, TapeScript
from glitchcart.errors import LimitExceeded, ProviderError

LADDER: tuple[tuple[int, float], ...] = ((23, 1.0), (28, 1.0), (34, 1.0), (34, 0.75), (38, 0.5))


class Mp4TapeEncoder:
    """Encodes a :class:`TapeScript` as an MP4 video."""

    format: TapeFormat = "mp4"
    version = "mp4-1"

    def __init__(
        self,
        *,
        fps: int = 10,
        timing: Timing = DEFAULT_TIMING,
        ladder: Sequence[tuple[int, float]] = LADDER,
        preset: str = "veryfast",
    ) -> None:
        if not ladder or fps < 1:
            raise ValueError("an MP4 encoder needs a frame rate and at least one ladder step")
        self.fps = fps
        self.timing = timing
        self.ladder = tuple(ladder)
        self.preset = preset

    async def encode(
        self, script: TapeScript, *, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        return await asyncio.to_thread(self.encode_now, script, max_bytes, progress)

    def encode_now(
        self, script: TapeScript, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        """The same, in the calling thread (for benchmarks and scripts)."""
        picture = picture_size(script)
        total = count_frames(script)
        data = b""
        for i, (crf, scale) in enumerate(self.ladder):
            stage = "encoding" if i == 0 else f"shrinking: crf {crf}, {scale:.0%}"
            counter = FrameCounter(progress, stage, total)
            try:
                frames = render_frames(
                    script, scale=scale, timing=self.timing, picture=picture, on_frame=counter
                )
                size = layout_for(picture, scale).size
                data = encode_h264(
                    held(frames, self.fps), size, fps=self.fps, crf=crf, preset=self.preset
                )
            except (OSError, ValueError, MemoryError) as exc:
                raise ProviderError(f"the MP4 encoder failed: {exc}") from exc
            if len(data) <= max_bytes:
                return EncodedTape(data, counter.done, size[0], size[1], None, scale)
        raise LimitExceeded(
            f"a video tape of {total} frames is {len(data)} bytes at its smallest; "
            f"the cap is {max_bytes} bytes"
        )


def held(frames: Iterator[Frame], fps: int) -> Iterator[Image.Image]:
    """Each frame repeated for its display time; rounding never drifts or drops a frame."""
    clock_ms = 0
    shown = 0
    for image, ms in frames:
        clock_ms += ms
        until = max(shown + 1, round(clock_ms * fps / 1000))
        for _ in range(until - shown):
            yield image
        shown = until
