"""The terminal game: an interactive loop, and an unattended ``--auto`` player.

Both play through :class:`glitchcart.client.Client` (in process), like every
surface; the engine beside them is only asked for what a terminal shows of its
own machine: where a picture's file is, and the cartridge's texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.console import Console

from glitchcart.cli.render import choices_text, show_turn, turn_json
from glitchcart.client import Client, InProcessTransport
from glitchcart.client.models import ChoiceOut, Turn
from glitchcart.core.keys import SessionKey
from glitchcart.core.seeds import rng_for
from glitchcart.core.turn import Choice, TurnRecord
from glitchcart.errors import Conflict, GlitchcartError, InvalidInput, SessionNotFound
from glitchcart.service.engine import Engine

HELP = (
    "Type a number to choose, or write what you do. "
    "Commands: r = new choices, t = wait (time passes), reset = start over, "
    "help, q = quit (the game is saved)."
)


def client_for(engine: Engine) -> Client:
    return Client(InProcessTransport(engine))


def record(turn: Turn) -> TurnRecord:
    """A turn as the terminal's renderers take it."""
    return TurnRecord.from_dict(turn.model_dump(mode="json"))


def choices(offered: list[ChoiceOut]) -> tuple[Choice, ...]:
    return tuple(Choice.from_dict(c.model_dump()) for c in offered)


async def open_game(
    engine: Engine, client: Client, key: SessionKey, cartridge: str | None, seed: int | None
) -> tuple[TurnRecord, bool]:
    """Resume the session's game, or boot one; returns the turn to show and if it is new.

    A game is booted when the session has none, or when ``cartridge`` names a
    different cartridge than the one running. A turn a killed terminal left
    resolving is finished first.
    """
    await engine.recover(key)
    try:
        view = await client.snapshot(session=key)
    except SessionNotFound:
        view = None
    if view is not None:
        wants_other = cartridge is not None and cartridge != view.cartridge
        if view.last is not None and view.phase != "empty" and not wants_other:
            return record(view.last), False
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
) -> TurnRecord:
    """Play up to ``turns`` turns, choices picked from the game seed; stop at death."""
    client = client_for(engine)
    last, new = await open_game(engine, client, key, cartridge, seed)
    cartridge_id = (await client.snapshot(session=key)).cartridge or ""
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

    def __init__(self, engine: Engine, key: SessionKey, console: Console) -> None:
        self.engine = engine
        self.client = client_for(engine)
        self.key = key
        self.console = console
        self.cartridge_id = ""

    def show(self, turn: TurnRecord | Turn) -> None:
        shown = record(turn) if isinstance(turn, Turn) else turn
        cartridge = self.engine.cartridge(self.cartridge_id)
        show_turn(self.console, cartridge, shown, frame_path(self.engine, shown))

    async def run(self, ask: Callable[[], str], cartridge: str | None, seed: int | None) -> None:
        first, new = await open_game(self.engine, self.client, self.key, cartridge, seed)
        self.cartridge_id = (await self.client.snapshot(session=self.key)).cartridge or ""
        if not new:
            self.console.print(f"[dim]Resuming {self.key} at turn {first.turn}.[/]")
        self.show(first)
        self.console.print(f"[dim]{HELP}[/]")
        while True:
            try:
                line = ask().strip()
            except (EOFError, KeyboardInterrupt):
                line = "q"
            if line.lower() in ("q", "quit", "exit"):
                self.console.print(
                    f"[dim]Saved. Resume with: glitchcart play --session {self.key}[/]"
                )
                return
            if not line:
                continue
            try:
                await self.step(line)
            except (InvalidInput, Conflict) as exc:
                self.console.print(f"[yellow]{exc}[/]")
            except GlitchcartError as exc:
                self.console.print(f"[red]{exc}[/]")

    async def step(self, line: str) -> None:
        client, key = self.client, self.key
        lower = line.lower()
        if lower in ("help", "?", "h"):
            self.console.print(HELP)
        elif lower == "r":
            view = await client.regenerate(session=key)
            self.console.print(choices_text(choices(view.choices)))
        elif lower == "t":
            self.show(await client.tick(session=key))
        elif lower == "reset":
            self.show(await client.reset(session=key))
        elif line.isdigit():
            self.show(await client.choose(int(line), session=key))
        else:
            self.show(await client.act(line, session=key))
