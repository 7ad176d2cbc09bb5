"""The provider stages of a turn: narrate, write choices, paint.

Each asks a provider and falls back without ever putting an error in the story:
a failed narrator gives a story-consistent line that changes nothing, failed
choices come from the location's exits, a failed painter leaves no frame.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fallback import fallback_choices, fallback_delta, fallback_narration
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.seeds import derive_seed
from glitchcart.core.session import GameRecord, PendingTurn
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice
from glitchcart.errors import ProviderError
from glitchcart.ports import (
    ChoiceRequest,
    MediaStore,
    Narration,
    NarrationRequest,
    Narrator,
    Painter,
    PaintRequest,
    PrologueRequest,
)
from glitchcart.settings import Settings

Publish = Callable[[SessionKey, str, dict[str, Any]], Awaitable[None]]


class ProviderStages:
    """Asks the narrator and the painter for a turn's words and picture."""

    def __init__(
        self,
        *,
        narrator: Narrator,
        painter: Painter,
        media: MediaStore,
        settings: Settings,
        publish: Publish,
    ) -> None:
        self.narrator = narrator
        self.painter = painter
        self.media = media
        self.settings = settings
        self._publish = publish

    async def prologue(
        self,
        cartridge: Cartridge,
        game: GameRecord,
        pending: PendingTurn,
        key: SessionKey,
        providers: tuple[str, ...] | None,
    ) -> tuple[str, bool]:
        """The opening words of ``game``, and whether they are the cartridge's own
        (the fallback when the narrator fails)."""
        request = PrologueRequest(
            cartridge, game.state, pending.turn_seed, key, game.game_id, providers
        )
        try:
            return await self.narrator.prologue(request), False
        except ProviderError:
            return cartridge.openings[game.opening].prologue, True

    async def narrate(
        self,
        cartridge: Cartridge,
        state: WorldState,
        pending: PendingTurn,
        key: SessionKey,
        game_id: str,
        providers: tuple[str, ...] | None,
    ) -> tuple[Narration, bool]:
        request = NarrationRequest(
            cartridge=cartridge,
            state=state,
            input=pending.input,
            fate=pending.fate,
            turn_seed=pending.turn_seed,
            recent=state.recent_events,
            session=key,
            game_id=game_id,
            twist=pending.twist,
            providers=providers,
        )
        try:
            return await self.narrator.narrate(request), False
        except ProviderError:
            text = fallback_narration(cartridge, state, pending.input)
            return Narration(text, fallback_delta(pending.input)), True

    async def choices(
        self,
        cartridge: Cartridge,
        state: WorldState,
        seed: int,
        narration: str,
        avoid: tuple[Choice, ...],
        key: SessionKey,
        game_id: str,
        providers: tuple[str, ...] | None,
    ) -> tuple[Choice, ...]:
        request = ChoiceRequest(
            cartridge=cartridge,
            state=state,
            turn_seed=seed,
            count=cartridge.choice_count,
            narration=narration,
            avoid=tuple(c.text for c in avoid),
            session=key,
            game_id=game_id,
            providers=providers,
        )
        try:
            choices = await self.narrator.choices(request)
        except ProviderError:
            return fallback_choices(cartridge, state, cartridge.choice_count)
        return choices or fallback_choices(cartridge, state, cartridge.choice_count)

    async def choices_shown(
        self,
        cartridge: Cartridge,
        state: WorldState,
        seed: int,
        narration: str,
        key: SessionKey,
        game_id: str,
        turn: int,
        options: SessionOptions,
    ) -> tuple[Choice, ...]:
        """The next choices, shown as soon as they exist (``choices_ready``): players can
        read them while the picture is painted. Votes open with the commit (``choices``),
        which carries the frame too (DESIGN rule 5)."""
        choices = await self.choices(
            cartridge, state, seed, narration, (), key, game_id, options.providers
        )
        shown = {"game_id": game_id, "turn": turn, "choices": [c.to_dict() for c in choices]}
        await self._publish(key, "choices_ready", shown)
        return choices

    async def paint(
        self,
        cartridge: Cartridge,
        state: WorldState,
        narration: str,
        pending: PendingTurn,
        ref: MediaRef,
        game_id: str,
        options: SessionOptions,
    ) -> MediaRef | None:
        """Paint and store the frame; a failed painter leaves the turn without one."""
        if not self.settings.pictures:
            return None
        if await self.media.exists(ref):
            return ref  # an earlier attempt at this turn already painted it
        scene = self.narrator.scene(cartridge, state, narration, pending.fate)
        request = PaintRequest(
            cartridge=cartridge,
            scene=scene,
            seed=derive_seed(pending.turn_seed, "paint"),
            width=self.settings.frame_width,
            height=self.settings.frame_height,
            session=ref.session,
            game_id=game_id,
            providers=options.providers,
            flipbook=options.wants_flipbook(default=self.settings.flipbook),
        )
        try:
            png = await self.painter.paint(request)
        except ProviderError:
            return None
        await self.media.put(ref, png)
        return ref
