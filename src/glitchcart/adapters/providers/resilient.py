"""Calling one provider reliably: retries with backoff, Retry-After, and a bench.

The predecessor switched a model off for the whole process on its first quota
error. Here a failing provider is *benched*: skipped by every session for a
cool-down, then tried again. Benching is per provider, and the cool-down grows
while the provider keeps failing and resets on its first success::

    3 failed calls in a row            -> benched for bench_seconds
    fails again right after the bench  -> benched for 2x, then 4x ... (at most 16x)
    429 with Retry-After longer than the longest wait we obey, or quota spent
                                       -> benched for that long (quota: 4x bench_seconds)
    a refusal                          -> not the provider's fault; no bench

:class:`ProviderCaller` puts it together for one call: refuse at once while
benched, wait for a fair slot (:class:`~glitchcart.adapters.providers.scheduler.FairScheduler`),
try, and on a transient failure wait (Retry-After if the server sent one, else
exponential backoff with jitter) *without holding the slot*, then queue again.

    caller = ProviderCaller("hosted", FairScheduler(4), ProviderHealth("hosted", 30.0))
    reply = await caller.call("discord:123", lambda: client.complete(...))
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from glitchcart.adapters.providers.scheduler import FairScheduler
from glitchcart.errors import (
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
)

T = TypeVar("T")

FAILURES_TO_BENCH = 3
MAX_BENCH_FACTOR = 16
QUOTA_BENCH_FACTOR = 4


def is_transient(exc: ProviderError) -> bool:
    """Whether trying the same call again soon may succeed."""
    return isinstance(exc, ProviderTimeout | ProviderUnavailable | ProviderBadOutput) or (
        isinstance(exc, ProviderRateLimited) and not exc.quota
    )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 2  # attempts after the first
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 20.0  # the longest Retry-After obeyed; longer benches the provider

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter exponential backoff for retry number ``attempt`` (0-based)."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


class ProviderHealth:
    """Whether one provider may be called now; benches it while it keeps failing."""

    def __init__(
        self,
        name: str,
        bench_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        failures_to_bench: int = FAILURES_TO_BENCH,
    ) -> None:
        self.name = name
        self.bench_seconds = bench_seconds
        self._clock = clock
        self._failures_to_bench = failures_to_bench
        self._failures = 0
        self._benchings = 0
        self._until = 0.0

    def available(self) -> bool:
        return self._clock() >= self._until

    @property
    def benched_for(self) -> float:
        """Seconds left on the bench (0 when available)."""
        return max(0.0, self._until - self._clock())

    def succeeded(self) -> None:
        self._failures = 0
        self._benchings = 0
        self._until = 0.0

    def failed(self, exc: ProviderError) -> None:
        """Count a failed call (after its retries); bench the provider if it keeps failing."""
        if isinstance(exc, ProviderRefused):
            return
        self._failures += 1
        if isinstance(exc, ProviderRateLimited) and exc.quota:
            self._bench(max(exc.retry_after or 0.0, self.bench_seconds * QUOTA_BENCH_FACTOR))
        elif isinstance(exc, ProviderRateLimited | ProviderUnavailable) and exc.retry_after:
            self._bench(exc.retry_after)
        elif self._failures >= self._failures_to_bench:
            factor = min(MAX_BENCH_FACTOR, 2**self._benchings)
            self._benchings += 1
            self._bench(self.bench_seconds * factor)

    def _bench(self, seconds: float) -> None:
        self._until = max(self._until, self._clock() + seconds)


class ProviderCaller:
    """Bench check, fair slot, attempt, retry: the one way a provider is called."""

    def __init__(
        self,
        name: str,
        scheduler: FairScheduler,
        health: ProviderHealth,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.scheduler = scheduler
        self.health = health
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()

    def available(self) -> bool:
        return self.health.available()

    async def call(self, session: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run ``attempt`` for ``session``; raise the last ProviderError if it keeps failing."""
        policy = self.policy
        for n in range(policy.retries + 1):
            if not self.health.available():
                raise ProviderUnavailable(f"provider {self.name} is benched")
            try:
                result = await self.scheduler.run(session, attempt)
            except ProviderError as exc:
                wait = self._wait_before_retry(exc, n)
                if wait is None:
                    self.health.failed(exc)
                    raise
                await self._sleep(wait)
            else:
                self.health.succeeded()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_before_retry(self, exc: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to give up now."""
        if attempt >= self.policy.retries or not is_transient(exc):
            return None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return retry_after if retry_after <= self.policy.max_wait else None
        return self.policy.backoff(attempt, self._rng)
