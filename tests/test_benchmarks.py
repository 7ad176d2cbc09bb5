"""Every benchmark runs, in its small mode, so none can rot unseen (issue 12, "Also").

bench_sqlite_store.py failed with an ImportError for months because nothing ran it.
The figures of a quick run mean little and are not checked: speed is never asserted
in the test suite (``make bench`` runs the benchmarks whole).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow  # about 45 s: each benchmark starts its own processes and servers
def test_every_benchmark_runs_in_its_quick_mode() -> None:
    scripts = sorted(p.name for p in BENCHMARKS.glob("bench_*.py"))
    assert len(scripts) >= 6
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_all.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for script in scripts:
        assert f"== {script}" in run.stdout
    for script in BENCHMARKS.glob("bench_*.py"):
        assert '"--quick"' in script.read_text(encoding="utf-8"), script.name
