"""How a session looks in a channel: plain functions from wire types to text and embeds.

Text that came from a player or a model is escaped (markdown and mentions) wherever it is
shown; Discord's own limits (embed sizes, button labels) are applied here, once.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from glitchcart.client.models import (
    ChoiceOut,
    SessionView,
    TallyOut,
    Turn,
    VoteOut,
    WindowOut,
)

DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
LABEL_LIMIT = 80
CONTENT_LIMIT = 2000
COLOUR = discord.Colour(0x9B59B6)
FRAME_FILE = "frame"  # attachment name stem: frame.png or frame.gif


def escape(text: str) -> str:
    """Player or model text made inert: no markdown, no mentions."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def countdown(deadline: float) -> str:
    """A relative timestamp that Discord's clients count down by themselves."""
    return f"<t:{int(deadline)}:R>"


def choice_label(number: int, choice: ChoiceOut) -> str:
    return clip(f"{number}. {choice.text}", LABEL_LIMIT)


def turn_embed(turn: int, title: str | None, narration: str) -> discord.Embed:
    """The message of a turn as soon as its narration exists."""
    heading = f"{title} · turn {turn}" if title else f"turn {turn}"
    return discord.Embed(
        title=clip(escape(heading), 256),
        description=clip(escape(narration), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )


def choices_field(choices: Sequence[ChoiceOut]) -> str:
    lines = [f"**{n}.** {escape(c.text)}" for n, c in enumerate(choices, start=1)]
    return clip("\n".join(lines), FIELD_LIMIT) or "—"


def votes_field(window: WindowOut | None, choices: Sequence[ChoiceOut]) -> str:
    """Where the vote stands: counts per choice and the countdown, or an invitation."""
    if window is None:
        return "Vote with the buttons; the first vote starts the countdown."
    counts = _counts(window.votes)
    parts = [f"{n}: {counts.get(f'choice:{n}', 0)}" for n in range(1, len(choices) + 1)]
    actions = sum(v for k, v in counts.items() if k.startswith("action:"))
    if actions:
        parts.append(f"free actions: {actions}")
    voters = len(window.votes)
    return clip(
        f"{' · '.join(parts)}\n{voters} voter{'s' if voters != 1 else ''}, "
        f"closes {countdown(window.deadline)}",
        FIELD_LIMIT,
    )


def tally_field(tally: TallyOut, choices: Sequence[ChoiceOut]) -> str:
    """The closed window: counts, the winner, and the published tie-break roll."""
    counts = " · ".join(f"{_candidate(c, choices)}: {n}" for c, n in tally.counts) or "no votes"
    lines = [counts, f"chosen: {_candidate(tally.winner, choices)} ({tally.reason})"]
    if tally.tied:
        roll = f"{tally.roll:.4f}" if tally.roll is not None else "—"
        tied = ", ".join(_candidate(c, choices) for c in tally.tied)
        lines.append(f"tie between {tied}, broken by the roll {roll}")
    lines.append(f"{len(tally.ballots)} ballot{'s' if len(tally.ballots) != 1 else ''}")
    return clip("\n".join(lines), FIELD_LIMIT)


def view_embed(view: SessionView) -> discord.Embed | None:
    """The current turn of a session as one embed (the turn message rebuilt from a
    snapshot), or None when no game runs."""
    last: Turn | None = view.last
    if last is None:
        return None
    embed = turn_embed(last.turn, view.title, last.narration)
    if view.phase == "ready" and view.choices:
        embed.add_field(name="Choices", value=choices_field(view.choices), inline=False)
        embed.add_field(name="Votes", value=votes_field(view.window, view.choices), inline=False)
    return embed


def status_text(view: SessionView) -> str:
    if view.phase == "empty" or view.state is None:
        return "No game here yet: `/glitch play` starts one."
    state = view.state
    lines = [
        f"**{escape(view.title or view.cartridge or '?')}** · turn {state.turn} · {view.phase}",
        f"health {state.health}/{state.max_health} · chaos {state.chaos} ({state.chaos_phase})",
        f"at {escape(state.location)}, {escape(state.time_of_day)}",
        f"voting: {view.mode.value}"
        + (f" · crown: <@{view.crown}>" if view.crown and view.crown.isdigit() else ""),
    ]
    if state.inventory:
        lines.append("carrying: " + escape(", ".join(state.inventory)))
    if not state.alive:
        lines.append(f"dead: {escape(state.cause_of_death or 'unknown')}")
    if view.window is not None:
        lines.append(f"vote closes {countdown(view.window.deadline)}")
    return clip("\n".join(lines), CONTENT_LIMIT)


def _counts(votes: Sequence[VoteOut]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for vote in votes:
        counts[vote.candidate] = counts.get(vote.candidate, 0) + 1
    return counts


def _candidate(candidate: str, choices: Sequence[ChoiceOut]) -> str:
    kind, _, rest = candidate.partition(":")
    if kind == "choice" and rest.isdigit() and 1 <= int(rest) <= len(choices):
        return f"{rest}. {escape(clip(choices[int(rest) - 1].text, 60))}"
    if kind == "action":
        return f"“{escape(clip(rest, 60))}”"
    return escape(candidate)
