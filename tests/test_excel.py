"""The Excel entry route: template layout, import (records, scores, located errors), round trip."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_kpa
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kpa_core.errors import KpaInputError
from kpa_core.excel.importer import import_workbook
from kpa_core.excel.reader import read_workbook
from kpa_core.excel.template import (
    ENTRY_COLUMNS,
    SHEET_ABOUT,
    SHEET_ENTRIES,
    SHEET_UNITS,
    UNIT_COLUMNS,
    column_index,
    format_value,
    write_export,
    write_template,
    year_problems,
)
from kpa_core.excel.values import cell_text, parse_value
from kpa_core.rubric.model import load_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import load_record, save_record
from kpa_core.scoring.score import score_record
from kpa_core.year.data import load_units, load_year

REPO = Path(__file__).parents[1]
RUBRIC = load_rubric()
N_RULES = len(RUBRIC.rules)
COL = {c.key: column_index(ENTRY_COLUMNS, c.key) for c in ENTRY_COLUMNS}
LETTER = {k: "ABCDEFGHIJKLMN"[i - 1] for k, i in COL.items()}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the sample data; tests never write into the repository's data/."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    return target


@pytest.fixture
def empty_data_dir(tmp_path: Path) -> Path:
    """Only units.csv: a year nobody has entered yet."""
    target = tmp_path / "fresh"
    target.mkdir()
    shutil.copy(REPO / "data" / "units.csv", target / "units.csv")
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The two workbooks most import tests start from, made once per module by the same
    functions the tests would call: the 2013 export of the sample data and the empty 2014
    template. openpyxl takes about half a second to write each 1,170-row workbook; a test
    gets its own copy of the bytes (``book``). The tests of writing itself still write."""
    base = tmp_path_factory.mktemp("books")
    shutil.copytree(REPO / "data", base / "data")
    (base / "fresh").mkdir()
    shutil.copy(REPO / "data" / "units.csv", base / "fresh" / "units.csv")
    return {"export-2013": write_export(base / "data", 2013, base / "e.xlsx").read_bytes(),
            "template-2014": write_template(base / "fresh", 2014, base / "t.xlsx").read_bytes()}


def book(books: dict[str, bytes], name: str, path: Path) -> Path:
    """A private copy of one of ``books`` at ``path``: what write_export(sample data, 2013) or
    write_template(units.csv only, 2014) would have written there."""
    path.write_bytes(books[name])
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def row_of(ws, unit_id: str, rule_id: str) -> int:
    for row in range(2, ws.max_row + 1):
        if (ws.cell(row, COL["unit_id"]).value == unit_id
                and ws.cell(row, COL["rule"]).value == rule_id):
            return row
    raise AssertionError(f"no row for {unit_id} {rule_id}")


def fill(ws, unit_id: str, rule_id: str, value=None, reason=None, evidence=None) -> int:
    row = row_of(ws, unit_id, rule_id)
    ws.cell(row, COL["value"]).value = value
    ws.cell(row, COL["reason"]).value = reason
    ws.cell(row, COL["evidence"]).value = evidence
    return row


def unit_row(ws, unit_id: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == unit_id)


# ---------------------------------------------------------------- template -------------------

def test_template_has_one_row_per_unit_and_rule_with_bilingual_headers(
        empty_data_dir: Path, tmp_path: Path) -> None:
    path = write_template(empty_data_dir, 2014, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_ENTRIES, SHEET_UNITS, SHEET_ABOUT]
    ws = wb[SHEET_ENTRIES]
    units = load_units(empty_data_dir)
    assert len(units) == 30 and N_RULES == 39
    assert ws.max_row == 1 + 30 * 39  # 1170 rule rows under one header
    headers = [ws.cell(1, i).value for i in range(1, len(ENTRY_COLUMNS) + 1)]
    assert headers[0] == "单位编号\nunit id"
    assert headers[COL["value"] - 1] == "取值\nvalue"
    assert all("\n" in h for h in headers)  # Chinese, then English
    assert ws.freeze_panes == "E2"
    # Every unit × every rule, in units.csv order then rubric order.
    pairs = [(ws.cell(r, 1).value, ws.cell(r, COL["rule"]).value) for r in range(2, ws.max_row + 1)]
    assert pairs == [(u, rid) for u in units for rid in RUBRIC.rules]
    row = row_of(ws, "petroleum", "B16.judicial")
    rule = RUBRIC.rules["B16.judicial"]
    assert ws.cell(row, COL["unit"]).value == "石油工程系"
    assert ws.cell(row, COL["item"]).value == "B16"
    assert ws.cell(row, COL["rule_zh"]).value == rule.zh
    assert ws.cell(row, COL["allowed"]).value == (  # RUBRIC.md: B16.judicial 4–5 per case
        "每件一个分值的列表，每个 4–5，步长0.5\n"
        "a list with one amount per case, each 4–5 in steps of 0.5")
    flag = row_of(ws, "petroleum", "B04.losses")  # a flag: −5 when it applies
    assert ws.cell(flag, COL["allowed"]).value == (
        "true/false（适用时扣5分）\ntrue/false (−5 when it applies)")
    assert ws.cell(row, COL["value"]).value is None
    assert ws.cell(row, COL["value"]).number_format == "@"  # "12/3" must stay text
    assert ws.column_dimensions["E"].width >= 40  # the rule text is readable
    about = {r[0].value: r[2].value for r in wb[SHEET_ABOUT].iter_rows(min_row=2) if r[0].value}
    assert about["year"] == 2014 and about["rubric"] == "kvtc-2013-draft"
    assert about["rubric_sha256"] == RUBRIC.sha256 and about["role"] == "assessor"
    assert wb[SHEET_UNITS].max_row == 31


