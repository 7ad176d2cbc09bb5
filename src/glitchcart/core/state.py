"""World state and the one function that changes it: :func:`apply_delta`.

The narrator proposes a :class:`StateDelta`; the rules dispose. ``apply_delta``
clamps health, enforces the inventory limit, bounds chaos, only moves along a
location's exits, and decides death from the state and the cartridge's death
rules — never from the narrator's say-so alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from glitchcart.core.cartridge import TIMES_OF_DAY, Cartridge
from glitchcart.core.fate import Fate

RECENT_EVENTS = 6
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class WorldState:
    turn: int
    location: str
    time_of_day: str
    chaos: int
    chaos_phase: str
    health: int
    max_health: int
    injuries: tuple[str, ...]
    inventory: tuple[str, ...]
    flags: tuple[tuple[str, str], ...] = ()
    recent_events: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    alive: bool = True
    cause_of_death: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "location": self.location,
            "time_of_day": self.time_of_day,
            "chaos": self.chaos,
            "chaos_phase": self.chaos_phase,
            "health": self.health,
            "max_health": self.max_health,
            "injuries": list(self.injuries),
            "inventory": list(self.inventory),
            "flags": dict(self.flags),
            "recent_events": list(self.recent_events),
            "seen": list(self.seen),
            "alive": self.alive,
            "cause_of_death": self.cause_of_death,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WorldState:
        return cls(
            turn=int(d["turn"]),
            location=str(d["location"]),
            time_of_day=str(d["time_of_day"]),
            chaos=int(d["chaos"]),
            chaos_phase=str(d["chaos_phase"]),
            health=int(d["health"]),
            max_health=int(d["max_health"]),
            injuries=tuple(d["injuries"]),
            inventory=tuple(d["inventory"]),
            flags=tuple(sorted(dict(d.get("flags", {})).items())),
            recent_events=tuple(d.get("recent_events", ())),
            seen=tuple(d.get("seen", ())),
            alive=bool(d["alive"]),
            cause_of_death=d.get("cause_of_death"),
        )


@dataclass(frozen=True, slots=True)
class StateDelta:
    """What a consequence proposes to change. Everything is optional."""

    damage: int = 0  # negative heals
    injuries_added: tuple[str, ...] = ()
    injuries_healed: tuple[str, ...] = ()
    items_gained: tuple[str, ...] = ()
    items_lost: tuple[str, ...] = ()
    move_to: str | None = None
    chaos: int = 0
    advance_time: bool = False
    flags: tuple[tuple[str, str], ...] = ()
    event: str | None = None
    seen: tuple[str, ...] = ()
    fatal: bool = False
    cause: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "damage": self.damage,
            "injuries_added": list(self.injuries_added),
            "injuries_healed": list(self.injuries_healed),
            "items_gained": list(self.items_gained),
            "items_lost": list(self.items_lost),
            "move_to": self.move_to,
            "chaos": self.chaos,
            "advance_time": self.advance_time,
            "flags": dict(self.flags),
            "event": self.event,
            "seen": list(self.seen),
            "fatal": self.fatal,
            "cause": self.cause,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StateDelta:
        return cls(
            damage=int(d.get("damage", 0)),
            injuries_added=tuple(d.get("injuries_added", ())),
            injuries_healed=tuple(d.get("injuries_healed", ())),
            items_gained=tuple(d.get("items_gained", ())),
            items_lost=tuple(d.get("items_lost", ())),
            move_to=d.get("move_to"),
            chaos=int(d.get("chaos", 0)),
            advance_time=bool(d.get("advance_time", False)),
            flags=tuple(sorted(dict(d.get("flags", {})).items())),
            event=d.get("event"),
            seen=tuple(d.get("seen", ())),
            fatal=bool(d.get("fatal", False)),
            cause=d.get("cause"),
        )


@dataclass(frozen=True, slots=True)
class DeathRuleContext:
    """What the death rules need beyond the state: the turn's fate and kind."""

    fate: Fate | None  # None for turns without a roll (the prologue, a tick)
    hesitation: bool = False


def chaos_phase(cartridge: Cartridge, chaos: int) -> str:
    """The name of the highest chaos phase whose threshold ``chaos`` has reached."""
    name = cartridge.chaos_phases[0].name
    for phase in cartridge.chaos_phases:
        if chaos >= phase.at:
            name = phase.name
    return name


def initial_state(cartridge: Cartridge, location: str, time_of_day: str) -> WorldState:
    """The state a run starts in at the chosen opening."""
    return WorldState(
        turn=0,
        location=location,
        time_of_day=time_of_day,
        chaos=0,
        chaos_phase=chaos_phase(cartridge, 0),
        health=cartridge.stats.health,
        max_health=cartridge.stats.max_health,
        injuries=(),
        inventory=cartridge.stats.inventory,
        seen=(location,),
    )


def next_time_of_day(current: str) -> str:
    i = TIMES_OF_DAY.index(current) if current in TIMES_OF_DAY else 0
    return TIMES_OF_DAY[(i + 1) % len(TIMES_OF_DAY)]


