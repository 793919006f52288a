"""The session's reports in headless Chromium: offline, Chinese drawn with a CJK font, sorting.

Chromium reports, through the DevTools protocol (``CSS.getPlatformFontsForNode``), which
installed font actually drew the glyphs of a node: for the charts' Chinese SVG text it must
be a CJK font (no tofu boxes). The page must not ask for anything but its own file.

Screenshots for the README come from a full 2013 run::

    .venv/bin/kpa report --year 2013
    .venv/bin/python tests/test_report_browser.py out/reports/2013 docs

which writes docs/report-index.png and docs/report-unit.png (the unit: assets, where both
notes cap: Note 1 at A2, Note 2 at S2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kpa_core.report.pdf import FLAGS  # the flags kpa's own PDF printer launches Chromium with

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} missing: apt-get install chromium fonts-noto-cjk"),
]


def open_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


def fonts_drawing(page, selector: str) -> dict[str, int]:
    """Font family → glyph count for the first node matching ``selector`` (DevTools CSS)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def test_report_in_chromium(report_run):
    pw = pytest.importorskip("playwright.sync_api")
    requested: list[str] = []
    with pw.sync_playwright() as p:
        browser = open_browser(p)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda req: requested.append(req.url))
        page.goto((report_run.out / "petroleum.html").as_uri())
        page.wait_for_load_state("load")
        title = page.locator("svg.kpa-chart text", has_text="各考核项目得分率").first
        box = title.bounding_box()
        assert box and box["width"] > 150  # drawn, at a readable size
        used = fonts_drawing(page, "svg.kpa-chart text")
        assert used and all("CJK" in name or "Hei" in name for name in used), used
        assert page.locator("header.kpa-header h1").inner_text().startswith("石油工程系")
        assert page.locator(".kpa-notice .to").inner_text() == "石油工程系："
        # the escaped <script> reason is visible text, and did not run
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((report_run.out / "union.html").as_uri())
        page.wait_for_load_state("load")
        # shown three times: the notice's and the report's deductions, the self comparison
        assert page.get_by_text("<script>alert(1)</script>", exact=True).count() == 3
        assert dialogs == []
        browser.close()
    assert requested and all(u.startswith("file://") for u in requested), requested


def test_index_sorts_in_chromium(report_run):
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        browser = open_browser(p)
        page = browser.new_page()
        page.goto((report_run.out / "index.html").as_uri())
        # 合计 is the 9th column; the 10th is 未销号整改 (last year's open items, issue #23)
        first_total = page.locator("#ranking tbody tr:first-child td:nth-child(9)")
        assert page.locator("#ranking th").nth(9).inner_text().startswith("未销号整改")
        assert first_total.inner_text() == "99"  # ranked: union first
        header = page.locator("#ranking th", has_text="合计 (110)")
        header.click()
        assert first_total.inner_text() == "59"  # ascending: logistics, the lowest of 29
        header.click()
        assert first_total.inner_text() == "99"
        page.locator("#ranking th", has_text="编号 / id").click()
        ids = page.locator("#ranking tbody tr td:nth-child(3)").all_inner_texts()
        assert len(ids) == 29 and ids[0] == "academic-affairs" and ids[-1] == "youth-league"
        page.locator("#ranking a", has_text="工会").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/union.html")
        browser.close()


def screenshots(out_dir: Path, docs: Path, unit: str = "assets") -> list[Path]:
    """Full-page screenshots of a run's index and one unit's report."""
    from playwright.sync_api import sync_playwright

    docs.mkdir(parents=True, exist_ok=True)
    shots = [(out_dir / "index.html", docs / "report-index.png"),
             (out_dir / f"{unit}.html", docs / "report-unit.png")]
    with sync_playwright() as p:
        browser = open_browser(p)
        page = browser.new_page(viewport={"width": 1180, "height": 900})
        for src, dst in shots:
            page.goto(src.resolve().as_uri())
            page.wait_for_load_state("load")
            page.screenshot(path=str(dst), full_page=True)
        browser.close()
    return [dst for _, dst in shots]


if __name__ == "__main__":
    for path in screenshots(Path(sys.argv[1]), Path(sys.argv[2])):
        print(path)


def test_overview_tables_fit_a_1366_screen(tmp_path):
    """Every table beside a chart on overview.html fits its box at 1366×768: the last column
    (area attainment's 零分单位) is on screen, not scrolled out."""
    import shutil

    from kpa_core.analysis.overview import write_overview

    pw = pytest.importorskip("playwright.sync_api")

    repo = Path(__file__).resolve().parent.parent
    data = tmp_path / "data"
    shutil.copytree(repo / "data", data)
    out = tmp_path / "out"
    out.mkdir()
    path = write_overview(out, 2013, data)
    with pw.sync_playwright() as p:
        browser = open_browser(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(path.as_uri())
        boxes = page.evaluate("""() => [...document.querySelectorAll('.kpa-two > div > table')]
            .map(t => ({head: t.querySelector('th:last-child').textContent,
                        table: Math.round(t.getBoundingClientRect().right),
                        box: Math.round(t.parentElement.getBoundingClientRect().right),
                        scrolls: t.parentElement.scrollWidth > t.parentElement.clientWidth}))""")
        browser.close()
    assert "零分单位 / at 0" in [b["head"] for b in boxes]
    assert [b for b in boxes if b["scrolls"] or b["table"] > b["box"] or b["box"] > 1366] == []
