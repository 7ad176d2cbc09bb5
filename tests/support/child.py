"""A child process whose JSON lines are collected as they come, and that can be SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any


class JsonLineChild:
    def __init__(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=None if env is None else dict(env),
        )
        self.lines: list[dict[str, Any]] = []
        self.ready = threading.Event()  # the first line arrived (or the output ended)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.lines.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line torn by the kill was never reported as committed
            self.ready.set()
        self.ready.set()

    def kill_after(self, delay: float) -> None:
        """Once the child has spoken, wait ``delay`` seconds and SIGKILL it."""
        assert self.ready.wait(timeout=60), "the child never printed a line"
        time.sleep(delay)
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
