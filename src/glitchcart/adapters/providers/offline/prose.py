"""Sentence assembly for the offline narrator: template filling, small grammar, stock lines.

Cartridge lexicons are templates with ``{name}`` placeholders (see :data:`PLACEHOLDERS`);
the lines here are the genre-neutral glue between them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping

from glitchcart.core.cartridge import Cartridge, Location
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice

# Every placeholder a lexicon line may use. The narrator supplies all of them on every turn.
PLACEHOLDERS: tuple[str, ...] = ("place", "exit", "threat", "item", "injury", "time")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def placeholders(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return set(_PLACEHOLDER.findall(template))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` placeholders; filled-in values are never read as templates."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), "something"), template)


def sentence(text: str) -> str:
    """Capitalise the first letter and make sure the text ends like a sentence."""
    text = re.sub(r"[^\W\d_]", lambda m: m.group().upper(), text.strip(), count=1)
    return text if not text or text[-1] in ".!?\"'”…" else text + "."


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def with_article(noun: str) -> str:
    """``road flare`` -> ``a road flare``; proper names and determined nouns stay as they are."""
    noun = noun.strip()
    lowered = noun.lower()
    if not noun or noun[0].isupper() or lowered.startswith(("the ", "a ", "an ", "your ", "some ")):
        return noun
    return ("an " if lowered[0] in "aeiou" else "a ") + noun


def definite(noun: str) -> str:
    """``a coyote with a human jaw`` -> ``the coyote with a human jaw``."""
    return re.sub(r"^an? ", "the ", noun, flags=re.IGNORECASE)


def join_items(items: Iterable[str]) -> str:
    """``your a, your b and your c``."""
    owned = [f"your {item}" for item in items]
    if len(owned) <= 1:
        return "".join(owned)
    return ", ".join(owned[:-1]) + " and " + owned[-1]


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


# How a painter's element word reads in a sentence, where it differs from the word itself.
_NOUNS = {
    "interior": "room",
    "fence": "fence line",
    "torches": "torch brackets",
    "window-space": "viewport",
    "hull": "hull plating",
}


def noun(element: str) -> str:
    """``neon-sign`` -> ``neon sign``."""
    return _NOUNS.get(element, element.replace("-", " "))


# Elements too far away (or too vague) to be searched by hand.
DISTANT = frozenset(
    {"interior", "mountains", "mesa", "planet", "stars", "moon", "sun", "eyes", "window-space"}
)
# Elements looked at rather than rummaged through.
WATCHED = frozenset({"water", "fire", "fog", "figure", "tower", "pillars", "hull", "neon-sign"})
# Elements that are opened rather than searched.
OPENABLE = frozenset({"door", "gate", "chest", "crates", "pod", "car"})
# Elements that are operated rather than searched.
OPERABLE = frozenset({"console", "machinery", "antenna", "lights"})

# Lead sentences, one list per intent. {target} is a noun phrase, {place} the location name.
LEADS: dict[str, tuple[str, ...]] = {
    "search": (
        "You go over the {target} inch by inch.",
        "You crouch and sift through the {target}, your light trembling.",
        "You search the {target}, slow and methodical, trying not to imagine what you'll find.",
        "You pick through the {target} with careful fingers.",
        "You take a long look at the {target}, then a closer one.",
        "You work your way around the {target}, checking every gap and shadow.",
    ),
    "watch": (
        "You take a long look at the {target}, then a closer one.",
        "You study the {target}, hunting for anything that doesn't belong.",
        "You edge up to the {target} and look hard.",
    ),
    "open": (
        "You set your shoulder to the {target} and heave.",
        "You work at the {target} until something gives.",
        "You ease the {target} open a finger's width at a time.",
        "You force the {target}, wincing at every sound it makes.",
    ),
    "operate": (
        "You coax the {target} back toward life.",
        "You try every switch and lever the {target} has.",
        "You lean over the {target} and start working at it.",
    ),
    "fight": (
        "You square up to {target}.",
        "You go at {target} with everything you have.",
        "You stop running and turn to face {target}.",
        "Teeth gritted, you strike at {target}.",
        "You lunge for {target} before fear can talk you out of it.",
    ),
    "hide": (
        "You press yourself into the deepest shadow in {place} and wait for {target} to pass.",
        "You duck out of sight, holding your breath as {target} draws near.",
        "You make yourself small and still, and hope {target} has poor eyes.",
        "You squeeze into the narrowest gap you can find and go silent.",
    ),
    "use": (
        "You bring out your {target} and put it to work.",
        "You fumble your {target} into your hands and try it.",
        "Your {target} is the only plan you have, so you use it.",
        "You reach for your {target}.",
    ),
    "talk": (
        "You call out across {place}, your voice cracking halfway.",
        "You speak to the dark as if it might answer.",
        "You say the names of the others out loud, one by one.",
        "You ask, very quietly, who is there.",
    ),
    "wait": (
        "You stay exactly where you are and watch.",
        "You hold still, listening to {place}.",
        "You let the moment stretch, eyes on every shadow.",
    ),
    "rest": (
        "You sit with your back to something solid and catch your breath.",
        "You take a moment to tend your wounds.",
        "You close your eyes, just for a few heartbeats.",
    ),
    "act": (
        "You commit to it before you can change your mind.",
        "You act, and hope it is the right thing.",
        "You steel yourself and get on with it.",
    ),
}

# Frames that echo a free action. {text} is the player's words (never read as a template).
ECHO_VERB = (
    "You {text}.",
    "No more waiting: you {text}.",
    "Heart hammering, you {text}.",
    "You make up your mind and {text}.",
)
ECHO_OTHER = (
    "Your mind is made up: {text}.",
    "You do the only thing that makes sense right now: {text}.",
    "The plan is simple enough: {text}.",
)

FOUND = (
    "Among the mess you find {found}, and you take it.",
    "Your fingers close on {found}. You keep it.",
    "There, half hidden: {found}. You pocket it.",
    "You come away with {found}.",
)
FOUND_NOTHING = (
    "Whatever was here, someone found it first.",
    "There is nothing worth taking.",
    "You come away with dust on your hands and nothing else.",
)
HEALED = (
    "The worst of the pain eases a little.",
    "Your breathing steadies, and some strength creeps back into your limbs.",
    "You feel steadier than you have in a while.",
)
INJURY_HEALED = (
    "You bind your {injury} as best you can, and it holds.",
    "Your {injury} hurts less now.",
)
INJURED = (
    "You come away with {injury}.",
    "When you look down, you find {injury}.",
    "It leaves you with {injury}.",
)
HURT = (
    "It hurts, badly.",
    "You taste blood.",
    "The pain is sharp and immediate.",
    "You are hurt, though you can't yet tell how badly.",
)
ITEM_LOST = (
    "Your {item} is gone, dropped somewhere you won't find it again.",
    "Your {item} breaks apart in your hands.",
)
GRAZED = (
    "You come away scraped and bruised.",
    "It costs you a little skin.",
    "A sharp knock leaves you wincing.",
)
DRIVEN_BACK = (
    "You never make it to {exit}, and are driven back the way you came.",
    "Halfway to {exit} you lose your nerve and your footing, and end up back where you started.",
)
LOW_HEALTH = (
    "Your vision is going grey at the edges.",
    "Every breath costs more than the last.",
    "You are not sure how much more of this you can take.",
    "Your legs are shaking now, and not from fear.",
)
OLD_INJURY = (
    "Your {injury} throbs with every heartbeat.",
    "Your {injury} slows you down.",
    "You try not to think about your {injury}.",
)
HESITATION_SPARED = (
    "Nothing comes for you. This time.",
    "By luck alone, the moment passes without a cost.",
)
HESITATION_COST = ("The delay costs you.", "Standing still has a price, and you pay it.")
DEATHS = (
    "Your legs fold, and the ground of {place} comes up to meet you for the last time.",
    "The world narrows to a pinpoint, then to nothing at all.",
    "{threat} is the last thing you see.",
    "You try to stand, and find you can't, and then that you don't need to.",
    "The last thing you hear is your own heartbeat, slowing, then stopping.",
    "Everything goes quiet, and everything stays quiet.",
)
CAUSES = ("taken by {threat}", "bled out far from help", "lost to {place}")
TIMES = {"dawn": "at dawn", "day": "by day", "dusk": "at dusk", "night": "at night"}
STATUS = ((1.0, "unhurt"), (0.7, "bruised but standing"), (0.4, "hurt and slowing down"))


def status(health: int, max_health: int) -> str:
    """A few words on how hurt the character is."""
    ratio = health / max(1, max_health)
    return "you are " + next((words for floor, words in STATUS if ratio >= floor), "badly hurt")


# Words that reveal the intent of a free action, by intent, checked in the order written.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS: dict[str, frozenset[str]] = {
    "move": _words(
        "run flee go head walk climb leave escape follow enter cross drive return "
        "retreat sprint crawl descend ascend travel approach back"
    ),
    "search": _words(
        "search look examine inspect check investigate explore read dig loot open "
        "study scan rummage peek pry"
    ),
    "fight": _words(
        "fight attack hit shoot stab kill punch kick strike smash swing charge slash tackle wrestle"
    ),
    "hide": _words("hide duck crouch sneak conceal cower lurk"),
    "use": _words("use light shine throw wield drink eat film record play activate"),
    "talk": _words("talk call shout ask say yell whisper speak pray sing scream"),
    "rest": _words("rest sleep bandage heal breathe sit bind nap"),
    "wait": _words("wait listen watch stay pause"),
}
PRONOUNS = {"i": "you", "my": "your", "me": "you", "i'm": "you're", "myself": "yourself"}


def echo_text(text: str, limit: int) -> str:
    """The player's words turned to second person, to be quoted back in the story."""
    words = [PRONOUNS.get(w.lower(), w) for w in " ".join(text.split()).split(" ")]
    echo = clip(" ".join(words), limit).rstrip(".!?;, ")
    if len(echo) > 1 and echo[0].isupper() and echo[1].islower():
        echo = echo[0].lower() + echo[1:]
    return echo or "act"


