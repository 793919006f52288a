"""Benchmark: where a report batch's CPU goes — whole commands, one worker's units, the parent.

Run:  .venv/bin/python benchmarks/bench_report_profile.py [whole|units|batch ...] [--units N]

On a shared machine wall times mostly measure the other users, so every figure here is CPU
time (user + system): of the command and every process it started (``whole``), of one worker
and its warm kernel per phase of a unit (``units``), and of the parent against its workers and
kernels in a real batch (``batch``). The load average is printed beside each.

- ``whole``: ``kpa report --force --jobs 2`` over the 2013 sample, then the same command twice
  with nothing changed, each a fresh process writing into a temporary folder.
- ``units``: units rendered one after another in this process (the worker's code path:
  ``report_render.execute``, the export, the writes) with the kernel's CPU read from ``/proc``
  (psutil); the first unit (kernel start, preload, the exporter's templates) apart.
- ``batch``: ``run_batch(force=True, jobs=2)`` in this process: its own CPU (start-up
  excluded: planning, the pool, the extras) against its workers' and kernels'.
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

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BIN = Path(sys.executable).parent


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def whole(n_units: int | None) -> None:
    units = sorted(p.stem for p in (DATA / "2013").glob("*.yaml"))[:n_units or None]
    print(f"| run ({len(units)} units, --jobs 2) | wall | CPU (user+sys, with children) | load |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="kpa-prof-") as d:
        # A batch appends a ``params`` line to the year's audit chain: work on a copy, never on
        # the repository's data/ (whose chain test_sample_data pins).
        data = shutil.copytree(DATA, f"{d}/data")
        for name, extra in (("--force", ["--force"]), ("unchanged", []), ("unchanged", [])):
            before, cpu0, t0 = load(), children_cpu(), time.perf_counter()
            subprocess.run([str(BIN / "kpa"), "report", "--year", "2013", "--data", str(data),
                            "--out", f"{d}/out", "--params", f"{d}/params", "--no-progress",
                            "--jobs", "2", "--units", *units, *extra], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
            print(f"| `kpa report {name}` | {wall:.2f} s | {cpu:.2f} s | {before} → "
                  f"{load()} |")


def _cpu_of() -> tuple[float, float]:
    """(this process, its descendants) CPU seconds, as psutil reads them from /proc."""
    import psutil

    me = psutil.Process()
    t = me.cpu_times()
    kids = 0.0
    for c in me.children(recursive=True):
        try:
            ct = c.cpu_times()
            kids += ct.user + ct.system
        except psutil.Error:
            pass
    return t.user + t.system, kids


def units(n_units: int) -> None:
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()
    import nbformat

    from kpa_core.report import render as report_render
    from kpa_core.report.export import notebook_to_html
    from kpa_core.store.atomic import atomic_write_text

    bands = ROOT / "kpa_core" / "templates" / "grade-bands.example.yaml"
    ids = sorted(p.stem for p in (DATA / "2013").glob("*.yaml"))[:n_units]
    phases = ("execute", "export", "writes")
    total = {p: [0.0, 0.0, 0.0] for p in phases}
    first: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="kpa-prof-") as d:
        for k, uid in enumerate(ids):
            task = report_render.UnitTask(
                uid, str(ROOT / "notebooks" / "report.ipynb"),
                {"year": 2013, "unit": uid, "data_dir": str(DATA), "cap_scope": None,
                 "office": "纪委办公室", "timezone": "Asia/Shanghai", "bands": str(bands)},
                f"{d}/{uid}.html", f"{d}/{uid}.ipynb", title=uid)
            marks = [(time.perf_counter(), *_cpu_of())]
            nb = report_render.execute(task)
            marks.append((time.perf_counter(), *_cpu_of()))
            html = notebook_to_html(nb, title=task.title)
            marks.append((time.perf_counter(), *_cpu_of()))
            atomic_write_text(Path(task.ipynb_path),
                              nbformat.writes(report_render.portable(nb, task)))
            atomic_write_text(Path(task.html_path), html)
            marks.append((time.perf_counter(), *_cpu_of()))
            for p, a, b in zip(phases, marks, marks[1:], strict=False):
                row = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
                if k:
                    total[p] = [x + y for x, y in zip(total[p], row, strict=True)]
                else:
                    first[p] = row
    m = len(ids) - 1
    print(f"{m} units after the first, one worker and its warm kernel, {load()}\n")
    print("| phase | first unit: worker CPU | kernel CPU | per unit after: worker CPU "
          "| kernel CPU | wall |")
    print("|---|---|---|---|---|---|")
    for p in phases:
        w, wc, kc = (x / m * 1000 for x in total[p])
        print(f"| {p} | {first[p][1] * 1000:.0f} ms | {first[p][2] * 1000:.0f} ms | "
              f"{wc:.0f} ms | {kc:.0f} ms | {w:.0f} ms |")
    cpu = sum(v[1] + v[2] for v in total.values()) / m * 1000
    print(f"| **total** | {sum(v[1] for v in first.values()) * 1000:.0f} ms | "
          f"{sum(v[2] for v in first.values()) * 1000:.0f} ms | **{cpu:.0f} ms CPU a unit** "
          f"(worker + kernel) | | |")


def batch() -> None:
    from kpa_core.report.batch import run_batch
    from kpa_core.report.documents import DocumentOptions

    bands = ROOT / "kpa_core" / "templates" / "grade-bands.example.yaml"
    docs = DocumentOptions(office="纪委办公室", timezone="Asia/Shanghai", bands=str(bands))
    with tempfile.TemporaryDirectory(prefix="kpa-prof-") as d:
        data = Path(d) / "data"  # a batch appends a params line to the year's audit chain
        shutil.copytree(DATA, data)
        before = load()
        s0, c0 = time.process_time(), children_cpu()
        t0 = time.perf_counter()
        result = run_batch(2013, data_dir=data, out_dir=f"{d}/out", params_dir=f"{d}/params",
                           force=True, jobs=2, progress=False, documents=docs)
        wall = time.perf_counter() - t0
        parent, kids = time.process_time() - s0, children_cpu() - c0
    n = len(result.rendered)
    print(f"run_batch(force=True, jobs=2), {n} units: {wall:.2f} s wall; parent CPU "
          f"{parent:.2f} s (planning, pool, overview, summary, index, manifest), workers and "
          f"kernels {kids:.2f} s ({kids / n * 1000:.0f} ms a unit); {before} → {load()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["whole", "units", "batch"],
                    choices=["whole", "units", "batch"])
    ap.add_argument("--units", type=int, default=None, help="first N units (units: 11)")
    args = ap.parse_args()
    for what in args.what:
        if what == "whole":
            whole(args.units)
        elif what == "units":
            units(args.units or 11)
        else:
            batch()
        print()


if __name__ == "__main__":
    main()
