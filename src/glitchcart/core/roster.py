"""Players of a session and how active they are.

A player joins implicitly on their first action. Activity is judged by both
turns and wall time since their last action; players are never dropped, they
just fall to DORMANT and stop counting toward the quorum.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from glitchcart.core.ids import PLAYER_ID
from glitchcart.errors import InvalidInput, LimitExceeded

MAX_NAME = 40


class Tier(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    DORMANT = "dormant"


@dataclass(frozen=True, slots=True)
class TierThresholds:
    """A player is ACTIVE within ``active_turns`` turns or ``active_seconds``, and so on."""

    active_turns: int = 2
    active_seconds: float = 15 * 60
    idle_turns: int = 5
    idle_seconds: float = 60 * 60


@dataclass(frozen=True, slots=True)
class Player:
    id: str
    name: str
    joined_at: float
    last_turn: int  # the session's turn counter at their last action
    last_seen: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "joined_at": self.joined_at,
            "last_turn": self.last_turn,
            "last_seen": self.last_seen,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Player:
        return cls(
            id=str(d["id"]),
            name=str(d["name"]),
            joined_at=float(d["joined_at"]),
            last_turn=int(d["last_turn"]),
            last_seen=float(d["last_seen"]),
        )


def check_player_id(player_id: object) -> str:
    """A player id is ``[A-Za-z0-9_.-]{1,64}`` (a Discord user id, a web player id...)."""
    if not isinstance(player_id, str) or not PLAYER_ID.fullmatch(player_id):
        raise InvalidInput("invalid player id: expected 1-64 of A-Z a-z 0-9 _ . -")
    return player_id


def clean_name(name: object, fallback: str) -> str:
    """A display name without control characters, at most 40 characters."""
    if not isinstance(name, str):
        return fallback
    cleaned = " ".join("".join(c for c in name if c.isprintable()).split())[:MAX_NAME]
    return cleaned or fallback


def tier_of(player: Player, turn_counter: int, now: float, t: TierThresholds) -> Tier:
    """ACTIVE, IDLE or DORMANT by turns and seconds since the player's last action."""
    turns = turn_counter - player.last_turn
    seconds = now - player.last_seen
    if turns <= t.active_turns or seconds <= t.active_seconds:
        return Tier.ACTIVE
    if turns <= t.idle_turns or seconds <= t.idle_seconds:
        return Tier.IDLE
    return Tier.DORMANT


def touch(
    roster: tuple[Player, ...],
    player_id: str,
    name: str | None,
    turn_counter: int,
    now: float,
    *,
    max_players: int,
) -> tuple[Player, ...]:
    """Record an action by ``player_id``, joining them if new; returns the new roster."""
    check_player_id(player_id)
    for i, p in enumerate(roster):
        if p.id == player_id:
            updated = replace(
                p,
                name=clean_name(name, p.name) if name is not None else p.name,
                last_turn=turn_counter,
                last_seen=now,
            )
            return (*roster[:i], updated, *roster[i + 1 :])
    if len(roster) >= max_players:
        raise LimitExceeded(f"this session is full ({max_players} players)")
    joined = Player(player_id, clean_name(name, player_id), now, turn_counter, now)
    return (*roster, joined)


def active_ids(
    roster: tuple[Player, ...], turn_counter: int, now: float, t: TierThresholds
) -> frozenset[str]:
    return frozenset(p.id for p in roster if tier_of(p, turn_counter, now, t) is Tier.ACTIVE)


def find(roster: tuple[Player, ...], player_id: str) -> Player | None:
    return next((p for p in roster if p.id == player_id), None)
