"""Issue #24 defect 9: `kpa verify` checks scenario files, not only records and report params.

Before: a scenario saved from the form got an audit line without its sha256, and verify never
looked in params/<year>/scenarios/: an edited or planted scenario verified ✔.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kpa_core.cli import main
from kpa_core.entry.controller import AssessmentController

ROOT = Path(__file__).resolve().parents[1]


def test_verify_names_an_edited_and_a_planted_scenario(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    data, params = tmp_path / "data", tmp_path / "params"
    ctl = AssessmentController(data, 2013, "arts")
    ctl.set_mode("whatif")
    ctl.set_value("B18.news", 3)
    saved = ctl.save_scenario("少一篇", "甲", "看名次变化")
    assert saved == params / "2013" / "scenarios" / "arts-少一篇.yaml"
    verify = ["verify", "--year", "2013", "--data", str(data), "--params", str(params)]
    assert main(verify) == 0, capsys.readouterr().out
    capsys.readouterr()

    saved.write_text(saved.read_text(encoding="utf-8").replace("total: 94.5", "total: 99"),
                     encoding="utf-8")
    planted = saved.with_name("arts-另一个.yaml")
    shutil.copy(saved, planted)
    assert main(verify) == 1
    out = capsys.readouterr().out
    assert "arts-少一篇.yaml" in out and "the scenario was changed outside kpa" in out
    assert "arts-另一个.yaml" in out and "no audit line explains this what-if scenario" in out
