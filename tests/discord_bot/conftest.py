from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.discord_bot import BotProcess, quick_cartridges
from support.discord_server import DiscordServer, discord_server


@pytest.fixture
async def server() -> AsyncIterator[DiscordServer]:
    async with discord_server() as running:
        yield running


@pytest.fixture
def cartridges(tmp_path: Path) -> Path:
    return quick_cartridges(tmp_path / "cartridges")


@pytest.fixture
async def bot(server: DiscordServer, tmp_path: Path, cartridges: Path) -> AsyncIterator[BotProcess]:
    if not server.guilds:
        server.add_guild("table", ["general", "side"])
    process = BotProcess(server, tmp_path / "home", cartridges, pictures="true")
    await process.start()
    try:
        yield process
    finally:
        await process.stop()
    assert "Traceback" not in process.output(), process.output()
