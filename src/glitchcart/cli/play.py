"""The terminal game: an interactive loop, and an unattended ``--auto`` player."""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.console import Console

from glitchcart.cli.render import choices_text, show_turn, turn_json
from glitchcart.core.keys import SessionKey
from glitchcart.core.seeds import rng_for
from glitchcart.core.session import Phase
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import Conflict, GlitchcartError, InvalidInput
from glitchcart.service.engine import Engine

HELP = (
    "Type a number to choose, or write what you do. "
    "Commands: r = new choices, t = wait (time passes), reset = start over, "
    "help, q = quit (the game is saved)."
)


async def open_game(
    engine: Engine, key: SessionKey, cartridge: str | None, seed: int | None
) -> tuple[TurnRecord, bool]:
    """Resume the session's game, or boot one; returns the turn to show and if it is new.

    A game is booted when the session has none, or when ``cartridge`` names a
    different cartridge than the one running.
    """
    await engine.recover(key)
    if await engine.exists(key):
        snap = await engine.snapshot(key)
        wants_other = cartridge is not None and cartridge != snap.cartridge
        if snap.last is not None and snap.phase is not Phase.EMPTY and not wants_other:
            return snap.last, False
    name = cartridge or engine.settings.default_cartridge
    return await engine.start(key, name, seed=seed), True


def frame_path(engine: Engine, record: TurnRecord) -> str | None:
    return engine.media.locate(record.frame) if record.frame else None


def json_emitter(engine: Engine, key: SessionKey) -> Callable[[TurnRecord, str], None]:
    """Print each turn as one JSON line, flushed at once (scripts read it live)."""

    def emit(record: TurnRecord, cartridge_id: str) -> None:
        print(json.dumps(turn_json(key, record, frame_path(engine, record))), flush=True)

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
    record, new = await open_game(engine, key, cartridge, seed)
    cartridge_id = (await engine.snapshot(key)).cartridge or ""
    if new:
        emit(record, cartridge_id)
    for _ in range(turns):
        if not record.state.alive:
            break
        snap = await engine.snapshot(key)
        assert snap.seed is not None and snap.state is not None
        pick = rng_for(snap.seed, "auto", snap.state.turn).randrange(len(snap.choices)) + 1
        record = await engine.choose(key, pick, player="auto")
        emit(record, cartridge_id)
    return record


class Interactive:
    """A read-eval loop over one session; lines come from ``ask`` so tests can drive it."""

    def __init__(self, engine: Engine, key: SessionKey, console: Console) -> None:
        self.engine = engine
        self.key = key
        self.console = console
        self.cartridge_id = ""

    def show(self, record: TurnRecord) -> None:
        cartridge = self.engine.cartridges.get(self.cartridge_id)
        show_turn(self.console, cartridge, record, frame_path(self.engine, record))

    async def show_tape(self, record: TurnRecord) -> None:
        """At death, the replay tape of the run (built once, however many ask)."""
        tapes = self.engine.tapes
        if record.state.alive or tapes is None:
            return
        tape = await tapes.build_game(self.key, record.game_id, self.cartridge_id)
        self.console.print(f"[bold]replay tape:[/] {tapes.locate(self.key, tape.ref)}")
        self.console.print("[dim]Type reset to play again, or q to quit.[/]")

    async def run(self, ask: Callable[[], str], cartridge: str | None, seed: int | None) -> None:
        record, new = await open_game(self.engine, self.key, cartridge, seed)
        self.cartridge_id = (await self.engine.snapshot(self.key)).cartridge or ""
        if not new:
            self.console.print(f"[dim]Resuming {self.key} at turn {record.turn}.[/]")
        self.show(record)
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
        lower = line.lower()
        if lower in ("help", "?", "h"):
            self.console.print(HELP)
        elif lower == "r":
            snap = await self.engine.regenerate(self.key)
            self.console.print(choices_text(snap.choices))
        elif lower == "reset":
            self.show(await self.engine.reset(self.key))
        else:
            if lower == "t":
                record = await self.engine.tick(self.key)
            elif line.isdigit():
                record = await self.engine.choose(self.key, int(line))
            else:
                record = await self.engine.act(self.key, line)
            self.show(record)
            await self.show_tape(record)
