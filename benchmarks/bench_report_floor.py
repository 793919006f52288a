"""Benchmark (issue #26 item 3): the report batch against its own floor.

Run:  .venv/bin/python benchmarks/bench_report_floor.py [--units N] [--repeat R] [--scale N]

The floor is the same HTML made without papermill or a kernel: in this one process, each
unit's report notebook is read, its parameters are set as papermill would inject them, every
code cell is executed with ``exec`` (``IPython.display.display`` captured into the cell's
outputs, exactly the MIME bundles a kernel would send), and the executed notebook is exported
with kpa's own exporter (``report.export.notebook_to_html``). The floor runs in a fresh
process too and renders each unit once, as a batch does: a unit's second rendering in one
process finds its own context cached, which no batch does (the first version of this script
took the best of two passes in one process and so measured cached units). Its figure is split
into the imports and the units. Against it, in a fresh process:
``kpa report --force`` on the same units into a fresh folder (which also writes params, the
index, the overview, the summary and the Word copies: the floor does none of that). Prints a
Markdown table with the per-unit figures and their ratio, and the load average.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def units_2013(n: int | None, data: Path = ROOT / "data") -> list[str]:
    ids = sorted(p.stem for p in (data / "2013").glob("*.yaml"))
    return ids[:n] if n else ids


def floor_run(units: list[str], data: Path) -> float:
    """Every unit's HTML made in this process, no kernel; returns the wall time."""
    import IPython.display as ipd
    import nbformat

    from kpa_core.report.export import notebook_to_html

    template = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    outputs: list[dict[str, Any]] = []

    def capture(*objs: Any, **_: Any) -> None:
        for obj in objs:
            data_ = {"text/plain": repr(obj)}
            if hasattr(obj, "_repr_html_"):
                data_["text/html"] = obj._repr_html_()
            outputs.append(nbformat.v4.new_output("display_data", data=data_))

    original = ipd.display
    ipd.display = capture
    start = time.perf_counter()
    try:
        for uid in units:
            nb = copy.deepcopy(template)
            namespace: dict[str, Any] = {"__name__": "__main__"}
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                outputs.clear()
                exec(compile(cell.source, f"<{uid}>", "exec"), namespace)  # noqa: S102
                if "parameters" in cell.metadata.get("tags", []):
                    namespace.update(year=2013, unit=uid, data_dir=str(data))
                cell.outputs = list(outputs)
            notebook_to_html(nb, title=uid)
    finally:
        ipd.display = original
    return time.perf_counter() - start


def floor_process(units: list[str], data: Path) -> tuple[float, float]:
    """The floor in a fresh process: (whole wall time, the units' share). The units' share
    starts once Python, nbformat and the exporter are loaded; the first unit still imports the
    report's modules and reads the year, as a batch's first unit in each kernel does."""
    cmd = [sys.executable, __file__, "--inner-floor", str(data), *units]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    whole = time.perf_counter() - start
    return whole, float(out.strip().splitlines()[-1])


def kpa_run(units: list[str], tmp: Path, source: Path) -> float:
    """``kpa report --force`` on a copy of ``source`` (a batch appends a ``params`` line to
    the year's audit chain: the repository's data/ is never the one written)."""
    import shutil

    out, params, data = tmp / "out", tmp / "params", tmp / "data"
    shutil.copytree(source, data)
    cmd = [str(Path(sys.executable).parent / "kpa"), "report", "--year", "2013", "--force",
           "--data", str(data), "--out", str(out), "--params", str(params),
           "--units", *units]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scale", type=int, default=None,
                    help="a generated year of N units (bench_batch_scale.make_data) instead")
    ap.add_argument("--inner-floor", nargs="+", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner_floor:  # the child process of floor_process: print the units' wall time
        data, *units = args.inner_floor
        print(floor_run(units, Path(data)))
        return
    with tempfile.TemporaryDirectory(prefix="kpa-floor-") as scratch:
        source = ROOT / "data"
        if args.scale:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from bench_batch_scale import make_data

            source = make_data(Path(scratch), args.scale)
        units = units_2013(args.units, source)
        load = os.getloadavg()
        floors, batches = [], []
        for _ in range(args.repeat):
            floors.append(floor_process(units, source))
            with tempfile.TemporaryDirectory() as tmp:
                batches.append(kpa_run(units, Path(tmp), source))
    n = len(units)
    (f, f_units), b = min(floors), min(batches)
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; after: "
          f"{os.getloadavg()[0]:.2f}; {n} units, best of {args.repeat}")
    print("| run | wall | per unit | vs floor |\n|---|---|---|---|")
    print(f"| floor: fresh process, each unit once, no kernel | {f:.1f} s | {f / n:.3f} s "
          "| 1.00× |")
    print(f"| … of which the units, after start-up | {f_units:.1f} s | {f_units / n:.3f} s | |")
    print(f"| `kpa report --force` (whole batch: params, index, summary, docx) | {b:.1f} s | "
          f"{b / n:.3f} s | {b / f:.2f}× |")


if __name__ == "__main__":
    main()
