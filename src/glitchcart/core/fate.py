"""Fate: the LUCKY / NORMAL / UNLUCKY roll that shapes a consequence."""

from __future__ import annotations

import random
from enum import StrEnum

from glitchcart.core.cartridge import FateOdds


class Fate(StrEnum):
    LUCKY = "LUCKY"
    NORMAL = "NORMAL"
    UNLUCKY = "UNLUCKY"


def fate_odds(odds: FateOdds, chaos: int) -> tuple[float, float, float]:
    """The (lucky, normal, unlucky) odds at ``chaos`` (0-100).

    As chaos rises, a share of the lucky and normal odds moves to unlucky: at
    chaos 100 the share is ``odds.chaos_skew``.

    >>> fate_odds(FateOdds(0.25, 0.5, 0.25, 0.4), 50)
    (0.2, 0.4, 0.4)
    """
    shift = odds.chaos_skew * max(0, min(100, chaos)) / 100
    lucky = odds.lucky * (1 - shift)
    normal = odds.normal * (1 - shift)
    return (round(lucky, 6), round(normal, 6), round(1 - lucky - normal, 6))


def roll_fate(odds: FateOdds, chaos: int, rng: random.Random) -> Fate:
    """Roll one fate from a seeded random at the chaos-skewed odds."""
    lucky, normal, _ = fate_odds(odds, chaos)
    x = rng.random()
    if x < lucky:
        return Fate.LUCKY
    if x < lucky + normal:
        return Fate.NORMAL
    return Fate.UNLUCKY