def validation_of(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, cell
    return found[0]


def test_template_offers_dropdowns_number_checks_and_hints(
        empty_data_dir: Path, tmp_path: Path) -> None:
    ws = load_workbook(write_template(empty_data_dir, 2014, tmp_path / "t.xlsx"))[SHEET_ENTRIES]
    v = LETTER["value"]
    flag = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B02.responsibility')}")
    assert flag.type == "list" and flag.formula1 == '"true,false,是,否"'
    rng = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B02.procedure')}")  # range 1–5
    assert rng.type == "list" and rng.formula1 == '"0,1,1.5,2,2.5,3,3.5,4,4.5,5"'
    zero_lo = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B02.system')}")  # range 0–2
    assert zero_lo.formula1 == '"0,0.5,1,1.5,2"'
    count = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B01.docs')}")  # max_count 3
    assert (count.type, count.operator, count.formula1, count.formula2) == (
        "whole", "between", "0", "3")
    open_count = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B05.integrity')}")
    assert (open_count.type, open_count.operator, open_count.formula1) == (
        "whole", "greaterThanOrEqual", "0")
    tier = validation_of(ws, f"{v}{row_of(ws, 'arts', 'S1.honours')}")
    assert tier.formula1 == '"national,region,city"'
    assert tier.errorStyle == "information"  # "national; city" may still be typed
    ratio = validation_of(ws, f"{v}{row_of(ws, 'arts', 'B17.reflections')}")
    assert ratio.type is None and "12/3; 9/3" in ratio.prompt and ratio.showInputMessage
    reason = validation_of(ws, f"{LETTER['reason']}{row_of(ws, 'arts', 'B01.docs')}")
    assert "原因" in reason.promptTitle
    # The same rule shares one validation across all 30 units.
    assert len(str(flag.sqref).split()) == 30


# ---------------------------------------------------------------- import ---------------------

def test_filled_workbook_imports_to_records_and_hand_computed_scores(
        empty_data_dir: Path, tmp_path: Path, books: dict[str, bytes]) -> None:
    path = book(books, "template-2014", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET_ENTRIES]
    fill(ws, "arts", "B01.docs", 2, "半年、年度总结未报送")             # A1 −4
    fill(ws, "arts", "B02.responsibility", "是", "责任未分解")          # A1 −2
    fill(ws, "arts", "B02.procedure", 2.5, "缺审批记录", "查执行记录")   # A1 −2.5
    fill(ws, "arts", "B03.activity", 0)                                # no deduction, no reason
    fill(ws, "arts", "B05.relatives", "1", "亲属违纪")                  # A2 −5 (numeric text)
    fill(ws, "arts", "B07.studies", 3, "全年专题学习3次")               # A3.edu −(6−3)×2 = −6
    fill(ws, "arts", "B16.judicial", "5; 4", "两人被司法查处")           # A3.pun −9
    fill(ws, "arts", "B17.reflections", "12/4；9/2", "心得不足")         # 12/4 passes, 9/2 −1
    fill(ws, "arts", "B18.news", 4)                                    # quota met: 0
    fill(ws, "arts", "S1.honours", "national; 克拉玛依市级", "获奖")     # 5 + 2 = 7 → capped 5
    fill(ws, "arts", "S2.suggestions", 1, "建议被采纳")                 # +2
    fill(ws, "arts", "S2.articles", 2.5, "文章发表")                    # one case +2.5
    units = wb[SHEET_UNITS]
    r = unit_row(units, "arts")
    units.cell(r, column_index(UNIT_COLUMNS, "assessor")).value = "纪委办公室"
    units.cell(r, len(UNIT_COLUMNS) + 1).value = "area"  # cap_scope
    wb.save(path)

    result = import_workbook(path, empty_data_dir)
    assert result.written == [(empty_data_dir / "2014" / "arts.yaml", False)]
    # The 29 untouched units are skipped: no empty record scoring 100 is made for them.
    assert len(result.skipped) == 29 and not any(exists for _, _, exists in result.skipped)
    assert sorted(p.name for p in (empty_data_dir / "2014").iterdir()) == [
        "arts.yaml", "audit-log.jsonl"]  # the import's audit line explains the new record
    record = load_record(empty_data_dir / "2014" / "arts.yaml")
    assert record.year == 2014 and record.unit == "艺术系" and record.assessor == "纪委办公室"
    assert record.options == {"cap_scope": "area"}
    assert record.entries == {
        "B01.docs": {"count": 2, "reason": "半年、年度总结未报送"},
        "B02.responsibility": {"applies": True, "reason": "责任未分解"},
        "B02.procedure": {"points": 2.5, "reason": "缺审批记录", "evidence": "查执行记录"},
        "B03.activity": {"points": 0},
        "B05.relatives": {"count": 1, "reason": "亲属违纪"},
        "B07.studies": {"actual": 3, "reason": "全年专题学习3次"},
        "B16.judicial": {"cases": [5, 4], "reason": "两人被司法查处"},
        "B17.reflections": {"sessions": [{"participants": 12, "reflections": 4},
                                         {"participants": 9, "reflections": 2}],
                            "reason": "心得不足"},
        "B18.news": {"actual": 4},
        "S1.honours": {"levels": ["national", "city"], "reason": "获奖"},
        "S2.suggestions": {"count": 1, "reason": "建议被采纳"},
        "S2.articles": {"cases": [2.5], "reason": "文章发表"},
    }
    card = score_record(record)
    assert card.area_scores["A1"] == 20 - 4 - 2 - 2.5 == 11.5
    assert card.area_scores["A2"] == 10 - 5
    assert card.area_scores["A3"] == 70 - 6 - 9 - 1 == 54  # cap_scope area: 70 − 16
    assert card.basic == 11.5 + 5 + 54 == 70.5
    assert card.special == {"S1": 5, "S2": 2 + 2.5}
    assert card.total == 70.5 + 5 + 4.5 == 80


def test_every_kind_of_bad_cell_is_located_all_at_once_and_nothing_is_written(
        data_dir: Path, tmp_path: Path, books: dict[str, bytes]) -> None:
    path = book(books, "export-2013", tmp_path / "e.xlsx")
    before = snapshot(data_dir)
    wb = load_workbook(path)
    ws = wb[SHEET_ENTRIES]
    bad = {
        "count above max_count": (fill(ws, "arts", "B01.docs", 4, "x"), "value"),
        "off the 0.5 step": (fill(ws, "arts", "B02.procedure", 2.3, "x"), "value"),
        "unknown tier level": (fill(ws, "arts", "S1.honours", "national; county", "x"), "value"),
        "reflections above participants": (fill(ws, "arts", "B17.reflections", "12/13", "x"),
                                           "value"),
        "missing reason": (fill(ws, "arts", "B02.responsibility", "true"), "reason"),
        "wrong type": (fill(ws, "arts", "B05.integrity", "three", "x"), "value"),
        "wrong type flag": (fill(ws, "arts", "B07.plan", 1, "x"), "value"),
        "Excel date": (fill(ws, "arts", "B16.judicial", dt.datetime(2013, 12, 3), "x"), "value"),
        "reason without value": (fill(ws, "arts", "B09.content", None, "查了"), "value"),
    }
    # Rows an analyst added by hand: item 6, a rule item 1 lacks, an unknown unit, a duplicate.
    extra = [("arts", "B06.plan", 1, "rule"), ("arts", "B01.nothing", 1, "rule"),
             ("no-such-unit", "B01.docs", 1, "unit_id"), ("arts", "B04.losses", "true", "rule")]
    first_b04 = fill(ws, "arts", "B04.losses", "false")
    for i, (uid, rid, value, column) in enumerate(extra):
        row = ws.max_row + 1
        ws.cell(row, COL["unit_id"]).value = uid
        ws.cell(row, COL["rule"]).value = rid
        ws.cell(row, COL["value"]).value = value
        ws.cell(row, COL["reason"]).value = "手工添加"
        bad[f"extra {i} {rid}"] = (row, column)
    wb.save(path)

    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, data_dir)
    problems = caught.value.problems
    located = sorted((p.where.split("第")[1].split("行")[0], p.where.split("行 ")[1][0])
                     for p in problems)
    expected = sorted((str(row), LETTER[column]) for row, column in bad.values())
    assert located == expected  # one problem per bad cell, each on its row and column
    assert all("e.xlsx" in p.where and f"「{SHEET_ENTRIES}」" in p.where for p in problems)
    by_rule = {p.rule_id: p for p in problems if p.rule_id}
    assert by_rule["B01.docs"].value == 4 and "0–3" in by_rule["B01.docs"].allowed_zh
    assert by_rule["B02.procedure"].problem_en == "must be a multiple of 0.5"
    assert by_rule["S1.honours"].value == "county"
    assert by_rule["B17.reflections"].value == 13
    assert by_rule["B02.responsibility"].field == "reason"
    assert by_rule["B05.integrity"].value == "three"
    assert "日期" in by_rule["B16.judicial"].problem_zh
    assert "no item 6" in by_rule["B06.plan"].problem_en
    assert sorted(p.unit for p in problems) == ["no-such-unit"] + ["艺术系"] * (len(bad) - 1)
    dup = next(p for p in problems if "twice" in p.problem_en)
    assert f"row {first_b04}" in dup.allowed_en
    assert snapshot(data_dir) == before  # nothing written, not even the clean units


