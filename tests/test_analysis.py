"""College-wide analysis on a three-unit fixture whose every number is worked out by hand.

Fixture (2013 rubric, default cap scope):
  a (office):     B01.docs 1 (−2), B07.studies 4 held (−4), S1 city honour (+2)  → 94 + 2 = 96
  b (department): B01.docs 2 (−4), B05.integrity 4 cases (−12, A2 floored at 0)   → 86
  c (department): B07.studies 5 (−2), B16.judicial [5, 5] (−10), B16.unreported 3 (−12):
                  A3.pun loses 22 of 20 → 0; A3 = 18 + 15 + 15 + 0 = 48            → 78
The year before: a nothing (100), b the same as now (86), c only B07.studies 5 (98).
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpa_core.analysis import stats as analysis
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_year

KINDS = {"a": "office", "b": "department", "c": "department"}


def R(**value) -> dict:
    return {**value, "reason": f"原因{sorted(value)[0]}"}


def rec(uid: str, entries: dict, year: int = 2013, role: str = "assessor"):
    data = {"rubric": "kvtc-2013-draft", "year": year, "unit": f"单位{uid}", "unit_id": uid,
            "entries": entries}
    if role != "assessor":
        data["role"] = role
    return parse_record(data)


NOW = {
    "a": {"B01.docs": R(count=1), "B07.studies": R(actual=4), "S1.honours": R(levels=["city"])},
    "b": {"B01.docs": R(count=2), "B05.integrity": R(count=4)},
    "c": {"B07.studies": R(actual=5), "B16.judicial": R(cases=[5, 5]),
          "B16.unreported": R(count=3)},
}
BEFORE = {"a": {}, "b": NOW["b"], "c": {"B07.studies": R(actual=5)}}


@pytest.fixture(scope="module")
def now():
    return score_year([rec(u, e) for u, e in NOW.items()])


@pytest.fixture(scope="module")
def before():
    return score_year([rec(u, e, year=2012) for u, e in BEFORE.items()])


def test_fixture_totals(now) -> None:
    assert now.table["total"].to_dict() == {"a": 96, "b": 86, "c": 78}
    assert now.table["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}


def test_points_lost_matrix(now) -> None:
    m = analysis.points_lost_matrix(now)
    assert list(m.columns) == ["a", "b", "c"]  # ranking order
    assert list(m.index) == ["B01.docs", "B05.integrity", "B07.studies", "B16.judicial",
                             "B16.unreported"]  # rubric order, only rules that deducted
    assert m.loc["B01.docs"].tolist() == [2, 4, 0]
    assert m.loc["B05.integrity"].tolist() == [0, 12, 0]
    assert m.loc["B07.studies"].tolist() == [4, 0, 2]
    assert m.loc["B16.unreported", "c"] == 12 and m.to_numpy().sum() == 2 + 4 + 12 + 4 + 2 + 22
    # every basic rule, B01…B18: 2+3+2+2+3+3+2+3+1+2+2+3+2+1+2+1+2 = 36
    assert len(analysis.points_lost_matrix(now, all_rules=True)) == 36
    reasons = analysis.reasons_matrix(now, m)
    assert reasons.loc["B16.judicial", "c"] == "原因cases"
    assert reasons.loc["B16.judicial", "a"] == ""


def test_most_deducted_rules(now) -> None:
    top = analysis.most_deducted_rules(now)
    assert top["rule"].tolist() == ["B01.docs", "B07.studies", "B05.integrity",
                                     "B16.unreported", "B16.judicial"]
    assert top["units"].tolist() == [2, 2, 1, 1, 1]
    assert top["points"].tolist() == [6, 6, 12, 12, 10]
    first = top.iloc[0]
    assert first["share"] == pytest.approx(2 / 3) and first["mean"] == 3
    assert first["area"] == "A1" and first["label"].startswith("4月前制定")


def test_totals_by_kind(now) -> None:
    t = analysis.totals_by_kind(now, KINDS).set_index("kind")
    assert list(t.index) == ["department", "office", "all"]
    dep = t.loc["department"]
    assert (dep["units"], dep["mean"], dep["min"], dep["max"]) == (2, 82, 78, 86)
    assert dep["mean_A2"] == 5 and dep["mean_A3"] == (70 + 48) / 2
    assert t.loc["office", "mean"] == 96 and t.loc["office", "mean_bonus"] == 2
    assert t.loc["all", "mean"] == pytest.approx(260 / 3) and t.loc["all", "median"] == 86
    assert t.loc["department", "label"].startswith("教学系部")


def test_movers(before, now) -> None:
    assert before.table["rank"].to_dict() == {"a": 1, "b": 3, "c": 2}
    m = analysis.movers(before, now).set_index("unit_id")
    assert list(m.index) == ["c", "a", "b"]  # by size of change: −20, −4, 0
    c = m.loc["c"]
    assert (c["total_before"], c["total_after"], c["change"]) == (98, 78, -20)
    assert (c["rank_before"], c["rank_after"], c["rank_change"]) == (2, 3, -1)
    assert (c["explained"], c["absorbed"]) == (-22, 2)  # Note 1 floor absorbed 2
    assert c["rules"] == "B16.unreported −12; B16.judicial −10"
    a = m.loc["a"]
    assert (a["change"], a["explained"], a["absorbed"]) == (-4, -4, 0)
    assert a["rules"] == "B07.studies −4; B01.docs −2; S1.honours +2"
    assert (m.loc["b", "change"], m.loc["b", "rank_change"], m.loc["b", "rules"]) == (0, 1, "")
    long = analysis.rule_changes(before, now)
    assert sorted(map(tuple, long[["unit_id", "rule", "change"]].to_numpy().tolist())) == [
        ("a", "B01.docs", -2), ("a", "B07.studies", -4), ("a", "S1.honours", 2),
        ("c", "B16.judicial", -10), ("c", "B16.unreported", -12)]


def test_self_gaps() -> None:
    rubric = load_rubric("kvtc-2013-draft")
    assessor = [rec(u, e) for u, e in NOW.items()]
    own = [rec("a", {}, role="self"),
           rec("c", {"B07.studies": R(actual=5), "B16.judicial": R(cases=[4])}, role="self")]
    # c's own: A3.pun loses 4 → 16; A3 = 18 + 15 + 15 + 16 = 64; total 94 (gap 16, though
    # the rules differ by 18: the assessors' 22 lost were floored at 20).
    by_unit = analysis.self_gaps_by_unit(assessor, own, rubric)
    assert by_unit["unit_id"].tolist() == ["c", "a"]
    assert by_unit["self_total"].tolist() == [94, 100]
    assert by_unit["assessor_total"].tolist() == [78, 96]
    assert by_unit["gap"].tolist() == [16, 4] and by_unit["rules_disputed"].tolist() == [2, 3]
    by_rule = analysis.self_gaps_by_rule(assessor, own, rubric)
    assert by_rule["rule"].tolist() == ["B16.unreported", "B16.judicial", "B07.studies",
                                        "B01.docs", "S1.honours"]
    assert by_rule["gap"].tolist() == [12, 6, 4, 2, -2] and set(by_rule["units"]) == {1}
    long = analysis.self_gap_rules(assessor, own, rubric)
    row = long[(long["unit_id"] == "c") & (long["rule"] == "B16.judicial")].iloc[0]
    assert (row["assessor"], row["self"], row["gap"]) == (-10, -4, 6)
    assert analysis.self_gaps_by_rule(assessor, [], rubric).empty


def test_area_attainment(now) -> None:
    t = analysis.area_attainment(now).set_index("area")
    assert list(t.index) == ["A1", "A2", "A3", "A3.edu", "A3.sys", "A3.sup", "A3.pun", "S1",
                             "S2"]
    assert (t.loc["A1", "mean"], t.loc["A1", "attainment"]) == (18, 0.9)  # 18, 16, 20
    assert (t.loc["A1", "full"], t.loc["A1", "zero"], t.loc["A1", "min"]) == (1, 0, 16)
    assert t.loc["A2", "mean"] == pytest.approx(20 / 3) and t.loc["A2", "zero"] == 1
    assert t.loc["A3.pun", "mean"] == pytest.approx(40 / 3) and t.loc["A3.pun", "full"] == 2
    assert t.loc["A3.edu", "mean"] == pytest.approx((16 + 20 + 18) / 3)
    assert t.loc["S1", "attainment"] == pytest.approx((2 / 3) / 5)
    assert isinstance(t, pd.DataFrame) and t.loc["A3", "points"] == 70


def test_units_in_one_year_only_and_a_year_without_deductions(now) -> None:
    earlier = score_year([rec("a", {}, year=2012), rec("z", {}, year=2012)])
    m = analysis.movers(earlier, now)
    assert m["unit_id"].tolist() == ["a"]  # b, c are new; z is gone: not movers
    assert m.loc[0, "rank_before"] == 1 and m.loc[0, "change"] == -4
    clean = score_year([rec("x", {})])
    assert analysis.points_lost_matrix(clean).empty and analysis.most_deducted_rules(clean).empty
    kinds = analysis.totals_by_kind(clean, {})
    assert kinds["kind"].tolist() == ["other", "all"] and kinds.loc[1, "mean"] == 100
