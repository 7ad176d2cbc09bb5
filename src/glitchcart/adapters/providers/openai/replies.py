"""What a model's reply must look like, and how it becomes a narration or choices.

The model proposes, the rules dispose. This module holds the reply contract:
the JSON schemas sent to the server and the readers that turn a parsed object
into a :class:`~glitchcart.ports.Narration` or choices. The readers are lenient
about form (a number sent as ``"3"``, a missing list) and strict about content:
damage within what the fate allows, at most one item gained (never on an
unlucky turn), moves only along exits. ``apply_delta`` clamps again afterwards;
this is the first line, not the only one.

A reply that reads like a refusal or a leak ("As an AI language model...") is
refused, so it never becomes part of the story.
"""

from __future__ import annotations

import re
from typing import Any

from glitchcart.adapters.providers.openai.prompts import MAX_HEAL
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.state import StateDelta, WorldState, max_damage
from glitchcart.core.turn import Choice, InputKind, TurnInput
from glitchcart.errors import ProviderBadOutput, ProviderRefused

MAX_NARRATION = 1500
MAX_PROLOGUE = 2000
MAX_NAME = 60
MAX_CHOICE = 90
INTENTS = ("move", "search", "fight", "hide", "use", "talk", "wait", "rest", "act")

_NULLABLE_TEXT = {"type": ["string", "null"]}
NARRATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "narration", "damage", "injury", "healed_injury", "items_gained", "items_lost",
        "move_to", "chaos", "advance_time", "event", "dead", "cause",
    ],
    "properties": {
        "narration": {"type": "string"},
        "damage": {"type": "integer"},
        "injury": _NULLABLE_TEXT,
        "healed_injury": _NULLABLE_TEXT,
        "items_gained": {"type": "array", "items": {"type": "string"}},
        "items_lost": {"type": "array", "items": {"type": "string"}},
        "move_to": _NULLABLE_TEXT,
        "chaos": {"type": "integer"},
        "advance_time": {"type": "boolean"},
        "event": {"type": "string"},
        "dead": {"type": "boolean"},
        "cause": _NULLABLE_TEXT,
    },
}  # fmt: skip
CHOICES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["choices"],
    "properties": {
        "choices": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "intent", "target"],
                "properties": {
                    "text": {"type": "string"},
                    "intent": {"type": "string", "enum": list(INTENTS)},
                    "target": _NULLABLE_TEXT,
                },
            },
        }
    },
}

_LEAK = re.compile(
    r"\b(as an ai\b|language model|i(?:'m| am) sorry,? but|i can(?:not|'t) (?:help|comply|assist"
    r"|continue|do that)|openai|system prompt|json|traceback|http \d{3}|error:)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: Any, limit: int, *, what: str) -> str:
    """Prose from a model: a non-empty string, control characters removed, no leaks."""
    if not isinstance(value, str) or not value.strip():
        raise ProviderBadOutput(f"reply has no {what}")
    text = " ".join(_CONTROL.sub(" ", value).split())
    if _LEAK.search(text):
        raise ProviderRefused(f"the {what} reads like a refusal or a leak")
    if len(text) > limit:
        cut = text[:limit]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        text = cut[: end + 1] if end > limit // 2 else cut.rstrip() + "…"
    return text


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
        return int(value)
    return default


def _name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())[:MAX_NAME]
    return text or None


def _names(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return tuple(n for n in (_name(v) for v in items[:4]) if n)


def _exit(cartridge: Cartridge, state: WorldState, value: Any) -> str | None:
    """An exit of the current location named by id or by name, else None."""
    wanted = _name(value)
    if wanted is None:
        return None
    try:
        exits = cartridge.location(state.location).exits
    except KeyError:
        return None
    for exit_id in exits:
        if wanted.casefold() in (exit_id, cartridge.location(exit_id).name.casefold()):
            return exit_id
    return None


def read_narration(
    data: dict[str, Any],
    cartridge: Cartridge,
    state: WorldState,
    turn_input: TurnInput,
    fate: Fate | None,
) -> tuple[str, StateDelta]:
    """The narration text and the delta it proposes, within the reply contract."""
    text = clean_text(data.get("narration"), MAX_NARRATION, what="narration")
    hesitation = turn_input.kind is InputKind.HESITATE
    limit = max_damage(cartridge, fate, hesitation=hesitation)
    heal = MAX_HEAL if fate is not Fate.UNLUCKY else 0
    damage = max(-heal, min(limit, _int(data.get("damage"))))
    gained = () if fate is Fate.UNLUCKY or fate is None else _names(data.get("items_gained"))[:1]
    lost = tuple(i for i in _names(data.get("items_lost")) if i in state.inventory)
    injury = _name(data.get("injury")) if fate in (Fate.NORMAL, Fate.UNLUCKY) else None
    healed = _name(data.get("healed_injury"))
    event = _name(data.get("event")) or text.split(". ")[0][:MAX_NAME]
    dead = data.get("dead") is True and fate is Fate.UNLUCKY
    delta = StateDelta(
        damage=damage,
        injuries_added=(injury,) if injury else (),
        injuries_healed=(healed,) if healed in state.injuries else (),
        items_gained=gained,
        items_lost=lost,
        move_to=None if hesitation else _exit(cartridge, state, data.get("move_to")),
        chaos=max(-5, min(5, _int(data.get("chaos")))),
        advance_time=data.get("advance_time") is True or turn_input.kind is InputKind.TICK,
        event=event,
        fatal=dead,
        cause=_name(data.get("cause")) if dead else None,
    )
    return text, delta


def read_choices(
    data: dict[str, Any], count: int, avoid: tuple[str, ...], inventory: tuple[str, ...]
) -> tuple[Choice, ...]:
    """Up to ``count`` distinct choices; an empty tuple if the reply offers none usable."""
    raw = data.get("choices")
    if not isinstance(raw, list):
        raise ProviderBadOutput("reply has no choices list")
    seen = {a.casefold() for a in avoid}
    picked: list[Choice] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        try:
            text = clean_text(item.get("text"), MAX_CHOICE, what="choice")
        except (ProviderBadOutput, ProviderRefused):
            continue
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        intent = item.get("intent") if item.get("intent") in INTENTS else "act"
        target = _name(item.get("target"))
        if intent == "use" and target not in inventory:
            intent, target = "act", None
        picked.append(Choice(text, str(intent), target))
        if len(picked) == count:
            break
    return tuple(picked)
