"""Ports: the Protocols the service talks to; adapters implement them.

Every port is async and every call may fail with a :class:`GlitchcartError`
(providers with :class:`ProviderError`, stores with :class:`StorageError`), so
an offline adapter and a remote one are interchangeable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaKind, MediaRef, SessionKey
from glitchcart.core.session import GameRecord, SessionRecord
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
class PrologueRequest:
    """The opening of a new game. ``providers`` is the session's own choice of model
    providers, best first (None: the cartridge's, then the settings' defaults)."""

    cartridge: Cartridge
    state: WorldState
    turn_seed: int
    session: SessionKey | None = None
    game_id: str | None = None
    providers: tuple[str, ...] | None = None


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
    providers: tuple[str, ...] | None = None  # the session's choice, best first


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
    providers: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PaintRequest:
    cartridge: Cartridge
    scene: Scene
    seed: int
    width: int = 512
    height: int = 288
    session: SessionKey | None = None
    game_id: str | None = None
    providers: tuple[str, ...] | None = None
    flipbook: bool = False  # a short animated GIF instead of a still


class Narrator(Protocol):
    """Writes the story. Must never put an error message into the story."""

    name: str

    async def prologue(self, request: PrologueRequest) -> str: ...

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


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a session, for surfaces to show.

    ``id`` rises within a session, so a subscriber can resume after the last id
    it saw (SSE ``Last-Event-ID``). Kinds: vote_cast, window_opened, window_closed,
    turn_resolving, narration, narration_partial, choices_ready, frame_ready, choices,
    crown_moved, player_joined, game_over, game_booted, game_exited, paused, notice,
    options_changed, tape_ready.
    """

    session: SessionKey
    id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class EventBus(Protocol):
    async def publish(self, session: SessionKey, kind: str, data: dict[str, Any]) -> Event: ...

    def subscribe(self, session: SessionKey, *, after: int | None = None) -> AsyncIterator[Event]:
        """Events of one session: those after ``after`` still kept, then new ones live."""
        ...


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock UTC seconds since the epoch."""
        ...


# ---------------------------------------------------------------- video


@dataclass(frozen=True, slots=True)
class SegmentRequest:
    """One turn's clip: from the previous turn's frame to the new one (PNG or GIF bytes)."""

    frame: bytes
    previous: bytes | None  # None on the first turn of a game
    seed: int
    duration: float = 2.5  # seconds
    width: int = 512
    height: int = 288
    narration: str = ""  # what happened, for a model that films from a prompt
    session: SessionKey | None = None
    game_id: str | None = None
    turn: int = 0


class Filmmaker(Protocol):
    """Makes a short video clip per turn as MP4 (H.264) bytes.

    The offline one animates between the two frames; a video model plugs in here.
    """

    name: str

    async def segment(self, request: SegmentRequest) -> bytes: ...
