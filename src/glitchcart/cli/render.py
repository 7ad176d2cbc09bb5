"""How the terminal shows a turn: Rich panels for people, JSON lines for programs."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, InputKind, TurnRecord
from glitchcart.ports import SessionSummary

# Rich counts an emoji followed by VARIATION SELECTOR-16 as one cell, a terminal draws
# two: the box border moves. Without the selector both agree on the text form.
_WIDTH_DISAGREES = dict.fromkeys(map(ord, "\ufe0f\u200d"), None)


def boxed(text: str) -> str:
    """Text that Rich and the terminal measure alike, for a panel or a table."""
    return text.translate(_WIDTH_DISAGREES)


FATE_STYLE = {Fate.LUCKY: "bold green", Fate.NORMAL: "bold yellow", Fate.UNLUCKY: "bold red"}


def turn_json(key: SessionKey, record: TurnRecord, frame_path: str | None) -> dict[str, Any]:
    """One turn as the ``--json`` line: stable field names for scripts."""
    state = record.state
    return {
        "session": str(key),
        "game_id": record.game_id,
        "turn": record.turn,
        "input": record.input.to_dict(),
        "fate": record.fate.value if record.fate else None,
        "narration": record.narration,
        "choices": [c.text for c in record.choices],
        "alive": state.alive,
        "frame": frame_path,
        "state": {
            "health": state.health,
            "max_health": state.max_health,
            "inventory": list(state.inventory),
            "injuries": list(state.injuries),
            "location": state.location,
            "time_of_day": state.time_of_day,
            "chaos": state.chaos,
            "chaos_phase": state.chaos_phase,
        },
        "cause_of_death": state.cause_of_death,
    }


def health_bar(state: WorldState) -> Text:
    full = max(0, state.health)
    bar = Text("♥" * full, style="red") + Text("♡" * (state.max_health - full), style="dim")
    return bar + Text(f" {state.health}/{state.max_health}")


def status_table(cartridge: Cartridge, state: WorldState) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan")
    table.add_column()
    try:
        place = cartridge.location(state.location).name
    except KeyError:
        place = state.location
    table.add_row("health", health_bar(state))
    table.add_row("where", Text(f"{place} · {state.time_of_day}"))  # Text: never markup
    table.add_row("chaos", Text(f"{state.chaos} ({state.chaos_phase})"))
    table.add_row("carrying", Text(", ".join(state.inventory) or "nothing"))
    if state.injuries:
        table.add_row("injuries", Text(", ".join(state.injuries), style="red"))
    return table


def choices_text(choices: tuple[Choice, ...]) -> Text:
    text = Text()
    for i, choice in enumerate(choices, start=1):
        text.append(f"  {i}. ", style="bold magenta")
        text.append(choice.text + "\n")
    return text


def show_turn(
    console: Console, cartridge: Cartridge, record: TurnRecord, frame_path: str | None
) -> None:
    """Print one turn: what was done, the fate, the narration, the state, the choices."""
    if record.input.kind is InputKind.START:
        title = f"[bold]{cartridge.title}[/] — {cartridge.genre}"
    else:
        who = f"{record.input.player}: " if record.input.player else ""
        title = escape(boxed(f"turn {record.turn} · {who}{record.input.text}"))  # a player's words
    parts: list[Any] = []
    if record.fate is not None:
        parts.append(Text(f"FATE: {record.fate.value}", style=FATE_STYLE[record.fate]))
    parts.append(Text(boxed(record.narration)))
    console.print(Panel(Group(*parts), title=title, title_align="left", border_style="blue"))
    console.print(status_table(cartridge, record.state))
    if frame_path:
        console.print(Text(f"picture: {frame_path}", style="dim"))
    if not record.state.alive:
        cause = record.state.cause_of_death or "unknown causes"
        console.print(Panel(Text(f"You died ({cause}).", style="bold red"), border_style="red"))
    else:
        console.print(choices_text(record.choices))


def sessions_table(rows: list[SessionSummary]) -> Table:
    table = Table(title="sessions")
    widest = max((len(s.game_id or "") for s in rows), default=0)
    for col in ("session", "cartridge", "game", "turn", "state", "version"):
        if col == "game":  # printed whole: a cut id cannot be typed back
            table.add_column(col, no_wrap=True, min_width=widest)
        else:
            table.add_column(col)
    for s in rows:
        state = "dead" if not s.alive else s.phase
        table.add_row(
            str(s.key), s.cartridge or "-", s.game_id or "-", str(s.turn), state, str(s.version)
        )
    return table


def cartridges_table(cartridges: list[Cartridge]) -> Table:
    table = Table(title="cartridges")
    for col in ("id", "title", "genre", "openings"):
        table.add_column(col)
    for c in cartridges:
        table.add_row(c.id, c.title, c.genre, str(len(c.openings)))
    return table
