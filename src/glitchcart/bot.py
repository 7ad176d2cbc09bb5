"""Composition root of the Discord bot process: settings → client → bot.

By default the engine runs in this process on the embedded store, its vote windows and
timers included; with ``server`` the bot drives a remote ``glitchcart serve`` through
the HTTP client and an integration key. The command line starts the bot through this
module, so the CLI surface never imports the Discord surface.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.bootstrap import open_runtime
from glitchcart.client import Client, HttpTransport, InProcessTransport
from glitchcart.discord.bot import GlitchBot
from glitchcart.discord.endpoint import aim
from glitchcart.errors import InvalidInput, Unauthorized, Unreachable
from glitchcart.settings import Settings


def run_bot(
    settings: Settings,
    *,
    server: str | None = None,
    api_key: str | None = None,
    cartridges: CartridgeLibrary | None = None,
) -> None:
    """Run the bot until interrupted (SIGINT or SIGTERM). ``cartridges``: the library of
    the in-process engine (default: the packaged cartridges)."""
    if settings.discord_token is None:
        raise InvalidInput("GLITCHCART_DISCORD_TOKEN is not set")
    aim(settings.discord_api_url, settings.discord_gateway_url)
    discord.utils.setup_logging(level=logging.INFO)
    asyncio.run(_serve(settings, server, api_key, cartridges))


async def _serve(
    settings: Settings,
    server: str | None,
    api_key: str | None,
    cartridges: CartridgeLibrary | None,
) -> None:
    if server is not None:
        async with Client(HttpTransport(server, api_key)) as client:
            await _run(client, settings)
        return
    async with (
        open_runtime(settings, cartridges) as (engine, _timers),
        Client(InProcessTransport(engine)) as client,
    ):
        await _run(client, settings)


async def _run(client: Client, settings: Settings) -> None:
    assert settings.discord_token is not None
    bot = GlitchBot(client, settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, lambda: loop.create_task(bot.close()))
    try:
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure as exc:
        raise Unauthorized("Discord refused the bot's token") from exc
    except (discord.GatewayNotFound, discord.DiscordServerError, aiohttp.ClientError) as exc:
        raise Unreachable(f"Discord cannot be reached: {exc}") from exc
