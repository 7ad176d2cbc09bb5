import asyncio
from pathlib import Path

import pytest

from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.session import Phase
from glitchcart.core.turn import InputKind
from glitchcart.errors import (
    GameOver,
    InvalidAction,
    SessionMismatch,
    SessionNotFound,
    TurnResolving,
)
from glitchcart.ports import Event, PaintRequest
from support.cartridges import mini_cartridge
from support.engines import Cartridges, make_engine
from support.providers import (
    BrokenNarrator,
    BrokenPainter,
    GatedNarrator,
    PlainNarrator,
    TinyPainter,
)

KEY = SessionKey.parse("cli:alice")
OTHER = SessionKey.parse("cli:bob")


async def test_start_commits_the_prologue_with_frame_and_choices(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    first = await engine.start(KEY, "mini", seed=3)
    assert (first.turn, first.input.kind, first.fate) == (0, InputKind.START, None)
    assert first.narration == "prologue at hall"
    assert len(first.choices) == 3
    assert first.frame == MediaRef(KEY, "frame", "g1-00000.png")
    assert await engine.media.exists(first.frame)
    snap = await engine.snapshot(KEY)
    assert (snap.phase, snap.version, snap.state and snap.state.turn) == (Phase.READY, 2, 0)


async def test_choose_advances_one_turn_and_records_it(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    first = await engine.start(KEY, "mini", seed=3)
    second = await engine.choose(KEY, 2, player="alice")
    assert second.turn == 1
    assert second.input.text == first.choices[1].text
    assert second.input.player == "alice"
    assert second.fate in set(Fate)
    assert [t.turn for t in await engine.history(KEY)] == [0, 1]
    assert (await engine.snapshot(KEY)).choices == second.choices


@pytest.mark.parametrize("bad", [0, 4, -1, True])
async def test_choice_out_of_range_changes_nothing(tmp_path: Path, bad: int) -> None:
    engine = make_engine(tmp_path)
    await engine.start(KEY, "mini", seed=3)
    before = await engine.store.load(KEY)
    with pytest.raises(InvalidAction):
        await engine.choose(KEY, bad)
    assert await engine.store.load(KEY) == before


@pytest.mark.parametrize("text", ["", "   ", "x" * 281, "bad\x00text", "bell\x07"])
async def test_bad_action_is_refused_and_changes_nothing(tmp_path: Path, text: str) -> None:
    engine = make_engine(tmp_path)
    await engine.start(KEY, "mini", seed=3)
    before = await engine.store.load(KEY)
    with pytest.raises(InvalidAction):
        await engine.act(KEY, text)
    assert await engine.store.load(KEY) == before


async def test_free_action_is_recorded_as_intent(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    await engine.start(KEY, "mini", seed=3)
    turn = await engine.act(KEY, "  climb   the wall ")
    assert (turn.input.kind, turn.input.text) == (InputKind.ACTION, "climb the wall")


async def test_hesitation_rolls_fate_and_stays_put(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, narrator=PlainNarrator(damage=2))
    await engine.start(KEY, "mini", seed=3)
    turn = await engine.hesitate(KEY)
    assert turn.input.kind is InputKind.HESITATE and turn.fate is not None
    assert turn.state.location == "hall"


async def test_tick_passes_time_without_a_roll(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, narrator=PlainNarrator(damage=5))
    await engine.start(KEY, "mini", seed=3)
    turn = await engine.tick(KEY)
    assert (turn.input.kind, turn.fate, turn.state.health) == (InputKind.TICK, None, 10)


async def test_regenerate_offers_new_choices_for_the_same_turn(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    first = await engine.start(KEY, "mini", seed=3)
    snap = await engine.regenerate(KEY)
    assert snap.choices != first.choices
    assert snap.state is not None and snap.state.turn == 0


async def test_death_ends_the_run_until_reset(tmp_path: Path) -> None:
    doomed = mini_cartridge(fate={"lucky": 0.0, "normal": 0.0, "unlucky": 1.0})
    engine = make_engine(tmp_path, narrator=PlainNarrator(damage=99), cartridges=Cartridges(doomed))
    await engine.start(KEY, "mini", seed=1)
    turns = [await engine.choose(KEY, 1) for _ in range(3)]
    assert [t.state.health for t in turns] == [7, 4, 1]
    last = await engine.choose(KEY, 1)
    assert (last.state.alive, last.choices) == (False, ())
    assert (await engine.snapshot(KEY)).phase is Phase.OVER
    for move in (engine.choose(KEY, 1), engine.act(KEY, "run"), engine.hesitate(KEY)):
        with pytest.raises(GameOver):
            await move
    again = await engine.reset(KEY)
    assert again.state.alive and again.turn == 0 and again.game_id != last.game_id


async def test_a_failing_narrator_falls_back_without_error_text(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, narrator=BrokenNarrator())
    first = await engine.start(KEY, "mini", seed=3)
    assert first.narration == "You wake." and first.fallback
    turn = await engine.choose(KEY, 1)
    assert turn.fallback and "HTTP" not in turn.narration and "Traceback" not in turn.narration
    assert len(turn.choices) == 3
    assert (await engine.snapshot(KEY)).phase is Phase.READY


async def test_a_failing_painter_leaves_no_frame_but_commits(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, painter=BrokenPainter())
    first = await engine.start(KEY, "mini", seed=3)
    assert first.frame is None
    assert (await engine.choose(KEY, 1)).turn == 1


async def test_missing_session_and_no_game(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    with pytest.raises(SessionNotFound):
        await engine.choose(KEY, 1)
    with pytest.raises(SessionNotFound):
        await engine.reset(KEY)
    with pytest.raises(SessionNotFound):
        await engine.delete_session(KEY)


async def test_frame_of_another_session_is_refused(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    a = await engine.start(KEY, "mini", seed=3)
    await engine.start(OTHER, "mini", seed=3)
    assert a.frame is not None
    assert await engine.frame(KEY, a.frame)
    with pytest.raises(SessionMismatch):
        await engine.frame(OTHER, a.frame)


async def test_concurrent_moves_advance_exactly_once(tmp_path: Path) -> None:
    narrator = GatedNarrator()
    engine = make_engine(tmp_path, narrator=narrator)
    await engine.start(KEY, "mini", seed=3)
    first = asyncio.create_task(engine.choose(KEY, 1))
    await narrator.entered.wait()
    for move in (engine.choose(KEY, 2), engine.act(KEY, "run"), engine.tick(KEY)):
        with pytest.raises(TurnResolving):
            await move
    narrator.gate.set()
    assert (await first).turn == 1
    assert [t.turn for t in await engine.history(KEY)] == [0, 1]


async def test_a_turn_left_resolving_is_finished_once_by_the_next_engine(tmp_path: Path) -> None:
    narrator = GatedNarrator()
    engine = make_engine(tmp_path, narrator=narrator)
    await engine.start(KEY, "mini", seed=3)
    dying = asyncio.create_task(engine.choose(KEY, 1))
    await narrator.entered.wait()
    dying.cancel()  # the process "dies" mid-turn, after the close was committed
    with pytest.raises(asyncio.CancelledError):
        await dying
    assert (await engine.store.load(KEY)).phase is Phase.RESOLVING  # type: ignore[union-attr]

    restarted = make_engine(tmp_path, store=engine.store)
    recovered = await restarted.recover(KEY)
    assert recovered is not None and recovered.turn == 1
    assert await restarted.recover(KEY) is None
    assert [t.turn for t in await restarted.history(KEY)] == [0, 1]
    assert (await restarted.choose(KEY, 1)).turn == 2


async def test_players_who_join_while_a_turn_resolves_keep_their_seats(tmp_path: Path) -> None:
    narrator = GatedNarrator()
    engine = make_engine(tmp_path, narrator=narrator)
    await engine.start(KEY, "mini", seed=3)
    turn = asyncio.create_task(engine.choose(KEY, 1, player="alice"))
    await narrator.entered.wait()
    await engine.join(KEY, "carol")  # a commit between the close and the turn's commit
    await engine.take_crown(KEY, "carol")
    narrator.gate.set()
    assert (await turn).turn == 1
    snap = await engine.snapshot(KEY)
    assert snap.phase is Phase.READY and snap.crown == "carol"
    assert [p.id for p in snap.roster] == ["carol"]
    assert [t.turn for t in await engine.history(KEY)] == [0, 1]


async def test_choices_are_shown_while_the_picture_is_painted_and_voted_on_after(
    tmp_path: Path,
) -> None:
    class SlowPainter(TinyPainter):
        def __init__(self) -> None:
            self.gate = asyncio.Event()

        async def paint(self, request: PaintRequest) -> bytes:
            await self.gate.wait()
            return await super().paint(request)

    painter = SlowPainter()
    engine = make_engine(tmp_path, painter=painter)
    engine.events = LogEventBus(engine.store)
    painter.gate.set()
    await engine.start(KEY, "mini", seed=3)
    painter.gate.clear()
    seen: list[Event] = []

    async def watch() -> None:
        async for event in engine.events.subscribe(KEY):  # type: ignore[union-attr]
            seen.append(event)
            if event.kind == "choices_ready":
                assert (await engine.snapshot(KEY)).phase is Phase.RESOLVING  # not votable yet
                painter.gate.set()
            if event.kind == "choices":
                return

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0)
    turn = await asyncio.wait_for(engine.choose(KEY, 1), 30)  # hangs if never shown early
    await asyncio.wait_for(watcher, 30)
    kinds = [e.kind for e in seen]
    assert kinds.index("choices_ready") < kinds.index("frame_ready") < kinds.index("choices")
    shown = next(e for e in seen if e.kind == "choices_ready").data
    assert shown["turn"] == turn.turn
    assert shown["choices"] == [c.to_dict() for c in turn.choices]
