"""The 督办单 (issue #23): items not yet closed, per unit, on A4, in HTML, PDF and DOCX.

The sample's 2012 ledger as of 2013-02-11 (a day past its deadline): 150 items, 90 closed, so
60 appear on the sheet; logistics has 3 of them (R2 and R5 逾期, R6 awaiting its check).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.rectify.ledger import ledger_of
from kpa_core.report.rectify_sheet import render_sheet, sheet_docx, sheet_units
from kpa_core.store.paths import PACKAGE_DIR
from kpa_core.year.data import load_units

DATA = PACKAGE_DIR.parent / "data"
AS_OF = dt.date(2013, 2, 11)


def names() -> dict[str, str]:
    return {u: unit.name_zh for u, unit in load_units(DATA).items()}


def test_the_sheet_lists_exactly_the_items_not_closed():
    ledger = ledger_of(DATA, 2012, as_of=AS_OF)
    units = sheet_units(ledger, names())
    listed = [s for u in units for s in u.items]
    assert len(listed) == 150 - 90 == sum(1 for s in ledger.items if s.status != "closed")
    logistics = next(u for u in units if u.unit_id == "logistics")
    assert [(s.item.item_id, s.status) for s in logistics.items] == [
        ("R2", "overdue"), ("R5", "overdue"), ("R6", "awaiting_check")]  # the delay first
    html = render_sheet(ledger, names(), "纪委办公室", AS_OF, "克职院纪〔2013〕5号")
    assert len(re.findall(r'<tr class="(?:overdue|in_progress|open|awaiting_check)">', html)) == 60
    assert "后勤管理处（3 项）" in html and "截至 2013年2月11日" in html
    assert "纪委办公室（盖章）" in html and "封存码 8812-C86D-70C4" in html


def test_user_text_is_escaped():
    ledger = ledger_of(DATA, 2012, as_of=AS_OF)
    first = next(s for s in ledger.items if s.status != "closed")
    hostile = replace(first, item=replace(first.item, text="<script>alert(1)</script>"))
    ledger = replace(ledger, items=(hostile,))
    html = render_sheet(ledger, {first.item.unit_id: "<b>单位</b>"}, "<i>办</i>", AS_OF)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;单位" in html


def test_docx_holds_the_same_items(tmp_path: Path):
    from docx import Document

    ledger = ledger_of(DATA, 2012, as_of=AS_OF)
    path = sheet_docx(ledger, names(), "纪委办公室", AS_OF, tmp_path / "督办单.docx")
    doc = Document(str(path))
    rows = [t.rows[i] for t in doc.tables for i in range(1, len(t.rows))]
    assert len(rows) == 60
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "后勤管理处（3 项）" in text and "纪委办公室（盖章）" in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_cli_writes_a_pdf_whose_chinese_copies_out(tmp_path: Path):
    from pypdf import PdfReader

    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    done = run_kpa("rectify", "sheet", "--year", "2012", "--as-of", "2013-02-11",
                   "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(tmp_path / "out" / "督办单.pdf"))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "督促落实" in text and "后勤管理处" in text and "逾期" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4
    assert run_kpa("rectify", "sheet", "--year", "2013", "--data",
                   str(tmp_path / "data"), "--no-pdf").returncode == 2  # not published
