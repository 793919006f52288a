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

from kpa_core.cheap_imports import defer_iri_grammar

# As every kpa command does: jsonschema's IRI grammar (rfc3987_syntax builds a Lark parser,
# ~1 s of CPU) is built only if an IRI is ever checked. Here before any test module imports
# nbformat, so each pytest process (each xdist worker) saves that second too.
defer_iri_grammar()

REPO = Path(__file__).resolve().parent.parent
SCRIPT_REASON = "<script>alert(1)</script>"
REPORT_UNITS = ("petroleum", "assets", "union")  # Note 2 caps; a Note 1 cap; <script> + self
BROKEN_UNIT = "audit"


# Under pytest-xdist (``./run tests`` runs ``-n 2 --dist loadgroup``) these modules each stay on
# one worker: every module that uses ``report_run``/``report_data``, so the session's report batch
# runs once rather than once per worker; the wheel test, whose venv is a module fixture; and
# test_browser_assess.py, whose Voila app and Chromium are module fixtures (one of each at a time).
# xdist's own loadgroup reads ``xdist_group`` marks by rewriting ``item._nodeid``, which pytest 9
# no longer reads, so the groups are named here by module and test_pinning_ci checks the list.
XDIST_GROUPS = {
    "tests/test_overview.py": "report_run",
    "tests/test_report_batch.py": "report_run",
    "tests/test_report_browser.py": "report_run",
    "tests/test_report_engine.py": "report_run",
    "tests/test_report_html.py": "report_run",
    "tests/test_report_print.py": "report_run",
    "tests/test_wheel.py": "wheel",
    "tests/test_readme.py": "wheel",  # shares the wheel's venv (tests/wheel_venv.py)
    "tests/test_browser_assess.py": "browser_assess",
    "tests/test_evidence_browser.py": "browser_assess",  # its own Voila app and Chromium
}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: fine when it is not installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup``: one work unit per group of XDIST_GROUPS, one per other test. The
    biggest units are handed out first, so the report_run group and the wheel test start at
    once on two workers and the single tests fill in around them."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return XDIST_GROUPS.get(nodeid.split("::", 1)[0], nodeid)

    return ModuleGroupScheduling(config, log)


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
    import kpa_core.rubric.model as rubric_mod

    folder = tmp_path / "rubrics"
    shutil.copytree(rubric_mod.RUBRIC_DIR, folder)
    monkeypatch.setattr(rubric_mod, "RUBRIC_DIR", folder)
    rubric_mod.load_rubric.cache_clear()
    yield folder
    rubric_mod.load_rubric.cache_clear()  # monkeypatch restores the dir; drop the tampered one
