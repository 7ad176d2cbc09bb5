"""A rule-based state machine drives three sessions at random and checks them
against a simple model after every step, and that no step on one session
changed another."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from glitchcart.adapters.clock import ManualClock
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.errors import Conflict, Forbidden, GlitchcartError, NoGameRunning
from support.cartridges import mini_cartridge
from support.engines import Cartridges, make_engine

T = TypeVar("T")
KEYS = [SessionKey.parse(k) for k in ("discord:1", "web:blue-fox", "cli:alice")]
PLAYERS = ["ann", "bob", "cy", "dee"]
CALM = {"per_turn": 0, "phases": [{"name": "calm", "at": 0}]}  # nobody dies of chaos here
CARTS = Cartridges(
    mini_cartridge(chaos=CALM), mini_cartridge(id="other", title="Other", chaos=CALM)
)

session_index = st.integers(0, len(KEYS) - 1)
player = st.sampled_from(PLAYERS)


@dataclass
class Model:
    exists: bool = False
    game: str | None = None
    cartridge: str | None = None
    turn: int = 0
    roster: list[str] = field(default_factory=list)
    crown: str | None = None
    votes: dict[str, str] | None = None  # open window: player -> candidate


class Sessions(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.TemporaryDirectory()
        self.engine = make_engine(Path(self.tmp.name), cartridges=CARTS, clock=ManualClock())
        self.model = [Model() for _ in KEYS]
        self.saved: dict[str, tuple[int, str]] = {}  # game id -> (turn, cartridge)

    def teardown(self) -> None:
        self.loop.close()
        self.tmp.cleanup()

    def run(self, aw: Awaitable[T]) -> T:
        async def go() -> T:
            result = await aw
            await self.engine.drain()
            return result

        return self.loop.run_until_complete(go())

    def records(self) -> list[dict[str, Any] | None]:
        out = []
        for key in KEYS:
            record = self.run(self.engine.store.load(key))
            out.append(record.to_dict() if record else None)
        return out

    def step(
        self, i: int, aw: Awaitable[T], expect: type[GlitchcartError] | None = None
    ) -> T | None:
        """Run one operation on session ``i``; the others must not change."""
        before = self.records()
        try:
            result = self.run(aw)
        except GlitchcartError as exc:
            assert expect is not None and isinstance(exc, expect), repr(exc)
            result = None
        else:
            assert expect is None, f"expected {expect.__name__}"
        after = self.records()
        for j in range(len(KEYS)):
            if j != i:
                assert after[j] == before[j], f"touching {KEYS[i]} changed {KEYS[j]}"
        return result

    def _advance(self, m: Model) -> None:
        m.turn += 1
        m.votes = None
        assert m.game is not None
        self.saved[m.game] = (m.turn, m.cartridge or "")

    # ------------------------------------------------------------ rules

    @rule(i=session_index, cart=st.sampled_from(["mini", "other"]), swap=st.booleans())
    def boot(self, i: int, cart: str, swap: bool) -> None:
        m = self.model[i]
        if m.game is not None and not swap:
            self.step(i, self.engine.boot(KEYS[i], cart), Conflict)
            return
        if m.game is not None and m.crown is not None:  # a swap is the holder's (no one asked)
            self.step(i, self.engine.boot(KEYS[i], cart, swap=swap), Forbidden)
            return
        first = self.step(i, self.engine.boot(KEYS[i], cart, swap=swap))
        assert first is not None
        m.exists, m.game, m.cartridge, m.turn, m.votes = True, first.game_id, cart, 0, None
        self.saved[first.game_id] = (0, cart)

    @rule(i=session_index, who=player, choice=st.integers(1, 3))
    def vote(self, i: int, who: str, choice: int) -> None:
        self._vote(i, who, {"choice": choice}, f"choice:{choice}")

    @rule(i=session_index, who=player, text=st.sampled_from(["Run", "hide  now", "run"]))
    def propose(self, i: int, who: str, text: str) -> None:
        self._vote(i, who, {"action": text}, "action:" + " ".join(text.lower().split()))

    def _vote(self, i: int, who: str, how: dict[str, Any], candidate: str) -> None:
        m = self.model[i]
        if m.game is None:
            expect: type[GlitchcartError] = NoGameRunning if m.exists else GlitchcartError
            self.step(i, self.engine.vote(KEYS[i], who, **how), expect)
            return
        receipt = self.step(i, self.engine.vote(KEYS[i], who, **how))
        assert receipt is not None
        if who not in m.roster:
            m.roster.append(who)
        votes = dict(m.votes or {})
        votes[who] = candidate
        closes = set(votes) >= set(m.roster)  # the clock stands still: everyone is active
        assert receipt.closed == closes
        if closes:
            self._advance(m)
        else:
            m.votes = votes

    @rule(i=session_index)
    def tick(self, i: int) -> None:
        m = self.model[i]
        if m.game is None:
            self.step(i, self.engine.tick(KEYS[i]), GlitchcartError)
        elif m.votes is not None:
            self.step(i, self.engine.tick(KEYS[i]), Conflict)
        else:
            self.step(i, self.engine.tick(KEYS[i]))
            self._advance(m)

    @rule(i=session_index, who=st.none() | player)
    def reset(self, i: int, who: str | None) -> None:
        m = self.model[i]
        if m.game is None:
            self.step(i, self.engine.reset(KEYS[i], player=who), GlitchcartError)
            return
        if m.crown is not None and who != m.crown:  # while a crown is held, the holder's
            self.step(i, self.engine.reset(KEYS[i], player=who), Forbidden)
            return
        first = self.step(i, self.engine.reset(KEYS[i], player=who))
        assert first is not None
        m.game, m.turn, m.votes = first.game_id, 0, None
        self.saved[first.game_id] = (0, m.cartridge or "")

    @rule(i=session_index)
    def exit(self, i: int) -> None:
        m = self.model[i]
        if m.game is None:
            self.step(i, self.engine.exit(KEYS[i]), GlitchcartError)
            return
        self.step(i, self.engine.exit(KEYS[i]))
        m.game, m.cartridge, m.votes = None, None, None

    @rule(i=session_index, pick=st.integers(0, 50))
    def load(self, i: int, pick: int) -> None:
        if not self.saved:
            return
        game_id = sorted(self.saved)[pick % len(self.saved)]
        m = self.model[i]
        live_elsewhere = any(o.game == game_id for j, o in enumerate(self.model) if j != i)
        if live_elsewhere:
            self.step(i, self.engine.load_game(KEYS[i], game_id, swap=True), Conflict)
            return
        self.step(i, self.engine.load_game(KEYS[i], game_id, swap=True))
        if m.game != game_id:
            m.votes = None
        m.exists, m.game = True, game_id
        m.turn, m.cartridge = self.saved[game_id]

    @rule(i=session_index, who=player)
    def take_crown(self, i: int, who: str) -> None:
        m = self.model[i]
        if not m.exists:
            self.step(i, self.engine.take_crown(KEYS[i], who), GlitchcartError)
        elif m.crown is not None:
            self.step(i, self.engine.take_crown(KEYS[i], who), Forbidden)
        else:
            self.step(i, self.engine.take_crown(KEYS[i], who))
            m.crown = who
            if who not in m.roster:
                m.roster.append(who)

    @rule(i=session_index, who=player, to=player)
    def pass_crown(self, i: int, who: str, to: str) -> None:
        m = self.model[i]
        if not m.exists or m.crown != who or to not in m.roster:
            self.step(i, self.engine.pass_crown(KEYS[i], who, to), GlitchcartError)
        else:
            self.step(i, self.engine.pass_crown(KEYS[i], who, to))
            m.crown = to

    @rule(i=session_index)
    def drop_crown(self, i: int) -> None:
        m = self.model[i]
        if m.crown is None:
            return
        self.step(i, self.engine.drop_crown(KEYS[i], m.crown))
        m.crown = None

    # ------------------------------------------------------------ the model holds

    @invariant()
    def sessions_match_the_model(self) -> None:
        for key, m in zip(KEYS, self.model, strict=True):
            record = self.run(self.engine.store.load(key))
            if not m.exists:
                assert record is None or record.game is None
                continue
            assert record is not None
            assert (record.game.game_id if record.game else None) == m.game
            assert [p.id for p in record.roster] == m.roster
            assert record.crown == m.crown
            if m.game is None:
                assert record.phase is Phase.EMPTY
                continue
            assert record.phase is Phase.READY
            assert record.game is not None and record.game.state.turn == m.turn
            assert record.game.cartridge == m.cartridge
            window = {v.player: v.candidate for v in record.window.votes} if record.window else None
            assert window == m.votes
            history = self.run(self.engine.store.history(m.game))
            assert [t.turn for t in history] == list(range(m.turn + 1))
            assert all(t.frame is None or t.frame.session == key for t in history)


Sessions.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSessions = Sessions.TestCase
