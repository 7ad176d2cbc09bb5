"""The contract every SessionStore keeps; each store runs this same suite.

The tests talk to the store only through the ``SessionStore`` Protocol. To add a
store, add a factory to ``STORES``. Redis runs twice: on the server at
127.0.0.1:6379, and on a 3-master Redis Cluster the run starts on loopback ports.
The last section alone is about SQLite: it writes an older schema by hand and checks the upgrade.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from redis.asyncio import RedisCluster

from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.roster import Player
from glitchcart.core.session import GameRecord, PendingTurn, Phase, Receipt, SessionRecord
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.core.votes import Tally, Vote, VoteWindow, VotingMode
from glitchcart.errors import InvalidInput, StaleVersion, StorageError
from glitchcart.ports import GameSummary, SessionStore, SessionSummary
from support.redis_server import fresh_prefix, require_redis

STORES: dict[str, Callable[[Path], SessionStore]] = {
    "memory": lambda tmp: MemorySessionStore(),
    "sqlite": lambda tmp: SqliteSessionStore(tmp / "glitchcart.db"),
    "redis": lambda tmp: RedisSessionStore.from_url(require_redis(), prefix=fresh_prefix()),
}


@pytest.fixture(params=[*sorted(STORES), "redis-cluster"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SessionStore]:
    if request.param == "redis-cluster":  # every script in one slot: no CROSSSLOT anywhere
        ports = request.getfixturevalue("redis_cluster_ports")
        client = RedisCluster(host="127.0.0.1", port=ports[0], decode_responses=True)
        built: SessionStore = RedisSessionStore(client, prefix=fresh_prefix())
    else:
        built = STORES[request.param](tmp_path)
    yield built
    await built.close()


# ---------------------------------------------------------------- literal records

FOX = SessionKey("web", "Fox")
fox = SessionKey("web", "fox")
ALICE = SessionKey("cli", "alice")


def world(turn: int = 0, *, alive: bool = True) -> WorldState:
    return WorldState(
        turn=turn,
        location="platform",
        time_of_day="dusk",
        chaos=12,
        chaos_phase="uneasy",
        health=7 if alive else 0,
        max_health=10,
        injuries=("bruised rib",),
        inventory=("lamp", "rope"),
        flags=(("door", "open"), ("radio", "on")),
        recent_events=("arrived at the platform", "the lamp flickered"),
        seen=("platform", "signal box"),
        alive=alive,
        cause_of_death=None if alive else "wounds",
    )


def game(
    game_id: str = "g1", turn: int = 0, *, alive: bool = True, updated_at: float = 1_800_000_060.5
) -> GameRecord:
    return GameRecord(
        game_id=game_id,
        cartridge="dust-signal",
        seed=424242,
        opening=1,
        state=world(turn, alive=alive),
        choices=(
            Choice("Climb the signal box", "move", "signal box"),
            Choice("Listen to the radio", "search"),
        ),
        regenerations=2,
        created_at=1_800_000_000.25,
        updated_at=updated_at,
    )


def pending(turn: int = 1) -> PendingTurn:
    return PendingTurn(
        turn=turn,
        input=TurnInput(InputKind.ACTION, "pry the door open", "ada"),
        fate=Fate.UNLUCKY,
        turn_seed=99,
        closed_at=1_800_000_090.0,
    )


def session(
    key: SessionKey = ALICE,
    *,
    phase: Phase = Phase.READY,
    game_record: GameRecord | None = None,
    pending_turn: PendingTurn | None = None,
    version: int = 0,
    players: tuple[str, ...] = (),
) -> SessionRecord:
    return SessionRecord(
        key=key,
        version=version,
        phase=phase,
        game=game() if game_record is None and phase is not Phase.EMPTY else game_record,
        pending=pending_turn,
        roster=tuple(player(name) for name in players),
    )


def player(name: str, last_turn: int = 3) -> Player:
    return Player(f"id-{name.lower()}", name, 1_800_000_001.0, last_turn, 1_800_000_050.0)


def turn(game_id: str, number: int, narration: str = "The door gives way.") -> TurnRecord:
    return TurnRecord(
        game_id=game_id,
        turn=number,
        input=TurnInput(
            InputKind.CHOICE,
            "Climb the signal box",
            "ada",
            Choice("Climb the signal box", "move", "signal box"),
        ),
        fate=Fate.LUCKY,
        narration=narration,
        delta=StateDelta(damage=2, items_gained=("key",), flags=(("door", "open"),), event="x"),
        state=world(number),
        choices=(Choice("Run"), Choice("Hide", "hide")),
        frame=MediaRef(ALICE, "frame", f"{game_id}-{number:05d}.png"),
        turn_seed=1000 + number,
        created_at=1_800_000_100.0 + number,
        fallback=number % 2 == 1,
    )


async def turn_numbers(store: SessionStore, game_id: str, **kw: int) -> list[int]:
    return [t.turn for t in await store.history(game_id, **kw)]


# ---------------------------------------------------------------- load and create


async def test_absent_session_loads_as_none(store: SessionStore) -> None:
    assert await store.load(ALICE) is None
    assert await store.list_sessions() == []
    assert await store.history("g1") == []


async def test_create_with_expected_version_zero(store: SessionStore) -> None:
    saved = await store.commit(session(), expected_version=0)

    assert saved.version == 1
    assert await store.load(ALICE) == saved


async def test_create_twice_is_stale(store: SessionStore) -> None:
    first = await store.commit(session(), expected_version=0)

    with pytest.raises(StaleVersion):
        await store.commit(session(phase=Phase.OVER), expected_version=0)
    assert await store.load(ALICE) == first


async def test_commit_to_absent_session_with_nonzero_version_is_stale(
    store: SessionStore,
) -> None:
    with pytest.raises(StaleVersion):
        await store.commit(session(), expected_version=3, turns=[turn("g1", 0)])

    assert await store.load(ALICE) is None
    assert await store.history("g1") == []
    assert await store.list_sessions() == []


# ---------------------------------------------------------------- versions


async def test_version_rises_by_exactly_one_whatever_the_record_says(
    store: SessionStore,
) -> None:
    first = await store.commit(session(version=999), expected_version=0)
    second = await store.commit(session(version=-4), expected_version=1)
    third = await store.commit(session(version=2), expected_version=2)

    assert (first.version, second.version, third.version) == (1, 2, 3)
    loaded = await store.load(ALICE)
    assert loaded is not None and loaded.version == 3


@pytest.mark.parametrize("expected", [0, 1, 3, -1])
async def test_stale_commit_is_refused_and_writes_nothing(
    store: SessionStore, expected: int
) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0)])
    current = await store.commit(
        session(game_record=game("g1", 1)), expected_version=1, turns=[turn("g1", 1)]
    )
    summaries, games = await store.list_sessions(), await store.list_games()

    with pytest.raises(StaleVersion):
        await store.commit(
            session(phase=Phase.OVER, game_record=game("g1", 2, alive=False), players=("Ada",)),
            expected_version=expected,
            turns=[turn("g1", 2)],
        )

    assert await store.load(ALICE) == current
    assert await turn_numbers(store, "g1") == [0, 1]
    assert await store.list_sessions() == summaries
    assert await store.list_games() == games


async def test_commit_returns_what_load_returns(store: SessionStore) -> None:
    record = session(phase=Phase.RESOLVING, pending_turn=pending())

    saved = await store.commit(record, expected_version=0)

    assert saved == SessionRecord(ALICE, 1, Phase.RESOLVING, game(), pending())
    assert await store.load(ALICE) == saved


# ---------------------------------------------------------------- turns


async def test_turns_are_committed_with_the_record(store: SessionStore) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0)])
    await store.commit(
        session(game_record=game("g1", 1)), expected_version=1, turns=[turn("g1", 1)]
    )

    assert await store.history("g1") == [turn("g1", 0), turn("g1", 1)]


async def test_an_already_stored_turn_refuses_the_whole_commit(store: SessionStore) -> None:
    current = await store.commit(session(), expected_version=0, turns=[turn("g1", 1)])

    with pytest.raises(StaleVersion):
        await store.commit(
            session(phase=Phase.OVER),
            expected_version=1,
            turns=[turn("g1", 2), turn("g1", 1, "a second telling of turn one")],
        )

    assert await store.load(ALICE) == current
    assert await store.history("g1") == [turn("g1", 1)]


async def test_a_turn_given_twice_in_one_commit_refuses_it(store: SessionStore) -> None:
    with pytest.raises(StaleVersion):
        await store.commit(session(), expected_version=0, turns=[turn("g1", 0), turn("g1", 0)])

    assert await store.load(ALICE) is None
    assert await store.history("g1") == []


async def test_history_is_ordered_by_turn_with_start_and_limit(store: SessionStore) -> None:
    await store.commit(
        session(), expected_version=0, turns=[turn("g1", 2), turn("g1", 0), turn("g1", 1)]
    )
    await store.commit(session(), expected_version=1, turns=[turn("g1", 4), turn("g1", 3)])

    assert await turn_numbers(store, "g1") == [0, 1, 2, 3, 4]
    assert await turn_numbers(store, "g1", start=2) == [2, 3, 4]
    assert await turn_numbers(store, "g1", limit=2) == [0, 1]
    assert await turn_numbers(store, "g1", start=1, limit=2) == [1, 2]
    assert await turn_numbers(store, "g1", start=4, limit=10) == [4]
    assert await turn_numbers(store, "g1", start=5) == []
    assert await turn_numbers(store, "g1", limit=0) == []
    assert await turn_numbers(store, "g2") == []


async def test_a_negative_history_limit_is_invalid(store: SessionStore) -> None:
    with pytest.raises(InvalidInput):
        await store.history("g1", limit=-1)


# ---------------------------------------------------------------- list, delete


async def test_list_sessions_summarizes_every_session_in_key_order(
    store: SessionStore,
) -> None:
    await store.commit(session(FOX, phase=Phase.EMPTY), expected_version=0)
    await store.commit(
        session(ALICE, phase=Phase.RESOLVING, pending_turn=pending()), expected_version=0
    )
    await store.commit(session(ALICE, phase=Phase.RESOLVING), expected_version=1)
    dead = game("g9", 6, alive=False, updated_at=1_800_000_500.0)
    await store.commit(
        session(SessionKey("a1", "x"), phase=Phase.OVER, game_record=dead), expected_version=0
    )
    await store.commit(session(SessionKey("a", "x")), expected_version=0)

    summaries = await store.list_sessions()

    assert summaries == [
        SessionSummary(
            SessionKey("a", "x"), 1, "ready", "dust-signal", "g1", 0, True, 1_800_000_060.5
        ),
        SessionSummary(
            SessionKey("a1", "x"), 1, "over", "dust-signal", "g9", 6, False, 1_800_000_500.0
        ),
        SessionSummary(ALICE, 2, "resolving", "dust-signal", "g1", 0, True, 1_800_000_060.5),
        SessionSummary(FOX, 1, "empty", None, None, 0, True, 0.0),
    ]
    assert [s.key for s in summaries] == sorted(s.key for s in summaries)


async def test_summary_time_is_the_latest_time_in_the_record(store: SessionStore) -> None:
    await store.commit(session(pending_turn=pending()), expected_version=0)

    (summary,) = await store.list_sessions()

    assert summary.updated_at == 1_800_000_090.0  # the pending turn's close, after the game's


async def test_delete_removes_the_record_and_the_history_of_all_its_games(
    store: SessionStore,
) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0), turn("g1", 1)])
    await store.commit(
        session(game_record=game("g2")), expected_version=1, turns=[turn("g2", 0)]
    )  # a reset: a new game in the same session
    await store.commit(
        session(FOX, game_record=game("g3")), expected_version=0, turns=[turn("g3", 0)]
    )

    assert await store.delete(ALICE) is True

    assert await store.load(ALICE) is None
    assert await store.history("g1") == []
    assert await store.history("g2") == []
    assert [s.key for s in await store.list_sessions()] == [FOX]
    assert [g.game_id for g in await store.list_games()] == ["g3"]
    assert await turn_numbers(store, "g3") == [0]
    assert await store.delete(ALICE) is False


async def test_a_game_belongs_to_the_session_that_saved_it_last(store: SessionStore) -> None:
    await store.commit(session(ALICE, game_record=game("g1")), expected_version=0)
    await store.commit(session(ALICE, game_record=game("g2")), expected_version=1)
    await store.commit(
        session(FOX, game_record=game("g1")), expected_version=0, turns=[turn("g1", 1)]
    )  # a saved game loaded into another session

    await store.delete(ALICE)
    assert await turn_numbers(store, "g1") == [1]

    await store.delete(FOX)
    assert await store.history("g1") == []


async def test_a_deleted_session_starts_again_from_version_zero(store: SessionStore) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0)])
    await store.delete(ALICE)

    again = await store.commit(session(), expected_version=0, turns=[turn("g1", 0)])

    assert again.version == 1
    assert await turn_numbers(store, "g1") == [0]


async def test_delete_of_an_absent_session_is_false(store: SessionStore) -> None:
    assert await store.delete(ALICE) is False


# ---------------------------------------------------------------- round trip, isolation


async def test_records_round_trip_exactly(store: SessionStore) -> None:
    record = SessionRecord(
        key=SessionKey("discord", "1234567890"),
        version=0,
        phase=Phase.RESOLVING,
        game=game("g-round", 3),
        pending=PendingTurn(4, TurnInput(InputKind.TICK, "(time passes)"), None, 7, 1.5e9),
    )
    turns = [turn("g-round", 3), turn("g-round", 4, 'Ünïcode ☂ "quoted" \\ new\nline')]

    saved = await store.commit(record, expected_version=0, turns=turns)
    loaded = await store.load(record.key)

    assert loaded is not None
    assert loaded.to_dict() == {**record.to_dict(), "version": 1}
    assert loaded == saved
    history = await store.history("g-round")
    assert [t.to_dict() for t in history] == [t.to_dict() for t in turns]
    assert history == turns


async def test_records_with_every_field_set_round_trip_exactly(store: SessionStore) -> None:
    window = VoteWindow(
        turn=5,
        opened_at=1_800_000_070.0,
        deadline=1_800_000_100.0,
        votes=(
            Vote("id-ada", 2, None, 1_800_000_071.5),
            Vote("id-bo", None, "Sing to the ☂ radio", 1_800_000_072.0),
        ),
    )
    tally = Tally(
        VotingMode.LEADER,
        "leader",
        "choice:2",
        (("choice:2", 1), ("action:sing", 1)),
        (("id-ada", "choice:2"), ("id-bo", "action:sing")),
        ("choice:2", "action:sing"),
        0.25,
    )
    record = SessionRecord(
        key=FOX,
        version=0,
        phase=Phase.RESOLVING,
        game=game("g-full", 4),
        pending=replace(pending(5), tally=tally, twist="the radio knows her name"),
        mode=VotingMode.LEADER,
        roster=(player("Ada"), player("Bo éè", last_turn=1)),
        crown="id-ada",
        crown_open=False,
        window=window,
        vetoed=(1, 3),
        twist="a train with no driver",
        idle_deadline=1_800_000_600.0,
        paused=True,
        turn_counter=42,
        receipts=(
            Receipt("req-1", "fp-1", {"ok": True, "turn": 4, "text": 'née "x"'}),
            Receipt("req-2", "fp-2", {"nested": {"list": [1, 2.5, None]}}),
        ),
    )

    saved = await store.commit(record, expected_version=0)
    loaded = await store.load(FOX)

    assert loaded is not None
    assert loaded.to_dict() == {**record.to_dict(), "version": 1}
    assert loaded == saved == replace(record, version=1)
    again = await store.commit(loaded, expected_version=1)
    assert await store.load(FOX) == again == replace(record, version=2)
    (entry,) = await store.list_games()
    assert entry.players == ("Ada", "Bo éè")


async def test_awkward_text_and_numbers_round_trip_exactly(store: SessionStore) -> None:
    # A lone surrogate (from a badly cut chat message) is valid in a str but not in UTF-8.
    odd = '\ud800 cut \udfff, \u2028\u2029 \x00\x1f\x7f ☂ 😀 \\ "q" é'
    state = replace(world(2), location=odd, flags=((odd, odd),), seen=(odd,))
    record = SessionRecord(
        key=ALICE,
        version=0,
        phase=Phase.READY,
        game=replace(game("g-odd"), seed=2**70 + 1, state=state, created_at=5e-324),
        roster=(Player("id-odd", odd, 1e16, 2**40, 1.7976931348623157e308),),
        twist=odd,
        idle_deadline=1e-7,
        receipts=(Receipt("req", odd, {odd: [odd, -(2**65), 0.1, -0.0, math.inf, -math.inf]}),),
    )
    turns = [replace(turn("g-odd", 2, odd), state=state)]

    saved = await store.commit(record, expected_version=0, turns=turns)

    assert await store.load(ALICE) == saved == replace(record, version=1)
    assert await store.history("g-odd") == turns
    (entry,) = await store.list_games()
    assert entry.players == (odd,)
    loaded = await store.load_game("g-odd")
    assert loaded is not None and loaded[0] == record.game

    await store.commit(replace(record, idle_deadline=math.nan), expected_version=1)
    again = await store.load(ALICE)
    assert again is not None and again.idle_deadline is not None
    assert math.isnan(again.idle_deadline)


async def test_sessions_are_isolated(store: SessionStore) -> None:
    await store.commit(session(FOX, game_record=game("gF")), expected_version=0)
    lower = await store.commit(session(fox, game_record=game("gf")), expected_version=0)

    await store.commit(session(FOX, phase=Phase.OVER, game_record=game("gF")), expected_version=1)
    await store.commit(session(FOX, game_record=game("gF")), expected_version=2)
    with pytest.raises(StaleVersion):  # FOX's version means nothing to fox
        await store.commit(session(fox), expected_version=3)

    assert await store.load(fox) == lower
    loaded = await store.load(FOX)
    assert loaded is not None and loaded.version == 3
    await store.delete(FOX)
    assert await store.load(fox) == lower


# ---------------------------------------------------------------- saved games


def summary(
    game_id: str = "g1",
    key: SessionKey = ALICE,
    *,
    live: bool = True,
    turn: int = 0,
    alive: bool = True,
    players: tuple[str, ...] = (),
    updated_at: float = 1_800_000_060.5,
) -> GameSummary:
    return GameSummary(
        game_id, "dust-signal", key, live, turn, alive, players, 1_800_000_000.25, updated_at
    )


async def game_ids(store: SessionStore) -> list[str]:
    return [g.game_id for g in await store.list_games()]


async def test_there_are_no_saved_games_at_first(store: SessionStore) -> None:
    assert await store.list_games() == []
    assert await store.load_game("g1") is None


async def test_every_commit_saves_its_game_with_the_players(store: SessionStore) -> None:
    await store.commit(session(players=("Ada", "Bo")), expected_version=0)
    later = game("g1", 2, updated_at=1_800_000_070.0)
    await store.commit(
        session(game_record=later, players=("Ada", "Bo", "Cy ☂")), expected_version=1
    )

    expected = summary(turn=2, players=("Ada", "Bo", "Cy ☂"), updated_at=1_800_000_070.0)
    assert await store.list_games() == [expected]
    assert await store.load_game("g1") == (later, expected)


async def test_a_dead_game_is_saved_as_dead(store: SessionStore) -> None:
    await store.commit(
        session(phase=Phase.OVER, game_record=game("g1", 6, alive=False)), expected_version=0
    )

    assert await store.list_games() == [summary(turn=6, alive=False)]


async def test_games_are_listed_most_recently_played_first_ties_by_id(
    store: SessionStore,
) -> None:
    await store.commit(session(ALICE, game_record=game("gb", updated_at=5.0)), expected_version=0)
    await store.commit(session(FOX, game_record=game("gc", updated_at=7.0)), expected_version=0)
    await store.commit(session(fox, game_record=game("ga", updated_at=5.0)), expected_version=0)

    assert await game_ids(store) == ["gc", "ga", "gb"]

    await store.commit(session(ALICE, game_record=game("gb", updated_at=9.0)), expected_version=1)

    assert await game_ids(store) == ["gb", "gc", "ga"]


async def test_a_game_stays_saved_but_not_live_once_its_session_moves_on(
    store: SessionStore,
) -> None:
    await store.commit(
        session(game_record=game("g1"), players=("Ada",)),
        expected_version=0,
        turns=[turn("g1", 0)],
    )
    await store.commit(session(phase=Phase.EMPTY, players=("Ada", "Bo")), expected_version=1)

    g1 = summary("g1", live=False, players=("Ada",))  # as it was last saved
    assert await store.list_games() == [g1]
    assert await store.load_game("g1") == (game("g1"), g1)

    g2 = game("g2", updated_at=1_800_000_070.0)
    await store.commit(session(game_record=g2), expected_version=2)

    assert await store.list_games() == [summary("g2", updated_at=1_800_000_070.0), g1]
    assert await turn_numbers(store, "g1") == [0]


async def test_a_game_loaded_into_another_session_moves_there(store: SessionStore) -> None:
    await store.commit(session(ALICE, game_record=game("g1"), players=("Ada",)), expected_version=0)
    await store.commit(session(ALICE, phase=Phase.EMPTY), expected_version=1)
    moved = game("g1", 1, updated_at=1_800_000_080.0)

    await store.commit(session(FOX, game_record=moved, players=("Bo",)), expected_version=0)

    expected = summary("g1", FOX, turn=1, players=("Bo",), updated_at=1_800_000_080.0)
    assert await store.list_games() == [expected]
    assert await store.load_game("g1") == (moved, expected)


async def test_a_game_is_live_while_any_session_has_it_loaded(store: SessionStore) -> None:
    await store.commit(session(ALICE, game_record=game("g1")), expected_version=0)
    await store.commit(session(FOX, game_record=game("g1")), expected_version=0)
    await store.commit(session(FOX, game_record=game("g2")), expected_version=1)

    found = await store.load_game("g1")
    assert found is not None and (found[1].session, found[1].live) == (FOX, True)  # ALICE has it

    await store.commit(session(ALICE, phase=Phase.EMPTY), expected_version=1)

    found = await store.load_game("g1")
    assert found is not None and (found[1].session, found[1].live) == (FOX, False)
    assert [(g.game_id, g.live) for g in await store.list_games()] == [("g1", False), ("g2", True)]


async def test_delete_game_removes_it_and_its_history_only(store: SessionStore) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0), turn("g1", 1)])
    current = await store.commit(
        session(game_record=game("g2")), expected_version=1, turns=[turn("g2", 0)]
    )

    assert await store.delete_game("g1") is True

    assert await store.load_game("g1") is None
    assert await store.history("g1") == []
    assert await game_ids(store) == ["g2"]
    assert await turn_numbers(store, "g2") == [0]
    assert await store.load(ALICE) == current
    assert await store.delete_game("g1") is False
    assert await store.delete_game("g-never") is False


async def test_the_store_deletes_a_live_game_and_its_next_commit_saves_it_again(
    store: SessionStore,
) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0)])

    assert await store.delete_game("g1") is True  # refusing is the service's job

    assert await store.list_games() == []
    await store.commit(session(), expected_version=1, turns=[turn("g1", 1)])
    assert await store.list_games() == [summary()]
    assert await turn_numbers(store, "g1") == [1]


async def test_rewrite_history_replaces_the_given_turns(store: SessionStore) -> None:
    current = await store.commit(
        session(), expected_version=0, turns=[turn("g1", 0), turn("g1", 1), turn("g1", 2)]
    )
    moved = [
        replace(turn("g1", n), frame=MediaRef(FOX, "frame", f"g1-{n:05d}.png")) for n in (2, 0)
    ]

    await store.rewrite_history("g1", moved)

    assert await store.history("g1") == [moved[1], turn("g1", 1), moved[0]]
    assert await store.load(ALICE) == current
    assert await store.list_games() == [summary()]
    await store.rewrite_history("g1", [])
    assert await store.history("g1") == [moved[1], turn("g1", 1), moved[0]]


async def test_rewriting_a_turn_that_is_not_stored_changes_nothing(store: SessionStore) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0), turn("g1", 1)])
    before = await store.history("g1")

    with pytest.raises(StorageError, match="not stored"):
        await store.rewrite_history("g1", [turn("g1", 0, "retold"), turn("g1", 5, "never told")])
    with pytest.raises(StorageError, match="not stored"):
        await store.rewrite_history("g2", [turn("g2", 0)])

    assert await store.history("g1") == before
    assert await store.history("g2") == []


async def test_rewriting_a_turn_of_another_game_is_invalid_and_changes_nothing(
    store: SessionStore,
) -> None:
    await store.commit(session(), expected_version=0, turns=[turn("g1", 0), turn("g2", 0)])

    with pytest.raises(InvalidInput):
        await store.rewrite_history("g1", [turn("g1", 0, "retold"), turn("g2", 0, "retold")])

    assert await store.history("g1") == [turn("g1", 0)]
    assert await store.history("g2") == [turn("g2", 0)]


# ---------------------------------------------------------------- concurrency


@pytest.mark.parametrize("with_turns", [False, True], ids=["record", "record+turn"])
async def test_concurrent_commits_of_one_version_exactly_one_wins(
    store: SessionStore, with_turns: bool
) -> None:
    current = await store.commit(session(), expected_version=0)
    tasks = 16
    barrier = asyncio.Barrier(tasks)

    async def contender(i: int) -> SessionRecord:
        record = session(game_record=game("g1", 1, updated_at=float(i)))
        await barrier.wait()
        return await store.commit(
            record,
            expected_version=current.version,
            turns=[turn("g1", 1, f"told by {i}")] if with_turns else (),
        )

    results = await asyncio.gather(*(contender(i) for i in range(tasks)), return_exceptions=True)

    winners = [i for i, r in enumerate(results) if isinstance(r, SessionRecord)]
    assert len(winners) == 1
    (winner,) = winners
    assert all(isinstance(r, StaleVersion) for i, r in enumerate(results) if i != winner)
    assert await store.load(ALICE) == results[winner]
    loaded = await store.load(ALICE)
    assert loaded is not None and loaded.version == 2
    if with_turns:
        (told,) = await store.history("g1")
        assert told.narration == f"told by {winner}"


# ---------------------------------------------------------------- lifecycle


async def test_a_closed_store_refuses_use_and_closes_again_quietly(
    store: SessionStore,
) -> None:
    await store.close()

    with pytest.raises(StorageError):
        await store.load(ALICE)
    with pytest.raises(StorageError):
        await store.commit(session(), expected_version=0)
    with pytest.raises(StorageError):
        await store.list_games()
    with pytest.raises(StorageError):
        await store.load_game("g1")
    with pytest.raises(StorageError):
        await store.delete_game("g1")
    with pytest.raises(StorageError):
        await store.rewrite_history("g1", [turn("g1", 0)])
    await store.close()


# ---------------------------------------------------------------- SQLite only: schema upgrades

V1_SCHEMA = (
    """CREATE TABLE sessions (
        key TEXT PRIMARY KEY, version INTEGER NOT NULL, game_id TEXT, cartridge TEXT,
        phase TEXT, turn INTEGER, alive INTEGER, updated_at REAL, data TEXT NOT NULL)""",
    """CREATE TABLE turns (
        game_id TEXT, turn INTEGER, data TEXT NOT NULL, PRIMARY KEY (game_id, turn))""",
    """CREATE TABLE games (
        game_id TEXT PRIMARY KEY, session_key TEXT, cartridge TEXT, turn INTEGER,
        alive INTEGER, updated_at REAL, data TEXT NOT NULL)""",
    "CREATE INDEX games_by_session ON games (session_key)",
)


def write_v1(path: Path, records: list[SessionRecord], games: list[tuple[GameRecord, str]]) -> None:
    """A database as glitchcart wrote it at schema version 1."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for statement in V1_SCHEMA:
            conn.execute(statement)
        for r in records:
            g = r.game
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *(str(r.key), r.version, g and g.game_id, g and g.cartridge, r.phase.value),
                    *(g.state.turn if g else 0, g.state.alive if g else True),
                    *(g.updated_at if g else 0.0, json.dumps(r.to_dict())),
                ),
            )
        for g, owner in games:
            conn.execute(
                "INSERT INTO games VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    *(g.game_id, owner, g.cartridge, g.state.turn, g.state.alive),
                    *(g.updated_at, json.dumps(g.to_dict())),
                ),
            )
        conn.execute(
            "INSERT INTO turns VALUES (?, ?, ?)", ("g1", 0, json.dumps(turn("g1", 0).to_dict()))
        )
        conn.execute("PRAGMA user_version = 1")


