"""Story-consistent lines used when a provider fails; never an error message."""

from __future__ import annotations

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput

_LINES = (
    "For a moment everything goes still, as if the world is holding its breath. "
    "When it lets go, you are still in {place}, and nothing has quite changed.",
    "The moment smears like a bad tape. When the picture steadies, {place} is exactly "
    "as it was, and you are still standing in it.",
    "Time stutters. You blink, and {place} settles around you again, patient and watchful.",
)


def fallback_narration(cartridge: Cartridge, state: WorldState, turn_input: TurnInput) -> str:
    """A neutral consequence that fits any story and changes nothing."""
    try:
        place = cartridge.location(state.location).name
    except KeyError:
        place = "this place"
    index = (state.turn + len(turn_input.text)) % len(_LINES)
    return _LINES[index].format(place=place)


def fallback_delta(turn_input: TurnInput) -> StateDelta:
    """A fallback never hurts or moves the player; a tick still lets time pass."""
    return StateDelta(advance_time=turn_input.kind is InputKind.TICK)


def fallback_choices(cartridge: Cartridge, state: WorldState, count: int) -> tuple[Choice, ...]:
    """Plain choices built from the location's exits and a few universal actions."""
    try:
        here = cartridge.location(state.location)
    except KeyError:
        here = cartridge.locations[0]
    options: list[Choice] = []
    for exit_id in here.exits:
        options.append(Choice(f"Head for {cartridge.location(exit_id).name}", "move", exit_id))
    options.append(Choice(f"Search {here.name} carefully", "search", here.id))
    options.append(Choice("Stay still and listen", "wait", None))
    options.append(Choice("Check your gear and catch your breath", "rest", None))
    return tuple(options[:count])
