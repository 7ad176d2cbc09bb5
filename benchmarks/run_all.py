"""Run every benchmark in this folder, one after another, printing their figures.

``make bench`` runs them whole. ``--quick`` runs each in its own small mode, only to
show that it still works (the test suite does this, so a benchmark cannot rot);
its figures mean little.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every benchmark in its small mode")
    args = parser.parse_args()
    extra = ["--quick"] if args.quick else []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(script), *extra], check=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
