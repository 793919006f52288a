"""How quickly the assessment form answers: load, one change, what-if, the widgets' redraw.

Usage: .venv/bin/python benchmarks/bench_assess.py [REPEATS]

Works on a temp copy of data/ (the 2013 sample year, 30 units); reports the best of REPEATS
runs of each step (median for the per-change steps, which are repeated 200 times).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import best_of

from kpa_core.entry.controller import AssessmentController
from kpa_core.entry.view import AssessView

ROOT = Path(__file__).resolve().parents[1]


def per_change(fn, n: int = 200) -> float:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def best(fn, repeats: int) -> float:
    """Best time of ``repeats`` calls (argument order of the rows below)."""
    return best_of(repeats, fn)[0]


def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data)
        c = AssessmentController(data, 2013, "arts")
        rows = [
            ("load a record (controller)", best(lambda: AssessmentController(data, 2013, "arts"),
                                                repeats)),
            ("one change + live score (controller)",
             per_change(lambda i: (c.set_value("B02.system", 0.5 * (i % 5)), c.card()))),
            ("others' totals (load + score the year, once per unit)",
             best(lambda: (setattr(c, "_others", None), c.others()), repeats)),
            ("comparison (baseline vs scenario, rank)", best(c.comparison, repeats)),
            ("single changes table (every rule, every one-edit value)",
             best(c.single_changes, repeats)),
        ]
        view = AssessView(data, Path(tmp) / "params", 2013, "arts")
        rows.append(("build the widgets app (39 rule controls)",
                     best(lambda: AssessView(data, Path(tmp) / "params", 2013, "arts"), repeats)))
        slider = view.controls["B02.system"].slider
        rows.append(("slider change → redraw, entry mode",
                     per_change(lambda i: setattr(slider, "value", 0.5 * (i % 5)), 100)))
        view.mode.value = "whatif"
        rows.append(("slider change → redraw, what-if mode",
                     per_change(lambda i: setattr(slider, "value", 0.5 * (i % 5)), 50)))
    print("| step | time |")
    print("|---|---|")
    for name, seconds in rows:
        shown = f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1000:.1f} ms"
        print(f"| {name} | {shown} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
