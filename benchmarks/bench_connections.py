"""``/healthz`` while idle sockets hold a server started with a 1,024 descriptor limit.

Starts ``glitchcart serve`` with RLIMIT_NOFILE=1024 (set in the child) and a long
head deadline, so only the connection cap makes room. Prints, in one run, the
latency of ``GET /healthz`` on a fresh connection with no idle sockets (the
baseline), then with ``--idle`` sockets open that send nothing, and the ratio.

    .venv/bin/python benchmarks/bench_connections.py [--idle 1100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FD_LIMIT = 1024


def limit_descriptors() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, min(hard, FD_LIMIT)))


def start(workdir: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    log = workdir / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "glitchcart",
                "serve",
                "--port",
                "0",
                "--data-dir",
                str(workdir / "data"),
            ],
            stderr=sink,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "GLITCHCART_HEADER_TIMEOUT": "600"},
            preexec_fn=limit_descriptors,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"running on http://127\.0\.0\.1:(\d+)", log.read_text(), re.I)
        if found:
            return proc, int(found.group(1)), log
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()[-2000:]}")


def healthz(port: int) -> float:
    """Seconds for one GET /healthz on a fresh connection (inf if no answer in 10 s)."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
    except OSError:
        return float("inf")
    if not answer.startswith(b"HTTP/1.1 200 "):
        return float("inf")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.idle, args.rounds = 50, 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.idle + 200)), hard))
    with tempfile.TemporaryDirectory() as tmp:
        proc, port, log = start(Path(tmp))
        try:
            baseline = [healthz(port) for _ in range(args.rounds)]
            idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
            time.sleep(0.5)
            loaded = [healthz(port) for _ in range(args.rounds)]
            for sock in idle:
                sock.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        refused = log.read_text().count("out of system resource")
    base, under = statistics.median(baseline), statistics.median(loaded)
    print(f"descriptor limit {FD_LIMIT}, idle sockets {args.idle}, rounds {args.rounds}")
    print(f"/healthz median, no idle sockets:   {base * 1000:8.1f} ms")
    print(f"/healthz median, {args.idle} idle sockets: {under * 1000:8.1f} ms")
    print(f"/healthz worst,  {args.idle} idle sockets: {max(loaded) * 1000:8.1f} ms")
    print(f"ratio to baseline: {under / base:.1f}x")
    print(f"accept() hit the descriptor limit (asyncio log lines): {refused}")


if __name__ == "__main__":
    main()
