"""Small hand-written providers for engine tests: injected, never patched in."""

from __future__ import annotations

import asyncio

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice
from glitchcart.errors import ProviderError
from glitchcart.ports import (
    ChoiceRequest,
    Narration,
    NarrationRequest,
    PaintRequest,
    PrologueRequest,
    Scene,
)


class PlainNarrator:
    """Writes one fixed-shape line per turn and always deals the most damage asked for."""

    name = "plain"

    def __init__(self, damage: int = 0) -> None:
        self.damage = damage
        self.calls = 0

    async def prologue(self, request: PrologueRequest) -> str:
        return f"prologue at {request.state.location}"

    async def narrate(self, request: NarrationRequest) -> Narration:
        self.calls += 1
        text = f"turn {request.state.turn + 1}: {request.input.text} ({request.fate})"
        return Narration(text, StateDelta(damage=self.damage, event=request.input.text[:40]))

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        base = request.turn_seed % 1000
        return tuple(Choice(f"option {base}-{i}") for i in range(request.count))

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return Scene(
            state.location, state.time_of_day, ("rocks",), narration, "normal", state.chaos
        )


class BrokenNarrator(PlainNarrator):
    """Fails every call the way a remote model might."""

    async def prologue(self, request: PrologueRequest) -> str:
        raise ProviderError("HTTP 500 from upstream: Traceback (most recent call last)")

    async def narrate(self, request: NarrationRequest) -> Narration:
        raise ProviderError("HTTP 500 from upstream: Traceback (most recent call last)")

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        raise ProviderError("quota exceeded")


class GatedNarrator(PlainNarrator):
    """Blocks in ``narrate`` until the gate opens, to hold a turn in RESOLVING."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def narrate(self, request: NarrationRequest) -> Narration:
        self.entered.set()
        await self.gate.wait()
        return await super().narrate(request)


class TinyPainter:
    """A 'PNG' that is just the seed, so tests can tell frames apart cheaply."""

    name = "tiny"

    async def paint(self, request: PaintRequest) -> bytes:
        return b"\x89PNG\r\n\x1a\n" + str(request.seed).encode()


class BrokenPainter:
    name = "broken"

    async def paint(self, request: PaintRequest) -> bytes:
        raise ProviderError("image model refused")
