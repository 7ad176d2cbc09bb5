"""A game master on an OpenAI-compatible chat model: the :class:`Narrator` port.

One turn is two calls: the consequence (narration, state delta, death verdict)
as one structured reply, then the choices as a second, smaller one, so the
narration reaches the players first. With a :class:`NarrationStream` and a
server that streams, the narration is passed on while it is being written.

Every call goes through the provider's :class:`ProviderCaller` (fair slot,
retries, bench) and is charged to the session, game and turn in the
:class:`Meter`. Any failure is a :class:`ProviderError`: the chain moves on to
the next provider and the engine, at the end, to its fallback line, so an error
never becomes story text.

    narrator = OpenAINarrator(ChatClient(config, http), caller, meter, memory)
    narration = await narrator.narrate(request)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from glitchcart.adapters.providers.metering import Meter, Usage
from glitchcart.adapters.providers.offline.narrator import describe_scene
from glitchcart.adapters.providers.openai.chat import ChatClient, TextCallback
from glitchcart.adapters.providers.openai.json_repair import partial_string
from glitchcart.adapters.providers.openai.prompts import (
    Message,
    choice_messages,
    narration_messages,
    prologue_messages,
    summary_messages,
)
from glitchcart.adapters.providers.openai.replies import (
    CHOICES_SCHEMA,
    MAX_PROLOGUE,
    NARRATION_SCHEMA,
    clean_text,
    read_choices,
    read_narration,
)
from glitchcart.adapters.providers.resilient import ProviderCaller
from glitchcart.adapters.providers.story_memory import StoryMemory
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.memory import select_lore
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice
from glitchcart.errors import ProviderBadOutput
from glitchcart.ports import ChoiceRequest, Narration, NarrationRequest, PrologueRequest, Scene

UNATTRIBUTED = "-"  # the scheduler's key for calls that name no session
NARRATION_TOKENS = 700
CHOICE_TOKENS = 300
PROLOGUE_TOKENS = 400


class NarrationStream(Protocol):
    """Where narration goes while it is being written (e.g. the event bus)."""

    def partial(self, session: SessionKey | None, game_id: str | None, text: str) -> None:
        """The narration so far (the whole prefix, not a delta)."""
        ...

    def abandon(self, session: SessionKey | None, game_id: str | None) -> None:
        """The partial narration will not be used; show nothing of it."""
        ...


def schedule_key(session: SessionKey | None) -> str:
    return str(session) if session is not None else UNATTRIBUTED


class OpenAINarrator:
    """Narration, choices, prologue and summaries from one chat provider."""

    def __init__(
        self,
        chat: ChatClient,
        caller: ProviderCaller,
        meter: Meter,
        memory: StoryMemory | None = None,
        stream: NarrationStream | None = None,
    ) -> None:
        self.chat = chat
        self.caller = caller
        self.meter = meter
        self.memory = memory
        self.stream = stream
        self.name = chat.name

    def available(self) -> bool:
        return self.caller.available()

    async def prologue(self, request: PrologueRequest) -> str:
        cartridge, state = request.cartridge, request.state
        opening = next(
            (o for o in cartridge.openings if o.location == state.location),
            cartridge.openings[0],
        )
        messages = prologue_messages(cartridge, state, opening.prologue)

        async def attempt() -> str:
            reply = await self.chat.complete(
                messages,
                max_tokens=PROLOGUE_TOKENS,
                on_usage=self._charger(request.session, request.game_id, 0),
            )
            return clean_text(reply.text, MAX_PROLOGUE, what="prologue")

        return await self.caller.call(schedule_key(request.session), attempt)

    async def narrate(self, request: NarrationRequest) -> Narration:
        cart, state = request.cartridge, request.state
        here = cart.location(state.location) if state.location in _ids(cart) else None
        context = [request.input.text, *request.recent, request.twist or ""]
        if here is not None:
            context += [here.name, here.description]
        summary = self.memory.recall(request.game_id) if self.memory else ""
        messages = narration_messages(
            cart,
            state,
            request.input,
            request.fate,
            summary=summary,
            recent=request.recent,
            lore=select_lore(cart.lore, context),
            twist=request.twist,
        )
        session, game_id = request.session, request.game_id

        async def attempt() -> Narration:
            on_text = self._streamer(session, game_id)
            try:
                data = await self._json(
                    messages,
                    NARRATION_SCHEMA,
                    "turn",
                    NARRATION_TOKENS,
                    self._charger(session, game_id, state.turn + 1),
                    on_text,
                )
                text, delta = read_narration(data, cart, state, request.input, request.fate)
            except BaseException:
                if self.stream is not None and on_text is not None:
                    self.stream.abandon(session, game_id)
                raise
            return Narration(text, delta)

        return await self.caller.call(schedule_key(session), attempt)

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        messages = choice_messages(
            request.cartridge, request.state, request.narration, request.count, request.avoid
        )
        charge = self._charger(request.session, request.game_id, request.state.turn)

        async def attempt() -> tuple[Choice, ...]:
            data = await self._json(messages, CHOICES_SCHEMA, "choices", CHOICE_TOKENS, charge)
            picked = read_choices(data, request.count, request.avoid, request.state.inventory)
            if len(picked) < request.count:
                raise ProviderBadOutput(f"provider {self.name}: too few usable choices")
            return picked

        return await self.caller.call(schedule_key(request.session), attempt)

    async def summarize(
        self,
        session: SessionKey | None,
        game_id: str | None,
        cartridge: Cartridge,
        previous: str,
        events: tuple[str, ...],
        max_chars: int,
    ) -> str:
        """Fold ``events`` into ``previous``: the model-written rolling summary."""
        messages = summary_messages(cartridge, previous, events, max_chars)

        async def attempt() -> str:
            reply = await self.chat.complete(
                messages,
                max_tokens=max(64, max_chars // 3),
                temperature=0.2,
                on_usage=self._charger(session, game_id, None),
            )
            return clean_text(reply.text, max_chars, what="summary")

        return await self.caller.call(schedule_key(session), attempt)

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return describe_scene(cartridge, state, narration, fate)

    async def _json(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        name: str,
        max_tokens: int,
        on_usage: Callable[[Usage], None],
        on_text: TextCallback | None = None,
    ) -> dict[str, Any]:
        data, _ = await self.chat.complete_json(
            messages,
            schema=schema,
            name=name,
            max_tokens=max_tokens,
            on_text=on_text,
            on_usage=on_usage,
        )
        return data

    def _charger(
        self, session: SessionKey | None, game_id: str | None, turn: int | None
    ) -> Callable[[Usage], None]:
        def charge(usage: Usage) -> None:
            self.meter.charge(
                usage, provider=self.name, session=session, game_id=game_id, turn=turn
            )

        return charge

    def _streamer(self, session: SessionKey | None, game_id: str | None) -> TextCallback | None:
        stream = self.stream
        if stream is None or not self.chat.config.supports_stream:
            return None
        shown = [0]

        def on_text(raw: str) -> None:
            text = partial_string(raw, "narration")
            if text and len(text) > shown[0]:
                shown[0] = len(text)
                stream.partial(session, game_id, text)

        return on_text


def _ids(cartridge: Cartridge) -> set[str]:
    return {loc.id for loc in cartridge.locations}
