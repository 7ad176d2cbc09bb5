"""Answers: what the HTTP API serializes and the :class:`~glitchcart.client.Client` returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from glitchcart.client.models.fields import TapeContentType, TapeFormat, Wire
from glitchcart.core.votes import VotingMode


class CartridgeInfo(Wire):
    id: str
    title: str
    genre: str
    premise: str
    choice_count: int


class ChoiceOut(Wire):
    text: str
    intent: str
    target: str | None


class MediaRefOut(Wire):
    session: str
    kind: str
    name: str


class WorldStateOut(Wire):
    turn: int
    location: str
    time_of_day: str
    chaos: int
    chaos_phase: str
    health: int
    max_health: int
    injuries: list[str]
    inventory: list[str]
    flags: dict[str, str]
    recent_events: list[str]
    seen: list[str]
    alive: bool
    cause_of_death: str | None


class DeltaOut(Wire):
    damage: int
    injuries_added: list[str]
    injuries_healed: list[str]
    items_gained: list[str]
    items_lost: list[str]
    move_to: str | None
    chaos: int
    advance_time: bool
    flags: dict[str, str]
    event: str | None
    seen: list[str]
    fatal: bool
    cause: str | None


class TurnInputOut(Wire):
    kind: Literal["start", "choice", "action", "hesitate", "tick"]
    text: str
    player: str | None
    choice: ChoiceOut | None


class TallyOut(Wire):
    mode: VotingMode
    reason: str
    winner: str
    counts: list[tuple[str, int]]
    ballots: list[tuple[str, str]]
    tied: list[str]
    roll: float | None


class Turn(Wire):
    """One committed turn. Turn 0 is the prologue."""

    game_id: str
    turn: int
    input: TurnInputOut
    fate: Literal["LUCKY", "NORMAL", "UNLUCKY"] | None
    narration: str
    delta: DeltaOut
    state: WorldStateOut
    choices: list[ChoiceOut]
    frame: MediaRefOut | None
    turn_seed: int
    created_at: float
    fallback: bool
    tally: TallyOut | None
    twist: str | None


class PlayerOut(Wire):
    id: str
    name: str
    tier: Literal["active", "idle", "dormant"]


class VoteOut(Wire):
    player: str
    choice: int | None
    action: str | None
    cast_at: float
    candidate: str  # what the vote counts for: "choice:2", or "action:<folded text>"


class WindowOut(Wire):
    turn: int
    opened_at: float
    deadline: float
    votes: list[VoteOut]


class SessionOptionsOut(Wire):
    """A session's own options; null hands one to the server's default (the cartridge's
    providers, then the settings'; the settings' flipbook and video switches)."""

    providers: list[str] | None  # model providers by name, best first
    flipbook: bool | None  # each turn's picture a short animated GIF
    video: bool | None  # a film clip per turn, a film at death


class SessionView(Wire):
    """What a surface shows of a session right now. ``version`` is its ETag."""

    key: str
    version: int
    phase: Literal["empty", "ready", "resolving", "over"]
    cartridge: str | None
    title: str | None
    game_id: str | None
    voting_on: int | None  # the turn a vote now decides: a vote names it (and game_id)
    seed: int | None
    state: WorldStateOut | None
    choices: list[ChoiceOut]
    last: Turn | None
    mode: VotingMode
    roster: list[PlayerOut]
    crown: str | None
    window: WindowOut | None
    vetoed: list[int]
    paused: bool
    idle_deadline: float | None
    options: SessionOptionsOut


class VoteReceiptOut(Wire):
    """Where the window stands after a vote. ``closed``: this vote closed it."""

    turn: int
    player: str
    candidate: str
    closed: bool
    deadline: float | None
    voters: int


class HistoryPage(Wire):
    items: list[Turn]
    start: int
    next_start: int | None  # pass as ``start`` for the next page; None at the end


class SessionExport(Wire):
    session: SessionView
    history: list[Turn]


class GameInfo(Wire):
    game_id: str
    cartridge: str
    session: str
    live: bool
    turn: int
    alive: bool
    players: list[str]
    created_at: float
    updated_at: float


class GameRef(Wire):
    game_id: str


class TapeOut(Wire):
    """A replay tape of a game played in the session. ``url`` (relative to the API's
    root) answers its bytes as ``content_type``; ``built``: this request, or the build
    it joined, wrote the file (false when it was already there, and in a listing)."""

    ref: MediaRefOut
    game_id: str
    first: int
    last: int
    format: TapeFormat
    turns: int  # committed turns on the tape
    size: int  # bytes
    content_type: TapeContentType
    url: str
    built: bool


class EventOut(Wire):
    """Something that happened in a session, in the order it was committed.

    ``id`` rises by one within the session, survives restarts and is the same on
    every server sharing the store (resume after it); ``narration_partial`` is
    live only, with id 0. Kinds: player_joined (also for a player seated by a
    first vote), window_opened, vote_cast, window_closed, turn_resolving,
    narration, narration_partial, choices_ready (the next choices, shown while the
    picture is painted; votes open with ``choices``), frame_ready, choices (the turn
    committed), crown_moved, mode_changed, vetoed, twist_set (its text stays a
    surprise), game_over, game_booted, game_exited, paused, notice, options_changed,
    tape_ready (a replay tape was written; its ``data.ref`` fetches it:
    ``client.tapes.get(ref)``), and trimmed (events after the id asked for were
    trimmed away; ``data.snapshot`` is the session now, and the stream goes on
    from ``data.first_kept``).
    """

    session: str
    id: int
    kind: str
    data: dict[str, Any]


class CredentialOut(Wire):
    """A player credential: send ``token`` as ``Authorization: Bearer <token>``, or
    trade it for the web page's cookie (``PUT /v1/credentials/cookie``). Keep it
    secret: it acts as the player until ``expires_at`` or until revoked."""

    token: str
    namespace: str
    player: str
    issued_at: float
    expires_at: float


class Problem(Wire):
    """An error answer (RFC 9457 problem details). ``code`` names the exception class."""

    model_config = ConfigDict(frozen=True, extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    retry_after: float | None = None
    turn: int | None = None  # WrongTurn: the turn a vote now decides
    game_id: str | None = None  # WrongTurn: the game running
