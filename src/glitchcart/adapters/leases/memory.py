"""A session lease in one process's memory (what one process's lock used to be).

Pass it the memory store's ``fences`` (and ``leases``) so the store's commit
checks the fences this lease hands out, and engines sharing the store share it::

    store = MemorySessionStore()
    lease = MemorySessionLease(clock, fences=store.fences, held=store.leases)
"""

from __future__ import annotations

from dataclasses import dataclass

from glitchcart.core.keys import SessionKey
from glitchcart.ports import Clock, Lease


@dataclass(slots=True)
class _Held:
    token: str | None
    expires_at: float


class MemorySessionLease:
    """A :class:`~glitchcart.ports.SessionLease` for sessions of one process.

    No call awaits, so each is atomic on the event loop.
    """

    def __init__(
        self,
        clock: Clock,
        fences: dict[SessionKey, int] | None = None,
        held: dict[SessionKey, object] | None = None,
    ) -> None:
        self.clock = clock
        self.fences = {} if fences is None else fences
        # who holds what; pass a store's ``leases`` so every engine on it shares them
        self._held: dict[SessionKey, _Held] = {} if held is None else held  # type: ignore[assignment]

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        now = self.clock.now()
        held = self._held.get(session)
        if held is not None and held.token is not None and held.expires_at > now:
            if held.token != token:
                return None
            held.expires_at = now + ttl
            return Lease(session, token, self.fences[session], held.expires_at)
        fence = self.fences.get(session, 0) + 1
        self.fences[session] = fence
        self._held[session] = _Held(token, now + ttl)
        return Lease(session, token, fence, now + ttl)

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        now = self.clock.now()
        held = self._held.get(lease.session)
        if (
            held is None
            or held.token != lease.token
            or held.expires_at <= now
            or self.fences.get(lease.session) != lease.fence
        ):
            return None
        held.expires_at = now + ttl
        return Lease(lease.session, lease.token, lease.fence, held.expires_at)

    async def release(self, lease: Lease) -> bool:
        held = self._held.get(lease.session)
        if held is None or held.token != lease.token:
            return False
        del self._held[lease.session]  # the fence stays: the next holder's is higher
        return True

    async def holder(self, session: SessionKey) -> Lease | None:
        held = self._held.get(session)
        if held is None or held.token is None or held.expires_at <= self.clock.now():
            return None
        return Lease(session, held.token, self.fences[session], held.expires_at)
