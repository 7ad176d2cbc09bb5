"""The local Discord-compatible server, checked with a real, unpatched discord.py client:
it logs in, connects to the gateway, registers commands, answers interactions, posts and
edits messages with files, and waits out a 429."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from glitchcart.discord.endpoint import aim
from support.discord_server import DiscordServer, buttons, discord_server


class Probe(discord.AutoShardedClient):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.seen: list[str] = []

        group = app_commands.Group(name="glitch", description="probe")

        @group.command(name="ping", description="probe")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("pong", ephemeral=True)

        self.tree.add_command(group)

    async def setup_hook(self) -> None:
        await self.tree.sync()


@pytest.fixture
async def aimed() -> AsyncIterator[DiscordServer]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with discord_server() as server:
        server.add_guild("table", ["general"])
        aim(f"{server.base_url}/api/v10", None)
        try:
            yield server
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def test_a_real_client_connects_and_answers_an_interaction(
    aimed: DiscordServer,
) -> None:
    server = aimed
    probe = Probe()
    task = asyncio.create_task(probe.start(server.token))
    try:
        await asyncio.wait_for(probe.wait_until_ready(), 10)
        assert server.identifies == 1
        assert [c["name"] for c in server.commands] == ["glitch"]
        channel_id = next(iter(server.channels))
        assert probe.get_channel(channel_id) is not None
        # an ordinary command answered through a deferral and a follow-up
        ack = await server.command(channel_id, server.user("ann"), "ping")
        await ack.wait()
        assert ack.response is not None and ack.response["type"] == 5
        assert await ack.said() == "pong"
    finally:
        await probe.close()
        await asyncio.wait_for(task, 10)


async def test_a_message_edit_answered_429_is_waited_out(
    aimed: DiscordServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = aimed
    probe = Probe()
    task = asyncio.create_task(probe.start(server.token))
    try:
        await asyncio.wait_for(probe.wait_until_ready(), 10)
        channel = probe.get_channel(next(iter(server.channels)))
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(label="one", custom_id="x:1"))
        message = await channel.send(
            "hello", file=discord.File(__file__, filename="probe.py"), view=view
        )
        stored = server.messages[message.id]
        assert stored["attachments"][0]["filename"] == "probe.py"
        assert [b["custom_id"] for b in buttons(stored)] == ["x:1"]
        server.limit("PATCH", rf"/messages/{message.id}$", retry_after=0.2)
        with caplog.at_level(logging.WARNING, logger="discord.http"):
            await message.edit(content="hello again")
        assert server.messages[message.id]["content"] == "hello again"
        statuses = [s for m, p, s in server.requests if m == "PATCH"]
        assert statuses == [429, 200]
    finally:
        await probe.close()
        await asyncio.wait_for(task, 10)
