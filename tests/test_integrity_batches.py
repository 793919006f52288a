"""Two ``kpa report`` batches on one output folder, and record files not in units.csv.

A three-unit year (arts, chemical, economics) plus ``ghost.yaml``, a record of no listed unit.
Two batches run at once (arts; chemical): the index and manifest must list both. A following
whole-year run renders economics only (the other two are unchanged) and names ghost.yaml.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS = ("arts", "chemical", "economics")


def make_year(root: Path) -> Path:
    data = root / "data"
    (data / "2013").mkdir(parents=True)
    lines = (ROOT / "data" / "units.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] in UNITS]
    (data / "units.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for uid in UNITS:
        shutil.copy(ROOT / "data" / "2013" / f"{uid}.yaml", data / "2013" / f"{uid}.yaml")
    shutil.copy(ROOT / "data" / "2013" / "arts.yaml", data / "2013" / "ghost.yaml")
    return data


def start(data: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kpa_core.cli", "report", "--year", "2013", "--data", str(data),
         "--out", str(data.parent / "out"), "--params", str(data.parent / "params"),
         "--jobs", "1", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def test_two_batches_at_once_both_land_and_strays_are_named(tmp_path):
    data = make_year(tmp_path)
    first, second = start(data, "--units", "arts"), start(data, "--units", "chemical")
    outs = [p.communicate(timeout=600) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    out = tmp_path / "out"
    manifest = json.loads((out / ".kpa-report-manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["units"]) == {"arts", "chemical"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="arts.html"' in index and 'href="chemical.html"' in index

    whole = start(data)
    stdout, stderr = whole.communicate(timeout=600)
    assert whole.returncode == 1, stdout + stderr  # ghost.yaml is a failure, named
    assert "ghost" in stdout + stderr and "not in units.csv" in stdout + stderr
    counts = re.search(r"skipped (\d+), failed (\d+)", stdout)
    assert counts and counts.groups() == ("2", "1"), stdout  # arts and chemical not re-rendered
    assert (out / "economics.html").is_file()
