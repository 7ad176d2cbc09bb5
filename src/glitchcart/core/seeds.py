"""Per-turn randomness derived from the session seed, so offline runs replay exactly."""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int, *parts: object) -> int:
    """A 63-bit seed derived from ``seed`` and ``parts`` (stable across processes)."""
    text = ":".join([str(seed), *(str(p) for p in parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def rng_for(seed: int, *parts: object) -> random.Random:
    """A private ``random.Random`` for one purpose of one turn."""
    return random.Random(derive_seed(seed, *parts))