def mentions(words: set[str], *names: str) -> bool:
    """Whether any longer word of ``names`` is among ``words``."""
    return any(
        len(word) >= 4 and word in words
        for name in names
        for word in re.findall(r"[a-z]+", name.lower())
    )


def intent_of(words: list[str]) -> str | None:
    """The intent of the first word that reveals one."""
    return next((k for w in words for k, verbs in VERBS.items() if w in verbs), None)


# Choice templates; {n} is a location name, an element noun, an item or a threat.
MOVES = ("Head for {n}", "Make a run for {n}", "Slip away toward {n}", "Go to {n}")
PEERS = ("Study the {n}", "Look closer at the {n}", "Edge up to the {n}")
LOOKS = (
    "Search the {n}",
    "Examine the {n} closely",
    "Pick through the {n}",
    "Look closer at the {n}",
)
OPENS = ("Force open the {n}", "Try the {n}", "Look inside the {n}")
WORKS = ("Work the {n}", "Try to wake the {n}", "Examine the {n}")
USES = ("Use your {n}", "Try your {n} here", "Ready your {n}", "Put your {n} to work")
FIGHTS = ("Confront {n}", "Stand your ground against {n}", "Strike first at {n}")
HIDES = ("Hide from {n}", "Get out of sight of {n}")
REST_CHOICES = ("Bind your wounds and catch your breath", "Rest a moment and steady yourself")
WAIT_CHOICES = ("Stay still and listen", "Wait and watch the shadows")
TALK_CHOICES = ("Call out into the dark", "Call out and hope someone answers")
GENERIC_CHOICES = (
    ("Take stock of your situation", "act"),
    ("Retrace your last few steps", "act"),
    ("Keep your back to the wall and wait", "wait"),
    ("Listen hard for any sound", "wait"),
    ("Press on carefully", "act"),
    ("Trust your gut and act", "act"),
    ("Steady your nerves", "rest"),
    ("Look for another way", "search"),
)

