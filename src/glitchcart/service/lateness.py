"""A bounded summary of many durations (how late each deadline fired).

A process that runs for months fires millions of deadlines; keeping every figure
would grow memory without bound. This keeps the count, the sum and the maximum
exactly, and estimates quantiles from a fixed-size uniform sample (reservoir
sampling, Vitter's algorithm R): exact while fewer than ``capacity`` values have
been added, an unbiased sample of all of them after.

>>> late = Lateness(capacity=1000)
>>> for ms in range(1, 101):
...     late.add(ms / 1000)
>>> late.count, late.max, late.quantile(0.5)
(100, 0.1, 0.051)
"""

from __future__ import annotations

import random


class Lateness:
    """Count, mean, max and sampled quantiles of the values added; bounded memory."""

    def __init__(self, capacity: int = 4096, *, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.count = 0
        self.total = 0.0
        self.max = 0.0
        self._sample: list[float] = []
        self._random = random.Random(seed)  # a fixed seed: the same values, the same sample

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.max = max(self.max, value)
        if len(self._sample) < self.capacity:
            self._sample.append(value)
            return
        slot = self._random.randrange(self.count)
        if slot < self.capacity:
            self._sample[slot] = value

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    @property
    def sampled(self) -> int:
        """How many values the quantiles are computed from (at most ``capacity``)."""
        return len(self._sample)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (0 to 1, nearest rank) of the sample; 0.0 when empty."""
        if not 0.0 <= q <= 1.0:
            raise ValueError("q must be between 0 and 1")
        if not self._sample:
            return 0.0
        ordered = sorted(self._sample)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
