"""Issue #24 defect 9: a workspace holding a folder named ``kpa_core`` does not break reports.

Before: the report kernel ran in the workspace and imported the planted ``kpa_core`` from the
current folder instead of the installed package, and every unit failed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.notebook


def test_a_planted_kpa_core_folder_in_the_workspace_is_not_imported(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    planted = tmp_path / "kpa_core"
    planted.mkdir()
    (planted / "__init__.py").write_text("raise ImportError('planted kpa_core imported')\n",
                                         encoding="utf-8")
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    # as installed in the office: the kernel finds kpa_core through the install, and the
    # current folder is the one thing that could come first
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("KPA_WORKSPACE", raising=False)
    done = run_kpa("report", "--year", "2013", "--units", "arts", "--no-progress",
                   "--engine", "fresh", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "planted kpa_core imported" not in done.stdout + done.stderr
    html = tmp_path / "out" / "reports" / "2013" / "arts.html"
    assert "艺术系" in html.read_text(encoding="utf-8")
