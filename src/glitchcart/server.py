"""Composition root of the HTTP server process: settings → app → uvicorn.

The command line starts the server through this module, so the CLI surface
never imports the HTTP surface itself.
"""

from __future__ import annotations

import uvicorn

from glitchcart.http import create_app
from glitchcart.http.access import check_bind
from glitchcart.settings import Settings


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the API until interrupted; refuses a public address without API keys."""
    check_bind(host, settings)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ws="none",
        server_header=False,
        timeout_graceful_shutdown=5,  # event streams never end by themselves
        log_level="info",
    )
