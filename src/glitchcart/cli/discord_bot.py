"""``glitchcart discord``: the Discord bot, on the engine in process or a remote server."""

from __future__ import annotations

from typing import Annotated

import typer

from glitchcart.cli.common import DataDir, fail
from glitchcart.cli.common import settings as load
from glitchcart.errors import GlitchcartError, InvalidInput


def discord_command(
    server: Annotated[
        str | None,
        typer.Option("--server", help="Drive a remote `glitchcart serve` at this URL."),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            envvar="GLITCHCART_SERVER_KEY",
            help="The integration key for --server (or $GLITCHCART_SERVER_KEY).",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the Discord bot (token in $GLITCHCART_DISCORD_TOKEN): every channel a game."""
    settings = load(data_dir)
    if key is not None and server is None:
        raise fail(InvalidInput("--key goes with --server"))
    from glitchcart.bot import run_bot  # only this command pays for importing discord.py

    try:
        run_bot(settings, server=server, api_key=key)
    except GlitchcartError as exc:
        raise fail(exc) from None
