"""Benchmark: per-unit cost of `kpa report` at several sizes, and where a unit's time goes.

Run:
  .venv/bin/python benchmarks/bench_batch_scale.py scale 30 300 1000   # whole batches
  .venv/bin/python benchmarks/bench_batch_scale.py profile 1000 --sample 12

Both generate a data folder of N units in a temporary folder (unit i holds the 2012 and 2013
sample records of sample unit i mod 30, so every report has a history chart), never the repo.

``scale``: per size, ``kpa report --force --jobs 2`` (fresh process: wall and per unit) and an
unchanged rerun (wall, and the batch's own time as it prints it), with the load average.

``profile``: ``--sample`` units of an N-unit year, one after another in this process:
- the notebook path, split: kernel execute (papermill, warm kernel), nbconvert export, writes;
- the floor: the same HTML made in one process with no kernel (the notebook's cells run
  here, their displays collected into the notebook, then the same export), split into YAML
  reading (``load_year``), hashing (sha256 of files and score tables, file stamps), scoring and
  the rest of the context, charts, the other sections, and export.
The first unit of each path warms caches (kernel start, year cache, exporter) and is left out.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def make_data(folder: Path, n: int) -> Path:
    """N units; unit i holds sample unit (i mod 30)'s records of 2012 and 2013."""
    from kpa_core.year.data import load_units, load_year

    units = load_units(ROOT / "data")
    data = folder / "data"
    rows = ["unit_id,name_zh,name_en,kind"]
    for year in (2012, 2013):
        sample = load_year(ROOT / "data", year).records
        (data / str(year)).mkdir(parents=True)
        for i in range(n):
            base = sample[i % len(sample)]
            unit = units[base.unit_id]
            name = f"{unit.name_zh}{i}"
            if year == 2013:
                rows.append(f"u{i:04d},{name},{unit.name_en.replace(',', ' ')},{unit.kind}")
            text = yaml.dump(replace(base, unit=name, unit_id=None).to_data(), Dumper=DUMPER,
                             allow_unicode=True, sort_keys=False)
            (data / str(year) / f"u{i:04d}.yaml").write_text(text, encoding="utf-8")
    (data / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return data


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def kpa_report(data: Path, tmp: Path, *extra: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the command, its workers and kernels) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "kpa"), "report", "--year", "2013", "--data", str(data),
                           "--out", str(tmp / "out"), "--params", str(tmp / "params"),
                           "--no-progress", "--jobs", "2", *extra], capture_output=True,
                          text=True, cwd=tmp, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, proc.stdout


