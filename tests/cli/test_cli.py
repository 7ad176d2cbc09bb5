"""The command line as a user meets it: real processes on a real data directory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest


def gc(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glitchcart", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_auto_json_plays_turns_with_the_promised_fields(tmp_path: Path) -> None:
    run = gc(
        "play", "--auto", "5", "--json", "--session", "cli:t1", "--seed", "11", data_dir=tmp_path
    )
    assert run.returncode == 0, run.stderr
    turns = lines(run.stdout)
    assert turns[0]["turn"] == 0 and turns[0]["input"]["kind"] == "start"
    assert [t["turn"] for t in turns] == list(range(len(turns)))
    for t in turns:
        assert set(t) >= {
            "session",
            "turn",
            "input",
            "fate",
            "narration",
            "choices",
            "alive",
            "frame",
            "state",
        }
        assert set(t["state"]) >= {"health", "inventory", "location", "chaos"}
        assert t["session"] == "cli:t1"
        assert Path(t["frame"]).is_file()
        assert Path(t["frame"]).is_relative_to(tmp_path / "sessions" / "cli.t1" / "frames")
    assert len(turns) == 6 or not turns[-1]["alive"]


def test_play_resumes_the_same_session(tmp_path: Path) -> None:
    first = lines(
        gc("play", "--auto", "3", "--json", "-s", "cli:r", "--seed", "5", data_dir=tmp_path).stdout
    )
    more = lines(gc("play", "--auto", "2", "--json", "-s", "cli:r", data_dir=tmp_path).stdout)
    if first[-1]["alive"]:
        assert more[0]["turn"] == first[-1]["turn"] + 1
        assert more[0]["game_id"] == first[-1]["game_id"]


@pytest.mark.parametrize(
    "key", ["../../etc", "cli:../x", "cli:a/b", "cli:a\\b", "cli:{x}", "CLI:x", "cli:" + "a" * 65]
)
def test_invalid_key_exits_nonzero_and_writes_nothing(tmp_path: Path, key: str) -> None:
    data = tmp_path / "data"
    for args in (
        ["play", "--auto", "1", "--session", key],
        ["sessions", "show", key],
        ["sessions", "rm", key],
        ["sessions", "export", key],
    ):
        run = gc(*args, data_dir=data)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert "invalid session key" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
        assert not data.exists()


def test_unknown_cartridge_exits_nonzero_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = gc("play", "--auto", "1", "--cartridge", "nope", data_dir=data)
    assert run.returncode == 3 and "no cartridge 'nope'" in run.stderr
    assert not data.exists()


def test_bad_argument_exits_nonzero_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = gc("play", "--auto", "-3", data_dir=data)
    assert run.returncode == 2
    assert not data.exists()


def test_sessions_list_show_export_rm(tmp_path: Path) -> None:
    gc("play", "--auto", "2", "--json", "-s", "web:one", "--seed", "1", data_dir=tmp_path)
    gc("play", "--auto", "1", "--json", "-s", "web:two", "--seed", "2", data_dir=tmp_path)
    listed = json.loads(gc("sessions", "list", "--json", data_dir=tmp_path).stdout)
    assert [s["session"] for s in listed] == ["web:one", "web:two"]
    shown = json.loads(gc("sessions", "show", "web:one", "--json", data_dir=tmp_path).stdout)
    assert shown["session"] == "web:one" and shown["state"]["turn"] >= 1
    export = json.loads(gc("sessions", "export", "web:one", data_dir=tmp_path).stdout)
    assert [t["turn"] for t in export["history"]] == list(range(shown["state"]["turn"] + 1))
    assert gc("sessions", "rm", "web:one", data_dir=tmp_path).returncode == 0
    assert not (tmp_path / "sessions" / "web.one").exists()
    assert (tmp_path / "sessions" / "web.two").exists()
    gone = gc("sessions", "show", "web:one", data_dir=tmp_path)
    assert gone.returncode == 3 and "no session web:one" in gone.stderr


def test_cartridges_list(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "glitchcart", "cartridges", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    ids = {c["id"] for c in json.loads(run.stdout)}
    assert {"dust-signal", "ashen-vault", "hollow-orbit"} <= ids


def test_two_processes_on_one_data_dir_stay_isolated(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    cmd = [
        sys.executable,
        "-m",
        "glitchcart",
        "play",
        "--auto",
        "25",
        "--json",
        "--data-dir",
        str(shared),
    ]
    procs = {
        key: subprocess.Popen(
            [*cmd, "-s", key, "--seed", seed, "-c", cart],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, seed, cart in (("cli:p1", "101", "dust-signal"), ("cli:p2", "202", "hollow-orbit"))
    }
    outs = {key: p.communicate(timeout=180) for key, p in procs.items()}
    for key, (out, err) in outs.items():
        assert procs[key].returncode == 0, err
        shared_turns = lines(out)
        assert {t["session"] for t in shared_turns} == {key}
        folder = key.replace(":", ".")
        assert all(f"/sessions/{folder}/frames/" in t["frame"] for t in shared_turns)
    # each equals a solo run of the same seed in its own directory
    for key, seed, cart in (("cli:p1", "101", "dust-signal"), ("cli:p2", "202", "hollow-orbit")):
        solo = lines(
            gc(
                "play",
                "--auto",
                "25",
                "--json",
                "-s",
                key,
                "--seed",
                seed,
                "-c",
                cart,
                data_dir=tmp_path / key.replace(":", "_"),
            ).stdout
        )
        together = lines(outs[key][0])
        strip = ("frame", "game_id")
        assert [{k: v for k, v in t.items() if k not in strip} for t in together] == [
            {k: v for k, v in t.items() if k not in strip} for t in solo
        ]
        for a, b in zip(together, solo, strict=True):
            assert Path(a["frame"]).read_bytes() == Path(b["frame"]).read_bytes()


def test_interactive_game_over_stdin(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "glitchcart",
            "play",
            "-s",
            "cli:tty",
            "--seed",
            "9",
            "--data-dir",
            str(tmp_path),
        ],
        input="1\nsearch the ground for tracks\nr\n99\nq\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "turn 1" in out and "turn 2 · search the ground for tracks" in out
    assert "FATE:" in out and "picture:" in out
    assert "choice must be a number from 1 to" in out  # 99 is refused, the game goes on
    # issue 12 item 11: a command this shell can run, with the data directory given
    assert f"-m glitchcart play --session cli:tty --data-dir {tmp_path}" in " ".join(out.split())
    export = json.loads(gc("sessions", "export", "cli:tty", data_dir=tmp_path).stdout)
    assert [t["turn"] for t in export["history"]] == [0, 1, 2]


def test_players_share_one_keyboard(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "glitchcart",
            "play",
            "--players",
            "alice,bob",
            "-s",
            "cli:party",
            "--seed",
            "4",
            "--data-dir",
            str(tmp_path),
        ],
        input="alice 1\nbob 2\nalice crown\nbob veto 1\nalice veto 1\nbob 1\nalice force 2\n"
        "zed 1\nq\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    assert "vote closed (all-voted): choice:1 ×1, choice:2 ×1" in out
    assert "tie broken by the seeded roll" in out
    assert "crown: alice" in out
    assert "only the crown holder can do that" in out  # bob may not veto
    assert "choice 1 was vetoed by the crown this turn" in out
    assert "vote closed (forced)" in out
    assert "start the line with a player: alice, bob" in out
    export = json.loads(gc("sessions", "export", "cli:party", data_dir=tmp_path).stdout)
    tallies = [t["tally"] for t in export["history"][1:]]
    assert [t["reason"] for t in tallies] == ["all-voted", "forced"]
    assert tallies[0]["tied"] == ["choice:1", "choice:2"] and tallies[0]["roll"] is not None


def test_games_list_load_rm(tmp_path: Path) -> None:
    first = lines(
        gc("play", "--auto", "2", "--json", "-s", "web:a", "--seed", "1", data_dir=tmp_path).stdout
    )
    gc("play", "--auto", "1", "--json", "-s", "web:a", "-c", "hollow-orbit", data_dir=tmp_path)
    games = json.loads(gc("games", "list", "--json", data_dir=tmp_path).stdout)
    assert len(games) == 2
    old = first[0]["game_id"]
    saved = next(g for g in games if g["game_id"] == old)
    assert (saved["live"], saved["cartridge"], saved["session"]) == (False, "dust-signal", "web:a")
    loaded = gc("games", "load", old, "--session", "web:b", data_dir=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    shown = json.loads(gc("sessions", "show", "web:b", "--json", data_dir=tmp_path).stdout)
    assert shown["game_id"] == old
    busy = gc("games", "rm", old, data_dir=tmp_path)
    assert busy.returncode == 4 and "running in web:b" in busy.stderr
    other = next(g["game_id"] for g in games if g["game_id"] != old)
    assert gc("games", "rm", other, data_dir=tmp_path).returncode == 4  # live in web:a
    assert gc("games", "load", "nope", "-s", "web:c", data_dir=tmp_path).returncode == 3
    bad = gc("games", "load", old, "-s", "web:../x", data_dir=tmp_path)
    assert bad.returncode == 2 and "invalid session key" in bad.stderr


def test_the_party_shows_hostile_names_as_text(tmp_path: Path) -> None:
    """Issue 11, finding 8: a name is markup for nobody: the terminal prints it as is."""
    hostile = "[bold red]boss[/] <img src=x>"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "glitchcart",
            "play",
            "--players",
            f"{hostile},bob",
            "-s",
            "cli:names",
            "--seed",
            "4",
            "--data-dir",
            str(tmp_path),
        ],
        input="status\n1 [red]run away[/red]\n2 [red]run away[/red]\nq\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    assert f"{hostile}: active" in out
    assert "action:[red]run away[/red] ×2 → action:[red]run away[/red]" in out
    assert ": [red]run away[/red] ─" in out  # the turn's title: the action as typed


def test_game_ids_are_printed_whole_and_a_unique_prefix_is_accepted(tmp_path: Path) -> None:
    """Issue 12 items 13 and 16: at 80 columns in a pipe, ids are whole; and there is a
    command to exit the game that `games rm` asks to exit."""
    first = lines(gc("play", "--auto", "1", "--json", "-s", "web:a", data_dir=tmp_path).stdout)
    game_id = first[0]["game_id"]
    assert len(game_id) >= 12
    for command in (("games", "list"), ("sessions", "list")):
        table = gc(*command, data_dir=tmp_path).stdout
        assert game_id in table, table
    busy = gc("games", "rm", game_id[:6], data_dir=tmp_path)
    assert busy.returncode == 4 and "games exit web:a" in busy.stderr, busy.stderr
    exited = gc("games", "exit", "web:a", data_dir=tmp_path)
    assert exited.returncode == 0 and game_id in exited.stdout, exited.stderr
    loaded = gc("games", "load", game_id[:6], "-s", "web:b", data_dir=tmp_path)
    assert loaded.returncode == 0 and game_id in loaded.stdout, loaded.stderr
    assert f"play --session web:b --data-dir {tmp_path}" in " ".join(loaded.stdout.split())
    assert len(loaded.stdout.strip().splitlines()) == 1  # the hint is never cut mid-command
    assert gc("games", "load", "", "-s", "web:c", data_dir=tmp_path).returncode == 3


def test_play_options_never_silently_ignored(tmp_path: Path) -> None:
    """Issue 12 item 12: --seed on a running game, --cartridge over one, --auto on a dead one."""
    gc("play", "--auto", "1", "--json", "-s", "cli:o", "--seed", "3", data_dir=tmp_path)
    seeded = gc("play", "--auto", "1", "--json", "-s", "cli:o", "--seed", "42", data_dir=tmp_path)
    assert seeded.returncode == 0 and "--seed 42 is for a new game" in seeded.stderr
    assert "seed 3, turn 1" in seeded.stderr and lines(seeded.stdout)[0]["turn"] == 2
    same = gc("play", "--auto", "1", "--json", "-s", "cli:o", "--seed", "3", data_dir=tmp_path)
    assert same.returncode == 0 and same.stderr == ""  # its own seed: nothing to say
    swapped = gc(
        "play", "--auto", "1", "--json", "-s", "cli:o", "-c", "hollow-orbit", data_dir=tmp_path
    )
    assert swapped.returncode == 0, swapped.stderr
    assert "saved game" in swapped.stderr and "starting hollow-orbit" in swapped.stderr
    assert lines(swapped.stdout)[0]["turn"] == 0  # stdout stays JSON lines only
    dead = lines(gc("play", "--auto", "400", "--json", "-s", "cli:d", data_dir=tmp_path).stdout)
    assert not dead[-1]["alive"]
    again = gc("play", "--auto", "3", "--json", "-s", "cli:d", data_dir=tmp_path)
    assert again.returncode == 4 and "is dead" in again.stderr and again.stdout == ""


@pytest.mark.parametrize("party", [False, True], ids=["solo", "party"])
def test_the_first_ctrl_c_at_the_prompt_quits_and_says_so(tmp_path: Path, party: bool) -> None:
    """Issue 12 item 14: the first Ctrl-C was held until Enter, with no sign."""
    args = ["play", "-s", "cli:cc", "--seed", "3", "--data-dir", str(tmp_path)]
    if party:
        args += ["--players", "alice,bob"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "glitchcart", *args],
        stdin=subprocess.PIPE,  # never written: the game waits at its prompt
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        seen = ""
        while "help" not in seen.lower():  # the help line comes just before the prompt
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            seen += line
        time.sleep(1.0)  # at the prompt now
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Ctrl-C: saving and quitting." in out and "Saved. Resume with:" in out
