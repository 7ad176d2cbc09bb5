"""Refusals and answers in plain words, always ephemeral, after the acknowledgement."""

from __future__ import annotations

from typing import Any

import discord

from glitchcart.errors import (
    Conflict,
    Forbidden,
    GameOver,
    GlitchcartError,
    InvalidInput,
    LimitExceeded,
    NoGameRunning,
    NotFound,
    RateLimited,
    SessionNotFound,
    StorageError,
    TurnResolving,
    Unreachable,
    WrongTurn,
)

TURN_OVER = "That turn is over: vote on the newest message."
NO_GAME = "No game here yet: `/glitch play` starts one."
MANAGE_ONLY = "Only someone with Manage Channels (or the crown) may do that here."
NOT_IN_CHANNEL = "Games are played in server channels and threads."


def refusal(exc: GlitchcartError) -> str:
    """One short sentence for an error; the project's message where it is for players."""
    if isinstance(exc, SessionNotFound | NoGameRunning):
        return NO_GAME
    if isinstance(exc, WrongTurn):
        return TURN_OVER
    if isinstance(exc, TurnResolving):
        return "The turn is being resolved; try again in a moment."
    if isinstance(exc, GameOver):
        return "The character is dead: `/glitch reset` or `/glitch play` to go again."
    if isinstance(exc, RateLimited):
        return "Slow down a little, then try again."
    if isinstance(exc, Unreachable | StorageError):
        return "The game cannot be reached right now; try again soon."
    if isinstance(exc, Forbidden | Conflict | InvalidInput | NotFound | LimitExceeded):
        return _sentence(str(exc))
    return "That did not work."


def _sentence(text: str) -> str:
    text = text.strip() or "That did not work"
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


async def say(interaction: discord.Interaction[Any], text: str, **kwargs: Any) -> None:
    """Answer only the one who acted (after ``defer``: a follow-up)."""
    await interaction.followup.send(text[:2000], ephemeral=True, **kwargs)
