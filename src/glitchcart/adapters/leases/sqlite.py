"""A session lease in the SQLite database the sessions live in, for every process
on one machine that shares the data directory.

One row per session in ``leases``: the holder's token, its fence, when it
expires (wall-clock seconds, which processes on one machine share) and which
process holds it (host and pid namespace, pid). A lease whose holder process is
gone from this machine is free at once, not only at its expiry: a restarted
server finishes the turn its predecessor was killed in without waiting out the
TTL. (A live holder, paused or not, is never reaped; its fence guards the rest.) Taking,
renewing and releasing are each one ``BEGIN IMMEDIATE`` transaction, so two
processes never both see the lease free. Releasing clears the token but keeps
the row, so the fence never goes back; the store's commit reads the same row
(:func:`~glitchcart.adapters.stores.sqlite_events.check_fence`).

    lease = SqliteSessionLease(store, SystemClock())
    held = await lease.acquire(key, secrets.token_hex(16), ttl=10.0)
"""

from __future__ import annotations

import os
import socket

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.ports import Clock, Lease

_ROW = "SELECT token, fence, expires_at, host, pid FROM leases WHERE session_key = ?"


def this_host() -> str:
    """This machine and pid namespace: pids are comparable only within one."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{socket.gethostname()}/{namespace}"


def process_gone(pid: int) -> bool:
    """True if no process ``pid`` runs on this machine (a signal 0 probe)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    return False


class SqliteSessionLease:
    """A :class:`~glitchcart.ports.SessionLease` over a :class:`SqliteSessionStore`."""

    def __init__(self, store: SqliteSessionStore, clock: Clock, *, reap_dead: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.reap_dead = reap_dead
        self._host = this_host()
        self._pid = os.getpid()

    def _held(self, row: tuple[object, ...] | None, now: float) -> bool:
        """Whether a lease row is held by a live holder."""
        if row is None or row[0] is None or not isinstance(row[2], float | int) or row[2] <= now:
            return False
        host, pid = row[3], row[4]
        if self.reap_dead and host == self._host and isinstance(pid, int) and pid != self._pid:
            return not process_gone(pid)
        return True

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        key = str(session)
        with self.store.transaction() as conn:
            now = self.clock.now()
            row = conn.execute(_ROW, (key,)).fetchone()
            if row is not None and self._held(row, now):
                if row[0] != token:
                    return None
                conn.execute(
                    "UPDATE leases SET expires_at = ? WHERE session_key = ?", (now + ttl, key)
                )
                return Lease(session, token, row[1], now + ttl)
            fence = (0 if row is None else row[1]) + 1
            conn.execute(
                "INSERT INTO leases (session_key, token, fence, expires_at, host, pid)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_key) DO UPDATE SET"
                " token = excluded.token, fence = excluded.fence,"
                " expires_at = excluded.expires_at, host = excluded.host, pid = excluded.pid",
                (key, token, fence, now + ttl, self._host, self._pid),
            )
            return Lease(session, token, fence, now + ttl)

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        with self.store.transaction() as conn:
            now = self.clock.now()
            hit = conn.execute(
                "UPDATE leases SET expires_at = ? WHERE session_key = ? AND token = ?"
                " AND fence = ? AND expires_at > ?",
                (now + ttl, str(lease.session), lease.token, lease.fence, now),
            ).rowcount
        return Lease(lease.session, lease.token, lease.fence, now + ttl) if hit == 1 else None

    async def release(self, lease: Lease) -> bool:
        with self.store.transaction() as conn:
            hit = conn.execute(
                "UPDATE leases SET token = NULL, expires_at = 0"
                " WHERE session_key = ? AND token = ?",
                (str(lease.session), lease.token),
            ).rowcount
        return hit == 1

    async def holder(self, session: SessionKey) -> Lease | None:
        with self.store.transaction() as conn:
            row = conn.execute(_ROW, (str(session),)).fetchone()
        if row is None or not self._held(row, self.clock.now()):
            return None
        return Lease(session, str(row[0]), int(row[1]), float(row[2]))
