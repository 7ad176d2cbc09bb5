"""The in-process event bus: ids rise per session, resume after an id, live fan-out."""

import asyncio

from glitchcart.adapters.events.memory import MemoryEventBus
from glitchcart.core.keys import SessionKey

A, B = SessionKey.parse("web:a"), SessionKey.parse("web:b")


async def take(bus: MemoryEventBus, key: SessionKey, after: int | None, n: int) -> list[int]:
    got: list[int] = []
    async for event in bus.subscribe(key, after=after):
        got.append(event.id)
        if len(got) == n:
            return got
    return got


async def test_resume_after_an_id_and_sessions_apart() -> None:
    bus = MemoryEventBus(keep=5)
    for i in range(8):
        await bus.publish(A, "notice", {"i": i})
    await bus.publish(B, "notice", {})
    assert await take(bus, A, 5, 3) == [6, 7, 8]
    # only the kept ones, after a "trimmed" event whose id is the last one trimmed
    assert await take(bus, A, 0, 6) == [3, 4, 5, 6, 7, 8]
    assert await take(bus, B, 0, 1) == [1]


async def test_live_events_reach_every_subscriber_in_order() -> None:
    bus = MemoryEventBus()
    waiting = [asyncio.create_task(take(bus, A, None, 3)) for _ in range(20)]
    await asyncio.sleep(0)
    for i in range(3):
        await bus.publish(A, "notice", {"i": i})
    assert [await w for w in waiting] == [[1, 2, 3]] * 20
