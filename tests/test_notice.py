"""The result notice (考核结果通知书), the summary (汇总表), dates and the one ranking order.

No kernel: the notice is built from ``report_context.build_context`` directly.

Worked out by hand from data/2013/logistics.yaml (后勤管理处, the bottom-ranked unit):
A1 6 (B01.docs 2×2, B03.accountability 2), A2 3, A3.sys 3, A3.sup 9 (B13 4 + 3, B14 2),
A3.pun 9.5 + 8 + 1 + 3 = 21.5 > 20, so Note 1 cuts 1.5. Entered deductions 42.5; basic
100 − 41 = 59. Walking A3.pun in rubric order, B18.news (−3) is the row cut: 1.5 counted.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.report.context import build_context
from kpa_core.report.notebook_params import check_report_params
from kpa_core.report.notice import (
    _lines_table,
    notice_lines,
    notice_section,
    points_lost,
    rectification_items,
)
from kpa_core.scoring.ordering import ranked
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_year
from kpa_core.store.paths import PACKAGE_DIR
from kpa_core.text.dates import zh_date, zh_datetime
from kpa_core.year.data import load_units, load_year

DATA = PACKAGE_DIR.parent / "data"
BANDS = PACKAGE_DIR / "templates" / "grade-bands.example.yaml"


def context(unit: str, **extra):
    return build_context(check_report_params(year=2013, unit=unit, data_dir=DATA, **extra))


def test_logistics_deductions_add_up_to_points_lost():
    ctx = context("logistics")
    lines = [x for x in notice_lines(ctx) if not x.bonus]
    assert sum(x.entered for x in lines) == 42.5
    assert sum(x.counted for x in lines) == 41 == points_lost(ctx) == 100 - ctx.card.basic
    cut = [x for x in lines if x.cut]
    assert [(x.rule_id, x.entered, x.counted) for x in cut] == [("B18.news", 3, 1.5)]
    # 11 rows: the notice lists them per item (compact form, one A4 page); the full table
    # with each row's Note 1 cut is the same function's other form
    html_text = notice_section(ctx)
    assert "kpa-notice-compact" in html_text and "−1.5※" in html_text
    assert '合计（计入得分）</td><td class="num">−41</td>' in html_text
    full = _lines_table(ctx, notice_lines(ctx), bonus=False)
    assert '<td class="num">−1.5※</td>' in full
    assert "※ 录入 −3，注1封顶未计 1.5" in full
    assert '合计（计入得分）</td><td class="num">−41</td>' in full


def test_every_sample_unit_adds_up():
    """For all 30 units: the deductions column = basic points lost; bonuses = bonus counted."""
    units = load_units(DATA)
    for record in load_year(DATA, 2013, units=units).records:
        ctx = context(record.unit_id)
        lines = notice_lines(ctx)
        assert sum(x.counted for x in lines if not x.bonus) == pytest.approx(
            100 - ctx.card.basic), record.unit_id
        assert sum(x.counted for x in lines if x.bonus) == pytest.approx(ctx.card.bonus)


def test_quantities_in_the_documents_words():
    by_rule = {x.rule_id: x.quantity for x in notice_lines(context("logistics"))}
    assert by_rule["B16.judicial"] == "2 个案例：5 + 4.5 分"
    assert by_rule["B16.unreported"] == "2 次 × 4 分"
    assert by_rule["B01.docs"] == "2 次 × 2 分"
    assert by_rule["B18.news"] == "应 4，实 1：少 3 × 1 分"
    assert by_rule["B17.reflections"] == "2 次学习中 1 次心得不足1/3 × 1 分"  # 2/12 < 1/3; 3/9 ok
    assert by_rule["B10.missing"] == "酌情 3 分（1–5）"
    petroleum = {x.rule_id: x for x in notice_lines(context("petroleum"))}
    s1 = petroleum["S1.honours"]  # national 5 + region 3 = 8 entered; Note 2 counts 5
    assert (s1.quantity, s1.entered, s1.counted) == ("国家级 5 分、自治区级 3 分", 8, 5)


def test_notice_block_office_grade_and_provenance_line():
    ctx = context("logistics", office="克拉玛依职业技术学院纪委办公室", bands=str(BANDS))
    html_text = notice_section(ctx)
    assert '<div class="office">克拉玛依职业技术学院纪委办公室</div>' in html_text
    assert "2013 年度党风廉政建设责任制考核结果通知书" in html_text
    assert '<p class="to">后勤管理处：</p>' in html_text
    assert 'data-kpa-notice="合计">59<small>/ 110</small>' in html_text
    assert 'data-kpa-notice="名次">30<small>/ 30</small>' in html_text
    assert 'data-kpa-notice="等次">不合格' in html_text  # the example bands: B16 cases veto
    assert "考核组（签字）" in html_text and "克拉玛依职业技术学院纪委办公室（盖章）" in html_text
    assert f'<td class="date">{zh_date(ctx.made)}</td>' in html_text  # 年月日, Beijing time
    assert "一票否决：第16项下有扣分，等次为不合格。" in html_text
    prov = re.search(r'<p class="kpa-notice-prov">(.*?)</p>', html_text).group(1)
    code = (ctx.rubric.sha256[:6] + ctx.data_sha256["record"][:6]).upper()
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in prov  # the short verification code
    assert ctx.rubric.sha256[:12] not in prov and "kpa " not in prov
    assert not re.search(r"B\d\d\.[a-z_]+", html_text)  # no rule id on the notice
    assert "/" + "tmp" not in html_text and str(DATA) not in html_text and "{" not in html_text
    assert "等次" not in notice_section(context("logistics"))  # no bands, no grade


def test_dates_are_beijing_time():
    # 17:30 UTC on 19 December is 01:30 on the 20th in Beijing
    assert zh_date("2013-12-19T17:30:00+00:00") == "2013年12月20日"
    assert zh_date("2013-12-19T15:59:00") == "2013年12月19日"  # naive means UTC: 23:59
    assert zh_datetime("2013-12-19T17:30:00+00:00") == "2013年12月20日 01:30（北京时间）"
    assert zh_date("2013-12-19T17:30:00+00:00", "Europe/London") == "2013年12月19日"
    ctx = replace(context("logistics"), made="2013-12-19T17:30:00+00:00")
    assert "生成于 2013年12月20日 01:30（北京时间）" in notice_section(ctx)
    with pytest.raises(KpaInputError):
        check_report_params(year=2013, unit="logistics", data_dir=DATA, timezone="Mars/Base")


def test_rectification_from_the_record_or_the_deducted_rules():
    ctx = context("logistics")
    default = rectification_items(ctx, notice_lines(ctx))
    assert len(default) == 11
    assert default[0] == "第1项（年初制定工作计划）：半年工作总结未按时报送。"  # no code id
    text = replace(ctx, record=replace(ctx.record, rectification="健全制度。\n按时报送材料。"))
    assert rectification_items(text, notice_lines(text)) == ["健全制度。", "按时报送材料。"]
    per = replace(ctx, record=replace(ctx.record, rectification={"B16": "建立案件报告制度"}))
    items = rectification_items(per, notice_lines(per))
    assert "第16项（重视并支持纪检监察工作）：建立案件报告制度" in items
    assert len(items) == 10  # B16's two rules → one item
    html_text = notice_section(replace(ctx, record=replace(
        ctx.record, rectification="<script>x</script>")))
    assert "&lt;script&gt;x&lt;/script&gt;" in html_text and "<script>" not in html_text


def test_record_rectification_field_is_checked():
    base = {"rubric": "kvtc-2013-draft", "year": 2013, "unit": "某单位", "entries": {}}
    assert parse_record({**base, "rectification": "整改"}).rectification == "整改"
    ok = parse_record({**base, "rectification": {"B01.docs": "按时报送", "B16": "完善"}})
    assert ok.to_data()["rectification"] == {"B01.docs": "按时报送", "B16": "完善"}
    with pytest.raises(KpaInputError) as exc:
        parse_record({**base, "rectification": {"B06": "x", "B01.docs": 3}})
    fields = {p.field for p in exc.value.problems}
    assert fields == {"rectification.B06", "rectification.B01.docs"}


def test_one_ranking_order_breaks_ties_by_unit_id():
    year = load_year(DATA, 2013, units=load_units(DATA))
    table = score_year(year.records).table
    order = list(ranked(table)["unit_id"])
    assert order[0] == "union"
    # library and research are tied on 89.5 (rank 8): by id, library first, in every output
    assert order.index("library") + 1 == order.index("research")
    assert int(table.loc["library", "rank"]) == int(table.loc["research", "rank"]) == 8
    shuffled = table.sample(frac=1, random_state=3)
    assert list(ranked(shuffled)["unit_id"]) == order


def test_summary_xlsx_and_page(tmp_path: Path):
    from openpyxl import load_workbook

    from kpa_core.report.summary import write_summary
    from kpa_core.scoring.grading import grade_card, load_bands
    from kpa_core.scoring.score import score_record

    year = load_year(DATA, 2013, units=load_units(DATA))
    scores = score_year(year.records)
    bands = load_bands(BANDS, scores.rubric)
    grades = {r.unit_id: grade_card(score_record(r), bands).grade for r in year.records}
    xlsx, page = write_summary(tmp_path, 2013, scores.table, scores.rubric, grades)
    ws = load_workbook(xlsx).active
    head = [c.value for c in ws[2]]
    assert head[:2] == ["名次", "单位"] and "编号" not in head  # units by name, as on paper
    assert head[2].startswith("一、") and head[-4:] == ["基本指标", "特色指标", "合计", "等次"]
    first = [c.value for c in ws[3]]
    assert first[:2] == [1, "工会"] and first[-2] == 99
    names = [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)]
    assert len(names) == 30 and names == list(ranked(scores.table)["unit"])
    assert ws.cell(3 + names.index("后勤管理处"), len(head)).value == grades["logistics"]
    page_text = page.read_text(encoding="utf-8")
    assert 'title="一、部门负责人及其成员执行党风廉政建设责任制情况">一 (20)' in page_text
    assert page_text.index(">图书馆<") < page_text.index(">科研处<")


@pytest.mark.parametrize(("lang", "body"), [(None, "lang-auto"), ("zh", "lang-zh"),
                                            ("zh-en", "lang-zh-en")])
def test_lang_parameter_sets_the_page_language(lang, body):
    """--lang reaches the page as a body class: zh hides the English readings everywhere,
    the default (auto) hides them on paper only; the stylesheet holds both rules."""
    import nbformat

    from kpa_core.report.export import notebook_to_html

    nb = nbformat.v4.new_notebook()
    heading = '<h2>一、得分<span class="en"> / score</span></h2>'
    nb.cells.append(nbformat.v4.new_markdown_cell(heading))
    nb.metadata["papermill"] = {"parameters": {"year": 2013, "lang": lang}}
    html_text = notebook_to_html(nb, title="t")
    assert f'<body class="kpa-report {body}">' in html_text
    assert ".lang-zh .en, .lang-zh .en-only { display: none; }" in html_text
    assert re.search(r"@media print \{\s*\.lang-auto \.en", html_text)
    with pytest.raises(KpaInputError):
        check_report_params(year=2013, unit="logistics", data_dir=DATA, lang="en")


def test_summary_xlsx_keeps_user_text_plain_and_survives_control_characters(tmp_path: Path):
    """A unit name like '=HYPERLINK(...)' is a text cell, not a formula; ESC/BEL in a name
    (or the office) is replaced, not an IllegalCharacterError ending `kpa report`."""
    from openpyxl import load_workbook

    from kpa_core.report.summary import write_summary

    year = load_year(DATA, 2013, units=load_units(DATA))
    scores = score_year(year.records)
    table = scores.table.copy()
    evil = '=HYPERLINK("http://evil","x")'
    table.loc[table["unit_id"] == "union", "unit"] = evil
    table.loc[table["unit_id"] == "arts", "unit"] = "艺术\x1b[2J系\x07"
    xlsx, _ = write_summary(tmp_path, 2013, table, scores.rubric, office="纪委\x1b办")
    ws = load_workbook(xlsx).active
    cells = [ws.cell(r, 2) for r in range(3, ws.max_row + 1)]
    union = next(c for c in cells if c.value == evil)
    assert union.data_type == "s"
    assert any(c.value == "艺术\ufffd[2J系\ufffd" for c in cells)
    assert ws.cell(1, 1).value.startswith("纪委\ufffd办 2013")
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_items_are_named_alike_on_the_notice_and_the_analysis_pages():
    from kpa_core.analysis.pages import item_words, rules_in_words
    from kpa_core.report.notice_form import item_name

    rubric = context("logistics").rubric
    assert all(item_words(rubric, i) == item_name(rubric, i) for i in rubric.items)
    assert item_name(rubric, "B16") == "第16项（重视并支持纪检监察工作）"  # cut at the comma
    assert rules_in_words("B16.judicial −4.5; B01.docs +2", rubric) == (
        "第16项（重视并支持纪检监察工作） −4.5；第1项（年初制定工作计划） +2")
