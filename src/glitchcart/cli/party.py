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
from dataclasses import replace

from rich.console import Console
from rich.markup import escape

from glitchcart.cli.common import read_line
from glitchcart.cli.play import (
    announce_tape,
    choices,
    client_for,
    frame_path,
    open_game,
    record,
)
from glitchcart.cli.render import choices_text, show_turn
from glitchcart.client.models import EventOut, VoteReceiptOut
from glitchcart.core.ids import MAX_PLAYER_ID, PLAYER_ID_CHARS
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import check_player_id
from glitchcart.core.turn import Choice, TurnRecord
from glitchcart.core.votes import VotingMode
from glitchcart.errors import GlitchcartError, InvalidInput
from glitchcart.service.engine import Engine

HELP = (
    "Start each line with a player (name or number): `alice 2` votes for choice 2, "
    "`bob: hide in the van` proposes an action. Crown: `alice crown`, `alice pass bob`, "
    "`alice force 2`, `alice veto 1`, `alice twist <line>`, `alice mode leader`, `alice drop`. "
    "Also: status, r (new choices), reset, help, q."
)
PROMPT = "> "
HELP_DEAD_PARTY = "The character is dead. Type reset to start over, or q to quit."
# What each command word takes after the player; the word with anything else is an error
# (never a vote for the words as an action).
USAGE = {
    "crown": "`NAME crown` takes a free crown",
    "pass": "`NAME pass OTHER` passes the crown to another player",
    "drop": "`NAME drop` gives the crown up",
    "force": "`NAME force N` forces choice N",
    "veto": "`NAME veto N` strikes choice N out this turn",
    "twist": "`NAME twist <line>` gives the narrator a twist",
    "mode": "`NAME mode democracy|anarchy|leader` changes the voting mode",
    "r": "`r` (new choices) is typed alone on its line",
    "t": "`t` is for one player at the keyboard; in a party, vote or wait for the window",
    "q": "`q` is typed alone on its line",
    "status": "`status` is typed alone on its line",
    "help": "`help` is typed alone on its line",
}


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
        self,
        engine: Engine,
        key: SessionKey,
        console: Console,
        seats: list[tuple[str, str]],
        *,
        resume: str = "",
    ) -> None:
        self.engine = engine
        self.client = client_for(engine)
        self.key = key
        self.console = console
        self.seats = seats
        self.cartridge_id = ""
        self.resume = resume or f"glitchcart play --session {key}"
        # the turn on screen, its game and the choices shown for it
        self.shown: tuple[int, str | None, tuple[Choice, ...]] = (-1, None, ())
        self.at_prompt = False  # the prompt is waiting: what arrives now goes below it
        self.idle = asyncio.Event()  # the watcher is not printing
        self.idle.set()

    def note(self, line: str, *, whole: bool = False) -> None:
        """A dim line; ``whole`` keeps a command on one line for copying, never wrapped."""
        self.console.print(f"[dim]{escape(line)}[/]", soft_wrap=whole)

    def say(self, *lines: object) -> None:
        """Print what arrived on its own; at the prompt, below it, and show the prompt again."""
        if self.at_prompt:
            self.console.print()
        for line in lines:
            self.console.print(line)
        if self.at_prompt:
            self.console.print(f"[bold magenta]{PROMPT}[/]", end="")

    def who(self, token: str) -> str | None:
        if token.isdigit() and 1 <= int(token) <= len(self.seats):
            return self.seats[int(token) - 1][0]
        for ident, name in self.seats:
            if token.lower() in (ident.lower(), name.lower()):
                return ident
        return None

    def speaker(self, line: str) -> tuple[str | None, str]:
        """The player a line starts with (number, id or name, even a name of several
        words such as "al ice"), and the rest of the line."""
        lowered = line.lower()
        for ident, name in sorted(self.seats, key=lambda seat: -len(seat[1])):
            for said in (name.lower(), ident.lower()):
                rest = lowered[len(said) :]
                if lowered.startswith(said) and (not rest or rest[0] in " :,"):
                    return ident, line[len(said) :].lstrip(":, ")
        token, _, rest = line.partition(" ")
        return self.who(token.rstrip(":,")), rest

    def voting_on(self) -> tuple[int, str | None]:
        """The turn a vote is for (the one the choices on screen open) and its game."""
        turn, game_id, _ = self.shown
        return turn + 1, game_id

    async def run(self, ask: Callable[[], str], cartridge: str | None, seed: int | None) -> None:
        first, _ = await open_game(self.engine, self.client, self.key, cartridge, seed, self.note)
        self.cartridge_id = (await self.client.snapshot(session=self.key)).cartridge or ""
        for ident, name in self.seats:
            await self.client.join(ident, name=name, session=self.key)
        self.show_turn_of(first)
        self.note(HELP if first.state.alive else HELP_DEAD_PARTY)
        watcher = asyncio.create_task(self.watch())
        try:
            while True:
                try:
                    line = (await self.read(ask)).strip()
                except EOFError:
                    line = "q"
                except (KeyboardInterrupt, asyncio.CancelledError):
                    self.console.print()
                    self.note("Ctrl-C: saving and quitting.")
                    break
                if line.lower() in ("q", "quit", "exit"):
                    break
                if line:
                    try:
                        await self.step(line)
                    except GlitchcartError as exc:
                        self.console.print(f"[yellow]{escape(str(exc))}[/]")
                    await self.settle()  # show a closed turn before the next prompt
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        self.note(f"Saved. Resume with: {self.resume}", whole=True)

    async def read(self, ask: Callable[[], str]) -> str:
        self.at_prompt = True
        try:
            return await read_line(ask)
        finally:
            self.at_prompt = False

    async def settle(self) -> None:
        """Let the closed turn resolve and the watcher print what it brought."""
        await self.engine.drain()
        for _ in range(20):  # the watcher takes the events the turn published
            await asyncio.sleep(0)
        await self.idle.wait()  # and prints them (a death waits for its tape)

    def show_turn_of(self, turn: TurnRecord, offered: tuple[Choice, ...] | None = None) -> None:
        """A turn's box, with ``offered`` as its choices when they were written anew."""
        if offered is not None:
            turn = replace(turn, choices=offered)
        if self.at_prompt:
            self.console.print()
        cartridge = self.engine.cartridge(self.cartridge_id)
        show_turn(self.console, cartridge, turn, frame_path(self.engine, turn))
        self.shown = (turn.turn, turn.game_id, turn.choices)
        if self.at_prompt:
            self.console.print(f"[bold magenta]{PROMPT}[/]", end="")

    async def step(self, line: str) -> None:
        client, key = self.client, self.key
        lower = line.lower()
        if lower in ("help", "?"):
            self.console.print(HELP)
            return
        if lower == "status":
            await self.status()
            return
        if lower == "reset":
            self.show_turn_of(record(await client.reset(session=key)))
            return
        if lower == "r":
            view = await client.regenerate(session=key)
            offered = choices(view.choices)
            self.console.print(choices_text(offered))
            if view.state is not None:
                self.shown = (view.state.turn, view.game_id, offered)
            return
        player, rest = self.speaker(line)
        if player is None:
            raise InvalidInput(
                f"start the line with a player: {', '.join(n for _, n in self.seats)}"
            )
        rest = rest.strip()
        word, _, arg = rest.partition(" ")
        word = word.lower()
        turn, game_id = self.voting_on()
        if re.fullmatch(r"[+-]?\d+", rest):
            self.receipt(
                await client.vote(player, choice=int(rest), turn=turn, game_id=game_id, session=key)
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
            if word == "force":
                await client.force(player, choice=int(arg), turn=turn, game_id=game_id, session=key)
            else:
                await client.veto(player, int(arg), turn=turn, game_id=game_id, session=key)
                self.note(f"choice {arg.strip()} is struck out this turn")
        elif word == "twist" and arg:
            await client.twist(player, arg, session=key)
            self.note("the narrator will weave that into the next turn")
        elif word == "mode" and arg.strip().lower() in {m.value for m in VotingMode}:
            await client.set_mode(VotingMode(arg.strip().lower()), player=player, session=key)
            self.note(f"voting mode: {arg.strip().lower()}")
        elif word in USAGE:
            raise InvalidInput(USAGE[word])
        elif rest:
            self.receipt(
                await client.vote(player, action=rest, turn=turn, game_id=game_id, session=key)
            )
        else:
            raise InvalidInput("say what the player does")

    def receipt(self, receipt: VoteReceiptOut) -> None:
        """How many voted and when the window closes (a vote that closed it says nothing)."""
        if not receipt.closed and receipt.deadline is not None:
            left = receipt.deadline - self.engine.now()
            self.note(f"{receipt.voters} voted; the window closes in {left:.0f} s")

    async def status(self) -> None:
        snap = await self.client.snapshot(session=self.key)
        names = {i: n for i, n in self.seats}
        for p in snap.roster:
            crown = " 👑" if p.id == snap.crown else ""
            self.console.print(f"  {escape(names.get(p.id, p.name))}: {p.tier}{crown}")
        if snap.window is not None:
            ballots = ", ".join(
                f"{names.get(v.player, v.player)}→{v.candidate}" for v in snap.window.votes
            )
            left = snap.window.deadline - self.engine.now()
            self.console.print(f"  votes: {escape(ballots or 'none')} (closes in {left:.0f} s)")
        self.console.print(f"  mode: {snap.mode}")

    async def watch(self) -> None:
        async with contextlib.aclosing(self.client.events(session=self.key)) as events:
            async for event in events:
                self.idle.clear()
                try:
                    await self.render(event)
                finally:
                    self.idle.set()

    async def render(self, event: EventOut) -> None:
        data = event.data
        if event.kind == "window_closed":
            tally = data["tally"]
            counts = escape(", ".join(f"{c} ×{n}" for c, n in tally["counts"]))
            winner = escape(str(tally["winner"]))
            line = f"[bold]vote closed ({tally['reason']}):[/] {counts} → {winner}"
            if tally["tied"]:
                line += f" [dim](tie broken by the seeded roll {tally['roll']:.3f})[/]"
            self.say(line)
        elif event.kind == "choices":
            offered = tuple(Choice.from_dict(c) for c in data["choices"])
            if self.shown[0] == data["turn"]:
                if self.shown[2] != offered:  # written anew (another player's `r`)
                    self.shown = (data["turn"], self.shown[1], offered)
                    self.say("[dim]new choices:[/]", choices_text(offered))
                return
            found = await self.client.history(start=data["turn"], limit=1, session=self.key)
            if found.items:
                self.show_turn_of(record(found.items[0]), offered)
        elif event.kind == "game_over":
            found = await self.client.history(start=data["turn"], limit=1, session=self.key)
            if found.items:
                turn = record(found.items[0])
                self.show_turn_of(turn)
                await announce_tape(self.engine, self.client, self.key, turn.game_id, self.note)
                self.note(HELP_DEAD_PARTY)
        elif event.kind == "crown_moved":
            holder = escape(str(data.get("holder") or "nobody (the narrator rules)"))
            self.say(f"[bold yellow]crown:[/] {holder}")
        elif event.kind == "paused":
            self.say("[dim]paused: nobody is active[/]")
