"""Issue 11, findings 4, 6 and 7 at the engine: seats, receipts, sessions per namespace."""

from pathlib import Path
from typing import Any

import pytest

from glitchcart.adapters.clock import ManualClock
from glitchcart.core.keys import SessionKey
from glitchcart.errors import LimitExceeded, SessionFull
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.engines import make_engine

KEY = SessionKey.parse("discord:100")
HOUR = 3600.0


async def booted(tmp_path: Path, **settings: Any) -> tuple[Engine, ManualClock]:
    clock = ManualClock()
    engine = make_engine(tmp_path, clock=clock, settings=Settings(home=tmp_path, **settings))
    await engine.boot(KEY, "mini", seed=1)
    return engine, clock


async def test_finding_4_a_gone_player_frees_their_seat_and_stays_in_the_history(
    tmp_path: Path,
) -> None:
    engine, clock = await booted(tmp_path, max_players=1)
    assert (await engine.vote(KEY, "ann", choice=1)).closed
    await engine.drain()
    with pytest.raises(SessionFull) as full:
        await engine.join(KEY, "bob")
    assert full.value.retry_after == HOUR
    clock.advance(HOUR + 1)
    await engine.join(KEY, "bob")  # ann has been away an hour: her seat is bob's
    assert [p.id for p in (await engine.snapshot(KEY)).roster] == ["bob"]
    played = [t.input.player for t in await engine.history(KEY)]
    assert "ann" in played


async def test_finding_4_a_reset_frees_the_seats_of_players_not_present(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path, max_players=2)
    await engine.join(KEY, "ann")
    await engine.join(KEY, "bob")
    clock.advance(20 * 60)
    with pytest.raises(SessionFull) as full:
        await engine.join(KEY, "cy")
    assert full.value.retry_after == pytest.approx(40 * 60)
    await engine.reset(KEY, player="ann")
    await engine.drain()
    await engine.join(KEY, "cy")
    assert [p.id for p in (await engine.snapshot(KEY)).roster] == ["ann", "cy"]


async def test_finding_4_the_crown_holder_keeps_their_seat(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path, max_players=1)
    await engine.take_crown(KEY, "ann")
    clock.advance(10 * HOUR)
    with pytest.raises(SessionFull):
        await engine.join(KEY, "bob")


async def test_finding_6_a_retried_vote_is_answered_from_its_receipt_many_turns_later(
    tmp_path: Path,
) -> None:
    engine, clock = await booted(tmp_path)
    players = [f"p{i}" for i in range(50)]
    for p in players:
        await engine.join(KEY, p)
    first = None
    for turn in range(8):  # 400 keyed votes: more than the old cap of 256
        for p in players:
            receipt = await engine.vote(KEY, p, choice=1, idempotency_key=f"{p}-{turn}")
            first = first or receipt
        assert receipt.closed
        await engine.drain()
        clock.advance(30)
    again = await engine.vote(KEY, "p0", choice=1, idempotency_key="p0-0")
    assert again == first
    assert (await engine.snapshot(KEY)).window is None  # not applied to the new turn


async def test_finding_6_receipts_are_kept_for_a_day_then_dropped(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await engine.vote(KEY, "ann", choice=1, idempotency_key="old")
    await engine.drain()
    clock.advance(24 * HOUR - 1)
    await engine.vote(KEY, "ann", choice=1, idempotency_key="day")
    await engine.drain()
    record = await engine.store.load(KEY)
    assert record is not None and [r.key for r in record.receipts] == ["old", "day"]
    clock.advance(2)
    await engine.vote(KEY, "ann", choice=1, idempotency_key="new")
    record = await engine.store.load(KEY)
    assert record is not None and [r.key for r in record.receipts] == ["day", "new"]


async def test_finding_7_sessions_per_namespace_are_bounded(tmp_path: Path) -> None:
    engine, _ = await booted(tmp_path, max_sessions_per_namespace=2)
    second = SessionKey.parse("discord:2")
    await engine.boot(second, "mini", seed=1)
    await engine.boot(KEY, "mini", seed=2, swap=True)  # an existing session: no new room
    with pytest.raises(LimitExceeded, match="2 sessions"):
        await engine.boot(SessionKey.parse("discord:3"), "mini", seed=1)
    await engine.boot(SessionKey.parse("web:1"), "mini", seed=1)  # another namespace
    await engine.drain()
    await engine.delete_session(second)
    await engine.boot(SessionKey.parse("discord:3"), "mini", seed=1)
    await engine.drain()


async def test_finding_7_deleting_a_session_deletes_its_events(tmp_path: Path) -> None:
    engine, _ = await booted(tmp_path)
    await engine.vote(KEY, "ann", choice=1)
    await engine.drain()
    assert (await engine.store.read(KEY, after=0)).events
    await engine.delete_session(KEY)
    assert (await engine.store.read(KEY, after=0)).events == ()


async def test_finding_7_old_games_and_their_media_are_retired(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path, games_per_session=2)
    await engine.drain()
    first = (await engine.snapshot(KEY)).game_id
    first_frames = [t.frame for t in await engine.history(KEY) if t.frame is not None]
    assert first_frames and await engine.media.exists(first_frames[0])
    for _ in range(3):
        clock.advance(60)
        await engine.reset(KEY)
        await engine.drain()
    games = [g for g in await engine.games() if g.session == KEY]
    assert len(games) == 2
    assert first not in {g.game_id for g in games}
    assert not await engine.media.exists(first_frames[0])
    other = SessionKey.parse("web:other")
    await engine.boot(other, "mini", seed=1)  # another session's games are its own
    await engine.drain()
    assert len([g for g in await engine.games() if g.session == KEY]) == 2
