"""The text an image model is asked to paint, and the filter it passes through.

:func:`picture_prompt` writes the prompt from the scene (place, time of day,
elements, mood), the cartridge's art style and palette, and the previous frame's
description so consecutive frames look like one film. :func:`filter_prompt`
then keeps gore and real people out, whatever the story said: gore words are
softened to what a horror film would show, and any request for a real person's
likeness is cut.

>>> filter_prompt("a bloody corpse by the door, photo of Tom Hanks")
'a dark still shape by the door'
"""

from __future__ import annotations

import re

from glitchcart.core.cartridge import Cartridge

MAX_PROMPT = 1000
GUARD = "No text or lettering, no gore, no real people."  # added after filtering

# Gore, and what a frame shows instead ("" drops the word).
_SOFTEN = {
    "blood": "shadow",
    "bloody": "dark",
    "bloodied": "dark",
    "bleeding": "hurt",
    "gore": "",
    "gory": "",
    "corpse": "still shape",
    "corpses": "still shapes",
    "dead body": "still shape",
    "dead bodies": "still shapes",
    "carcass": "shape",
    "entrails": "",
    "guts": "",
    "intestines": "",
    "viscera": "",
    "organs": "",
    "severed": "broken",
    "dismembered": "broken",
    "decapitated": "fallen",
    "beheaded": "fallen",
    "mutilated": "ruined",
    "disembowelled": "fallen",
    "disemboweled": "fallen",
    "flayed": "ruined",
    "skinned": "ruined",
    "wound": "scar",
    "wounds": "scars",
    "torture": "ordeal",
    "tortured": "haunted",
}
_GORE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _SOFTEN), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_WORD = r"(?:[A-Z]\.|[A-Z][\w'-]+)"  # a capitalised word or an initial, never a full stop
_NAME = _WORD + r"(?:\s+" + _WORD + r")+"
_REAL_PERSON = re.compile(
    r"[,;]?\s*\b(?:(?:a\s+)?(?:photo(?:graph)?|portrait|picture|image|likeness|face|caricature)"
    r"\s+of\s+(?:the\s+)?(?:real\s+|famous\s+|actual\s+)?"
    + _NAME
    + r"|(?:in\s+the\s+style\s+of|looks?\s+like|looking\s+like|resembl\w*|played\s+by|as)\s+"
    + _NAME
    + r")",
)
_PUBLIC_ROLE = re.compile(
    r"\b(?:celebrit(?:y|ies)|president|prime minister|politician|senator|king|queen|pope|"
    r"movie star|pop star|influencer)\b",
    re.IGNORECASE,
)


def filter_prompt(text: str) -> str:
    """``text`` with gore softened and real-person requests removed."""
    text = _REAL_PERSON.sub("", text)
    text = _PUBLIC_ROLE.sub("stranger", text)

    def soften(match: re.Match[str]) -> str:
        return _SOFTEN[match.group(1).lower()]

    text = _GORE.sub(soften, text)
    text = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", text))
    return re.sub(r"([,;])\s*([,;.])", r"\2", text).strip(" ,;")


def picture_prompt(
    cartridge: Cartridge,
    *,
    location: str,
    time_of_day: str,
    elements: tuple[str, ...],
    description: str,
    mood: str,
    chaos: int,
    previous: str | None = None,
) -> str:
    """The filtered prompt for one frame, at most :data:`MAX_PROMPT` characters."""
    art = cartridge.art
    parts = [
        f"{art.style}.",
        description.strip(),
        f"Setting: {location}, at {time_of_day}.",
        f"Visible: {', '.join(e.replace('-', ' ') for e in elements[:10])}.",
        f"Colour palette: {', '.join(art.palette)}.",
        f"Mood: {mood}" + (", the image glitching and distorted." if chaos >= 75 else "."),
    ]
    if art.motifs:
        parts.append(f"Motifs: {', '.join(art.motifs[:4])}.")
    if previous:
        parts.append(f"Keep continuity with the previous frame: {previous.strip()[:240]}")
    text = filter_prompt(" ".join(p for p in parts if p))[: MAX_PROMPT - len(GUARD) - 1]
    return f"{text} {GUARD}"
