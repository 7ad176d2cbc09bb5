"""Several players at one keyboard: votes, windows, tie-breaks and the crown.

Each line starts with a player's name or number, then what they do::

    alice 2              vote for choice 2
    bob: sneak past it   propose a free action (a vote for it)
    1 crown              player 1 takes a free crown
    alice pass bob       the crown holder passes it on
    bob force 3 | bob veto 2 | bob twist the radio starts playing | bob mode anarchy
    bob drop             the crown holder gives it up

and ``status``, ``r`` (new choices), ``help`` and ``q``. Every move goes through the
client (in process); the engine is only asked to finish a closed turn before the next
prompt, and for the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from glitchcart.cli.play import choices, client_for, frame_path, open_game, record
from glitchcart.cli.render import choices_text, show_turn
from glitchcart.client.models import EventOut
from glitchcart.core.ids import MAX_PLAYER_ID, PLAYER_ID_CHARS
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import check_player_id
from glitchcart.core.turn import TurnRecord
from glitchcart.core.votes import VotingMode
from glitchcart.errors import GlitchcartError, InvalidInput
from glitchcart.service.engine import Engine

HELP = (
    "Start each line with a player (name or number): `alice 2` votes for choice 2, "
    "`bob: hide in the van` proposes an action. Crown: `alice crown`, `alice pass bob`, "
    "`alice force 2`, `alice veto 1`, `alice twist <line>`, `alice mode leader`, `alice drop`. "
    "Also: status, r (new choices), help, q."
)


def player_ids(names: list[str]) -> list[tuple[str, str]]:
    """(id, display name) for each name given on the command line."""
    seats = []
    for number, name in enumerate(names, start=1):
        ident = re.sub(f"[^{PLAYER_ID_CHARS}]", "-", name.strip()).lstrip(".-")[:MAX_PLAYER_ID]
        ident = ident or f"player{number}"  # a name of symbols only
        seats.append((check_player_id(ident), name.strip()))
    if len({i for i, _ in seats}) != len(seats):
        raise InvalidInput("player names must be distinct")
    return seats


class SharedKeyboard:
    def __init__(
        self, engine: Engine, key: SessionKey, console: Console, seats: list[tuple[str, str]]
    ) -> None:
        self.engine = engine
        self.client = client_for(engine)
        self.key = key
        self.console = console
        self.seats = seats
        self.cartridge_id = ""
        self.shown: tuple[int, str | None] = (0, None)  # the turn (and game) on screen

    def who(self, token: str) -> str | None:
        if token.isdigit() and 1 <= int(token) <= len(self.seats):
            return self.seats[int(token) - 1][0]
        for ident, name in self.seats:
            if token.lower() in (ident.lower(), name.lower()):
                return ident
        return None

    async def run(self, ask: Callable[[], str], cartridge: str | None, seed: int | None) -> None:
        first, _ = await open_game(self.engine, self.client, self.key, cartridge, seed)
        self.cartridge_id = (await self.client.snapshot(session=self.key)).cartridge or ""
        for ident, name in self.seats:
            await self.client.join(ident, name=name, session=self.key)
        self.show_turn_of(first)
        self.console.print(f"[dim]{HELP}[/]")
        watcher = asyncio.create_task(self.watch())
        try:
            while True:
                try:
                    line = (await asyncio.to_thread(ask)).strip()
                except (EOFError, KeyboardInterrupt):
                    line = "q"
                if line.lower() in ("q", "quit", "exit"):
                    break
                if line:
                    try:
                        await self.step(line)
                    except GlitchcartError as exc:
                        self.console.print(f"[yellow]{exc}[/]")
                    await self.engine.drain()  # show a closed turn before the next prompt
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        self.console.print(f"[dim]Saved. Resume with: glitchcart play --session {self.key}[/]")

    def show_turn_of(self, turn: TurnRecord) -> None:
        self.shown = (turn.turn + 1, turn.game_id)  # the vote its choices open
        cartridge = self.engine.cartridge(self.cartridge_id)
        show_turn(self.console, cartridge, turn, frame_path(self.engine, turn))

    async def step(self, line: str) -> None:
        client, key = self.client, self.key
        lower = line.lower()
        if lower in ("help", "?"):
            self.console.print(HELP)
            return
        if lower == "status":
            await self.status()
            return
        if lower == "r":
            self.console.print(
                choices_text(choices((await client.regenerate(session=key)).choices))
            )
            return
        token, _, rest = line.partition(" ")
        player = self.who(token.rstrip(":,"))
        if player is None:
            raise InvalidInput(
                f"start the line with a player: {', '.join(n for _, n in self.seats)}"
            )
        rest = rest.strip()
        word, _, arg = rest.partition(" ")
        word = word.lower()
        if rest.isdigit():
            turn, game_id = self.shown
            receipt = await client.vote(
                player, choice=int(rest), turn=turn, game_id=game_id, session=key
            )
            if not receipt.closed and receipt.deadline is not None:
                left = receipt.deadline - self.engine.now()
                self.console.print(
                    f"[dim]{receipt.voters} voted; the window closes in {left:.0f} s[/]"
                )
        elif word == "crown" and not arg:
            await client.take_crown(player, session=key)
        elif word == "pass" and arg:
            target = self.who(arg.strip())
            if target is None:
                raise InvalidInput(f"no player {arg.strip()!r}")
            await client.pass_crown(player, target, session=key)
        elif word == "drop" and not arg:
            await client.drop_crown(player, session=key)
        elif word in ("force", "veto") and arg.strip().isdigit():
            turn, game_id = self.shown
            if word == "force":
                await client.force(player, choice=int(arg), turn=turn, game_id=game_id, session=key)
            else:
                await client.veto(player, int(arg), turn=turn, game_id=game_id, session=key)
                self.console.print(f"[dim]choice {arg.strip()} is struck out this turn[/]")
        elif word == "twist" and arg:
            await client.twist(player, arg, session=key)
            self.console.print("[dim]the narrator will weave that in[/]")
        elif word == "mode" and arg.strip().lower() in {m.value for m in VotingMode}:
            await client.set_mode(VotingMode(arg.strip().lower()), player=player, session=key)
            self.console.print(f"[dim]voting mode: {arg.strip().lower()}[/]")
        elif rest:
            turn, game_id = self.shown
            await client.vote(player, action=rest, turn=turn, game_id=game_id, session=key)
        else:
            raise InvalidInput("say what the player does")

    async def status(self) -> None:
        snap = await self.client.snapshot(session=self.key)
        names = {i: n for i, n in self.seats}
        for p in snap.roster:
            crown = " 👑" if p.id == snap.crown else ""
            self.console.print(f"  {escape(names.get(p.id, p.name))}: {p.tier}{crown}")
        if snap.window is not None:
            ballots = ", ".join(
                escape(f"{names.get(v.player, v.player)}→{v.candidate}") for v in snap.window.votes
            )
            left = snap.window.deadline - self.engine.now()
            self.console.print(f"  votes: {ballots or 'none'} (closes in {left:.0f} s)")
        self.console.print(f"  mode: {snap.mode}")

    async def watch(self) -> None:
        async with contextlib.aclosing(self.client.events(session=self.key)) as events:
            async for event in events:
                await self.render(event)

    async def render(self, event: EventOut) -> None:
        data = event.data
        if event.kind == "window_closed":
            tally = data["tally"]
            counts = ", ".join(f"{c} ×{n}" for c, n in tally["counts"])  # players' words
            line = f"[bold]vote closed ({tally['reason']}):[/] " + escape(
                f"{counts} → {tally['winner']}"
            )
            if tally["tied"]:
                line += f" [dim](tie broken by the seeded roll {tally['roll']:.3f})[/]"
            self.console.print(line)
        elif event.kind in ("choices", "game_over"):
            found = await self.client.history(start=data["turn"], limit=1, session=self.key)
            if found.items:
                self.show_turn_of(record(found.items[0]))
        elif event.kind == "crown_moved":
            holder = data.get("holder")
            who = escape(holder) if holder else "nobody (the narrator rules)"
            self.console.print(f"[bold yellow]crown:[/] {who}")
        elif event.kind == "paused":
            self.console.print("[dim]paused: nobody is active[/]")
