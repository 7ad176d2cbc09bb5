"""The default session store: one SQLite database, in WAL mode, for all sessions.

A commit is one ``BEGIN IMMEDIATE`` transaction: a compare-and-set on the
session's version (an ``INSERT`` when the expected version is 0, else an
``UPDATE ... WHERE key = ? AND version = ?`` that must hit one row), an upsert
of the saved-games index row (the game, its roster's names, the session that
saved it last) and the insert of the new turns. A version
conflict or an already stored turn raises :class:`StaleVersion` and rolls the
whole transaction back; any other ``sqlite3.Error`` becomes a
:class:`StorageError` raised from it.

The async methods call :mod:`sqlite3` synchronously on one connection: with WAL
and ``synchronous=NORMAL`` a commit takes tens of microseconds, less than a hop
to a worker thread would cost. The one slow case is waiting for another
process's write lock (at most ``busy_timeout``), which blocks the event loop
while it lasts; the other writer only holds that lock for its own short commit.
``synchronous=NORMAL`` in WAL mode survives a killed process; a power cut may
lose the last commits but never corrupts the database.

Usage::

    store = SqliteSessionStore(settings.data_dir / "glitchcart.db")
    saved = await store.commit(record, expected_version=record.version, turns=[turn])
    await store.close()
"""

from __future__ import annotations

import enum
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from glitchcart.adapters.stores.codec import decode as _decode
from glitchcart.adapters.stores.codec import encode as _encode
from glitchcart.adapters.stores.codec import encode_record, index_entry, summarize
from glitchcart.adapters.stores.sqlite_events import (
    EventWatcher,
    append_events,
    check_fence,
    read_events,
)
from glitchcart.adapters.stores.sqlite_schema import migrate
from glitchcart.adapters.stores.sqlite_wal import open_wal
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import GameRecord, Phase, SessionRecord
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import InvalidInput, StaleVersion, StorageError
from glitchcart.ports import Event, EventPage, GameSummary, NewEvent, SessionSummary

_Row = tuple[Any, ...]

_INSERT_SESSION = """INSERT INTO sessions
    (game_id, cartridge, phase, turn, alive, updated_at, data, version, key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING"""
_UPDATE_SESSION = """UPDATE sessions SET
    game_id = ?, cartridge = ?, phase = ?, turn = ?, alive = ?, updated_at = ?, data = ?,
    version = ? WHERE key = ? AND version = ?"""
_UPSERT_GAME = """INSERT INTO games
    (game_id, session_key, cartridge, turn, alive, updated_at, data, players, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (game_id) DO UPDATE SET
    cartridge = excluded.cartridge, turn = excluded.turn, alive = excluded.alive,
    updated_at = excluded.updated_at, data = excluded.data, players = excluded.players,
    created_at = excluded.created_at"""
# A game is saved by the session that holds it far more often than it changes sessions,
# and setting an indexed column rewrites its index entry even when the value is unchanged.
# So a save leaves session_key alone and changes no row when another session holds the
# game; only then does the second statement take the game over, session_key included.
_SAVE_GAME = f"{_UPSERT_GAME} WHERE games.session_key IS excluded.session_key"
_TAKE_OVER_GAME = f"{_UPSERT_GAME}, session_key = excluded.session_key"
_INSERT_TURN = "INSERT INTO turns (game_id, turn, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
_DELETE_TURNS = (
    "DELETE FROM turns WHERE game_id IN (SELECT game_id FROM games WHERE session_key = ?)"
)
_REWRITE_TURN = "UPDATE turns SET data = ? WHERE game_id = ? AND turn = ?"
# A game is live while a session has it loaded; the IN list is built once per query.
_GAME_COLUMNS = """game_id, cartridge, session_key,
    game_id IN (SELECT game_id FROM sessions WHERE game_id IS NOT NULL),
    turn, alive, players, created_at, updated_at"""


