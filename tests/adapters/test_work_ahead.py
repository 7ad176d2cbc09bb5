"""Work done ahead in threads: handed back in order, never far ahead, failures in place."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from glitchcart.adapters.tapes.work_ahead import in_order, thread_pool


def test_results_come_back_in_the_items_order_whatever_order_they_finish_in() -> None:
    def slow_first(n: int) -> int:
        time.sleep(0.02 if n == 0 else 0)
        return n * n

    with thread_pool(3) as pool:
        assert list(in_order(pool, slow_first, range(8), window=4)) == [n * n for n in range(8)]


def test_without_a_pool_the_work_runs_in_the_calling_thread() -> None:
    with thread_pool(0) as pool:
        assert pool is None
        names = list(in_order(pool, lambda _: threading.current_thread().name, range(3), 2))
    assert names == [threading.current_thread().name] * 3


def test_no_more_than_the_window_is_taken_ahead_of_the_consumer() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(20):
            taken.append(n)
            yield n

    with thread_pool(2) as pool:
        results = in_order(pool, lambda n: n, items(), window=3)
        assert next(results) == 0
        assert len(taken) == 3


def test_a_failure_is_raised_at_its_turn_and_the_rest_is_dropped() -> None:
    done: list[int] = []

    def work(n: int) -> int:
        if n == 2:
            raise ValueError("item 2 is bad")
        done.append(n)
        return n

    with thread_pool(2) as pool:
        results = in_order(pool, work, range(100), window=3)
        assert [next(results), next(results)] == [0, 1]
        with pytest.raises(ValueError, match="item 2"):
            next(results)
    assert len(done) < 100
