"""The stored shape of a session: its current game, phase and any turn in flight."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, TurnInput


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "input": self.input.to_dict(),
            "fate": self.fate.value if self.fate else None,
            "turn_seed": self.turn_seed,
            "closed_at": self.closed_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PendingTurn:
        return cls(
            turn=int(d["turn"]),
            input=TurnInput.from_dict(d["input"]),
            fate=Fate(d["fate"]) if d.get("fate") else None,
            turn_seed=int(d["turn_seed"]),
            closed_at=float(d["closed_at"]),
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
class SessionRecord:
    """Everything stored about one session. ``version`` rises by one per commit."""

    key: SessionKey
    version: int
    phase: Phase
    game: GameRecord | None = None
    pending: PendingTurn | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "version": self.version,
            "phase": self.phase.value,
            "game": self.game.to_dict() if self.game else None,
            "pending": self.pending.to_dict() if self.pending else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SessionRecord:
        return cls(
            key=SessionKey.parse(d["key"]),
            version=int(d["version"]),
            phase=Phase(d["phase"]),
            game=GameRecord.from_dict(d["game"]) if d.get("game") else None,
            pending=PendingTurn.from_dict(d["pending"]) if d.get("pending") else None,
        )

    def evolve(self, **changes: Any) -> SessionRecord:
        return replace(self, **changes)


def empty_session(key: SessionKey) -> SessionRecord:
    return SessionRecord(key=key, version=0, phase=Phase.EMPTY)
