"""Fallback chains: the Narrator and Painter the engine sees when real models are configured.

For each call the chain works out the providers to try, in order::

    the session's own choice (the request's `providers`), else the cartridge's
    `providers`, else the settings' chain for the role
      - minus providers on the bench
      - minus paid providers once this session's or game's budget is spent
      - cut at "offline" if the list names it
    then the offline provider, which always answers

and returns the first answer. A provider that fails costs one try; nothing it
said reaches the story. The painter's chain ends in the "signal lost" frame
instead, and a *refused* picture goes straight to that frame: a prompt one model
declined is not shopped around to the next.

    chain = ChainNarrator([hosted, local], OfflineNarrator(), meter, default=("hosted", "local"))
    chain.plan(cartridge, key, game_id, ("local",))  # a session that chose the local model
    chain.notices(key)                  # budget notices for this session's players
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from glitchcart.adapters.providers.metering import Meter
from glitchcart.adapters.providers.openai.narrator import OpenAINarrator
from glitchcart.adapters.providers.signal_lost import signal_lost
from glitchcart.adapters.providers.story_memory import StoryMemory
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice
from glitchcart.errors import ProviderError, ProviderRefused
from glitchcart.ports import (
    ChoiceRequest,
    Narration,
    NarrationRequest,
    Narrator,
    Painter,
    PaintRequest,
    PrologueRequest,
    Scene,
)

OFFLINE = "offline"
MAX_SELECTIONS = 50_000
T = TypeVar("T")


class Link(Protocol):
    name: str

    def available(self) -> bool: ...


class PaintLink(Link, Protocol):
    async def paint(self, request: PaintRequest) -> bytes: ...


class _Plan:
    """Which providers a session and game may use; shared by both chains."""

    def __init__(self, links: Sequence[Link], meter: Meter, default: Sequence[str] | None) -> None:
        self.links = {link.name: link for link in links}
        self.meter = meter
        self.default = tuple(default) if default is not None else tuple(self.links)

    def order(
        self,
        cartridge: Cartridge | None,
        session: SessionKey | None,
        game_id: str | None,
        chosen: Sequence[str] | None = None,
    ) -> list[str]:
        """The providers to try, best first. ``chosen`` is the session's own list; names
        of the other role's providers are skipped, and a list naming none of this role's
        (nor "offline") leaves this role on its defaults."""
        names: Sequence[str] | None = None
        if chosen:
            names = [n for n in chosen if n in self.links or n == OFFLINE] or None
        if names is None and cartridge is not None:
            preferred = tuple(n for n in cartridge.providers if n in self.links or n == OFFLINE)
            names = preferred or None
        picked: list[str] = []
        paid_ok = self.meter.allows(session, game_id)
        for name in names if names is not None else self.default:
            if name == OFFLINE:
                break
            link = self.links.get(name)
            if link is None or not link.available():
                continue
            if not paid_ok and self.meter.is_paid(name):
                continue
            picked.append(name)
        return picked


class _Asks(Protocol):
    @property
    def cartridge(self) -> Cartridge: ...
    @property
    def session(self) -> SessionKey | None: ...
    @property
    def game_id(self) -> str | None: ...
    @property
    def providers(self) -> tuple[str, ...] | None: ...


def _plan_for(plan: _Plan, request: _Asks) -> list[str]:
    """The providers to try for ``request``, which names its session's choice."""
    return plan.order(request.cartridge, request.session, request.game_id, request.providers)


async def _first(names: list[str], call: Callable[[str], Awaitable[T]]) -> T | None:
    for name in names:
        try:
            return await call(name)
        except ProviderError:  # refused, failed, benched: the next provider may answer
            continue
    return None


class _Chain:
    _plan: _Plan

    def plan(
        self,
        cartridge: Cartridge | None,
        session: SessionKey | None,
        game_id: str | None,
        chosen: Sequence[str] | None = None,
    ) -> list[str]:
        """The providers a call for this session would try now, offline not included."""
        return self._plan.order(cartridge, session, game_id, chosen)


class ChainNarrator(_Chain):
    """A :class:`Narrator` that tries chat providers in order, then the offline narrator."""

    name = "chain"

    def __init__(
        self,
        links: Sequence[OpenAINarrator],
        offline: Narrator,
        meter: Meter,
        *,
        default: Sequence[str] | None = None,
        memory: StoryMemory | None = None,
    ) -> None:
        self._plan = _Plan(links, meter, default)
        self._links = {link.name: link for link in links}
        self.offline = offline
        self.meter = meter
        self.memory = memory

    def notices(self, session: SessionKey) -> list[str]:
        """Messages for this session's players (a spent budget), each returned once."""
        return self.meter.notices(session)

    async def prologue(self, request: PrologueRequest) -> str:
        names = _plan_for(self._plan, request)
        text = await _first(names, lambda n: self._links[n].prologue(request))
        if text is not None:
            return text
        return await self.offline.prologue(request)

    async def narrate(self, request: NarrationRequest) -> Narration:
        names = _plan_for(self._plan, request)
        narration = await _first(names, lambda n: self._links[n].narrate(request))
        if narration is None:
            narration = await self.offline.narrate(request)
        if self.memory is not None and narration.delta.event:
            self.memory.remember(
                request.game_id,
                request.state.turn + 1,
                narration.delta.event,
                summarize=self._summarizer(request),
            )
        return narration

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        names = _plan_for(self._plan, request)
        choices = await _first(names, lambda n: self._links[n].choices(request))
        if choices is not None:
            return choices
        return await self.offline.choices(request)

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return self.offline.scene(cartridge, state, narration, fate)

    def _summarizer(
        self, request: NarrationRequest
    ) -> Callable[[str, tuple[str, ...]], Awaitable[str]] | None:
        memory = self.memory
        if memory is None or not _plan_for(self._plan, request):
            return None

        async def summarize(previous: str, events: tuple[str, ...]) -> str:
            names = _plan_for(self._plan, request)
            text = await _first(
                names,
                lambda n: self._links[n].summarize(
                    request.session,
                    request.game_id,
                    request.cartridge,
                    previous,
                    events,
                    memory.max_chars,
                ),
            )
            if text is None:
                raise ProviderError("no model could write the summary")
            return text

        return summarize


class ChainPainter(_Chain):
    """A :class:`Painter` over image providers, then optionally offline, then "signal lost"."""

    name = "chain"

    def __init__(
        self,
        links: Sequence[PaintLink],
        meter: Meter,
        *,
        offline: Painter | None = None,
        default: Sequence[str] | None = None,
    ) -> None:
        self._plan = _Plan(links, meter, default)
        self._links = {link.name: link for link in links}
        self.offline = offline
        self.lost = 0  # frames that fell back to "signal lost" (for tests and metrics)

    async def paint(self, request: PaintRequest) -> bytes:
        for name in _plan_for(self._plan, request):
            try:
                return await self._links[name].paint(request)
            except ProviderRefused:
                return await self._signal_lost(request)
            except ProviderError:
                continue
        if self.offline is not None:
            try:
                return await self.offline.paint(request)
            except ProviderError:
                pass
        return await self._signal_lost(request)

    async def _signal_lost(self, request: PaintRequest) -> bytes:
        self.lost += 1
        return await signal_lost(request.cartridge, request.width, request.height, request.seed)
