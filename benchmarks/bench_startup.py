"""Whole-process start-up: `kpa --help` and `kpa score ONE.yaml --json` against `python -c pass`.

Run as ``python benchmarks/bench_startup.py [RUNS]`` from the repository. Each command is a
fresh process (what an analyst waits for), started from a folder outside the repository
with the checkout on PYTHONPATH; the table gives the best and the median of RUNS runs and
what the command adds over a bare interpreter. Also checks that scoring one record imports
neither pandas nor openpyxl nor Jupyter.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "data" / "2013" / "petroleum.yaml"
KPA = [sys.executable, "-m", "kpa_core.cli"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "kpa --help": [*KPA, "--help"],
    "kpa score ONE.yaml --json": [*KPA, "score", str(RECORD), "--json"],
}
HEAVY = ("pandas", "numpy", "openpyxl", "jupyter_client", "nbformat", "papermill", "jsonschema",
         "matplotlib", "ruamel")


def times(cmd: list[str], runs: int, cwd: str, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - start)
    return out


def heavy_imports(env: dict[str, str], cwd: str) -> list[str]:
    code = ("import sys, io, contextlib; from kpa_core.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): main(['score', {str(RECORD)!r}, "
            "'--json'])\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, check=True)
    return [m for m in done.stdout.strip().split(",") if m]


def main(runs: int = 15) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as cwd:
        results = {name: times(cmd, runs, cwd, env) for name, cmd in COMMANDS.items()}
        heavy = heavy_imports(env, cwd)
    base = min(results["python -c pass"])
    print(f"{runs} runs each; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print("| command | best | median | over `python -c pass` (best) |")
    print("|---|---|---|---|")
    for name, ts in results.items():
        print(f"| `{name}` | {min(ts):.3f} s | {statistics.median(ts):.3f} s | "
              f"+{min(ts) - base:.3f} s |")
    print(f"\nheavy modules imported by `kpa score ONE.yaml --json`: {heavy or 'none'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
