"""The app's 整改 tab (issue #23): last year's ledger of the unit, reported and checked.

The 2013 sample is not published, so the tab shows 2012's ledger. logistics 2012 has 8 items;
as of today (past the 2013-02-10 deadline) R2 and R5 are 逾期, R6 awaits its check, the other
five are closed. arts' contact is 李华.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from kpa_core.audit.log import read_chain
from kpa_core.entry.view import AssessView

ROOT = Path(__file__).resolve().parents[1]
TOML = """[[people]]
name = "王明"
role = "assessor"
[[people]]
name = "赵主任"
role = "head"
[[people]]
name = "李华"
role = "contact"
unit = "arts"
"""


def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


def lines(data: Path) -> int:
    return len(read_chain(data, 2012).lines)


def test_the_tab_fills_when_opened_and_follows_the_unit(tmp_path: Path):
    data = workspace(tmp_path)
    view = AssessView(data, tmp_path / "params", 2013, "logistics")
    assert view.rectify.listing.value == ""  # not computed until the tab is opened
    view.pages.selected_index = 1
    panel = view.rectify
    assert "2012 年度整改台账 · 后勤管理处" in panel.heading.value
    assert "共 8 项，已销号 5 项，逾期 2 项" in panel.heading.value
    assert panel.listing.value.count("<tr class=") == 8
    assert [v for _, v in panel.item.options] == [f"R{n}" for n in range(1, 9)]


def test_report_then_check_through_the_tab(tmp_path: Path):
    data = workspace(tmp_path)
    view = AssessView(data, tmp_path / "params", 2013, "logistics")
    view.pages.selected_index = 1
    panel = view.rectify
    panel.item.value = "R2"
    panel.text.value = "已召开支部民主生活会述廉"
    proof = "会议记录\n".encode()
    panel.upload.value = ({"name": "会议记录.txt", "type": "text/plain", "size": len(proof),
                           "content": memoryview(proof),
                           "last_modified": dt.datetime(2013, 2, 1, tzinfo=dt.UTC)},)
    panel.reporter.value = "王明"
    panel.report.click()
    assert "已报送 R2，状态：已整改待核查" in panel.report_status.value
    assert panel.upload.value == ()  # the file's bytes left the widget for the store
    last = read_chain(data, 2012).lines[-1].data
    assert last["action"] == "rectify_report" and len(last["evidence"]) == 1
    panel.result.value, panel.why.value, panel.checker.value = "不通过", "缺签到表", "赵主任"
    panel.check.click()
    assert "不通过，状态：逾期" in panel.check_status.value  # past the deadline, back to the unit
    assert "核查不通过：缺签到表" in panel.listing.value


def test_refusals_appear_beside_the_button_and_write_nothing(tmp_path: Path):
    data = workspace(tmp_path)
    view = AssessView(data, tmp_path / "params", 2013, "logistics")
    view.pages.selected_index = 1
    panel = view.rectify
    before = lines(data)
    panel.item.value = "R6"  # awaiting its check
    panel.text.value = "再报一次"
    panel.reporter.value = "王明"
    panel.report.click()
    assert "已整改待核查，不能再报送" in panel.report_status.value
    panel.item.value = "R1"  # closed: nothing to check
    panel.why.value, panel.checker.value = "好", "王明"
    panel.check.click()
    assert "没有待核查的整改报告" in panel.check_status.value
    panel.item.value = "R6"
    panel.why.value, panel.checker.value = "好", "李华"  # a unit contact may not check
    panel.check.click()
    assert "核查整改须由考核组成员" in panel.check_status.value
    assert lines(data) == before


def test_no_ledger_before_any_publication(tmp_path: Path):
    data = workspace(tmp_path)
    shutil.rmtree(data / "2012")
    view = AssessView(data, tmp_path / "params", 2013, "arts")
    view.pages.selected_index = 1
    assert "尚无整改台账" in view.rectify.heading.value
    assert view.rectify.actions.layout.display == "none"
