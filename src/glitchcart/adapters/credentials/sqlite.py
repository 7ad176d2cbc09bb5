"""Revocations in one SQLite file (WAL) under the data directory, shared by every
process on it. One row per revoked player; a lookup is one indexed read, far below
the request it guards, so it runs inline.

The connection is opened on first use and again after :meth:`close`: an app closes
it when its lifespan ends, and an app object may be started more than once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from glitchcart.adapters.stores.sqlite_wal import open_wal
from glitchcart.errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS revoked (
    namespace TEXT NOT NULL,
    player TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (namespace, player)
) WITHOUT ROWID
"""
_REVOKE = """
INSERT INTO revoked (namespace, player, at) VALUES (?, ?, ?)
ON CONFLICT (namespace, player) DO UPDATE SET at = max(at, excluded.at)
"""
_GET = "SELECT at FROM revoked WHERE namespace = ? AND player = ?"


class SqliteRevocations:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    async def revoke(self, namespace: str, player: str, at: float) -> None:
        self._run(_REVOKE, (namespace, player, at))

    async def revoked_at(self, namespace: str, player: str) -> float | None:
        row = self._run(_GET, (namespace, player))
        return None if row is None else float(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, sql: str, args: tuple[object, ...]) -> tuple[float] | None:
        with self._lock:
            if self._conn is None:
                self._conn = open_wal(
                    self.path, "the credential database", lambda c: c.execute(_SCHEMA)
                )
            try:
                row: tuple[float] | None = self._conn.execute(sql, args).fetchone()
            except sqlite3.Error as exc:
                raise StorageError(f"credential database error: {exc}") from exc
        return row
