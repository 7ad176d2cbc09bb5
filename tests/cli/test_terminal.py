"""The terminal game as a newcomer meets it (issue 12): scripted lines in, the screen out.

The loops run in process on engines built from injected parts; ``ask`` hands them
one scripted line at a time, and the console writes into a string.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from glitchcart.adapters.events.memory import MemoryEventBus
from glitchcart.cli.hints import command_name
from glitchcart.cli.party import SharedKeyboard, player_ids
from glitchcart.cli.play import Interactive
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.service.engine import Engine
from support.engines import make_engine
from support.providers import PlainNarrator
from support.tapes import add_tapes

KEY = SessionKey.parse("cli:t")
SEATS = [("alice", "alice"), ("bob", "bob")]


def engine_at(root: Path, narrator: PlainNarrator | None = None) -> Engine:
    """An engine of injected parts that publishes events, as the terminal's does."""
    engine = make_engine(root, narrator=narrator)
    engine.events = MemoryEventBus()
    return engine


def script(*lines: str) -> Callable[[], str]:
    pending = list(lines)

    def ask() -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    return ask


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=100, color_system=None, force_terminal=False), out


async def party(engine: Engine, *lines: str, seed: int = 1) -> str:
    screen, out = console()
    await SharedKeyboard(engine, KEY, screen, SEATS).run(script(*lines), "mini", seed)
    await engine.drain()
    return out.getvalue()


async def solo(engine: Engine, *lines: str, seed: int | None = 1) -> str:
    screen, out = console()
    await Interactive(engine, KEY, screen, resume="gc play").run(script(*lines), "mini", seed)
    await engine.drain()
    return out.getvalue()


def choice_lines(text: str) -> list[str]:
    return re.findall(r"^\s+\d\. (.+)$", text, re.M)


async def test_party_r_shows_the_new_choices_and_the_turn_is_not_reprinted_with_old_ones(
    tmp_path: Path,
) -> None:
    """Item 2: votes then resolve a choice everybody saw on screen."""
    engine = engine_at(tmp_path)
    out = await party(engine, "r", "status", "status", "alice 1", "bob 1")
    before_vote = out.split("vote closed")[0]
    opening = before_vote.partition("mode: ")[0]  # `r` came before the first status
    on_screen = choice_lines(before_vote)[-3:]
    assert on_screen != choice_lines(opening)[:3]  # `r` showed new ones and nothing undid it
    history = await engine.history(KEY)
    assert history[1].input.text == on_screen[0]  # the vote took what was on screen
    assert out.count("prologue at") == 1  # the opening box is shown once, never again


async def test_party_command_words_with_bad_arguments_are_errors_not_votes(
    tmp_path: Path,
) -> None:
    """Item 6: `bob mode chaos` and `alice t` are mistakes, never actions."""
    engine = engine_at(tmp_path)
    out = " ".join((await party(engine, "bob mode chaos", "alice t", "bob veto x")).split())
    assert "`NAME mode democracy|anarchy|leader` changes the voting mode" in out
    assert "`t` is for one player at the keyboard" in out
    assert "`NAME veto N` strikes choice N out this turn" in out
    snap = await engine.snapshot(KEY)
    assert snap.window is None and snap.last is not None and snap.last.turn == 0


async def test_party_free_action_votes_are_counted_aloud(tmp_path: Path) -> None:
    """Item 18: a free action gets its "1 voted" like a listed choice."""
    engine = engine_at(tmp_path)
    out = await party(engine, "alice hide in the van")
    assert "1 voted; the window closes in" in out


async def test_a_name_of_two_words_can_be_addressed(tmp_path: Path) -> None:
    """Item 18: "al ice" could be seated but never addressed (only by number)."""
    engine = engine_at(tmp_path)
    screen, out = console()
    seats = player_ids(["al ice", "bob"])
    keyboard = SharedKeyboard(engine, KEY, screen, seats)
    await keyboard.run(script("al ice hide in the van", "al ice: 2"), "mini", 1)
    await engine.drain()
    text = out.getvalue()
    assert "start the line with a player" not in text
    snap = await engine.snapshot(KEY)
    assert snap.window is not None
    assert [(v.player, v.candidate) for v in snap.window.votes] == [("al-ice", "choice:2")]


async def test_solo_numbers_and_command_words_are_never_actions(tmp_path: Path) -> None:
    """Item 6: `-1` and `r 2` are mistakes; the turn does not move."""
    engine = engine_at(tmp_path)
    out = " ".join((await solo(engine, "-1", "r 2", "t now")).split())
    assert "choice must be 1 or more" in out
    assert "`r` (new choices) takes nothing after it" in out
    assert "`t` (time passes) takes nothing after it" in out
    assert [t.turn for t in await engine.history(KEY)] == [0]


async def test_a_death_in_the_terminal_says_where_the_replay_tape_is(tmp_path: Path) -> None:
    """Item 4: the tape is mentioned at death, with its path once it is made."""
    engine = engine_at(tmp_path, PlainNarrator(damage=100))
    add_tapes(engine)
    out = await solo(engine, *["1"] * 8)  # at most 3 damage a turn, 10 health
    assert "Rewinding the tape: making the replay of this run..." in out
    found = re.search(r"Replay tape: (\S+\.gif)", out)
    assert found is not None, out
    assert Path(found[1]).is_relative_to(tmp_path)
    assert (await engine.media.get(MediaRef(KEY, "tape", Path(found[1]).name)))[:6] == b"GIF89a"
    assert out.rstrip().endswith("Saved. Resume with: gc play")


async def test_a_resumed_dead_game_offers_what_a_dead_character_can_do(tmp_path: Path) -> None:
    """Item 18: no "Type a number to choose" for a dead character."""
    engine = engine_at(tmp_path, PlainNarrator(damage=100))
    await solo(engine, *["1"] * 8)
    out = await solo(engine, seed=None)
    assert "Resuming cli:t" in out and "You died" in out
    assert "Type a number" not in out and "The character is dead" in out


def test_the_command_name_is_one_the_shell_can_run(tmp_path: Path) -> None:
    """Item 11: after `make play` the command is .venv/bin/glitchcart, not glitchcart."""
    venv_bin = tmp_path / "elsewhere" / "glitchcart"
    assert command_name(str(venv_bin)) == str(venv_bin)
    assert command_name("/somewhere/glitchcart/__main__.py").endswith(" -m glitchcart")


async def test_an_emoji_with_a_variation_selector_keeps_the_box_square(tmp_path: Path) -> None:
    """Item 18: Rich and the terminal disagree on the width of "❤️" (with U+FE0F)."""
    engine = engine_at(tmp_path)
    out = await solo(engine, "hug the dog ❤️ [bold]now[/]")
    assert "\ufe0f" not in out
    assert "hug the dog ❤ [bold]now[/]" in out  # escaped: markup in an action is text
    box = [line for line in out.splitlines() if line and line[0] in "╭│╰"]
    assert len({len(line) for line in box}) == 1
