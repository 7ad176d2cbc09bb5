"""The SQLite store's event log, its lease fences, and its change signal.

Events live in one table keyed by (session, id); ``event_heads`` holds each
session's newest id, bumped in the writing transaction (``RETURNING``), so ids
rise by one per session in every process and survive restarts and trims. A
commit's events are written in the commit's own transaction; the log keeps at
least ``keep`` events per session, trimming in steps of :data:`TRIM_STEP`.

The change signal is ``PRAGMA data_version`` on a reader connection of its own:
it changes when any other connection (this process's writer included) commits,
and costs a few microseconds, so the watcher polls it every ``poll`` seconds
while someone waits, and only when it moved reads the heads of the sessions
being waited on, in one query. A local commit pokes it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from glitchcart.adapters.events.waiters import Waiters
from glitchcart.adapters.stores.codec import encode, event_from_row
from glitchcart.core.keys import SessionKey
from glitchcart.errors import LeaseLost, StorageError
from glitchcart.ports import Event, EventPage, NewEvent

TRIM_STEP = 64

EVENTS_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS events (
        session_key TEXT NOT NULL, id INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (session_key, id)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS event_heads (
        session_key TEXT PRIMARY KEY, last_id INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS leases (
        session_key TEXT PRIMARY KEY, token TEXT, fence INTEGER NOT NULL,
        expires_at REAL NOT NULL, host TEXT, pid INTEGER)""",
)

_BUMP_HEAD = """INSERT INTO event_heads (session_key, last_id) VALUES (?, ?)
    ON CONFLICT (session_key) DO UPDATE SET last_id = last_id + excluded.last_id
    RETURNING last_id"""


def check_fence(conn: sqlite3.Connection, session: str, fence: int | None) -> None:
    """Refuse a write fenced by anything but the session's newest fence."""
    if fence is None:
        return
    row = conn.execute("SELECT fence FROM leases WHERE session_key = ?", (session,)).fetchone()
    if row is None or row[0] != fence:
        raise LeaseLost(f"the lease of {session} has passed to a newer holder")


def append_events(
    conn: sqlite3.Connection, session: SessionKey, events: Sequence[NewEvent], keep: int
) -> list[Event]:
    """Write ``events`` inside the caller's transaction; returns them with their ids."""
    if not events:
        return []
    key = str(session)
    (last,) = conn.execute(_BUMP_HEAD, (key, len(events))).fetchone()
    first = last - len(events) + 1
    written = [Event(session, first + i, e.kind, dict(e.data)) for i, e in enumerate(events)]
    conn.executemany(
        "INSERT INTO events (session_key, id, kind, data) VALUES (?, ?, ?, ?)",
        [(key, e.id, e.kind, encode(e.data)) for e in written],
    )
    if (first - 1) // TRIM_STEP != last // TRIM_STEP:
        conn.execute("DELETE FROM events WHERE session_key = ? AND id <= ?", (key, last - keep))
    return written


def read_events(conn: sqlite3.Connection, session: SessionKey, after: int, limit: int) -> EventPage:
    """One consistent read of the log (the caller holds the connection)."""
    key = str(session)
    conn.execute("BEGIN")
    try:
        head = conn.execute(
            "SELECT last_id FROM event_heads WHERE session_key = ?", (key,)
        ).fetchone()
        last = 0 if head is None else head[0]
        (oldest,) = conn.execute(
            "SELECT MIN(id) FROM events WHERE session_key = ?", (key,)
        ).fetchone()
        rows = (
            conn.execute(
                "SELECT id, kind, data FROM events WHERE session_key = ? AND id > ?"
                " ORDER BY id LIMIT ?",
                (key, after, limit),
            ).fetchall()
            if limit > 0 and after < last
            else []
        )
    finally:
        conn.execute("COMMIT")
    events = tuple(event_from_row(session, i, kind, data) for i, kind, data in rows)
    return EventPage(events, last + 1 if oldest is None else oldest, last)


class EventWatcher:
    """Wakes waiters when their session's head moves, whichever process moved it."""

    def __init__(self, path: Path, poll: float) -> None:
        self.path = path
        self.poll = poll
        self._conn: sqlite3.Connection | None = None
        self._waiters = Waiters()
        self._task: asyncio.Task[None] | None = None
        self._poked: asyncio.Event | None = None
        self._version: int | None = None
        self.checks = 0  # data_version reads, for the benchmark
        self.reads = 0  # head queries after a change

    def poke(self) -> None:
        """A local commit wrote events: look now rather than at the next poll."""
        if self._poked is not None:
            self._poked.set()

    async def wait(self, session: SessionKey, after: int, within: float, head: int) -> None:
        """Wait for ``session``'s head to pass ``after``; ``head`` is its value read
        after this waiter would be registered (so no change falls in between)."""
        if head > after:
            return
        await self._waiters.wait(session, after, within, self._ensure_running)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._poked = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._poked is not None
        while self._waiters:
            self._poked.clear()
            with contextlib.suppress(sqlite3.Error):  # a busy reader: again at the next poll
                self._check()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._poked.wait()

    def _check(self) -> None:
        conn = self._reader()
        self.checks += 1
        (version,) = conn.execute("PRAGMA data_version").fetchone()
        if version == self._version:
            return
        self._version = version
        sessions = self._waiters.sessions()
        self.reads += 1
        marks = ",".join("?" * len(sessions))
        heads = dict(
            conn.execute(
                f"SELECT session_key, last_id FROM event_heads WHERE session_key IN ({marks})",
                [str(s) for s in sessions],
            ).fetchall()
        )
        for session in sessions:
            self._waiters.wake(session, heads.get(str(session), 0))

    def _reader(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None
                )
                self._conn.execute("PRAGMA busy_timeout = 1000")
            except sqlite3.Error as exc:
                raise StorageError(f"cannot watch {self.path}: {exc}") from exc
        return self._conn

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            self._conn.close()
            self._conn = None
