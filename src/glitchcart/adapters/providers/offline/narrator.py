"""The offline narrator: deterministic stories written from a cartridge's own words.

Every random pick comes from :func:`rng_for` seeded with the turn seed, so the same
cartridge, state, input and fate give the same text and delta in any process. The
sentence tables and small grammar live in :mod:`offline_prose`.

Usage::

    narrator = OfflineNarrator()
    opening = await narrator.prologue(PrologueRequest(cartridge, state, turn_seed))
    result = await narrator.narrate(NarrationRequest(cartridge, state, turn_input, fate, seed, ()))
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from glitchcart.adapters.providers.offline import prose
from glitchcart.core.cartridge import Cartridge, Location, Opening
from glitchcart.core.fate import Fate
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.core.state import (
    DeathRuleContext,
    StateDelta,
    WorldState,
    apply_delta,
    max_damage,
    next_time_of_day,
)
from glitchcart.core.turn import Choice, InputKind
from glitchcart.ports import ChoiceRequest, Narration, NarrationRequest, PrologueRequest, Scene

# A per-game seed kept in the state's flags, so lexicon lines rotate instead of repeating.
DECK_FLAG = "offline-deck"
MAX_EVENT = 79
MAX_CHOICE = 69
MAX_ECHO = 140
INTENTS = frozenset({"move", "search", "fight", "hide", "use", "talk", "wait", "rest", "act"})


@dataclass(frozen=True, slots=True)
class Intent:
    """What the player meant: a kind, an optional target and, for free actions, their words."""

    kind: str
    target: str | None = None
    echo: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a consequence does, decided before any prose is written."""

    damage: int = 0
    injury: str | None = None
    healed: str | None = None
    found: str | None = None
    lost: str | None = None
    move_to: str | None = None
    aim: str | None = None  # where a move was headed, reached or not
    chaos: int = 0
    fatal: bool = False


class OfflineNarrator:
    """A :class:`~glitchcart.ports.Narrator` that needs no network and never fails."""

    name = "offline"

    async def prologue(self, request: PrologueRequest) -> str:
        return write_prologue(request.cartridge, request.state, request.turn_seed)

    async def narrate(self, request: NarrationRequest) -> Narration:
        return write_consequence(request)

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        return write_choices(request)

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return describe_scene(cartridge, state, narration, fate)


def _location(cartridge: Cartridge, state: WorldState) -> Location:
    try:
        return cartridge.location(state.location)
    except KeyError:
        return cartridge.locations[0]


def _opening(cartridge: Cartridge, state: WorldState) -> Opening:
    here = [o for o in cartridge.openings if o.location == state.location]
    exact = [o for o in here if o.time_of_day == state.time_of_day]
    return (exact or here or list(cartridge.openings))[0]


def _values(cartridge: Cartridge, state: WorldState, rng: random.Random) -> dict[str, str]:
    """A value for every placeholder a lexicon line may use."""
    here = _location(cartridge, state)
    return {
        "place": here.name,
        "exit": cartridge.location(rng.choice(here.exits)).name,
        "threat": rng.choice(cartridge.lexicon["threats"]),
        "item": rng.choice(state.inventory) if state.inventory else "hands",
        "injury": prose.with_article(rng.choice(cartridge.lexicon["injuries"])),
        "time": state.time_of_day,
    }


