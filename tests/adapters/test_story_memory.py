"""The rolling summary per game: extractive at once, model-written in the background."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from glitchcart.adapters.providers.chain import ChainNarrator
from glitchcart.adapters.providers.metering import Meter
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.story_memory import StoryMemory
from glitchcart.errors import ProviderError
from support.fake_openai import FakeOpenAI, Reply, narration_reply
from support.model_stack import narration_request, narrator_for


async def test_events_are_folded_in_every_n_turns() -> None:
    memory = StoryMemory(refresh_every=2, max_chars=200)
    memory.remember("g1", 1, "arrived")
    assert memory.recall("g1") == ""
    memory.remember("g1", 2, "searched the shack")
    assert memory.recall("g1") == "arrived. searched the shack."
    memory.remember("g1", 3, "fled")
    memory.remember("g1", 3, "fled again")  # the same turn twice is remembered once
    memory.remember("g1", 4, "hid")
    assert memory.recall("g1") == "arrived. searched the shack. fled. hid."
    assert memory.recall("g2") == "" and memory.recall(None) == ""


async def test_a_model_summary_replaces_the_extractive_one() -> None:
    memory = StoryMemory(refresh_every=2, max_chars=200)
    seen: list[tuple[str, tuple[str, ...]]] = []

    async def summarize(previous: str, events: tuple[str, ...]) -> str:
        seen.append((previous, events))
        return "  You came, you searched.  "

    memory.remember("g1", 1, "arrived", summarize=summarize)
    memory.remember("g1", 2, "searched", summarize=summarize)
    assert memory.recall("g1") == "arrived. searched."  # extractive at once
    await memory.settle()
    assert memory.recall("g1") == "You came, you searched."
    assert seen == [("", ("arrived", "searched"))]


async def test_a_failing_model_leaves_the_extractive_summary() -> None:
    memory = StoryMemory(refresh_every=1, max_chars=200)

    async def broken(previous: str, events: tuple[str, ...]) -> str:
        raise ProviderError("down")

    memory.remember("g1", 1, "arrived", summarize=broken)
    await memory.settle()
    assert memory.recall("g1") == "arrived."


async def test_a_late_model_summary_never_overwrites_a_newer_one() -> None:
    memory = StoryMemory(refresh_every=1, max_chars=200)
    gate = asyncio.Event()

    async def slow(previous: str, events: tuple[str, ...]) -> str:
        await gate.wait()
        return "stale summary"

    memory.remember("g1", 1, "arrived", summarize=slow)
    memory.remember("g1", 2, "left", summarize=slow)  # a refresh is in flight: extractive only
    gate.set()
    await memory.settle()
    assert memory.recall("g1") == "arrived. left."


async def test_memory_is_bounded_and_can_be_restored() -> None:
    memory = StoryMemory(refresh_every=1, max_games=2)
    for game in ("g1", "g2", "g3"):
        memory.remember(game, 1, f"event of {game}")
    assert memory.recall("g1") == ""
    assert memory.recall("g3") == "event of g3."
    memory.restore("g1", "restored summary")
    assert memory.export("g1") == "restored summary"
    await memory.aclose()


async def test_the_chain_keeps_memory_and_the_next_prompt_carries_it() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        memory = StoryMemory(refresh_every=2, max_chars=300)
        meter = Meter({})
        chain = ChainNarrator(
            [narrator_for(server.config(), http, meter, memory=memory)],
            OfflineNarrator(),
            meter,
            memory=memory,
        )
        server.script(
            "chat",
            Reply(data=narration_reply(event="found the key")),
            Reply(data=narration_reply(event="opened the gate")),
            Reply(content="The key opened the gate."),
        )
        await chain.narrate(narration_request())
        await chain.narrate(narration_request(state=replace(narration_request().state, turn=1)))
        await memory.settle()
        summary_call = server.requests[2].json["messages"]
        assert "running summary" in summary_call[0]["content"]
        assert "found the key / opened the gate" in summary_call[1]["content"]
        await chain.narrate(narration_request())
        user = server.requests[-1].json["messages"][-1]["content"]
        assert '<story_data>"The key opened the gate."</story_data>' in user
        await memory.aclose()
