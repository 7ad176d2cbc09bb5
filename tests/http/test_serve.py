"""`glitchcart serve` as a user runs it: a real process, a real port, the real engine."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from glitchcart.client import Client, HttpTransport


def start(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "glitchcart", "serve", "--port", "0", "--data-dir", str(data_dir)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    for line in proc.stderr:
        # uvicorn's own start-up line names the port it got
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line, re.IGNORECASE)
        if found:
            return proc, found.group(1)
        assert time.monotonic() < deadline, "the server did not start"
    raise AssertionError(f"the server exited with {proc.wait()}")


async def test_serve_plays_a_game_and_stops_cleanly(tmp_path: Path) -> None:
    proc, base_url = start(tmp_path / "data")
    try:
        async with Client(HttpTransport(base_url)) as client:
            first = await client.boot("dust-signal", seed=3, session="web:live")
            receipt = await client.vote("ann", choice=1, turn=1, session="web:live")
            assert receipt.closed  # the only player voted
            assert first.frame is not None
            png = await client.frame(first.frame)
            assert png.startswith(b"\x89PNG")
        assert (tmp_path / "data" / "glitchcart.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
        assert proc.stderr is not None
        proc.stderr.close()
    assert code == 0
