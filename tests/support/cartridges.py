"""A small literal cartridge for rule tests (packaged cartridges are tested separately)."""

from __future__ import annotations

import copy
from typing import Any

from glitchcart.core.cartridge import LEXICON_KEYS, Cartridge, parse_cartridge

MINI: dict[str, Any] = {
    "id": "mini",
    "title": "Mini",
    "genre": "test",
    "premise": "A tiny world for tests.",
    "tone": "plain",
    "choice_count": 3,
    "art": {
        "palette": ["#101020", "#303050", "#404030", "#a05020", "#f0e0a0"],
        "style": "found-footage",
        "motifs": ["static"],
    },
    "stats": {"health": 10, "max_health": 10, "inventory": ["torch"], "inventory_limit": 3},
    "fate": {"lucky": 0.25, "normal": 0.5, "unlucky": 0.25, "chaos_skew": 0.4},
    "chaos": {"per_turn": 2, "phases": [{"name": "calm", "at": 0}, {"name": "wild", "at": 50}]},
    "timing": {"countdown_seconds": 10, "idle_seconds": 60, "turns_per_time_of_day": 3},
    "death": {
        "max_injuries": 2,
        "fatal_chaos": 100,
        "hesitation_damage": 1,
        "unlucky_damage": 3,
        "normal_damage": 1,
    },
    "locations": [
        {
            "id": "hall",
            "name": "the hall",
            "description": "A hall.",
            "elements": ["interior"],
            "exits": ["yard"],
        },
        {
            "id": "yard",
            "name": "the yard",
            "description": "A yard.",
            "elements": ["trees"],
            "exits": ["hall"],
        },
        {
            "id": "cave",
            "name": "the cave",
            "description": "A cave.",
            "elements": ["rocks"],
            "exits": ["yard"],
        },
    ],
    "openings": [
        {"location": "hall", "time_of_day": "dusk", "prologue": "You wake.", "visual": "a hall"},
    ],
    "lexicon": {k: [f"{k} line"] for k in LEXICON_KEYS},
}


def mini_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINI)
    data.update(changes)
    return data


def mini_cartridge(**changes: Any) -> Cartridge:
    return parse_cartridge(mini_data(**changes))
