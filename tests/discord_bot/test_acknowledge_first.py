"""The 3-second rule, read from the source: every command, button and modal handler's
first await is the acknowledgement (``defer``, or ``send_modal`` for ``act``), before any
store, model or image work."""

from __future__ import annotations

import ast
from pathlib import Path

import glitchcart.discord as surface

FOLDER = Path(surface.__file__).parent
ACKNOWLEDGEMENTS = {"defer", "send_modal"}
HANDLER_NAMES = {"callback", "on_submit"}  # DynamicItem and Modal entry points


def handlers() -> list[tuple[str, ast.AsyncFunctionDef]]:
    found = []
    for path in sorted(FOLDER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            decorated = any("command" in ast.unparse(d) for d in node.decorator_list)
            if decorated or node.name in HANDLER_NAMES:
                found.append((f"{path.name}:{node.name}", node))
    return found


def first_await(function: ast.AsyncFunctionDef) -> ast.Await | None:
    awaits = [n for n in ast.walk(function) if isinstance(n, ast.Await)]
    return min(awaits, key=lambda n: (n.lineno, n.col_offset), default=None)


def test_there_are_handlers_to_check() -> None:
    names = {name.split(":")[1] for name, _ in handlers()}
    assert {"play", "act", "status", "take", "callback", "on_submit"} <= names


def test_every_handler_acknowledges_before_anything_else() -> None:
    late = []
    for name, function in handlers():
        first = first_await(function)
        call = first.value if first is not None else None
        ok = (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ACKNOWLEDGEMENTS
            and ast.unparse(call.func.value) == "interaction.response"
        )
        if not ok:
            late.append(name)
    assert late == []
