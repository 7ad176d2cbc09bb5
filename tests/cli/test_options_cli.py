"""``glitchcart sessions options`` and ``play --providers/--flipbook/--video``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from glitchcart.cli.app import app

NO_PROVIDERS = {"GLITCHCART_PROVIDERS": None, "GLITCHCART_PROVIDERS_FILE": None}


def gc(*args: str, data_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)], env=NO_PROVIDERS)
    return result.exit_code, result.output


def test_options_are_shown_changed_and_used_by_play(tmp_path: Path) -> None:
    code, out = gc("sessions", "options", "cli:o", "--json", data_dir=tmp_path)
    assert code == 3 and "no session" in out
    assert not (tmp_path / "sessions").exists() and not (tmp_path / "glitchcart.db").exists()

    code, out = gc(
        "sessions", "options", "cli:o", "--flipbook", "on", "--video", "on", "--json",
        data_dir=tmp_path,
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out) == {"providers": None, "flipbook": True, "video": True}

    code, out = gc("play", "--auto", "1", "--json", "-s", "cli:o", "--seed", "3", data_dir=tmp_path)
    assert code == 0, out
    frames = [json.loads(line)["frame"] for line in out.splitlines() if line.startswith("{")]
    assert frames and all(f.endswith(".gif") for f in frames)  # this session's flipbooks
    clips = tmp_path / "sessions" / "cli.o" / "films" / "segments"
    assert len(list(clips.glob("*.mp4"))) == len(frames)  # and its clips, one per turn

    code, out = gc("play", "--auto", "1", "--json", "-s", "cli:p", "--seed", "3", data_dir=tmp_path)
    assert code == 0, out
    assert all(json.loads(line)["frame"].endswith(".png") for line in out.splitlines())
    assert not (tmp_path / "sessions" / "cli.p" / "films").exists()  # another session's own

    code, out = gc(
        "play", "--auto", "0", "-s", "cli:o", "--providers", "offline", "--video", "default",
        data_dir=tmp_path,
    )  # fmt: skip
    assert code == 0, out
    code, out = gc("sessions", "options", "cli:o", data_dir=tmp_path)
    assert code == 0 and out.split() == [
        "providers:", "offline", "flipbook:", "on", "video:", "default"
    ]  # fmt: skip


def test_bad_options_are_refused_and_change_nothing(tmp_path: Path) -> None:
    assert gc("sessions", "options", "cli:o", "--video", "on", data_dir=tmp_path)[0] == 0
    for flags in (
        ["--providers", "nope"],
        ["--providers", "Hosted"],
        ["--flipbook", "maybe"],
        ["--video", "yes"],
    ):
        code, out = gc("sessions", "options", "cli:o", *flags, data_dir=tmp_path)
        assert code == 2, (flags, out)
        code, out = gc("play", "--auto", "1", "-s", "cli:o", *flags, data_dir=tmp_path)
        assert code == 2, (flags, out)
    code, out = gc("sessions", "options", "cli:o", "--json", data_dir=tmp_path)
    assert json.loads(out) == {"providers": None, "flipbook": None, "video": True}
    code, out = gc("sessions", "options", "../x", "--video", "on", data_dir=tmp_path)
    assert code == 2 and "invalid session key" in out


def test_setting_only_defaults_does_not_create_a_session(tmp_path: Path) -> None:
    """Issue 12 item 17: a look says "no session", and so does handing back the defaults."""
    code, out = gc("sessions", "options", "cli:none", "--providers", "default", data_dir=tmp_path)
    assert code == 3 and "no session cli:none" in out
    code, out = gc("sessions", "list", "--json", data_dir=tmp_path)
    assert code == 0 and json.loads(out) == [], out
