"""Replay tapes of a session's game, built from committed history only.

A tape is made of the turns the store has committed (a turn being resolved is
not in the history yet, so it is never on a tape), and of the frames those
turns point at, each checked to belong to the session before it is read. The
tape's name is derived from the game, the turn range, the format and a
fingerprint of the turns, so the same request maps to the same ref:

- if the file exists, its ref is returned at once;
- if the same tape is being built in this process, the caller joins that build;
- otherwise it is built (encoding runs in a worker thread) and published with
  :meth:`MediaStore.put`, which writes a temp file and links it into place
  without ever overwriting. A build killed midway leaves no file and no ref,
  and two processes racing for one tape both end up with the one file.

With :class:`~glitchcart.service.media_limits.MediaLimits`, a build is refused once
the session's media is full, and a session keeps its newest ``kept`` tapes (the
tape made at a game's end is never removed).

Usage::

    tapes = TapeService(store=store, media=media, cartridges=library,
                        encoders=[GifTapeEncoder(), Mp4TapeEncoder()])
    tape = await tapes.build(key, fmt="gif", turns=TurnSpan.parse("0-20"))
    data = await tapes.get(key, tape.ref)
    async for chunk in tapes.read(key, tape.ref):  # served without holding it whole
        ...
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.media_names import fingerprint, parse_tape_name, tape_name
from glitchcart.core.resolver import check_ref
from glitchcart.core.seeds import derive_seed
from glitchcart.core.tape import (
    EncodedTape,
    TapeFormat,
    TapeScript,
    TurnSpan,
    parse_format,
    tape_script,
)
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import (
    GameNotFound,
    InvalidInput,
    MediaNotFound,
    NoGameRunning,
    SessionNotFound,
)
from glitchcart.ports import CartridgeSource, MediaStore, SessionStore
from glitchcart.service.inflight import Inflight, Progress
from glitchcart.service.media_limits import MediaLimits

DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # Discord's upload limit for most users


class TapeEncoder(Protocol):
    """Renders a tape script as one file; CPU-heavy work runs off the event loop."""

    format: TapeFormat
    version: str  # part of the tape's fingerprint: a new renderer makes new tapes

    async def encode(
        self, script: TapeScript, *, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        """``progress(stage, done, total)`` may be called from a worker thread."""
        ...


@dataclass(frozen=True, slots=True)
class Tape:
    """A tape that exists in the session's media."""

    ref: MediaRef
    game_id: str
    first: int
    last: int
    format: TapeFormat
    turns: int  # committed turns on the tape
    size: int | None  # bytes; None when the tape was already there
    built: bool  # True if this request (or the build it joined) wrote the file

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref.to_dict(),
            "game_id": self.game_id,
            "first": self.first,
            "last": self.last,
            "format": self.format,
            "turns": self.turns,
            "size": self.size,
            "built": self.built,
        }


@dataclass(frozen=True, slots=True)
class TapeEntry:
    """A listed tape: what its name tells."""

    ref: MediaRef
    game: str
    first: int
    last: int
    format: TapeFormat

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref.to_dict(),
            "game": self.game,
            "first": self.first,
            "last": self.last,
            "format": self.format,
        }


