"""Benchmark: every 2013 sample unit through `kpa report` against the plain shell loop.

Run:  .venv/bin/python benchmarks/bench_report.py [--units N] [--jobs J] [--skip-plain]

The plain way, as a user would script it: a bash loop that runs, per unit,
``papermill notebooks/report.ipynb OUT.ipynb -p year 2013 -p unit U -p data_dir DATA`` and then
``jupyter nbconvert --to html --no-input OUT.ipynb``. Against it, in fresh processes:
``kpa report --force`` with the default in-process engine (each worker's own IPython shell),
with ``--engine warm`` (a kernel per worker), with ``--engine fresh`` (a new kernel per unit),
and an unchanged rerun (nothing to render). Every run writes into a fresh
temporary folder (params too), so the repository is not touched. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def units_2013(n: int | None) -> list[str]:
    ids = sorted(p.stem for p in (ROOT / "data" / "2013").glob("*.yaml"))
    return ids[:n] if n else ids


def timed(cmd: list[str] | str, shell: bool = False) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, shell=shell, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, executable="/bin/bash" if shell else None)
    return time.perf_counter() - start


def plain_loop(units: list[str], tmp: Path) -> float:
    out = tmp / "plain"
    out.mkdir()
    loop = (f"for u in {' '.join(units)}; do "
            f"{BIN}/papermill notebooks/report.ipynb {out}/$u.ipynb -p year 2013 -p unit $u "
            f"-p data_dir {shlex.quote(str(ROOT / 'data'))} --no-progress-bar && "
            f"{BIN}/jupyter nbconvert --to html --no-input {out}/$u.ipynb; done")
    return timed(loop, shell=True)


def kpa(units: list[str], out: Path, params: Path, *extra: str) -> float:
    """``kpa report`` on a copy of data/ beside ``params`` (a batch appends a params line to
    the year's audit chain: the sample must not grow)."""
    data = params.parent / "data"
    if not data.is_dir():
        shutil.copytree(ROOT / "data", data)
    return timed([str(BIN / "kpa"), "report", "--year", "2013", "--data", str(data), "--out",
                  str(out), "--params", str(params), "--no-progress", "--units", *units, *extra])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=None, help="first N units only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--skip-plain", action="store_true")
    args = ap.parse_args()
    units = units_2013(args.units)
    n = len(units)
    rows = []
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        jobs = ["--jobs", str(args.jobs)]
        default = kpa(units, tmp / "default", tmp / "params", "--force", *jobs)
        rerun = kpa(units, tmp / "default", tmp / "params", *jobs)
        warm = kpa(units, tmp / "warm", tmp / "params", "--force", "--engine", "warm", *jobs)
        fresh = kpa(units, tmp / "fresh", tmp / "params", "--force", "--engine", "fresh", *jobs)
        plain = None if args.skip_plain else plain_loop(units, tmp)
    rows.append(("`kpa report --force` (in-process shell per worker, the default)", default))
    rows.append(("`kpa report --force --engine warm` (warm kernel per worker)", warm))
    rows.append(("`kpa report --force --engine fresh` (new kernel per unit)", fresh))
    if plain is not None:
        rows.append(("plain loop: `papermill` CLI + `jupyter nbconvert --no-input`", plain))
    print(f"{n} units, {args.jobs} jobs, {os.cpu_count()} cores; load average at start "
          f"{load_before}, after {os.getloadavg()[0]:.2f}\n")
    print("| run | wall | per unit | vs plain loop |")
    print("|---|---|---|---|")
    for name, secs in rows:
        ratio = f"{plain / secs:.1f}×" if plain else "–"
        print(f"| {name} | {secs:.1f} s | {secs / n:.2f} s | {ratio} |")
    print(f"| `kpa report` again, inputs unchanged (renders nothing) | {rerun:.2f} s | – | – |")


if __name__ == "__main__":
    main()
