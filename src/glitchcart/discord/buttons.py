"""Vote buttons that survive restarts: the ``custom_id`` carries all a click needs.

``gc:v:<turn>:<choice>:<game>``: the turn the vote is for (the window's turn), the choice
number, and eight hex digits of the game id, so a button of an earlier game that happens
to share a turn number is not taken for this one. A :class:`ChoiceButton` is a
``DynamicItem`` registered when the bot starts, so a button posted before a restart is
parsed back from its ``custom_id`` and still votes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from glitchcart.client.models import ChoiceOut
from glitchcart.discord.render import choice_label

CUSTOM_ID = re.compile(r"gc:v:(?P<turn>[0-9]{1,8}):(?P<choice>[0-9]{1,2}):(?P<game>[0-9a-f]{8})")
ROW_WIDTH = 5


def game_tag(game_id: str) -> str:
    return hashlib.sha256(game_id.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Ballot:
    """What a vote button stands for."""

    turn: int
    choice: int
    game: str  # game_tag of the game

    @property
    def custom_id(self) -> str:
        return f"gc:v:{self.turn}:{self.choice}:{self.game}"

    @classmethod
    def parse(cls, custom_id: str) -> Ballot | None:
        match = CUSTOM_ID.fullmatch(custom_id)
        if match is None:
            return None
        return cls(int(match["turn"]), int(match["choice"]), match["game"])


class Voter(Protocol):
    """What a click is handed to (the bot's votes, :class:`~glitchcart.discord.votes.Votes`)."""

    async def click(self, interaction: discord.Interaction[Any], ballot: Ballot) -> None: ...


class Backlog(Protocol):
    async def put(self, work: Callable[[], Awaitable[None]]) -> None: ...


class BotParts(Protocol):
    """What a click needs of the bot: who votes, and the backlog it waits in."""

    voter: Voter
    backlog: Backlog


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID.pattern):
    def __init__(self, ballot: Ballot, label: str = "", *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or str(ballot.choice),
                custom_id=ballot.custom_id,
                style=discord.ButtonStyle.secondary if disabled else discord.ButtonStyle.primary,
                disabled=disabled,
            )
        )
        self.ballot = ballot

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChoiceButton:
        ballot = Ballot.parse(match.string)
        assert ballot is not None  # the template matched
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(ballot, label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # Acknowledge first (DEFERRED_UPDATE_MESSAGE): the 3-second rule; the vote waits
        # in the backlog so that other clicks' acknowledgements do not wait behind it.
        await interaction.response.defer()
        bot: BotParts = interaction.client
        ballot = self.ballot
        await bot.backlog.put(lambda: bot.voter.click(interaction, ballot))


def choice_view(
    turn: int, game_id: str, choices: Sequence[ChoiceOut], *, closed: bool = False
) -> discord.ui.View:
    """The buttons of a turn's message, disabled once its window has closed."""
    view = discord.ui.View(timeout=None)
    tag = game_tag(game_id)
    for number, choice in enumerate(choices, start=1):
        button = ChoiceButton(
            Ballot(turn, number, tag), choice_label(number, choice), disabled=closed
        )
        button.item.row = (number - 1) // ROW_WIDTH
        view.add_item(button)
    return view
