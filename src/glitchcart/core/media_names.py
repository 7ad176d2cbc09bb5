"""Deterministic names for a game's built media: tapes, video segments and films.

The same request over the same committed turns always maps to the same name, so
a repeated request finds the file already made, and two builders (in one process
or two) race for one name that the media store never overwrites. Every name
starts with ``<game>-``, so a game's media can be told apart from another's.

>>> tape_name("a1b2", 0, 12, "gif", "0123456789")
'a1b2-tape-00000-00012-0123456789.gif'
>>> parse_tape_name("a1b2-tape-00000-00012-0123456789.gif").last
12
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from glitchcart.core.tape import TapeFormat
from glitchcart.core.turn import TurnRecord

_SAFE_GAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}", re.ASCII)
_TAPE = re.compile(
    r"(?P<game>[A-Za-z0-9][A-Za-z0-9_-]*)-tape-(?P<first>\d{5,8})-(?P<last>\d{5,8})"
    r"-(?P<fp>[0-9a-f]{10})\.(?P<fmt>gif|mp4)",
    re.ASCII,
)
_FILM = re.compile(
    r"(?P<game>[A-Za-z0-9][A-Za-z0-9_-]*)-film-(?P<first>\d{5,8})-(?P<last>\d{5,8})"
    r"-[0-9a-f]{10}\.mp4",
    re.ASCII,
)
# What follows "<game>-" in a frame, segment, tape or film name.
_OWN_REST = re.compile(
    r"\d{5,8}\.(png|gif|mp4)|(tape|film)-\d{5,8}-\d{5,8}-[0-9a-f]{10}\.(gif|mp4)", re.ASCII
)


def game_part(game_id: str) -> str:
    """``game_id`` if it is safe in a file name, else a stable hash of it."""
    if _SAFE_GAME.fullmatch(game_id):
        return game_id
    return "g" + hashlib.sha256(game_id.encode()).hexdigest()[:16]


def fingerprint(records: Sequence[TurnRecord], *options: object) -> str:
    """Ten hex digits over what the turns show and how they are rendered."""
    doc = [
        [
            r.turn,
            r.created_at,
            r.frame.name if r.frame else None,
            r.input.text,
            r.fate.value if r.fate else None,
            r.state.alive,
        ]
        for r in records
    ]
    text = json.dumps([doc, [str(o) for o in options]], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def tape_name(game_id: str, first: int, last: int, fmt: TapeFormat, print_: str) -> str:
    return f"{game_part(game_id)}-tape-{first:05d}-{last:05d}-{print_}.{fmt}"


@dataclass(frozen=True, slots=True)
class TapeName:
    game: str
    first: int
    last: int
    format: TapeFormat


def parse_tape_name(name: str) -> TapeName | None:
    """The parts of a name made by :func:`tape_name`; None for any other file."""
    match = _TAPE.fullmatch(name)
    if match is None:
        return None
    fmt: TapeFormat = "gif" if match["fmt"] == "gif" else "mp4"
    return TapeName(match["game"], int(match["first"]), int(match["last"]), fmt)


def segment_name(game_id: str, turn: int) -> str:
    """The video clip of one turn, named like its frame."""
    return f"{game_part(game_id)}-{turn:05d}.mp4"


def film_name(game_id: str, first: int, last: int, print_: str) -> str:
    return f"{game_part(game_id)}-film-{first:05d}-{last:05d}-{print_}.mp4"


def parse_film_name(name: str) -> TapeName | None:
    """The parts of a name made by :func:`film_name` (always MP4); None for any other."""
    match = _FILM.fullmatch(name)
    if match is None:
        return None
    return TapeName(match["game"], int(match["first"]), int(match["last"]), "mp4")


def belongs_to_game(name: str, game_id: str) -> bool:
    """True for every media name this module (or the engine's frames) made for the game."""
    prefix = game_part(game_id) + "-"
    return name.startswith(prefix) and bool(_OWN_REST.fullmatch(name[len(prefix) :]))
