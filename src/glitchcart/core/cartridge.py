"""Cartridges: the game definition a session boots.

A cartridge is plain data (parsed from TOML by the cartridge library adapter).
:func:`parse_cartridge` validates a mapping and returns a frozen
:class:`Cartridge`; any problem raises :class:`InvalidCartridge` whose message
names the offending field, e.g. ``fate.lucky: must be a number from 0 to 1``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from glitchcart.core.ids import NAME, NAME_PATTERN, PROVIDER_NAME, PROVIDER_NAME_PATTERN
from glitchcart.errors import InvalidCartridge

TIMES_OF_DAY: tuple[str, ...] = ("dawn", "day", "dusk", "night")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}", re.ASCII)

# Word lists the offline narrator draws on; each must be present and non-empty.
LEXICON_KEYS: tuple[str, ...] = (
    "threats",
    "sensations",
    "discoveries",
    "injuries",
    "lucky",
    "normal",
    "unlucky",
    "hesitation",
    "approaches",
    "ticks",
)


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    description: str
    elements: tuple[str, ...]
    exits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Opening:
    location: str
    time_of_day: str
    prologue: str
    visual: str


@dataclass(frozen=True, slots=True)
class ArtStyle:
    palette: tuple[str, ...]
    style: str
    motifs: tuple[str, ...]
    scanlines: bool
    grain: float

    @property
    def camcorder(self) -> bool:
        """Whether frames carry a camcorder's overlay (REC light, date stamp) in their corners."""
        return re.search(r"found[- ]footage|camcorder", self.style.lower()) is not None


@dataclass(frozen=True, slots=True)
class Stats:
    health: int
    max_health: int
    inventory: tuple[str, ...]
    inventory_limit: int


@dataclass(frozen=True, slots=True)
class FateOdds:
    lucky: float
    normal: float
    unlucky: float
    chaos_skew: float


@dataclass(frozen=True, slots=True)
class ChaosPhase:
    name: str
    at: int


@dataclass(frozen=True, slots=True)
class Timing:
    countdown_seconds: float
    idle_seconds: float
    turns_per_time_of_day: int


@dataclass(frozen=True, slots=True)
class DeathRules:
    max_injuries: int
    fatal_chaos: int
    hesitation_damage: int
    unlucky_damage: int
    normal_damage: int


@dataclass(frozen=True, slots=True)
class LoreEntry:
    """A piece of world lore, shown to a model only when one of its trigger words comes up."""

    keys: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Cartridge:
    id: str
    title: str
    genre: str
    premise: str
    tone: str
    art: ArtStyle
    stats: Stats
    fate: FateOdds
    chaos_phases: tuple[ChaosPhase, ...]
    chaos_per_turn: int
    timing: Timing
    death: DeathRules
    choice_count: int
    locations: tuple[Location, ...]
    openings: tuple[Opening, ...]
    lexicon: Mapping[str, tuple[str, ...]]
    providers: tuple[str, ...] = ()  # preferred model providers by name, best first
    lore: tuple[LoreEntry, ...] = ()

    def location(self, location_id: str) -> Location:
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)


