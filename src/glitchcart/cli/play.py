"""The terminal game: an interactive loop, and an unattended ``--auto`` player.

Both play through :class:`glitchcart.client.Client` (in process), like every
surface; the engine beside them is only asked for what a terminal shows of its
own machine: where a picture's file is, and the cartridge's texts.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from glitchcart.cli.common import read_line
from glitchcart.cli.hints import command_name
from glitchcart.cli.render import choices_text, show_turn, turn_json
from glitchcart.client import Client, InProcessTransport
from glitchcart.client.models import ChoiceOut, Turn
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.seeds import rng_for
from glitchcart.core.turn import Choice, TurnRecord
from glitchcart.errors import Conflict, GameOver, GlitchcartError, InvalidInput, SessionNotFound
from glitchcart.service.engine import Engine

HELP = (
    "Type a number to choose, or write what you do. "
    "Commands: r = new choices, t = wait (time passes), reset = start over, "
    "help, q = quit (the game is saved)."
)
HELP_DEAD = "The character is dead. Commands: reset = start over, help, q = quit."
NUMBER = re.compile(r"[+-]?\d+")
# Words that are commands on their own; with anything after them they are a mistake,
# never an action.
WORDS = {"r": "new choices", "t": "time passes", "reset": "start over", "help": "this help"}


def client_for(engine: Engine) -> Client:
    return Client(InProcessTransport(engine))


def record(turn: Turn) -> TurnRecord:
    """A turn as the terminal's renderers take it."""
    return TurnRecord.from_dict(turn.model_dump(mode="json"))


def choices(offered: list[ChoiceOut]) -> tuple[Choice, ...]:
    return tuple(Choice.from_dict(c.model_dump()) for c in offered)


async def open_game(
    engine: Engine,
    client: Client,
    key: SessionKey,
    cartridge: str | None,
    seed: int | None,
    said: Callable[[str], None] = lambda line: None,
) -> tuple[TurnRecord, bool]:
    """Resume the session's game, or boot one; returns the turn to show and if it is new.

    A game is booted when the session has none, or when ``cartridge`` names a
    different cartridge than the one running (the running game is saved, and
    ``said`` is told so). ``seed`` seeds a new game only: given for a game that is
    resumed, ``said`` is told it does not apply (scripts that always pass it resume
    as before). A turn a killed terminal left resolving is finished first.
    """
    await engine.recover(key)
    try:
        view = await client.snapshot(session=key)
    except SessionNotFound:
        view = None
    if view is not None and view.last is not None and view.phase != "empty":
        if cartridge is None or cartridge == view.cartridge:
            if seed is not None and seed != view.seed:
                said(
                    f"--seed {seed} is for a new game; resuming {key}'s game "
                    f"(seed {view.seed}, turn {view.last.turn}): type reset to start over"
                )
            return record(view.last), False
        said(f"saved game {view.game_id} ({view.cartridge}); starting {cartridge}")
    name = cartridge or engine.default_cartridge
    return record(await client.boot(name, seed=seed, swap=True, session=key)), True


def frame_path(engine: Engine, turn: TurnRecord) -> str | None:
    return engine.locate(turn.frame) if turn.frame else None


def json_emitter(engine: Engine, key: SessionKey) -> Callable[[TurnRecord, str], None]:
    """Print each turn as one JSON line, flushed at once (scripts read it live)."""

    def emit(turn: TurnRecord, cartridge_id: str) -> None:
        print(json.dumps(turn_json(key, turn, frame_path(engine, turn))), flush=True)

    return emit


async def play_auto(
    engine: Engine,
    key: SessionKey,
    *,
    turns: int,
    cartridge: str | None,
    seed: int | None,
    emit: Callable[[TurnRecord, str], None],
    said: Callable[[str], None] = lambda line: None,
) -> TurnRecord:
    """Play up to ``turns`` turns, choices picked from the game seed; stop at death.

    A session whose character is already dead is :class:`GameOver`: nothing to play.
    """
    client = client_for(engine)
    last, new = await open_game(engine, client, key, cartridge, seed, said)
    cartridge_id = (await client.snapshot(session=key)).cartridge or ""
    if not new and not last.state.alive and turns > 0:
        raise GameOver(
            f"the character in {key} is dead (turn {last.turn}); "
            "start again with --cartridge ID, or type reset in the game"
        )
    if new:
        emit(last, cartridge_id)
    for _ in range(turns):
        if not last.state.alive:
            break
        view = await client.snapshot(session=key)
        assert view.seed is not None and view.state is not None
        pick = rng_for(view.seed, "auto", view.state.turn).randrange(len(view.choices)) + 1
        last = record(await client.choose(pick, player="auto", session=key))
        emit(last, cartridge_id)
    return last


