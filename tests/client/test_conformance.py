"""One conformance suite, two transports: every scenario runs on the in-process
client and on the HTTP client talking to a real server (uvicorn on loopback),
and each step must answer — or fail — the same way on both, down to the message.

The scenarios are those of the core and multiplayer issues: boot, single-player
turns, votes and windows, the crown, the game lifecycle, errors, events; replay
tapes have theirs in ``test_tape_conformance.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from glitchcart.client import Client
from glitchcart.core.keys import SessionKey
from glitchcart.core.resolver import bound_session
from glitchcart.errors import (
    CartridgeNotFound,
    Conflict,
    Forbidden,
    GameNotFound,
    GameOver,
    IdempotencyMismatch,
    InvalidAction,
    InvalidInput,
    InvalidSessionKey,
    MediaNotFound,
    NoGameRunning,
    NoSessionResolved,
    PreconditionFailed,
    SessionMismatch,
    SessionNotFound,
    TurnResolving,
    WrongTurn,
)
from support.gated import GatedStore
from support.providers import GatedNarrator, PlainNarrator
from support.rigs import Rig, run_on_both, take
from support.transcripts import Transcript

A, B = "discord:100", "web:blue-fox"


async def open_turn(client: Client, key: str) -> int:
    """The turn a vote now decides (1 when no game runs: the vote fails on that)."""
    return (await client.snapshot(session=key)).voting_on or 1


async def test_boot_and_look(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        carts = await t.ok("cartridges", c.cartridges())
        assert [x.id for x in carts] == ["mini", "other"]
        first = await t.ok("boot", c.boot("mini", seed=1, session=A))
        assert first.turn == 0 and first.frame is not None and first.input.kind == "start"
        view = await t.ok("snapshot", c.snapshot(session=A))
        assert (view.phase, view.game_id, len(view.choices)) == ("ready", first.game_id, 3)
        await t.fails("boot over a game", c.boot("other", session=A), Conflict)
        await t.fails("no such cartridge", c.boot("nope", session=A), CartridgeNotFound)
        swapped = await t.ok("swap", c.boot("other", seed=2, swap=True, session=A))
        assert swapped.game_id != first.game_id
        png = await t.ok("frame", c.frame(swapped.frame))  # type: ignore[arg-type]
        assert png.startswith(b"\x89PNG")
        page = await t.ok("history", c.history(limit=1, session=A))
        assert [x.turn for x in page.items] == [0] and page.next_start is None
        fresh = await t.ok("regenerate", c.regenerate(session=A))
        assert fresh.choices != view.choices and fresh.version > view.version
        doc = await t.ok("export", c.export(session=A))
        assert doc.session.game_id == swapped.game_id and len(doc.history) == 1

    await run_on_both(tmp_path, scenario)


async def test_single_player_turns(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.ok("boot", c.boot("mini", seed=4, session=A))
        one = await t.ok("choose", c.choose(2, player="ann", session=A))
        assert one.turn == 1 and one.input.kind == "choice" and one.input.player == "ann"
        two = await t.ok("act", c.act("  look   around ", session=A))
        assert two.input.text == "look around"
        await t.ok("tick", c.tick(session=A))
        await t.fails("choice out of range", c.choose(7, session=A), InvalidAction)
        await t.fails("choice zero", c.choose(0, session=A), InvalidInput)
        await t.fails("empty action", c.act("   ", session=A), InvalidInput)
        await t.fails("too long", c.act("x" * 281, session=A), InvalidAction)
        await t.fails("control chars", c.act("hi\x07there", session=A), InvalidAction)
        version = (await c.snapshot(session=A)).version
        await t.fails(
            "stale If-Match",
            c.choose(1, expected_version=version - 1, session=A),
            PreconditionFailed,
        )
        now = await t.ok("current If-Match", c.choose(1, expected_version=version, session=A))
        assert now.turn == 4
        reset = await t.ok("reset", c.reset(session=A))
        assert reset.turn == 0 and reset.game_id != now.game_id

    await run_on_both(tmp_path, scenario)


async def test_votes_and_windows(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        await t.ok("join ann", c.join("ann", name="Ann", session=A))
        await t.ok("join bob", c.join("bob", session=A))
        opened = await t.ok(
            "ann votes", c.vote("ann", choice=2, turn=await open_turn(c, A), session=A)
        )
        assert not opened.closed and opened.deadline == r.clock.now() + 10
        view = await t.ok("window", c.snapshot(session=A))
        assert view.window is not None and [v.player for v in view.window.votes] == ["ann"]
        await t.fails("direct turn in a vote", c.choose(1, session=A), Conflict)
        closed = await t.ok(
            "bob votes", c.vote("bob", choice=3, turn=await open_turn(c, A), session=A)
        )
        assert closed.closed and closed.voters == 2
        await r.engine.drain()
        last = (await c.history(start=1, session=A)).items[-1]
        assert last.tally is not None and last.tally.reason == "all-voted"
        assert last.tally.tied == ["choice:2", "choice:3"]  # seeded, recorded tie-break
        await t.ok("after", c.snapshot(session=A))

        await t.ok(
            "ann proposes", c.vote("ann", action="hide", turn=await open_turn(c, A), session=A)
        )
        r.clock.advance(10)
        t.note("deadline", await r.engine.fire_deadline(SessionKey.parse(A)))
        await r.engine.drain()
        last = (await c.history(start=2, session=A)).items[-1]
        assert last.tally is not None and (last.tally.reason, last.tally.winner) == (
            "deadline",
            "action:hide",
        )

        first = await t.ok(
            "idempotent",
            c.vote("bob", choice=1, idempotency_key="k1", turn=await open_turn(c, A), session=A),
        )
        again = await t.ok(
            "repeat",
            c.vote("bob", choice=1, idempotency_key="k1", turn=await open_turn(c, A), session=A),
        )
        assert again == first
        await t.fails(
            "same key, other vote",
            c.vote("bob", choice=2, idempotency_key="k1", turn=await open_turn(c, A), session=A),
            IdempotencyMismatch,
        )
        await t.fails(
            "vetoed range",
            c.vote("bob", choice=9, turn=await open_turn(c, A), session=A),
            InvalidAction,
        )
        await t.fails(
            "both",
            c.vote("bob", choice=1, action="x", turn=await open_turn(c, A), session=A),
            InvalidInput,
        )
        await t.fails(
            "bad player",
            c.vote("b b", choice=1, turn=await open_turn(c, A), session=A),
            InvalidInput,
        )

    await run_on_both(tmp_path, scenario)


async def test_crown(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.ok("boot", c.boot("mini", seed=5, session=B))
        for p in ("ann", "bob", "cy"):
            await t.ok(f"join {p}", c.join(p, session=B))
        await t.ok("ann takes", c.take_crown("ann", session=B))
        await t.fails("bob takes", c.take_crown("bob", session=B), Forbidden)
        await t.ok("pass", c.pass_crown("ann", "bob", session=B))
        await t.fails("ann vetoes", c.veto("ann", 1, session=B), Forbidden)
        await t.ok("bob vetoes", c.veto("bob", 1, session=B))
        await t.fails(
            "vote vetoed",
            c.vote("cy", choice=1, turn=await open_turn(c, B), session=B),
            InvalidAction,
        )
        await t.ok("twist", c.twist("bob", "a storm rolls in", session=B))
        await t.fails("ann sets mode", c.set_mode("leader", player="ann", session=B), Forbidden)
        await t.ok("bob sets mode", c.set_mode("leader", player="bob", session=B))
        await t.fails("bad mode", c.set_mode("tyranny", player="bob", session=B), InvalidInput)
        forced = await t.ok("force", c.force("bob", choice=2, session=B))
        assert forced.closed
        await r.engine.drain()
        last = (await c.history(start=1, session=B)).items[0]
        assert last.twist == "a storm rolls in" and last.tally is not None
        assert last.tally.reason == "forced"
        view = await t.ok("look", c.snapshot(session=B))
        assert (view.crown, view.mode) == ("bob", "leader")
        await t.ok("drop", c.drop_crown("bob", session=B))
        await t.ok("grant", c.grant_crown("cy", crown_open=False, session=B))
        await t.ok("admin clears", c.grant_crown(None, session=B))
        await t.fails("closed crown", c.take_crown("ann", session=B), Forbidden)
        await t.fails("grant stranger", c.grant_crown("zed", session=B), InvalidInput)

    await run_on_both(tmp_path, scenario)


async def test_votes_name_their_turn_and_the_crown_guards_moves(tmp_path: Path) -> None:
    """Issue 11 (findings 2 and 3), the same through both transports."""

    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        first = await t.ok("boot", c.boot("mini", seed=2, session=A))
        for p in ("ann", "bob"):
            await t.ok(f"join {p}", c.join(p, session=A))
        late = await t.fails(
            "vote for turn 3", c.vote("ann", choice=1, turn=3, session=A), WrongTurn
        )
        assert isinstance(late, WrongTurn) and (late.turn, late.game_id) == (1, first.game_id)
        other_game = c.vote("ann", choice=1, turn=1, game_id="nosuchgame", session=A)
        await t.fails("vote of another game", other_game, WrongTurn)
        await t.ok("ann votes", c.vote("ann", choice=1, turn=1, game_id=first.game_id, session=A))
        await t.fails("regenerate over a vote", c.regenerate(player="bob", session=A), Conflict)
        assert len((await c.snapshot(session=A)).window.votes) == 1  # type: ignore[union-attr]
        await t.ok("ann takes the crown", c.take_crown("ann", session=A))
        await t.fails("bob resets", c.reset(player="bob", session=A), Forbidden)
        await t.fails("nobody resets", c.reset(session=A), Forbidden)
        await t.fails("bob configures", c.configure(video=True, player="bob", session=A), Forbidden)
        await t.ok("ann resets", c.reset(player="ann", session=A))
        await r.engine.drain()
        await t.fails("bob chooses", c.choose(1, player="bob", session=A), Forbidden)
        await t.ok("ann chooses", c.choose(1, player="ann", session=A))
        await t.fails("veto of turn 1", c.veto("ann", 1, turn=1, session=A), WrongTurn)
        await t.ok("veto of turn 2", c.veto("ann", 1, turn=2, session=A))
        await t.fails("force for turn 9", c.force("ann", choice=2, turn=9, session=A), WrongTurn)
        forced = await t.ok("force for turn 2", c.force("ann", choice=2, turn=2, session=A))
        assert forced.turn == 2 and forced.closed

    await run_on_both(tmp_path, scenario)


async def test_game_lifecycle(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        first = await t.ok("boot", c.boot("mini", seed=1, session=A))
        await t.ok("choose", c.choose(1, session=A))
        await t.fails("load while live elsewhere", c.load_game(first.game_id, session=B), Conflict)
        assert await t.ok("exit", c.exit(session=A)) == first.game_id
        await t.fails("exit again", c.exit(session=A), NoGameRunning)
        await t.fails(
            "vote in empty",
            c.vote("ann", choice=1, turn=await open_turn(c, A), session=A),
            NoGameRunning,
        )
        [saved] = await t.ok("games", c.games())
        assert (saved.game_id, saved.turn, saved.live) == (first.game_id, 1, False)
        await t.ok("load", c.load_game(first.game_id, session=B))
        history = (await t.ok("history", c.history(session=B))).items
        assert [x.frame.session for x in history if x.frame] == [B, B]
        assert first.frame is not None
        await t.fails("old ref", c.frame(first.frame, session=B), SessionMismatch)
        await t.ok("moved frame", c.frame(history[0].frame))  # type: ignore[arg-type]
        await t.fails("delete live", c.delete_game(first.game_id), Conflict)
        await t.ok("exit B", c.exit(session=B))
        await t.ok("delete", c.delete_game(first.game_id))
        assert await t.ok("no games", c.games()) == []
        await t.fails("delete again", c.delete_game(first.game_id), GameNotFound)
        await t.fails("bad game id", c.delete_game("../etc"), InvalidInput)

    await run_on_both(tmp_path, scenario)


async def test_errors_are_the_same_exceptions(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.fails("bad key", c.snapshot(session="web:../etc"), InvalidSessionKey)
        await t.fails("no session", c.snapshot(session="web:nobody"), SessionNotFound)
        await t.fails("no key at all", c.snapshot(), NoSessionResolved)
        with bound_session(A):
            await t.ok("bound boot", c.boot("mini", seed=9))
            view = await t.ok("bound look", c.snapshot())
        assert view.key == A
        await t.fails("bad frame name", c.frame("../../x.png", session=A), InvalidInput)
        await t.fails("no frame", c.frame("zz-00009.png", session=A), MediaNotFound)
        await t.fails("history limit", c.history(limit=0, session=A), InvalidInput)
        for n in range(30):  # the narrator hurts; the rules decide when it kills
            turn = await t.ok(f"turn {n}", c.choose(1, session=A))
            if not turn.state.alive:
                break
        assert not turn.state.alive
        await t.fails("dead", c.choose(1, session=A), GameOver)
        stream = c.events(session="web:nobody")
        await t.fails("events of nobody", anext(stream), SessionNotFound)

    await run_on_both(tmp_path, scenario, narrator=lambda: PlainNarrator(damage=50))


async def test_busy_turns_and_requests_in_flight(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c, narrator, store = r.client, r.engine.narrator, r.engine.store
        assert isinstance(narrator, GatedNarrator) and isinstance(store, GatedStore)
        await t.ok("boot", c.boot("mini", seed=2, session=A))
        turn = asyncio.create_task(c.choose(1, session=A))
        await narrator.entered.wait()
        await t.fails(
            "vote while resolving",
            c.vote("ann", choice=1, turn=await open_turn(c, A), session=A),
            TurnResolving,
        )
        narrator.gate.set()
        await turn
        store.armed = True
        first = asyncio.create_task(
            c.vote("ann", choice=1, idempotency_key="k", turn=await open_turn(c, A), session=A)
        )
        await store.entered.wait()
        await t.fails(
            "repeat in flight",
            c.vote("ann", choice=1, idempotency_key="k", turn=await open_turn(c, A), session=A),
            Conflict,
        )
        store.armed = False
        store.gate.set()
        receipt = await first
        assert receipt == await t.ok(
            "repeat after",
            c.vote("ann", choice=1, idempotency_key="k", turn=await open_turn(c, A), session=A),
        )

    await run_on_both(tmp_path, scenario, narrator=GatedNarrator, store=GatedStore)


async def test_events(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        await t.ok("join", c.join("bob", session=A))
        await t.ok("vote ann", c.vote("ann", choice=1, turn=await open_turn(c, A), session=A))
        await t.ok("vote bob", c.vote("bob", choice=2, turn=await open_turn(c, A), session=A))
        await r.engine.drain()
        await t.ok("crown", c.take_crown("ann", session=A))
        seen = await take(c.events(after=0, session=A), until="crown_moved")
        t.note("events", seen)
        kinds = [e.kind for e in seen]
        # commit order (issue 12 item 15): booted, then the first turn resolves
        assert kinds[:3] == ["game_booted", "turn_resolving", "narration"]
        assert sorted(kinds[3:5]) == ["choices_ready", "frame_ready"]  # written side by side
        assert kinds[5] == "choices"  # the commit: votes open
        assert {"vote_cast", "window_opened", "window_closed", "crown_moved"} <= set(kinds)
        assert [e.id for e in seen] == list(range(1, len(seen) + 1))
        resumed = await take(c.events(after=seen[4].id, session=A), until="choices")
        assert resumed[0].id == seen[4].id + 1 and resumed == seen[5:6]
        # live: subscribe from the last id, then act
        live = c.events(after=seen[-1].id, session=A)
        waiting = asyncio.create_task(take(live, until="crown_moved"))
        await t.ok("drop", c.drop_crown("ann", session=A))
        got = await asyncio.wait_for(waiting, 10)
        assert [(e.kind, e.data) for e in got] == [("crown_moved", {"holder": None, "from": "ann"})]

    await run_on_both(tmp_path, scenario)


def test_the_client_is_glitchcart_client() -> None:
    import glitchcart
    from glitchcart.client import Client, HttpTransport, InProcessTransport

    assert glitchcart.Client is Client
    assert (glitchcart.HttpTransport, glitchcart.InProcessTransport) == (
        HttpTransport,
        InProcessTransport,
    )