def test_a_huge_number_is_echoed_as_typed_not_as_a_300_digit_integer(
        data_dir: Path, tmp_path: Path) -> None:
    """1e300 is a whole float; turned into an int it would print 301 digits in the message.
    A count of 3.0 still becomes 3 (Excel stores every number as a float)."""
    path = write_export(data_dir, 2013, tmp_path / "e.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET_ENTRIES]
    fill(ws, "arts", "B07.studies", 1e300, 1e300)  # count and reason both absurd
    fill(ws, "pe", "B01.docs", 3.0, "三项未报送")
    wb.save(path)
    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, data_dir)
    (problem,) = caught.value.problems
    assert (problem.rule_id, problem.value) == ("B07.studies", 1e300)
    assert "1e+300" in str(problem) and "0" * 30 not in str(problem)
    assert cell_text(1e300) == "1e+300" and cell_text(3.0) == "3"
    assert parse_value(load_rubric("kvtc-2013-draft").rules["B01.docs"], 3.0) == 3


def test_import_command_exits_2_with_bilingual_errors_on_stderr(
        data_dir: Path, tmp_path: Path, books: dict[str, bytes]) -> None:
    path = book(books, "export-2013", tmp_path / "e.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET_ENTRIES]
    row = fill(ws, "pe", "B12.training", 3, "两学期未培训")  # max_count 2
    wb.save(path)
    before = snapshot(data_dir)
    done = subprocess.run([sys.executable, "-m", "kpa_core.cli", "import", str(path),
                           "--data", str(data_dir), "--who", "测试员"], capture_output=True,
                          text=True,
                          encoding="utf-8")
    assert done.returncode == 2 and done.stdout == ""
    assert "发现 1 个输入问题 / 1 input problem(s) found" in done.stderr
    assert f"第{row}行 {LETTER['value']}列" in done.stderr
    assert f"row {row}, column {LETTER['value']}" in done.stderr
    assert "[体育部] B12.training.count = 3" in done.stderr
    assert snapshot(data_dir) == before


def test_workbook_metadata_problems_are_located_on_the_about_sheet(
        empty_data_dir: Path, tmp_path: Path, books: dict[str, bytes]) -> None:
    path = book(books, "template-2014", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    about = wb[SHEET_ABOUT]
    rows = {about.cell(r, 1).value: r for r in range(2, 8)}
    about.cell(rows["year"], 3).value = "明年"
    about.cell(rows["rubric"], 3).value = "kvtc-2099"
    wb.save(path)
    with pytest.raises(KpaInputError) as caught:
        read_workbook(path, empty_data_dir)
    where = {p.field: p.where for p in caught.value.problems}
    assert set(where) == {"year", "rubric"}
    assert f"第{rows['year']}行 C列" in where["year"]
    assert list((empty_data_dir).iterdir()) == [empty_data_dir / "units.csv"]


def test_units_sheet_problems_are_located_on_their_cells(data_dir: Path, tmp_path: Path,
                                                         books: dict[str, bytes]) -> None:
    path = book(books, "export-2013", tmp_path / "e.xlsx")
    wb = load_workbook(path)
    units = wb[SHEET_UNITS]
    pe, arts = unit_row(units, "pe"), unit_row(units, "arts")
    units.cell(pe, 2).value = "体育系"                       # name does not match units.csv
    units.cell(arts, 1).value = None                         # arts no longer listed …
    units.cell(arts, 2).value = None
    units.cell(unit_row(units, "union"), len(UNIT_COLUMNS) + 1).value = "whole"  # cap_scope
    extra = units.max_row + 1
    units.cell(extra, 1).value = "nowhere"
    wb.save(path)
    before = snapshot(data_dir)
    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, data_dir)
    got = {(p.field, p.where.split("」")[0].split("「")[1], p.where.split("行 ")[1][0])
           for p in caught.value.problems}
    assert ("unit", SHEET_UNITS, "B") in got
    assert ("unit_id", SHEET_UNITS, "A") in got                 # nowhere
    assert ("options.cap_scope", SHEET_UNITS, "F") in got
    # … so each of arts's filled rows says it is not on the units sheet.
    arts_rows = [p for p in caught.value.problems
                 if p.unit == "艺术系" and "not on the units sheet" in p.problem_en]
    assert len(arts_rows) == len(load_record(data_dir / "2013" / "arts.yaml").entries)
    assert snapshot(data_dir) == before


def test_export_refuses_a_record_whose_unit_is_not_in_units_csv(data_dir: Path,
                                                                 tmp_path: Path) -> None:
    text = (data_dir / "2013" / "pe.yaml").read_text(encoding="utf-8")
    (data_dir / "2013" / "pe.yaml").write_text(text + "unit_id: nowhere\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as caught:
        write_export(data_dir, 2013, tmp_path / "e.xlsx")
    [problem] = caught.value.problems
    assert problem.value == "nowhere" and problem.where.endswith("pe.yaml")
    assert not (tmp_path / "e.xlsx").exists()


def test_not_a_kpa_workbook_is_an_input_problem(empty_data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(KpaInputError) as caught:
        read_workbook(path, empty_data_dir)
    assert len(caught.value.problems) == 3  # entries, units and about sheets all missing


# ---------------------------------------------------------------- round trip -----------------

@pytest.mark.parametrize("role", ["assessor", "self"])
def test_export_then_import_gives_the_same_records(data_dir: Path, empty_data_dir: Path,
                                                   tmp_path: Path, role: str) -> None:
    path = write_export(data_dir, 2013, tmp_path / f"{role}.xlsx", role=role)
    result = import_workbook(path, empty_data_dir)
    original = {r.unit_id: r.to_data() for r in load_year(data_dir, 2013, role=role).records}
    again = {r.unit_id: r.to_data() for r in load_year(empty_data_dir, 2013, role=role).records}
    if role == "self":
        # arts's self-assessment declares nothing (entries: {}), so its rows are all blank:
        # import skips it like any unfilled unit instead of writing an empty record.
        assert original.pop("arts")["entries"] == {}
        assert [(uid, exists) for uid, _, exists in result.skipped] == [("arts", False)]
    else:
        assert result.skipped == []
    assert len(result.written) == len(original) == len(again) == (30 if role == "assessor"
                                                                   else 5)
    assert again == original
    # Every rule kind took part in the trip.
    kinds = {RUBRIC.rules[rid].kind for r in original.values() for rid in r["entries"]}
    if role == "assessor":
        assert kinds == {rule.kind for rule in RUBRIC.rules.values()}


# ---------------------------------------------------------------- cell syntax ----------------

half_points = st.integers(min_value=4, max_value=10).map(lambda n: n / 2)  # 2–5 by 0.5
sessions = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.integers(min_value=0, max_value=n).map(
        lambda r: {"participants": n, "reflections": r}))


@given(st.lists(half_points, max_size=6), st.lists(sessions, max_size=6),
       st.lists(st.sampled_from(["national", "region", "city"]), max_size=6))
def test_list_cells_round_trip_exactly(cases: list[float], sess: list[dict],
                                       levels: list[str]) -> None:
    for rule_id, value in (("S2.articles", cases), ("B17.reflections", sess),
                           ("S1.honours", levels)):
        rule = RUBRIC.rules[rule_id]
        cell = format_value(rule, value)
        assert parse_value(rule, cell) == value
        assert kind_of(rule).check_value(rule, parse_value(rule, cell)) == []


def test_cell_syntax_accepts_what_analysts_type() -> None:
    rules = RUBRIC.rules
    assert parse_value(rules["B16.judicial"], "5；4.5，4") == [5, 4.5, 4]
    assert parse_value(rules["B16.judicial"], 5) == [5]
    assert parse_value(rules["B16.judicial"], "无") == []
    assert parse_value(rules["B17.reflections"], "12／4、9/2") == [
        {"participants": 12, "reflections": 4}, {"participants": 9, "reflections": 2}]
    assert parse_value(rules["S1.honours"], "国家级; region") == ["national", "region"]
    assert parse_value(rules["B02.responsibility"], "否") is False
    assert parse_value(rules["B02.responsibility"], True) is True
    assert parse_value(rules["B01.docs"], " 2 ") == 2
    assert type(parse_value(rules["B01.docs"], 2.0)) is int
    assert parse_value(rules["B01.docs"], "two") == "two"  # left for the rule kind to reject
    assert format_value(rules["B02.responsibility"], False) == "false"
    assert format_value(rules["B04.measures"], 5.0) == 5
    assert format_value(rules["B16.judicial"], []) == "无"


def test_template_and_export_commands_write_their_default_files(data_dir: Path,
                                                                tmp_path: Path) -> None:
    def kpa(*args: str):
        return run_kpa(*args, cwd=tmp_path)

    made = kpa("template", "--year", "2014", "--data", str(data_dir))
    assert made.returncode == 0 and "kpa-2014.xlsx" in made.stdout
    exported = kpa("export", "--year", "2013", "--data", str(data_dir), "--role", "self")
    assert exported.returncode == 0
    wb = load_workbook(tmp_path / "kpa-2013-export.xlsx")
    assert wb[SHEET_ENTRIES].max_row == 1 + 6 * N_RULES  # the six self-assessments
    about = {r[0].value: r[2].value for r in wb[SHEET_ABOUT].iter_rows(min_row=2) if r[0].value}
    assert (about["year"], about["role"]) == (2013, "self")
    missing = kpa("export", "--year", "2011", "--data", str(data_dir))
    assert missing.returncode == 2 and missing.stdout == "" and "no data for that year" in (
        missing.stderr)


def test_a_failure_while_writing_leaves_every_record_as_it_was(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        books: dict[str, bytes]) -> None:
    import kpa_core.excel.importer as excel_import

    path = book(books, "export-2013", tmp_path / "e.xlsx")
    wb = load_workbook(path)
    fill(wb[SHEET_ENTRIES], "arts", "B01.docs", 3, "三项材料均未报送")
    wb.save(path)
    before = snapshot(data_dir)
    real_save, calls = excel_import.save_record, []

    def save_then_fail(record, target, **kw):
        calls.append(target)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real_save(record, target, **kw)

    monkeypatch.setattr(excel_import, "save_record", save_then_fail)
    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, data_dir)
    assert len(calls) == 5
    [problem] = caught.value.problems
    assert "No space left on device" in problem.problem_en and problem.value == str(calls[4])
    assert snapshot(data_dir) == before  # no record replaced, no staged file left behind


# ---------------------------------------------------------------- writing safely -------------

@pytest.mark.parametrize("fail_at", [1, 2, 5, 30])
def test_a_rename_failing_midway_rolls_the_whole_year_back(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int,
        books: dict[str, bytes]) -> None:
    import kpa_core.excel.importer as excel_import

    path = book(books, "export-2013", tmp_path / "e.xlsx")
    wb = load_workbook(path)
    fill(wb[SHEET_ENTRIES], "arts", "B01.docs", 3, "三项材料均未报送")
    wb.save(path)
    # The first unit's record is gone, so the import creates one file and replaces 29.
    (data_dir / "2013" / "party-office.yaml").unlink()
    before = snapshot(data_dir)
    real_replace, renames = os.replace, []

    def replace_then_fail(src, dst):
        if str(src).endswith(".staged"):  # the commit renames, not save_record's own temp files
            renames.append(dst)
            if len(renames) == fail_at:
                raise PermissionError(13, "Permission denied (locked)", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(excel_import.os, "replace", replace_then_fail)
    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, data_dir)
    monkeypatch.undo()
    assert len(renames) == fail_at
    first = caught.value.problems[0]
    assert first.value == str(renames[-1]) and "rolled back" in first.problem_en
    assert "撤销" in first.problem_zh and len(caught.value.problems) == 1
    assert snapshot(data_dir) == before  # byte for byte, and no .staged/.backup file left


def test_a_folder_where_a_record_goes_is_an_input_problem_and_nothing_is_written(
        empty_data_dir: Path, tmp_path: Path, books: dict[str, bytes]) -> None:
    path = book(books, "template-2014", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    for uid in ("party-office", "arts", "pe"):
        fill(wb[SHEET_ENTRIES], uid, "B04.measures", 0)
    wb.save(path)
    (empty_data_dir / "2014" / "arts.yaml").mkdir(parents=True)
    before = snapshot(empty_data_dir)
    done = run_kpa("import", str(path), "--data", str(empty_data_dir), "--who", "测试员")
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "[艺术系].file" in done.stderr and "not a regular file" in done.stderr
    assert snapshot(empty_data_dir) == before
    assert sorted(p.name for p in (empty_data_dir / "2014").iterdir()) == ["arts.yaml"]


# ---------------------------------------------------------------- formulas -------------------

def test_text_starting_like_a_formula_is_written_as_text_and_round_trips(
        data_dir: Path, empty_data_dir: Path, tmp_path: Path) -> None:
    arts = load_record(data_dir / "2013" / "arts.yaml")
    rule_id = next(iter(arts.entries))
    arts.entries[rule_id]["reason"] = "=1+1"
    arts.entries[rule_id]["evidence"] = "@SUM(A1:A9)"
    second = list(arts.entries)[1]
    arts.entries[second]["reason"] = "-2 分，见附件"
    arts.assessor = '=HYPERLINK("http://evil","x")'
    save_record(arts, data_dir / "2013" / "arts.yaml")
    path = write_export(data_dir, 2013, tmp_path / "e.xlsx")
    wb = load_workbook(path)
    ws, units = wb[SHEET_ENTRIES], wb[SHEET_UNITS]
    row = row_of(ws, "arts", rule_id)
    cells = [ws.cell(row, COL["reason"]), ws.cell(row, COL["evidence"]),
             ws.cell(row_of(ws, "arts", second), COL["reason"]),
             units.cell(unit_row(units, "arts"), column_index(UNIT_COLUMNS, "assessor"))]
    assert [c.value for c in cells] == ["=1+1", "@SUM(A1:A9)", "-2 分，见附件",
                                        '=HYPERLINK("http://evil","x")']
    assert [c.data_type for c in cells] == ["s"] * 4  # shown as text, never computed
    assert all(c.quotePrefix for c in cells)  # and stays text when re-edited in Excel
    assert not ws.cell(row, COL["rule"]).quotePrefix  # ordinary text gets no prefix
    import_workbook(path, empty_data_dir)
    again = load_record(empty_data_dir / "2013" / "arts.yaml")
    assert again.to_data() == load_record(data_dir / "2013" / "arts.yaml").to_data()
    assert again.assessor == '=HYPERLINK("http://evil","x")'
    assert again.entries[rule_id]["reason"] == "=1+1"


def test_a_formula_cell_is_reported_not_read(empty_data_dir: Path, tmp_path: Path,
                                             books: dict[str, bytes]) -> None:
    path = book(books, "template-2014", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws, units = wb[SHEET_ENTRIES], wb[SHEET_UNITS]
    value_row = fill(ws, "arts", "B01.docs", "=1+1", "两项未报送")   # value typed as a formula
    reason_row = fill(ws, "pe", "B01.docs", 1, '=HYPERLINK("http://evil","x")')
    assessor_row = unit_row(units, "union")
    units.cell(assessor_row, column_index(UNIT_COLUMNS, "assessor")).value = "=A1"
    fill(ws, "union", "B04.measures", 0)
    wb.save(path)
    with pytest.raises(KpaInputError) as caught:
        import_workbook(path, empty_data_dir)
    got = [(p.where.split("」")[0].split("「")[1], p.where.split("第")[1].split("列")[0],
            p.value, p.unit) for p in caught.value.problems]
    assert got == [
        (SHEET_ENTRIES, f"{value_row}行 {LETTER['value']}", "=1+1", "艺术系"),
        (SHEET_ENTRIES, f"{reason_row}行 {LETTER['reason']}", '=HYPERLINK("http://evil","x")',
         "体育部"),
        (SHEET_UNITS, f"{assessor_row}行 E", "=A1", "工会"),
    ]
    assert all("formula" in p.problem_en and "公式" in p.problem_zh
               for p in caught.value.problems)
    # an entry's formula names its rule and the field, as every other entry problem does
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("B01.docs", "value"), ("B01.docs", "reason"), (None, "assessor")]
    assert list(empty_data_dir.iterdir()) == [empty_data_dir / "units.csv"]


# ---------------------------------------------------------------- output paths and years -----

def test_out_may_name_an_existing_folder(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    with pytest.raises(KpaInputError) as caught:  # the library refuses a folder as a file …
        write_template(data_dir, 2014, folder)
    [problem] = caught.value.problems
    assert problem.field == "out" and problem.value == str(folder)
    assert "folder" in problem.problem_en and list(folder.iterdir()) == []
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(KpaInputError) as caught:  # a file where the folder should be
        write_template(data_dir, 2014, blocker / "t.xlsx")
    [problem] = caught.value.problems
    assert problem.value == str(blocker / "t.xlsx") and "cannot write" in problem.problem_en

    def kpa(*args: str):
        return run_kpa(*args, cwd=tmp_path)

    # … and the command writes the default file name inside it, as --help says.
    made = kpa("template", "--year", "2014", "--data", str(data_dir), "--out", str(folder))
    exported = kpa("export", "--year", "2013", "--data", str(data_dir), "--out", str(folder),
                   "--role", "self")
    assert (made.returncode, exported.returncode) == (0, 0), made.stderr + exported.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["kpa-2013-export.xlsx",
                                                        "kpa-2014.xlsx"]
    assert str(folder / "kpa-2014.xlsx") in made.stdout
    assert "existing folder" in kpa("template", "--help").stdout


def test_template_refuses_a_year_records_would_refuse(empty_data_dir: Path,
                                                      tmp_path: Path) -> None:
    for year in (1800, 1999, 2101):
        with pytest.raises(KpaInputError) as caught:
            write_template(empty_data_dir, year, tmp_path / f"{year}.xlsx")
        [problem] = caught.value.problems
        assert (problem.field, problem.value, problem.allowed_en) == ("year", year, "2000–2100")
        assert not (tmp_path / f"{year}.xlsx").exists()
    assert year_problems(2000) == year_problems(2100) == []
    done = run_kpa("template", "--year", "1800", "--data", str(empty_data_dir), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and "year = 1800" in done.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


# ---------------------------------------------------------------- unfilled units -------------

def test_an_untouched_template_leaves_every_existing_record_alone(
        data_dir: Path, tmp_path: Path) -> None:
    path = write_template(data_dir, 2013, tmp_path / "t.xlsx")
    guide = " ".join(str(c.value) for row in load_workbook(path)[SHEET_ABOUT].iter_rows()
                     for c in row if c.value)
    assert "一行也没填的单位跳过" in guide and "left unchanged" in guide
    before = snapshot(data_dir)
    done = run_kpa("import", str(path), "--data", str(data_dir), "--who", "测试员")
    assert done.returncode == 0, done.stderr
    assert snapshot(data_dir) == before  # not 30 empty records scoring 100
    assert "已导入 0 份记录" in done.stdout and "30 unit(s) with nothing filled skipped" in (
        done.stdout)
    assert done.stdout.count("未填写，保留原记录 / nothing filled: left unchanged") == 30

    # Filling one row of one unit replaces that unit's record only.
    wb = load_workbook(path)
    fill(wb[SHEET_ENTRIES], "arts", "B01.docs", 1, "总结未报送")
    wb.save(path)
    result = import_workbook(path, data_dir)
    assert result.written == [(data_dir / "2013" / "arts.yaml", True)]
    assert len(result.skipped) == 29 and all(exists for _, _, exists in result.skipped)
    assert load_record(data_dir / "2013" / "arts.yaml").entries == {
        "B01.docs": {"count": 1, "reason": "总结未报送"}}
    after = snapshot(data_dir)
    assert {k for k in after if after[k] != before.get(k)} == {
        "2013/arts.yaml", "2013/audit-log.jsonl"}  # and the import's audit line


def test_reimport_keeps_a_records_rectification(data_dir: Path, tmp_path: Path) -> None:
    """整改要求 (rectification:) has no workbook column: export → import must not drop it."""
    target = data_dir / "2013" / "logistics.yaml"
    target.write_text(target.read_text(encoding="utf-8")
                      + "rectification: {B16: 建立案件报告制度}\n", encoding="utf-8")
    path = write_export(data_dir, 2013, tmp_path / "all.xlsx")
    import_workbook(path, data_dir)
    from kpa_core.scoring.record import load_record

    assert load_record(target).rectification == {"B16": "建立案件报告制度"}


def test_control_characters_in_a_reason_are_replaced_not_a_traceback(
        data_dir: Path, tmp_path: Path) -> None:
    """ESC/BEL (e.g. a pasted "\\e[2J") are characters openpyxl refuses; export replaces them."""
    arts = load_record(data_dir / "2013" / "arts.yaml")
    rule_id = next(iter(arts.entries))
    arts.entries[rule_id]["reason"] = "清屏\x1b[2J响铃\x07"
    save_record(arts, data_dir / "2013" / "arts.yaml")
    out = tmp_path / "e.xlsx"
    done = run_kpa("export", "--year", "2013", "--data", str(data_dir), "--out", str(out))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    ws = load_workbook(out)[SHEET_ENTRIES]
    assert ws.cell(row_of(ws, "arts", rule_id), COL["reason"]).value == "清屏\ufffd[2J响铃\ufffd"
