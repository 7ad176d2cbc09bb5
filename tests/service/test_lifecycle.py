from pathlib import Path

import pytest

from glitchcart.adapters.clock import ManualClock
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.session import Phase
from glitchcart.errors import Conflict, GameNotFound, NoGameRunning, SessionMismatch
from support.cartridges import mini_cartridge
from support.engines import Cartridges, make_engine

A = SessionKey.parse("discord:1")
B = SessionKey.parse("web:two")
CARTS = Cartridges(mini_cartridge(), mini_cartridge(id="other", title="Other"))


async def test_boot_refuses_over_a_running_game_unless_swapping(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, cartridges=CARTS)
    first = await engine.boot(A, "mini", seed=1)
    with pytest.raises(Conflict):
        await engine.boot(A, "other")
    await engine.vote(A, "ann", choice=1)
    await engine.drain()
    swapped = await engine.hot_swap(A, "other", seed=2)
    snap = await engine.snapshot(A)
    assert (snap.cartridge, snap.game_id) == ("other", swapped.game_id)
    assert [p.id for p in snap.roster] == ["ann"]  # same roster
    games = {g.game_id: g for g in await engine.games()}
    assert games[first.game_id].turn == 1 and not games[first.game_id].live
    assert games[swapped.game_id].live and games[first.game_id].players == ("ann",)


async def test_exit_saves_and_ejects(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, cartridges=CARTS)
    first = await engine.boot(A, "mini", seed=1)
    await engine.choose(A, 1)
    assert await engine.exit(A) == first.game_id
    snap = await engine.snapshot(A)
    assert (snap.phase, snap.game_id) == (Phase.EMPTY, None)
    with pytest.raises(NoGameRunning):
        await engine.vote(A, "ann", choice=1)
    with pytest.raises(NoGameRunning):
        await engine.exit(A)
    [saved] = await engine.games()
    assert (saved.game_id, saved.turn, saved.alive, saved.live) == (first.game_id, 1, True, False)
    await engine.boot(A, "other")  # no game running: no swap needed


async def test_load_a_saved_game_into_the_same_session(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, cartridges=CARTS)
    first = await engine.boot(A, "mini", seed=1)
    step = await engine.choose(A, 2)
    await engine.hot_swap(A, "other")
    with pytest.raises(Conflict):
        await engine.load_game(A, first.game_id)
    await engine.load_game(A, first.game_id, swap=True)
    snap = await engine.snapshot(A)
    assert (snap.game_id, snap.state, snap.choices) == (first.game_id, step.state, step.choices)
    assert (await engine.choose(A, 1)).turn == 2


async def test_load_into_another_session_moves_its_pictures(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, cartridges=CARTS)
    first = await engine.boot(A, "mini", seed=1)
    await engine.choose(A, 1)
    with pytest.raises(Conflict):
        await engine.load_game(B, first.game_id)  # still running in A
    await engine.exit(A)
    await engine.load_game(B, first.game_id)
    history = await engine.history(B)
    assert [t.turn for t in history] == [0, 1]
    for turn in history:
        assert turn.frame is not None and turn.frame.session == B
        assert await engine.frame(B, turn.frame)
    old = MediaRef(A, "frame", f"{first.game_id}-00000.png")
    assert not await engine.media.exists(old)
    with pytest.raises(SessionMismatch):
        await engine.frame(A, history[0].frame)  # type: ignore[arg-type]
    [saved] = await engine.games()
    assert (saved.session, saved.live) == (B, True)


async def test_delete_a_saved_game(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, cartridges=CARTS)
    first = await engine.boot(A, "mini", seed=1)
    with pytest.raises(Conflict):
        await engine.delete_game(first.game_id)
    await engine.hot_swap(A, "other")
    await engine.delete_game(first.game_id)
    assert first.game_id not in {g.game_id for g in await engine.games()}
    assert first.frame is not None and not await engine.media.exists(first.frame)
    with pytest.raises(GameNotFound):
        await engine.delete_game(first.game_id)
    with pytest.raises(GameNotFound):
        await engine.load_game(A, "../../etc")


async def test_saved_games_survive_a_new_engine(tmp_path: Path) -> None:
    clock = ManualClock()
    engine = make_engine(tmp_path, cartridges=CARTS, clock=clock)
    first = await engine.boot(A, "mini", seed=1)
    await engine.exit(A)
    again = make_engine(tmp_path, cartridges=CARTS, clock=clock, store=engine.store)
    assert [g.game_id for g in await again.games()] == [first.game_id]
