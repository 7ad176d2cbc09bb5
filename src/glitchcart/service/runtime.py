"""The session runtime: who drives a session, and how its changes are committed
and published. The one seam between the engine and the store, lease and bus.

- **Locks.** A local :class:`asyncio.Lock` per session serializes this process's
  transitions; across processes the store's version check keeps them safe.
- **Leases.** A turn's resolution (close, narrate, paint, commit) runs under the
  session's lease (:class:`~glitchcart.ports.SessionLease`), taken before the turn
  closes and renewed at a third of its TTL while the providers work. Whoever
  holds it does the turn's work; anyone else finding the turn RESOLVING answers
  "turn is resolving" and does nothing, until the lease expires (its holder died)
  and one of them takes it over. Commits under the lease carry its fence, so a
  holder that lost it during a pause cannot commit over its successor.
- **Events.** A commit's events go into the commit (:meth:`commit`); events that
  change no state are appended under the same fence (:meth:`publish`);
  ephemeral ones only reach live subscribers.
- **Background work.** Resolutions and media started after a commit run as tasks
  this runtime keeps (:meth:`background`) until :meth:`drain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase, SessionRecord, turn_resolving
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import GlitchcartError, SessionNotFound, StaleVersion, TurnResolving
from glitchcart.ports import (
    EPHEMERAL_KINDS,
    Clock,
    EventBus,
    Lease,
    NewEvent,
    SessionLease,
    SessionStore,
)

DeadlineListener = Callable[[SessionKey, float | None], None]
TAKEOVER_WAIT = 0.1  # seconds between looks for a turn another holder is finishing
log = logging.getLogger(__name__)


class SessionRuntime:
    """Locks, leases, commits and events of the sessions of one process."""

    def __init__(
        self,
        *,
        store: SessionStore,
        lease: SessionLease,
        ttl: float,
        events: EventBus | None = None,
    ) -> None:
        self.store = store
        self.lease = lease
        self.ttl = ttl
        self.events = events
        self.deadline_listeners: list[DeadlineListener] = []
        self._locks: weakref.WeakValueDictionary[SessionKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._held: dict[SessionKey, Lease] = {}  # leases this process holds right now
        self._prefix = secrets.token_hex(4)  # this process, in the tokens it takes leases with
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------ loading

    async def load(self, key: SessionKey) -> SessionRecord:
        """The stored record of ``key``, or :class:`SessionNotFound`."""
        record = await self.store.load(key)
        if record is None:
            raise SessionNotFound(f"no session {key}; boot a cartridge into it first")
        return record

    # ------------------------------------------------------------ locks and leases

    def lock(self, key: SessionKey) -> asyncio.Lock:
        """This process's lock of ``key`` (it serializes transitions, not processes)."""
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def take(self, key: SessionKey) -> Lease | None:
        """The session's lease for a new resolution; None while anyone holds it
        (this process included: a resolution in flight here holds it too)."""
        if key in self._held:
            return None
        token = f"{self._prefix}-{secrets.token_hex(8)}"
        lease = await self.lease.acquire(key, token, self.ttl)
        if lease is not None:
            self._held[key] = lease
        return lease

    async def give_back(self, lease: Lease) -> None:
        """Release ``lease`` (if it is still ours) and forget it."""
        held = self._held.get(lease.session)
        if held is not None and held.token == lease.token:
            del self._held[lease.session]
        try:
            await self.lease.release(lease)
        except GlitchcartError:  # a lost release only delays a successor by the TTL
            log.exception("releasing the lease of %s failed", lease.session)

    async def lease_for_turn(self, key: SessionKey) -> Lease:
        """The lease a turn closed now resolves under (the caller holds the lock)."""
        lease = await self.take(key)
        if lease is None:
            raise turn_resolving()
        return lease

    async def take_over(self, record: SessionRecord) -> Lease | None:
        """The lease of ``record``'s resolving turn if nobody holds it; None if a
        resolution (here or in another process) holds it or the turn is done."""
        lease = await self.take(record.key)
        if lease is None:
            return None
        current = await self.store.load(record.key)
        if (
            current is None
            or current.phase is not Phase.RESOLVING
            or current.version != record.version
        ):
            await self.give_back(lease)
            return None
        return lease

    async def stored_turn(self, key: SessionKey, game_id: str, turn: int) -> TurnRecord:
        """Turn ``turn`` of ``game_id`` as committed, or StaleVersion if it is not."""
        committed = await self.store.history(game_id, start=turn, limit=1)
        if committed and committed[0].turn == turn:
            return committed[0]
        raise StaleVersion(f"turn {turn} of {key} is no longer resolving")

    async def committed_turn(self, record: SessionRecord, until: float, clock: Clock) -> TurnRecord:
        """The pending turn of ``record`` once its new lease holder has committed it
        (this holder lost the lease); TurnResolving if that takes past ``until``."""
        assert record.game is not None and record.pending is not None
        game_id, pending, key = record.game.game_id, record.pending, record.key
        while True:
            with contextlib.suppress(StaleVersion):
                return await self.stored_turn(key, game_id, pending.turn)
            current = await self.store.load(key)
            if current is None or not current.awaits(game_id, pending):
                return await self.stored_turn(key, game_id, pending.turn)
            if clock.now() > until:
                raise TurnResolving("the turn is still resolving in another process")
            await asyncio.sleep(TAKEOVER_WAIT)

    def fence(self, key: SessionKey) -> int | None:
        """The fence of the lease this process holds on ``key``, if any."""
        lease = self._held.get(key)
        return None if lease is None else lease.fence

    @contextlib.asynccontextmanager
    async def renewing(self, lease: Lease) -> AsyncIterator[None]:
        """Renew ``lease`` at a third of its TTL while the block runs."""
        task = asyncio.get_running_loop().create_task(self._renew(lease))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _renew(self, lease: Lease) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                renewed = await self.lease.renew(lease, self.ttl)
            except GlitchcartError:  # a storage hiccup: try again at the next third
                log.exception("renewing the lease of %s failed", lease.session)
                continue
            if renewed is None:
                # Lost (a pause longer than the TTL): the fence makes our commit fail.
                log.warning("the lease of %s was lost while resolving", lease.session)
                return

    # ------------------------------------------------------------ background work

    def background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` (a turn resolution, a film) as a task. A failure is logged, never
        lost: a turn stays RESOLVING and is recovered on next access or restart."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background turn failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until every background task has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------ commits and events

    async def commit(
        self,
        record: SessionRecord,
        *,
        turns: Sequence[TurnRecord] = (),
        events: Sequence[NewEvent] = (),
        fence: int | None = None,
    ) -> SessionRecord:
        """Commit ``record`` over the version it was loaded at, with its events."""
        committed = await self.store.commit(
            record.evolve(version=record.version + 1),
            expected_version=record.version,
            turns=turns,
            events=events,
            fence=fence,
        )
        for listener in self.deadline_listeners:
            listener(committed.key, committed.next_deadline())
        return committed

    async def update(
        self,
        key: SessionKey,
        change: Callable[[SessionRecord], SessionRecord],
        events: Sequence[NewEvent] = (),
    ) -> SessionRecord:
        """Run ``change(record)`` under the lock and commit it with ``events``
        (nothing is committed if it returns the record unchanged)."""
        async with self.lock(key):
            record = await self.load(key)
            updated = change(record)
            if updated is not record:
                await self.commit(updated, events=events)
        return updated

    async def publish(self, key: SessionKey, kind: str, data: dict[str, Any]) -> None:
        """An event that changes no state: appended under this process's fence of the
        session if it holds one; an ephemeral kind goes to live subscribers only."""
        if kind in EPHEMERAL_KINDS:
            if self.events is not None:
                await self.events.publish(key, kind, data)
            return
        await self.store.append(key, [NewEvent(kind, data)], fence=self.fence(key))
