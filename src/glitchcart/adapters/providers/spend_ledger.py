"""Where the model spend of sessions and games is kept, so budgets outlive a process.

A budget that lived only in one process's memory was reset by a restart, and
forgotten for a session pushed out of the meter's bounded memory. The ledger
keeps a running total per scope ("session" or "game") and key:

    ledger = SqliteSpendLedger(data_dir / "spend.db")     # shared by processes
    total = ledger.add("session", "discord:1", Usage(1200, 300), cost=0.004)
    ledger.get("session", "discord:1").cost

:class:`~glitchcart.adapters.providers.metering.MemorySpendLedger` keeps the same totals in
memory (no data directory: tests, throwaway runs). Each ``add`` is one upsert; with
WAL it takes tens of microseconds, far below the model call it records, so it runs
inline.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from glitchcart.adapters.providers.metering import Tally, Usage
from glitchcart.adapters.stores.sqlite_wal import open_wal
from glitchcart.errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spend (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    images INTEGER NOT NULL,
    cost REAL NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID
"""
_ADD = """
INSERT INTO spend (scope, key, input_tokens, output_tokens, images, cost, calls)
VALUES (?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (scope, key) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    images = images + excluded.images,
    cost = cost + excluded.cost,
    calls = calls + 1
RETURNING input_tokens, output_tokens, images, cost, calls
"""
_GET = "SELECT input_tokens, output_tokens, images, cost, calls FROM spend WHERE scope=? AND key=?"


class SqliteSpendLedger:
    """Totals in one SQLite file (WAL), shared by every process on the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        conn = open_wal(path, "the spend ledger", lambda c: c.execute(_SCHEMA))
        self._conn: sqlite3.Connection | None = conn

    def add(self, scope: str, key: str, usage: Usage, cost: float) -> Tally:
        row = self._run(
            _ADD, (scope, key, usage.input_tokens, usage.output_tokens, usage.images, cost)
        )
        assert row is not None  # an upsert with RETURNING always returns its row
        return _tally(row)

    def get(self, scope: str, key: str) -> Tally:
        row = self._run(_GET, (scope, key))
        return Tally() if row is None else _tally(row)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, sql: str, args: tuple[object, ...]) -> tuple[int, int, int, float, int] | None:
        with self._lock:
            if self._conn is None:
                raise StorageError("the spend ledger is closed")
            try:
                row = self._conn.execute(sql, args).fetchone()
            except sqlite3.Error as exc:
                raise StorageError(f"spend ledger error: {exc}") from exc
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]), row[3], row[4])


def _tally(row: tuple[int, int, int, float, int]) -> Tally:
    input_tokens, output_tokens, images, cost, calls = row
    return Tally(Usage(input_tokens, output_tokens, images), float(cost), int(calls))