def scale(sizes: list[int]) -> None:
    print("| units | `--force --jobs 2` wall | per unit | CPU per unit | unchanged rerun wall "
          "| its batch time | load before → after |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="kpa-scale-") as d:
            tmp = Path(d)
            data = make_data(tmp, n)
            before = load()
            wall, cpu, _ = kpa_report(data, tmp, "--force")
            rerun, _, out = kpa_report(data, tmp)
            batch = re.search(r"（([\d.]+) 秒）", out)
            print(f"| {n} | {wall:.1f} s | {wall / n * 1000:.0f} ms | {cpu / n * 1000:.0f} ms "
                  f"| {rerun:.2f} s | "
                  f"{batch.group(1) if batch else '?'} s | {before} → {load()} |", flush=True)


class Clock:
    """Seconds per named part, summed over the measured units."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = defaultdict(float)
        self.on = False

    def wrap(self, module: Any, name: str, part: str) -> None:
        fn = getattr(module, name)

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                if self.on:
                    self.parts[part] += time.perf_counter() - start

        setattr(module, name, timed)

    def add(self, part: str, seconds: float) -> None:
        if self.on:
            self.parts[part] += seconds


def run_cells(nb: Any, parameters: dict[str, Any]) -> Any:
    """The notebook's code cells run here (no kernel), their displays kept as outputs."""
    import nbformat


    namespace: dict[str, Any] = {"__name__": "__main__"}
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[Any] = []

        def display(obj: Any, outputs: list[Any] = outputs) -> None:  # as the kernel sends it
            outputs.append(nbformat.from_dict({
                "output_type": "display_data", "metadata": {},
                "data": {"text/html": obj._repr_html_(), "text/plain": "<HTML>"}}))

        source = cell.source
        if "parameters" in cell.metadata.get("tags", []):
            source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
        namespace["display"] = display  # again before each cell: one imports IPython's
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own notebook
        cell.outputs = outputs
    return nb


def profile(n: int, sample: int) -> None:
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()
    import nbformat

    from kpa_core.report import charts
    from kpa_core.report import context as report_context
    from kpa_core.report import sections as report_sections
    from kpa_core.report.export import notebook_to_html
    from kpa_core.report.render import UnitTask, _template_notebook, execute
    from kpa_core.scoring import score as scoring
    from kpa_core.store.atomic import atomic_write_text
    from kpa_core.year import data as campaign

    with tempfile.TemporaryDirectory(prefix="kpa-profile-") as d:
        tmp = Path(d)
        data = make_data(tmp, n)
        notebook = str(ROOT / "notebooks" / "report.ipynb")
        units = [f"u{i:04d}" for i in range(0, n, max(1, n // (sample + 1)))][: sample + 1]
        kernel: dict[str, float] = defaultdict(float)
        for k, uid in enumerate(units):  # the notebook path, in a warm kernel
            params = {"year": 2013, "unit": uid, "data_dir": str(data), "cap_scope": None}
            task = UnitTask(uid, notebook, params, str(tmp / f"{uid}.html"),
                            str(tmp / f"{uid}.ipynb"), title=uid)
            t0 = time.perf_counter()
            nb = execute(task)
            t1 = time.perf_counter()
            html = notebook_to_html(nb, title=uid)
            t2 = time.perf_counter()
            atomic_write_text(Path(task.ipynb_path), nbformat.writes(nb))
            atomic_write_text(Path(task.html_path), html)
            t3 = time.perf_counter()
            if k:
                for part, secs in (("kernel execute", t1 - t0), ("nbconvert export", t2 - t1),
                                   ("writes", t3 - t2)):
                    kernel[part] += secs

        clock = Clock()
        clock.wrap(campaign, "load_year", "YAML (load_year)")
        for name in ("sha256_of", "scores_sha256", "year_key"):
            clock.wrap(report_context, name, "hashing")
        clock.wrap(report_context, "score_year", "scoring")
        clock.wrap(report_context, "score_record", "scoring")
        clock.wrap(scoring, "score_year", "scoring")
        for name in ("attainment_chart", "history_chart"):
            clock.wrap(charts, name, "charts")
        clock.wrap(report_sections, "charts_section", "sections incl. charts")
        template = _template_notebook(notebook)
        floor_total = floor_cpu = 0.0
        for k, uid in enumerate(units):  # the floor: same cells, same export, no kernel
            clock.on = k > 0
            report_context._YEAR_CACHE.clear() if k == 0 else None
            t0, c0 = time.perf_counter(), time.process_time()
            nb = run_cells(template, {"year": 2013, "unit": uid, "data_dir": str(data)})
            t1 = time.perf_counter()
            html = notebook_to_html(nb, title=uid)
            t2 = time.perf_counter()
            clock.add("cells (context + sections)", t1 - t0)
            clock.add("nbconvert export", t2 - t1)
            if k:
                floor_total += t2 - t0
                floor_cpu += time.process_time() - c0
        m = len(units) - 1
        print(f"{n}-unit year, {m} units measured after one warm-up, {load()}\n")
        print("| notebook path (warm kernel) | per unit |")
        print("|---|---|")
        for part, secs in kernel.items():
            print(f"| {part} | {secs / m * 1000:.0f} ms |")
        print(f"| **total** | **{sum(kernel.values()) / m * 1000:.0f} ms** |\n")
        print("| floor (one process, no kernel) | per unit |")
        print("|---|---|")
        p = clock.parts
        other_sections = p["sections incl. charts"] - p["charts"]
        context = p["cells (context + sections)"] - p["sections incl. charts"]
        rows = [("context: YAML (load_year)", p["YAML (load_year)"]),
                ("context: hashing", p["hashing"]), ("context: scoring", p["scoring"]),
                ("context: other + other sections",
                 context - p["YAML (load_year)"] - p["hashing"] - p["scoring"]),
                ("charts (2 SVGs written directly)", p["charts"]),
                ("charts section, not the charts", other_sections),
                ("nbconvert export", p["nbconvert export"])]
        for part, secs in rows:
            print(f"| {part} | {secs / m * 1000:.1f} ms |")
        print(f"| **total** | **{floor_total / m * 1000:.0f} ms** "
              f"({floor_cpu / m * 1000:.0f} ms CPU) |")
        print(json.dumps({"kernel": kernel, "floor": p}, default=float), file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("scale", "profile"))
    ap.add_argument("sizes", type=int, nargs="+")
    ap.add_argument("--sample", type=int, default=10, help="profile: units measured")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    if args.mode == "scale":
        scale(args.sizes)
    else:
        for n in args.sizes:
            profile(n, args.sample)


if __name__ == "__main__":
    main()
