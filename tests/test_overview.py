"""The year overview page (overview.html beside index.html): content, escaping, links, and
that an unchanged year rewrites nothing. Numbers come from test_analysis; here, the page."""

from __future__ import annotations

import shutil
from pathlib import Path

from kpa_core.analysis.overview import write_overview, year_views

REPO = Path(__file__).parents[1]


def test_overview_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    logistics = data / "2013" / "logistics.yaml"
    logistics.write_text(logistics.read_text(encoding="utf-8").replace(
        "reason: 缺少公务接待管理制度", "reason: '<script>x</script>'"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "logistics.html").write_text("report", encoding="utf-8")
    path = write_overview(out, 2013, data)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    for heading in ("失分分布", "合计分布与单位类别", "各考核项目达成率", "与 2012 年度相比",
                    "自评与考核组的差距"):
        assert heading in page
    assert 'class="col-label"' in page and ">后勤管理处</text>" in page  # Chinese axis labels
    assert ">B16.judicial 职工中发生被司法机关查…</text>" in page
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page  # escaped hover
    assert "后勤管理处 · B10.missing：扣 3 分 / −3。理由 / reason: &lt;script&gt;" in page
    assert 'href="logistics.html"' in page and 'href="petroleum.html"' not in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # offline
    assert write_overview(out, 2013, data) is None  # unchanged inputs: nothing rewritten


def test_views_restrict_to_a_kind() -> None:
    views = year_views(REPO / "data", 2013)
    departments = views.only("department")
    assert len(departments.scores.table) == 11 and len(views.scores.table) == 30
    assert set(departments.scores.table["rank"]) >= {1, 11}  # ranks among departments
    assert views.previous_year == 2012 and departments.previous is not None
    assert {r.unit_id for r in departments.own} == {"arts", "chemical"}


def test_the_batch_writes_the_overview_and_the_index_links_it(report_run) -> None:
    overview = report_run.out / "overview.html"
    assert overview.is_file()
    assert 'href="overview.html"' in (report_run.out / "index.html").read_text(encoding="utf-8")
    page = overview.read_text(encoding="utf-8")
    assert 'href="petroleum.html"' in page and 'href="audit.html"' not in page  # audit failed
