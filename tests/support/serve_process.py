"""`glitchcart serve` as a child process on a data directory, for multi-process tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str

    def kill(self) -> None:
        """SIGKILL: no clean-up, no lease released."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._close()
        return code

    def _close(self) -> None:
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def serve(data_dir: Path, env: Mapping[str, str | None] | None = None, port: int = 0) -> Served:
    """Start ``glitchcart serve`` on ``data_dir``; returns once it listens."""
    merged = {**os.environ}
    for name, value in (env or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    argv = [sys.executable, "-m", "glitchcart", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--data-dir", str(data_dir)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=merged,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    for line in proc.stderr:
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line, re.IGNORECASE)
        if found:
            _drain(proc)
            return Served(proc, found.group(1))
        assert time.monotonic() < deadline, "the server did not start"
    raise AssertionError(f"the server exited with {proc.wait()}")


def _drain(proc: subprocess.Popen[str]) -> None:
    """Keep reading the child's stderr so a chatty server never blocks on a full pipe."""

    def read() -> None:
        assert proc.stderr is not None
        try:
            for _ in proc.stderr:
                pass
        except ValueError:  # closed
            return

    threading.Thread(target=read, daemon=True).start()
