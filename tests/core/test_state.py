from dataclasses import replace

from glitchcart.core.fate import Fate
from glitchcart.core.state import (
    DeathRuleContext,
    StateDelta,
    WorldState,
    apply_delta,
    chaos_phase,
    initial_state,
    max_damage,
)
from support.cartridges import mini_cartridge

CART = mini_cartridge()
START = initial_state(CART, "hall", "dusk")
NORMAL = DeathRuleContext(Fate.NORMAL)
UNLUCKY = DeathRuleContext(Fate.UNLUCKY)
LUCKY = DeathRuleContext(Fate.LUCKY)


def test_initial_state_comes_from_the_cartridge() -> None:
    assert (
        WorldState(
            turn=0,
            location="hall",
            time_of_day="dusk",
            chaos=0,
            chaos_phase="calm",
            health=10,
            max_health=10,
            injuries=(),
            inventory=("torch",),
            seen=("hall",),
        )
        == START
    )


def test_apply_delta_never_mutates_input() -> None:
    before = START.to_dict()
    apply_delta(CART, START, StateDelta(damage=1, items_gained=("key",)), NORMAL)
    assert START.to_dict() == before


def test_damage_is_bounded_by_fate() -> None:
    assert apply_delta(CART, START, StateDelta(damage=100), NORMAL).health == 9
    assert apply_delta(CART, START, StateDelta(damage=100), UNLUCKY).health == 7
    assert apply_delta(CART, START, StateDelta(damage=5), LUCKY).health == 10


def test_healing_never_exceeds_max_health() -> None:
    hurt = replace(START, health=4)
    assert apply_delta(CART, hurt, StateDelta(damage=-100), LUCKY).health == 10


def test_hesitation_adds_its_penalty_and_never_moves() -> None:
    ctx = DeathRuleContext(Fate.UNLUCKY, hesitation=True)
    assert max_damage(CART, Fate.UNLUCKY, hesitation=True) == 4
    after = apply_delta(CART, START, StateDelta(damage=9, move_to="yard"), ctx)
    assert (after.health, after.location) == (6, "hall")


def test_no_roll_means_no_damage() -> None:
    after = apply_delta(CART, START, StateDelta(damage=5), DeathRuleContext(None))
    assert after.health == 10


def test_inventory_limit_is_enforced() -> None:
    after = apply_delta(CART, START, StateDelta(items_gained=("a", "b", "c", "d")), LUCKY)
    assert after.inventory == ("torch", "a", "b")


def test_items_lost_are_removed() -> None:
    after = apply_delta(CART, START, StateDelta(items_lost=("torch",)), NORMAL)
    assert after.inventory == ()


def test_moves_only_along_exits() -> None:
    assert apply_delta(CART, START, StateDelta(move_to="yard"), NORMAL).location == "yard"
    assert apply_delta(CART, START, StateDelta(move_to="cave"), NORMAL).location == "hall"
    assert apply_delta(CART, START, StateDelta(move_to="nowhere"), NORMAL).location == "hall"


def test_chaos_grows_each_turn_and_is_bounded() -> None:
    assert apply_delta(CART, START, StateDelta(), NORMAL).chaos == 2
    assert apply_delta(CART, START, StateDelta(chaos=500), NORMAL).chaos == 22
    high = replace(START, chaos=95)
    after = apply_delta(CART, high, StateDelta(chaos=20), LUCKY)
    assert (after.chaos, after.chaos_phase) == (100, "wild")


def test_chaos_phase_thresholds() -> None:
    assert [chaos_phase(CART, c) for c in (0, 49, 50, 100)] == ["calm", "calm", "wild", "wild"]


def test_time_of_day_advances_every_few_turns_or_when_asked() -> None:
    assert apply_delta(CART, START, StateDelta(advance_time=True), NORMAL).time_of_day == "night"
    s = START
    for _ in range(3):
        s = apply_delta(CART, s, StateDelta(), LUCKY)
    assert (s.turn, s.time_of_day) == (3, "night")


def test_death_at_zero_health() -> None:
    weak = replace(START, health=2)
    after = apply_delta(CART, weak, StateDelta(damage=3, cause="a fall"), UNLUCKY)
    assert (after.alive, after.health, after.cause_of_death) == (False, 0, "a fall")


def test_death_by_too_many_injuries() -> None:
    hurt = replace(START, injuries=("cut", "bruise"))
    after = apply_delta(CART, hurt, StateDelta(injuries_added=("burn",)), NORMAL)
    assert (after.alive, after.cause_of_death) == (False, "too many injuries")


def test_lucky_turns_add_no_injuries() -> None:
    assert apply_delta(CART, START, StateDelta(injuries_added=("cut",)), LUCKY).injuries == ()


def test_chaos_at_the_limit_is_fatal_only_when_unlucky() -> None:
    edge = replace(START, chaos=99)
    assert apply_delta(CART, edge, StateDelta(), NORMAL).alive
    assert not apply_delta(CART, edge, StateDelta(), UNLUCKY).alive


def test_narrator_cannot_kill_a_healthy_character() -> None:
    after = apply_delta(CART, START, StateDelta(fatal=True, cause="the narrator said so"), UNLUCKY)
    assert after.alive


def test_narrator_fatal_verdict_counts_at_the_edge() -> None:
    edge = replace(START, health=5)
    after = apply_delta(CART, edge, StateDelta(damage=2, fatal=True, cause="the pit"), UNLUCKY)
    assert (after.alive, after.health, after.cause_of_death) == (False, 0, "the pit")


def test_dead_state_is_final() -> None:
    dead = replace(START, alive=False, health=0)
    assert apply_delta(CART, dead, StateDelta(damage=-5), LUCKY) is dead


def test_recent_events_keep_the_last_six() -> None:
    s = START
    for i in range(8):
        s = apply_delta(CART, s, StateDelta(event=f"e{i}"), LUCKY)
    assert s.recent_events == ("e2", "e3", "e4", "e5", "e6", "e7")


def test_state_round_trips_through_dict() -> None:
    s = apply_delta(CART, START, StateDelta(flags=(("door", "open"),), event="x"), NORMAL)
    assert WorldState.from_dict(s.to_dict()) == s
