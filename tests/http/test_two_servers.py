"""Two real `glitchcart serve` processes on one data directory, with a fake model
server counting every call: each turn is narrated, painted and published once;
a subscriber of either server sees every turn of both; SIGKILL of the process
resolving a turn leaves it to the other, which finishes it once; a restarted
server resumes a subscriber from its Last-Event-ID with no gap and no duplicate."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from glitchcart.client import Client, HttpTransport
from glitchcart.client.models import EventOut
from glitchcart.client.sse import SseReader
from glitchcart.errors import Conflict, Unreachable
from support.fake_openai import FakeOpenAI, schema_name
from support.redis_server import fresh_prefix, require_redis
from support.serve_process import Served, free_port, serve

S = "web:room"
ROUNDS = 15


def provider_env(server: FakeOpenAI, lease_seconds: float = 1.0) -> dict[str, str | None]:
    providers = [
        {"name": "hosted", "kind": "chat", "base_url": server.base_url, "model": "fake-chat",
         "supports_json_schema": True, "timeout": 30},
        {"name": "paint", "kind": "image", "base_url": server.base_url, "model": "fake-image",
         "timeout": 30},
    ]  # fmt: skip
    return {
        "GLITCHCART_PROVIDERS": json.dumps(providers),
        "GLITCHCART_PROVIDERS_FILE": None,
        "GLITCHCART_API_KEYS": None,
        "GLITCHCART_LEASE_SECONDS": str(lease_seconds),
        "GLITCHCART_TAPES": "false",
        "GLITCHCART_PLAYER_RATE": "100000",
        "GLITCHCART_PLAYER_BURST": "100000",
        "GLITCHCART_API_RATE": "100000",  # the test polls: rate limits are not its business
        "GLITCHCART_API_BURST": "100000",
    }


def narrations(server: FakeOpenAI) -> int:
    """Turn narrations the model was asked for (prologues and choices not counted)."""
    return sum(1 for r in server.requests if r.json and schema_name(r.json) == "turn")


@asynccontextmanager
async def servers(data: Path, env: dict[str, str | None], n: int) -> AsyncIterator[list[Served]]:
    started = [serve(data, env) for _ in range(n)]
    try:
        yield started
    finally:
        for s in started:
            if s.proc.poll() is None:
                s.stop()


async def collect(client: Client, into: list[EventOut], until_turn: int) -> None:
    async for event in client.events(after=0, session=S):
        into.append(event)
        if event.kind == "choices" and event.data["turn"] >= until_turn:
            return


async def wait_turn(client: Client, turn: int, limit: float = 30.0) -> None:
    for _ in range(int(limit / 0.02)):
        snap = await client.snapshot(session=S)
        if snap.state is not None and snap.state.turn >= turn and snap.phase == "ready":
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"turn {turn} was not committed in {limit} s")


async def vote(clients: list[Client], player: str, turn: int, rng: random.Random) -> None:
    while True:
        client = rng.choice(clients)
        snap = await client.snapshot(session=S)
        if snap.state is not None and snap.state.turn >= turn:
            return
        if snap.window is not None and player in [v.player for v in snap.window.votes]:
            return
        try:
            choice = 1 + rng.randrange(len(snap.choices))
            await client.vote(
                player, choice=choice, turn=snap.voting_on or 1, game_id=snap.game_id, session=S
            )
            return
        except Conflict:  # resolving, moved on (WrongTurn), or a race with the other server
            await asyncio.sleep(0.01)


def on_redis() -> dict[str, str | None]:
    """The variables that put two servers' sessions on Redis (a fresh key prefix)."""
    return {"GLITCHCART_REDIS_URL": require_redis(), "GLITCHCART_REDIS_PREFIX": fresh_prefix()}


