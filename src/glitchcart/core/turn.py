"""Turn inputs, choices and the committed record of a turn."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaRef
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.votes import Tally


class InputKind(StrEnum):
    START = "start"
    CHOICE = "choice"
    ACTION = "action"
    HESITATE = "hesitate"
    TICK = "tick"


@dataclass(frozen=True, slots=True)
class Choice:
    """One option on offer. ``intent`` is a short machine hint (move/search/fight/...)."""

    text: str
    intent: str = "act"
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent, "target": self.target}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Choice:
        return cls(text=str(d["text"]), intent=str(d.get("intent", "act")), target=d.get("target"))


@dataclass(frozen=True, slots=True)
class TurnInput:
    """What resolved a turn: a choice, a free action, a hesitation or a tick."""

    kind: InputKind
    text: str
    player: str | None = None
    choice: Choice | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "text": self.text,
            "player": self.player,
            "choice": self.choice.to_dict() if self.choice else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TurnInput:
        choice = d.get("choice")
        return cls(
            kind=InputKind(d["kind"]),
            text=str(d["text"]),
            player=d.get("player"),
            choice=Choice.from_dict(choice) if choice else None,
        )


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One committed turn of a game. Turn 0 is the prologue."""

    game_id: str
    turn: int
    input: TurnInput
    fate: Fate | None
    narration: str
    delta: StateDelta
    state: WorldState
    choices: tuple[Choice, ...]
    frame: MediaRef | None
    turn_seed: int
    created_at: float
    fallback: bool = False
    tally: Tally | None = None  # the vote's audit trail, when the turn was voted
    twist: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "game_id": self.game_id,
            "turn": self.turn,
            "input": self.input.to_dict(),
            "fate": self.fate.value if self.fate else None,
            "narration": self.narration,
            "delta": self.delta.to_dict(),
            "state": self.state.to_dict(),
            "choices": [c.to_dict() for c in self.choices],
            "frame": self.frame.to_dict() if self.frame else None,
            "turn_seed": self.turn_seed,
            "created_at": self.created_at,
            "fallback": self.fallback,
            "tally": self.tally.to_dict() if self.tally else None,
            "twist": self.twist,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TurnRecord:
        return cls(
            game_id=str(d["game_id"]),
            turn=int(d["turn"]),
            input=TurnInput.from_dict(d["input"]),
            fate=Fate(d["fate"]) if d.get("fate") else None,
            narration=str(d["narration"]),
            delta=StateDelta.from_dict(d["delta"]),
            state=WorldState.from_dict(d["state"]),
            choices=tuple(Choice.from_dict(c) for c in d["choices"]),
            frame=MediaRef.from_dict(d["frame"]) if d.get("frame") else None,
            turn_seed=int(d["turn_seed"]),
            created_at=float(d["created_at"]),
            fallback=bool(d.get("fallback", False)),
            tally=Tally.from_dict(d["tally"]) if d.get("tally") else None,
            twist=d.get("twist"),
        )