# How a frame feels, by mood; {threat} is the threat in the narration, if any.
MOODS = {
    "calm": "quiet and watchful",
    "lucky": "briefly, unexpectedly kind",
    "normal": "tense and holding its breath",
    "unlucky": "with {threat} closing in",
    "dead": "empty now, and very still",
}
FIRE_WORDS = re.compile(r"\b(fire|flames?|flares?|burn\w*|blaz\w*|embers?)\b")


def threat_in(threats: Iterable[str], narration: str) -> str | None:
    """The threat a narration mentions, if any."""
    lowered = narration.lower()
    return next((t for t in threats if definite(t).lower().removeprefix("the ") in lowered), None)


def gather_choices(
    offered: tuple[list[list[list[Choice]]], list[Choice]],
    count: int,
    avoid: set[str],
    limit: int,
) -> list[Choice]:
    """Up to ``count`` distinct choices, taking one target from each group in turn.

    Each group holds targets, each target its phrasings. Passes go from strict to
    lenient: targets none of whose texts are avoided, then any target, then the
    ``spare`` stock choices, and only then texts in ``avoid``.
    """
    groups, spare = offered
    picked: list[Choice] = []
    texts: set[str] = set()

    def target(option: Choice) -> str:
        return f"{option.intent}:{option.target}" if option.target else option.text.casefold()

    spares = [[[choice] for choice in spare]]
    passes = ((groups, True, False), (groups, False, False), (spares, False, False))
    for pool, strict, allow_avoided in (*passes, (groups, False, True), (spares, False, True)):
        taken = {target(c) for c in picked}
        queues = [[o for o in g if target(o[0]) not in taken] for g in pool]
        if strict:
            queues = [[o for o in q if not {c.text.casefold() for c in o} & avoid] for q in queues]
        for rnd in range(max((len(q) for q in queues), default=0)):
            for queue in (q for q in queues if rnd < len(q)):
                for option in queue[rnd]:
                    key = option.text.casefold()
                    if key in texts or len(option.text) > limit:
                        continue
                    if allow_avoided or key not in avoid:
                        picked.append(option)
                        texts.add(key)
                        break
                if len(picked) == count:
                    return picked
    return picked


