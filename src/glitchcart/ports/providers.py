"""Ports of the model providers: the narrator, the painter and the filmmaker, and the
requests they are handed. Every call may fail with :class:`ProviderError`; a failing
provider never puts an error into the story."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice, TurnInput


@dataclass(frozen=True, slots=True)
class Scene:
    """What a picture should show; written by the narrator, read by the painter."""

    location: str
    time_of_day: str
    elements: tuple[str, ...]
    description: str
    mood: str  # "lucky" | "normal" | "unlucky" | "calm" | "dead"
    chaos: int


@dataclass(frozen=True, slots=True)
class PrologueRequest:
    """The opening of a new game. ``providers`` is the session's own choice of model
    providers, best first (None: the cartridge's, then the settings' defaults)."""

    cartridge: Cartridge
    state: WorldState
    turn_seed: int
    session: SessionKey | None = None
    game_id: str | None = None
    providers: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class NarrationRequest:
    cartridge: Cartridge
    state: WorldState
    input: TurnInput
    fate: Fate | None
    turn_seed: int
    recent: tuple[str, ...]  # the compact memory: recent event summaries, oldest first
    session: SessionKey | None = None  # who asks: for fair queueing and budgets
    game_id: str | None = None
    twist: str | None = None  # a line the crown holder wants woven into the consequence
    providers: tuple[str, ...] | None = None  # the session's choice, best first


@dataclass(frozen=True, slots=True)
class Narration:
    text: str
    delta: StateDelta


@dataclass(frozen=True, slots=True)
class ChoiceRequest:
    cartridge: Cartridge
    state: WorldState
    turn_seed: int
    count: int
    narration: str
    avoid: tuple[str, ...] = ()  # texts to avoid repeating (regenerate)
    session: SessionKey | None = None
    game_id: str | None = None
    providers: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PaintRequest:
    cartridge: Cartridge
    scene: Scene
    seed: int
    width: int = 512
    height: int = 288
    session: SessionKey | None = None
    game_id: str | None = None
    providers: tuple[str, ...] | None = None
    flipbook: bool = False  # a short animated GIF instead of a still


class Narrator(Protocol):
    """Writes the story. Must never put an error message into the story."""

    name: str

    async def prologue(self, request: PrologueRequest) -> str: ...

    async def narrate(self, request: NarrationRequest) -> Narration: ...

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]: ...

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        """Describe the picture of a state (cheap, no I/O)."""
        ...


class Painter(Protocol):
    """Renders a frame as PNG bytes."""

    name: str

    async def paint(self, request: PaintRequest) -> bytes: ...


@dataclass(frozen=True, slots=True)
class SegmentRequest:
    """One turn's clip: from the previous turn's frame to the new one (PNG or GIF bytes)."""

    frame: bytes
    previous: bytes | None  # None on the first turn of a game
    seed: int
    duration: float = 2.5  # seconds
    width: int = 512
    height: int = 288
    narration: str = ""  # what happened, for a model that films from a prompt
    session: SessionKey | None = None
    game_id: str | None = None
    turn: int = 0
    overlay: bool = False  # the frames carry a camcorder overlay in their corners: keep it still


class Filmmaker(Protocol):
    """Makes a short video clip per turn as MP4 (H.264) bytes.

    The offline one animates between the two frames; a video model plugs in here.
    """

    name: str

    async def segment(self, request: SegmentRequest) -> bytes: ...
