"""Replay tapes as plain data: what a tape shows, built from committed turns only.

A tape is a title card, one shot per committed turn (its picture with a caption
bar: the turn, the choice, the fate) and a closing card. :func:`tape_script`
turns turn records and their picture bytes into a :class:`TapeScript`; an
encoder adapter renders the script as a GIF or an MP4. Nothing here does I/O.

>>> TurnSpan.parse("3-12")
TurnSpan(first=3, last=12)
>>> TurnSpan.parse("5-").last is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from glitchcart.core.cartridge import ArtStyle, Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import InputKind, TurnRecord
from glitchcart.errors import InvalidInput

TapeFormat = Literal["gif", "mp4"]
TAPE_FORMATS: tuple[TapeFormat, ...] = ("gif", "mp4")
MAX_TURN = 10_000_000
_SPAN = re.compile(r"\s*(\d{1,8})?\s*(-)?\s*(\d{1,8})?\s*", re.ASCII)


def parse_format(raw: object) -> TapeFormat:
    """``gif`` or ``mp4``; anything else is :class:`InvalidInput`."""
    for fmt in TAPE_FORMATS:
        if raw == fmt:
            return fmt
    raise InvalidInput(f"unknown tape format {str(raw)[:20]!r}: expected gif or mp4")


@dataclass(frozen=True, slots=True)
class TurnSpan:
    """An inclusive range of turns; ``last=None`` runs to the last committed turn."""

    first: int = 0
    last: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.first <= MAX_TURN or (
            self.last is not None and not self.first <= self.last <= MAX_TURN
        ):
            raise InvalidInput("a turn range must run forwards from turn 0 (e.g. 3-12)")

    @classmethod
    def parse(cls, text: str) -> TurnSpan:
        """``A-B``, ``A-`` (to the end), ``-B`` (from the start) or ``A`` (one turn)."""
        match = _SPAN.fullmatch(text) if isinstance(text, str) else None
        if match is None or not (match[1] or match[3]):
            raise InvalidInput("a turn range looks like 3-12, 3- or -12")
        first = int(match[1]) if match[1] else 0
        if match[2] is None:
            return cls(first, first)
        return cls(first, int(match[3]) if match[3] else None)

    def __contains__(self, turn: object) -> bool:
        return (
            isinstance(turn, int)
            and turn >= self.first
            and (self.last is None or turn <= self.last)
        )


@dataclass(frozen=True, slots=True)
class TapeLook:
    """The found-footage finish, tuned by the cartridge's art style. Colours are RGB."""

    scanlines: bool
    grain: float
    bar: tuple[int, int, int]
    ink: tuple[int, int, int]
    accent: tuple[int, int, int]


def tape_look(art: ArtStyle) -> TapeLook:
    """The palette reads sky-top, sky-bottom, ground, accent, highlight (see the cartridges)."""
    sky_top, accent, highlight = (_rgb(art.palette[i]) for i in (0, 3, 4))
    bar = (sky_top[0] // 3, sky_top[1] // 3, sky_top[2] // 3)
    return TapeLook(art.scanlines, art.grain, bar, highlight, accent)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@dataclass(frozen=True, slots=True)
class TapeShot:
    """One committed turn on the tape: its picture (PNG, or a GIF flipbook) and caption."""

    turn: int
    heading: str  # "TURN 3"
    fate: Fate | None
    dead: bool
    caption: str  # what was chosen or done
    picture: bytes | None  # None: the turn has no picture; shown as a "no signal" frame
    stamp: float  # when the turn was committed (UTC seconds), for the date stamp


@dataclass(frozen=True, slots=True)
class TapeCard:
    """A title or closing card: a big first line, then small ones."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TapeScript:
    title: TapeCard
    shots: tuple[TapeShot, ...]
    closing: TapeCard
    look: TapeLook
    seed: int  # for the cards' grain: the same script renders the same bytes
    size: tuple[int, int] = (512, 288)  # picture size used when no shot has a picture

    @property
    def frames(self) -> int:
        """Cards plus shots: a still tape has exactly this many frames."""
        return len(self.shots) + 2


@dataclass(frozen=True, slots=True)
class EncodedTape:
    """What an encoder made: the file and how it had to be squeezed to fit the cap."""

    data: bytes
    frames: int  # frames written (a flipbook shot counts its own frames)
    width: int
    height: int
    colours: int | None  # GIF palette size; None for video
    scale: float  # 1.0 unless the size cap forced the frames smaller


def caption_for(record: TurnRecord) -> str:
    """What happened on the turn, as the caption bar shows it."""
    kind = record.input.kind
    if kind is InputKind.START:
        return "prologue"
    if kind is InputKind.HESITATE:
        return "hesitated"
    if kind is InputKind.TICK:
        return "time passes"
    return record.input.text


def shot_for(record: TurnRecord, picture: bytes | None) -> TapeShot:
    return TapeShot(
        turn=record.turn,
        heading=f"TURN {record.turn}",
        fate=record.fate,
        dead=not record.state.alive,
        caption=caption_for(record),
        picture=picture,
        stamp=record.created_at,
    )


def tape_script(
    key: SessionKey,
    cartridge: Cartridge,
    records: Sequence[TurnRecord],
    pictures: Sequence[bytes | None],
    *,
    seed: int,
    size: tuple[int, int] = (512, 288),
) -> TapeScript:
    """The script of a tape of ``records`` (committed, in turn order, at least one)."""
    if not records or len(records) != len(pictures):
        raise InvalidInput("a tape needs at least one committed turn and one picture slot each")
    first, last = records[0], records[-1]
    span = f"TURNS {first.turn}-{last.turn}" if first.turn != last.turn else f"TURN {first.turn}"
    title = TapeCard(cartridge.title, (f"SESSION {key}", f"GAME {first.game_id}", span))
    if last.state.alive:
        closing = TapeCard("END OF TAPE", (span, f"{len(records)} TURNS ON TAPE"))
    else:
        cause = last.state.cause_of_death or "unknown"
        closing = TapeCard("SIGNAL LOST", (f"CAUSE: {cause}", f"SURVIVED {last.turn} TURNS"))
    shots = tuple(shot_for(r, p) for r, p in zip(records, pictures, strict=True))
    return TapeScript(title, shots, closing, tape_look(cartridge.art), seed, size)
