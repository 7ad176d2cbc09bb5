"""Ports of a session's events: the durable log a store keeps (:class:`EventLog`) and the
bus surfaces subscribe to (:class:`EventBus`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from glitchcart.core.keys import SessionKey


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
