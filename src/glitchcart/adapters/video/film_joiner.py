"""Joins per-turn MP4 clips into one film with the ffmpeg that imageio-ffmpeg ships.

Clips are re-encoded to one size and frame rate, so clips from different
filmmakers (the offline one, a video model) can share a film::

    film = await FfmpegClipJoiner(size=(512, 288), fps=12).join([clip1, clip2])
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from glitchcart.adapters.video.ffmpeg import join_clips
from glitchcart.errors import ProviderError


class FfmpegClipJoiner:
    """Implements the film service's ``ClipJoiner`` with ffmpeg's concat demuxer."""

    version = "concat-1"

    def __init__(self, *, size: tuple[int, int] = (512, 288), fps: int = 12, crf: int = 23) -> None:
        self.size = (max(16, size[0] // 2 * 2), max(16, size[1] // 2 * 2))
        self.fps = fps
        self.crf = crf

    async def join(self, clips: Sequence[bytes]) -> bytes:
        return await asyncio.to_thread(self._join, list(clips))

    def _join(self, clips: list[bytes]) -> bytes:
        try:
            return join_clips(clips, self.size, fps=self.fps, crf=self.crf)
        except (OSError, ValueError) as exc:
            raise ProviderError(f"cannot join the clips: {exc}") from exc
