"""The report's HTML sections and the index page, built in-process (no notebook, no kernel).

The notebook tests (test_report_html.py) check the exported pages end to end but are marked
``notebook``; these keep report_sections, report_index and report.py under the fast tests.
Numbers worked out by hand from data/2013/assets.yaml (国有资产管理处):
A1 = 20 − (B02.system 0.5 + B02.responsibility 2) = 17.5; A2 deductions 2×3 + 5 + 3 = 14 > 10
→ 0 with 4 points cut by Note 1; A3.edu 20 − 4.5 = 15.5; A3.sys 15 − 3 = 12; A3 = 15.5 + 12 +
15 + 20 = 62.5; basic 80; S2 raw 2.5 + 5 = 7.5 → 5 (Note 2); total 85.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpa_core.report import open_report, sections
from kpa_core.report.index import index_key, render_index, write_index_if_changed

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    data = tmp_path_factory.mktemp("html") / "data"
    shutil.copytree(REPO / "data", data)
    assets = data / "2013" / "assets.yaml"
    assets.write_text(assets.read_text(encoding="utf-8").replace(
        "reason: 违规接受宴请", f"reason: '{SCRIPT}'", 1), encoding="utf-8")
    return open_report(year=2013, unit="assets", data_dir=str(data))


def row_of(html_text: str, first_cell: str) -> str:
    rows = [r for r in html_text.split("<tr>") if f">{first_cell}</span></td>" in r]
    assert len(rows) == 1, first_cell
    return rows[0]


def test_header_cards_carry_the_hand_worked_numbers(ctx) -> None:
    html_text = sections.header(ctx)
    for key, value in (("basic", "80"), ("bonus", "5"), ("total", "85"), ("rank", str(ctx.rank))):
        assert f'data-kpa="{key}">{value}<small>' in html_text, key
    assert 'data-kpa="rank">' + str(ctx.rank) + "<small>/ 30</small>" in html_text
    assert "国有资产管理处 · 2013 年度" in html_text
    assert '<code class="kpa-id">assets</code>' in html_text
    assert "纪委办公室" in html_text  # the assessor


def test_areas_table_rows_and_both_notes(ctx) -> None:
    html_text = sections.areas_table(ctx)
    assert "<b>17.5</b>" in row_of(html_text, "A1") and "-2.5" in row_of(html_text, "A1")
    assert "<b>0</b>" in row_of(html_text, "A2")
    assert "注1封顶：超出分值的 4 分扣分未计" in row_of(html_text, "A2")
    assert "<b>62.5</b>" in row_of(html_text, "A3")
    assert "<b>15.5</b>" in row_of(html_text, "A3.edu")
    assert "<b>12</b>" in row_of(html_text, "A3.sys")
    s2 = row_of(html_text, "S2")
    assert "+7.5" in s2 and "<b>5</b>" in s2 and "注2封顶：原始加分 7.5，计 5" in s2
    assert "注1封顶" not in row_of(html_text, "A1")


def test_entries_escape_the_assessors_text(ctx) -> None:
    html_text = sections.entries_table(ctx, bonus=False)
    assert SCRIPT not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "B05.integrity" in html_text and "B11.problems" in html_text
    bonus = sections.entries_table(ctx, bonus=True)
    assert "S2.articles" in bonus and "B05.integrity" not in bonus


def test_provenance_names_the_rubric_and_data_hashes(ctx) -> None:
    html_text = sections.provenance(ctx)
    assert ctx.rubric.sha256 in html_text
    assert any(sha in html_text for sha in ctx.data_sha256.values())


def test_the_other_sections_render(ctx) -> None:
    assert isinstance(sections.untouched(ctx), str)
    assert "<svg" in sections.charts_section(ctx)
    assert isinstance(sections.self_section(ctx), str)


def test_small_formatters() -> None:
    assert sections.num(None) == "–" and sections.num(85.0) == "85" and sections.num(7.5) == "7.5"
    assert sections.signed(2) == "+2" and sections.signed(-2.5) == "-2.5" and sections.signed(0) \
        == "0"
    assert sections.esc('"<&>') == "&quot;&lt;&amp;&gt;"
    assert sections.bi("甲", "<a>") == '甲<span class="en"> / &lt;a&gt;</span>'


def year_table() -> pd.DataFrame:
    """Three units by hand: totals 100, 90, 80 → ranks 1, 2, 3; median 90."""
    rows = [("a", "<b>甲</b>", 20, 10, 70, 100, 0, 100, 1),
            ("b", "乙", 20, 10, 60, 90, 0, 90, 2),
            ("c", "丙", 10, 10, 60, 80, 0, 80, 3)]
    frame = pd.DataFrame(rows, columns=["unit_id", "unit", "A1", "A2", "A3", "basic", "bonus",
                                        "total", "rank"])
    frame["cap_scope"] = "subarea"
    return frame.set_index(pd.Index(frame["unit_id"], name="key")).iloc[::-1]


def test_index_ranks_links_escapes_and_lists_failures() -> None:
    page = render_index(2013, year_table(), {"a", "c"}, {"d": f"broken {SCRIPT}"})
    assert "共 3 个单位，合计中位数 90，已生成报告 2 份" in page
    body = page.split('id="ranking"')[1].split("</table>")[0]
    order = re.findall(r"<code>(\w)</code>", body)
    assert order == ["a", "b", "c"]  # by rank, whatever the table's order
    assert '<a href="a.html">&lt;b&gt;甲&lt;/b&gt;</a>' in body
    assert "乙 <span class=\"muted\">（无报告 / no report）</span>" in body
    assert '<a href="c.html">丙</a>' in body
    assert "reports that failed (1)" in page and SCRIPT not in page
    assert "broken &lt;script&gt;" in page
    assert "cap scope subarea" in page


def test_index_is_rewritten_only_when_what_it_shows_changes(tmp_path) -> None:
    table = year_table()
    key, written = write_index_if_changed(tmp_path, 2013, table, {"a"}, {}, None, "v1")
    assert written and (tmp_path / "index.html").is_file()
    assert write_index_if_changed(tmp_path, 2013, table, {"a"}, {}, key, "v1") == (key, False)
    assert index_key(2013, table, {"a"}, {"x": "y"}, "v1") != key
    assert index_key(2013, table, {"a", "b"}, {}, "v1") != key
    assert index_key(2013, table.iloc[::-1], {"a"}, {}, "v1") == key  # order does not matter
