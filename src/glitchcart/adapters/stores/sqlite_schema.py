"""The SQLite store's schema: its version, the migrations that reach it, and the upgrade.

A database records its schema version in ``PRAGMA user_version``. :func:`migrate`
runs, in one ``BEGIN IMMEDIATE`` transaction, every step from the version found
up to :data:`SCHEMA_VERSION` (all of them for a new database), and refuses a
database newer than this code knows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from glitchcart.adapters.stores.codec import encode as _encode
from glitchcart.adapters.stores.sqlite_events import EVENTS_SCHEMA
from glitchcart.errors import StorageError

SCHEMA_VERSION = 3

# The statements that take a database from version n - 1 to n; a new database runs them all.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE IF NOT EXISTS sessions (
            key TEXT PRIMARY KEY, version INTEGER NOT NULL, game_id TEXT, cartridge TEXT,
            phase TEXT, turn INTEGER, alive INTEGER, updated_at REAL, data TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS turns (
            game_id TEXT, turn INTEGER, data TEXT NOT NULL, PRIMARY KEY (game_id, turn))""",
        """CREATE TABLE IF NOT EXISTS games (
            game_id TEXT PRIMARY KEY, session_key TEXT, cartridge TEXT, turn INTEGER,
            alive INTEGER, updated_at REAL, data TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS games_by_session ON games (session_key)",
    ),
    2: (  # the saved-games list shows who played and since when
        "ALTER TABLE games ADD COLUMN players TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE games ADD COLUMN created_at REAL NOT NULL DEFAULT 0",
    ),
    3: EVENTS_SCHEMA,  # the durable event log and the session leases
}


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema, or bring an older one up to date, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (found,) = conn.execute("PRAGMA user_version").fetchone()
        if found > SCHEMA_VERSION:
            raise StorageError(
                f"{path} has schema version {found}; this glitchcart knows up to {SCHEMA_VERSION}"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version]:
                conn.execute(statement)
            if version == 2:
                _fill_v2_columns(conn)
        if found < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _fill_v2_columns(conn: sqlite3.Connection) -> None:
    """Give a version 1 database's games their creation time and players.

    The players are exact where the session that saved a game last still has it
    loaded (its last commit saved the game with that roster); otherwise unknown.
    A row that does not parse keeps the defaults rather than blocking the upgrade.
    """
    rows = conn.execute(
        "SELECT g.game_id, g.data, s.data FROM games AS g LEFT JOIN sessions AS s"
        " ON s.key = g.session_key AND s.game_id = g.game_id"
    ).fetchall()
    for game_id, game_data, session_data in rows:
        created_at = _parsed_or(game_data, "created_at", 0.0)
        if not isinstance(created_at, int | float):
            created_at = 0.0
        roster = _parsed_or(session_data, "roster", []) if session_data else []
        if not isinstance(roster, list):
            roster = []
        names = [p["name"] for p in roster if isinstance(p, dict) and "name" in p]
        players = _encode([str(n) for n in names])
        conn.execute(
            "UPDATE games SET created_at = ?, players = ? WHERE game_id = ?",
            (float(created_at), players, game_id),
        )


def _parsed_or(text: str, field: str, default: Any) -> Any:
    """``field`` of the JSON object ``text``, or ``default`` if it is not there."""
    try:
        data = json.loads(text)
    except ValueError:
        return default
    return data.get(field, default) if isinstance(data, dict) else default
