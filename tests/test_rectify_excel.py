"""The ledger's workbook round trip (issue #23): export, a unit fills it in, import.

Worked by hand from the sample (``kpa rectify list --year 2012``): the 2012 ledger has 150
items, 31 未整改 and 15 整改中 (46 open to a report; both turn 逾期 after 2013-02-10, still open
to one). logistics has 8: R1, R3, R4, R7, R8 closed, R2 and R5 never reported, R6 awaiting its
check. R1 was closed by 王明 on 2013-02-02 (02:00 UTC, 10:00 in Beijing): 整改到位，予以销号。
The publication's seal code is 8812-C86D-70C4. arts' contact is 李华; arts R2 is not reported.

Columns of the ledger sheet: A 单位, B 单位代码, C 事项, D 整改要求, E 期限, F 状态,
G 最近核查意见, H 整改情况 (fill), I 佐证材料 (fill); row 1 is the header, so logistics R<n>
is on row n+1. The 说明 sheet holds format, year, publication on rows 2, 3, 4 (value in C).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from cli_run import run_kpa
from openpyxl import load_workbook

from kpa_core.audit.verify import verify_year
from kpa_core.errors import KpaInputError
from kpa_core.excel import import_rectify_book
from kpa_core.rectify.ledger import ledger_of

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
LEDGER, ABOUT = "整改台账 ledger", "说明 about"
REPORT, EVIDENCE = 8, 9  # columns H and I


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


def export(data: Path, book: Path, *more: str) -> str:
    done = run_kpa("rectify", "export", "--year", "2012", "--data", str(data), "--out",
                   str(book), *more)
    assert done.returncode == 0, done.stderr
    return done.stdout


def fill(book: Path, cells: dict[tuple[int, int], str], sheet: str = LEDGER) -> None:
    wb = load_workbook(book)
    for (row, col), value in cells.items():
        wb[sheet].cell(row, col).value = value
    wb.save(book)


def importing(data: Path, book: Path, by: str = "王明", year: str = "2012"):
    return run_kpa("rectify", "import", str(book), "--year", year, "--data", str(data),
                   "--by", by)


def swell(book: Path, marker: str, text: str) -> None:
    """Put ``text`` where ``marker`` is, in the workbook's XML itself: openpyxl cuts what it
    writes at Excel's 32,767 characters a cell, a hostile file need not."""
    parts = {}
    with zipfile.ZipFile(book) as zf:
        for info in zf.infolist():
            parts[info.filename] = zf.read(info).replace(marker.encode(), text.encode())
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, raw in parts.items():
            zf.writestr(name, raw)


def audit_log(data: Path) -> bytes:
    return (data / "2012" / "audit-log.jsonl").read_bytes()


def stored(data: Path) -> list[str]:
    return sorted(os.listdir(data / "2012" / "evidence"))


