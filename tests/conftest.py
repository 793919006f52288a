"""Shared fixtures. Kept small: other test files may add their own fixtures in their modules.

``report_run`` renders a few units ONCE per test session through the real ``kpa report``
command (a subprocess, default process pool and warm engine), on a copy of the sample data
where one unit's reason is a ``<script>`` and one unit's record is broken. Many tests then
check that one output, so the suite executes the report notebook only a handful of times.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT_REASON = "<script>alert(1)</script>"
REPORT_UNITS = ("petroleum", "assets", "union")  # Note 2 caps; a Note 1 cap; <script> + self
BROKEN_UNIT = "audit"


@dataclass
class ReportRun:
    data: Path
    out: Path
    params: Path
    returncode: int
    stdout: str
    stderr: str


def run_kpa_report(data: Path, out: Path, params: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpa_core.cli", "report", "--year", "2013", "--data", str(data),
         "--out", str(out), "--params", str(params), "--jobs", "2", *extra],
        capture_output=True, text=True, encoding="utf-8", cwd=data.parent, timeout=600)


@pytest.fixture(scope="session")
def report_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample data: union's first reason is a <script>, audit's record is broken."""
    root = tmp_path_factory.mktemp("report") / "data"
    shutil.copytree(REPO / "data", root)
    union = root / "2013" / "union.yaml"
    union.write_text(union.read_text(encoding="utf-8").replace(
        "reason: 岗位廉政责任未分解到人", f"reason: '{SCRIPT_REASON}'", 1), encoding="utf-8")
    audit = root / "2013" / f"{BROKEN_UNIT}.yaml"
    audit.write_text(audit.read_text(encoding="utf-8").replace("B02.system:", "B06.system:", 1),
                     encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def report_run(report_data: Path) -> ReportRun:
    out, params = report_data.parent / "out", report_data.parent / "params"
    proc = run_kpa_report(report_data, out, params, "--units", *REPORT_UNITS, BROKEN_UNIT)
    return ReportRun(report_data, out, params, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def rubric_dir(tmp_path, monkeypatch):
    """A private copy of the rubric folder, so a test can tamper with it safely."""
    import kpa_core.rubric as rubric_mod

    folder = tmp_path / "rubrics"
    shutil.copytree(rubric_mod.RUBRIC_DIR, folder)
    monkeypatch.setattr(rubric_mod, "RUBRIC_DIR", folder)
    rubric_mod.load_rubric.cache_clear()
    yield folder
    rubric_mod.load_rubric.cache_clear()  # monkeypatch restores the dir; drop the tampered one
