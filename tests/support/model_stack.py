"""Real-model adapters wired to a fake server, with fast retries and an injectable clock."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from glitchcart.adapters.providers.metering import Meter
from glitchcart.adapters.providers.openai.chat import ChatClient, HttpProvider
from glitchcart.adapters.providers.openai.narrator import OpenAINarrator
from glitchcart.adapters.providers.openai.painter import OpenAIPainter
from glitchcart.adapters.providers.resilient import ProviderCaller, ProviderHealth, RetryPolicy
from glitchcart.adapters.providers.scheduler import FairScheduler
from glitchcart.adapters.providers.story_memory import StoryMemory
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import WorldState, initial_state
from glitchcart.core.turn import Choice, InputKind, TurnInput
from glitchcart.ports import ChoiceRequest, NarrationRequest, PaintRequest, Scene
from glitchcart.settings import ProviderConfig
from support.cartridges import mini_cartridge

FAST = RetryPolicy(retries=2, base_delay=0.01, max_delay=0.02, max_wait=1.0)


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Recording:
    """A NarrationStream that keeps what it was told."""

    partials: list[str] = field(default_factory=list)
    abandoned: int = 0

    def partial(self, session: SessionKey | None, game_id: str | None, text: str) -> None:
        self.partials.append(text)

    def abandon(self, session: SessionKey | None, game_id: str | None) -> None:
        self.abandoned += 1


def caller_for(
    config: ProviderConfig, clock: Clock | None = None, policy: RetryPolicy = FAST
) -> ProviderCaller:
    health = ProviderHealth(config.name, 30.0, clock=clock or Clock())
    return ProviderCaller(
        config.name, FairScheduler(config.max_concurrency), health, policy, rng=random.Random(0)
    )


def narrator_for(
    config: ProviderConfig,
    http: httpx.AsyncClient,
    meter: Meter,
    *,
    clock: Clock | None = None,
    memory: StoryMemory | None = None,
    stream: Recording | None = None,
    policy: RetryPolicy = FAST,
) -> OpenAINarrator:
    return OpenAINarrator(
        ChatClient(config, http), caller_for(config, clock, policy), meter, memory, stream
    )


def painter_for(
    config: ProviderConfig, http: httpx.AsyncClient, meter: Meter, *, clock: Clock | None = None
) -> OpenAIPainter:
    return OpenAIPainter(HttpProvider(config, http), caller_for(config, clock), meter)


def start_state(cart: Cartridge | None = None) -> WorldState:
    cart = cart or mini_cartridge()
    return initial_state(cart, cart.openings[0].location, cart.openings[0].time_of_day)


def narration_request(
    text: str = "look around",
    *,
    kind: InputKind = InputKind.ACTION,
    fate: Fate | None = Fate.NORMAL,
    session: str = "web:alpha",
    game_id: str = "g1",
    cart: Cartridge | None = None,
    state: WorldState | None = None,
    **changes: Any,
) -> NarrationRequest:
    cart = cart or mini_cartridge()
    return NarrationRequest(
        cartridge=cart,
        state=state or start_state(cart),
        input=TurnInput(kind, text, "ann", Choice(text) if kind is InputKind.CHOICE else None),
        fate=fate,
        turn_seed=7,
        recent=changes.pop("recent", ()),
        session=SessionKey.parse(session),
        game_id=game_id,
        **changes,
    )


def choice_request(session: str = "web:alpha", count: int = 3, **changes: Any) -> ChoiceRequest:
    cart = changes.pop("cart", None) or mini_cartridge()
    return ChoiceRequest(
        cartridge=cart,
        state=changes.pop("state", None) or start_state(cart),
        turn_seed=9,
        count=count,
        narration=changes.pop("narration", "The hall is quiet."),
        session=SessionKey.parse(session),
        game_id=changes.pop("game_id", "g1"),
        **changes,
    )


def paint_request(session: str = "web:alpha", game_id: str = "g1", **scene: Any) -> PaintRequest:
    values: dict[str, Any] = {
        "location": "the hall",
        "time_of_day": "dusk",
        "elements": ("interior",),
        "description": "The hall at dusk, something unseen watching.",
        "mood": "normal",
        "chaos": 4,
    }
    values.update(scene)
    return PaintRequest(
        cartridge=mini_cartridge(),
        scene=Scene(**values),
        seed=11,
        width=160,
        height=90,
        session=SessionKey.parse(session),
        game_id=game_id,
    )
