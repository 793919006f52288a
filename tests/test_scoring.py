"""Scoring: both notes, both cap scopes, and the year path agreeing with the single one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpa_core.rubric.rules import KINDS
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record, score_year
from kpa_core.year.data import load_year

REPO = Path(__file__).parents[1]

def record(entries: dict, unit: str = "测试单位", **top) -> object:
    return parse_record(
        {"rubric": "kvtc-2013-draft", "year": 2013, "unit": unit, "entries": entries, **top}
    )


def R(**value) -> dict:  # an entry with a reason
    return {**value, "reason": "原因"}


def test_the_issue_example_by_hand() -> None:
    card = score_record(
        record(
            {
                "B01.docs": R(count=1),  # A1: −2
                "B07.studies": R(actual=4),  # A3.edu: −4
                "B02.responsibility": R(applies=True),  # A1: −2
                "B09.activities": R(points=2),  # A3.edu: −2
                "B16.judicial": R(cases=[5, 4]),  # A3.pun: −9
                "B17.reflections": R(
                    sessions=[{"participants": 12, "reflections": 3}]
                ),  # A3.pun: −1
                "S1.honours": R(levels=["national", "region", "city"]),  # +10 → capped at 5
            }
        )
    )
    assert card.area_scores == {
        "A1": 16,
        "A2": 10,
        "A3": 54,
        "A3.edu": 14,
        "A3.sys": 15,
        "A3.sup": 15,
        "A3.pun": 10,
    }
    assert card.item_scores["B16"] == 1 and card.item_deductions["B07"] == 4
    assert card.special == {"S1": 5, "S2": 0} and card.special_raw["S1"] == 10
    assert (card.basic, card.bonus, card.total) == (80, 5, 85)


def test_note1_item_may_go_negative_but_area_not() -> None:
    # A2 (10 points, one item B05): 2 × 3 + 1 × 5 = 11 deducted
    card = score_record(record({"B05.integrity": R(count=2), "B05.relatives": R(count=1)}))
    assert card.item_scores["B05"] == -1
    assert card.area_scores["A2"] == 0
    assert card.capped == {"A2": 1}
    assert card.basic == 90


def test_note1_under_both_cap_scopes() -> None:
    # A3.pun (20): judicial 5 + 5, unreported 2 × 4, news 4 short × 1 → 22 deducted
    # A3.edu (20): plan 2 → 2 deducted
    entries = {
        "B16.judicial": R(cases=[5, 5]),
        "B16.unreported": R(count=2),
        "B18.news": R(actual=0),
        "B07.plan": R(applies=True),
    }
    sub = score_record(record(entries), cap_scope="subarea")
    assert sub.area_scores["A3.pun"] == 0 and sub.capped == {"A3.pun": 2}
    assert sub.area_scores["A3"] == 18 + 15 + 15 + 0  # sum of floored sub-areas = 48
    whole = score_record(record(entries), cap_scope="area")
    assert whole.area_scores["A3"] == 70 - 24  # 46: the overflow of A3.pun eats other sub-areas
    assert whole.area_scores["A3.pun"] == -2  # informational, not floored under this scope
    assert whole.capped == {}
    assert sub.total - whole.total == 2


def test_area_scope_floors_a3_as_a_whole() -> None:
    entries = {"B16.judicial": R(cases=[5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5])}  # 75
    whole = score_record(record(entries), cap_scope="area")
    assert whole.area_scores["A3"] == 0 and whole.capped == {"A3": 5}
    sub = score_record(record(entries), cap_scope="subarea")
    assert sub.area_scores["A3"] == 50  # only A3.pun (20) lost


def test_cap_scope_from_the_record_and_override() -> None:
    entries = {"B16.judicial": R(cases=[5, 5]), "B16.unreported": R(count=3)}  # 22 in A3.pun
    rec = record(entries, options={"cap_scope": "area"})
    assert score_record(rec).cap_scope == "area"
    assert score_record(rec).area_scores["A3"] == 48
    assert score_record(rec, cap_scope="subarea").area_scores["A3"] == 50


def test_note2_caps_each_special_item_at_5() -> None:
    card = score_record(
        record(
            {
                "S1.honours": R(levels=["national", "national"]),
                "S2.suggestions": R(count=2),
                "S2.articles": R(cases=[5]),
            }
        )
    )
    assert card.special_raw == {"S1": 10, "S2": 9}
    assert card.special == {"S1": 5, "S2": 5}
    assert card.total == 110


def test_year_path_agrees_with_single_records_on_the_sample() -> None:
    year = load_year(REPO / "data", 2013)
    for scope in ("subarea", "area"):
        table = score_year(year.records, cap_scope=scope).table
        singles = pd.DataFrame([score_record(r, cap_scope=scope).row() for r in year.records])
        singles.index = table.index
        for col in singles.columns.drop(["unit", "unit_id"]):
            assert table[col].tolist() == pytest.approx(singles[col].tolist()), (scope, col)


def test_year_table_ranks_and_breakdown() -> None:
    recs = [
        record({"B04.losses": R(applies=True)}, unit="甲", unit_id="a"),
        record({}, unit="乙", unit_id="b"),
        record(
            {"B14.method": R(applies=True), "S2.suggestions": R(count=1)}, unit="丙", unit_id="c"
        ),
        record({"B04.losses": R(applies=True)}, unit="丁", unit_id="d"),
    ]
    scores = score_year(recs)
    t = scores.table
    assert t.loc["b", "total"] == 100 and t.loc["c", "total"] == 101
    assert t["rank"].to_dict() == {"a": 3, "b": 2, "c": 1, "d": 3}  # ties share the rank
    bd = scores.breakdown
    assert set(bd.columns) >= {"unit", "item", "rule", "amount", "reason", "evidence"}
    assert bd.loc[bd.rule == "S2.suggestions", "amount"].tolist() == [2]
    assert bd.loc[bd.rule == "B14.method", "amount"].tolist() == [-1]


def test_sample_data_exercises_both_notes_and_every_kind() -> None:
    year = load_year(REPO / "data", 2013)
    scores = score_year(year.records)
    kinds = set(scores.breakdown["kind"])
    assert kinds == set(KINDS)  # test_rules pins KINDS to RUBRIC.md's list
    cards = [score_record(r) for r in year.records]
    assert any(c.capped for c in cards)  # Note 1 bites
    assert any(c.special_raw[s] > 5 for c in cards for s in ("S1", "S2"))  # Note 2 bites
    by_area = score_year(year.records, cap_scope="area").table
    assert (by_area["total"] != scores.table["total"]).any()  # the switch matters
    assert 25 <= len(year.records) <= 35
