"""The story so far in a few lines, and the lore worth mentioning: pure rules, no I/O.

A model sees a bounded prompt however long a game runs. Two rules keep it so:

- :func:`extractive_summary` folds new events into the running summary by
  keeping whole lines: the first (how the story began) and then the newest that
  fit in ``max_chars``. It is the offline rule, and what a model-written summary
  falls back to.
- :func:`select_lore` picks the cartridge's lore entries whose trigger words
  occur in what is on the table this turn, best match first, within a budget.

>>> extractive_summary(("arrived at the tower",), ("searched the shack", "fled"), 40)
'arrived at the tower. … fled.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from glitchcart.core.cartridge import LoreEntry

GAP = "…"
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters per token) for budgeting prompts."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def summary_lines(summary: str) -> tuple[str, ...]:
    """The lines of a summary written by :func:`extractive_summary`, gap marker excluded."""
    parts = (p.strip() for p in re.split(r"(?<=[.!?])\s+", summary.replace(GAP, " ").strip()))
    return tuple(p.rstrip(".") for p in parts if p)


def extractive_summary(previous: Iterable[str], new: Iterable[str], max_chars: int) -> str:
    """The first line, a gap marker if lines were dropped, then the newest lines that fit.

    Lines are kept whole and in story order; blank and repeated lines are dropped.
    """
    lines: list[str] = []
    for raw in (*previous, *new):
        line = " ".join(raw.split()).rstrip(".")
        if line and line not in lines:
            lines.append(line)
    if not lines:
        return ""
    first, rest = lines[0], lines[1:]
    kept: list[str] = []
    used = len(first) + 1
    for line in reversed(rest):
        cost = len(line) + 2
        if used + cost + len(GAP) + 1 > max_chars:
            break
        kept.insert(0, line)
        used += cost
    body = [first, *([GAP] if len(kept) < len(rest) else []), *kept]
    text = " ".join(part if part == GAP else f"{part}." for part in body)
    return text[:max_chars]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.casefold()))


def _hits(entry: LoreEntry, words: set[str], text: str) -> int:
    hits = 0
    for key in entry.keys:
        key_words = re.findall(r"[a-z0-9']+", key.casefold())
        if not key_words:
            continue
        if len(key_words) == 1:
            hits += key_words[0] in words
        else:
            phrase = r"\b" + r"\W+".join(map(re.escape, key_words)) + r"\b"
            hits += re.search(phrase, text) is not None
    return hits


def select_lore(
    lore: Iterable[LoreEntry], context: Iterable[str], *, max_chars: int = 1200, limit: int = 4
) -> tuple[LoreEntry, ...]:
    """Lore entries triggered by ``context``, most trigger words matched first.

    A trigger word matches whole words, case-insensitively; a multi-word trigger
    matches as a phrase. Ties keep the cartridge's order. Entries that would
    overflow ``max_chars`` are skipped.
    """
    text = " ".join(context).casefold()
    words = _words(text)
    scored = [(_hits(entry, words, text), i, entry) for i, entry in enumerate(lore)]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    chosen: list[LoreEntry] = []
    used = 0
    for _, _, entry in ranked:
        if len(chosen) >= limit:
            break
        if used + len(entry.text) > max_chars:
            continue
        chosen.append(entry)
        used += len(entry.text)
    return tuple(chosen)
