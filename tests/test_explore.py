"""The explore dashboard: its view (no browser), the notebook executed headless, the command's
server line, and — in a real browser — `kpa explore --app` showing the heatmap in Chinese."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from voila_face import kpa_face

from kpa_core.analysis.explore import ENV_REPORTS_URL, ExploreView
from kpa_core.cli.commands.explore import explore_command
from kpa_core.report.pdf import FLAGS  # the flags kpa's own PDF printer launches Chromium with

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> ExploreView:
    reports = tmp_path_factory.mktemp("reports")
    (reports / "2013").mkdir()
    (reports / "2013" / "logistics.html").write_text("report", encoding="utf-8")
    os.environ[ENV_REPORTS_URL] = "/voila/files/out/reports/{year}/{unit}.html"
    try:
        return ExploreView(ROOT / "data", 2013, reports_dir=reports)
    finally:
        del os.environ[ENV_REPORTS_URL]


def test_the_dashboard_shows_every_view_with_chinese_labels(view: ExploreView) -> None:
    heat = view.panes["heatmap"].value
    assert 'class="kpa-heatmap"' in heat and ">后勤管理处</text>" in heat
    assert "B16.judicial" in heat and "理由 / reason:" in heat  # hover text
    assert "行政部门 / administrative office" in view.panes["totals"].value
    assert "与 2012 年度相比" in view.panes["movers"].value
    assert "自评与考核组的差距" in view.panes["gaps"].value
    # the unit with a rendered report links to it, through the server's URL template
    assert 'href="/voila/files/out/reports/2013/logistics.html"' in view.panes["movers"].value
    assert "petroleum.html" not in view.panes["movers"].value
    assert "30 个单位" in view.status.value
    # 主要原因 names each rule as the notice does (第16项（…）), never by its code id
    movers = view.panes["movers"].value
    assert "第16项（重视并支持纪检监察工作）" in movers
    assert not re.search(r"B\d\d\.[a-z_]+ [+−]", movers)


def test_the_dashboard_opens_with_a_line_for_an_office_head(view: ExploreView) -> None:
    intro = view.widget.children[0].value
    assert "本页汇总全院各单位的考核结果" in intro and "kpa_core" not in intro
    assert [view.tabs.get_title(i) for i in range(6)] == [
        "失分热力图", "合计分布", "达成率", "年度变动", "自评差距", "敏感性"]
    for control in (view.year, view.compare, view.kind, view.area):
        assert control.style.description_width == "initial"  # labels never cut


def test_the_controls_redraw(view: ExploreView) -> None:
    view.kind.value = "department"
    assert "11 个单位" in view.status.value and ">后勤管理处</text>" not in \
        view.panes["heatmap"].value
    view.area.value = "A2"
    assert "B05." in view.panes["heatmap"].value and "B16." not in view.panes["heatmap"].value
    view.compare.value = None
    assert "无数据" in view.panes["movers"].value
    shown: list[str] = []
    view.panes["sensitivity"].observe(lambda c: shown.append(c["new"]), names="value")
    view.tabs.selected_index = 5  # sensitivity: computed when first shown
    assert "正在计算" in shown[0]  # a loading line first, then the tables
    assert "注1“考核项目”封顶层级：第三项整体封顶（70分）" in view.panes["sensitivity"].value
    assert "后勤管理处 59→57.5" in view.panes["sensitivity"].value
    view.kind.value, view.area.value, view.compare.value = "all", "", 2012


def test_explore_command_serves_reports_only() -> None:
    cmd, url = explore_command(True, ROOT / "notebooks" / "explore.ipynb", 8867, True, ROOT)
    # Voila through kpa's launcher, locked to its analyst (token, loopback Host; issue #24)
    assert cmd[1:3] == ["-m", "kpa_core.cli.local_voila"] and f"--Voila.root_dir={ROOT}" in cmd
    allow = [c for c in cmd if c.startswith("--VoilaConfiguration.file_allowlist=")]
    pattern = allow[0].split("=", 1)[1].strip("[]'")
    assert re.fullmatch(pattern, "out/reports/2013/logistics.html")
    for bad in ("out/reports/../../data/x.html", "notebooks/explore.ipynb", "out/reports/x.html"):
        assert not re.fullmatch(pattern, bad)
    assert url == "/voila/files/out/reports/{year}/{unit}.html"
    cmd, url = explore_command(False, ROOT / "notebooks" / "explore.ipynb", 8889, True, ROOT,
                               is_root=True)
    assert "jupyterlab" in cmd and "--allow-root" in cmd and url.startswith("/files/")


@pytest.mark.notebook
def test_the_notebook_executes_headless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 1 and "explore_app()" in code[0].source  # no logic in the notebook
    monkeypatch.setenv("KPA_DATA", str(ROOT / "data"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT),
                                                                    os.environ.get("PYTHONPATH")])))
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = code[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, outputs


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install "
                    "chromium fonts-noto-cjk) — the browser test needs it")
def test_kpa_explore_app_shows_the_heatmap_in_chinese(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with kpa_face(tmp_path, "explore", "--app", "--year=2013", ready_timeout=90,
                  stop_timeout=10) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url, timeout=90_000)
            heatmap = page.locator("svg.kpa-heatmap")
            expect(heatmap).to_be_visible(timeout=90_000)
            expect(heatmap.locator("text.col-label", has_text="后勤管理处")).to_have_count(1)
            expect(heatmap.locator("text.row-label", has_text="B16.judicial 职工中发生"))\
                    .to_have_count(1)
            hover = heatmap.locator("g.cell title", has_text="后勤管理处 · B16.judicial")
            expect(hover).to_have_count(1)
            page.locator(".kpa-kind button", has_text="教学系部").click()
            expect(page.locator(".kpa-explore")).to_contain_text("11 个单位", timeout=30_000)
            page.locator(".kpa-kind button", has_text="全部").click()
            expect(page.locator(".kpa-explore")).to_contain_text("30 个单位", timeout=30_000)
            shot = tmp_path / "explore-app.png"
            page.screenshot(path=str(shot))
            if target := os.environ.get("KPA_SCREENSHOT_DIR"):
                shutil.copy(shot, Path(target) / "explore-app.png")
        finally:
            browser.close()
