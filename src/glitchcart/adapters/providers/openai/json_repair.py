"""Getting one JSON object out of a model's text, and reading a field while it streams.

Servers without JSON-schema output answer in prose that usually contains the
object: wrapped in a code fence, followed by a remark, with a trailing comma,
Python's ``True``/``None``, or cut off by the token limit. :func:`parse_object`
repairs exactly those cases and refuses anything else with :class:`ValueError`;
it never guesses at content.

>>> parse_object('Sure! ```json\\n{"a": [1, 2,], "b": True}\\n``` Enjoy.')
{'a': [1, 2], 'b': True}
>>> parse_object('{"narration": "The door creaks')
{'narration': 'The door creaks'}
"""

from __future__ import annotations

import json
import re
from typing import Any

_CLOSERS = {"{": "}", "[": "]"}
_PY_WORDS = {"True": "true", "False": "false", "None": "null"}
MAX_INPUT = 200_000


def parse_object(text: str) -> dict[str, Any]:
    """The first JSON object in ``text``, repaired if needed; ValueError if there is none."""
    if len(text) > MAX_INPUT:
        raise ValueError("reply too long")
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict):
        return whole
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the reply")
    candidate = _balanced(text[start:])
    try:
        found = json.loads(_clean(candidate))
    except ValueError as exc:
        raise ValueError(f"unrepairable JSON ({exc.__class__.__name__})") from exc
    if not isinstance(found, dict):
        raise ValueError("the reply is not a JSON object")
    return found


def _balanced(text: str) -> str:
    """``text`` up to the brace that closes its first ``{``, closing what a cut-off left open."""
    stack: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in "}]":
            if not stack or stack[-1] != ch:
                raise ValueError("mismatched brackets in the reply")
            stack.pop()
            if not stack:
                return text[: i + 1]
    # Cut off (e.g. by the token limit): close the open string, drop a dangling key,
    # comma or colon, then close the open brackets.
    tail = text if in_string else text.rstrip()
    if in_string:
        tail = (tail[:-1] if escaped else tail) + '"'
    if stack[-1] == "}":
        tail = re.sub(r'([{,])\s*"(?:[^"\\]|\\.)*"\s*:?\s*$', r"\1", tail)
    tail = re.sub(r"[,:]\s*$", "", tail)
    return tail + "".join(reversed(stack))


def _clean(text: str) -> str:
    """Drop trailing commas and turn Python literals into JSON ones, outside strings."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if ch == ",":
            rest = text[i + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                i += 1
                continue
        word = re.match(r"True|False|None", text[i:]) if ch in "TFN" else None
        if word and not (out and out[-1][-1:].isalnum()):
            out.append(_PY_WORDS[word.group()])
            i += len(word.group())
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def partial_string(text: str, field: str) -> str | None:
    """The decoded value of string ``field`` so far in a JSON text that is still arriving.

    >>> partial_string('{"narration": "You step \\\\"in\\\\u00', "narration")
    'You step "in'
    """
    match = re.search(r'"' + re.escape(field) + r'"\s*:\s*"', text)
    if match is None:
        return None
    out: list[str] = []
    i, n = match.end(), len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            break
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            break
        code = text[i + 1]
        if code == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) < 4:
                break
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                break
            i += 6
            continue
        out.append({"n": "\n", "t": "\t", "r": "", "b": "", "f": ""}.get(code, code))
        i += 2
    return "".join(out)
