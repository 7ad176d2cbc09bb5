"""The public API: what ``glitchcart`` exports, as Python and a type checker see it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import glitchcart
from glitchcart.client.client import Client

PACKAGE = Path(glitchcart.__file__).parent


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_import_glitchcart_prints_the_client_class() -> None:
    out = run_python("import glitchcart; print(glitchcart.Client)")
    assert out == "<class 'glitchcart.client.client.Client'>"


def test_import_glitchcart_stays_cheap() -> None:
    """The command line imports the package first: the client, the engine and
    pydantic are loaded only when a public name needs them."""
    out = run_python(
        "import sys, glitchcart\n"
        "heavy = ('glitchcart.client', 'glitchcart.service', 'glitchcart.bootstrap', 'pydantic')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "glitchcart.InProcessTransport\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    before, after = out.splitlines()
    assert before == "[]"
    assert "glitchcart.client" in after and "glitchcart.service" in after


def test_every_public_name_resolves() -> None:
    for name in glitchcart.__all__:
        assert getattr(glitchcart, name) is not None, name
    assert set(glitchcart.__all__) <= set(dir(glitchcart))
    assert glitchcart.Client is Client
    assert issubclass(glitchcart.TurnResolving, glitchcart.GlitchcartError)


def test_a_misspelt_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Clinet"):
        _ = glitchcart.Clinet  # type: ignore[attr-defined]


async def test_embedded_engine_serves_an_in_process_client(tmp_path: Path) -> None:
    settings = glitchcart.load_settings(home=tmp_path, providers=[])
    async with glitchcart.embedded_engine(settings) as engine:
        client = glitchcart.Client(glitchcart.InProcessTransport(engine))
        prologue = await client.boot("dust-signal", seed=7, session="cli:alice")
    async with glitchcart.embedded_engine(settings) as engine:  # the game was stored
        client = glitchcart.Client(glitchcart.InProcessTransport(engine))
        view = await client.snapshot(session="cli:alice")
    assert view.game_id == prologue.game_id is not None
    assert (tmp_path / "glitchcart.db").is_file()


def test_the_package_is_marked_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


GOOD = """\
import glitchcart
from glitchcart import Client, InProcessTransport, embedded_engine


async def main() -> None:
    async with embedded_engine(glitchcart.load_settings(home="/tmp/gc")) as engine:
        client: Client = Client(InProcessTransport(engine))
        await client.boot("dust-signal", session="cli:alice")
    try:
        glitchcart.Client(glitchcart.HttpTransport("http://127.0.0.1:8000"))
    except glitchcart.Unreachable:
        pass
"""

MISSPELT = """\
import glitchcart

client = glitchcart.Clinet
"""

WRONG_TYPE = """\
import glitchcart

client: int = glitchcart.Client(glitchcart.HttpTransport("http://127.0.0.1:8000"))
"""


def mypy(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    command += ["--cache-dir", str(tmp_path / "mypy-cache"), str(script)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.mark.slow
def test_mypy_sees_the_real_types(tmp_path: Path) -> None:
    """mypy reads the package as an installed, typed library (``py.typed``): a
    correct script passes, a misspelt name and a wrong type fail."""
    good = mypy(tmp_path, "good", GOOD)
    assert good.returncode == 0, good.stdout

    misspelt = mypy(tmp_path, "misspelt", MISSPELT)
    assert misspelt.returncode == 1
    assert 'Module has no attribute "Clinet"' in misspelt.stdout

    wrong = mypy(tmp_path, "wrong", WRONG_TYPE)
    assert wrong.returncode == 1
    assert '"Client"' in wrong.stdout and "int" in wrong.stdout
