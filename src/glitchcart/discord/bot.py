"""The bot: a discord.py client whose commands and buttons call :class:`Client`.

>>> bot = GlitchBot(client, settings)
>>> await bot.start(token)

At start it registers the vote buttons (so buttons posted before a restart still vote),
syncs the ``/glitch`` commands, and follows the channels whose games are live.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from glitchcart.client import Client
from glitchcart.discord.backlog import Backlog
from glitchcart.discord.buttons import ChoiceButton
from glitchcart.discord.commands import GlitchCommands
from glitchcart.discord.feed import Feeds
from glitchcart.discord.replies import NOT_IN_CHANNEL, refusal
from glitchcart.discord.votes import Votes
from glitchcart.errors import GlitchcartError
from glitchcart.settings import Settings

log = logging.getLogger(__name__)
NAMESPACE = "discord"


class GlitchTree(app_commands.CommandTree[Any]):
    """The one place where a command's error becomes a reply."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        cause = getattr(error, "original", error)
        if isinstance(cause, GlitchcartError):
            text = refusal(cause)
        elif isinstance(cause, app_commands.CheckFailure):
            text = str(cause) or NOT_IN_CHANNEL
        else:
            log.error("command failed", exc_info=cause)
            text = "That did not work."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)


class GlitchBot(discord.AutoShardedClient):
    def __init__(
        self,
        client: Client,
        settings: Settings,
        *,
        shard_count: int | None = None,
    ) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=shard_count,
        )
        self.game = client
        self.tree = GlitchTree(self)
        self.feeds = Feeds(client, self, settings.discord_edit_interval)
        self.voter = Votes(client, self.feeds)
        self.backlog = Backlog()
        self.tree.add_command(GlitchCommands(client, self.feeds))

    async def setup_hook(self) -> None:
        self.backlog.start()
        self.add_dynamic_items(ChoiceButton)
        await self.tree.sync()

    async def on_ready(self) -> None:
        """Follow the channels whose games are live (after a restart, too)."""
        try:
            games = await self.game.games()
        except GlitchcartError as exc:
            log.warning("could not list the live games: %s", exc)
            return
        for game in games:
            namespace, _, channel = game.session.partition(":")
            if game.live and namespace == NAMESPACE and channel.isdigit():
                self.feeds.follow(int(channel))

    async def close(self) -> None:
        await self.backlog.stop()
        await self.feeds.stop()
        await super().close()
