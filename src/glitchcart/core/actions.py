"""What a player may send as a move: a free action's text, a listed choice's number."""

from __future__ import annotations

from glitchcart.core.turn import Choice
from glitchcart.errors import InvalidAction


def check_action(text: object, max_length: int) -> str:
    """A free action's text with its spacing folded, or a clear :class:`InvalidAction`.

    >>> check_action("  open   the door ", 80)
    'open the door'
    """
    if not isinstance(text, str):
        raise InvalidAction("an action must be text")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidAction("an action cannot be empty")
    if len(cleaned) > max_length:
        raise InvalidAction(f"an action is at most {max_length} characters (got {len(cleaned)})")
    if any(not c.isprintable() for c in cleaned):
        raise InvalidAction("an action cannot contain control characters")
    return cleaned


def offered(choices: tuple[Choice, ...], number: object) -> Choice:
    """The listed choice ``number`` (1-based), or a clear :class:`InvalidAction`."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(choices):
        raise InvalidAction(f"choice must be a number from 1 to {len(choices)}")
    return choices[number - 1]