def max_damage(cartridge: Cartridge, fate: Fate | None, *, hesitation: bool = False) -> int:
    """The most damage a consequence of this fate may deal under the rules."""
    rules = cartridge.death
    if fate is None:
        return 0
    base = {Fate.LUCKY: 0, Fate.NORMAL: rules.normal_damage, Fate.UNLUCKY: rules.unlucky_damage}
    limit = base[fate]
    if hesitation:
        limit += rules.hesitation_damage
    return limit


def _clip(text: str) -> str:
    return text.strip()[:MAX_TEXT]


def apply_delta(
    cartridge: Cartridge,
    state: WorldState,
    delta: StateDelta,
    ctx: DeathRuleContext,
) -> WorldState:
    """Return the next state: ``state`` with ``delta`` applied within the rules.

    Never mutates its input. A dead state is returned unchanged.
    """
    if not state.alive:
        return state
    health = _health(cartridge, state, delta, ctx)
    injuries = _injuries(state, delta, ctx)
    inventory = _inventory(cartridge, state, delta)
    location = _location(cartridge, state, delta, ctx)
    chaos = max(
        0, min(100, state.chaos + cartridge.chaos_per_turn + max(-20, min(20, delta.chaos)))
    )
    turn = state.turn + 1
    flags = dict(state.flags)
    for k, v in delta.flags:
        flags[_clip(k)[:40]] = _clip(v)
    events = [*state.recent_events, _clip(delta.event)] if delta.event else state.recent_events
    alive, cause, health = _verdict(cartridge, delta, ctx, health, len(injuries), chaos)
    return replace(
        state,
        turn=turn,
        location=location,
        time_of_day=_time_of_day(cartridge, state, delta, turn),
        chaos=chaos,
        chaos_phase=chaos_phase(cartridge, chaos),
        health=health,
        injuries=injuries,
        inventory=inventory,
        flags=tuple(sorted(flags.items())),
        recent_events=tuple(events[-RECENT_EVENTS:]),
        seen=_seen(state, delta, location),
        alive=alive,
        cause_of_death=_clip(cause) if cause else None,
    )


def _health(
    cartridge: Cartridge, state: WorldState, delta: StateDelta, ctx: DeathRuleContext
) -> int:
    """Damage is bounded by what the fate allows; healing by max health."""
    damage = min(delta.damage, max_damage(cartridge, ctx.fate, hesitation=ctx.hesitation))
    damage = max(damage, -state.max_health)
    return max(0, min(state.max_health, state.health - damage))


def _injuries(state: WorldState, delta: StateDelta, ctx: DeathRuleContext) -> tuple[str, ...]:
    """Healed injuries go; a NORMAL or UNLUCKY fate may add one new injury a turn."""
    injuries = list(state.injuries)
    for healed in delta.injuries_healed:
        if healed in injuries:
            injuries.remove(healed)
    if ctx.fate in (Fate.NORMAL, Fate.UNLUCKY):
        for injury in delta.injuries_added[:1]:  # at most one new injury per turn
            if injury.strip() and _clip(injury) not in injuries:
                injuries.append(_clip(injury))
    return tuple(injuries)


def _inventory(cartridge: Cartridge, state: WorldState, delta: StateDelta) -> tuple[str, ...]:
    """Lost items go; gained ones come while there is room."""
    inventory = [item for item in state.inventory if item not in set(delta.items_lost)]
    for item in delta.items_gained:
        item = _clip(item)
        if item and item not in inventory and len(inventory) < cartridge.stats.inventory_limit:
            inventory.append(item)
    return tuple(inventory)


def _location(
    cartridge: Cartridge, state: WorldState, delta: StateDelta, ctx: DeathRuleContext
) -> str:
    """A move happens only through an exit of the current location, and not on hesitation."""
    if not delta.move_to or delta.move_to == state.location or ctx.hesitation:
        return state.location
    try:
        exits = cartridge.location(state.location).exits
    except KeyError:
        exits = ()
    return delta.move_to if delta.move_to in exits else state.location


def _time_of_day(cartridge: Cartridge, state: WorldState, delta: StateDelta, turn: int) -> str:
    """Time moves on when the narrator says so, or every ``turns_per_time_of_day`` turns."""
    if delta.advance_time or turn % cartridge.timing.turns_per_time_of_day == 0:
        return next_time_of_day(state.time_of_day)
    return state.time_of_day


def _seen(state: WorldState, delta: StateDelta, location: str) -> tuple[str, ...]:
    seen = list(state.seen)
    for element in (location, *delta.seen):
        if element not in seen:
            seen.append(_clip(element))
    return tuple(seen)


def _verdict(
    cartridge: Cartridge,
    delta: StateDelta,
    ctx: DeathRuleContext,
    health: int,
    injuries: int,
    chaos: int,
) -> tuple[bool, str | None, int]:
    """Whether the character lives, the cause if not, and the health that leaves."""
    if health <= 0:
        return False, delta.cause or "wounds", health
    if injuries > cartridge.death.max_injuries:
        return False, delta.cause or "too many injuries", health
    if chaos >= cartridge.death.fatal_chaos and ctx.fate is Fate.UNLUCKY:
        return False, delta.cause or "swallowed by the chaos", health
    if delta.fatal and ctx.fate is Fate.UNLUCKY and health <= cartridge.death.unlucky_damage:
        # The narrator may call a death only when the rules already put the character at the edge.
        return False, delta.cause or "a fatal mistake", 0
    return True, None, health
