"""Ports of time and ownership: the session lease (who drives a session, with a fencing
number) and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from glitchcart.core.keys import SessionKey


@dataclass(frozen=True, slots=True)
class Lease:
    """A session held by one holder until ``expires_at`` (the lease adapter's clock).

    ``fence`` rises with every new holder of the session (never with a renewal);
    commits made under the lease carry it, and the store refuses a fence older
    than the newest one handed out.
    """

    session: SessionKey
    token: str
    fence: int
    expires_at: float


class SessionLease(Protocol):
    """Who drives a session: one holder at a time, for a TTL, renewed while it works.

    Modelled on redis-py's ``redis.asyncio.lock.Lock`` (a random token, a TTL,
    release and extend only by the token's owner, compare-and-delete), with a
    fencing value added after Kleppmann ("How to do distributed locking", 2016).

    The race a TTL cannot close: holder A takes the lease, then pauses (a GC
    pause, a stopped VM, a slow model call whose renewal task was starved) for
    longer than the TTL. The lease expires; B takes it over with a higher fence
    and finishes A's turn. A wakes up still believing it holds the lease and
    commits. Checking "do I still hold it?" before committing does not help (A
    can pause between the check and the write), so the store itself checks: A's
    commit carries A's fence, which is older than B's, and is refused
    (:class:`LeaseLost`). Renewing at a third of the TTL keeps a live holder's
    lease; the fence makes a holder that lost it harmless.

    A Redis adapter: ``SET key token NX PX ttl`` plus ``INCR`` of the session's
    fence key in one script; renew and release are scripts that compare the token
    first; the fence key shares the session's hash tag so the commit script can
    read it.
    """

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        """Take the session for ``token`` for ``ttl`` seconds; None if another holds it.

        Taking it again with the same token while held renews it (same fence).
        """
        ...

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        """Extend a lease still held by its token; None if it expired and was lost."""
        ...

    async def release(self, lease: Lease) -> bool:
        """Give the lease up if ``lease.token`` still holds it (compare-and-delete)."""
        ...

    async def holder(self, session: SessionKey) -> Lease | None:
        """The current unexpired lease of the session, if any (for display and tests)."""
        ...


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock UTC seconds since the epoch."""
        ...
