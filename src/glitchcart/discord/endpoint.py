"""Where discord.py connects: Discord itself, or a Discord-compatible server.

discord.py builds every REST URL (webhooks and interaction callbacks included) from
``Route.BASE`` and, when it is not sharded by Discord's answer, connects to
``DiscordWebSocket.DEFAULT_GATEWAY``; these two class attributes are its configuration
points (its own ``_set_api_version`` sets the first), so the bot sets them once, at
start, from the settings, and discord.py's code runs unchanged. A sharded client asks
``GET /gateway/bot`` for the gateway, which a compatible server answers with its own.
"""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def aim(api_url: str, gateway_url: str | None) -> None:
    """Point discord.py at ``api_url`` (a REST base such as ``.../api/v10``) and, if given,
    ``gateway_url``."""
    Route.BASE = api_url.rstrip("/")
    if gateway_url is not None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
