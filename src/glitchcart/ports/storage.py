"""Ports of storage: session records and turn history (:class:`SessionStore`), media files
(:class:`MediaStore`), cartridges and credential revocations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import MediaKind, MediaRef, SessionKey
from glitchcart.core.session import GameRecord, SessionRecord
from glitchcart.core.turn import TurnRecord
from glitchcart.ports.events import Event, EventPage, NewEvent


@dataclass(frozen=True, slots=True)
class SessionSummary:
    key: SessionKey
    version: int
    phase: str
    cartridge: str | None
    game_id: str | None
    turn: int
    alive: bool
    updated_at: float


@dataclass(frozen=True, slots=True)
class GameSummary:
    """One saved game in the game index."""

    game_id: str
    cartridge: str
    session: SessionKey  # the session that last played it
    live: bool  # that session has it loaded right now
    turn: int
    alive: bool
    players: tuple[str, ...]  # display names of the roster when last saved
    created_at: float
    updated_at: float  # last played


class SessionStore(Protocol):
    """Durable session records and turn history, committed with a version check.

    ``commit`` writes the record, the given turn records and the commit's events
    in one transaction, only if the stored version equals ``expected_version``
    (0 means "absent") and, with ``fence``, only while ``fence`` is the newest
    fencing value of the session's lease (:class:`SessionLease`); it returns the
    record with ``version = expected_version + 1``. Otherwise it raises
    :class:`StaleVersion` (:class:`LeaseLost` for the fence) and writes nothing.
    A store is also the :class:`EventLog` of its sessions.
    """

    async def load(self, key: SessionKey) -> SessionRecord | None: ...

    async def commit(
        self,
        record: SessionRecord,
        *,
        expected_version: int,
        turns: Sequence[TurnRecord] = (),
        events: Sequence[NewEvent] = (),
        fence: int | None = None,
    ) -> SessionRecord: ...

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]: ...

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage: ...

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None: ...

    async def history(
        self, game_id: str, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]: ...

    async def list_sessions(self) -> list[SessionSummary]: ...

    async def delete(self, key: SessionKey) -> bool: ...

    async def list_games(self) -> list[GameSummary]:
        """Every saved game, most recently played first."""
        ...

    async def load_game(self, game_id: str) -> tuple[GameRecord, GameSummary] | None:
        """A saved game's last committed record and its index entry."""
        ...

    async def delete_game(self, game_id: str) -> bool:
        """Delete a saved game and its history; False if there was none.

        The caller makes sure no session has it loaded.
        """
        ...

    async def rewrite_history(self, game_id: str, turns: Sequence[TurnRecord]) -> None:
        """Replace stored turn records of a game in one transaction (used when a
        game moves to another session and its frame refs move with it)."""
        ...

    async def close(self) -> None: ...


class MediaStore(Protocol):
    """Media files owned by sessions, written atomically (temp file, fsync, rename)."""

    async def put(self, ref: MediaRef, data: bytes) -> bool:
        """Write ``data`` under ``ref`` unless the ref exists; True if this call wrote it.

        Never overwrites: a committed turn's picture can't change under it.
        """
        ...

    async def get(self, ref: MediaRef) -> bytes: ...

    async def size(self, ref: MediaRef) -> int:
        """The file's length in bytes; :class:`MediaNotFound` if there is none."""
        ...

    def read(self, ref: MediaRef, chunk_size: int = 65536) -> AsyncIterator[bytes]:
        """The file's bytes in chunks, read as they are asked for (a tape is served
        without holding it all in memory); :class:`MediaNotFound` on the first step."""
        ...

    async def written_at(self, ref: MediaRef) -> float:
        """When the file was published (UTC epoch seconds), for sweeping the oldest
        first; a ``put`` that finds the ref already there leaves it unchanged.
        :class:`MediaNotFound` if there is none."""
        ...

    async def exists(self, ref: MediaRef) -> bool: ...

    async def list(self, session: SessionKey, kind: MediaKind) -> list[MediaRef]: ...

    async def delete_session(self, session: SessionKey) -> None: ...

    async def delete(self, ref: MediaRef) -> bool:
        """Delete one media file; False if it was not there."""
        ...

    def locate(self, ref: MediaRef) -> str:
        """Where a person can find the file (a path or URL); for display only."""
        ...


class CartridgeSource(Protocol):
    """Where cartridges come from (packaged TOML files, a folder, ...)."""

    def get(self, cartridge_id: str) -> Cartridge: ...

    def list(self) -> list[Cartridge]: ...


class Revocations(Protocol):
    """When each player's credentials were last revoked, per namespace: a credential
    issued at or before that time is refused. Shared by every process of a deployment
    (a player revoked through one is refused by all)."""

    async def revoke(self, namespace: str, player: str, at: float) -> None: ...

    async def revoked_at(self, namespace: str, player: str) -> float | None: ...
