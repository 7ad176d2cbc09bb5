"""Retries with backoff and Retry-After, and benching per provider with recovery.

Clocks and sleeps are injected: no test here waits for real time.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import pytest

from glitchcart.adapters.providers.resilient import ProviderCaller, ProviderHealth, RetryPolicy
from glitchcart.adapters.providers.scheduler import FairScheduler
from glitchcart.errors import (
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.now += seconds


def script(*outcomes: object) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """An attempt that raises or returns the given outcomes in turn."""
    calls = [0]

    async def attempt() -> str:
        outcome = outcomes[min(calls[0], len(outcomes) - 1)]
        calls[0] += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return str(outcome)

    return attempt, calls


def make(retries: int = 2, max_wait: float = 20.0) -> tuple[ProviderCaller, Clock, Sleeps]:
    clock = Clock()
    sleeps = Sleeps(clock)
    health = ProviderHealth("hosted", bench_seconds=30.0, clock=clock)
    caller = ProviderCaller(
        "hosted",
        FairScheduler(2),
        health,
        RetryPolicy(retries=retries, base_delay=0.5, max_delay=8.0, max_wait=max_wait),
        sleep=sleeps,
        rng=random.Random(1),
    )
    return caller, clock, sleeps


async def test_a_429_waits_exactly_as_long_as_retry_after_says() -> None:
    caller, _, sleeps = make()
    attempt, calls = script(ProviderRateLimited("429", retry_after=1.5), "ok")
    assert await caller.call("s:1", attempt) == "ok"
    assert calls[0] == 2
    assert sleeps.waits == [1.5]
    assert caller.available()


async def test_transient_failures_back_off_exponentially_with_jitter() -> None:
    caller, _, sleeps = make(retries=3)
    attempt, calls = script(
        ProviderUnavailable("500"), ProviderTimeout("slow"), ProviderBadOutput("junk"), "ok"
    )
    assert await caller.call("s:1", attempt) == "ok"
    assert calls[0] == 4
    assert len(sleeps.waits) == 3
    for n, wait in enumerate(sleeps.waits):
        assert 0 <= wait <= 0.5 * 2**n


async def test_gives_up_after_the_retries_and_raises_the_last_error() -> None:
    caller, _, sleeps = make(retries=2)
    attempt, calls = script(ProviderUnavailable("500"))
    with pytest.raises(ProviderUnavailable):
        await caller.call("s:1", attempt)
    assert calls[0] == 3 and len(sleeps.waits) == 2


@pytest.mark.parametrize(
    "error",
    [
        ProviderRefused("declined"),
        ProviderError("HTTP 401"),
        ProviderRateLimited("429", retry_after=1.0, quota=True),
        ProviderRateLimited("429", retry_after=60.0),
    ],
)
async def test_refusals_auth_quota_and_long_waits_are_not_retried(error: ProviderError) -> None:
    caller, _, sleeps = make()
    attempt, calls = script(error, "ok")
    with pytest.raises(type(error)):
        await caller.call("s:1", attempt)
    assert calls[0] == 1 and sleeps.waits == []


async def test_three_failed_calls_bench_the_provider_then_it_recovers() -> None:
    caller, clock, _ = make(retries=0)
    failing, calls = script(ProviderUnavailable("500"))
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            await caller.call("s:1", failing)
    assert not caller.available()
    assert caller.health.benched_for == pytest.approx(30.0)
    # While benched, calls are refused without reaching the server.
    with pytest.raises(ProviderUnavailable, match="benched"):
        await caller.call("s:2", failing)
    assert calls[0] == 3
    clock.now += 30.0
    assert caller.available()
    working, _ = script("ok")
    assert await caller.call("s:2", working) == "ok"
    assert caller.available()


async def test_a_provider_failing_again_after_its_bench_is_benched_longer() -> None:
    caller, clock, _ = make(retries=0)
    failing, _ = script(ProviderUnavailable("500"))
    for _ in range(3):
        with pytest.raises(ProviderError):
            await caller.call("s:1", failing)
    clock.now += 30.0
    with pytest.raises(ProviderError):
        await caller.call("s:1", failing)
    assert caller.health.benched_for == pytest.approx(60.0)
    clock.now += 60.0
    ok, _ = script("ok")
    await caller.call("s:1", ok)
    # Recovered: a single new failure does not bench it.
    with pytest.raises(ProviderError):
        await caller.call("s:1", failing)
    assert caller.available()


def test_a_spent_quota_benches_for_a_long_while_but_not_forever() -> None:
    clock = Clock()
    health = ProviderHealth("hosted", bench_seconds=30.0, clock=clock)
    health.failed(ProviderRateLimited("429", retry_after=None, quota=True))
    assert not health.available()
    assert health.benched_for == pytest.approx(120.0)
    clock.now += 120.0
    assert health.available()


def test_a_long_retry_after_benches_for_exactly_that_long() -> None:
    clock = Clock()
    health = ProviderHealth("hosted", bench_seconds=30.0, clock=clock)
    health.failed(ProviderRateLimited("429", retry_after=45.0))
    assert health.benched_for == pytest.approx(45.0)


def test_a_refusal_never_benches() -> None:
    health = ProviderHealth("hosted", bench_seconds=30.0, clock=Clock())
    for _ in range(10):
        health.failed(ProviderRefused("declined"))
    assert health.available()
