"""The ledger's workbook round trip (issue #23): export, a unit fills it in, import.

logistics 2012 has 8 items: R1 closed, R2 and R5 逾期 (not reported), R6 awaiting its check.
arts' contact is 李华 (kpa.toml below); 王明 is an assessor.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa
from openpyxl import load_workbook

from kpa_core.rectify.ledger import ledger_of

ROOT = Path(__file__).resolve().parents[1]
TOML = """[[people]]
name = "王明"
role = "assessor"
[[people]]
name = "李华"
role = "contact"
unit = "arts"
"""


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


def export(data: Path, book: Path, *unit: str) -> None:
    done = run_kpa("rectify", "export", "--year", "2012", "--data", str(data), "--out",
                   str(book), *unit)
    assert done.returncode == 0, done.stderr


def fill(book: Path, cells: dict[tuple[int, int], str]) -> None:
    wb = load_workbook(book)
    ws = wb["整改台账"]
    for (row, col), value in cells.items():
        ws.cell(row, col).value = value
    wb.save(book)


def importing(data: Path, book: Path, by: str = "王明"):
    return run_kpa("rectify", "import", str(book), "--year", "2012", "--data", str(data),
                   "--by", by)


def test_round_trip_reports_the_filled_rows_with_their_files(data: Path, tmp_path: Path):
    book = tmp_path / "out" / "l.xlsx"
    export(data, book, "--unit", "logistics")
    ws = load_workbook(book)["整改台账"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == [f"R{n}" for n in range(1, 9)]
    assert rows[0][5] == "已销号" and rows[1][5] == "逾期" and rows[5][5] == "已整改待核查"
    assert ws.protection.sheet and not ws.cell(2, 8).protection.locked  # only the fill columns
    (book.parent / "佐证材料").mkdir()
    (book.parent / "佐证材料" / "记录.txt").write_text("民主生活会记录\n", encoding="utf-8")
    fill(book, {(3, 8): "已召开民主生活会", (3, 9): "记录.txt", (6, 8): "已开展效能监察"})
    done = importing(data, book)
    assert done.returncode == 0, done.stderr
    assert "已报送 2 项" in done.stdout
    ledger = ledger_of(data, 2012)
    r2, r5 = ledger.find("logistics", "R2"), ledger.find("logistics", "R5")
    assert r2 is not None and r5 is not None
    assert r2.status == r5.status == "awaiting_check"
    assert r2.reports[-1].text == "已召开民主生活会" and len(r2.reports[-1].evidence) == 1
    assert r5.reports[-1].evidence == ()


def test_every_bad_row_is_named_and_nothing_is_written(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    log = data / "2012" / "audit-log.jsonl"
    before = log.read_bytes()
    fill(book, {(2, 8): "再报",  # R1 is closed
                (3, 8): "好", (3, 9): "没有这个文件.pdf",  # R2: the file is missing
                (4, 8): '=HYPERLINK("http://evil","x")',  # R3: a formula
                (6, 8): "长" * 4001,  # R5: too long
                (7, 9): "../../etc/passwd"})  # R6: a path, and no text
    done = importing(data, book)
    assert done.returncode == 2
    err = done.stderr
    for expected in ("第2行", "已销号", "第3行", "没有这个文件.pdf", "第4行", "公式",
                     "第6行", "至多 4000 字", "第7行"):
        assert expected in err, expected
    assert log.read_bytes() == before  # all or nothing


def test_a_contact_imports_only_their_units_rows(data: Path, tmp_path: Path):
    book = tmp_path / "all.xlsx"
    export(data, book)
    ws = load_workbook(book)["整改台账"]
    rows = {(r[0].value, r[2].value): r[0].row for r in ws.iter_rows(min_row=2)}
    arts = next(k for k in rows if k[0] == "arts"
                and ledger_of(data, 2012).find(*k).status not in ("closed", "awaiting_check"))
    fill(book, {(rows[("logistics", "R2")], 8): "已整改", (rows[arts], 8): "已整改"})
    done = importing(data, book, by="李华")
    assert done.returncode == 2 and "不能为 logistics 报送整改情况" in done.stderr


def test_a_workbook_of_another_year_is_refused(data: Path, tmp_path: Path):
    book = tmp_path / "l.xlsx"
    export(data, book, "--unit", "logistics")
    wb = load_workbook(book)
    wb["说明"]["B2"] = "0000-0000-0000"
    wb["整改台账"].cell(3, 8).value = "已整改"
    wb.save(book)
    done = importing(data, book)
    assert done.returncode == 2 and "封存码不符" in done.stderr
