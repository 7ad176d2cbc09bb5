"""Where and who: the session of a channel and the player of a user."""

from __future__ import annotations

import discord

from glitchcart.core.keys import SessionKey

NAME_LIMIT = 200


def session_of(channel_id: int) -> SessionKey:
    """The session of a channel (a thread is its own channel): ``discord:<channel id>``."""
    return SessionKey.parse(f"discord:{channel_id}")


def player_of(user: discord.abc.User) -> str:
    """A player is the Discord user who acted, by id (names change; ids do not)."""
    return str(user.id)


def name_of(user: discord.abc.User) -> str:
    """The name the game shows (escaped wherever it is shown)."""
    return user.display_name[:NAME_LIMIT]
