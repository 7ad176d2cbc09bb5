"""Usage and cost of model calls per turn, game and session, and the budgets on them.

Every provider call that reaches a server is charged here with its tokens or
images; the cost comes from the provider's prices in the settings. A budget is
*per session* and *per game* (the predecessor's "per session" cap was global):

    meter = Meter({"hosted": hosted_config}, session_budget=0.50, game_budget=None)
    meter.charge(Usage(1200, 300), provider="hosted", session=key, game_id="g1", turn=4)
    meter.allows(key, "g1")        # False once that session or game has spent its budget
    meter.notices(key)             # ["This session's model budget is spent; ..."] once

A spent budget only turns away *paid* providers for that session or game (the
chain then moves on to a free one: a local model or the offline narrator), and
queues one notice for that session's players. Other sessions are untouched.

One call may overshoot a budget by its own cost: the price of a call is only
known once it has been answered.

Session and game totals go to a :class:`SpendLedger`: in memory by default, or
:class:`~glitchcart.adapters.providers.spend_ledger.SqliteSpendLedger` in the data directory,
so a restart (or another process on the same data) does not reset a budget.
Per-turn and per-provider figures stay in memory: they are for reports.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from glitchcart.core.keys import SessionKey
from glitchcart.settings import ProviderConfig

BUDGET_NOTICE = (
    "This {scope}'s model budget is spent, so the story carries on with a cheaper "
    "storyteller. Nothing else changes."
)
MAX_TRACKED = 50_000  # games and sessions remembered; the oldest are forgotten first


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.images + other.images,
        )


@dataclass(frozen=True, slots=True)
class Tally:
    usage: Usage = Usage()
    cost: float = 0.0
    calls: int = 0

    def add(self, usage: Usage, cost: float) -> Tally:
        return Tally(self.usage + usage, self.cost + cost, self.calls + 1)


def price(config: ProviderConfig, usage: Usage) -> float:
    """The estimated cost of ``usage`` at ``config``'s prices."""
    return (
        usage.input_tokens / 1000 * config.price_input_per_1k
        + usage.output_tokens / 1000 * config.price_output_per_1k
        + usage.images * config.price_per_image
    )


class SpendLedger(Protocol):
    """Running totals of spend per scope ("session", "game") and key."""

    def add(self, scope: str, key: str, usage: Usage, cost: float) -> Tally:
        """Add one call to the total of ``scope``/``key``; the new total."""
        ...

    def get(self, scope: str, key: str) -> Tally: ...

    def close(self) -> None: ...


class MemorySpendLedger:
    """Totals in this process's memory only (the oldest keys are forgotten first)."""

    def __init__(self) -> None:
        self._totals = _Bounded()

    def add(self, scope: str, key: str, usage: Usage, cost: float) -> Tally:
        return self._totals.add(f"{scope}:{key}", usage, cost)

    def get(self, scope: str, key: str) -> Tally:
        return self._totals.get(f"{scope}:{key}", Tally())

    def close(self) -> None:
        self._totals.clear()


class _Bounded(OrderedDict[str, Tally]):
    def add(self, key: str, usage: Usage, cost: float) -> Tally:
        tally = self.pop(key, Tally()).add(usage, cost)
        self[key] = tally
        while len(self) > MAX_TRACKED:
            self.popitem(last=False)
        return tally


class Meter:
    """Counts usage and cost, and says whether a session may still use paid providers."""

    def __init__(
        self,
        providers: Mapping[str, ProviderConfig],
        *,
        session_budget: float | None = None,
        game_budget: float | None = None,
        ledger: SpendLedger | None = None,
    ) -> None:
        self._providers = dict(providers)
        self.session_budget = session_budget
        self.game_budget = game_budget
        self.ledger: SpendLedger = ledger if ledger is not None else MemorySpendLedger()
        self._turns = _Bounded()
        self._providers_used = _Bounded()
        self._latest_turn: OrderedDict[str, int] = OrderedDict()  # game -> last turn charged
        self._notices: OrderedDict[str, list[str]] = OrderedDict()  # session -> unread

    def is_paid(self, provider: str) -> bool:
        config = self._providers.get(provider)
        return config is not None and config.paid

    def charge(
        self,
        usage: Usage,
        *,
        provider: str,
        session: SessionKey | None,
        game_id: str | None,
        turn: int | None = None,
    ) -> float:
        """Record one answered call; returns its cost and queues a notice if a budget ran out.

        A call that names its game but not its turn (a picture) counts for the
        game's latest turn charged so far, which is the turn being resolved.
        """
        config = self._providers.get(provider)
        cost = price(config, usage) if config is not None else 0.0
        self._providers_used.add(provider, usage, cost)
        if session is not None:
            tally = self.ledger.add("session", str(session), usage, cost)
            if _crossed(tally, cost, self.session_budget):
                self._notify(session, "session")
        if game_id is not None:
            tally = self.ledger.add("game", game_id, usage, cost)
            turn = self._turn_of(game_id, turn)
            if turn is not None:
                self._turns.add(f"{game_id}#{turn}", usage, cost)
            if _crossed(tally, cost, self.game_budget) and session is not None:
                self._notify(session, "game")
        return cost

    def allows(self, session: SessionKey | None, game_id: str | None) -> bool:
        """Whether paid providers may still be used for this session and game."""
        if session is not None and _over(self.session(session), self.session_budget):
            return False
        return not (game_id is not None and _over(self.game(game_id), self.game_budget))

    def session(self, session: SessionKey) -> Tally:
        return self.ledger.get("session", str(session))

    def game(self, game_id: str) -> Tally:
        return self.ledger.get("game", game_id)

    def turn(self, game_id: str, turn: int) -> Tally:
        return self._turns.get(f"{game_id}#{turn}", Tally())

    def provider(self, name: str) -> Tally:
        return self._providers_used.get(name, Tally())

    def notices(self, session: SessionKey) -> list[str]:
        """Notices for this session's players, each returned once."""
        return self._notices.pop(str(session), [])

    def _turn_of(self, game_id: str, turn: int | None) -> int | None:
        if turn is None:
            return self._latest_turn.get(game_id)
        self._latest_turn.pop(game_id, None)
        self._latest_turn[game_id] = max(turn, self._latest_turn.get(game_id, turn))
        while len(self._latest_turn) > MAX_TRACKED:
            self._latest_turn.popitem(last=False)
        return turn

    def _notify(self, session: SessionKey, scope: str) -> None:
        """Queue a notice for the session's next turn; a session that never takes one
        is forgotten with the oldest, and a notice is queued once however often told."""
        unread = self._notices.pop(str(session), [])
        notice = BUDGET_NOTICE.format(scope=scope)
        if notice not in unread:
            unread.append(notice)
        self._notices[str(session)] = unread
        while len(self._notices) > MAX_TRACKED:
            self._notices.popitem(last=False)


def _over(tally: Tally, budget: float | None) -> bool:
    return budget is not None and tally.cost >= budget


def _crossed(tally: Tally, cost: float, budget: float | None) -> bool:
    """Whether the call that cost ``cost`` (now in ``tally``) spent the budget: told once,
    by whichever process made that call, even after a restart."""
    if budget is None or not _over(tally, budget):
        return False
    return tally.calls == 1 or tally.cost - cost < budget
