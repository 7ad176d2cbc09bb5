"""The stored shape of a session: its current game, phase and any turn in flight."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from glitchcart.core.cartridge import FateOdds
from glitchcart.core.fate import Fate, roll_fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.roster import Player
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput
from glitchcart.core.votes import Tally, VoteWindow, VotingMode
from glitchcart.errors import GameOver, NoGameRunning, TurnResolving, WrongTurn

RECEIPT_SECONDS = 24 * 60 * 60  # how long a repeat of an idempotent request is recognised
MAX_RECEIPTS = 5_000  # a ceiling on a session record's size, reached by busy rooms only


class Phase(StrEnum):
    EMPTY = "empty"  # no game booted
    READY = "ready"  # choices on offer, waiting for input
    RESOLVING = "resolving"  # a turn was closed and is being narrated and painted
    OVER = "over"  # the character died; only reset or a new start


@dataclass(frozen=True, slots=True)
class PendingTurn:
    """A closed turn waiting for its consequence; stored so a restart resumes it."""

    turn: int
    input: TurnInput
    fate: Fate | None
    turn_seed: int
    closed_at: float
    tally: Tally | None = None
    twist: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "input": self.input.to_dict(),
            "fate": self.fate.value if self.fate else None,
            "turn_seed": self.turn_seed,
            "closed_at": self.closed_at,
            "tally": self.tally.to_dict() if self.tally else None,
            "twist": self.twist,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PendingTurn:
        return cls(
            turn=int(d["turn"]),
            input=TurnInput.from_dict(d["input"]),
            fate=Fate(d["fate"]) if d.get("fate") else None,
            turn_seed=int(d["turn_seed"]),
            closed_at=float(d["closed_at"]),
            tally=Tally.from_dict(d["tally"]) if d.get("tally") else None,
            twist=d.get("twist"),
        )


@dataclass(frozen=True, slots=True)
class GameRecord:
    """One run of a cartridge: what a saved game is."""

    game_id: str
    cartridge: str
    seed: int
    opening: int
    state: WorldState
    choices: tuple[Choice, ...]
    regenerations: int
    created_at: float
    updated_at: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "game_id": self.game_id,
            "cartridge": self.cartridge,
            "seed": self.seed,
            "opening": self.opening,
            "state": self.state.to_dict(),
            "choices": [c.to_dict() for c in self.choices],
            "regenerations": self.regenerations,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GameRecord:
        return cls(
            game_id=str(d["game_id"]),
            cartridge=str(d["cartridge"]),
            seed=int(d["seed"]),
            opening=int(d["opening"]),
            state=WorldState.from_dict(d["state"]),
            choices=tuple(Choice.from_dict(c) for c in d["choices"]),
            regenerations=int(d.get("regenerations", 0)),
            created_at=float(d["created_at"]),
            updated_at=float(d["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class Receipt:
    """The stored answer to an idempotent request, so a repeat gets the same answer.

    ``at`` is when it was stored: receipts are kept for a time, not by count.
    """

    key: str
    fingerprint: str
    response: dict[str, Any]
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "fingerprint": self.fingerprint,
            "response": self.response,
            "at": self.at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Receipt:
        return cls(str(d["key"]), str(d["fingerprint"]), dict(d["response"]), float(d.get("at", 0)))


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """Everything stored about one session. ``version`` rises by one per commit.

    ``turn_counter`` counts committed turns across every game the session has
    played (activity tiers use it, so a new game doesn't make everyone active).
    """

    key: SessionKey
    version: int
    phase: Phase
    game: GameRecord | None = None
    pending: PendingTurn | None = None
    mode: VotingMode = VotingMode.DEMOCRACY
    roster: tuple[Player, ...] = ()
    crown: str | None = None
    crown_open: bool = True  # may any player take a free crown
    window: VoteWindow | None = None
    vetoed: tuple[int, ...] = ()
    twist: str | None = None
    idle_deadline: float | None = None
    paused: bool = False
    turn_counter: int = 0
    receipts: tuple[Receipt, ...] = ()
    options: SessionOptions = field(default_factory=SessionOptions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "version": self.version,
            "phase": self.phase.value,
            "game": self.game.to_dict() if self.game else None,
            "pending": self.pending.to_dict() if self.pending else None,
            "mode": self.mode.value,
            "roster": [p.to_dict() for p in self.roster],
            "crown": self.crown,
            "crown_open": self.crown_open,
            "window": self.window.to_dict() if self.window else None,
            "vetoed": list(self.vetoed),
            "twist": self.twist,
            "idle_deadline": self.idle_deadline,
            "paused": self.paused,
            "turn_counter": self.turn_counter,
            "receipts": [r.to_dict() for r in self.receipts],
            "options": self.options.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SessionRecord:
        return cls(
            key=SessionKey.parse(d["key"]),
            version=int(d["version"]),
            phase=Phase(d["phase"]),
            game=GameRecord.from_dict(d["game"]) if d.get("game") else None,
            pending=PendingTurn.from_dict(d["pending"]) if d.get("pending") else None,
            mode=VotingMode(d.get("mode", "democracy")),
            roster=tuple(Player.from_dict(p) for p in d.get("roster", ())),
            crown=d.get("crown"),
            crown_open=bool(d.get("crown_open", True)),
            window=VoteWindow.from_dict(d["window"]) if d.get("window") else None,
            vetoed=tuple(int(v) for v in d.get("vetoed", ())),
            twist=d.get("twist"),
            idle_deadline=d.get("idle_deadline"),
            paused=bool(d.get("paused", False)),
            turn_counter=int(d.get("turn_counter", 0)),
            receipts=tuple(Receipt.from_dict(r) for r in d.get("receipts", ())),
            options=SessionOptions.from_dict(d.get("options")),
        )

    def evolve(self, **changes: Any) -> SessionRecord:
        return replace(self, **changes)

    def cleared_turn(self, **changes: Any) -> SessionRecord:
        """This record with the turn's business gone (its window, vetoes, twist and
        idle deadline), then ``changes``: what closing, ejecting or loading a game share."""
        cleared: dict[str, Any] = {
            "window": None,
            "vetoed": (),
            "twist": None,
            "idle_deadline": None,
        }
        return replace(self, **{**cleared, **changes})

    def check_not_resolving(self) -> None:
        """Refuse a move while a turn resolves (it may be retried in a moment)."""
        if self.phase is Phase.RESOLVING:
            raise turn_resolving()

    def check_ready(self) -> None:
        """Refuse a move unless a live game waits for one."""
        if self.game is None or self.phase is Phase.EMPTY:
            raise NoGameRunning(f"session {self.key} has no game running")
        self.check_not_resolving()
        if self.phase is Phase.OVER or not self.game.state.alive:
            raise GameOver("the character is dead; reset or start a new game")

    def awaits(self, game_id: str, pending: PendingTurn) -> bool:
        """Whether this record still waits for that very turn (same game, turn and seed)."""
        return (
            self.phase is Phase.RESOLVING
            and self.game is not None
            and self.game.game_id == game_id
            and self.pending is not None
            and (self.pending.turn, self.pending.turn_seed) == (pending.turn, pending.turn_seed)
        )

    def next_deadline(self) -> float | None:
        """The earliest stored deadline the timers must act on, if any."""
        if self.phase is not Phase.READY:
            return None
        if self.window is not None:
            return self.window.deadline
        return None if self.paused else self.idle_deadline

    def receipt(self, key: str) -> Receipt | None:
        return next((r for r in self.receipts if r.key == key), None)

    def with_receipt(
        self,
        receipt: Receipt,
        *,
        keep_seconds: float = RECEIPT_SECONDS,
        max_receipts: int = MAX_RECEIPTS,
    ) -> SessionRecord:
        """Store ``receipt`` (stamped with its ``at``), dropping those older than
        ``keep_seconds``; past ``max_receipts`` the oldest go first."""
        since = receipt.at - keep_seconds
        kept = tuple(r for r in self.receipts if r.key != receipt.key and r.at > since)
        return replace(self, receipts=(*kept, receipt)[-max_receipts:])


def check_turn(record: SessionRecord, turn: int | None, game_id: str | None) -> None:
    """Refuse a move made for another turn (or game) than the vote open now."""
    assert record.game is not None
    current, running = record.game.state.turn + 1, record.game.game_id
    if (turn is not None and turn != current) or (game_id is not None and game_id != running):
        asked = f"turn {turn}" if game_id is None else f"turn {turn} of game {game_id}"
        raise WrongTurn(
            f"this move was made for {asked}; the vote open now is for turn {current} "
            f"of game {running}",
            turn=current,
            game_id=running,
        )


def turn_resolving() -> TurnResolving:
    """The answer to a move that finds a turn resolving (here, or held by another
    process's lease)."""
    return TurnResolving("the turn is resolving; try again in a moment")


def pending_turn(
    game: GameRecord,
    odds: FateOdds,
    turn_input: TurnInput,
    closed_at: float,
    tally: Tally | None = None,
    twist: str | None = None,
) -> PendingTurn:
    """The next turn of ``game`` closed on ``turn_input``: its number, its seed (from the
    game's seed and the number) and its fate, rolled at ``odds`` skewed by the chaos
    (a tick, where time only passes, has none)."""
    turn = game.state.turn + 1
    turn_seed = derive_seed(game.seed, "turn", turn)
    fate = None
    if turn_input.kind is not InputKind.TICK:
        fate = roll_fate(odds, game.state.chaos, rng_for(turn_seed, "fate"))
    return PendingTurn(turn, turn_input, fate, turn_seed, closed_at, tally, twist)


def empty_session(key: SessionKey) -> SessionRecord:
    return SessionRecord(key=key, version=0, phase=Phase.EMPTY)