def test_export_one_row_per_item_given_columns_locked(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    out = export(data, book, "--unit", "logistics", "--as-of", "2013-02-05")
    assert "8 项 items，可报送 2 项" in out
    wb = load_workbook(book)
    ws = wb[LEDGER]
    assert [c.value for c in ws[1]] == [
        "单位\nunit", "单位代码\nunit id", "事项\nitem", "整改要求\nrequirement", "期限\ndeadline",
        "状态\nstatus", "最近核查意见\nlast check", "整改情况（请填写）\nwhat was done (fill in)",
        "佐证材料（文件名，请填写）\nevidence files (fill in)"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == [f"R{n}" for n in range(1, 9)]
    assert {r[0] for r in rows} == {"后勤管理处"} and {r[1] for r in rows} == {"logistics"}
    assert [r[5].split(" / ")[0] for r in rows] == [
        "已销号", "未整改", "已销号", "已销号", "未整改", "已整改待核查", "已销号", "已销号"]
    assert {r[4] for r in rows} == {"2013-02-10"}
    assert rows[0][6] == "通过（王明，2013-02-02）：整改到位，予以销号。"
    assert rows[0][3] == "第3项（党风廉政建设活动有内容、有总结）：对失职人员未追究责任。"
    assert ws.protection.sheet and wb[ABOUT].protection.sheet
    open_rows = [r for r in range(2, 10) if not ws.cell(r, REPORT).protection.locked]
    assert open_rows == [3, 6]  # R2 and R5 only: the others take no report
    assert all(ws.cell(r, c).protection.locked for r in range(2, 10) for c in range(1, 8))
    assert ws.cell(3, REPORT).fill.fgColor.rgb.endswith("FFF2CC")  # yellow to fill
    assert ws.cell(2, REPORT).fill.fgColor.rgb.endswith("EDEDED")  # grey: closed
    about = wb[ABOUT]
    assert [about.cell(r, 3).value for r in (2, 3, 4, 5)] == [
        "kpa-rectify-1", "2012", "8812-C86D-70C4", "logistics"]
    assert (tmp_path / "佐证材料").is_dir()
    whole = export(data, tmp_path / "all.xlsx")
    assert "150 项 items，可报送 46 项" in whole  # 31 + 15, overdue or not
    assert load_workbook(tmp_path / "all.xlsx")[LEDGER].max_row == 151


def test_round_trip_reports_the_filled_rows_with_their_files(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    proof = tmp_path / "佐证材料" / "民主生活会记录.txt"
    proof.write_text("2013年1月18日 支部民主生活会记录（虚构示例）\n", encoding="utf-8")
    fill(book, {(3, REPORT): "已召开民主生活会并述廉", (3, EVIDENCE): "民主生活会记录.txt",
                (6, REPORT): "已开展效能监察"})
    before = audit_log(data)
    done = importing(data, book)
    assert done.returncode == 0, done.stderr
    assert "已报送 2 项，未填写 6 行" in done.stdout and "第3行" in done.stdout
    after = audit_log(data)
    assert after.startswith(before) and after.count(b"\n") - before.count(b"\n") == 2
    ledger = ledger_of(data, 2012)
    r2, r5 = ledger.find("logistics", "R2"), ledger.find("logistics", "R5")
    assert r2 is not None and r5 is not None
    assert r2.status == r5.status == "awaiting_check"
    assert r2.reports[-1].text == "已召开民主生活会并述廉" and r2.reports[-1].who == "王明"
    assert r2.reports[-1].evidence == (hashlib.sha256(proof.read_bytes()).hexdigest(),)
    assert r5.reports[-1].evidence == ()
    assert verify_year(data, 2012).failures == []
    again = importing(data, book)  # both items now await the office's check
    assert again.returncode == 2 and again.stderr.count("已整改待核查，不能再报送") == 2
    assert audit_log(data) == after


def test_every_bad_row_is_named_at_once_and_nothing_is_written(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    folder = tmp_path / "佐证材料"
    (folder / "空.txt").write_bytes(b"")
    (folder / "链接.txt").symlink_to("/etc/passwd")
    (folder / "好.txt").write_text("整改记录\n", encoding="utf-8")
    fill(book, {(2, REPORT): "再报",  # R1 is closed
                (3, REPORT): "已整改", (3, EVIDENCE): "没有这个文件.pdf; 链接.txt",  # R2
                (4, REPORT): '=HYPERLINK("http://evil","x")',  # R3: a formula
                (6, REPORT): "长" * 4001, (6, EVIDENCE): "空.txt",  # R5
                (7, EVIDENCE): "../../etc/passwd",  # R6: awaiting, a path, no text
                (10, 1): "?", (10, 2): "nosuch", (10, 3): "R1", (10, REPORT): "x",
                (11, 2): "logistics", (11, 3): "R99", (11, REPORT): "x",
                (12, 2): "logistics", (12, 3): "R2", (12, REPORT): "再一次",
                (13, 2): "logistics", (13, 3): "R5", (13, EVIDENCE): "好.txt"})
    before, files = audit_log(data), stored(data)
    with pytest.raises(KpaInputError) as exc:
        import_rectify_book(book, data, 2012, "王明", login="nobody")
    found = [(p.where.split("第")[1].split("行")[0], p.unit, p.rule_id, p.problem_zh)
             for p in exc.value.problems]
    assert len(found) == 14, "\n".join(map(str, exc.value.problems))
    by_row: dict[str, list[str]] = {}
    for row, unit, item, zh in found:
        by_row.setdefault(row, []).append(zh)
        assert unit and item, (row, zh)  # every problem names the unit and the item
    assert by_row["2"] == ["事项 R1 为已销号，不能再报送整改情况"]
    assert [z.split("：")[0] for z in by_row["3"]] == ["佐证材料", "佐证材料"]
    assert "找不到" in by_row["3"][0] and "符号链接" in by_row["3"][1]
    assert len(by_row["4"]) == 1 and "公式" in by_row["4"][0]
    assert by_row["6"][0] == "整改情况过长" and "空" in by_row["6"][1]
    assert len(by_row["7"]) == 3  # awaiting its check, no text, a path for a name
    assert "单位不在单位表中" in by_row["10"][0]
    assert "没有该事项" in by_row["11"][0]
    assert by_row["12"] == ["同一事项出现两次"]
    assert by_row["13"] == ["同一事项出现两次", "填写了佐证材料但没有整改情况"]
    text = str(exc.value)
    assert "R1、R2、R3、R4、R5、R6、R7、R8" in text  # what an unknown item may be
    assert "至多 4000 字" in text and "4001 字" in text
    assert audit_log(data) == before and stored(data) == files  # nothing written at all


def test_hostile_cells_a_formula_and_ten_megabytes(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    fill(book, {(3, REPORT): "=1+1", (6, REPORT): "SWELL", (3, 2): "=CHAR(108)"})
    swell(book, "SWELL", "长" * (10 * 1024 * 1024))  # 10 Mi characters, 30 MB of UTF-8
    assert book.stat().st_size < 200_000
    before = audit_log(data)
    start = time.perf_counter()
    done = importing(data, book)
    took = time.perf_counter() - start
    assert done.returncode == 2
    assert done.stderr.count("单元格含公式") == 2 and "=1+1" in done.stderr
    assert "10485760 字" in done.stderr and "至多 4000 字" in done.stderr
    assert len(done.stderr) < 5000  # the 10 MB cell is counted, never echoed
    assert took < 60
    assert audit_log(data) == before


def test_a_contact_imports_only_their_units_rows(data: Path, tmp_path: Path):
    book = tmp_path / "all.xlsx"
    export(data, book)
    ws = load_workbook(book)[LEDGER]
    rows = {(r[1].value, r[2].value): r[0].row for r in ws.iter_rows(min_row=2)}
    fill(book, {(rows[("logistics", "R2")], REPORT): "已整改",
                (rows[("arts", "R2")], REPORT): "已补写活动月总结"})
    before = audit_log(data)
    done = importing(data, book, by="李华")
    assert done.returncode == 2 and "是 arts 的联系人，不能为 logistics 报送整改情况" in done.stderr
    assert f"第{rows[('logistics', 'R2')]}行" in done.stderr
    assert audit_log(data) == before
    fill(book, {(rows[("logistics", "R2")], REPORT): None})
    done = importing(data, book, by="李华")
    assert done.returncode == 0, done.stderr
    arts = ledger_of(data, 2012).find("arts", "R2")
    assert arts is not None and arts.status == "awaiting_check"
    assert (arts.reports[-1].who, arts.reports[-1].by_role) == ("李华", "contact")
    head = importing(data, book, by="赵主任")  # the head checks; a report is not theirs
    assert head.returncode == 2 and "赵主任" in head.stderr


@pytest.mark.parametrize("cell, value, message", [
    ("C3", "2011", "工作簿是另一年度的整改台账，不是 2012 年度"),
    ("C4", "0000-0000-0000", "封存码不符"),
    ("C2", "kpa-workbook-1", "格式不符"),
])
def test_a_workbook_of_another_year_or_seal_is_refused(data: Path, tmp_path: Path, cell: str,
                                                       value: str, message: str):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    wb = load_workbook(book)
    wb[ABOUT][cell] = value
    wb[LEDGER].cell(3, REPORT).value = "已整改"
    wb.save(book)
    before = audit_log(data)
    done = importing(data, book)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "8812-C86D-70C4" in done.stderr or cell != "C4"
    assert audit_log(data) == before
    unpublished = importing(data, book, year="2013")
    assert unpublished.returncode == 2 and "2013 年度尚未签发" in unpublished.stderr


def test_a_linked_evidence_folder_is_refused(data: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "book").mkdir(parents=True)
    (elsewhere / "secret.txt").write_text("不该被收入\n", encoding="utf-8")
    book = elsewhere / "book" / "l.xlsx"
    export(data, book, "--unit", "logistics")
    (elsewhere / "book" / "佐证材料").rmdir()
    (elsewhere / "book" / "佐证材料").symlink_to(elsewhere)
    fill(book, {(3, REPORT): "已整改", (3, EVIDENCE): "secret.txt"})
    done = importing(data, book)
    assert done.returncode == 2 and "不是普通文件夹" in done.stderr
    assert ledger_of(data, 2012).find("logistics", "R2").reports == ()


def test_export_refuses_an_unknown_unit_and_an_unpublished_year(data: Path, tmp_path: Path):
    args = ("rectify", "export", "--data", str(data), "--out", str(tmp_path / "x.xlsx"))
    unknown = run_kpa(*args, "--year", "2012", "--unit", "../../etc")
    assert unknown.returncode == 2 and "logistics" in unknown.stderr
    unpublished = run_kpa(*args, "--year", "2013")
    assert unpublished.returncode == 2 and "2013 年度尚未签发" in unpublished.stderr
    assert not (tmp_path / "x.xlsx").exists()