def _session_rows(saved: SessionRecord, key: str) -> tuple[_Row, _Row | None]:
    """The sessions row (in statement order) and the games row of a record to save."""
    record_json, game_json = encode_record(saved)
    s = summarize(saved)
    summary: _Row = (s.game_id, s.cartridge, s.phase, s.turn, s.alive, s.updated_at)
    session_row = (*summary, record_json, saved.version, key)
    if saved.game is None:
        return session_row, None
    entry = index_entry(saved, saved.game)
    players = _encode(list(entry.players)) if entry.players else "[]"
    game_row = (
        *(entry.game_id, key, entry.cartridge, entry.turn, entry.alive, entry.updated_at),
        *(game_json, players, entry.created_at),
    )
    return session_row, game_row


class _State(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class SqliteSessionStore:
    """A :class:`~glitchcart.ports.SessionStore` in one SQLite file, shared by processes."""

    def __init__(self, path: Path, *, keep_events: int = 1000, event_poll: float = 0.05) -> None:
        self.path = path
        self.keep_events = keep_events
        self.watcher = EventWatcher(path, event_poll)
        # One connection, used from whichever thread calls; the lock keeps one
        # transaction from interleaving with another on it.
        self._lock = threading.Lock()
        self._conn = open_wal(path, "the session database", lambda conn: migrate(conn, path))
        self._state = _State.OPEN

    # ------------------------------------------------------------ SessionStore

    async def load(self, key: SessionKey) -> SessionRecord | None:
        with self._connection() as conn:
            row = conn.execute("SELECT data FROM sessions WHERE key = ?", (str(key),)).fetchone()
        return None if row is None else _decode(SessionRecord.from_dict, row[0])

    async def commit(
        self,
        record: SessionRecord,
        *,
        expected_version: int,
        turns: Sequence[TurnRecord] = (),
        events: Sequence[NewEvent] = (),
        fence: int | None = None,
    ) -> SessionRecord:
        saved = replace(record, version=expected_version + 1)
        key = str(saved.key)
        session_row, game_row = _session_rows(saved, key)
        turn_rows = [(t.game_id, t.turn, _encode(t.to_dict())) for t in turns]

        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                check_fence(conn, key, fence)
                if expected_version == 0:
                    hit = conn.execute(_INSERT_SESSION, session_row).rowcount
                else:
                    hit = conn.execute(_UPDATE_SESSION, (*session_row, expected_version)).rowcount
                if hit != 1:
                    raise StaleVersion(f"session {key} is no longer at version {expected_version}")
                if game_row is not None and conn.execute(_SAVE_GAME, game_row).rowcount != 1:
                    conn.execute(_TAKE_OVER_GAME, game_row)
                for row in turn_rows:
                    if conn.execute(_INSERT_TURN, row).rowcount != 1:
                        raise StaleVersion(f"turn {row[1]} of game {row[0]} is already stored")
                append_events(conn, saved.key, events, self.keep_events)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        if events:
            self.watcher.poke()
        return saved

    # ------------------------------------------------------------ EventLog

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        with self.transaction() as conn:
            check_fence(conn, str(session), fence)
            written = append_events(conn, session, events, self.keep_events)
        if written:
            self.watcher.poke()
        return written

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage:
        with self._connection() as conn:
            return read_events(conn, session, after, limit)

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT last_id FROM event_heads WHERE session_key = ?", (str(session),)
            ).fetchone()
        await self.watcher.wait(session, after, within, 0 if row is None else row[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection inside ``BEGIN IMMEDIATE``, committed at the end or rolled
        back on any error (for adapters that share this database, like the lease)."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    async def history(
        self, game_id: str, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        if limit is not None and limit < 0:
            raise InvalidInput("history limit cannot be negative")
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT data FROM turns WHERE game_id = ? AND turn >= ? ORDER BY turn LIMIT ?",
                (game_id, start, -1 if limit is None else limit),
            ).fetchall()
        return [_decode(TurnRecord.from_dict, row[0]) for row in rows]

    async def list_sessions(self) -> list[SessionSummary]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT key, version, phase, cartridge, game_id, turn, alive, updated_at"
                " FROM sessions"
            ).fetchall()
        summaries = [_summary(row) for row in rows]
        summaries.sort(key=lambda s: s.key)
        return summaries

    async def delete(self, key: SessionKey) -> bool:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = conn.execute("DELETE FROM sessions WHERE key = ?", (str(key),)).rowcount
                conn.execute(_DELETE_TURNS, (str(key),))
                conn.execute("DELETE FROM games WHERE session_key = ?", (str(key),))
                conn.execute("DELETE FROM events WHERE session_key = ?", (str(key),))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return found == 1

    async def list_games(self) -> list[GameSummary]:
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {_GAME_COLUMNS} FROM games ORDER BY updated_at DESC, game_id"
            ).fetchall()
        return [_game_summary(row) for row in rows]

    async def load_game(self, game_id: str) -> tuple[GameRecord, GameSummary] | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT data, {_GAME_COLUMNS} FROM games WHERE game_id = ?", (game_id,)
            ).fetchone()
        if row is None:
            return None
        return _decode(GameRecord.from_dict, row[0]), _game_summary(row[1:])

    async def delete_game(self, game_id: str) -> bool:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = conn.execute("DELETE FROM games WHERE game_id = ?", (game_id,)).rowcount
                conn.execute("DELETE FROM turns WHERE game_id = ?", (game_id,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return found == 1

    async def rewrite_history(self, game_id: str, turns: Sequence[TurnRecord]) -> None:
        with self._connection() as conn:
            rows = [(_encode(t.to_dict()), t.game_id, t.turn) for t in _of_game(game_id, turns)]
            conn.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    if conn.execute(_REWRITE_TURN, row).rowcount != 1:
                        raise StorageError(f"turn {row[2]} of game {game_id} is not stored")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        await self.watcher.close()
        with self._lock:
            if self._state is _State.CLOSED:
                return
            self._state = _State.CLOSED
            try:
                self._conn.close()
            except sqlite3.Error as exc:
                raise StorageError(f"closing the session database failed: {exc}") from exc

    # ------------------------------------------------------------ internals

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """The open connection, held exclusively; sqlite3 errors become StorageError."""
        with self._lock:
            if self._state is _State.CLOSED:
                raise StorageError("the session store is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StorageError(f"session database error: {exc}") from exc


def _summary(row: _Row) -> SessionSummary:
    """A summary from the columns of a sessions row."""
    key, version, phase, cartridge, game_id, turn, alive, updated_at = row
    try:
        return SessionSummary(
            key=SessionKey.parse(key),
            version=version,
            phase=Phase(phase).value,
            cartridge=cartridge,
            game_id=game_id,
            turn=turn,
            alive=bool(alive),
            updated_at=updated_at,
        )
    except (ValueError, InvalidInput) as exc:
        raise StorageError(f"a stored session summary is corrupt: {exc}"[:200]) from exc


def _game_summary(row: _Row) -> GameSummary:
    """A saved game's summary from ``_GAME_COLUMNS``."""
    game_id, cartridge, session_key, live, turn, alive, players, created_at, updated_at = row
    try:
        names = json.loads(players)
        if not isinstance(names, list):
            raise ValueError("players is not a list")
        return GameSummary(
            game_id=game_id,
            cartridge=cartridge,
            session=SessionKey.parse(session_key),
            live=bool(live),
            turn=turn,
            alive=bool(alive),
            players=tuple(str(n) for n in names),
            created_at=created_at,
            updated_at=updated_at,
        )
    except (ValueError, InvalidInput) as exc:
        raise StorageError(f"a stored game summary is corrupt: {exc}"[:200]) from exc


def _of_game(game_id: str, turns: Sequence[TurnRecord]) -> Sequence[TurnRecord]:
    """``turns``, if every one belongs to ``game_id``."""
    for t in turns:
        if t.game_id != game_id:
            raise InvalidInput(f"turn {t.turn} belongs to game {t.game_id}, not {game_id}")
    return turns
