"""Issue 12 item 3: every command answers a bad setting with one line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from glitchcart.cli.app import app

BAD = [
    ({"GLITCHCART_VIDEO": "maybe"}, "GLITCHCART_VIDEO: expected true or false"),
    ({"GLITCHCART_SESSION_BUDGET": "lots"}, "GLITCHCART_SESSION_BUDGET: expected a valid number"),
    ({"GLITCHCART_API_KEYS": "notjson"}, "GLITCHCART_API_KEYS: expected JSON"),
    ({"GLITCHCART_PROVIDERS_FILE": "{toml}"}, "GLITCHCART_PROVIDERS_FILE"),
]
COMMANDS = [
    ["play", "--auto", "1"],
    ["tape", "cli:x"],
    ["sessions", "list"],
    ["serve", "--port", "0"],
    ["games", "list"],
    ["film", "cli:x", "--list"],
    ["sessions", "options", "cli:x"],
    ["providers", "list"],
    ["discord"],
]


@pytest.mark.parametrize(("env", "expected"), BAD, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bad_setting_is_one_line_naming_the_variable(
    tmp_path: Path, command: list[str], env: dict[str, str], expected: str
) -> None:
    bad_toml = tmp_path / "providers.toml"
    bad_toml.write_text("[[providers]\nname = \n", encoding="utf-8")
    env = {k: v.replace("{toml}", str(bad_toml)) for k, v in env.items()}
    args = [*command] if command[0] == "providers" else [*command, "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.output and "pydantic" not in result.output


def test_messages_with_pattern_text_are_printed_as_written(tmp_path: Path) -> None:
    """Issue 12 item 8: Rich ate "[a-z]" as markup ("with namespace {0,15}")."""
    result = CliRunner().invoke(app, ["sessions", "show", "CLI:x", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "namespace [a-z][a-z0-9]{0,15} and id [A-Za-z0-9_-]{1,64}" in result.output
