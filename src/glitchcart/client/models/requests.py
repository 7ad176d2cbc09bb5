"""Request bodies: the server parses exactly what the client sends."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from glitchcart.client.models.fields import (
    CARTRIDGE_PATTERN,
    GAME_ID_PATTERN,
    KEY_PATTERN,
    NAMESPACE_PATTERN,
    ChoiceNumber,
    DisplayName,
    Flag,
    PlayerId,
    ProviderName,
    Request,
    Seed,
    TapeFormat,
    Text,
    TurnNumber,
)
from glitchcart.core.votes import VotingMode


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
