"""``glitchcart serve``: the HTTP API, on loopback unless API keys are configured."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from glitchcart.cli.common import fail
from glitchcart.cli.common import settings as load
from glitchcart.errors import GlitchcartError


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than loopback needs API keys.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Data directory (default: $GLITCHCART_HOME or the user data folder)."
        ),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="redis://host:port/db: sessions, history, leases and events on Redis, shared"
            " by every process on it ($GLITCHCART_REDIS_URL); media stay in the data directory.",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    settings = load(data_dir, redis_url=redis)
    from glitchcart.server import run_server  # only this command pays for importing the server

    try:
        run_server(settings, host, port)
    except GlitchcartError as exc:
        raise fail(exc) from None
