"""Fallback chains over real HTTP: next provider, bench and recovery, budgets, fairness."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from glitchcart.adapters.providers.chain import ChainNarrator
from glitchcart.adapters.providers.metering import Meter
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.openai.chat import ChatClient
from glitchcart.adapters.providers.resilient import ProviderCaller, ProviderHealth, RetryPolicy
from glitchcart.adapters.providers.scheduler import FairScheduler
from glitchcart.core.keys import SessionKey
from support.cartridges import mini_cartridge
from support.fake_openai import FakeOpenAI, Reply, narration_reply
from support.model_stack import Clock, choice_request, narration_request, narrator_for

A, B = "web:alpha", "web:beta"


async def test_a_failing_provider_falls_back_to_the_next_then_offline() -> None:
    async with FakeOpenAI() as hosted, FakeOpenAI() as local, httpx.AsyncClient() as http:
        hosted.script("chat", *[Reply(status=500)] * 3)
        local.script("chat", Reply(data=narration_reply(narration="The local model speaks.")))
        meter = Meter({})
        chain = ChainNarrator(
            [
                narrator_for(hosted.config("hosted"), http, meter),
                narrator_for(local.config("local"), http, meter),
            ],
            OfflineNarrator(),
            meter,
        )
        narration = await chain.narrate(narration_request())
        assert narration.text == "The local model speaks."
        assert hosted.count("chat") == 3 and local.count("chat") == 1

        local.script("chat", *[Reply(status=500)] * 3)
        hosted.script("chat", *[Reply(status=500)] * 3)
        offline = await chain.narrate(narration_request())
        assert offline == await OfflineNarrator().narrate(narration_request())
        choices = await chain.choices(choice_request())
        assert len(choices) == 3


async def test_no_failure_ever_puts_an_error_into_the_story() -> None:
    failures = [
        Reply(status=500),
        Reply(status=429, error_code="insufficient_quota"),
        Reply(status=401),
        Reply(content="Traceback (most recent call last): KeyError"),
        Reply(data=narration_reply(narration="Error: HTTP 500 from upstream")),
        Reply(refusal="I can't do that"),
        Reply(hang=True),
    ]
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        meter = Meter({})
        chain = ChainNarrator(
            [narrator_for(server.config(timeout=0.2), http, meter)], OfflineNarrator(), meter
        )
        for failure in failures:
            server.script("chat", failure, failure, failure)
            narration = await chain.narrate(narration_request())
            for bad in ("error", "http", "traceback", "quota", "sorry", "500"):
                assert bad not in narration.text.lower()
            server.clear()


async def test_a_benched_provider_is_skipped_by_every_session_and_recovers() -> None:
    async with FakeOpenAI() as hosted, FakeOpenAI() as local, httpx.AsyncClient() as http:
        clock = Clock()
        meter = Meter({})
        chain = ChainNarrator(
            [
                narrator_for(hosted.config("hosted"), http, meter, clock=clock),
                narrator_for(local.config("local"), http, meter, clock=clock),
            ],
            OfflineNarrator(),
            meter,
        )
        hosted.script("chat", *[Reply(status=503)] * 9)
        for session in ("web:s1", "web:s2", "web:s3"):
            await chain.narrate(narration_request(session=session))
        assert hosted.count("chat") == 9
        assert chain.plan(mini_cartridge(), SessionKey.parse(B), "g9") == ["local"]
        # Benched: another session's turn goes straight to the local model.
        await chain.narrate(narration_request(session=B))
        assert hosted.count("chat") == 9
        # After the cool-down the hosted model is tried again, and serves again.
        clock.now += 30.0
        assert chain.plan(mini_cartridge(), SessionKey.parse(B), "g9") == ["hosted", "local"]
        hosted.script("chat", Reply(data=narration_reply(narration="Hosted is back.")))
        assert (await chain.narrate(narration_request(session=B))).text == "Hosted is back."


async def test_a_spent_budget_switches_only_that_session_to_the_cheaper_provider() -> None:
    async with FakeOpenAI() as hosted, FakeOpenAI() as local, httpx.AsyncClient() as http:
        paid = hosted.config("hosted", price_input_per_1k=1.0, price_output_per_1k=1.0)
        free = local.config("local")
        meter = Meter({"hosted": paid, "local": free}, session_budget=1.5)
        chain = ChainNarrator(
            [narrator_for(paid, http, meter), narrator_for(free, http, meter)],
            OfflineNarrator(),
            meter,
        )
        hosted.script("chat", Reply(usage=(1000, 1000)))
        await chain.narrate(narration_request(session=A))  # costs 2.0 > 1.5
        assert chain.notices(SessionKey.parse(A)) == [
            "This session's model budget is spent, so the story carries on with a cheaper "
            "storyteller. Nothing else changes."
        ]
        assert chain.notices(SessionKey.parse(A)) == []
        await chain.narrate(narration_request(session=A))
        await chain.choices(choice_request(session=A))
        assert hosted.count("chat") == 1 and local.count("chat") == 2
        # The other session still plays on the hosted model and hears nothing.
        await chain.narrate(narration_request(session=B, game_id="g2"))
        assert hosted.count("chat") == 2
        assert chain.notices(SessionKey.parse(B)) == []
        assert chain.plan(None, SessionKey.parse(B), "g2") == ["hosted", "local"]
        assert chain.plan(None, SessionKey.parse(A), "g1") == ["local"]


async def test_providers_are_selectable_per_cartridge_and_per_session() -> None:
    async with FakeOpenAI() as hosted, FakeOpenAI() as local, httpx.AsyncClient() as http:
        meter = Meter({})
        chain = ChainNarrator(
            [
                narrator_for(hosted.config("hosted"), http, meter),
                narrator_for(local.config("local"), http, meter),
            ],
            OfflineNarrator(),
            meter,
        )
        key = SessionKey.parse(A)
        assert chain.plan(None, key, "g1") == ["hosted", "local"]
        local_first = mini_cartridge(providers=["local", "unknown-one"])
        assert chain.plan(local_first, key, "g1") == ["local"]
        assert chain.plan(mini_cartridge(providers=["offline"]), key, "g1") == []
        assert chain.plan(local_first, key, "g1", ["hosted"]) == ["hosted"]  # the session's
        assert chain.plan(local_first, key, "g1", ["paint-only", "local"]) == ["local"]
        assert chain.plan(local_first, key, "g1", ["paint-only"]) == ["local"]  # not this role
        assert chain.plan(local_first, key, "g1", ["offline", "hosted"]) == []
        await chain.narrate(narration_request(session=A, cart=local_first))
        assert local.count("chat") == 1 and hosted.count("chat") == 0
        chosen = replace(narration_request(session=A, cart=local_first), providers=("hosted",))
        await chain.narrate(chosen)
        assert local.count("chat") == 1 and hosted.count("chat") == 1


async def test_a_session_with_50_queued_calls_delays_another_by_at_most_one_slot() -> None:
    """Round-robin through the real HTTP path, asserted by the order the server saw calls."""
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.delay_for = lambda route, body: 0.01
        config = server.config(max_concurrency=1)
        chat = ChatClient(config, http)
        caller = ProviderCaller(
            "fake", FairScheduler(1), ProviderHealth("fake", 30.0), RetryPolicy(retries=0)
        )

        def call(who: str) -> asyncio.Task[object]:
            messages = [{"role": "user", "content": who}]
            return asyncio.create_task(
                caller.call(who.split("#")[0], lambda: chat.complete(messages, max_tokens=5))
            )

        busy = [call(f"web:busy#{i}") for i in range(50)]
        await asyncio.sleep(0)
        quiet = call("web:quiet#0")
        await asyncio.gather(*busy, quiet)
        order = [r.json["messages"][0]["content"] for r in server.requests]
        # busy#0 already held the one slot; the quiet call came right after it.
        assert order.index("web:quiet#0") <= 1
        assert server.max_in_flight["chat"] == 1
        assert [o for o in order if o.startswith("web:busy")] == [
            f"web:busy#{i}" for i in range(50)
        ]
