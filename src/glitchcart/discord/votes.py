"""A click on a vote button, after it was acknowledged: check the turn, cast the vote.

The button names the turn it votes for, and so does the vote: a click for a turn that is
no longer open (a stale button, or one racing the window's close) is answered "that
turn is over" and cast nowhere, never applied to the next turn.
"""

from __future__ import annotations

from typing import Any

import discord

from glitchcart.client import Client
from glitchcart.client.models import SessionView
from glitchcart.discord.buttons import Ballot, game_tag
from glitchcart.discord.feed import Feeds
from glitchcart.discord.ids import name_of, player_of, session_of
from glitchcart.discord.render import choice_label, escape
from glitchcart.discord.replies import NOT_IN_CHANNEL, TURN_OVER, refusal, say
from glitchcart.errors import GlitchcartError


def is_open_for(view: SessionView, ballot: Ballot) -> bool:
    """Whether ``ballot``'s turn is the one now taking votes."""
    return (
        view.voting_on == ballot.turn
        and view.game_id is not None
        and game_tag(view.game_id) == ballot.game
        and 1 <= ballot.choice <= len(view.choices)
    )


class Votes:
    def __init__(self, client: Client, feeds: Feeds) -> None:
        self.client = client
        self.feeds = feeds

    async def click(self, interaction: discord.Interaction[Any], ballot: Ballot) -> None:
        if interaction.channel_id is None or interaction.guild_id is None:
            await say(interaction, NOT_IN_CHANNEL)
            return
        key = session_of(interaction.channel_id)
        feed = self.feeds.follow(interaction.channel_id, interaction.filesize_limit)
        try:
            view = await self.client.snapshot(session=key)
            if not is_open_for(view, ballot):
                await say(interaction, TURN_OVER)
                return
            if interaction.message is not None and view.game_id is not None:
                feed.adopt(ballot.turn, view.game_id, interaction.message)
                await feed.choices_of(interaction.message, view.choices)
            receipt = await self.client.vote(
                player_of(interaction.user),
                turn=ballot.turn,
                game_id=view.game_id,
                choice=ballot.choice,
                name=name_of(interaction.user),
                idempotency_key=f"discord-{interaction.id}",
                session=key,
            )
        except GlitchcartError as exc:
            await say(interaction, refusal(exc))
            return
        label = escape(choice_label(ballot.choice, view.choices[ballot.choice - 1]))
        if receipt.closed:
            await say(interaction, f"Your vote, {label}, closed the vote.")
        else:
            await say(interaction, f"Your vote: {label}")
