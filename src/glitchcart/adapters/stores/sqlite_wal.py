"""Opening a SQLite file the way every glitchcart database wants it.

WAL journal, ``synchronous=NORMAL``, a busy timeout, and a schema step run in
the same retry: switching a fresh file to WAL takes a lock for which SQLite does
not always call the busy handler, so two processes opening a new data directory
at once can see "database is locked" even with a busy timeout::

    conn = open_wal(path, "the spend ledger", lambda c: c.execute(SCHEMA))

Every sqlite3 failure leaves as :class:`StorageError` naming ``what``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from glitchcart.errors import StorageError

BUSY_TIMEOUT_MS = 5000
RETRY_PAUSE = 0.05


def open_wal(
    path: Path, what: str, schema: Callable[[sqlite3.Connection], object]
) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode whose ``schema`` step has run (autocommit;
    usable from any thread under the caller's own lock)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open {what} {path}: {exc}") from exc
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    try:
        while True:
            try:
                _setup(conn, path, schema)
                return conn
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise StorageError(f"cannot open {what} {path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open {what} {path}: {exc}") from exc
            time.sleep(RETRY_PAUSE)
    except BaseException:
        conn.close()
        raise


def _setup(
    conn: sqlite3.Connection, path: Path, schema: Callable[[sqlite3.Connection], object]
) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if str(mode).lower() != "wal":
        raise StorageError(f"{path}: cannot switch the database to WAL mode")
    conn.execute("PRAGMA synchronous = NORMAL")
    schema(conn)
