"""``glitchcart discord`` refuses to start without what it needs, in one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from support.discord_server import discord_server


def gc_discord(*args: str, env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GLITCHCART_")}
    return subprocess.run(
        [sys.executable, "-m", "glitchcart", "discord", "--data-dir", str(home), *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )


def test_no_token_is_a_clear_error(tmp_path: Path) -> None:
    done = gc_discord(env={}, home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: GLITCHCART_DISCORD_TOKEN is not set"


def test_discord_out_of_reach_is_a_clear_error(tmp_path: Path) -> None:
    env = {
        "GLITCHCART_DISCORD_TOKEN": "s3cret-token-value",
        "GLITCHCART_DISCORD_API_URL": "http://127.0.0.1:9/api/v10",  # nothing listens
    }
    done = gc_discord(env=env, home=tmp_path)
    assert done.returncode == 5
    assert done.stderr.strip().splitlines()[-1].startswith("error: Discord cannot be reached")
    assert "s3cret-token-value" not in done.stdout + done.stderr


async def test_a_refused_token_is_a_clear_error_and_never_printed(tmp_path: Path) -> None:
    async with discord_server(token="the-right-one") as server:
        env = {**server.env(), "GLITCHCART_DISCORD_TOKEN": "s3cret-token-value"}
        done = await asyncio.to_thread(gc_discord, env=env, home=tmp_path)
    assert done.returncode == 4
    assert done.stderr.strip().splitlines()[-1] == "error: Discord refused the bot's token"
    assert "s3cret-token-value" not in done.stdout + done.stderr


def test_a_key_needs_a_server(tmp_path: Path) -> None:
    done = gc_discord("--key", "k", env={"GLITCHCART_DISCORD_TOKEN": "t"}, home=tmp_path)
    assert done.returncode == 2
    assert "--key goes with --server" in done.stderr