def _variants(
    templates: tuple[str, ...], name: str, intent: str, target: str | None, rng: random.Random
) -> list[Choice]:
    texts = [sentence(t.replace("{n}", name)).rstrip(".") for t in templates]
    rng.shuffle(texts)
    return [Choice(text, intent, target) for text in texts]


def offer_choices(
    cartridge: Cartridge, here: Location, state: WorldState, narration: str, rng: random.Random
) -> tuple[list[list[list[Choice]]], list[Choice]]:
    """Every choice worth offering, in groups of targets, plus spare stock choices.

    Groups: moves to exits, then in a seeded order looks at elements, the threat the
    narration named, the gear carried, rest when hurt; calm actions last.
    """
    threats = cartridge.lexicon["threats"]
    threat = threat_in(threats, narration) or rng.choice(threats)
    moves = [_variants(MOVES, cartridge.location(e).name, "move", e, rng) for e in here.exits]
    looks = []
    for element in (e for e in here.elements if e not in DISTANT):
        style = OPENS if element in OPENABLE else WORKS if element in OPERABLE else LOOKS
        style = PEERS if element in WATCHED else style
        looks.append(_variants(style, noun(element), "search", element, rng))
    uses = [_variants(USES, item, "use", item, rng) for item in state.inventory]
    named = definite(threat)
    danger = [
        _variants(FIGHTS, named, "fight", threat, rng),
        _variants(HIDES, named, "hide", threat, rng),
    ]
    calm = [[Choice(text, "wait") for text in WAIT_CHOICES]]
    calm.append([Choice(text, "talk") for text in TALK_CHOICES])
    rest = [[Choice(text, "rest") for text in REST_CHOICES]]
    for group in (moves, looks, uses, danger, calm):
        rng.shuffle(group)
    # Elements already searched here go last, so fresh ones are offered first.
    looks.sort(key=lambda options: f"{here.id}/{options[0].target}" in state.seen)
    # Resting is offered once hurt; waiting and talking only when little else is on offer.
    low = state.health * 10 <= state.max_health * 6
    hurt = low or (bool(state.injuries) and rng.random() < 0.5)
    others = [looks, danger, uses, *([rest] if hurt else [])]
    rng.shuffle(others)
    spare = [Choice(text, intent) for text, intent in GENERIC_CHOICES]
    rng.shuffle(spare)
    return [moves, *others, calm], spare