class Interactive:
    """A read-eval loop over one session; lines come from ``ask`` so tests can drive it."""

    def __init__(
        self, engine: Engine, key: SessionKey, console: Console, *, resume: str = ""
    ) -> None:
        self.engine = engine
        self.client = client_for(engine)
        self.key = key
        self.console = console
        self.cartridge_id = ""
        self.resume = resume or f"glitchcart play --session {key}"

    def show(self, turn: TurnRecord | Turn) -> None:
        shown = record(turn) if isinstance(turn, Turn) else turn
        cartridge = self.engine.cartridge(self.cartridge_id)
        show_turn(self.console, cartridge, shown, frame_path(self.engine, shown))

    def note(self, line: str, *, whole: bool = False) -> None:
        """A dim line; ``whole`` keeps a command on one line for copying, never wrapped."""
        self.console.print(f"[dim]{escape(line)}[/]", soft_wrap=whole)

    async def run(self, ask: Callable[[], str], cartridge: str | None, seed: int | None) -> None:
        first, new = await open_game(self.engine, self.client, self.key, cartridge, seed, self.note)
        self.cartridge_id = (await self.client.snapshot(session=self.key)).cartridge or ""
        if not new:
            self.note(f"Resuming {self.key} at turn {first.turn}.")
        self.show(first)
        self.note(HELP if first.state.alive else HELP_DEAD)
        while True:
            try:
                line = (await read_line(ask)).strip()
            except EOFError:
                line = "q"
            except (KeyboardInterrupt, asyncio.CancelledError):
                self.console.print()
                self.note("Ctrl-C: saving and quitting.")
                line = "q"
            if line.lower() in ("q", "quit", "exit"):
                self.note(f"Saved. Resume with: {self.resume}", whole=True)
                return
            if not line:
                continue
            try:
                await self.step(line)
            except (InvalidInput, Conflict) as exc:
                self.console.print(f"[yellow]{escape(str(exc))}[/]")
            except GlitchcartError as exc:
                self.console.print(f"[red]{escape(str(exc))}[/]")

    async def step(self, line: str) -> None:
        client, key = self.client, self.key
        lower = line.lower()
        word, _, rest = lower.partition(" ")
        if word in WORDS and rest.strip():
            raise InvalidInput(f"`{word}` ({WORDS[word]}) takes nothing after it")
        if lower in ("help", "?", "h"):
            self.console.print(HELP)
        elif lower == "r":
            view = await client.regenerate(session=key)
            self.console.print(choices_text(choices(view.choices)))
        elif lower == "t":
            await self.played(await client.tick(session=key))
        elif lower == "reset":
            await self.played(await client.reset(session=key))
        elif NUMBER.fullmatch(line):
            await self.played(await client.choose(int(line), session=key))
        else:
            await self.played(await client.act(line, session=key))

    async def played(self, turn: Turn) -> None:
        self.show(turn)
        if not turn.state.alive:
            await announce_tape(self.engine, self.client, self.key, turn.game_id, self.note)
            self.note(HELP_DEAD)


async def announce_tape(
    engine: Engine, client: Client, key: SessionKey, game_id: str, say: Callable[..., None]
) -> None:
    """At a death: say the replay tape is being made, wait for it, and say where it is
    (``say(line, whole=True)`` keeps the path on one line, for copying)."""
    if not engine.tapes_on:
        return
    say("Rewinding the tape: making the replay of this run...")
    await engine.drain()  # the tape is built in the background as the death commits
    made = [t for t in await client.tapes.list(session=key) if t.game_id == game_id]
    if made:
        where = engine.locate(MediaRef.from_dict(made[-1].ref.model_dump()))
        say(f"Replay tape: {where}", whole=True)
    else:
        say(f"The replay tape could not be made; try: {command_name()} tape {key}", whole=True)
