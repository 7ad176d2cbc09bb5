"""What the terminal tells a player to type next: in words their shell will run.

After ``make play`` the command is ``.venv/bin/glitchcart``, not ``glitchcart``; a
hint names the command as it was started, and the data directory if one was given.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from glitchcart.core.keys import SessionKey


def command_name(argv0: str | None = None) -> str:
    """How to start glitchcart again from here: ``glitchcart`` if that is on PATH and is
    this command, else the path it was started by (``python -m glitchcart`` for that)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if argv0.endswith("__main__.py") or argv0 in ("-m", "-c", ""):
        return f"{_short(sys.executable)} -m glitchcart"
    found = shutil.which("glitchcart")
    if found is not None and Path(found).resolve() == Path(argv0).resolve():
        return "glitchcart"
    return _short(argv0)


def _short(path: str) -> str:
    """``path`` relative to the working directory when it lies inside it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return path
    return f".{os.sep}{relative}" if len(relative.parts) == 1 else str(relative)


def play_command(key: SessionKey, data_dir: Path | None) -> str:
    """The command that resumes ``key``'s game, data directory included when given."""
    where = f" --data-dir {data_dir}" if data_dir is not None else ""
    return f"{command_name()} play --session {key}{where}"
