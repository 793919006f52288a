"""The kernel's side of the entry app: what a preheated kernel does before a page can be usable.

Usage::

    flock /work/bench.lock .venv/bin/python benchmarks/bench_app_kernel.py [--load N] [--top K]

In a fresh Python process per measurement (so the import is cold, as in a new kernel) over a
temp copy of data/ (nothing is written): the time to import ``kpa_core.entry.view``, to build
the app for 艺术系 arts 2013 (``AssessView``, the notebook's one call), to open area 三 and to
open every other area; the widget models created (each one is a model the browser must
receive: in Voila all of them in one ``update_states`` message, in JupyterLab one
``comm_open`` each) and the bytes of their state as JSON; and, with ``--top``, the build's
cProfile lines by cumulative time. ``--load N`` starts N busy loops first (killed at the end)
and waits for the 1-minute load average to reach N, as ``bench_app.py --load`` does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import loadavg, start_hogs, stop_hogs, wait_for_load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import cProfile, io, json, pstats, sys, time
t0 = time.perf_counter()
from kpa_core.entry.view import AssessView
from ipywidgets.widgets.widget import _instances
t1 = time.perf_counter()
prof = cProfile.Profile() if int(sys.argv[2]) else None
n0 = len(_instances)
if prof: prof.enable()
t2 = time.perf_counter()
view = AssessView(sys.argv[1], sys.argv[1] + "/../params", 2013, "arts")
t3 = time.perf_counter()
if prof: prof.disable()
first = len(_instances) - n0
size = sum(len(json.dumps(w.get_state(), default=str)) for w in list(_instances.values()))
t4 = time.perf_counter()
view.form.selected_index = 2
t5 = time.perf_counter()
for i in range(len(view.form.children)):
    view.form.selected_index = i
every = len(_instances) - n0
top = ""
if prof:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(int(sys.argv[2]))
    top = out.getvalue()
print(json.dumps({"import": t1 - t0, "build": t3 - t2, "area3": t5 - t4, "models": first,
                  "models_all_open": every, "state_kib": size / 1024, "top": top}))
"""


def measure(data: Path, top: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(data), str(top)],
                          capture_output=True, text=True, cwd=data.parent)
    if done.returncode:
        raise SystemExit(f"the measuring process failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--load", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--top", type=int, default=0, help="cProfile lines of the build (0: none)")
    args = ap.parse_args()
    print(f"load average (1 min) before: {loadavg():.2f}", flush=True)
    hogs = start_hogs(args.load)
    try:
        if args.load:
            wait_for_load(args.load)
            print(f"{args.load} busy loops running; load average now {loadavg():.2f}")
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(ROOT / "data", data)
            for i in range(args.runs):
                r = measure(data, 0)
                print(f"run {i + 1} (load {loadavg():.2f}): import {r['import']:.2f} s, build "
                      f"{r['build']:.2f} s, open area 三 {r['area3']:.2f} s; widget models "
                      f"{r['models']} ({r['models_all_open']} with every area open), state "
                      f"{r['state_kib']:.0f} KiB", flush=True)
            if args.top:
                print(measure(data, args.top)["top"])
    finally:
        stop_hogs(hogs)
    print(f"load average (1 min) after: {loadavg():.2f} (made load: {args.load} busy loops)")


if __name__ == "__main__":
    main()
