"""Players of a session and how active they are.

A player joins implicitly on their first action. Activity is judged by both
turns and wall time since their last action; a player falls to DORMANT and
stops counting toward the quorum.

The seat policy: a full session gives a newcomer the seat of the player gone
longest, if that player is DORMANT or has not acted for ``idle_seconds`` (an
hour by default, turns or no turns); the crown holder keeps theirs. A player
who loses their seat stays in the history (turns name who played them) and is
seated again on their next action, if there is room. When nobody's seat is
free, :class:`SessionFull` says when the first one will be. A reset keeps only
the players who were present (see :func:`present`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from glitchcart.core.names import check_name, check_player_id, same_id
from glitchcart.errors import Conflict, SessionFull

__all__ = ["check_player_id"]  # re-exported: callers check ids where they seat players


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
    tiers: TierThresholds = TierThresholds(),
    keep: Collection[str] = (),
) -> tuple[Player, ...]:
    """Record an action by ``player_id``, joining them if new; returns the new roster.

    A full roster frees the seat of the player gone longest, if :func:`seat_frees`
    says it may (players in ``keep`` never lose theirs); else :class:`SessionFull`.
    """
    check_player_id(player_id)
    for i, p in enumerate(roster):
        if p.id == player_id:
            updated = replace(
                p,
                name=check_name(name) if name is not None else p.name,
                last_turn=turn_counter,
                last_seen=now,
            )
            return (*roster[:i], updated, *roster[i + 1 :])
        if same_id(p.id, player_id):
            raise Conflict(f"player id {player_id!r} is taken here (as {p.id!r})")
    if len(roster) >= max_players:
        roster = _free_a_seat(roster, turn_counter, now, tiers, keep, max_players)
    shown = player_id if name is None else check_name(name)
    joined = Player(player_id, shown, now, turn_counter, now)
    return (*roster, joined)


def seat_frees(player: Player, turn_counter: int, now: float, t: TierThresholds) -> bool:
    """Whether ``player``'s seat may go to a newcomer: DORMANT, or away ``idle_seconds``."""
    gone = now - player.last_seen > t.idle_seconds
    return gone or tier_of(player, turn_counter, now, t) is Tier.DORMANT


def _free_a_seat(
    roster: tuple[Player, ...],
    turn_counter: int,
    now: float,
    t: TierThresholds,
    keep: Collection[str],
    max_players: int,
) -> tuple[Player, ...]:
    movable = [p for p in roster if p.id not in keep]
    free = [p for p in movable if seat_frees(p, turn_counter, now, t)]
    if len(roster) - len(free) >= max_players:
        frees_at = min((p.last_seen + t.idle_seconds for p in movable), default=None)
        wait = None if frees_at is None else max(1.0, frees_at - now)
        when = f"; a seat frees in {round(wait)} s" if wait is not None else ""
        raise SessionFull(f"this session is full ({max_players} players){when}", retry_after=wait)
    gone = sorted(free, key=lambda p: p.last_seen)[: len(roster) - max_players + 1]
    leaving = {p.id for p in gone}
    return tuple(p for p in roster if p.id not in leaving)


def present(
    roster: tuple[Player, ...], now: float, t: TierThresholds, keep: Collection[str] = ()
) -> tuple[Player, ...]:
    """The players seen within ``active_seconds``, and those in ``keep``: who a reset seats."""
    return tuple(p for p in roster if p.id in keep or now - p.last_seen <= t.active_seconds)


def active_ids(
    roster: tuple[Player, ...], turn_counter: int, now: float, t: TierThresholds
) -> frozenset[str]:
    return frozenset(p.id for p in roster if tier_of(p, turn_counter, now, t) is Tier.ACTIVE)


def find(roster: tuple[Player, ...], player_id: str) -> Player | None:
    return next((p for p in roster if p.id == player_id), None)