class _Teller:
    """One turn's picks: a seeded random, the placeholder values and the line deck."""

    def __init__(self, request: NarrationRequest) -> None:
        self.cartridge, self.state = request.cartridge, request.state
        self.here = _location(self.cartridge, self.state)
        self.rng = rng_for(request.turn_seed, "offline", "narrate")
        self.recent = request.recent
        raw = dict(self.state.flags).get(DECK_FLAG, "")
        self.deck = int(raw) if raw.isdigit() else derive_seed(request.turn_seed, "deck")
        self.new_flags = () if raw.isdigit() else ((DECK_FLAG, str(self.deck)),)
        self.values = _values(self.cartridge, self.state, self.rng)
        self.has_injury = False

    def pick(self, key: str) -> str:
        """A lexicon line that suits this turn."""
        lines = self.cartridge.lexicon[key]
        usable = [line for line in lines if self._usable(line)] or list(lines)
        return self._deal(key, [prose.fill(line, self.values) for line in usable])

    def line(self, options: tuple[str, ...], **extra: str) -> str:
        """A stock line from :mod:`offline_prose`."""
        values = {**self.values, **extra}
        return self._deal(options[0], [prose.fill(line, values) for line in options])

    def _deal(self, key: str, texts: list[str]) -> str:
        # Turn by turn, each list is dealt in a per-game shuffled order, so a line comes
        # back only after the others have had their turn; recent narrations are skipped.
        rendered = [prose.sentence(text) for text in texts]
        fresh = [text for text in rendered if not any(text in old for old in self.recent)]
        fresh = fresh or rendered
        order = list(range(len(fresh)))
        rng_for(self.deck, key, len(fresh)).shuffle(order)
        return fresh[order[self.state.turn % len(fresh)]]

    def _usable(self, line: str) -> bool:
        # {item} and {injury} lines only make sense when there is an item or a new injury;
        # a line naming gear the character started with is told only while they carry it
        # (no "you catch it on the camcorder" once the camcorder is lost).
        names = prose.placeholders(line)
        if "item" in names and not self.state.inventory:
            return False
        lowered = line.lower()
        for item in self.cartridge.stats.inventory:
            if item not in self.state.inventory and re.search(rf"\b{re.escape(item)}", lowered):
                return False
        return "injury" not in names or self.has_injury


def read_action(
    text: str, cartridge: Cartridge, here: Location, inventory: tuple[str, ...]
) -> Intent:
    """Turn free text into an intent by its words; the text is never run as instructions."""
    words = re.findall(r"[a-z']+", text.lower())
    seen = set(words)
    exit_id = next(
        (e for e in here.exits if prose.mentions(seen, e, cartridge.location(e).name)), None
    )
    item = next((i for i in inventory if prose.mentions(seen, i)), None)
    element = next((e for e in here.elements if prose.mentions(seen, e, prose.noun(e))), None)
    kind = prose.intent_of(words)
    if kind is None:
        kind = "move" if exit_id else "use" if item else "search" if element else "act"
    target = {"move": exit_id, "use": item, "search": element}.get(kind)
    if kind == "use" and item is None:
        kind = "act"
    return Intent(kind, target, prose.echo_text(text, MAX_ECHO))


def _intent(request: NarrationRequest, here: Location) -> Intent:
    turn_input = request.input
    if turn_input.kind is InputKind.HESITATE:
        return Intent("hesitate")
    if turn_input.kind is InputKind.ACTION:
        return read_action(turn_input.text, request.cartridge, here, request.state.inventory)
    choice = turn_input.choice
    if choice is None:
        return Intent("wait")
    kind = choice.intent if choice.intent in INTENTS else "act"
    if kind == "use" and choice.target not in request.state.inventory:
        kind = "act"
    return Intent(kind, choice.target)


