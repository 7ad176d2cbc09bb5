"""Help text in the shell's own words: ``--seed SEED``, ``tape KEY``.

Typer renders every flag as ``--json <bool>`` and a required argument as
``{key}``, which reads as something to type. Every group of the command line is
a :class:`PlainHelp`; before a command is shown or run, its options get a
metavar named after them (none for a flag) and its arguments their name in
capitals, the way ``git`` and ``click`` write them. (Typer carries its own copy
of click, so parameters are told apart by ``param_type_name``.)
"""

from __future__ import annotations

import types
from typing import Any

from typer.core import TyperGroup


class PlainHelp(TyperGroup):
    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command, TyperGroup):
            plain(command, ctx)
        return command

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        _plain_params(params)
        return params


def plain(command: Any, ctx: Any) -> None:
    """Name ``command``'s parameters as a shell user writes them (idempotent)."""
    _plain_params(command.get_params(ctx))
    command.collect_usage_pieces = types.MethodType(_usage, command)


def _plain_params(params: list[Any]) -> None:
    for param in params:
        name = (param.name or "value").upper()
        if param.param_type_name == "option":
            if param.metavar is None or param.metavar.startswith("<"):
                param.metavar = "" if param.is_flag else name
        elif param.param_type_name == "argument":
            param.metavar = param.metavar or name
            param.display_type_rich = _no_type


def _no_type(ctx: Any) -> None:
    return None


def _usage(self: Any, ctx: Any) -> list[str]:
    pieces = [self.options_metavar] if self.options_metavar else []
    for param in self.get_params(ctx):
        if param.param_type_name == "argument":
            name = param.metavar or (param.name or "value").upper()
            more = "..." if param.nargs != 1 else ""
            pieces.append(f"{name}{more}" if param.required else f"[{name}{more}]")
    return pieces
