"""Player ids and display names: what a player may be called.

A player id is what a surface knows a player by (a Discord user id, a web player
id, a terminal seat): :data:`glitchcart.core.ids.PLAYER_ID`, 1-64 ASCII letters,
digits, ``_``, ``.`` and ``-``, starting with a letter, digit or ``_`` (so never
``.``/``..``, read as paths), and never a word other layers read as no value or a
literal (``null``, ``undefined``, ``none``...: :data:`~glitchcart.core.ids.RESERVED_PLAYER_IDS`,
in any case). Within a session two ids that differ only in case are
the same name: the second is refused (:func:`same_id`), so ``ALICE`` can't pose as
``alice`` in a roster or a tally.

A display name is text: at most :data:`MAX_DISPLAY_NAME` characters, no control, format
or bidirectional-override characters (they reorder or hide what is shown around
them). It is stored as given and escaped by every surface that shows it.
"""

from __future__ import annotations

import unicodedata

from glitchcart.core.ids import PLAYER_ID, RESERVED_PLAYER_IDS, is_reserved_player_id
from glitchcart.errors import InvalidInput

MAX_DISPLAY_NAME = 40


def check_player_id(player_id: object) -> str:
    """``player_id`` if it is a valid player id; :class:`InvalidInput` if not."""
    if not isinstance(player_id, str) or not PLAYER_ID.fullmatch(player_id):
        raise InvalidInput(
            "invalid player id: expected 1-64 of A-Z a-z 0-9 _ . -, starting with A-Z a-z 0-9 _"
        )
    if is_reserved_player_id(player_id):
        words = ", ".join(sorted(RESERVED_PLAYER_IDS))
        raise InvalidInput(f"player id {player_id!r} is reserved (as are {words}, in any case)")
    return player_id


def same_id(a: str, b: str) -> bool:
    """Whether two player ids name the same player (ids are compared case-folded)."""
    return a.casefold() == b.casefold()


def _hidden(char: str) -> bool:
    """Control (Cc), format (Cf: bidi overrides and isolates, zero-width joiners...),
    line and paragraph separators, surrogates and unassigned code points."""
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def check_name(name: object) -> str:
    """A display name, its runs of spaces folded; :class:`InvalidInput` if it is too
    long, empty, or holds a control or bidirectional-override character."""
    if not isinstance(name, str):
        raise InvalidInput("a display name is text")
    bad = next((c for c in name if _hidden(c)), None)
    if bad is not None:
        raise InvalidInput(
            f"a display name can't hold control or direction characters (U+{ord(bad):04X})"
        )
    folded = " ".join(name.split())
    if not folded:
        raise InvalidInput("a display name is not empty")
    if len(folded) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"a display name is at most {MAX_DISPLAY_NAME} characters")
    return folded
