"""Issue 12 item 21: --version, and help in the shell's words (no <bool>, no {key})."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from glitchcart.cli.app import app


def every_command() -> list[list[str]]:
    """The path of every command and group, from the command line's own tree."""
    paths: list[list[str]] = [[]]
    root = typer.main.get_command(app)

    def walk(group: Any, path: list[str]) -> None:  # typer carries its own click
        for name, command in group.commands.items():
            paths.append([*path, name])
            if hasattr(command, "commands"):
                walk(command, [*path, name])

    walk(root, [])
    assert len(paths) > 15
    return paths


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"glitchcart {version('glitchcart')}"


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "glitchcart")
def test_help_names_parameters_as_a_shell_user_writes_them(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    for typer_word in ("<bool>", "<str>", "<int>", "<path>", "{"):
        assert typer_word not in result.output, (typer_word, result.output)
