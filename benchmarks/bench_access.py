"""What proving the caller costs per request: the access check of the HTTP API.

Times :meth:`Gatekeeper.admit` (authentication, the browser checks, the key's rate
bucket) and, for a move, :meth:`Gatekeeper.player` (the acting player's bucket), for
each kind of caller, next to a baseline measured in the same run: one SHA-256 of an
API key (what looking a key up already cost before player credentials). A player
credential is an HMAC check (itsdangerous) plus one SQLite read of its revocation.
Each case runs ``--repeat`` times, interleaved; its best run is reported.

    .venv/bin/python benchmarks/bench_access.py [--requests 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from glitchcart.adapters.credentials.sqlite import SqliteRevocations
from glitchcart.core.keys import SessionKey
from glitchcart.http.access import Gatekeeper
from glitchcart.http.credentials import COOKIE, Credentials
from glitchcart.settings import Settings

KEY = "bench-integration-key-0123456789"
SESSION = SessionKey("web", "bench")


def scope(method: str, headers: dict[str, str]) -> dict[str, object]:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return {
        "type": "http",
        "method": method,
        "path": "/v1/sessions/web:bench/votes",
        "headers": [(b"host", b"localhost:8000"), *raw],
        "client": ("127.0.0.1", 5000),
    }


async def best(repeat: int, runs: int, step: Callable[[], Awaitable[object]]) -> float:
    """The best requests per second of ``repeat`` runs of ``runs`` steps."""
    top = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(runs):
            await step()
        top = max(top, runs / (time.perf_counter() - started))
    return top


async def main(requests: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        revocations = SqliteRevocations(Path(root) / "credentials.db")
        credentials = Credentials("s" * 40, revocations, time.time, 3600.0)
        token = credentials.issue("web", "alice")[0]
        await revocations.revoke("web", "bob", time.time())  # a table that is not empty
        unlimited = {"api_rate": 1e12, "api_burst": 10**12}
        unlimited.update(player_rate=1e12, player_burst=10**12)
        site = [{"name": "site", "key": KEY, "namespaces": ["web"]}]
        keyed = Settings(home=Path(root), api_keys=site, **unlimited)
        gate = Gatekeeper(keyed, time.monotonic, credentials)
        keyless = Gatekeeper(Settings(home=Path(root), **unlimited), time.monotonic, credentials)
        json_body = {"Content-Type": "application/json", "Content-Length": "40"}
        cases: dict[str, Callable[[], Awaitable[object]]] = {}

        async def baseline() -> object:
            return hashlib.sha256(KEY.encode()).digest()

        cases["baseline: sha256 of a key"] = baseline

        def admit_and_act(
            gatekeeper: Gatekeeper, headers: dict[str, str]
        ) -> Callable[[], Awaitable[object]]:
            request = scope("POST", {**json_body, **headers})

            async def step() -> object:
                caller = await gatekeeper.admit(request)
                assert caller is not None
                return gatekeeper.player(caller, SESSION, caller.player or "alice")

            return step

        cases["integration key, a vote"] = admit_and_act(gate, {"Authorization": f"Bearer {KEY}"})
        cases["player token, a vote"] = admit_and_act(gate, {"Authorization": f"Bearer {token}"})
        cases["player cookie, a vote"] = admit_and_act(
            gate, {"Cookie": f"{COOKIE}={token}", "Origin": "http://localhost:8000"}
        )
        cases["keyless loopback, a vote"] = admit_and_act(
            keyless, {"Origin": "http://localhost:8000"}
        )
        rates = {name: 0.0 for name in cases}
        for _ in range(repeat):  # interleaved, so a busy moment hits every case alike
            for name, step in cases.items():
                rates[name] = max(rates[name], await best(1, requests, step))
        revocations.close()
    base = rates["baseline: sha256 of a key"]
    print(f"access checks, best of {repeat} x {requests}")
    print(f"{'case':30} {'per s':>10} {'us each':>8} {'x baseline':>11}")
    for name, rate in rates.items():
        print(f"{name:30} {rate:10.0f} {1e6 / rate:8.1f} {base / rate:11.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.repeat = 500, 1
    asyncio.run(main(args.requests, args.repeat))
