"""glitchcart: AI-narrated multiplayer choose-your-own-adventure games.

``glitchcart.Client`` (with ``InProcessTransport`` and ``HttpTransport``) is the one
client every surface uses; it is imported on first use, so ``import glitchcart``
stays cheap for the command line.
"""

from __future__ import annotations

from typing import Any

_CLIENT_NAMES = ("Client", "HttpTransport", "InProcessTransport", "Transport")


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from glitchcart import client

        return getattr(client, name)
    raise AttributeError(f"module 'glitchcart' has no attribute {name!r}")
