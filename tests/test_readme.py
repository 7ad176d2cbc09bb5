"""Every code block of the README runs as written (issue 12 item 9).

The blocks run in order in one scratch directory, as a reader would run them:

- ``sh``: each block runs as one bash script (``set -euo pipefail``) from the scratch
  directory, where ``.venv/bin`` is the folder of the installed ``glitchcart`` command
  and ``GLITCHCART_HOME`` a fresh data directory; ``export`` lines also hold for the
  blocks after them; it must exit 0. A ``glitchcart serve`` line starts a server that
  runs until the end (a server runs until stopped), first, replacing one this test
  started on the same port: the test waits for it to answer ``/healthz``, then runs the
  block's other lines and lets the blocks after it talk to it.
- ``toml``: saved as ``providers.toml``, as the README says, and must load as
  ``GLITCHCART_PROVIDERS_FILE``.
- ``python``: saved as a script and run with this interpreter; it must exit 0.
- ``text``, or no language (a diagram): what a terminal shows, not run. The recorded
  session must be lines of the real capture in ``docs/terminal-session.txt``, in order.

What cannot run here is listed in ``NOT_RUN`` below, line by line, with the reason.
A new README block needs nothing here unless it is one of those.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CAPTURE = ROOT / "docs" / "terminal-session.txt"
BIN = Path(sys.executable).parent

NOT_RUN = {
    "make play": "interactive, and it builds .venv first (make test has built it)",
    "make test": "it is this suite",
    # shown beside the admin route's curl as the other way to do the same: the curl
    # line before it has deleted the session already
    ".venv/bin/glitchcart sessions rm web:blue-fox": "an alternative to the line before it",
}


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # where it starts in the README, for messages


def blocks() -> list[Block]:
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```$", README.read_text("utf-8"), re.M | re.S):
        line = README.read_text("utf-8")[: match.start()].count("\n") + 1
        found.append(Block(match[1], match[2], line))
    return found


def commands(block: Block) -> Iterator[tuple[str, list[str]]]:
    """Each command of a shell block as written, with its words (comments dropped); a
    quote left open goes on to the next line, as in bash."""
    pending = ""
    for raw in block.text.splitlines():
        pending = f"{pending}\n{raw}" if pending else raw
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:
            continue  # an open quote: the command goes on
        if words:
            yield pending, words
        pending = ""
    assert not pending, f"README line {block.line}: an unfinished command"


def is_serve(words: list[str]) -> bool:
    """``[VAR=value ...] .venv/bin/glitchcart serve ...``: a server, run until stopped."""
    for i, word in enumerate(words):
        if word.endswith("glitchcart"):
            return words[i + 1 : i + 2] == ["serve"]
    return False


def port_of(command: str) -> int:
    found = re.search(r"--port[ =](\d+)", command)
    return int(found[1]) if found else 8000


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server on port {port} stopped: {server.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no server answered on port {port}")


def test_the_recorded_session_is_a_real_capture() -> None:
    shown = next(b for b in blocks() if b.lang == "text" and "$ .venv/bin/glitchcart" in b.text)
    capture = CAPTURE.read_text("utf-8").splitlines()
    at = 0
    for line in shown.text.splitlines():
        if not line.strip() or line.strip().startswith("⋮"):
            continue  # a blank, or the marked gap
        assert line in capture[at:], f"not in the capture (in order): {line!r}"
        at = capture.index(line, at) + 1
    text = "\n".join(capture)
    for seen in ("vote closed", "tie broken by the seeded roll", "You died", "Replay tape: "):
        assert seen in text and seen in shown.text


@pytest.mark.slow  # 20-40 s: games, tapes, a film and two servers, as a reader runs them
def test_every_code_block_runs_as_written(tmp_path: Path) -> None:
    if not (BIN / "glitchcart").exists():
        pytest.skip(f"the glitchcart command is not installed next to {sys.executable}")
    scratch = tmp_path / "reader"
    (scratch / ".venv").mkdir(parents=True)
    (scratch / ".venv" / "bin").symlink_to(BIN)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GLITCHCART_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    env |= {"GLITCHCART_HOME": str(tmp_path / "data"), "PATH": f"{BIN}:{env.get('PATH', '')}"}
    exports: list[str] = []
    servers: dict[int, subprocess.Popen[bytes]] = {}  # by port
    ran = {"sh": 0, "python": 0, "toml": 0}
    try:
        for block in blocks():
            if block.lang == "toml":
                (scratch / "providers.toml").write_text(block.text, "utf-8")
                check = [sys.executable, "-c", "from glitchcart.settings import load_settings;"
                         "print(len(load_settings().providers))"]  # fmt: skip
                env_file = {**env, "GLITCHCART_PROVIDERS_FILE": "providers.toml"}
                done = subprocess.run(check, cwd=scratch, env=env_file, capture_output=True)
                assert done.returncode == 0, (block.line, done.stderr.decode())
                ran["toml"] += 1
            elif block.lang == "python":
                script = scratch / f"readme_{block.line}.py"
                script.write_text(block.text, "utf-8")
                done = subprocess.run(
                    [sys.executable, script.name], cwd=scratch, env=env, capture_output=True,
                    timeout=300,
                )  # fmt: skip
                assert done.returncode == 0, (block.line, done.stderr.decode()[-3000:])
                ran["python"] += 1
            elif block.lang == "sh":
                found = [(c, w) for c, w in commands(block) if " ".join(w) not in NOT_RUN]
                for command, words in found:
                    if not is_serve(words):
                        continue
                    port = port_of(command)
                    if port in servers:  # the reader stops the earlier one first
                        os.killpg(servers[port].pid, signal.SIGTERM)
                        servers.pop(port).wait(timeout=30)
                    script = "\n".join(["set -euo pipefail", *exports, command])
                    servers[port] = subprocess.Popen(
                        ["bash", "-c", script], cwd=scratch, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )  # fmt: skip
                    wait_for(port, servers[port])
                rest = [c for c, w in found if not is_serve(w)]
                if rest:
                    script = "\n".join(["set -euo pipefail", *exports, *rest])
                    done = subprocess.run(
                        ["bash", "-c", script], cwd=scratch, env=env, capture_output=True,
                        timeout=600,
                    )  # fmt: skip
                    assert done.returncode == 0, (
                        f"README line {block.line}:\n{block.text}\n{done.stderr.decode()[-3000:]}"
                    )
                exports.extend(c for c, w in found if w[0] == "export")
                ran["sh"] += len(found)
            else:
                assert block.lang in ("text", ""), f"README line {block.line}: ```{block.lang}?"
    finally:
        for server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    assert ran["sh"] >= 20 and ran["python"] >= 1 and ran["toml"] >= 1, ran
