"""The exported HTML reports of the session's batch (see conftest.report_run).

Numbers worked out by hand from data/2013/*.yaml:
- petroleum 石油工程系: A1 = 20 − (B02.responsibility 2 + B04.measures 5 + B04.losses 5) = 8;
  S1 raw 5 + 3 = 8 → Note 2 caps it at 5; S2 raw 2×2 + 3 + 2 = 9 → 5; basic 78, total 88.
- assets 国有资产管理处: A2 deductions 2×3 + 5 + 3 = 14 > 10 → A2 = 0, Note 1 cut 4 points;
  S2 raw 2.5 + 5 = 7.5 → 5; basic 80, total 85.
- union 工会: 100 − 2 − 2 − 1 = 95 basic, S2 2×2 = 4, total 99, rank 1. Its self-assessment
  deducts only B15.openness 5 (self total 95).
- With audit broken, 29 units are ranked; the median total is the 15th best, 85.5.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import SCRIPT_REASON

from kpa_core.report.export import remote_references

pytestmark = pytest.mark.notebook


def page(run, unit: str) -> str:
    return (run.out / f"{unit}.html").read_text(encoding="utf-8")


def card_value(html_text: str, key: str) -> str:
    m = re.search(rf'data-kpa="{key}">([^<]*)<', html_text)
    assert m, key
    return m.group(1)


@pytest.mark.parametrize(("unit", "name", "basic", "bonus", "total"), [
    ("petroleum", "石油工程系", "78", "10", "88"),
    ("assets", "国有资产管理处", "80", "5", "85"),
    ("union", "工会", "95", "4", "99"),
])
def test_headline_numbers(report_run, unit, name, basic, bonus, total):
    html_text = page(report_run, unit)
    assert f"<title>{name} · 2013" in html_text
    assert card_value(html_text, "basic") == basic
    assert card_value(html_text, "bonus") == bonus
    assert card_value(html_text, "total") == total
    assert card_value(html_text, "year median") == "85.5"
    assert "纪委办公室" in html_text  # the assessor
    assert "kvtc-2013-draft" in html_text


def test_rank_among_the_units_that_loaded(report_run):
    assert card_value(page(report_run, "union"), "rank") == "1"
    assert "/ 29" in page(report_run, "union")
    assert "audit" in page(report_run, "union")  # the broken unit is named as left out


def test_note_caps_are_marked(report_run):
    assets = page(report_run, "assets")
    assert "注1封顶：超出分值的 4 分扣分未计" in assets
    petroleum = page(report_run, "petroleum")
    assert "注2封顶：原始加分 8，计 5" in petroleum
    assert "注2封顶：原始加分 9，计 5" in petroleum
    assert "注1封顶" not in petroleum


def test_every_deduction_with_rule_text_amount_reason(report_run):
    html_text = page(report_run, "petroleum")
    html_text = html_text[html_text.index('class="kpa-table kpa-entries"'):]  # not the notice
    # B04.measures: the rule's Chinese text, −5, the stated reason and evidence
    row = html_text[html_text.index('<code class="kpa-id">B04.measures</code>'):]
    row = row[:row.index("</tr>")]
    assert "部门负责人履行责任对腐败风险未提出措施和要求" in row
    assert ">-5<" in row
    assert "未针对招生风险提出防控措施，出现违规收费" in row
    assert "查阅会议记录、工作台账" in row
    assert "<b>-22</b>" in html_text  # all deductions: 2+5+5+2+2+4+1+1 = 22
    assert "<b>+17</b>" in html_text  # bonuses before the caps: 8 + 9


def test_untouched_items_summarised(report_run):
    html_text = page(report_run, "union")
    # union touches B02, B09, B18 and S2: the other 14 of 17 basic items (there is no B06)
    # are summarised in one line, 5+5+5+10+5+7+5+5+5+5+5+5+10+5 = 82 points at full marks
    assert "基本指标 14 个条目未扣分，得满分共 82 分" in html_text
    # named as the rubric numbers them; the id beside is for the screen (hidden on paper)
    assert ('第1项<code class="kpa-id">B01</code>、第3项<code class="kpa-id">B03</code>'
            in html_text)


def test_no_code_no_prompts(report_run):
    for unit in ("petroleum", "union"):
        html_text = page(report_run, unit)
        for marker in ("jp-CodeMirrorEditor", 'class="highlight', "_names_before",
                       "open_report(", "display(HTML", "import ", "jp-InputPrompt",
                       "jp-OutputPrompt", "In&nbsp;[", "kpa-hide"):
            assert marker not in html_text, marker


def test_nothing_fetched_from_elsewhere(report_run):
    for name in ("petroleum.html", "union.html", "index.html"):
        html_text = (report_run.out / name).read_text(encoding="utf-8")
        assert remote_references(html_text) == []
        assert not re.search(r"<(script|link)[^>]+(src|href)=", html_text)
        assert "cdnjs" not in html_text and "unpkg" not in html_text


def test_remote_reference_check_can_fail():
    assert remote_references('<script src="https://cdn.example/x.js"></script>')
    assert remote_references('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert remote_references("<style>@import url(https://x/y.css);</style>")
    assert not remote_references('<svg xmlns="http://www.w3.org/2000/svg">')


def test_user_text_is_escaped(report_run):
    html_text = page(report_run, "union")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert SCRIPT_REASON not in html_text
    assert "<script" not in html_text


def test_chinese_chart_text_is_svg_text(report_run):
    html_text = page(report_run, "petroleum")
    # the English tail is a <tspan class="en">, hidden on Chinese-only pages and on paper
    texts = [re.sub(r"<[^>]+>", "", t)
             for t in re.findall(r"<text\b[^>]*>(.*?)</text>", html_text)]
    assert '各考核项目得分率<tspan class="en"> / attainment per area</tspan>' in html_text
    assert "各考核项目得分率 / attainment per area" in texts
    assert "历年合计得分 / total score over the years" in texts
    styles = re.findall(r"<text\b[^>]*style=\"([^\"]*)\"", html_text)
    assert styles and all("font-family: 'Noto Sans CJK SC', 'Microsoft YaHei'" in s
                          for s in styles)
    assert "<image" not in html_text  # no rasterised chart whose glyphs could be boxes


def test_self_assessment_section(report_run):
    html_text = page(report_run, "union")
    assert "自评合计 <b>95</b>，考核组合计 <b>99</b>" in html_text
    row = html_text[html_text.index('<code class="kpa-id">B15.openness</code>'):]
    assert "<b>-5</b>" in row[:row.index("</tr>")]
    assert "党务公开、政务公开以及评优选先公正" in row[:row.index("</tr>")]  # Chinese clause
    assert "该单位未提交自评" in page(report_run, "petroleum")


def test_provenance_footer(report_run):
    html_text = page(report_run, "petroleum")
    import hashlib

    from kpa_core.rubric.model import load_rubric

    record_sha = hashlib.sha256((report_run.data / "2013" / "petroleum.yaml").read_bytes())
    assert record_sha.hexdigest() in html_text
    assert load_rubric("kvtc-2013-draft").sha256 in html_text
    # the parameters it ran with, as labelled values: no raw JSON, no absolute path
    assert '单位<span class="en"> / unit</span>：<code>petroleum</code>' in html_text
    assert "{&quot;" not in html_text and '{"' not in html_text
    assert str(report_run.data) not in html_text and "/tmp/" not in html_text
    assert "<code>data/2013/petroleum.yaml</code>" in html_text  # relative to the workspace
    # made: a date in Beijing time, not a UTC ISO stamp
    assert re.search(r"生成时间<span class=\"en\"> / made</span></th><td>"
                     r"20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）", html_text)
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:", html_text)


def test_executed_notebook_kept_beside(report_run):
    nb = nbformat.read(report_run.out / "petroleum.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'unit = "petroleum"' in injected[0].source
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("石油工程系" in o.get("data", {}).get("text/html", "") for o in outputs)


def test_last_years_rectification_is_in_the_executed_report(report_run):
    """Issue #23, through the real batch: petroleum's 2012 ledger holds R1 (B02.procedure, 逾期
    as of today, its deadline 2013-02-10 long past) and R2 (B14.tasks, 已销号); B14.tasks is
    deducted again in 2013, so it is marked 重复扣分 in section 七 and on the notice."""
    html_text = (report_run.out / "petroleum.html").read_text(encoding="utf-8")
    section = html_text.split("七、上年整改情况", 1)[1]
    assert "2012 年度整改要求 2 项：已销号 1 项，未完成 1 项" in section
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("</table>", 1)[0])
    assert "R1" in rows[1] and ">逾期<" in rows[1] and "重复扣分" not in rows[1]
    assert "R2" in rows[2] and ">已销号<" in rows[2] and "重复扣分" in rows[2]
    notice = html_text.split("kpa-notice", 1)[1].split("</section>", 1)[0]
    assert "2012 年度整改要求尚有 1 项未销号：R1（逾期）" in notice
    assert notice.count("（重复扣分）") == 1
