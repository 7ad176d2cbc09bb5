"""The one 3x5 pixel font: tape captions and cards, and the offline painter's signs and
camcorder overlay. Upper case, digits, common punctuation.

Each glyph is 15 bits, three per row, top to bottom. Text is folded to what the
font can draw first: accents are dropped (``é`` is ``E``), ligatures and dashes
spelled out (``ß`` is ``SS``, ``—`` is ``-``), and a letter of another script is
``?``, so a caption says that something was there. Anything else without a glyph
(an emoji, a symbol) is left out; nothing is ever an error.

>>> wrap("search the road for tracks", 12)
['SEARCH THE', 'ROAD FOR', 'TRACKS']
>>> fold("café — ñandú")
'CAFE - NANDU'
"""

from __future__ import annotations

import functools
import unicodedata

from PIL import Image, ImageDraw

Ink = tuple[int, int, int] | tuple[int, int, int, int]

_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", "A": "010101111101101", "B": "110101110101110",
    "C": "011100100100011", "D": "110101101101110", "E": "111100110100111",
    "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101",
    "L": "100100100100111", "M": "101111111101101", "N": "110101101101101",
    "O": "010101101101010", "P": "110101110100100", "Q": "010101101111011",
    "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101",
    "X": "101101010101101", "Y": "101101010010010", "Z": "111001010100111",
    ":": "000010000010000", ".": "000000000000010", ",": "000000000010100",
    "-": "000000111000000", "/": "001001010100100", "!": "010010010000010",
    "?": "111001010000010", "'": "010010000000000", '"': "101101000000000",
    "(": "001010010010001", ")": "100010010010100", "+": "000010111010000",
    "#": "101111101111101", "%": "101001010100101", "&": "010101010101011",
    ">": "100010001010100", "<": "001010100010001", "=": "000111000111000",
    "_": "000000000000111", ";": "000010000010100", "*": "000101010101000",
}  # fmt: skip
ADVANCE = 4  # glyph width 3 + 1 column of space
HEIGHT = 5

# Spelled out before accents are dropped: what NFKD does not take apart.
_SPELLED = str.maketrans(
    {
        "ß": "SS", "ẞ": "SS", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "Ø": "O", "ø": "O",
        "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "Þ": "TH", "þ": "TH", "Ð": "D", "ð": "D",
        "ı": "I", "—": "-", "–": "-", "‒": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
        "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
        "…": "...", "×": "X", "·": ".", "•": "*", "\u00a0": " ",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """``text`` as the font draws it: upper case, accents dropped, one space between words."""
    out = []
    for ch in unicodedata.normalize("NFKD", text.translate(_SPELLED)).upper():
        if ch in _GLYPHS or ch == " ":
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch).startswith("L"):
            out.append("?")  # a letter of another script: something was written here
    return " ".join("".join(out).split())


def glyph(ch: str) -> str:
    """The 15 bits of a folded character; all zeros for a space or one without a glyph."""
    return _GLYPHS.get(ch, "0" * 3 * HEIGHT)


def _cell(bits: str) -> tuple[bytes, ...]:
    """A glyph's rows of mask bytes at one pixel per font pixel."""
    return tuple(
        bytes(255 if b == "1" else 0 for b in bits[r * 3 : r * 3 + 3]) for r in range(HEIGHT)
    )


_BLANK = _cell("0" * 3 * HEIGHT)
_CELLS = {ch: _cell(bits) for ch, bits in _GLYPHS.items() if "1" in bits}


def text_width(text: str, size: int) -> int:
    return max(0, len(fold(text)) * ADVANCE - 1) * size


def draw_text(draw: ImageDraw.ImageDraw, text: str, x: int, y: int, size: int, fill: Ink) -> None:
    """Draw ``text`` folded, each font pixel a ``size`` x ``size`` square."""
    mask = _line(fold(text), size)
    if mask is not None:
        draw.bitmap((x, y), mask, fill=fill)


@functools.lru_cache(maxsize=256)
def _line(text: str, size: int) -> Image.Image | None:
    """A line of glyphs as one mask: one draw call per line, not one per glyph."""
    cells = [_CELLS.get(ch, _BLANK) for ch in text]
    if all(cell is _BLANK for cell in cells):
        return None
    width = len(cells) * ADVANCE - 1
    rows = b"".join(b"\0".join(cell[r] for cell in cells) for r in range(HEIGHT))
    line = Image.frombytes("L", (width, HEIGHT), rows)
    return line.resize((width * size, HEIGHT * size), Image.Resampling.NEAREST)


def wrap(text: str, columns: int, max_lines: int | None = None) -> list[str]:
    """Folded words in lines of at most ``columns``; an overflow ends in ``...``."""
    columns = max(4, columns)
    lines: list[str] = []
    line = ""
    for word in fold(text).split():
        while len(word) > columns:  # a word longer than a line is cut into pieces
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:columns])
            word = word[columns:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= columns:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1][: columns - 3].rstrip() + "..."
        return kept
    return lines