class _Reader:
    """Reads typed fields out of nested mappings, naming the path on error."""

    def __init__(self, data: Mapping[str, Any], path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise InvalidCartridge(f"{path or 'cartridge'}: must be a table")
        self.data = data
        self.path = path

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _REQUIRED:
            raise InvalidCartridge(f"{self._name(key)}: is required")
        return default

    def table(self, key: str) -> _Reader:
        return _Reader(self._get(key, {}), self._name(key))

    def text(self, key: str, default: Any = None, *, max_len: int = 4000) -> str:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise InvalidCartridge(f"{self._name(key)}: must be non-empty text up to {max_len}")
        return value.strip()

    def ident(self, key: str) -> str:
        """A cartridge's or a location's id."""
        value = self._get(key, _REQUIRED)
        if not isinstance(value, str) or not NAME.fullmatch(value):
            raise InvalidCartridge(f"{self._name(key)}: must match {NAME_PATTERN}")
        return value

    def integer(self, key: str, default: Any = None, *, lo: int, hi: int) -> int:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise InvalidCartridge(f"{self._name(key)}: must be a whole number from {lo} to {hi}")
        return value

    def number(self, key: str, default: Any = None, *, lo: float, hi: float) -> float:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise InvalidCartridge(f"{self._name(key)}: must be a number from {lo:g} to {hi:g}")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise InvalidCartridge(f"{self._name(key)}: must be true or false")
        return value

    def texts(self, key: str, default: Any = None, *, min_items: int = 1) -> tuple[str, ...]:
        value = self._get(key, _REQUIRED if default is None else default)
        if (
            not isinstance(value, list)
            or len(value) < min_items
            or not all(isinstance(v, str) and v.strip() and len(v) <= 1000 for v in value)
        ):
            raise InvalidCartridge(
                f"{self._name(key)}: must be a list of at least {min_items} non-empty strings"
            )
        return tuple(v.strip() for v in value)

    def tables(self, key: str, *, min_items: int = 1) -> list[_Reader]:
        value = self._get(key, _REQUIRED)
        if not isinstance(value, list) or len(value) < min_items:
            raise InvalidCartridge(
                f"{self._name(key)}: must be a list of at least {min_items} tables"
            )
        return [_Reader(item, f"{self._name(key)}[{i}]") for i, item in enumerate(value)]


_REQUIRED = object()


def parse_cartridge(data: Mapping[str, Any]) -> Cartridge:
    """Validate a cartridge mapping; raise :class:`InvalidCartridge` naming the field.

    Sections are checked in file order, so of several problems the first is named.
    """
    root = _Reader(data)
    art = _art(root.table("art"))
    stats = _stats(root.table("stats"))
    fate = _fate(root.table("fate"))
    phases = _chaos_phases(root.table("chaos"))
    timing = _timing(root.table("timing"))
    death = _death(root.table("death"))
    locations = _locations(root)
    openings = _openings(root, {loc.id for loc in locations})
    lex = root.table("lexicon")
    lexicon = {name: lex.texts(name) for name in LEXICON_KEYS}
    lore = _lore(root)
    providers = _providers(root)
    return Cartridge(
        id=root.ident("id"),
        title=root.text("title", max_len=80),
        genre=root.text("genre", max_len=80),
        premise=root.text("premise"),
        tone=root.text("tone"),
        art=art,
        stats=stats,
        fate=fate,
        chaos_phases=phases,
        chaos_per_turn=root.table("chaos").integer("per_turn", 2, lo=0, hi=100),
        timing=timing,
        death=death,
        choice_count=root.integer("choice_count", 3, lo=2, hi=6),
        locations=locations,
        openings=openings,
        lexicon=lexicon,
        providers=providers,
        lore=lore,
    )


def _art(art: _Reader) -> ArtStyle:
    palette = art.texts("palette", min_items=5)
    for i, colour in enumerate(palette):
        if not _COLOUR.fullmatch(colour):
            raise InvalidCartridge(f"art.palette[{i}]: must be a colour like #1a2b3c")
    return ArtStyle(
        palette=palette,
        style=art.text("style"),
        motifs=art.texts("motifs", [], min_items=0),
        scanlines=art.flag("scanlines", True),
        grain=art.number("grain", 0.15, lo=0.0, hi=1.0),
    )


def _stats(st: _Reader) -> Stats:
    max_health = st.integer("max_health", lo=1, hi=1000)
    stats = Stats(
        health=st.integer("health", lo=1, hi=max_health),
        max_health=max_health,
        inventory=st.texts("inventory", [], min_items=0),
        inventory_limit=st.integer("inventory_limit", lo=1, hi=50),
    )
    if len(stats.inventory) > stats.inventory_limit:
        raise InvalidCartridge("stats.inventory: has more items than stats.inventory_limit")
    return stats


def _fate(fr: _Reader) -> FateOdds:
    fate = FateOdds(
        lucky=fr.number("lucky", lo=0, hi=1),
        normal=fr.number("normal", lo=0, hi=1),
        unlucky=fr.number("unlucky", lo=0, hi=1),
        chaos_skew=fr.number("chaos_skew", 0.3, lo=0, hi=1),
    )
    if abs(fate.lucky + fate.normal + fate.unlucky - 1.0) > 1e-6:
        raise InvalidCartridge("fate: lucky + normal + unlucky must add up to 1")
    return fate


def _chaos_phases(ch: _Reader) -> tuple[ChaosPhase, ...]:
    phases = tuple(
        ChaosPhase(name=t.text("name", max_len=40), at=t.integer("at", lo=0, hi=100))
        for t in ch.tables("phases")
    )
    if phases[0].at != 0 or any(b.at <= a.at for a, b in itertools.pairwise(phases)):
        raise InvalidCartridge("chaos.phases: must start at 0 and rise strictly")
    return phases


def _timing(tm: _Reader) -> Timing:
    return Timing(
        countdown_seconds=tm.number("countdown_seconds", 10, lo=0.1, hi=3600),
        idle_seconds=tm.number("idle_seconds", 60, lo=0.5, hi=86400),
        turns_per_time_of_day=tm.integer("turns_per_time_of_day", 3, lo=1, hi=100),
    )


def _death(de: _Reader) -> DeathRules:
    return DeathRules(
        max_injuries=de.integer("max_injuries", lo=1, hi=50),
        fatal_chaos=de.integer("fatal_chaos", 100, lo=1, hi=100),
        hesitation_damage=de.integer("hesitation_damage", 1, lo=0, hi=1000),
        unlucky_damage=de.integer("unlucky_damage", 3, lo=0, hi=1000),
        normal_damage=de.integer("normal_damage", 1, lo=0, hi=1000),
    )


def _locations(root: _Reader) -> tuple[Location, ...]:
    """At least two locations with unique ids, whose exits all lead somewhere."""
    locations = tuple(
        Location(
            id=t.ident("id"),
            name=t.text("name", max_len=80),
            description=t.text("description"),
            elements=t.texts("elements"),
            exits=t.texts("exits"),
        )
        for t in root.tables("locations", min_items=2)
    )
    known = {loc.id for loc in locations}
    if len(known) != len(locations):
        raise InvalidCartridge("locations: ids must be unique")
    for i, loc in enumerate(locations):
        for exit_id in loc.exits:
            if exit_id not in known:
                raise InvalidCartridge(f"locations[{i}].exits: unknown location {exit_id!r}")
    return locations


def _openings(root: _Reader, known: set[str]) -> tuple[Opening, ...]:
    """Opening scenes, each at a known location and time of day."""
    openings: list[Opening] = []
    for i, t in enumerate(root.tables("openings")):
        opening = Opening(
            location=t.text("location", max_len=48),
            time_of_day=t.text("time_of_day"),
            prologue=t.text("prologue"),
            visual=t.text("visual"),
        )
        if opening.location not in known:
            raise InvalidCartridge(f"openings[{i}].location: unknown location {opening.location!r}")
        if opening.time_of_day not in TIMES_OF_DAY:
            raise InvalidCartridge(f"openings[{i}].time_of_day: must be one of {TIMES_OF_DAY}")
        openings.append(opening)
    return tuple(openings)


def _lore(root: _Reader) -> tuple[LoreEntry, ...]:
    if "lore" not in root.data:
        return ()
    return tuple(
        LoreEntry(keys=t.texts("keys"), text=t.text("text", max_len=2000))
        for t in root.tables("lore", min_items=0)
    )


def _providers(root: _Reader) -> tuple[str, ...]:
    providers = root.texts("providers", [], min_items=0)
    for i, name in enumerate(providers):
        if not PROVIDER_NAME.fullmatch(name):
            raise InvalidCartridge(f"providers[{i}]: must match {PROVIDER_NAME_PATTERN}")
    return providers
