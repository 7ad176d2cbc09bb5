"""Joins per-turn MP4 clips into one film with the ffmpeg that imageio-ffmpeg ships.

Clips are re-encoded to one size and frame rate, so clips from different
filmmakers (the offline one, a video model) can share a film. Given the
game's :class:`~glitchcart.core.tape.TapeScript` (one shot per clip), the film
is dressed like a replay tape, with the tape's own drawing code: it opens on
the title card, every clip runs above its turn's caption bar (turn, fate,
choice, date stamp, counter) and it ends on the closing card. The same clips
and script give the same film::

    film = await FfmpegClipJoiner(size=(512, 288), fps=12).join([clip1, clip2], script)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence

from PIL import Image

from glitchcart.adapters.tapes.frames import (
    DEFAULT_TIMING,
    Layout,
    Timing,
    captioned_frame,
    closing_card,
    layout_for,
    title_card,
)
from glitchcart.adapters.video.ffmpeg import decode_frames, encode_h264, join_clips
from glitchcart.core.tape import TapeScript
from glitchcart.errors import ProviderError

KICKER = "HOME MOVIE"  # over the title, where a tape says "REPLAY TAPE"


class FfmpegClipJoiner:
    """Implements the film service's ``ClipJoiner`` with ffmpeg."""

    version = "cards-1"

    def __init__(
        self,
        *,
        size: tuple[int, int] = (512, 288),
        fps: int = 12,
        crf: int = 23,
        timing: Timing = DEFAULT_TIMING,
    ) -> None:
        self.size = (max(16, size[0] // 2 * 2), max(16, size[1] // 2 * 2))
        self.fps = fps
        self.crf = crf
        self.timing = timing

    async def join(self, clips: Sequence[bytes], script: TapeScript | None = None) -> bytes:
        """The clips in order; with a script (a shot per clip), with cards and captions."""
        return await asyncio.to_thread(self._join, list(clips), script)

    def _join(self, clips: list[bytes], script: TapeScript | None) -> bytes:
        try:
            if script is None:
                return join_clips(clips, self.size, fps=self.fps, crf=self.crf)
            if not clips or len(clips) != len(script.shots):
                raise ValueError(f"{len(clips)} clips for {len(script.shots)} shots")
            lay = layout_for(self.size)
            frames = self._frames(clips, script, lay)
            return encode_h264(frames, lay.size, fps=self.fps, crf=self.crf)
        except (OSError, ValueError) as exc:
            raise ProviderError(f"cannot join the clips: {exc}") from exc

    def _frames(self, clips: list[bytes], script: TapeScript, lay: Layout) -> Iterator[Image.Image]:
        title = title_card(script, lay, KICKER)
        yield from [title] * self._held(self.timing.title_ms)
        shown = self._held(self.timing.title_ms)
        for clip, shot in zip(clips, script.shots, strict=True):
            for picture in decode_frames(clip, (lay.width, lay.height), fps=self.fps):
                clock = shown * 1000 // self.fps
                yield captioned_frame(picture, shot, script.look, lay, clock)
                shown += 1
        yield from [closing_card(script, lay)] * self._held(self.timing.closing_ms)

    def _held(self, ms: int) -> int:
        """How many video frames show a card for ``ms``."""
        return max(1, round(ms * self.fps / 1000))
