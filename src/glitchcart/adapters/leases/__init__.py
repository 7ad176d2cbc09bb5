"""Session leases: who drives a session (:class:`glitchcart.ports.SessionLease`)."""

from __future__ import annotations

from glitchcart.adapters.leases.memory import MemorySessionLease
from glitchcart.adapters.leases.redis import RedisSessionLease
from glitchcart.adapters.leases.sqlite import SqliteSessionLease
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.ports import Clock, SessionLease, SessionStore


def lease_for(store: SessionStore, clock: Clock) -> SessionLease:
    """The lease whose fences ``store`` checks (every process on the store shares it)."""
    if isinstance(store, SqliteSessionStore):
        return SqliteSessionLease(store, clock)
    if isinstance(store, RedisSessionStore):
        return RedisSessionLease(store, clock)
    if isinstance(store, MemorySessionStore):
        return MemorySessionLease(clock, fences=store.fences, held=store.leases)
    raise TypeError(f"no session lease for {type(store).__name__}")


__all__ = ["MemorySessionLease", "RedisSessionLease", "SqliteSessionLease", "lease_for"]
