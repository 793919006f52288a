"""Next year sees last year (issue #23): 上年整改情况, 重复扣分, open items on the index.

logistics, by hand from the sample: 2012 deducted B03.accountability, B05.life_meeting,
B07.risks, B11.problems, B13.activities, B16.unreported, B18.news, B18.summaries (its 8 items
R1–R8). 2013 deducts B01, B03.accountability, B05.life_meeting, B10, B13.records,
B13.activities, B14, B16 (two rules, B16.unreported one of them), B17 and B18.news: five rules
are deducted in both years. As of 2013-02-05 its 2012 ledger has R2 and R5 not started, R6
reported and awaiting the check, the other five closed; the deadline is 2013-02-10.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kpa_core.rectify.carry import previous_year, repeated_rules
from kpa_core.report.context import build_context
from kpa_core.report.index import open_items_of, render_index
from kpa_core.report.notebook_params import check_report_params
from kpa_core.report.notice import notice_section
from kpa_core.report.rectify_section import notice_carry_texts, previous_section
from kpa_core.store.paths import PACKAGE_DIR

DATA = PACKAGE_DIR.parent / "data"
BOTH_YEARS = {"B03.accountability", "B05.life_meeting", "B13.activities", "B16.unreported",
              "B18.news"}


def context(unit: str, made: str):
    ctx = build_context(check_report_params(year=2013, unit=unit, data_dir=DATA))
    return replace(ctx, made=made)


def test_rules_deducted_in_both_years_are_repeats():
    assert repeated_rules(DATA, 2013, "logistics") == BOTH_YEARS
    assert repeated_rules(DATA, 2012, "logistics") == set()  # no 2011 to repeat


def test_report_section_lists_last_years_items_as_they_stood():
    import datetime as dt

    items = previous_year(DATA, 2013, "logistics", as_of=dt.date(2013, 2, 5))
    assert [(s.item.item_id, s.status) for s in items] == [
        ("R1", "closed"), ("R2", "open"), ("R3", "closed"), ("R4", "closed"), ("R5", "open"),
        ("R6", "awaiting_check"), ("R7", "closed"), ("R8", "closed")]
    html = previous_section(context("logistics", "2013-02-05T02:00:00+00:00"))
    assert "2012 年度整改要求 8 项：已销号 5 项，未完成 3 项" in html
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    assert len(rows) == 9  # header + 8 items
    assert "R2" in rows[2] and "未整改" in rows[2] and "重复扣分" in rows[2]  # B05 again
    assert "R3" in rows[3] and "已销号" in rows[3] and "重复扣分" not in rows[3]  # B07 not
    # a week later the deadline has passed: R2 and R5 are 逾期, R6 still waits on the office
    later = previous_section(context("logistics", "2013-02-12T02:00:00+00:00"))
    assert later.count(">逾期<") == 2 and later.count(">已整改待核查<") == 1


def test_notice_names_open_items_and_marks_repeats():
    ctx = context("logistics", "2013-02-12T02:00:00+00:00")
    assert notice_carry_texts(ctx) == [
        "2012 年度整改要求尚有 3 项未销号：R2（逾期）、R5（逾期）、R6（已整改待核查），"
        "请一并整改。",
        "5 条规则连续两年扣分，已在扣分情况中标注“重复扣分”。"]
    html = notice_section(ctx)
    # compact form marks items: B03, B05, B13, B16, B18 each hold one repeated rule
    assert html.count("（重复扣分）") == 5
    assert "R2（逾期）" in html


def test_a_unit_without_last_year_items_says_so():
    html = previous_section(context("marxism", "2013-02-12T02:00:00+00:00"))
    ledger_items = previous_year(DATA, 2013, "marxism")
    assert ("无整改台账事项" in html) == (not ledger_items)


def test_index_shows_open_items_per_unit():
    import pandas as pd

    open_items = open_items_of(DATA, 2013)
    # as of today (past the 2013-02-10 deadline): R2, R5 逾期 and R6 待核查 stay open
    assert open_items["logistics"] == ["2012 R2（逾期）", "2012 R5（逾期）",
                                       "2012 R6（已整改待核查）"]
    table = pd.DataFrame({"unit": ["后勤管理处"], "unit_id": ["logistics"], "A1": [14.0],
                          "A2": [7.0], "A3": [38.0], "basic": [59.0], "bonus": [0.0],
                          "total": [59.0], "rank": [30], "cap_scope": ["subarea"]},
                         index=["logistics"])
    page = render_index(2013, table, {"logistics"}, {}, open_items=open_items)
    assert 'title="2012 R2（逾期）、2012 R5（逾期）、2012 R6（已整改待核查）">3</td>' in page


def test_explore_progress_by_unit_and_by_rule():
    import datetime as dt

    from kpa_core.analysis.rectify_progress import progress_frame, progress_html
    from kpa_core.rectify.ledger import ledger_in_view

    ledger = ledger_in_view(DATA, 2013, as_of=dt.date(2013, 2, 5))  # 2013 unpublished: 2012's
    assert ledger.year == 2012
    by_unit = progress_frame(ledger, "unit").set_index("key")
    row = by_unit.loc["logistics"]
    assert (row["items"], row["closed"], row["awaiting_check"], row["open"]) == (8, 5, 1, 2)
    assert row["closed_share"] == 5 / 8
    assert int(by_unit["items"].sum()) == len(ledger.items) == 150
    by_rule = progress_frame(ledger, "rule").set_index("key")
    assert int(by_rule["items"].sum()) == 150
    assert by_rule.loc["B18.summaries", "items"] == sum(
        1 for s in ledger.items if s.item.rule_id == "B18.summaries")
    first = progress_frame(ledger, "unit").iloc[0]  # worst first: most items not closed
    assert first["items"] - first["closed"] == max(by_unit["items"] - by_unit["closed"])
    html = progress_html(DATA, 2013, {"logistics": "后勤管理处"}, as_of=dt.date(2013, 2, 5))
    assert "2012 年度整改台账" in html and "后勤管理处" in html
