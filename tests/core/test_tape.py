"""Tape scripts, turn ranges and media names: literals in, literals out."""

from __future__ import annotations

import pytest

from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.media_names import (
    belongs_to_game,
    film_name,
    fingerprint,
    game_part,
    parse_tape_name,
    segment_name,
    tape_name,
)
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.tape import TurnSpan, caption_for, parse_format, tape_look, tape_script
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.errors import InvalidInput
from support.cartridges import mini_cartridge

KEY = SessionKey.parse("cli:alice")
STATE = WorldState(0, "hall", "dusk", 0, "calm", 10, 10, (), ())


def record(turn: int, kind: InputKind = InputKind.CHOICE, **state: object) -> TurnRecord:
    return TurnRecord(
        game_id="g1",
        turn=turn,
        input=TurnInput(kind, f"take path {turn}", "alice", Choice(f"take path {turn}")),
        fate=Fate.LUCKY if turn else None,
        narration="...",
        delta=StateDelta(),
        state=WorldState(**{**STATE.to_dict(), "turn": turn, "flags": (), **state}),  # type: ignore[arg-type]
        choices=(),
        frame=MediaRef(KEY, "frame", f"g1-{turn:05d}.png"),
        turn_seed=turn,
        created_at=100.0 + turn,
    )


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("3-12", TurnSpan(3, 12)),
        (" 3 - 12 ", TurnSpan(3, 12)),
        ("5-", TurnSpan(5, None)),
        ("-7", TurnSpan(0, 7)),
        ("4", TurnSpan(4, 4)),
    ],
)
def test_turn_ranges_parse(text: str, span: TurnSpan) -> None:
    assert TurnSpan.parse(text) == span


@pytest.mark.parametrize("text", ["", "-", "12-3", "a-b", "1-2-3", "3..5", "1" * 9, "+1"])
def test_bad_turn_ranges_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        TurnSpan.parse(text)


def test_a_span_holds_its_turns() -> None:
    assert 3 in TurnSpan(3, 5) and 5 in TurnSpan(3, 5) and 6 not in TurnSpan(3, 5)
    assert 10**6 in TurnSpan(2) and 1 not in TurnSpan(2)


def test_formats() -> None:
    assert parse_format("gif") == "gif" and parse_format("mp4") == "mp4"
    for bad in ("GIF", "webm", "", None):
        with pytest.raises(InvalidInput):
            parse_format(bad)


def test_captions_say_what_was_done() -> None:
    assert caption_for(record(0, InputKind.START)) == "prologue"
    assert caption_for(record(2)) == "take path 2"
    assert caption_for(record(3, InputKind.HESITATE)) == "hesitated"
    assert caption_for(record(4, InputKind.TICK)) == "time passes"


def test_a_script_has_a_title_a_shot_per_turn_and_a_closing_card() -> None:
    cart = mini_cartridge()
    records = [record(0, InputKind.START), record(1), record(2)]
    script = tape_script(KEY, cart, records, [b"a", None, b"c"], seed=1)
    assert script.title.title == "Mini"
    assert script.title.lines == ("SESSION cli:alice", "GAME g1", "TURNS 0-2")
    assert [s.turn for s in script.shots] == [0, 1, 2] and script.frames == 5
    assert [s.picture for s in script.shots] == [b"a", None, b"c"]
    assert (script.shots[1].heading, script.shots[1].fate, script.shots[1].stamp) == (
        "TURN 1",
        Fate.LUCKY,
        101.0,
    )
    assert script.closing.title == "END OF TAPE"
    dead = [*records[:2], record(2, alive=False, cause_of_death="a fall")]
    closing = tape_script(KEY, cart, dead, [None] * 3, seed=1).closing
    assert closing.title == "SIGNAL LOST" and closing.lines == ("CAUSE: a fall", "SURVIVED 2 TURNS")
    with pytest.raises(InvalidInput):
        tape_script(KEY, cart, [], [], seed=1)


def test_the_look_comes_from_the_palette() -> None:
    look = tape_look(mini_cartridge().art)  # palette: #101020 #303050 #404030 #a05020 #f0e0a0
    assert look.ink == (0xF0, 0xE0, 0xA0) and look.accent == (0xA0, 0x50, 0x20)
    assert look.bar == (0x10 // 3, 0x10 // 3, 0x20 // 3)
    assert look.scanlines is True


def test_tape_names_round_trip_and_are_valid_media_names() -> None:
    name = tape_name("a1b2c3", 3, 12, "mp4", "0123456789")
    assert name == "a1b2c3-tape-00003-00012-0123456789.mp4"
    parsed = parse_tape_name(name)
    assert parsed is not None and (parsed.game, parsed.first, parsed.last, parsed.format) == (
        "a1b2c3",
        3,
        12,
        "mp4",
    )
    MediaRef(KEY, "tape", name)  # accepted by the media name rule
    assert parse_tape_name("g1-00001.png") is None
    assert parse_tape_name(".x-tape-00001-00002-0123456789.gif.tmp") is None


def test_unsafe_game_ids_are_hashed_into_names() -> None:
    assert game_part("abc_12") == "abc_12"
    hashed = game_part("../../etc")
    assert hashed.startswith("g") and len(hashed) == 17 and hashed == game_part("../../etc")
    MediaRef(KEY, "segment", segment_name("x" * 200, 5))
    MediaRef(KEY, "film", film_name("ok", 0, 9, "abcdef0123"))


def test_media_of_a_game_is_told_apart_from_other_games() -> None:
    assert belongs_to_game("g1-00003.png", "g1")
    assert belongs_to_game("g1-00003.mp4", "g1")
    assert belongs_to_game("g1-tape-00000-00003-0123456789.gif", "g1")
    assert belongs_to_game("g1-film-00000-00003-0123456789.mp4", "g1")
    assert not belongs_to_game("g10-00003.png", "g1")
    assert not belongs_to_game("g1-x-00003.png", "g1")


def test_the_fingerprint_follows_the_turns_and_the_options() -> None:
    turns = [record(0), record(1)]
    same = fingerprint(turns, "gif", 8)
    assert same == fingerprint([record(0), record(1)], "gif", 8)
    assert same != fingerprint(turns, "gif", 9)
    assert same != fingerprint([record(0), record(1, alive=False)], "gif", 8)
    assert len(same) == 10 and int(same, 16) >= 0
