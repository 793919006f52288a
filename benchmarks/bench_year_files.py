"""Benchmark: a year read from N record files, pure-Python vs libyaml reader, and `kpa score`.

Run:  .venv/bin/python benchmarks/bench_year_files.py N [--pure] [--keep DIR]

Generates N valid record files (the records of ``bench_scoring.generate``: 0–12 entries each,
every rule kind, written as kpa writes them) plus units.csv into a temporary data folder, then:

1. ``load_year`` with the libyaml reader (and, with ``--pure``, the pure-Python reader), timed;
2. ``kpa score --year 2013 --data DIR`` as a child process, wall time and peak memory (the
   child's max RSS from ``getrusage``, as ``/usr/bin/time -v`` reports it).

``--keep DIR`` writes the data folder to DIR and keeps it (to rerun the command by hand).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_scoring import generate

from kpa_core.scoring.score import score_year
from kpa_core.store import yaml_io
from kpa_core.year.data import load_units, load_year

DumpLoader = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_year(folder: Path, n: int) -> float:
    """N record files + units.csv under ``folder``; returns the seconds it took."""
    start = time.perf_counter()
    (folder / "2013").mkdir(parents=True, exist_ok=True)
    records = generate(n)
    rows = ["unit_id,name_zh,name_en,kind"]
    for record in records:
        rows.append(f"{record.unit_id},{record.unit},Unit {record.unit_id},department")
        text = yaml.dump(record.to_data(), Dumper=DumpLoader, allow_unicode=True,
                         sort_keys=False, default_flow_style=None, width=120)
        (folder / "2013" / f"{record.unit_id}.yaml").write_text(text, encoding="utf-8")
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return time.perf_counter() - start


def time_load(folder: Path, pure: bool) -> tuple[float, float, int]:
    """Wall and CPU seconds to read, validate and score the year with one reader (run once)."""
    saved = yaml_io.UniqueKeySafeLoader
    if pure:
        yaml_io.UniqueKeySafeLoader = yaml_io.UniqueKeyPySafeLoader
    try:
        start, cpu = time.perf_counter(), time.process_time()
        year = load_year(folder, 2013, units=load_units(folder))
        scores = score_year(year.records)
        return time.perf_counter() - start, time.process_time() - cpu, len(scores.table)
    finally:
        yaml_io.UniqueKeySafeLoader = saved


def time_command(folder: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak MiB of ``kpa score --year 2013 --data folder`` (a child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "score", "--year", "2013",
                           "--data", str(folder), "--csv"], capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, after.ru_maxrss / 1024  # the largest child so far: this one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--pure", action="store_true", help="also time the pure-Python reader")
    parser.add_argument("--keep", type=Path, help="write the data folder here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="kpa-year-")) / "data"
    try:
        gen = write_year(folder, args.n)
        size = sum(f.stat().st_size for f in (folder / "2013").iterdir())
        print(f"records: {args.n} files, {size / 2**20:.1f} MiB, generated in {gen:.1f} s "
              f"(load {os.getloadavg()[0]:.1f})")
        print(f"libyaml available: {yaml_io.LIBYAML}")
        for pure in ([False, True] if args.pure else [False]):
            seconds, cpu, count = time_load(folder, pure)
            name = "pure-Python SafeLoader" if pure else "libyaml CSafeLoader"
            print(f"load_year + score_year, {name}: {seconds:.2f} s wall, {cpu:.2f} s CPU "
                  f"({cpu / count * 1e6:.0f} µs CPU/file, load {os.getloadavg()[0]:.1f})")
        wall, cpu, peak = time_command(folder)
        print(f"kpa score --year 2013 --data DIR --csv: {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"peak {peak:.0f} MiB (load {os.getloadavg()[0]:.1f})")
    finally:
        if args.keep is None:
            shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