@pytest.mark.slow
@pytest.mark.parametrize("shared", ["data-dir", "redis"])
async def test_two_servers_resolve_each_turn_once_and_both_publish_every_turn(
    tmp_path: Path, shared: str
) -> None:
    rng = random.Random(3)
    store_env = on_redis() if shared == "redis" else {"GLITCHCART_REDIS_URL": None}
    async with FakeOpenAI() as model:
        model.delay_for = lambda route, body: 0.05 if route in ("chat", "images") else 0.0
        async with (
            servers(tmp_path / "data", {**provider_env(model), **store_env}, 2) as (a, b),
            Client(HttpTransport(a.url)) as ca,
            Client(HttpTransport(b.url)) as cb,
        ):
            await ca.boot("dust-signal", seed=4, session=S)
            await cb.join("ann", session=S)
            await ca.join("bob", session=S)
            seen: dict[str, list[EventOut]] = {"a": [], "b": []}
            watchers = [
                asyncio.create_task(collect(ca, seen["a"], ROUNDS)),
                asyncio.create_task(collect(cb, seen["b"], ROUNDS)),
            ]
            for turn in range(1, ROUNDS + 1):
                await asyncio.gather(
                    vote([ca, cb], "ann", turn, rng), vote([ca, cb], "bob", turn, rng)
                )
                await wait_turn(ca, turn)
            await asyncio.wait_for(asyncio.gather(*watchers), 30)
            history = (await cb.history(session=S)).items
        assert [t.turn for t in history] == list(range(ROUNDS + 1))
        assert narrations(model) == ROUNDS  # every turn narrated once
        assert model.count("images") == ROUNDS + 1  # and painted once (the prologue too)
        for name, events in seen.items():
            assert [e.id for e in events] == list(range(1, len(events) + 1)), name
            per_turn = Counter((e.kind, e.data.get("turn")) for e in events)
            for turn in range(1, ROUNDS + 1):
                for kind in ("turn_resolving", "narration", "frame_ready", "choices"):
                    assert per_turn[(kind, turn)] == 1, (name, kind, turn)
        assert [(e.id, e.kind) for e in seen["a"]] == [(e.id, e.kind) for e in seen["b"]]
        # on Redis the sessions live there, not in a database in the shared folder
        assert (tmp_path / "data" / "glitchcart.db").exists() is (shared == "data-dir")
        print(
            f"two servers ({shared}): turns={ROUNDS} narrations={narrations(model)}"
            f" paints={model.count('images')} events={len(seen['a'])}"
        )


@pytest.mark.slow
async def test_sigkill_of_the_resolving_server_leaves_the_turn_to_the_other(
    tmp_path: Path,
) -> None:
    async with FakeOpenAI() as model:
        slow = {"first": True}

        def delay(route: str, body: dict[str, Any]) -> float:
            if route == "chat" and schema_name(body) == "turn" and slow["first"]:
                slow["first"] = False
                return 30.0  # the holder is killed while it waits for the model
            return 0.0

        model.delay_for = delay
        async with (
            servers(tmp_path / "data", provider_env(model, 1.0), 2) as (a, b),
            Client(HttpTransport(a.url)) as ca,
            Client(HttpTransport(b.url)) as cb,
        ):
            await ca.boot("dust-signal", seed=4, session=S)
            chosen = asyncio.create_task(ca.choose(1, session=S))
            for _ in range(500):
                if narrations(model):
                    break
                await asyncio.sleep(0.02)
            assert narrations(model) == 1
            a.kill()
            with pytest.raises(Unreachable):  # its client lost the server
                await chosen
            # b's sweep finds the orphaned turn, takes the dead holder's lease, finishes
            await wait_turn(cb, 1)
            history = (await cb.history(session=S)).items
            events = [e async for e in _until_choices(cb, 1)]
        assert [t.turn for t in history] == [0, 1]
        assert narrations(model) == 2  # a's call was lost with a; b's is the one committed
        per_turn = Counter((e.kind, e.data.get("turn")) for e in events)
        for kind in ("turn_resolving", "narration", "frame_ready", "choices"):
            assert per_turn[(kind, 1)] == 1, kind


async def _until_choices(client: Client, turn: int) -> AsyncIterator[EventOut]:
    async for event in client.events(after=0, session=S):
        yield event
        if event.kind == "choices" and event.data["turn"] >= turn:
            return


async def read_sse(url: str, headers: dict[str, str], n: int) -> list[tuple[int, str]]:
    """The first ``n`` events of a stream, as (id, kind)."""
    got: list[tuple[int, str]] = []
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", url, headers=headers) as stream,
    ):
        assert stream.status_code == 200
        reader = SseReader()
        async for line in stream.aiter_lines():
            message = reader.feed(line)
            if message is not None and message.id is not None:
                got.append((int(message.id), message.event))
                if len(got) == n:
                    break
    return got


@pytest.mark.slow
async def test_a_restarted_server_resumes_a_subscriber_from_last_event_id(
    tmp_path: Path,
) -> None:
    data, port = tmp_path / "data", free_port()
    env = {"GLITCHCART_API_KEYS": None, "GLITCHCART_TAPES": "false"}
    url = f"http://127.0.0.1:{port}/v1/sessions/{S}/events"
    first = serve(data, env, port)
    try:
        async with Client(HttpTransport(first.url)) as client:
            await client.boot("dust-signal", seed=4, session=S)
            for _ in range(3):
                await client.choose(1, session=S)
            before = await read_sse(url, {"Last-Event-ID": "0"}, 10)
    finally:
        first.kill()  # mid-game, no clean shutdown
    last = before[-1][0]
    again = serve(data, env, port)
    try:
        async with Client(HttpTransport(again.url)) as client:
            await client.choose(1, session=S)
            after = await read_sse(url, {"Last-Event-ID": str(last)}, 8)
            async with httpx.AsyncClient() as http:
                future = await http.get(url, headers={"Last-Event-ID": "999999"})
    finally:
        again.stop()
    assert [i for i, _ in before] == list(range(1, 11))
    assert [i for i, _ in after] == list(range(last + 1, last + 9))  # no gap, no duplicate
    assert future.status_code == 422 and future.json()["code"] == "UnknownEventId"
