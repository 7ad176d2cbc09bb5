"""A 3-master Redis Cluster on loopback ports, started for a test module.

Three ``redis-server --cluster-enabled yes`` in a temporary folder, joined by
``redis-cli --cluster create ... --cluster-yes`` with no replicas; torn down
(SIGTERM, then the folder) afterwards. Skipped with the reason when the server or
redis-cli is missing, except on CI (``CI=true``), where that fails.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the Redis Cluster tests")
    pytest.skip(reason)


@contextmanager
def redis_cluster(masters: int = 3) -> Iterator[list[int]]:
    """The ports of a fresh cluster's masters, while it runs."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if server is None or cli is None:
        _missing("redis-server or redis-cli is not installed")
    assert server is not None and cli is not None
    folder = Path(tempfile.mkdtemp(prefix="gc-cluster-"))
    ports = [_cluster_port() for _ in range(masters)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            node = folder / str(port)
            node.mkdir()
            procs.append(
                subprocess.Popen(
                    [server, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled",
                     "yes", "--cluster-config-file", "nodes.conf", "--dir", str(node),
                     "--save", "", "--appendonly", "no", "--logfile", "redis.log"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        for port in ports:
            _until(lambda p=port: _answers(p), f"node {port} did not start")
        subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        for port in ports:
            _until(
                lambda p=port: _cluster_ok(p),
                f"node {port} did not join",
            )
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free and valid too."""
    while True:
        port = random.randrange(20000, 50000)
        try:
            for p in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port


def _answers(port: int) -> bool:
    with redis.Redis(port=port) as client:
        return bool(client.ping())


def _cluster_ok(port: int) -> bool:
    with redis.Redis(port=port) as client:
        info = client.execute_command("CLUSTER", "INFO")
    text = info.decode() if isinstance(info, bytes) else str(info)
    return "cluster_state:ok" in text or (
        isinstance(info, dict) and info.get("cluster_state") == "ok"
    )


def _until(check: object, message: str, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            if callable(check) and check():
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)
