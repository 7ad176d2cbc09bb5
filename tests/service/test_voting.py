from pathlib import Path

import pytest

from glitchcart.adapters.clock import ManualClock
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import Tier
from glitchcart.core.session import Phase
from glitchcart.core.turn import InputKind
from glitchcart.core.votes import VotingMode
from glitchcart.errors import (
    Conflict,
    Forbidden,
    GameOver,
    IdempotencyMismatch,
    InvalidAction,
    TurnResolving,
)
from glitchcart.service.engine import Engine
from support.engines import make_engine
from support.providers import GatedNarrator

KEY = SessionKey.parse("discord:100")


async def booted(tmp_path: Path, **kw: object) -> tuple[Engine, ManualClock]:
    clock = ManualClock()
    engine = make_engine(tmp_path, clock=clock, **kw)  # type: ignore[arg-type]
    await engine.boot(KEY, "mini", seed=1)
    return engine, clock


async def play_round(engine: Engine, clock: ManualClock, *votes: tuple[str, int]) -> None:
    """Everyone in ``votes`` votes; if the window is still open, its deadline passes."""
    closed = False
    for player, choice in votes:
        closed = (await engine.vote(KEY, player, choice=choice)).closed
        if closed:
            await engine.drain()
    if not closed:
        clock.advance(10)
        assert await engine.fire_deadline(KEY) == "closed"
    await engine.drain()


async def seat(engine: Engine, clock: ManualClock, *players: str) -> None:
    """Make ``players`` known and active, ending on a fresh turn with no window."""
    await play_round(engine, clock, *((p, 1) for p in players))


