"""What the crown and an open vote guard: the moves that could undo others' moves.

While a crown is held, the moves that replace the game or the turn's choices (a
reset or swap, a direct turn, new choices, the session's options, the voting mode)
are its holder's; anyone else is refused with the holder named. New choices are
also refused while the open window holds votes: they would void votes the players
were told were counted.
"""

from __future__ import annotations

from glitchcart.core.session import SessionRecord
from glitchcart.errors import Conflict, Forbidden


class Unnamed:
    """A move made by nobody in particular (a timer's): the crown does not guard it."""


UNNAMED = Unnamed()


def holder_only(record: SessionRecord, player: str | None, what: str) -> None:
    """Refuse ``player`` to ``what`` while someone else holds the crown."""
    if record.crown is not None and player != record.crown:
        by = "nobody named" if player is None else repr(player)
        raise Forbidden(f"the crown is held by {record.crown!r}: only they may {what} ({by} asked)")


def no_votes_lost(record: SessionRecord) -> None:
    """Refuse to replace the choices of a turn that already has votes."""
    window = record.window
    if window is not None and window.votes:
        raise Conflict(
            f"{len(window.votes)} vote(s) are counted in the open window of turn "
            f"{window.turn}; new choices would void them. Wait for the window to close."
        )
