"""Ports: the Protocols the service talks to; adapters implement them.

Every port is async and every call may fail with a :class:`GlitchcartError`
(providers with :class:`ProviderError`, stores with :class:`StorageError`), so
an offline adapter and a remote one are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaKind, MediaRef, SessionKey
from glitchcart.core.session import SessionRecord
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice, TurnInput, TurnRecord

# ---------------------------------------------------------------- providers


@dataclass(frozen=True, slots=True)
class Scene:
    """What a picture should show; written by the narrator, read by the painter."""

    location: str
    time_of_day: str
    elements: tuple[str, ...]
    description: str
    mood: str  # "lucky" | "normal" | "unlucky" | "calm" | "dead"
    chaos: int


@dataclass(frozen=True, slots=True)
class NarrationRequest:
    cartridge: Cartridge
    state: WorldState
    input: TurnInput
    fate: Fate | None
    turn_seed: int
    recent: tuple[str, ...]  # the compact memory: recent event summaries, oldest first
    session: SessionKey | None = None  # who asks: for fair queueing and budgets
    game_id: str | None = None
    twist: str | None = None  # a line the crown holder wants woven into the consequence


@dataclass(frozen=True, slots=True)
class Narration:
    text: str
    delta: StateDelta


@dataclass(frozen=True, slots=True)
class ChoiceRequest:
    cartridge: Cartridge
    state: WorldState
    turn_seed: int
    count: int
    narration: str
    avoid: tuple[str, ...] = ()  # texts to avoid repeating (regenerate)
    session: SessionKey | None = None
    game_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaintRequest:
    cartridge: Cartridge
    scene: Scene
    seed: int
    width: int = 512
    height: int = 288
    session: SessionKey | None = None
    game_id: str | None = None


class Narrator(Protocol):
    """Writes the story. Must never put an error message into the story."""

    name: str

    async def prologue(self, cartridge: Cartridge, state: WorldState, turn_seed: int) -> str: ...

    async def narrate(self, request: NarrationRequest) -> Narration: ...

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]: ...

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        """Describe the picture of a state (cheap, no I/O)."""
        ...


class Painter(Protocol):
    """Renders a frame as PNG bytes."""

    name: str

    async def paint(self, request: PaintRequest) -> bytes: ...


# ---------------------------------------------------------------- storage


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


class SessionStore(Protocol):
    """Durable session records and turn history, committed with a version check.

    ``commit`` writes the record and the given turn records in one transaction,
    only if the stored version equals ``expected_version`` (0 means "absent"),
    and returns the record with ``version = expected_version + 1``. Otherwise it
    raises :class:`StaleVersion` and writes nothing.
    """

    async def load(self, key: SessionKey) -> SessionRecord | None: ...

    async def commit(
        self,
        record: SessionRecord,
        *,
        expected_version: int,
        turns: Sequence[TurnRecord] = (),
    ) -> SessionRecord: ...

    async def history(
        self, game_id: str, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]: ...

    async def list_sessions(self) -> list[SessionSummary]: ...

    async def delete(self, key: SessionKey) -> bool: ...

    async def close(self) -> None: ...


class MediaStore(Protocol):
    """Media files owned by sessions, written atomically (temp file, fsync, rename)."""

    async def put(self, ref: MediaRef, data: bytes) -> bool:
        """Write ``data`` under ``ref`` unless the ref exists; True if this call wrote it.

        Never overwrites: a committed turn's picture can't change under it.
        """
        ...

    async def get(self, ref: MediaRef) -> bytes: ...

    async def exists(self, ref: MediaRef) -> bool: ...

    async def list(self, session: SessionKey, kind: MediaKind) -> list[MediaRef]: ...

    async def delete_session(self, session: SessionKey) -> None: ...

    def locate(self, ref: MediaRef) -> str:
        """Where a person can find the file (a path or URL); for display only."""
        ...


class CartridgeSource(Protocol):
    """Where cartridges come from (packaged TOML files, a folder, ...)."""

    def get(self, cartridge_id: str) -> Cartridge: ...

    def list(self) -> list[Cartridge]: ...


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock UTC seconds since the epoch."""
        ...
