"""The batch: failures reported with their cause, the index page, params files, skip on rerun."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from conftest import BROKEN_UNIT, REPO, REPORT_UNITS, run_kpa_report

from kpa_core.report.batch import MANIFEST, write_params_if_changed

pytestmark = pytest.mark.notebook


def test_broken_unit_fails_alone(report_run):
    assert report_run.returncode == 1
    for unit in REPORT_UNITS:
        assert (report_run.out / f"{unit}.html").is_file()
    assert not (report_run.out / f"{BROKEN_UNIT}.html").exists()
    # the cause names the unit, the bad rule id and what is allowed
    assert f"失败 / FAILED {BROKEN_UNIT}" in report_run.stderr
    assert "B06.system" in report_run.stderr and "no item 6" in report_run.stderr
    assert "rendered 3, unchanged and skipped 0, failed 1" in report_run.stdout


def test_says_where_to_open(report_run):
    index = report_run.out / "index.html"
    assert f"打开 / open: {index}" in report_run.stdout
    assert index.as_uri() in report_run.stdout


def test_index_page(report_run):
    html_text = (report_run.out / "index.html").read_text(encoding="utf-8")
    for unit in REPORT_UNITS:
        assert f'href="{unit}.html"' in html_text
    # the broken unit is listed with its cause; it is not in the ranking
    failures = html_text[html_text.index('id="failures"'):html_text.index("</section>")]
    assert BROKEN_UNIT in failures and "B06.system" in failures
    ranking = html_text[html_text.index('id="ranking"'):]
    ranking = ranking[:ranking.index("</table>")]
    assert len(re.findall(r"<tr>", ranking)) == 1 + 29  # header + every unit that loaded
    assert "<code>audit</code>" not in ranking
    # units ranked but not rendered this run are marked, union (99) is first
    assert "（无报告 / no report）" in ranking
    first = re.search(r"<tbody><tr>(.*?)</tr>", ranking).group(1)
    assert 'data-sort="1"' in first and "工会" in first
    assert 'class="kpa-table sortable"' in html_text and "addEventListener('click'" in html_text
    # overview chart (its English in a <tspan class="en">, hidden on paper)
    assert "2013 年度各单位合计得分 / total score of every unit" in re.sub(r"<[^>]+>", "",
                                                                         html_text)


def test_params_written_per_rendered_unit(report_run):
    files = sorted(p.name for p in (report_run.params / "2013").glob("*.yaml"))
    assert files == sorted(f"{u}.yaml" for u in REPORT_UNITS)
    params = yaml.safe_load((report_run.params / "2013" / "assets.yaml").read_text("utf-8"))
    assert params["kind"] == "report" and params["unit_id"] == "assets"
    assert params["scores"]["total"] == 85.0 and params["scores"]["areas"]["A2"] == 0.0
    assert params["record"]["path"] == "data/2013/assets.yaml"  # relative: portable


def test_unchanged_rerun_renders_nothing(report_run):
    before = {p.name: p.stat().st_mtime_ns for p in report_run.out.iterdir()}
    params_before = {p.name: p.read_text("utf-8") for p in (report_run.params / "2013").iterdir()}
    proc = run_kpa_report(report_run.data, report_run.out, report_run.params,
                          "--units", *REPORT_UNITS, BROKEN_UNIT)
    assert proc.returncode == 1  # audit is still broken, and still reported
    assert "rendered 0, unchanged and skipped 3, failed 1" in proc.stdout
    assert "--force" in proc.stdout
    after = {p.name: p.stat().st_mtime_ns for p in report_run.out.iterdir()}
    assert after == before  # not one file rewritten, index and manifest included
    assert {p.name: p.read_text("utf-8")
            for p in (report_run.params / "2013").iterdir()} == params_before
    assert (report_run.out / MANIFEST).is_file()


def test_params_rewritten_only_when_more_than_made_changes(tmp_path):
    from kpa_core.reproduce.params import make_params
    from kpa_core.scoring.record import load_record
    from kpa_core.scoring.score import score_record

    record = load_record(REPO / "data" / "2013" / "union.yaml", unit_id="union")
    params = make_params(record, score_record(record), kind="report")
    path = tmp_path / "union.yaml"
    assert write_params_if_changed(path, {**params, "made": "2026-01-01T00:00:00+00:00"})
    first = path.read_text("utf-8")
    assert not write_params_if_changed(path, {**params, "made": "2027-05-05T00:00:00+00:00"})
    assert path.read_text("utf-8") == first  # the old timestamp stays: no churn
    changed = {**params, "options": {"cap_scope": "area"}}
    assert write_params_if_changed(path, changed)
    assert "cap_scope: area" in path.read_text("utf-8")


def test_unknown_unit_and_year_are_input_errors(report_data, tmp_path):
    proc = run_kpa_report(report_data, tmp_path / "o", tmp_path / "p", "--units", "nope")
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "unit not in units.csv" in proc.stderr
    assert "petroleum" in proc.stderr  # the allowed ids are named
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "report", "--year", "1999",
                           "--data", str(report_data), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2
    assert "1999" in proc.stderr and "2012、2013" in proc.stderr and "2012, 2013" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_pages_link_each_other(report_run):
    """index → summary page and workbook; every unit report and the summary → back to index
    (relative links, so the folder works offline and when moved; hidden on paper)."""
    out = report_run.out
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="summary.html"' in index and 'href="summary.xlsx"' in index
    assert (out / "summary.html").is_file() and (out / "summary.xlsx").is_file()
    back = '<nav class="kpa-nav"><a href="index.html">'
    for name in ("summary.html", *(f"{u}.html" for u in REPORT_UNITS)):
        assert back in (out / name).read_text(encoding="utf-8"), name
    assert re.search(r"@media print \{[^}]*\}\s*\.kpa-nav \{ display: none; \}", index)
