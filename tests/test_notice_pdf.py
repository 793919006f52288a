"""The documents an office sends as they are (issue #20), printed for every sample unit.

One ``kpa report --pdf --docx`` run over a copy of the 2013 sample data in a workspace of its
own (kpa.toml with a 文号 pattern and the example bands), logistics given three more
deductions (B01.meetings, B02.responsibility, B09.content: 14 rows), feeds every test:

- page 1 of every unit's PDF is the whole notice: 通知书 and 盖章 both on it;
- no extracted character of any PDF is a Kangxi radical or CJK Radicals Supplement code point
  (Chromium's ToUnicode maps gave ⽉ for 月 before ``report.pdf_text``);
- petroleum's notice states its veto, in words; page 1 never shows a rule id under zh;
- the Word copies open with python-docx (and convert with LibreOffice where it is installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_kpa_report

CHROMIUM = "/usr/bin/chromium"
BANDS = REPO / "kpa_core" / "templates" / "grade-bands.example.yaml"
RULE_ID = re.compile(r"B\d\d\.[a-z_]+")
PATTERN = "克职院纪〔{year}〕{seq}号"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebook,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} missing: apt-get install chromium fonts-noto-cjk"),
]


def radicals(text: str) -> set[str]:
    return {c for c in text if 0x2E80 <= ord(c) <= 0x2EFF or 0x2F00 <= ord(c) <= 0x2FDF}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notice-ws")
    data = root / "data"
    shutil.copytree(REPO / "data", data)
    shutil.copy(BANDS, root / "bands.yaml")
    (root / "kpa.toml").write_text(f'office = "克拉玛依职业技术学院纪委办公室"\n'
                                   f'bands = "bands.yaml"\nnotice_number = "{PATTERN}"\n',
                                   encoding="utf-8")
    log = data / "2013" / "logistics.yaml"
    text = log.read_text(encoding="utf-8").replace("entries:\n", (
        "entries:\n  B01.meetings: {actual: 2, reason: 专题会议少于规定次数}\n"
        "  B02.responsibility: {applies: true, reason: 未签订责任书}\n"
        "  B09.content: {applies: true, reason: 教育内容不全}\n"), 1)
    log.write_text(text, encoding="utf-8")
    out = root / "out"
    proc = run_kpa_report(data, out, root / "params", "--pdf", "--docx")
    assert proc.returncode == 0, proc.stderr
    return out


def pages(path: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def units() -> list[str]:
    return sorted(p.stem for p in (REPO / "data" / "2013").glob("*.yaml"))


def test_fourteen_rows_and_every_unit_keep_the_notice_on_page_one(batch: Path):
    names = units()
    assert len(names) == 30
    import yaml

    rows = yaml.safe_load((batch.parent / "data" / "2013" / "logistics.yaml").read_text(
        encoding="utf-8"))["entries"]
    assert len(rows) == 14
    for uid in names:
        first = re.sub(r"\s+", "", pages(batch / f"{uid}.pdf")[0])
        assert "考核结果通知书" in first and "盖章" in first, uid
        assert "考核组（签字）" in first and "核验码" in first, uid  # the block is never alone


def test_no_pdf_text_holds_a_radical(batch: Path):
    pdfs = sorted(batch.glob("*.pdf"))
    assert len(pdfs) == 31  # 30 units and the summary
    for pdf in pdfs:
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        text = "".join(pages(pdf))
        assert not radicals(text) - radicals(html), (pdf.name, radicals(text))
    notice = "".join(pages(batch / "finance.pdf"))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", notice)  # a date can be searched for


def test_petroleum_states_its_veto_and_no_rule_id_on_page_one(batch: Path):
    first = re.sub(r"\s+", "", pages(batch / "petroleum.pdf")[0])
    assert "一票否决：第16项下有扣分，等次为不合格" in first  # 88 points, rank 11, yet 不合格
    for uid in units():
        assert not RULE_ID.search(pages(batch / f"{uid}.pdf")[0]), uid


def test_notice_number_from_the_pattern_in_units_order_and_in_params(batch: Path):
    import yaml

    order = [line.split(",")[0] for line in
             (REPO / "data" / "units.csv").read_text(encoding="utf-8").splitlines()[1:]]
    seq = order.index("petroleum") + 1
    number = PATTERN.format(year=2013, seq=seq)
    assert number in re.sub(r"\s+", "", pages(batch / "petroleum.pdf")[0])
    params = yaml.safe_load((batch.parent / "params" / "2013" / "petroleum.yaml").read_text(
        encoding="utf-8"))
    assert params["extra"]["notice_number"] == number


def test_summary_states_the_veto_in_every_format(batch: Path):
    from openpyxl import load_workbook

    text = re.sub(r"\s+", "", "".join(pages(batch / "summary.pdf")))
    assert "一票否决：第16项下有扣分" in text
    ws = load_workbook(batch / "summary.xlsx").active
    head = [c.value for c in ws[2]]
    assert "编号" not in head and head[-2:] == ["等次", "说明"]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[1] == "石油工程系")
    assert row[-2:] == ("不合格", "一票否决：第16项下有扣分")
    html = (batch / "summary.html").read_text(encoding="utf-8")
    assert "一票否决：第16项下有扣分" in html


def test_word_copies_open_and_hold_the_notice(batch: Path, tmp_path: Path):
    docx = pytest.importorskip("docx")
    from docx.oxml.ns import qn

    names = units()
    for uid in names:
        assert (batch / f"{uid}-通知书.docx").is_file(), uid
    doc = docx.Document(str(batch / "petroleum-通知书.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2013 年度党风廉政建设责任制考核结果通知书" in text
    assert PATTERN.format(year=2013, seq=20) in text or "克职院纪〔2013〕" in text
    assert "一票否决：第16项下有扣分" in text and "附件：扣分明细" in text
    assert not RULE_ID.search(text)
    sec = doc.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "考核组（签字）" in cells and "88 / 110" in cells
    fonts = doc.element.body.findall(".//" + qn("w:rFonts"))
    assert fonts and all(f.get(qn("w:eastAsia")) for f in fonts)  # Chinese font named for WPS
    summary = docx.Document(str(batch / "summary.docx"))
    head = [c.text for c in summary.tables[0].rows[0].cells]
    assert head[:2] == ["名次", "单位"] and "编号" not in head
    assert len(summary.tables[0].rows) == 31
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed: structure checked with python-docx")
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(batch / "petroleum-通知书.docx"), str(batch / "summary.docx")],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    converted = "".join(pages(tmp_path / "petroleum-通知书.pdf"))
    assert "石油工程系" in converted and "否决" in converted
    assert (tmp_path / "summary.pdf").is_file()


def test_no_heading_at_a_page_foot_in_finance(batch: Path):
    from playwright.sync_api import sync_playwright

    from kpa_core.report.pdf import FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page()
        page.goto((batch / "finance.html").as_uri(), wait_until="load")
        page.emulate_media(media="print")  # as printed: Chinese only (the English is hidden)
        headings = page.evaluate("""() => [...document.querySelectorAll('h1, h2')]
            .map(h => h.innerText.replace(/\\s+/g, '')).filter(t => t)""")
        browser.close()
    squash = [re.sub(r"[\W_]+", "", t) for t in pages(batch / "finance.pdf")]
    assert headings
    for text in squash[:-1]:
        tail = re.sub(r"第\d+页共\d+页$", "", text)
        assert not any(tail.endswith(re.sub(r"[\W_]+", "", h)) for h in headings), tail[-30:]