def _roll(t: _Teller, intent: Intent, fate: Fate) -> Outcome:
    """Decide what happens; the prose is written around it afterwards."""
    cart, state, rng, kind = t.cartridge, t.state, t.rng, intent.kind
    rules, hurt = cart.death, state.health < state.max_health
    aim = None
    if kind == "move":
        aim = intent.target if intent.target in t.here.exits else rng.choice(t.here.exits)
    out = Outcome(move_to=aim, aim=aim)
    if kind == "hesitate":
        extra = rng.randint(1, max(1, rules.unlucky_damage - 1)) if fate is Fate.UNLUCKY else 0
        damage = 0 if fate is Fate.LUCKY else rules.hesitation_damage + extra
        out = replace(out, damage=damage, chaos=2)
    elif fate is Fate.LUCKY:
        calmer = kind in ("fight", "hide", "rest")
        finds = kind == "search" or (kind in ("act", "talk") and rng.random() < 0.3)
        heals = hurt and (kind in ("rest", "use", "wait") or rng.random() < 0.5)
        out = replace(
            out,
            chaos=-rng.randint(1, 3) if calmer else 0,
            found=_discovery(t) if finds else None,
            damage=(-2 if kind == "rest" else -1) if heals else 0,
            healed=state.injuries[0]
            if kind == "rest" and state.injuries and rng.random() < 0.5
            else None,
        )
    elif fate is Fate.NORMAL:
        found = _discovery(t) if kind == "search" and rng.random() < 0.35 else None
        damage = 0
        if kind == "rest" and hurt:
            damage = -1
        elif rng.random() < (0.5 if kind == "fight" else 0.3):
            damage = rng.randint(1, max(1, rules.normal_damage))
        out = replace(out, chaos=rng.randint(0, 1), found=found, damage=damage)
    else:
        damage = rng.randint(1, max(1, rules.unlucky_damage))
        injury = None
        if rng.random() < (0.55 if kind == "fight" else 0.4):
            fresh = [i for i in cart.lexicon["injuries"] if i not in state.injuries]
            injury = rng.choice(fresh) if fresh else None
        out = replace(
            out,
            move_to=aim if rng.random() < 0.5 else None,  # or driven back
            chaos=rng.randint(1, 4),
            damage=damage,
            injury=injury,
            lost=intent.target if kind == "use" and rng.random() < 0.3 else None,
            # The rules let a narrator call a death only at the edge; call it rarely.
            fatal=state.health <= rules.unlucky_damage and rng.random() < 0.15,
        )
    limit = max_damage(cart, fate, hesitation=kind == "hesitate")
    return replace(out, damage=min(out.damage, limit))


def _discovery(t: _Teller) -> str | None:
    if len(t.state.inventory) >= t.cartridge.stats.inventory_limit:
        return None
    fresh = [d for d in t.cartridge.lexicon["discoveries"] if d not in t.state.inventory]
    return t.rng.choice(fresh) if fresh else None


def _element(here: Location, target: str | None, rng: random.Random) -> str:
    """The element a search is aimed at: the target if it is one, else a nearby one."""
    near = [e for e in here.elements if e not in prose.DISTANT]
    return target if target in here.elements else (rng.choice(near) if near else "interior")


def _lead(t: _Teller, intent: Intent, element: str) -> str:
    kind = intent.kind
    if kind == "hesitate":
        return t.pick("hesitation")
    if intent.echo is not None:
        first = intent.echo.split(" ")[0].lower()
        verb = any(first in verbs for verbs in prose.VERBS.values())
        frames = prose.ECHO_VERB if verb else prose.ECHO_OTHER
        return prose.sentence(t.rng.choice(frames).replace("{text}", intent.echo))
    if kind == "move":
        return t.pick("approaches")
    if kind == "search":
        style = "open" if element in prose.OPENABLE else "search"
        style = "operate" if element in prose.OPERABLE else style
        style = "watch" if element in prose.WATCHED else style
        return t.line(prose.LEADS[style], target=prose.noun(element))
    if kind in ("fight", "hide"):
        return t.line(prose.LEADS[kind], target=t.values["threat"])
    return t.line(prose.LEADS[kind], target=intent.target or t.values["item"])


def _event(t: _Teller, intent: Intent, out: Outcome, cause: str | None) -> str:
    place, threat = t.here.name, prose.definite(t.values["threat"])
    what = {
        "move": f"{'reached' if out.move_to else 'failed to reach'} {t.values['exit']}",
        "search": f"searched {place}",
        "fight": f"fought {threat}",
        "hide": f"hid from {threat}",
        "use": f"used {intent.target} in {place}",
        "hesitate": f"froze in {place}",
        "talk": f"called out in {place}",
        "wait": f"waited in {place}",
        "rest": f"rested in {place}",
    }.get(intent.kind, f"acted in {place}")
    if intent.echo is not None and intent.kind not in ("move", "search"):
        what = f"tried: {intent.echo}"
    notes = [f"found {out.found}"] if out.found else []
    if out.injury:
        notes.append(f"got {prose.with_article(out.injury)}")
    elif out.damage:
        notes.append("hurt" if out.damage > 0 else "recovered")
    return prose.clip("; ".join([what, *([f"died, {cause}"] if cause else notes)]), MAX_EVENT)


