"""Pinning scoring.score_year and Note 1, with numbers worked out by hand from RUBRIC.md.

The sample year never drives A3 to its floor under ``cap_scope=area``, so these fixtures do:
they would catch the floor moved to 1 or removed, the per-unit cap scope ignored, and the rank
method changed from ``min`` (ties share the best rank) to pandas' default average.
"""

from __future__ import annotations

import pytest

from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record, score_year


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


def test_the_score_card_carries_who_and_its_json_by_hand() -> None:
    r = rec("x", {"B01.docs": {"count": 1, "reason": "迟交"}, "S1.honours": R(levels=["city"])},
            role="self")
    card = score_record(r)
    assert (card.unit, card.unit_id, card.year, card.role) == ("单位x", "x", 2013, "self")
    data = card.to_json()
    assert list(data) == ["unit", "year", "rubric", "rubric_sha256", "cap_scope", "basic",
                          "bonus", "total", "areas", "items", "special"]
    assert (data["unit"], data["year"], data["rubric"], data["cap_scope"]) == (
        "单位x", 2013, "kvtc-2013-draft", "subarea")
    assert data["rubric_sha256"] == card.rubric_sha256 and len(data["rubric_sha256"]) == 64
    assert (data["basic"], data["bonus"], data["total"]) == (98, 2, 100)  # −2 for B01, +2 city
    assert data["areas"] == {"A1": 18, "A2": 10, "A3": 70, "A3.edu": 20, "A3.sys": 15,
                             "A3.sup": 15, "A3.pun": 20}
    assert data["items"]["B01"] == {"deduction": 2, "score": 3}
    assert data["items"]["B05"] == {"deduction": 0, "score": 10}
    assert len(data["items"]) == 17 and data["special"] == {"S1": 2, "S2": 0}
    assert card.row() == {"unit": "单位x", "unit_id": "x", **data["areas"], "S1": 2, "S2": 0,
                          "basic": 98, "bonus": 2, "total": 100}


def test_a_year_of_one_record_and_the_table_shape() -> None:
    scores = score_year([rec("solo", {"B14.method": R(applies=True)})])
    t = scores.table
    assert list(t.columns) == ["unit", "unit_id", "A1", "A2", "A3", "A3.edu", "A3.sys",
                               "A3.sup", "A3.pun", "S1", "S2", "basic", "bonus", "total",
                               "cap_scope", "rank"]
    assert t.index.name == "key" and list(t.index) == ["solo"]
    assert str(t["rank"].dtype) == "int64" and t["rank"].tolist() == [1]
    assert scores.unit_row("solo")["total"] == 99 and scores.unit_row("solo")["unit"] == "单位solo"
    assert scores.rubric.id == "kvtc-2013-draft"


def test_no_records_and_mixed_rubrics_are_input_problems() -> None:
    from kpa_core.errors import KpaInputError
    from kpa_core.scoring.record import Record

    with pytest.raises(KpaInputError) as info:
        score_year([])
    [p] = info.value.problems
    assert (p.problem_zh, p.problem_en) == ("没有可评分的记录", "no records to score")
    other = Record(rubric="kvtc-2099-other", year=2013, unit="乙", entries={}, unit_id="b")
    with pytest.raises(KpaInputError) as info:
        score_year([rec("a", {}), other])
    [p] = info.value.problems
    assert (p.field, p.value, p.allowed_zh, p.allowed_en) == (
        "rubric", ["kvtc-2099-other"], "kvtc-2013-draft", "kvtc-2013-draft")
    assert p.problem_en == "records use different rubrics"


def test_breakdown_rows_skip_zero_entries_and_keep_reason_and_evidence() -> None:
    r = rec("x", {"B01.docs": {"count": 0},  # worth nothing: no row, and the rest still come
                  "B02.responsibility": {"applies": True, "reason": "未分解", "evidence": "台账"},
                  "B14.method": {"applies": True, "reason": "无方法"},
                  "S2.suggestions": R(count=1)})
    bd = score_year([r]).breakdown
    assert bd[["rule", "amount", "reason", "evidence"]].values.tolist() == [
        ["B02.responsibility", -2.0, "未分解", "台账"],
        ["B14.method", -1.0, "无方法", ""],
        ["S2.suggestions", 2.0, "原因", ""]]
    assert bd[["unit", "unit_id", "area", "item", "kind"]].values.tolist()[0] == [
        "单位x", "x", "A1", "B02", "flag"]


def test_cap_scope_comes_from_override_then_record_then_rubric() -> None:
    from kpa_core.errors import KpaInputError
    from kpa_core.rubric.model import load_rubric
    from kpa_core.scoring.score import resolve_cap_scope

    rubric = load_rubric("kvtc-2013-draft")
    own = rec("x", {}, options={"cap_scope": "area"})
    assert resolve_cap_scope(own, rubric) == "area"
    assert resolve_cap_scope(own, rubric, "subarea") == "subarea"
    assert resolve_cap_scope(rec("y", {}), rubric) == "subarea"  # the rubric's default
    assert resolve_cap_scope(rec("y", {}), rubric, "area") == "area"
    with pytest.raises(KpaInputError) as info:
        resolve_cap_scope(own, rubric, "whole")
    [p] = info.value.problems
    assert (p.unit, p.field, p.value, p.allowed_zh, p.allowed_en) == (
        "单位x", "cap_scope", "whole", "subarea|area", "subarea|area")
    assert (p.problem_zh, p.problem_en) == ("选项取值不合法", "option value not allowed")


def test_duplicates_are_named_by_name_and_by_id_with_both_sources() -> None:
    from kpa_core.errors import KpaInputError
    from kpa_core.scoring.score import check_unique_units

    a = rec("a", {})
    a.source = "2013/a.yaml"
    same_name = parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": "单位a",
                              "unit_id": "a2", "entries": {}}, where="2013/a2.yaml")
    same_id = parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": "别的",
                            "unit_id": "a", "entries": {}}, where="2013/other.yaml")
    check_unique_units([a, rec("b", {})])  # distinct: no problem
    with pytest.raises(KpaInputError) as info:
        check_unique_units([a, same_name, same_id])
    found = [(p.unit, p.field, p.value, p.where) for p in info.value.problems]
    assert found == [("单位a", "unit", "单位a", "2013/a.yaml ~ 2013/a2.yaml"),
                     ("别的", "unit", "a", "2013/a.yaml ~ 2013/other.yaml")]
    p = info.value.problems[0]
    assert (p.problem_zh, p.problem_en) == ("同一年度单位重复", "unit appears twice in one year")
    assert (p.allowed_zh, p.allowed_en) == ("每个单位每年一份记录", "one record per unit and year")
