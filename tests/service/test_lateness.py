"""The timers' lateness summary: exact figures, quantiles from a bounded sample."""

import pytest

from glitchcart.service.lateness import Lateness


def test_exact_while_the_sample_holds_every_value() -> None:
    late = Lateness(capacity=10)
    for value in [0.3, 0.1, 0.5, 0.2, 0.4]:
        late.add(value)
    assert (late.count, late.max, late.sampled) == (5, 0.5, 5)
    assert late.mean == pytest.approx(0.3)
    assert late.quantile(0.0) == 0.1
    assert late.quantile(0.5) == 0.3
    assert late.quantile(1.0) == 0.5


def test_an_empty_summary_answers_zero() -> None:
    late = Lateness()
    assert (late.count, late.max, late.mean, late.quantile(0.99)) == (0, 0.0, 0.0, 0.0)


def test_memory_stays_bounded_and_count_and_max_stay_exact() -> None:
    late = Lateness(capacity=1000)
    for i in range(100_000):
        late.add(i / 100_000)
    assert late.count == 100_000
    assert late.max == 0.99999
    assert late.sampled == 1000
    assert len(late._sample) == 1000
    # a uniform sample of a uniform stream: the median is near the middle
    assert 0.45 < late.quantile(0.5) < 0.55
    assert late.quantile(0.99) > 0.95


def test_the_same_values_give_the_same_sample() -> None:
    first, second = Lateness(capacity=50), Lateness(capacity=50)
    for i in range(5000):
        first.add(i * 0.001)
        second.add(i * 0.001)
    assert first.quantile(0.5) == second.quantile(0.5)


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        Lateness(capacity=0)
    with pytest.raises(ValueError):
        Lateness().quantile(1.5)
