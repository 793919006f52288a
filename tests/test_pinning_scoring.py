"""Pinning scoring.score_year and Note 1, with numbers worked out by hand from RUBRIC.md.

The sample year never drives A3 to its floor under ``cap_scope=area``, so these fixtures do:
they would catch the floor moved to 1 or removed, the per-unit cap scope ignored, and the rank
method changed from ``min`` (ties share the best rank) to pandas' default average.
"""

from __future__ import annotations

import pytest

from kpa_core.record import parse_record
from kpa_core.scoring import score_record, score_year


def rec(uid: str, entries: dict, **top) -> object:
    return parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": f"单位{uid}",
                         "unit_id": uid, "entries": entries, **top})


def R(**value) -> dict:
    return {**value, "reason": "原因"}


# A3 is 70 points: A3.edu 20, A3.sys 15, A3.sup 15, A3.pun 20.
FLOOR_YEAR = {
    # 15 cases × 5 = 75 in A3.pun. area: A3 = max(0, 70 − 75) = 0; A3.pun shown as 20 − 75 = −55.
    # subarea: A3.pun floored at 0, A3 = 20 + 15 + 15 + 0 = 50.
    "over": {"B16.judicial": R(cases=[5] * 15)},
    # 14 cases × 5 = 70: A3 lands exactly on 0 without needing the floor (area), 50 (subarea).
    "exact": {"B16.judicial": R(cases=[5] * 14)},
    # A3.pun 25 (−5 over its 20) + A3.sys B10 5 + A3.edu B08.three_haves 6 = 36.
    # area: A3 = 70 − 36 = 34; A3.pun shown −5.  subarea: 14 + 10 + 15 + 0 = 39.
    "spread": {"B16.judicial": R(cases=[5] * 5), "B10.missing": R(points=5),
               "B08.three_haves": R(points=6)},
    # nothing deducted: 100 under both scopes
    "clean": {},
}


@pytest.fixture
def floor_year() -> list:
    return [rec(uid, entries) for uid, entries in FLOOR_YEAR.items()]


def test_year_path_floors_a3_at_exactly_zero_under_area(floor_year) -> None:
    t = score_year(floor_year, cap_scope="area").table
    assert t["A3"].to_dict() == {"over": 0.0, "exact": 0.0, "spread": 34.0, "clean": 70.0}
    assert t["A3.pun"].to_dict() == {"over": -55.0, "exact": -50.0, "spread": -5.0,
                                     "clean": 20.0}
    assert t["A3.sys"].to_dict()["spread"] == 10.0 and t["A3.edu"].to_dict()["spread"] == 14.0
    # basic = A1 20 + A2 10 + A3
    assert t["basic"].to_dict() == {"over": 30.0, "exact": 30.0, "spread": 64.0, "clean": 100.0}
    assert t["total"].to_dict() == {"over": 30.0, "exact": 30.0, "spread": 64.0, "clean": 100.0}
    assert t["rank"].to_dict() == {"clean": 1, "spread": 2, "over": 3, "exact": 3}
    assert set(t["cap_scope"]) == {"area"}


def test_year_path_under_subarea_floors_each_sub_area(floor_year) -> None:
    t = score_year(floor_year, cap_scope="subarea").table
    assert t["A3.pun"].to_dict() == {"over": 0.0, "exact": 0.0, "spread": 0.0, "clean": 20.0}
    assert t["A3"].to_dict() == {"over": 50.0, "exact": 50.0, "spread": 39.0, "clean": 70.0}
    assert t["total"].to_dict() == {"over": 80.0, "exact": 80.0, "spread": 69.0, "clean": 100.0}


def test_single_path_gives_the_same_hand_numbers_at_the_floor(floor_year) -> None:
    by_id = {r.unit_id: r for r in floor_year}
    over = score_record(by_id["over"], cap_scope="area")
    assert over.area_scores["A3"] == 0.0 and over.capped == {"A3": 5.0}
    assert over.area_scores["A3.pun"] == -55.0 and over.total == 30.0
    exact = score_record(by_id["exact"], cap_scope="area")
    # 70 deducted from 70: exactly 0, and nothing was cut off (the cap bites only above)
    assert exact.area_scores["A3"] == 0.0 and exact.capped == {}
    sub = score_record(by_id["exact"], cap_scope="subarea")
    assert sub.area_scores["A3.pun"] == 0.0 and sub.capped == {"A3.pun": 50.0}
    spread = score_record(by_id["spread"], cap_scope="area")
    assert spread.area_scores["A3"] == 34.0 and spread.capped == {}


def test_each_records_own_cap_scope_is_used_row_by_row() -> None:
    # No override: "over" asks for area in its file, "over2" takes the rubric default (subarea).
    recs = [rec("over", FLOOR_YEAR["over"], options={"cap_scope": "area"}),
            rec("over2", FLOOR_YEAR["over"])]
    t = score_year(recs).table
    assert t["cap_scope"].to_dict() == {"over": "area", "over2": "subarea"}
    assert t["A3"].to_dict() == {"over": 0.0, "over2": 50.0}
    assert t["A3.pun"].to_dict() == {"over": -55.0, "over2": 0.0}
    assert t["total"].to_dict() == {"over": 30.0, "over2": 80.0}
    # an override applies to every row, whatever the files say
    assert score_year(recs, cap_scope="subarea").table["total"].to_dict() == {
        "over": 80.0, "over2": 80.0}


def test_ties_of_three_share_the_best_rank_and_the_next_rank_skips() -> None:
    # totals: a 100; b, c, d 98 (each −2 from a different rule); e 95 (B04.losses −5)
    recs = [rec("a", {}),
            rec("b", {"B02.responsibility": R(applies=True)}),
            rec("c", {"B03.accountability": R(applies=True)}),
            rec("d", {"B07.plan": R(applies=True)}),
            rec("e", {"B04.losses": R(applies=True)})]
    t = score_year(recs).table
    assert t["total"].to_dict() == {"a": 100, "b": 98, "c": 98, "d": 98, "e": 95}
    # method="min": 1, 2, 2, 2, 5 (average would give 3, 3, 3; dense would give e rank 3)
    assert t["rank"].to_dict() == {"a": 1, "b": 2, "c": 2, "d": 2, "e": 5}


def test_a_four_way_tie_at_the_top() -> None:
    recs = [rec(u, {}) for u in ("p", "q", "r", "s")] + [rec("t", {"B14.method": R(applies=True)})]
    t = score_year(recs).table
    assert t["rank"].to_dict() == {"p": 1, "q": 1, "r": 1, "s": 1, "t": 5}


def test_bonus_is_capped_per_item_in_the_year_path() -> None:
    # S1 national + national = 10 → 5; S2 suggestions 1 × 2 + article 4 = 6 → 5
    recs = [rec("x", {"S1.honours": R(levels=["national", "national"]),
                      "S2.suggestions": R(count=1), "S2.articles": R(cases=[4])}),
            rec("y", {"S2.articles": R(cases=[2.5])})]
    t = score_year(recs).table
    assert t["S1"].to_dict() == {"x": 5.0, "y": 0.0}
    assert t["S2"].to_dict() == {"x": 5.0, "y": 2.5}
    assert t["bonus"].to_dict() == {"x": 10.0, "y": 2.5}
    assert t["total"].to_dict() == {"x": 110.0, "y": 102.5}
