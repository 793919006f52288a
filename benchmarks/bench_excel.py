"""Benchmark: the Excel route — template, export, validate and import a year of N units.

Run:  .venv/bin/python benchmarks/bench_excel.py [N] [REPEATS]
N units (default 30, the sample College) each get a copy of a 2013 sample record, so the
entries are the realistic ones; every rule of the rubric is a row (N × 39 rows). Prints the
best-of-REPEATS wall time of each step, and checks that import gives back the same records.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from timing import best_of

from kpa_core.excel.importer import import_workbook, read_workbook
from kpa_core.excel.template import write_export, write_template
from kpa_core.scoring.record import save_record
from kpa_core.year.data import load_units, load_year, record_path

REPO = Path(__file__).parents[1]


def make_data(folder: Path, n: int) -> Path:
    """A data folder of n units, unit i holding the 2013 sample record of unit i mod 30."""
    sample = load_year(REPO / "data", 2013).records
    units = load_units(REPO / "data")
    data = folder / "data"
    data.mkdir(parents=True)
    with (data / "units.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit_id", "name_zh", "name_en", "kind"])
        for i in range(n):
            base = sample[i % len(sample)]
            unit = units[base.unit_id]
            writer.writerow([f"u{i:04d}", f"{unit.name_zh}{i}", unit.name_en, unit.kind])
            copy = replace(base, unit=f"{unit.name_zh}{i}", unit_id=None)
            save_record(copy, record_path(data, 2013, f"u{i:04d}"))
    return data


def main(n: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = make_data(tmp_path, n)
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        shutil.copy(data / "units.csv", fresh / "units.csv")
        template, export = tmp_path / "t.xlsx", tmp_path / "e.xlsx"
        figures = {
            "template": best_of(repeats, lambda: write_template(data, 2014, template))[0],
            "export": best_of(repeats, lambda: write_export(data, 2013, export))[0],
            "validate (read_workbook)": best_of(repeats, lambda: read_workbook(export, fresh))[0],
            "import (validate + write)":
                best_of(repeats, lambda: import_workbook(export, fresh))[0],
        }
        before = {r.unit_id: r.to_data() for r in load_year(data, 2013).records}
        after = {r.unit_id: r.to_data() for r in load_year(fresh, 2013).records}
        assert before == after, "round trip changed records"
        print(f"{n} units × 39 rules = {n * 39} rows; best of {repeats}; "
              f"workbook {export.stat().st_size / 1024:.0f} KiB")
        for step, seconds in figures.items():
            print(f"  {step:28s} {seconds:7.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30,
         int(sys.argv[2]) if len(sys.argv) > 2 else 3)
