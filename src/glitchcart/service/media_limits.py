"""What one session may keep of built media: a count of tapes and films, a byte total.

**Kept builds.** Tapes and films are derived data: each can be built again, byte for
byte, from the committed history. So when a build leaves a session with more than
``kept`` tapes (or films), the oldest (by :meth:`MediaStore.written_at`) are removed,
rather than the build refused: a refusal would let one caller's requests for
different turn ranges lock every player of the session out of new tapes for good,
while a removed tape costs only its rebuild (its ref then answers 404 until it is
built again). Never removed: what a game's end made (the GIF tape and the film of
the whole game, to its last turn) and frames (committed turns point at them).

**Bytes.** Every file of the session counts (frames, tapes, clips, films). Once the
total reaches ``max_bytes`` a new tape, film or clip is refused with
:class:`LimitExceeded` (HTTP 429) naming the figures; nothing is deleted to make room
(frames of committed turns never are). Deleting old games, or the session, frees it.

Usage::

    limits = MediaLimits(media=media, store=store, kept=20, max_bytes=1 << 30)
    await limits.check_room(key, "tape")          # before a build
    await limits.sweep(key, "tape", keep=made)    # after it is published
"""

from __future__ import annotations

import asyncio
from typing import Literal

from glitchcart.core.keys import MEDIA_KINDS, MediaRef, SessionKey, is_game_id
from glitchcart.core.media_names import parse_film_name, parse_tape_name
from glitchcart.errors import InvalidInput, LimitExceeded, MediaNotFound
from glitchcart.ports import MediaStore, SessionStore

DEFAULT_KEPT = 20  # tapes, and as many films, a session keeps
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # all of a session's media

BuiltKind = Literal["tape", "film"]


class MediaLimits:
    """Keeps each session's built media within a count and its media within a size."""

    def __init__(
        self,
        *,
        media: MediaStore,
        store: SessionStore,
        kept: int = DEFAULT_KEPT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if kept < 1 or max_bytes < 1:
            raise InvalidInput("a session keeps at least one tape and one byte of media")
        self.media = media
        self.store = store
        self.kept = kept
        self.max_bytes = max_bytes

    async def used(self, key: SessionKey) -> int:
        """Bytes of every media file of the session (sized concurrently: the file store
        answers each from its thread pool)."""
        refs = [ref for kind in MEDIA_KINDS for ref in await self.media.list(key, kind)]
        return sum(await asyncio.gather(*(self._size(ref) for ref in refs)))

    async def _size(self, ref: MediaRef) -> int:
        try:
            return await self.media.size(ref)
        except MediaNotFound:
            return 0  # removed meanwhile

    async def check_room(self, key: SessionKey, what: str) -> None:
        """:class:`LimitExceeded` if the session's media has reached ``max_bytes``."""
        used = await self.used(key)
        if used >= self.max_bytes:
            raise LimitExceeded(
                f"session {key} holds {_mib(used)} of media, its limit is {_mib(self.max_bytes)}:"
                f" no new {what} until old games (or the session) are deleted"
            )

    async def sweep(self, key: SessionKey, kind: BuiltKind, *, keep: MediaRef) -> list[MediaRef]:
        """Remove the oldest ``kind`` files past ``kept`` (never ``keep``, never what a
        game's end made); returns the refs removed."""
        dated: list[tuple[float, str, MediaRef]] = []
        for ref in await self.media.list(key, kind):
            if ref == keep or await self._made_at_the_end(ref):
                continue
            try:
                dated.append((await self.media.written_at(ref), ref.name, ref))
            except MediaNotFound:
                continue
        counted = len(dated) + (1 if await self.media.exists(keep) else 0)
        removed: list[MediaRef] = []
        for _, _, ref in sorted(dated)[: max(0, counted - self.kept)]:
            if await self.media.delete(ref):
                removed.append(ref)
        return removed

    async def _made_at_the_end(self, ref: MediaRef) -> bool:
        """Whether ``ref`` is what a game's end made: the GIF tape or the film of the whole
        game, to its last turn. A name this service did not make is kept too."""
        name = parse_tape_name(ref.name) if ref.kind == "tape" else parse_film_name(ref.name)
        if name is None:
            return True
        if ref.kind == "tape" and name.format != "gif":
            return False
        saved = await self.store.load_game(name.game) if is_game_id(name.game) else None
        if saved is None or saved[1].alive:
            return False
        first = await self.store.history(name.game, limit=1)
        return bool(first) and name.first == first[0].turn and name.last == saved[1].turn


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"
