"""The 督办单 (issue #23): items not yet closed, per unit, on A4, in HTML, PDF and DOCX.

The sample's 2012 ledger as of 2013-02-11 (a day past its deadline 2013-02-10): 150 items, 90
closed, 14 reported and waiting on the office, and the other 46 逾期, so 46 + 14 = 60 appear
on the sheet. By hand from the sample: 后勤管理处 (logistics) has 3 of them (R2 and R5 逾期,
R6 awaiting its check); 组织部 (organisation) has R1 (逾期, its report failed the check with
整改材料不完整，缺少会议记录。) and R4 (逾期, never reported); its R2, R3, R5 are closed.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import math
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.rectify.ledger import ledger_of
from kpa_core.report.pdf_text import radicals_in
from kpa_core.report.rectify_sheet import render_sheet, sheet_docx
from kpa_core.store.paths import PACKAGE_DIR
from kpa_core.year.data import load_units

DATA = PACKAGE_DIR.parent / "data"
AS_OF = dt.date(2013, 2, 11)
ON_SHEET = {"open", "in_progress", "overdue", "awaiting_check"}
ROW = re.compile(r'<tr class="([a-z_]+)" data-item="([^"/]+)/(R\d+)">(.*?)</tr>')


def names() -> dict[str, str]:
    return {u: unit.name_zh for u, unit in load_units(DATA).items()}


def expected(as_of: dt.date) -> dict[tuple[str, str], str]:
    """(unit, item) → status of every item the sheet must list, straight from the ledger."""
    return {(s.item.unit_id, s.item.item_id): s.status
            for s in ledger_of(DATA, 2012, as_of=as_of).items if s.status in ON_SHEET}


def rows_of(page: str) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(unit, item) → (status class, cell texts) of every item row of a rendered sheet."""
    out = {}
    for status, unit, item, cells in ROW.findall(page):
        texts = [html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
        assert (unit, item) not in out, f"{unit} {item} listed twice"
        out[(unit, item)] = (status, texts)
    return out


def test_the_sheet_lists_exactly_the_items_not_closed():
    want = expected(AS_OF)
    assert len(want) == 60 and sum(v == "overdue" for v in want.values()) == 46
    page = render_sheet(ledger_of(DATA, 2012, as_of=AS_OF), names(), "纪委办公室", AS_OF,
                        "克职院纪〔2013〕5号")
    rows = rows_of(page)
    assert {k: v[0] for k, v in rows.items()} == want
    # checked by hand against the sample (module docstring)
    assert rows[("organisation", "R1")][1] == [
        "R1", "第5项（严格遵守廉洁从政（业）规定）：身边工作人员违规收受礼品。", "2013-02-10",
        "逾期", "核查不通过：整改材料不完整，缺少会议记录。"]
    assert rows[("organisation", "R4")][1][3:] == ["逾期", "未报送整改情况"]
    assert rows[("logistics", "R6")][1][3:] == ["已整改待核查", "已报送，待纪委办公室核查"]
    assert not any(k[0] == "organisation" and k[1] in ("R2", "R3", "R5") for k in rows)
    logistics = [k[1] for k in rows if k[0] == "logistics"]
    assert logistics == ["R2", "R5", "R6"]  # the unit's delay first, then what waits on us
    assert "后勤管理处（3 项）" in page and "组织部（人事处）（2 项）" in page
    assert "逾期 46 项" in page and "已整改待核查 14 项" in page and "已销号 90 项" in page
    assert "截至 2013年2月11日" in page and "克职院纪〔2013〕5号" in page
    assert "纪委办公室（盖章）" in page and "封存码 8812-C86D-70C4" in page


def test_before_the_deadline_nothing_is_overdue_and_the_same_items_are_listed():
    before = dt.date(2013, 2, 10)  # the deadline day itself: not yet 逾期
    want = expected(before)
    assert set(want) == set(expected(AS_OF)) and "overdue" not in want.values()
    rows = rows_of(render_sheet(ledger_of(DATA, 2012, as_of=before), names(), "纪委办公室",
                                before))
    assert {k: v[0] for k, v in rows.items()} == want
    assert rows[("organisation", "R1")][0] == "in_progress"  # failed check, deadline not past
    assert rows[("organisation", "R4")][0] == "open"


def test_user_text_is_escaped():
    ledger = ledger_of(DATA, 2012, as_of=AS_OF)
    first = next(s for s in ledger.items if s.status != "closed")
    hostile = replace(first, item=replace(first.item, text="<script>alert(1)</script>",
                                          item_id='R1"><img src=x onerror=alert(2)>'))
    ledger = replace(ledger, items=(hostile,))
    page = render_sheet(ledger, {first.item.unit_id: "<b>单位</b>"}, "<i>办</i>", AS_OF,
                        doc_no="<u>号</u>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<b>" not in page and "<u>" not in page and "<i>" not in page
    assert "&lt;b&gt;单位&lt;/b&gt;（1 项）" in page and "&lt;u&gt;号" in page


def test_docx_holds_the_same_items(tmp_path: Path):
    from docx import Document

    want = expected(AS_OF)
    ledger = ledger_of(DATA, 2012, as_of=AS_OF)
    path = sheet_docx(ledger, names(), "纪委办公室", AS_OF, tmp_path / "督办单.docx",
                      "克职院纪〔2013〕5号")
    doc = Document(str(path))
    texts = {(s.item.unit_id, s.item.item_id): s.item.text for s in ledger.items}
    got = []
    unit_of_name = {v: k for k, v in names().items()}
    heads = [p.text for p in doc.paragraphs if re.fullmatch(r".+（\d+ 项）", p.text)]
    assert len(heads) == len(doc.tables) == len({u for u, _ in want})
    for head, table in zip(heads, doc.tables, strict=True):
        unit = unit_of_name[head.rsplit("（", 1)[0]]
        assert [c.text for c in table.rows[0].cells] == ["事项", "整改要求", "整改期限", "状态",
                                                         "办理情况"]
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            assert cells[1] == texts[(unit, cells[0])]
            got.append((unit, cells[0]))
    assert sorted(got) == sorted(want) and len(got) == 60
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "督办通知" in body and "克职院纪〔2013〕5号" in body and "纪委办公室（盖章）" in body
    assert "2013年2月11日" in body and "8812-C86D-70C4" in body


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_cli_writes_an_a4_pdf_whose_chinese_copies_out(tmp_path: Path):
    from pypdf import PdfReader

    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    done = run_kpa("rectify", "sheet", "--year", "2012", "--as-of", "2013-02-11",
                   "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "督办事项 60 项" in done.stdout
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"督办单.html", "督办单.pdf",
                                                              "督办单.docx"}
    reader = PdfReader(str(tmp_path / "out" / "督办单.pdf"))
    pages = [page.extract_text() for page in reader.pages]
    text = "".join(pages)
    # 60 items at some 6 to 15 a page (a row is two or three lines), the heading on page 1
    assert math.ceil(60 / 15) <= len(pages) <= math.ceil(60 / 6)
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4
    assert reader.pages[0].mediabox.height == pytest.approx(842, abs=2)
    assert "督办通知" in pages[0] and "逾期 46 项" in pages[0]
    assert not radicals_in(text)  # 日, 月, 方 … copy out as themselves
    for name in ("后勤管理处", "组织部（人事处）", "新能源工程系"):
        assert name in text
    assert "核查不通过：整改材料不" in text and "2013年2月11日" in pages[-1]
    for n, page in enumerate(pages, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in page
        if n > 1:  # a page begins with its unit's name: a table runs on under its head
            assert re.search(r"（\d+ 项）", page.split("事项 整改要求", 1)[0]), page[:80]
    assert len(re.findall(r"^R\d+ ", text, re.M)) == 60  # one row an item, none lost


def test_default_folder_and_refusal_of_an_unpublished_year(tmp_path: Path):
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    done = run_kpa("rectify", "sheet", "--year", "2012", "--as-of", "2013-02-11", "--no-pdf",
                   "--data", str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "reports" / "2012"
    assert (folder / "督办单.html").is_file() and (folder / "督办单.docx").is_file()
    refused = run_kpa("rectify", "sheet", "--year", "2013", "--data", str(tmp_path / "data"),
                      "--no-pdf")
    assert refused.returncode == 2 and "2013" in refused.stderr
    assert not (tmp_path / "out" / "reports" / "2013" / "督办单.html").exists()
