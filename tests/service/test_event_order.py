"""Issue 12 item 15: a session's events come in the order their changes were
committed, and every change others should see has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from glitchcart.core.keys import SessionKey
from glitchcart.core.votes import VotingMode
from glitchcart.errors import Forbidden
from glitchcart.ports import Event
from support.engines import make_engine

KEY = SessionKey.parse("web:order")


async def events_after(engine, after: int) -> list[Event]:  # type: ignore[no-untyped-def]
    return list((await engine.store.read(KEY, after=after)).events)


async def test_a_closing_vote_tells_its_story_in_commit_order(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    await engine.boot(KEY, "mini", seed=2)
    mark = (await engine.store.read(KEY, after=0, limit=0)).last
    await engine.vote(KEY, "ann", choice=1)  # the only player: seated, and the window closes
    await engine.drain()
    kinds = [e.kind for e in await events_after(engine, mark)]
    assert kinds[:5] == [
        "player_joined",
        "window_opened",
        "vote_cast",
        "window_closed",
        "turn_resolving",
    ]
    assert kinds[5] == "narration" and kinds[-1] == "choices"


async def test_mode_changes_vetoes_and_twists_are_announced(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    await engine.boot(KEY, "mini", seed=2)
    await engine.join(KEY, "ann")
    await engine.take_crown(KEY, "ann")
    mark = (await engine.store.read(KEY, after=0, limit=0)).last
    await engine.set_mode(KEY, VotingMode.LEADER, player="ann")
    await engine.veto(KEY, "ann", 2)
    await engine.twist(KEY, "ann", "the lights go out")
    got = [(e.kind, e.data) for e in await events_after(engine, mark)]
    assert got == [
        ("mode_changed", {"mode": "leader", "by": "ann"}),
        ("vetoed", {"choice": 2}),
        ("twist_set", {"holder": "ann"}),  # its text stays the crown's surprise
    ]


async def test_a_refused_change_sends_nothing(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    await engine.boot(KEY, "mini", seed=2)
    await engine.join(KEY, "ann")
    await engine.join(KEY, "bob")
    await engine.take_crown(KEY, "ann")
    mark = (await engine.store.read(KEY, after=0, limit=0)).last
    with pytest.raises(Forbidden):
        await engine.set_mode(KEY, VotingMode.ANARCHY, player="bob")
    with pytest.raises(Forbidden):
        await engine.veto(KEY, "bob", 1)
    assert await events_after(engine, mark) == []
