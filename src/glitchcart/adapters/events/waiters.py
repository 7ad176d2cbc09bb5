"""Who waits for which session's events, for the stores' change signals.

A store's watcher (SQLite's ``data_version`` poll, Redis's blocking ``XREAD`` or
polled heads) learns that a session's newest event id moved; :class:`Waiters`
holds the local waiters of every session and wakes those whose id it passed.

    waiters = Waiters()
    await waiters.wait(session, after=12, within=1.0, started=watcher.ensure_running)
    waiters.wake(session, last=13)       # from the watcher, when it sees the head move
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from glitchcart.core.keys import SessionKey


class Waiters:
    """Local waiters per session, each for an event id above its own ``after``."""

    def __init__(self) -> None:
        self._by_session: dict[SessionKey, list[tuple[int, asyncio.Future[None]]]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_session)

    def sessions(self) -> list[SessionKey]:
        return list(self._by_session)

    def items(self) -> Iterator[tuple[SessionKey, int]]:
        """Every (session, after) still waited for."""
        for session, entries in self._by_session.items():
            for after, _ in entries:
                yield session, after

    def lowest_open(self) -> dict[SessionKey, int]:
        """Per session, the lowest ``after`` of a waiter not yet woken."""
        lowest: dict[SessionKey, int] = {}
        for session, entries in self._by_session.items():
            open_afters = [after for after, waiter in entries if not waiter.done()]
            if open_afters:
                lowest[session] = min(open_afters)
        return lowest

    def wake(self, session: SessionKey, last: int) -> None:
        """The session's newest event id is ``last``: wake whoever waits below it."""
        for after, waiter in self._by_session.get(session, []):
            if last > after and not waiter.done():
                waiter.set_result(None)

    async def wait(
        self, session: SessionKey, after: int, within: float, started: Callable[[], None]
    ) -> None:
        """Until ``wake`` passes ``after``, or ``within`` seconds; ``started`` runs once the
        waiter is registered (it starts or nudges the watcher), so no change falls between."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._by_session.setdefault(session, []).append((after, waiter))
        started()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await waiter
        finally:
            entries = self._by_session.get(session, [])
            with contextlib.suppress(ValueError):
                entries.remove((after, waiter))
            if not entries:
                self._by_session.pop(session, None)
