"""Issue 11, finding 5: idle sockets, half-sent heads and endless bodies can't starve
`glitchcart serve`. A real server process, started with a 1,024 descriptor limit."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

FD_LIMIT = 1024
IDLE_SOCKETS = 1100


def _limit_descriptors() -> None:  # runs in the child, before exec
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, min(hard, FD_LIMIT)))


def start(data_dir: Path, log: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """``glitchcart serve`` on an ephemeral loopback port with RLIMIT_NOFILE=1024.

    Its log goes to a file: a pipe nobody reads would fill and stall the server."""
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "glitchcart", "serve", "--port", "0", "--data-dir", data_dir],
            stderr=sink,
            stdout=subprocess.DEVNULL,
            env={**os.environ, **{f"GLITCHCART_{k.upper()}": v for k, v in env.items()}},
            preexec_fn=_limit_descriptors,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", log.read_text(), re.I)
        if found:
            return proc, found.group(1)
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    proc, base_url = start(tmp_path / "data", tmp_path / "server.log", **request.param)
    try:
        yield base_url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def address(base_url: str) -> tuple[str, int]:
    host, port = base_url.removeprefix("http://").split(":")
    return host, int(port)


def open_idle(base_url: str, count: int) -> list[socket.socket]:
    """``count`` connections that send nothing."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 200), hard))
    return [socket.create_connection(address(base_url), timeout=10) for _ in range(count)]


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """What the server sent before it closed the connection (fails if it stays open)."""
    return await asyncio.wait_for(reader.read(), seconds)


@pytest.mark.slow
@pytest.mark.parametrize("server", [{"header_timeout": "600"}], indirect=True)
async def test_healthz_answers_with_1100_idle_sockets_open(server: str) -> None:
    # a long head deadline: only the connection cap can make room here
    idle = open_idle(server, IDLE_SOCKETS)
    try:
        await asyncio.sleep(0.5)  # let the server accept what it can
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(f"{server}/healthz")
        latency = time.perf_counter() - started
        assert answer.status_code == 200
        print(f"/healthz with {IDLE_SOCKETS} idle sockets: {latency * 1000:.1f} ms")
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize("server", [{"header_timeout": "1"}], indirect=True)
async def test_a_half_sent_head_is_cut_off(server: str) -> None:
    reader, writer = await asyncio.open_connection(*address(server))
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    await writer.drain()
    sent = await closed_within(reader, 10)
    assert sent.startswith(b"HTTP/1.1 408 ")
    writer.close()


@pytest.mark.parametrize("server", [{"body_timeout": "1"}], indirect=True)
async def test_a_never_ending_chunked_body_is_cut_off(server: str) -> None:
    reader, writer = await asyncio.open_connection(*address(server))
    writer.write(
        b"POST /v1/sessions/cli:slow/players HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    started = time.monotonic()
    cut_off = False
    while not cut_off and time.monotonic() - started < 10:
        try:
            writer.write(b"1\r\n \r\n")
            await writer.drain()
            cut_off = await _eof_within(reader, 0.2)
        except ConnectionError:
            cut_off = True
    assert cut_off, "the server kept reading a body that never ends"
    writer.close()


async def _eof_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        await asyncio.wait_for(reader.read(), seconds)
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("server", [{"max_connections": "8", "body_timeout": "600"}], indirect=True)
async def test_over_the_cap_with_every_connection_busy_is_a_quick_503(server: str) -> None:
    busy = []
    for _ in range(8):  # requests whose bodies are still coming: not idle, not evictable
        reader, writer = await asyncio.open_connection(*address(server))
        writer.write(
            b"POST /v1/sessions/cli:busy/players HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n \r\n"
        )
        await writer.drain()
        busy.append(writer)
    await asyncio.sleep(0.3)
    reader, writer = await asyncio.open_connection(*address(server))
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    sent = await closed_within(reader, 10)
    assert sent.startswith(b"HTTP/1.1 503 ")
    assert b"Retry-After: 1" in sent
    for w in (*busy, writer):
        w.close()


def test_the_cap_leaves_descriptors_for_files_and_the_database() -> None:
    from glitchcart.server import FD_RESERVE, connection_cap

    assert connection_cap(1000, None) == 1000
    assert connection_cap(1000, 1024) == 1024 - FD_RESERVE
    assert connection_cap(1000, 65536) == 1000
    assert connection_cap(1000, 100) == 8
