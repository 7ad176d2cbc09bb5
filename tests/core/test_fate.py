import random

from glitchcart.core.cartridge import FateOdds
from glitchcart.core.fate import Fate, fate_odds, roll_fate

ODDS = FateOdds(lucky=0.25, normal=0.5, unlucky=0.25, chaos_skew=0.4)


def test_odds_at_zero_chaos_are_the_cartridge_odds() -> None:
    assert fate_odds(ODDS, 0) == (0.25, 0.5, 0.25)


def test_chaos_moves_odds_toward_unlucky() -> None:
    assert fate_odds(ODDS, 50) == (0.2, 0.4, 0.4)
    assert fate_odds(ODDS, 100) == (0.15, 0.3, 0.55)


def test_chaos_is_clamped() -> None:
    assert fate_odds(ODDS, 250) == fate_odds(ODDS, 100)
    assert fate_odds(ODDS, -5) == fate_odds(ODDS, 0)


def test_roll_is_deterministic_for_a_seed() -> None:
    a = [roll_fate(ODDS, 10, random.Random(7)) for _ in range(5)]
    b = [roll_fate(ODDS, 10, random.Random(7)) for _ in range(5)]
    assert a == b


def test_roll_follows_the_odds() -> None:
    rng = random.Random(1)
    rolls = [roll_fate(ODDS, 0, rng) for _ in range(20_000)]
    share = rolls.count(Fate.UNLUCKY) / len(rolls)
    assert 0.23 < share < 0.27
    rng = random.Random(1)
    rolls = [roll_fate(ODDS, 100, rng) for _ in range(20_000)]
    assert 0.53 < rolls.count(Fate.UNLUCKY) / len(rolls) < 0.57


def test_certain_odds() -> None:
    always = FateOdds(lucky=1.0, normal=0.0, unlucky=0.0, chaos_skew=0.0)
    assert {roll_fate(always, 80, random.Random(i)) for i in range(50)} == {Fate.LUCKY}
