"""The real bot in a child process, pointed at a :class:`DiscordServer`, with a data
directory and quick cartridges of its own; it can be stopped, SIGKILLed and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from support.discord_server import DiscordServer

CHILD = Path(__file__).with_name("discord_child.py")
QUICK = "quick-signal"  # dust-signal with a short vote window


def quick_cartridges(
    folder: Path, countdown: float = 2.0, idle: float = 600.0, health: int = 10
) -> Path:
    """A folder with ``quick-signal``: the packaged dust-signal with ``countdown`` s
    windows (and, to die soon, less ``health``)."""
    text = (files("glitchcart.cartridges") / "dust-signal.toml").read_text(encoding="utf-8")
    text = text.replace('id = "dust-signal"', f'id = "{QUICK}"', 1)
    text = text.replace("countdown_seconds = 20", f"countdown_seconds = {countdown}", 1)
    text = text.replace("idle_seconds = 90", f"idle_seconds = {idle}", 1)
    text = text.replace("health = 10\n", f"health = {health}\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{QUICK}.toml").write_text(text, encoding="utf-8")
    return folder


class BotProcess:
    def __init__(
        self, server: DiscordServer, home: Path, cartridges: Path, **settings: Any
    ) -> None:
        self.server = server
        self.home = home
        self.cartridges = cartridges
        self.settings = settings
        self.log = home / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, *, within: float = 30.0) -> None:
        """Start the bot; return once it is connected and its commands are synced."""
        self.server.connected.clear()
        identified = self.server.identifies
        env = {
            **os.environ,
            **self.server.env(),
            "GLITCHCART_HOME": str(self.home),
            "GLITCHCART_DISCORD_EDIT_INTERVAL": "0.5",
            **{f"GLITCHCART_{k.upper()}": str(v) for k, v in self.settings.items()},
        }
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(CHILD),
                str(self.cartridges),
                env=env,
                stdout=log,
                stderr=log,
                stdin=asyncio.subprocess.DEVNULL,
            )
        await self.server.wait_for(
            lambda: (self.server.identifies > identified and self.server.commands) or self._died(),
            within=within,
        )
        assert self.proc.returncode is None, self.output()
        await asyncio.sleep(0.3)  # on_ready: the bot picks up its live channels

    def _died(self) -> bool:
        return self.proc is not None and self.proc.returncode is not None

    async def kill(self) -> None:
        """SIGKILL: no goodbye, nothing flushed."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
