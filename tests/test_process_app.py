"""The app shows the process (issue #22): the state line, the saver from kpa.toml's list."""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w

from kpa_core.audit import states
from kpa_core.audit.log import read_audit
from kpa_core.entry.view import AssessView
from kpa_core.year.data import load_units

ROOT = Path(__file__).resolve().parents[1]
TOML = """[[people]]
name = "王明"
role = "assessor"
[[people]]
name = "赵主任"
role = "head"
"""


def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


def test_the_saver_is_chosen_from_the_people_and_the_state_line_follows_the_chain(tmp_path):
    data = workspace(tmp_path)
    states.approve(data, 2013, "arts", "王明", login="nobody")
    view = AssessView(data, tmp_path / "params", 2013, "arts")
    assert isinstance(view.who, w.Dropdown)  # a list, not a free-text box
    assert [v for _, v in view.who.options] == ["王明", "赵主任"]
    assert "流程 process：已审核（王明" in view.status.value
    view.controls["B14.method"].check.value = True
    view.controls["B14.method"].reason.value = "未建立监督办法"
    view.who.value, view.why.value = "王明", "补充"
    view.save.click()
    assert "已保存" in view.save_status.value
    assert read_audit(data, 2013)[-1]["who"] == "王明"
    assert states.year_process(data, 2013).records[("arts", "assessor")].state == "draft"


def test_a_published_unit_says_so_and_refuses_the_save(tmp_path):
    data = workspace(tmp_path)
    for uid in load_units(data):
        states.approve(data, 2013, uid, "王明", login="nobody")
    pub = states.publish(data, 2013, "赵主任", "克职院纪〔2014〕1号", login="nobody")
    view = AssessView(data, tmp_path / "params", 2013, "arts")
    assert f"已签发，封存码 {pub.code}" in view.status.value
    view.controls["B14.method"].check.value = True
    view.controls["B14.method"].reason.value = "未建立监督办法"
    view.who.value, view.why.value = "王明", "补充"
    view.save.click()
    assert "2013 年度已签发" in view.save_status.value and "kpa review open" in \
        view.save_status.value
    assert read_audit(data, 2013)[-1]["action"] == "publish"  # nothing written
