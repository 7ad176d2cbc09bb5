"""A session lease in the SQLite database the sessions live in, for every process
on one machine that shares the data directory.

One row per session in ``leases``: the holder's token, its fence and when it
expires (wall-clock seconds, which processes on one machine share). Taking,
renewing and releasing are each one ``BEGIN IMMEDIATE`` transaction, so two
processes never both see the lease free. Releasing clears the token but keeps
the row, so the fence never goes back; the store's commit reads the same row
(:func:`~glitchcart.adapters.stores.sqlite_events.check_fence`).

    lease = SqliteSessionLease(store, SystemClock())
    held = await lease.acquire(key, secrets.token_hex(16), ttl=10.0)
"""

from __future__ import annotations

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.ports import Clock, Lease

_ROW = "SELECT token, fence, expires_at FROM leases WHERE session_key = ?"


class SqliteSessionLease:
    """A :class:`~glitchcart.ports.SessionLease` over a :class:`SqliteSessionStore`."""

    def __init__(self, store: SqliteSessionStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        key = str(session)
        with self.store.transaction() as conn:
            now = self.clock.now()
            row = conn.execute(_ROW, (key,)).fetchone()
            if row is not None and row[0] is not None and row[2] > now:
                if row[0] != token:
                    return None
                conn.execute(
                    "UPDATE leases SET expires_at = ? WHERE session_key = ?", (now + ttl, key)
                )
                return Lease(session, token, row[1], now + ttl)
            fence = (0 if row is None else row[1]) + 1
            conn.execute(
                "INSERT INTO leases (session_key, token, fence, expires_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (session_key) DO UPDATE SET token = excluded.token,"
                " fence = excluded.fence, expires_at = excluded.expires_at",
                (key, token, fence, now + ttl),
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
        if row is None or row[0] is None or row[2] <= self.clock.now():
            return None
        return Lease(session, row[0], row[1], row[2])
