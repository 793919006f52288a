"""Issue #25: the optional facts the readings need, entered in the form and the Excel route.

B01.meetings per semester (the yearly count derived), B16.judicial persons per case, B08's
missing 有. Never required by the released reading; checked against the entry's own value;
kept by a save (before, a form save dropped facts the record already held).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpa_core.entry.controller import AssessmentController
from kpa_core.excel.importer import import_workbook
from kpa_core.excel.template import ENTRY_COLUMNS, column_index, write_export
from kpa_core.scoring.record import load_record

ROOT = Path(__file__).resolve().parents[1]
COL = {c.key: column_index(ENTRY_COLUMNS, c.key) for c in ENTRY_COLUMNS}


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def test_the_form_sets_keeps_and_checks_facts(data: Path):
    ctl = AssessmentController(data, 2013, "arts")
    assert set(ctl.fact_specs("B01.meetings")) == {"semesters"}
    ctl.set_value("B01.meetings", 2)
    ctl.set_reason("B01.meetings", "全年仅2次")
    assert ctl.set_fact("B01.meetings", "semesters", "1, 1") == []
    assert ctl.entry("B01.meetings")["semesters"] == [1, 1]
    bad = ctl.set_fact("B01.meetings", "semesters", "1, 3")  # 4 ≠ the year's 2
    assert bad and "两学期次数之和（4）与全年次数（2）不符" in bad[0].problem_zh
    ctl.set_fact("B01.meetings", "semesters", "2，0")  # Chinese comma
    ctl.set_value("B08.three_haves", 4)
    ctl.set_reason("B08.three_haves", "缺计划与主题")
    ctl.set_fact("B08.three_haves", "missing", "有计划、有主题")
    ctl.save("王明", "补充事实")
    saved = load_record(data / "2013" / "arts.yaml", unit_id="arts")
    assert saved.entries["B01.meetings"]["semesters"] == [2, 0]
    assert saved.entries["B08.three_haves"]["missing"] == ["plan", "theme"]
    again = AssessmentController(data, 2013, "arts")  # reloaded: the facts are in the form
    assert again.facts("B01.meetings") == {"semesters": [2, 0]}
    again.set_reason("B01.meetings", "全年仅2次（复核）")
    again.save("王明", "改原因")  # a save that does not touch the facts keeps them
    assert load_record(data / "2013" / "arts.yaml",
                       unit_id="arts").entries["B01.meetings"]["semesters"] == [2, 0]
    assert again.set_fact("B01.meetings", "semesters", "") == []  # empty removes it
    assert "semesters" not in again.entry("B01.meetings")


def test_facts_round_trip_through_the_workbook(data: Path, tmp_path: Path):
    book = write_export(data, 2013, tmp_path / "e.xlsx")
    wb = load_workbook(book)
    ws = wb.active
    rows = {(ws.cell(r, COL["unit_id"]).value, ws.cell(r, COL["rule"]).value): r
            for r in range(2, ws.max_row + 1)}
    r = rows[("pe", "B01.meetings")]
    ws.cell(r, COL["value"]).value = None  # the yearly count derived from the semesters
    ws.cell(r, COL["reason"]).value = "第二学期未开会"
    ws.cell(r, COL["facts"]).value = "3, 0"
    wb.save(book)
    import_workbook(book, data, who="王明", why="分学期")
    entry = load_record(data / "2013" / "pe.yaml", unit_id="pe").entries["B01.meetings"]
    assert entry["semesters"] == [3, 0] and entry["actual"] == 3  # the year: 3 + 0
    again = load_workbook(write_export(data, 2013, tmp_path / "e2.xlsx")).active
    assert again.cell(r, COL["facts"]).value == "semesters: 3, 0"


def test_a_bad_facts_cell_is_named_and_nothing_is_written(data: Path, tmp_path: Path):
    from kpa_core.errors import KpaInputError

    book = write_export(data, 2013, tmp_path / "e.xlsx")
    wb = load_workbook(book)
    ws = wb.active
    r = next(r for r in range(2, ws.max_row + 1)
             if ws.cell(r, COL["rule"]).value == "B02.system")
    ws.cell(r, COL["value"]).value = 1
    ws.cell(r, COL["reason"]).value = "x"
    ws.cell(r, COL["facts"]).value = "semesters: 1, 1"  # B02.system takes no facts
    wb.save(book)
    before = (data / "2013" / f"{ws.cell(r, 1).value}.yaml").read_bytes()
    with pytest.raises(KpaInputError, match="该规则没有补充事实"):
        import_workbook(book, data, who="王明", why="x")
    assert (data / "2013" / f"{ws.cell(r, 1).value}.yaml").read_bytes() == before