async def test_first_vote_opens_a_window_with_an_absolute_deadline(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    receipt = await engine.vote(KEY, "ann", choice=2, name="Ann")
    assert (receipt.turn, receipt.closed, receipt.deadline) == (1, True, None)  # only voter
    await engine.drain()
    r2 = await engine.vote(KEY, "bob", choice=1)  # bob joins; ann has not voted yet
    assert (r2.turn, r2.closed, r2.deadline) == (2, False, clock.now() + 10)
    snap = await engine.snapshot(KEY)
    assert snap.window is not None and snap.window.deadline == clock.now() + 10
    assert [(p.id, p.name) for p in snap.roster] == [("ann", "Ann"), ("bob", "bob")]
    assert (await engine.vote(KEY, "ann", choice=1)).closed


async def test_window_closes_at_the_deadline_with_the_tally_recorded(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "ann", "bob")
    await engine.vote(KEY, "ann", choice=3)
    await engine.vote(KEY, "ann", choice=2)  # changed her mind
    assert await engine.fire_deadline(KEY) == "nothing"
    clock.advance(10)
    assert await engine.fire_deadline(KEY) == "closed"
    assert await engine.fire_deadline(KEY) == "nothing"  # never twice
    await engine.drain()
    turn = (await engine.history(KEY))[-1]
    assert turn.tally is not None
    assert (turn.tally.reason, turn.tally.winner, turn.tally.ballots) == (
        "deadline",
        "choice:2",
        (("ann", "choice:2"),),
    )
    assert turn.input.player == "ann"


async def test_early_close_when_every_active_player_voted(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "a", "b", "c")
    assert not (await engine.vote(KEY, "a", choice=2)).closed
    assert not (await engine.vote(KEY, "b", choice=3)).closed
    last = await engine.vote(KEY, "c", choice=3)
    assert last.closed
    await engine.drain()
    turn = (await engine.history(KEY))[-1]
    assert turn.tally and (turn.tally.reason, turn.tally.winner) == ("all-voted", "choice:3")


async def test_dormant_players_do_not_hold_the_window_open(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "sleepy")
    clock.advance(2 * 3600)
    for _ in range(6):  # sleepy falls to dormant (6 turns, 2 hours)
        await play_round(engine, clock, ("ann", 1))
    snap = await engine.snapshot(KEY)
    tiers = {p.id: p.tier for p in snap.roster}
    assert tiers == {"sleepy": Tier.DORMANT, "ann": Tier.ACTIVE}
    assert (await engine.vote(KEY, "ann", choice=2)).closed


async def test_tie_break_is_seeded_and_recorded(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "a", "b")
    await engine.vote(KEY, "a", choice=1)
    await engine.vote(KEY, "b", choice=2)
    await engine.drain()
    turn = (await engine.history(KEY))[-1]
    assert turn.tally and turn.tally.tied == ("choice:1", "choice:2")
    assert turn.tally.roll is not None and 0 <= turn.tally.roll < 1


async def test_free_action_proposals_are_votes(tmp_path: Path) -> None:
    engine, _ = await booted(tmp_path)
    await engine.vote(KEY, "a", action="climb the fence")
    await engine.drain()
    turn = (await engine.history(KEY))[-1]
    assert (turn.input.kind, turn.input.text) == (InputKind.ACTION, "climb the fence")


async def test_anarchy_resolves_on_the_first_vote(tmp_path: Path) -> None:
    clock = ManualClock()
    engine = make_engine(tmp_path, clock=clock)
    await engine.boot(KEY, "mini", seed=1, mode=VotingMode.ANARCHY)
    for p in ("a", "b", "c"):
        await engine.vote(KEY, p, choice=1)
        await engine.drain()
    assert (await engine.vote(KEY, "b", choice=3)).closed
    await engine.drain()
    assert (await engine.history(KEY))[-1].tally.reason == "anarchy"  # type: ignore[union-attr]


async def test_leader_mode_closes_when_the_crown_votes(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await engine.take_crown(KEY, "king")
    await engine.set_mode(KEY, VotingMode.LEADER, player="king")
    await seat(engine, clock, "a", "b")
    await engine.vote(KEY, "a", choice=1)
    await engine.vote(KEY, "b", choice=1)
    assert (await engine.vote(KEY, "king", choice=3)).closed
    await engine.drain()
    tally = (await engine.history(KEY))[-1].tally
    assert tally and (tally.reason, tally.winner) == ("leader", "choice:3")


async def test_crown_powers_belong_to_the_holder_only(tmp_path: Path) -> None:
    engine, _ = await booted(tmp_path)
    await engine.take_crown(KEY, "ann")
    with pytest.raises(Forbidden):
        await engine.take_crown(KEY, "bob")
    await engine.vote(KEY, "bob", choice=1)
    await engine.drain()
    for op in (
        engine.veto(KEY, "bob", 1),
        engine.twist(KEY, "bob", "the lights die"),
        engine.force(KEY, "bob", choice=1),
        engine.pass_crown(KEY, "bob", "bob"),
        engine.drop_crown(KEY, "bob"),
        engine.set_mode(KEY, VotingMode.ANARCHY, player="bob"),
    ):
        with pytest.raises(Forbidden):
            await op
    await engine.pass_crown(KEY, "ann", "bob")
    assert (await engine.snapshot(KEY)).crown == "bob"
    await engine.drop_crown(KEY, "bob")
    assert (await engine.snapshot(KEY)).crown is None


async def test_veto_twist_and_force(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await engine.take_crown(KEY, "ann")
    await seat(engine, clock, "ann", "bob")
    await engine.vote(KEY, "bob", choice=1)
    await engine.veto(KEY, "ann", 1)
    snap = await engine.snapshot(KEY)
    assert snap.vetoed == (1,) and snap.window is not None and snap.window.votes == ()
    with pytest.raises(InvalidAction):
        await engine.vote(KEY, "bob", choice=1)
    await engine.veto(KEY, "ann", 2)
    with pytest.raises(InvalidAction):
        await engine.veto(KEY, "ann", 3)  # one choice must stay open
    await engine.twist(KEY, "ann", "a bell rings somewhere")
    receipt = await engine.force(KEY, "ann", choice=3)
    assert receipt.closed
    await engine.drain()
    turn = (await engine.history(KEY))[-1]
    assert turn.twist == "a bell rings somewhere"
    assert turn.tally and (turn.tally.reason, turn.tally.winner) == ("forced", "choice:3")
    snap = await engine.snapshot(KEY)
    assert snap.vetoed == () and snap.window is None


async def test_idempotent_votes(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "a", "b")
    first = await engine.vote(KEY, "a", choice=2, idempotency_key="k1")
    version = (await engine.snapshot(KEY)).version
    again = await engine.vote(KEY, "a", choice=2, idempotency_key="k1")
    assert again == first
    assert (await engine.snapshot(KEY)).version == version  # applied once
    with pytest.raises(IdempotencyMismatch):
        await engine.vote(KEY, "a", choice=3, idempotency_key="k1")
    closing = await engine.vote(KEY, "b", choice=2, idempotency_key="k2")
    await engine.drain()
    assert closing.closed
    assert await engine.vote(KEY, "b", choice=2, idempotency_key="k2") == closing
    assert len(await engine.history(KEY)) == 4


async def test_vote_while_resolving_gets_a_clear_answer(tmp_path: Path) -> None:
    narrator = GatedNarrator()
    engine, _ = await booted(tmp_path, narrator=narrator)
    await engine.vote(KEY, "a", choice=1)  # closes (only voter) and resolves in background
    await narrator.entered.wait()
    with pytest.raises(TurnResolving, match="resolving"):
        await engine.vote(KEY, "b", choice=1)
    narrator.gate.set()
    await engine.drain()
    assert (await engine.snapshot(KEY)).phase is Phase.READY


async def test_nobody_voting_runs_the_hesitation_turn(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await engine.vote(KEY, "a", choice=1)
    await engine.drain()
    snap = await engine.snapshot(KEY)
    assert snap.idle_deadline == clock.now() + 60
    clock.advance(60)
    assert await engine.fire_deadline(KEY) == "hesitated"
    await engine.drain()
    assert (await engine.history(KEY))[-1].input.kind is InputKind.HESITATE


async def test_no_active_players_pauses_instead_of_burning_turns(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await engine.vote(KEY, "a", choice=1)
    await engine.drain()
    clock.advance(2 * 3600)
    turns = len(await engine.history(KEY))
    for _ in range(6):
        clock.advance(60)
        outcome = await engine.fire_deadline(KEY)
        await engine.drain()
        if outcome == "paused":
            break
    assert (await engine.snapshot(KEY)).paused
    hesitations = len(await engine.history(KEY)) - turns
    assert hesitations <= 3  # a's tier fell after a few turns (2h idle) -> paused
    clock.advance(3600)
    assert await engine.fire_deadline(KEY) == "nothing"
    await engine.vote(KEY, "a", choice=1)
    assert not (await engine.snapshot(KEY)).paused


async def test_direct_moves_are_refused_while_a_vote_is_open(tmp_path: Path) -> None:
    engine, clock = await booted(tmp_path)
    await seat(engine, clock, "a", "b")
    await engine.vote(KEY, "a", choice=2)
    with pytest.raises(Conflict):
        await engine.choose(KEY, 1)


async def test_votes_after_death_are_refused(tmp_path: Path) -> None:
    from support.cartridges import mini_cartridge
    from support.engines import Cartridges
    from support.providers import PlainNarrator

    doomed = mini_cartridge(fate={"lucky": 0.0, "normal": 0.0, "unlucky": 1.0})
    engine, _ = await booted(
        tmp_path, narrator=PlainNarrator(damage=99), cartridges=Cartridges(doomed)
    )
    for _ in range(4):
        await engine.vote(KEY, "a", choice=1)
        await engine.drain()
    with pytest.raises(GameOver):
        await engine.vote(KEY, "a", choice=1)