def _compose(t: _Teller, intent: Intent, fate: Fate, out: Outcome, element: str, dead: bool) -> str:
    # Lead, outcome, effects, then atmosphere if there is room; at most five sentences.
    lines = [_lead(t, intent, element)]
    if intent.kind == "hesitate" and fate is not Fate.UNLUCKY:
        lines.append(t.line(prose.HESITATION_COST if out.damage > 0 else prose.HESITATION_SPARED))
    elif fate is Fate.UNLUCKY or not dead:  # a kinder fate's line would jar with a death
        lines.append(t.pick(fate.value.lower()))
    if out.move_to:
        arrival = t.cartridge.location(out.move_to).description
        lines.append(prose.sentence(prose.first_sentence(arrival)))
    elif intent.kind == "move":
        lines.append(t.line(prose.DRIVEN_BACK))
    if out.found:
        lines.append(t.line(prose.FOUND, found=prose.with_article(out.found)))
    elif intent.kind == "search" and out.damage <= 0 and fate is not Fate.LUCKY:
        lines.append(t.line(prose.FOUND_NOTHING))
    if out.injury and not any(t.values["injury"] in line for line in lines):
        lines.append(t.line(prose.INJURED))
    elif out.damage > 0:
        lines.append(t.line(prose.HURT if fate is Fate.UNLUCKY else prose.GRAZED))
    if out.lost:
        lines.append(t.line(prose.ITEM_LOST, item=out.lost))
    if out.damage < 0:
        lines.append(t.line(prose.HEALED))
    if out.healed:
        lines.append(t.line(prose.INJURY_HEALED, injury=out.healed))
    if dead:
        return " ".join([*lines[:4], t.line(prose.DEATHS)])
    if len(lines) < 4:
        if (t.state.health - out.damage) * 10 <= t.state.max_health * 3:
            lines.append(t.line(prose.LOW_HEALTH))
        elif t.state.injuries and t.rng.random() < 0.3:
            lines.append(t.line(prose.OLD_INJURY, injury=t.rng.choice(t.state.injuries)))
        elif t.rng.random() < 0.7:
            lines.append(t.pick("sensations"))
    return " ".join(lines[:5])


def write_consequence(request: NarrationRequest) -> Narration:
    """The consequence of one turn: its text and the change it proposes."""
    t = _Teller(request)
    if request.input.kind is InputKind.TICK:
        return _tick(t)
    intent = _intent(request, t.here)
    fate = request.fate or Fate.NORMAL
    out = _roll(t, intent, fate)
    element = _element(t.here, intent.target, t.rng)
    if intent.kind in ("fight", "hide"):
        named = intent.target if intent.target in t.cartridge.lexicon["threats"] else None
        t.values["threat"] = prose.definite(named or t.values["threat"])
    if intent.kind == "use" and intent.target:
        t.values["item"] = intent.target
    if out.aim:
        t.values["exit"] = t.cartridge.location(out.aim).name
    if out.injury:
        t.values["injury"], t.has_injury = prose.with_article(out.injury), True
    delta = StateDelta(
        damage=out.damage,
        injuries_added=(out.injury,) if out.injury else (),
        injuries_healed=(out.healed,) if out.healed else (),
        items_gained=(out.found,) if out.found else (),
        items_lost=(out.lost,) if out.lost else (),
        move_to=out.move_to,
        chaos=out.chaos,
        flags=t.new_flags,
        seen=(f"{t.here.id}/{element}",) if intent.kind == "search" else (),
        fatal=out.fatal,
    )
    rules = DeathRuleContext(request.fate, hesitation=intent.kind == "hesitate")
    dead = not apply_delta(t.cartridge, t.state, delta, rules).alive
    text = _compose(t, intent, fate, out, element, dead)
    if request.twist:  # the crown's line comes true before the roll plays out
        text = f"{prose.sentence('without warning, ' + prose.clip(request.twist, 200))} {text}"
    cause = None
    if dead:
        # Blame the threat only when the story showed it.
        named = prose.threat_in([t.values["threat"]], text)
        template = prose.CAUSES[0] if named else t.rng.choice(prose.CAUSES[1:])
        cause = prose.fill(template, {**t.values, "threat": prose.definite(t.values["threat"])})
        delta = replace(delta, fatal=True, cause=cause)
    return Narration(text, replace(delta, event=_event(t, intent, out, cause)))