def games_columns(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA table_info(games)").fetchall()


async def test_a_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    alice = session(ALICE, game_record=game("g1", 2), players=("Ada", "Bo"), version=1)
    fox_game = game("g0", updated_at=1_800_000_010.0)
    gone = session(FOX, phase=Phase.EMPTY, players=("Cy",), version=4)  # has moved on from g0
    write_v1(path, [alice, gone], [(game("g1", 2), "cli:alice"), (fox_game, "web:Fox")])

    store = SqliteSessionStore(path)
    try:
        assert await store.list_games() == [
            summary("g1", turn=2, players=("Ada", "Bo")),
            summary("g0", FOX, live=False, updated_at=1_800_000_010.0),
        ]
        assert await store.load(ALICE) == alice
        assert await store.history("g1") == [turn("g1", 0)]
        saved = await store.commit(
            replace(alice, roster=(player("Ada"),)), expected_version=1, turns=[turn("g1", 1)]
        )
        assert saved.version == 2
        assert (await store.list_games())[0] == summary("g1", turn=2, players=("Ada",))
    finally:
        await store.close()

    fresh = tmp_path / "fresh.db"
    await SqliteSessionStore(fresh).close()
    assert games_columns(path) == games_columns(fresh)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)  # v3: the event log, leases

    again = SqliteSessionStore(path)  # opening an upgraded database changes nothing
    try:
        assert [g.players for g in await again.list_games()] == [("Ada",), ()]
    finally:
        await again.close()


async def test_an_unreadable_row_does_not_block_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    write_v1(path, [], [(game("g1"), "cli:alice")])
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("UPDATE games SET data = '{not json'")

    store = SqliteSessionStore(path)
    try:
        (entry,) = await store.list_games()
        assert (entry.players, entry.created_at, entry.live) == ((), 0.0, False)
        with pytest.raises(StorageError, match="corrupt"):
            await store.load_game("g1")
    finally:
        await store.close()
