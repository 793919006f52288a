"""The Excel route in: the 佐证材料 column names files beside the workbook; import stores and
cites them, all or nothing; an export carries its files so the round trip keeps citations."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpa_core.errors import KpaInputError
from kpa_core.evidence.store import evidence_dir
from kpa_core.excel.importer import import_workbook
from kpa_core.excel.template import (
    ENTRY_COLUMNS,
    SHEET_ENTRIES,
    column_index,
    write_export,
    write_template,
)
from kpa_core.scoring.record import load_record

REPO = Path(__file__).parents[1]
COL = {c.key: column_index(ENTRY_COLUMNS, c.key) for c in ENTRY_COLUMNS}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "佐证材料").mkdir()
    (tmp_path / "book" / "佐证材料" / "学习记录.pdf").write_bytes(PDF)
    return tmp_path


def _book(ws: Path, cells: dict[tuple[str, str], tuple]) -> Path:
    path = ws / "book" / "2013.xlsx"
    write_template(ws / "data", 2013, path)
    wb = load_workbook(path)
    sheet = wb[SHEET_ENTRIES]
    for row in range(2, sheet.max_row + 1):
        key = (sheet.cell(row, COL["unit_id"]).value, sheet.cell(row, COL["rule"]).value)
        if key in cells:
            for col, value in zip(("value", "reason", "evidence_files"), cells[key],
                                  strict=False):
                sheet.cell(row, COL[col]).value = value
    wb.save(path)
    return path


def test_import_stores_and_cites_the_named_files_and_audits(ws: Path) -> None:
    path = _book(ws, {("union", "B09.content"): ("true", "无实际内容", "学习记录.pdf")})
    import_workbook(path, ws / "data", who="王分析", why="导入")
    entry = load_record(ws / "data" / "2013" / "union.yaml").entries["B09.content"]
    assert entry["evidence_files"] == [{"sha256": SHA, "name": "学习记录.pdf"}]
    assert (evidence_dir(ws / "data", 2013) / SHA).read_bytes() == PDF
    lines = [json.loads(raw) for raw in
             (ws / "data" / "2013" / "audit-log.jsonl").read_bytes().splitlines()]
    line = [x for x in lines if x["action"] != "done"][-1]  # the import ends with a done mark
    record = ws / "data" / "2013" / "union.yaml"
    assert line["action"] == "import"
    assert line["sha256_after"] == hashlib.sha256(record.read_bytes()).hexdigest()


@pytest.mark.parametrize("cell, words", [("../../etc/passwd", "文件名含路径"),
                                         ("没有这个文件.pdf", "找不到或无法读取该文件"),
                                         ("link.pdf", "符号链接")])
def test_a_bad_name_imports_nothing_and_names_the_cell(ws: Path, cell: str, words: str) -> None:
    (ws / "book" / "佐证材料" / "link.pdf").symlink_to("/etc/passwd")
    path = _book(ws, {("union", "B09.content"): ("true", "无实际内容", "学习记录.pdf"),
                      ("arts", "B09.content"): ("true", "无实际内容", cell)})
    before = {p: p.read_bytes() for p in (ws / "data" / "2013").glob("*.yaml")}
    stored = sorted(p.name for p in evidence_dir(ws / "data", 2013).iterdir())
    with pytest.raises(KpaInputError) as exc:
        import_workbook(path, ws / "data", who="王分析")
    assert words in str(exc.value) and "第" in str(exc.value) and "佐证材料" in str(exc.value)
    assert {p: p.read_bytes() for p in (ws / "data" / "2013").glob("*.yaml")} == before
    assert sorted(p.name for p in evidence_dir(ws / "data", 2013).iterdir()) == stored


def test_files_named_without_a_value_are_refused(ws: Path) -> None:
    path = _book(ws, {("union", "B09.content"): (None, None, "学习记录.pdf")})
    with pytest.raises(KpaInputError) as exc:
        import_workbook(path, ws / "data", who="王分析")
    assert "填写了佐证材料但没有取值" in str(exc.value)


def test_an_export_carries_its_files_and_imports_elsewhere_unchanged(ws: Path) -> None:
    out = ws / "export" / "2013.xlsx"
    out.parent.mkdir()
    write_export(ws / "data", 2013, out)
    assert sorted(p.name for p in (out.parent / "佐证材料").iterdir()) == [
        "2013年教务处会议记录.pdf", "宣传栏照片.png", "石油工程系整改报告.pdf",
        "艺术系2013年党风廉政工作台账.pdf"]
    fresh = ws / "fresh"
    fresh.mkdir()
    shutil.copy(ws / "data" / "units.csv", fresh / "units.csv")
    import_workbook(out, fresh, who="王分析")
    for uid in ("arts", "academic-affairs", "petroleum"):
        assert load_record(fresh / "2013" / f"{uid}.yaml").to_data() == \
            load_record(ws / "data" / "2013" / f"{uid}.yaml").to_data()
    assert sorted(p.name for p in evidence_dir(fresh, 2013).iterdir()
                  if not p.name.endswith(".json")) == sorted(
        p.name for p in evidence_dir(ws / "data", 2013).iterdir() if not p.name.endswith(".json"))
