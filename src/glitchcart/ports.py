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


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to be written with a commit (or appended alone); the log gives it its id."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventPage:
    """Events read from a session's log, and where the log stands.

    ``first`` is the id of the oldest event still kept (``last + 1`` when none is
    kept); ``last`` is the id of the newest event ever written (0: none yet). A
    reader that asked for events after an id below ``first - 1`` missed some.
    """

    events: tuple[Event, ...]
    first: int
    last: int


class EventLog(Protocol):
    """A session's durable events: ids rise by one per event within the session,
    survive restarts, and are the same in every process sharing the store.

    A store's ``commit`` writes a commit's events in its own transaction (an event
    exists if and only if its commit does); :meth:`append` writes events that change
    no state (the narration before a turn's commit). Each session keeps at least its
    newest ``keep`` events (the adapter's bound); older ones are trimmed.

    A Redis log is a stream per session (its key in the session's hash tag) written
    by the commit's Lua script with explicit ids ``<id>-1``; :meth:`wait` is served
    by one blocking ``XREAD`` per process, fanned out locally.
    """

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        """Write ``events`` in order; with ``fence``, only while it is the session's
        newest lease fence (else :class:`LeaseLost` and nothing is written)."""
        ...

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage:
        """Up to ``limit`` kept events with an id above ``after``, oldest first."""
        ...

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None:
        """Return once the session may have an event above ``after`` (any process
        wrote one), or after ``within`` seconds; a cheap change signal, not a read."""
        ...


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


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a session, for surfaces to show.

    ``id`` rises by one within a session and is durable (:class:`EventLog`), so a
    subscriber can resume after the last id it saw (SSE ``Last-Event-ID``), on any
    process and after a restart; an ephemeral event has id 0. Kinds: player_joined,
    vote_cast, window_opened, window_closed, turn_resolving, narration,
    narration_partial, choices_ready, frame_ready, choices, crown_moved, mode_changed,
    vetoed, twist_set, game_over, game_booted, game_exited, paused, notice,
    options_changed, tape_ready, trimmed.
    """

    session: SessionKey
    id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


EPHEMERAL_KINDS = frozenset({"narration_partial"})  # live only: id 0, never stored


class EventBus(Protocol):
    """What surfaces subscribe to: a session's durable events, then live ones.

    ``publish`` appends an event that changes no state (a ``tape_ready``); an
    ephemeral kind (:data:`EPHEMERAL_KINDS`) only reaches this process's live
    subscribers, with id 0. ``subscribe`` yields every event after ``after``
    (None: from now on); if some were trimmed it first yields a ``trimmed`` event
    (its id is the last trimmed one), and an id above the newest written is
    :class:`UnknownEventId`, raised by :meth:`check_resume` before streaming.
    """

    async def publish(self, session: SessionKey, kind: str, data: dict[str, Any]) -> Event: ...

    def subscribe(self, session: SessionKey, *, after: int | None = None) -> AsyncIterator[Event]:
        """Events of one session: those after ``after`` still kept, then new ones live."""
        ...

    async def check_resume(self, session: SessionKey, after: int | None) -> None:
        """Raise :class:`UnknownEventId` if ``after`` is above the newest event id."""
        ...


@dataclass(frozen=True, slots=True)
class Lease:
    """A session held by one holder until ``expires_at`` (the lease adapter's clock).

    ``fence`` rises with every new holder of the session (never with a renewal);
    commits made under the lease carry it, and the store refuses a fence older
    than the newest one handed out.
    """

    session: SessionKey
    token: str
    fence: int
    expires_at: float


class SessionLease(Protocol):
    """Who drives a session: one holder at a time, for a TTL, renewed while it works.

    Modelled on redis-py's ``redis.asyncio.lock.Lock`` (a random token, a TTL,
    release and extend only by the token's owner, compare-and-delete), with a
    fencing value added after Kleppmann ("How to do distributed locking", 2016).

    The race a TTL cannot close: holder A takes the lease, then pauses (a GC
    pause, a stopped VM, a slow model call whose renewal task was starved) for
    longer than the TTL. The lease expires; B takes it over with a higher fence
    and finishes A's turn. A wakes up still believing it holds the lease and
    commits. Checking "do I still hold it?" before committing does not help (A
    can pause between the check and the write), so the store itself checks: A's
    commit carries A's fence, which is older than B's, and is refused
    (:class:`LeaseLost`). Renewing at a third of the TTL keeps a live holder's
    lease; the fence makes a holder that lost it harmless.

    A Redis adapter: ``SET key token NX PX ttl`` plus ``INCR`` of the session's
    fence key in one script; renew and release are scripts that compare the token
    first; the fence key shares the session's hash tag so the commit script can
    read it.
    """

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        """Take the session for ``token`` for ``ttl`` seconds; None if another holds it.

        Taking it again with the same token while held renews it (same fence).
        """
        ...

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        """Extend a lease still held by its token; None if it expired and was lost."""
        ...

    async def release(self, lease: Lease) -> bool:
        """Give the lease up if ``lease.token`` still holds it (compare-and-delete)."""
        ...

    async def holder(self, session: SessionKey) -> Lease | None:
        """The current unexpired lease of the session, if any (for display and tests)."""
        ...


class Revocations(Protocol):
    """When each player's credentials were last revoked, per namespace: a credential
    issued at or before that time is refused. Shared by every process of a deployment
    (a player revoked through one is refused by all)."""

    async def revoke(self, namespace: str, player: str, at: float) -> None: ...

    async def revoked_at(self, namespace: str, player: str) -> float | None: ...


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
    overlay: bool = False  # the frames carry a camcorder overlay in their corners: keep it still


class Filmmaker(Protocol):
    """Makes a short video clip per turn as MP4 (H.264) bytes.

    The offline one animates between the two frames; a video model plugs in here.
    """

    name: str

    async def segment(self, request: SegmentRequest) -> bytes: ...
