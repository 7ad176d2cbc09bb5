"""Video segments (one short clip per committed turn) and the films stitched from them.

When a session's video mode is on, :meth:`FilmService.shoot` is called for each
committed turn: the :class:`~glitchcart.ports.Filmmaker` animates from the
previous turn's frame to the new one, and the clip is stored under the
session's ``films/segments/``. :meth:`FilmService.stitch` joins a game's clips,
shooting any that are missing, into one film under ``films/final/``. Frames
are read only through refs checked to belong to the session; everything is
published with the media store's atomic, never-overwriting ``put``. With
:class:`~glitchcart.service.media_limits.MediaLimits`, a full session gets no new film
(refused) nor clip (skipped: the turn is not affected), and keeps its newest
``kept`` films (the film of a game's whole run, made at its end, is never removed).
A film is dressed like the game's replay tape (the same :func:`tape_script`): a
title card, each clip captioned with its turn, and a closing card. A cartridge
whose art is camcorder footage asks the filmmaker to keep the frames' camcorder
overlay still (:attr:`SegmentRequest.overlay`).

Usage::

    films = FilmService(store=store, media=media, cartridges=library,
                        filmmaker=OfflineFilmmaker(), joiner=FfmpegClipJoiner())
    await films.shoot(key, game_id, turn)       # after the turn commits
    film = await films.stitch(key, game_id)     # at death or on demand
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import MediaRef, SessionKey, is_game_id
from glitchcart.core.media_names import film_name, fingerprint, segment_name
from glitchcart.core.resolver import check_ref
from glitchcart.core.seeds import derive_seed
from glitchcart.core.tape import TapeScript, tape_script
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import (
    CartridgeNotFound,
    GameNotFound,
    LimitExceeded,
    MediaNotFound,
    ProviderError,
)
from glitchcart.ports import CartridgeSource, Filmmaker, MediaStore, SegmentRequest, SessionStore
from glitchcart.service.inflight import Inflight, Progress
from glitchcart.service.media_limits import MediaLimits


class ClipJoiner(Protocol):
    """Joins MP4 clips, in order, into one MP4: with ``script`` (one shot per clip),
    opening on its title card, each clip captioned, ending on its closing card."""

    version: str

    async def join(self, clips: Sequence[bytes], script: TapeScript | None = None) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Film:
    ref: MediaRef
    game_id: str
    first: int
    last: int
    segments: int  # clips in the film (turns without a picture have none)
    size: int | None  # bytes; None when the film was already there

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref.to_dict(),
            "game_id": self.game_id,
            "first": self.first,
            "last": self.last,
            "segments": self.segments,
            "size": self.size,
        }


class FilmService:
    """Shoots per-turn clips and stitches films, for every session of a process."""

    def __init__(
        self,
        *,
        store: SessionStore,
        media: MediaStore,
        cartridges: CartridgeSource,
        filmmaker: Filmmaker,
        joiner: ClipJoiner,
        duration: float = 2.5,
        frame_size: tuple[int, int] = (512, 288),
        limits: MediaLimits | None = None,
    ) -> None:
        self.store = store
        self.limits = limits
        self.media = media
        self.cartridges = cartridges
        self.filmmaker = filmmaker
        self.joiner = joiner
        self.duration = duration
        self.frame_size = frame_size
        self._clips: Inflight[MediaRef, MediaRef | None] = Inflight()
        self._films: Inflight[MediaRef, Film] = Inflight()

    async def shoot(self, key: SessionKey, game_id: str, turn: int) -> MediaRef | None:
        """The clip of a committed turn, made if missing; None if the turn has no picture
        or the filmmaker failed (the turn is not affected either way)."""
        found = await self.store.history(game_id, start=max(0, turn - 1), limit=2)
        by_turn = {r.turn: r for r in found}
        if turn not in by_turn:
            raise GameNotFound(f"game {game_id} has no committed turn {turn}")
        overlay = await self._camcorder(game_id)
        return await self._shoot(key, by_turn[turn], by_turn.get(turn - 1), overlay)

    async def segments(self, key: SessionKey) -> list[MediaRef]:
        return await self.media.list(key, "segment")

    async def films(self, key: SessionKey) -> list[MediaRef]:
        return await self.media.list(key, "film")

    async def stitch(
        self, key: SessionKey, game_id: str, *, progress: Progress | None = None
    ) -> Film:
        """One film of every committed turn of the game that has a picture, in order.

        The game must be one played in this session (any other is :class:`GameNotFound`).
        """
        saved = await self.store.load_game(game_id) if is_game_id(game_id) else None
        if saved is None or saved[1].session != key:
            raise GameNotFound(f"game {game_id} was not played in session {key}")
        records = await self.store.history(game_id)
        if not records:
            raise GameNotFound(f"game {game_id} has no committed turns")
        pictured = [r for r in records if r.frame is not None]
        if not pictured:
            raise MediaNotFound(f"game {game_id} has no pictures to film")
        print_ = fingerprint(records, key, self.filmmaker.name, self.joiner.version, self.duration)
        first, last = records[0].turn, records[-1].turn
        ref = MediaRef(key, "film", film_name(game_id, first, last, print_))
        film = Film(ref, game_id, first, last, len(pictured), None)
        if await self.media.exists(ref):
            return film
        if self.limits is not None:
            await self.limits.check_room(key, "film")

        cartridge = self.cartridges.get(saved[0].cartridge)
        script = self._script(key, cartridge, records)

        async def make(report: Progress) -> Film:
            made = await self._stitch(film, records, script, cartridge.art.camcorder, report)
            if self.limits is not None:
                await self.limits.sweep(key, "film", keep=ref)
            return made

        return await self._films.run(ref, make, progress)

    async def get(self, key: SessionKey, ref: MediaRef) -> bytes:
        """A clip's or film's bytes; a ref of another session is refused."""
        check_ref(ref, key)
        return await self.media.get(ref)

    # ------------------------------------------------------------ internals

    def _script(
        self, key: SessionKey, cartridge: Cartridge, records: list[TurnRecord]
    ) -> TapeScript:
        """The replay tape's script of ``records``, with a shot for each turn with a picture."""
        blank: list[bytes | None] = [None] * len(records)
        seed = derive_seed(0, "film", records[0].game_id)
        script = tape_script(key, cartridge, records, blank, seed=seed, size=self.frame_size)
        shots = tuple(s for s, r in zip(script.shots, records, strict=True) if r.frame is not None)
        return replace(script, shots=shots)

    async def _camcorder(self, game_id: str) -> bool:
        """Whether the game's frames carry a camcorder overlay (its cartridge's art says)."""
        saved = await self.store.load_game(game_id)
        try:
            return saved is not None and self.cartridges.get(saved[0].cartridge).art.camcorder
        except CartridgeNotFound:
            return False

    async def _stitch(
        self,
        film: Film,
        records: list[TurnRecord],
        script: TapeScript,
        overlay: bool,
        report: Progress,
    ) -> Film:
        key = film.ref.session
        clips: list[bytes] = []
        previous: TurnRecord | None = None
        for i, record in enumerate(records, 1):
            if record.frame is not None:
                ref = await self._shoot(key, record, previous, overlay)
                if ref is None:
                    raise ProviderError(f"the filmmaker could not film turn {record.turn}")
                clips.append(await self.media.get(ref))
            previous = record
            report("filming", i, len(records))
        report("stitching", 0, 1)
        data = await self.joiner.join(clips, script)
        report("stitching", 1, 1)
        await self.media.put(film.ref, data)
        return Film(film.ref, film.game_id, film.first, film.last, len(clips), len(data))

    async def _shoot(
        self, key: SessionKey, record: TurnRecord, previous: TurnRecord | None, overlay: bool
    ) -> MediaRef | None:
        if record.frame is None:
            return None
        ref = MediaRef(key, "segment", segment_name(record.game_id, record.turn))
        if await self.media.exists(ref):
            return ref
        if self.limits is not None:
            try:
                await self.limits.check_room(key, "clip")
            except LimitExceeded:
                return None  # like a filmmaker that failed: the turn is not affected

        async def make(report: Progress) -> MediaRef | None:
            return await self._film_turn(ref, record, previous, overlay)

        return await self._clips.run(ref, make)

    async def _film_turn(
        self, ref: MediaRef, record: TurnRecord, previous: TurnRecord | None, overlay: bool
    ) -> MediaRef | None:
        key = ref.session
        assert record.frame is not None
        frame = await self._frame(key, record.frame)
        if frame is None:
            return None
        before = None
        if previous is not None and previous.frame is not None:
            before = await self._frame(key, previous.frame)
        width, height = self.frame_size
        request = SegmentRequest(
            frame=frame,
            previous=before,
            seed=derive_seed(record.turn_seed, "film"),
            duration=self.duration,
            width=width,
            height=height,
            narration=record.narration,
            session=key,
            game_id=record.game_id,
            turn=record.turn,
            overlay=overlay,
        )
        try:
            clip = await self.filmmaker.segment(request)
        except ProviderError:
            return None
        await self.media.put(ref, clip)
        return ref

    async def _frame(self, key: SessionKey, ref: MediaRef) -> bytes | None:
        try:
            return await self.media.get(check_ref(ref, key))
        except MediaNotFound:
            return None