class TapeService:
    """Builds, lists and serves the replay tapes of every session of a process."""

    def __init__(
        self,
        *,
        store: SessionStore,
        media: MediaStore,
        cartridges: CartridgeSource,
        encoders: Iterable[TapeEncoder],
        max_bytes: int = DEFAULT_MAX_BYTES,
        frame_size: tuple[int, int] = (512, 288),
        on_ready: Callable[[Tape], Awaitable[None]] | None = None,
        limits: MediaLimits | None = None,
    ) -> None:
        if max_bytes < 1024:
            raise InvalidInput("the tape size cap must be at least 1024 bytes")
        self.store = store
        self.media = media
        self.cartridges = cartridges
        self.encoders = {encoder.format: encoder for encoder in encoders}
        self.max_bytes = max_bytes
        self.frame_size = frame_size
        self._on_ready = on_ready
        self.limits = limits
        self._builds: Inflight[MediaRef, Tape] = Inflight()

    async def build(
        self,
        key: SessionKey,
        *,
        game_id: str | None = None,
        turns: TurnSpan | None = None,
        fmt: str = "gif",
        progress: Progress | None = None,
    ) -> Tape:
        """A tape of the session's current game, or of ``game_id``: the current game or a
        saved game last played in this session (any other is :class:`GameNotFound`)."""
        self._encoder(fmt)
        record = await self.store.load(key)
        if record is None:
            raise SessionNotFound(f"no session {key}")
        current = record.game
        if game_id is None or (current is not None and current.game_id == game_id):
            if current is None:
                raise NoGameRunning(f"session {key} has no game to make a tape of")
            game_id, cartridge_id = current.game_id, current.cartridge
        else:
            saved = await self.store.load_game(game_id)
            if saved is None or saved[1].session != key:
                raise GameNotFound(f"game {game_id} was not played in session {key}")
            cartridge_id = saved[0].cartridge
        return await self.build_game(
            key, game_id, cartridge_id, turns=turns, fmt=fmt, progress=progress
        )

    async def build_game(
        self,
        key: SessionKey,
        game_id: str,
        cartridge_id: str,
        *,
        turns: TurnSpan | None = None,
        fmt: str = "gif",
        progress: Progress | None = None,
    ) -> Tape:
        """A tape of ``game_id`` as played in ``key``; for the engine, e.g. when a turn
        commits a death (the game may have been replaced in the session by then)."""
        encoder = self._encoder(fmt)
        tape_format = encoder.format
        span = turns or TurnSpan()
        records = await self._committed(game_id, span)
        cartridge = self.cartridges.get(cartridge_id)
        print_ = fingerprint(
            records,
            key,
            tape_format,
            encoder.version,
            self.max_bytes,
            cartridge.title,
            cartridge.art,
        )
        first, last = records[0].turn, records[-1].turn
        ref = MediaRef(key, "tape", tape_name(game_id, first, last, tape_format, print_))
        found = Tape(ref, game_id, first, last, tape_format, len(records), None, False)
        if await self.media.exists(ref):
            return found
        if self.limits is not None:
            await self.limits.check_room(key, "tape")

        async def make(report: Progress) -> Tape:
            made = await self._make(found, cartridge, records, encoder, report)
            if self.limits is not None:
                await self.limits.sweep(key, "tape", keep=ref)
            return made

        return await self._builds.run(ref, make, progress)

    async def list(self, key: SessionKey) -> builtins.list[TapeEntry]:
        """The session's tapes, by name; files still being written are never listed."""
        entries = []
        for ref in await self.media.list(key, "tape"):
            name = parse_tape_name(ref.name)
            if name is not None:
                entries.append(TapeEntry(ref, name.game, name.first, name.last, name.format))
        return entries

    async def get(self, key: SessionKey, ref: MediaRef) -> bytes:
        """A tape's bytes; a ref of another session is refused."""
        self._check(key, ref)
        return await self.media.get(ref)

    async def size(self, key: SessionKey, ref: MediaRef) -> int:
        """A tape's length in bytes (:class:`MediaNotFound` if there is no such tape)."""
        return await self.media.size(self._check(key, ref))

    def read(self, key: SessionKey, ref: MediaRef) -> AsyncIterator[bytes]:
        """A tape's bytes in chunks; the ref is checked before anything is opened."""
        return self.media.read(self._check(key, ref))

    def locate(self, key: SessionKey, ref: MediaRef) -> str:
        """Where a person finds the tape (a path or URL), for display."""
        return self.media.locate(self._check(key, ref))

    # ------------------------------------------------------------ internals

    def _encoder(self, fmt: str) -> TapeEncoder:
        tape_format = parse_format(fmt)
        encoder = self.encoders.get(tape_format)
        if encoder is None:
            raise InvalidInput(f"{tape_format} tapes are not available here")
        return encoder

    def _check(self, key: SessionKey, ref: MediaRef) -> MediaRef:
        check_ref(ref, key)
        if ref.kind != "tape":
            raise InvalidInput(f"{ref.name} is a {ref.kind}, not a tape")
        if parse_tape_name(ref.name) is None:
            raise InvalidInput(f"{ref.name} is not the name of a tape")
        return ref

    async def _committed(self, game_id: str, span: TurnSpan) -> builtins.list[TurnRecord]:
        limit = None if span.last is None else span.last - span.first + 1
        records = await self.store.history(game_id, start=span.first, limit=limit)
        records = [r for r in records if r.turn in span]
        if records:
            return records
        if not await self.store.history(game_id, limit=1):
            raise GameNotFound(f"game {game_id} has no committed turns")
        raise InvalidInput(f"no committed turns of game {game_id} in turns {_span_text(span)}")

    async def _make(
        self,
        tape: Tape,
        cartridge: Cartridge,
        records: builtins.list[TurnRecord],
        encoder: TapeEncoder,
        report: Progress,
    ) -> Tape:
        key = tape.ref.session
        pictures: builtins.list[bytes | None] = []
        for i, record in enumerate(records, 1):
            pictures.append(await self._picture(key, record))
            report("reading frames", i, len(records))
        script = tape_script(
            key,
            cartridge,
            records,
            pictures,
            seed=derive_seed(0, "tape", tape.game_id),
            size=self.frame_size,
        )
        encoded = await encoder.encode(script, max_bytes=self.max_bytes, progress=report)
        report("publishing", 0, 1)
        wrote = await self.media.put(tape.ref, encoded.data)
        report("publishing", 1, 1)
        made = replace(tape, size=len(encoded.data), built=wrote)
        if wrote and self._on_ready is not None:
            await self._on_ready(made)
        return made

    async def _picture(self, key: SessionKey, record: TurnRecord) -> bytes | None:
        """The turn's frame, refused if it belongs to another session; None if it has none."""
        if record.frame is None:
            return None
        check_ref(record.frame, key)
        try:
            return await self.media.get(record.frame)
        except MediaNotFound:
            return None  # shown as "no signal": the turn stays on the tape


def _span_text(span: TurnSpan) -> str:
    return f"{span.first}-{'' if span.last is None else span.last}"
