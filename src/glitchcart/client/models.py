"""Wire types: what travels between a surface and the engine, in both transports.

These are the shapes the HTTP API serializes and the :class:`~glitchcart.client.Client`
returns, whichever transport it uses. They are kept apart from the domain types
(``glitchcart.core``): a domain type may grow a field without changing the API.
Request bodies are here too, so the server parses exactly what the client sends.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from glitchcart.core import ids
from glitchcart.core.names import MAX_DISPLAY_NAME
from glitchcart.core.tape import MAX_TURN
from glitchcart.core.votes import VotingMode

KEY_PATTERN = ids.anchored(ids.SESSION_KEY_PATTERN)
NAMESPACE_PATTERN = ids.anchored(ids.NAMESPACE_PATTERN)
PLAYER_PATTERN = ids.anchored(ids.PLAYER_ID_PATTERN)
GAME_ID_PATTERN = ids.anchored(ids.GAME_ID_PATTERN)
CARTRIDGE_PATTERN = ids.anchored(ids.CARTRIDGE_ID_PATTERN)
PROVIDER_PATTERN = ids.anchored(ids.PROVIDER_NAME_PATTERN)
FRAME_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,95}\.(png|gif)$"  # gif: a flipbook
TAPE_NAME_PATTERN = (
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}-tape-[0-9]{5,8}-[0-9]{5,8}-[0-9a-f]{10}\.(gif|mp4)$"
)
TEXT_FORMAT = "action-text"  # printable text; its longest length is a server setting


def _not_reserved(player_id: str) -> str:
    """A player id that is not one of :data:`glitchcart.core.ids.RESERVED_PLAYER_IDS`."""
    if ids.is_reserved_player_id(player_id):
        raise ValueError(f"player id {player_id!r} is reserved")
    return player_id


NOT_RESERVED = AfterValidator(_not_reserved)
PLAYER_DESCRIPTION = (
    "a player id; never " + ", ".join(sorted(ids.RESERVED_PLAYER_IDS)) + " (any case)"
)
PlayerId = Annotated[
    str, Field(pattern=PLAYER_PATTERN, description=PLAYER_DESCRIPTION), NOT_RESERVED
]
DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_DISPLAY_NAME, description="shown to others; escaped there"),
]
ProviderName = Annotated[str, Field(pattern=PROVIDER_PATTERN)]
Text = Annotated[
    str,
    Field(min_length=1, max_length=4000, pattern=r"\S", json_schema_extra={"format": TEXT_FORMAT}),
]


def _whole(value: object) -> object:
    """A JSON integer (``2`` or ``2.0``), never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected an integer")
        return int(value)
    return value


Flag = Annotated[bool, Strict()]
ChoiceNumber = Annotated[int, Field(ge=1, le=99), BeforeValidator(_whole)]
Seed = Annotated[int, Field(ge=0, le=2**53 - 1), BeforeValidator(_whole)]  # exact in JSON
TurnNumber = Annotated[int, Field(ge=0, le=MAX_TURN), BeforeValidator(_whole)]
TapeFormat = Literal["gif", "mp4"]
TapeContentType = Literal["image/gif", "video/mp4"]
TAPE_CONTENT_TYPES: dict[str, TapeContentType] = {"gif": "image/gif", "mp4": "video/mp4"}


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Request(Wire):
    """A request body. Numbers and flags are not coerced from other JSON types."""


# ---------------------------------------------------------------- answers


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


# ---------------------------------------------------------------- requests


class OptionsPatch(Request):
    """Changes to a session's options, as a JSON merge patch: a field left out stays as
    it is, ``null`` hands it back to the server's default."""

    providers: list[ProviderName] | None = Field(default=None, min_length=1, max_length=8)
    flipbook: Flag | None = None
    video: Flag | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the caller gave, and only those."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "player"}


class OptionsRequest(OptionsPatch):
    player: PlayerId | None = None  # with a crown held, only its holder may


class BootRequest(Request):
    cartridge: str = Field(pattern=CARTRIDGE_PATTERN)
    seed: Seed | None = None
    mode: VotingMode | None = None
    swap: Flag = False  # save and replace a running game
    player: PlayerId | None = None
    options: OptionsPatch | None = None  # the session's options, set before the prologue


class TurnMove(Request):
    """A move made for one turn: ``turn`` is the vote it was made for (the session's
    ``voting_on``: a receipt's and a window's ``turn``) and ``game_id`` tells games
    apart. A move for another turn or game is 409 (WrongTurn), never applied to the
    next one."""

    turn: TurnNumber | None = None
    game_id: str | None = Field(default=None, pattern=GAME_ID_PATTERN)


class Ballot(TurnMove):
    """A vote always names its turn. ``player`` may be left out with a player
    credential (it acts as its own player)."""

    player: PlayerId | None = None
    turn: TurnNumber
    name: DisplayName | None = None


class ChoiceVote(Ballot):
    choice: ChoiceNumber


class ActionVote(Ballot):
    action: Text


VoteRequest = ChoiceVote | ActionVote


class ChoiceTurn(Request):
    choice: ChoiceNumber
    player: PlayerId | None = None


class ActionTurn(Request):
    action: Text
    player: PlayerId | None = None


TurnRequest = ChoiceTurn | ActionTurn


class PlayerRequest(Request):
    player: PlayerId | None = None


class JoinRequest(Request):
    player: PlayerId | None = None  # a player credential's own player when left out
    name: DisplayName | None = None


class PassCrown(Request):
    holder: PlayerId | None = None
    to: PlayerId


class HolderRequest(Request):
    holder: PlayerId | None = None


class GrantCrown(Request):
    player: PlayerId | None
    crown_open: Flag | None = None


class TwistRequest(Request):
    holder: PlayerId | None = None
    text: Text


class VetoRequest(TurnMove):
    holder: PlayerId | None = None
    choice: ChoiceNumber


class ForceChoice(TurnMove):
    holder: PlayerId | None = None
    choice: ChoiceNumber


class ForceAction(TurnMove):
    holder: PlayerId | None = None
    action: Text


ForceRequest = ForceChoice | ForceAction


class ModeRequest(Request):
    mode: VotingMode
    player: PlayerId | None = None


class TapeRequest(Request):
    """A tape of the session's game: ``first`` to ``last`` (default: the whole run)."""

    format: TapeFormat = "gif"
    first: TurnNumber = 0
    last: TurnNumber | None = None  # None: up to the last committed turn


class CredentialRequest(Request):
    """Issue a credential for ``player`` of ``namespace`` (a key of that namespace asks)."""

    namespace: str = Field(pattern=NAMESPACE_PATTERN)
    player: PlayerId


class LoadRequest(Request):
    session: str = Field(pattern=KEY_PATTERN)
    swap: Flag = False