def _tick(t: _Teller) -> Narration:
    """Time passes: a short situation report, no damage."""
    t.values["time"] = next_time_of_day(t.state.time_of_day)
    lines = [t.pick("ticks")]
    if t.rng.random() < 0.6:
        lines.append(t.pick("sensations"))
    report = f"You take stock: {prose.status(t.state.health, t.state.max_health)}"
    if t.state.injuries:
        report += f", nursing {prose.join_items(t.state.injuries)}"
    elif t.state.inventory:
        report += f", with {prose.join_items(t.state.inventory)}"
    lines.append(prose.sentence(prose.clip(report, 160)))
    event = prose.clip(f"time passed in {t.here.name}", MAX_EVENT)
    return Narration(" ".join(lines), StateDelta(advance_time=True, flags=t.new_flags, event=event))


def write_prologue(cartridge: Cartridge, state: WorldState, turn_seed: int) -> str:
    """The opening's prologue plus a line or two on where the character stands."""
    rng = rng_for(turn_seed, "offline", "prologue")
    values = _values(cartridge, state, rng)
    parts = [_opening(cartridge, state).prologue]
    parts.append(prose.sentence(prose.fill(rng.choice(cartridge.lexicon["sensations"]), values)))
    if state.inventory:
        parts.append(f"You have {prose.join_items(state.inventory)}, and not much else.")
    exits = [cartridge.location(e).name for e in _location(cartridge, state).exits]
    way = exits[0] if len(exits) == 1 else ", ".join(exits[:-1]) + " or " + exits[-1]
    parts.append(prose.sentence(f"from here you could make for {way}"))
    return " ".join(parts)


def write_choices(request: ChoiceRequest) -> tuple[Choice, ...]:
    """Exactly ``request.count`` distinct choices, mixing moves, looks, gear and threats."""
    cart, state = request.cartridge, request.state
    rng = rng_for(request.turn_seed, "offline", "choices")
    avoid = {text.casefold() for text in request.avoid}
    offered = prose.offer_choices(cart, _location(cart, state), state, request.narration, rng)
    picked = prose.gather_choices(offered, request.count, avoid, MAX_CHOICE)
    rng.shuffle(picked)
    return tuple(picked)


def describe_scene(
    cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
) -> Scene:
    """What the frame shows: the location's elements plus what the story put in it."""
    here = _location(cartridge, state)
    threat = prose.threat_in(cartridge.lexicon["threats"], narration)
    extra = []
    if fate is Fate.UNLUCKY or threat:
        extra.append("figure")
    if prose.FIRE_WORDS.search(narration.lower()):
        extra.append("fire")
    if len(cartridge.chaos_phases) > 1 and state.chaos >= cartridge.chaos_phases[-1].at:
        extra.append("eyes")
    elements = (*here.elements, *(e for e in extra if e not in here.elements))
    mood = "dead" if not state.alive else "calm" if fate is None else fate.value.lower()
    if state.turn == 0 and state.alive:
        description = prose.first_sentence(_opening(cartridge, state).visual)
    else:
        who = prose.definite(threat) if threat else "something unseen"
        when = prose.TIMES.get(state.time_of_day, state.time_of_day)
        description = f"{here.name} {when}, {prose.MOODS[mood]}"
        description = description.replace("{threat}", who)
    return Scene(
        location=here.name,
        time_of_day=state.time_of_day,
        elements=elements,
        description=prose.sentence(description),
        mood=mood,
        chaos=state.chaos,
    )
