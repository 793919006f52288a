"""Issue #25: every open question of the 2013 draft as a reading that works end to end.

Numbers are worked by hand from the clauses of shared/seed/assessment-rules-2013-draft.zh.txt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpa_core.analysis.sensitivity import ambiguity_rows, fixed_rows, listing_lines, sensitivity
from kpa_core.errors import KpaInputError
from kpa_core.rubric.readings import load_readings
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record, score_year

RID = "kvtc-2013-draft"
SEED = Path("/work/shared/seed/assessment-rules-2013-draft.zh.txt")


def data(entries: dict, uid: str = "u", **top) -> dict:
    return {"rubric": RID, "year": 2013, "unit": f"单位{uid}", "unit_id": uid, **top,
            "entries": {k: {**v, "reason": "原因"} for k, v in entries.items()}}


def rec(entries: dict, uid: str = "u", readings: dict | None = None, **top):
    return parse_record(data(entries, uid, **top), readings=readings)


def lost(rule: str, value: dict, **readings: str) -> float:
    card = score_record(rec({rule: value}, readings=readings or None), readings=readings)
    return card.rule_amounts[rule]


# --- 1. a reading may change what a record may hold -------------------------------------

def test_b08_orphan_entry_is_valid_only_under_its_reading_and_the_refusal_names_it() -> None:
    entry = {"B08.orphan": {"applies": True}}
    with pytest.raises(KpaInputError) as exc:
        rec(entry)
    text = exc.value.render()
    assert "第8条没有此规则" in text and "B08.orphan=rule" in text
    record = rec(entry, readings={"B08.orphan": "rule"})
    card = score_record(record, readings={"B08.orphan": "rule"})
    assert card.rule_amounts["B08.orphan"] == 2 and card.total == 98  # 100 − 2


def test_b09_two_requirements_adds_a_rule_for_the_missing_plan() -> None:
    with pytest.raises(KpaInputError, match="B09.warning=two"):
        rec({"B09.plan": {"applies": True}})
    two = {"B09.warning": "two"}
    both = rec({"B09.plan": {"applies": True}, "B09.warning": {"applies": True}}, readings=two)
    assert score_record(both, readings=two).item_deductions["B09"] == 4  # 2 + 2
    assert lost("B09.warning", {"applies": True}) == 2  # one requirement (released)


# --- the three that could not do what their label says ----------------------------------

def test_two_meetings_one_per_semester_lose_two_under_per_semester() -> None:
    m, per = "B01.meetings", {"B01.meetings": "per_semester"}
    assert lost(m, {"semesters": [1, 1]}, **per) == 2    # both semesters short: −1 −1
    assert lost(m, {"semesters": [4, 0]}, **per) == 1    # the second semester short
    assert lost(m, {"semesters": [2, 2]}, **per) == 0
    assert lost(m, {"semesters": [1, 1]}) == 2           # released: 2 short of 4, −2
    assert lost(m, {"semesters": [4, 0]}) == 0           # released: 4 a year is enough
    # the yearly count is derived from the semesters, and must agree when both are given
    assert rec({m: {"semesters": [3, 1]}}).entries[m]["actual"] == 4
    with pytest.raises(KpaInputError, match="两学期次数之和"):
        rec({m: {"actual": 3, "semesters": [1, 1]}})


def test_per_semester_without_counts_says_so_per_unit_and_is_not_zero() -> None:
    records = [rec({"B01.meetings": {"actual": 2}}, "a"), rec({}, "b")]
    frame = sensitivity(records, combinations=False).set_index("reading")
    row = frame.loc["B01.meetings=per_semester"]
    assert row["undetermined"] == "a B01.meetings: 无法判定：记录未分学期"
    assert row["units_changed"] == 0  # priced as released (−2), never as 0 meetings short
    card = score_record(records[0], readings={"B01.meetings": "per_semester"})
    assert card.rule_amounts["B01.meetings"] == 2


def test_a_wholly_missing_activity_month_costs_three_under_earn_2_3() -> None:
    earn = {"B03.activity": "earn_2_3"}
    assert lost("B03.activity", {"points": 3}, **earn) == 3  # earns 0 of 3
    assert lost("B03.activity", {"points": 2.5}, **earn) == 1  # a month held earns ≥ 2
    assert lost("B03.activity", {"points": 1}, **earn) == 1
    assert lost("B03.activity", {"points": 0}, **earn) == 0


# --- the eight missing readings, at their boundaries ------------------------------------

def test_s1_region_and_city_give_five_added_up_and_three_highest_only() -> None:
    honours = {"levels": ["region", "city"]}
    assert lost("S1.honours", honours) == 5                                   # 3 + 2
    assert lost("S1.honours", honours, **{"S1.honours": "highest"}) == 3
    card = score_record(rec({"S1.honours": {"levels": ["national", "region"]}}))
    assert card.special["S1"] == 5  # 8 capped at 5 (Note 2)
    assert lost("S1.honours", {"levels": ["city", "city"]}, **{"S1.honours": "highest"}) == 2


def test_b16_per_person_multiplies_each_case_by_its_persons() -> None:
    cases = {"cases": [4, 5], "persons": [3, 1]}
    assert lost("B16.judicial", cases) == 9                                     # 4 + 5
    assert lost("B16.judicial", cases, **{"B16.judicial": "per_person"}) == 17  # 4·3 + 5·1
    with pytest.raises(KpaInputError, match="人数个数"):
        rec({"B16.judicial": {"cases": [4, 5], "persons": [2]}})
    with pytest.raises(KpaInputError, match="≥1"):
        rec({"B16.judicial": {"cases": [4], "persons": [0]}})


def test_b02_system_full_marks_only_loses_two_for_any_shortfall() -> None:
    r = {"B02.system": "all_or_nothing"}
    assert [lost("B02.system", {"points": x}, **r) for x in (0, 0.5, 2)] == [0, 2, 2]
    assert [lost("B02.system", {"points": x}) for x in (0, 0.5, 2)] == [0, 0.5, 2]


def test_b08_three_haves_per_missing_have() -> None:
    r = {"B08.three_haves": "per_missing"}
    assert lost("B08.three_haves", {"points": 3, "missing": ["plan"]}, **r) == 2
    assert lost("B08.three_haves", {"points": 3, "missing": ["plan", "theme", "content"]},
                **r) == 6
    assert lost("B08.three_haves", {"points": 3, "missing": ["plan"]}) == 3  # released
    with pytest.raises(KpaInputError, match="plan、theme、content"):
        rec({"B08.three_haves": {"points": 2, "missing": ["plan", "plan"]}})


def test_b03_as_a_deduction_of_two_to_three() -> None:
    r = {"B03.activity": "deduct_2_3"}
    assert [lost("B03.activity", {"points": x}, **r) for x in (0, 0.5, 2, 3)] == [0, 2, 2, 3]


def test_b01_docs_two_items_at_most_four() -> None:
    r = {"B01.docs": "two"}
    assert [lost("B01.docs", {"count": n}, **r) for n in (1, 2, 3)] == [2, 4, 4]
    assert [lost("B01.docs", {"count": n}) for n in (1, 2, 3)] == [2, 4, 6]


def test_whole_points_round_a_half_up_or_down() -> None:
    up, down = {"half_points": "whole_up"}, {"half_points": "whole_down"}
    assert lost("B10.missing", {"points": 2.5}, **up) == 3
    assert lost("B10.missing", {"points": 2.5}, **down) == 2
    assert lost("B10.missing", {"points": 3}, **down) == 3
    assert lost("B18.summaries", {"cases": [1.5, 2]}, **up) == 4  # 2 + 2


def test_b17_amount_readings() -> None:
    failing = {"sessions": [{"participants": 9, "reflections": 2}] * 3}  # three under 1/3
    assert lost("B17.reflections", failing) == 3
    assert lost("B17.reflections", failing, **{"B17.amount": "once"}) == 1
    assert lost("B17.reflections", failing, **{"B17.amount": "whole_item"}) == 5


def test_cap_scope_both_ways_for_records_that_set_their_own() -> None:
    heavy = {"B16.unreported": {"count": 6}, "B10.missing": {"points": 5}}  # pun −24, sys −5
    own_area = rec(heavy, "a", options={"cap_scope": "area"})
    own_sub = rec(heavy, "s")
    frame = sensitivity([own_area, own_sub], combinations=False).set_index("reading")
    # subarea: punishment floored at 0 (−20), systems −5 → 45; area: 70 − 29 = 41
    assert frame.loc["cap_scope=subarea", "changes"] == "a 71→75"
    assert frame.loc["cap_scope=area", "changes"] == "s 75→71"


# --- what it must show --------------------------------------------------------------------

BUILT = {  # a record built for each reading: the entries it holds
    "cap_scope=area": {"B16.unreported": {"count": 6}, "B10.missing": {"points": 5}},
    "B01.meetings=per_semester": {"B01.meetings": {"semesters": [4, 0]}},
    "B01.meetings=all_or_nothing": {"B01.meetings": {"actual": 3}},
    "B03.activity=earn_2_3": {"B03.activity": {"points": 2}},
    "B03.activity=deduct_2_3": {"B03.activity": {"points": 1}},
    "B08.orphan=rule": {"B08.orphan": {"applies": True}},
    "B12.training=once": {"B12.training": {"count": 2}},
    "B17.threshold=strict": {"B17.reflections": {"sessions": [{"participants": 9,
                                                               "reflections": 3}]}},
    "S1.honours=highest": {"S1.honours": {"levels": ["region", "city"]}},
    "B16.judicial=per_person": {"B16.judicial": {"cases": [4], "persons": [2]}},
    "B02.system=all_or_nothing": {"B02.system": {"points": 1}},
    "B08.three_haves=per_missing": {"B08.three_haves": {"points": 5, "missing": ["plan"]}},
    "B09.warning=two": {"B09.plan": {"applies": True}},
    "B01.docs=two": {"B01.docs": {"count": 3}},
    "half_points=whole_up": {"B10.missing": {"points": 1.5}},
    "half_points=whole_down": {"B10.missing": {"points": 1.5}},
    "B17.amount=once": {"B17.reflections": {"sessions": [{"participants": 9,
                                                          "reflections": 0}] * 2}},
    "B17.amount=whole_item": {"B17.reflections": {"sessions": [{"participants": 9,
                                                                "reflections": 0}]}},
}


def test_at_least_fifteen_readings_each_change_a_score_on_a_record_built_for_it() -> None:
    records = []
    for i, (reading, entries) in enumerate(BUILT.items()):
        name, value = reading.split("=")
        records.append(rec(entries, f"u{i:02d}", readings={name: value}))
    # cap_scope=subarea: a record that asks for the whole-A3 cap itself
    records.append(rec(BUILT["cap_scope=area"], "own-area", options={"cap_scope": "area"}))
    frame = sensitivity(records, combinations=False).set_index("reading")
    assert len(frame) >= 15 and len(frame) == 19
    for i, reading in enumerate(BUILT):
        assert f"u{i:02d} " in frame.loc[reading, "changes"], reading
    assert frame.loc["cap_scope=subarea", "changes"] == "own-area 71→75"
    # hand-worked: S1 [region, city] 105 → 103; B16 one case of 2 persons 96 → 92
    assert "u08 105→103" in frame.loc["S1.honours=highest", "changes"]
    assert "u09 96→92" in frame.loc["B16.judicial=per_person", "changes"]
    # under the released readings the reading-only entries count for nothing
    assert frame.attrs["baseline"].at["u05", "total"] == 100


def test_released_readings_leave_a_year_unchanged() -> None:
    from kpa_core.year.data import load_year

    year = load_year(Path(__file__).resolve().parents[1] / "data", 2013)
    defaults = {n: o.default for n, o in load_readings(RID).items()}
    a = score_year(year.records).table["total"]
    b = score_year(year.records, readings=defaults).table["total"]
    assert a.equals(b)


EARLIER = {"cap_scope", "B01.meetings", "B03.activity", "B08.orphan", "B12.training",
           "B17.threshold"}


def test_every_ambiguity_and_every_fixed_clause_is_listed_with_its_clause() -> None:
    seed = SEED.read_text(encoding="utf-8") if SEED.is_file() else None
    rows = ambiguity_rows(RID)
    options = load_readings(RID)
    assert {r["option"] for r in rows} == set(options)
    for name, o in options.items():
        assert sum(1 for r in rows if r["option"] == name and r["default"]) == 1
        # the questions of #25 quote their source clause (H20 quotes the earlier six) …
        assert o.clause or name in EARLIER, name
        if seed and o.clause:
            assert o.clause in seed, name  # … character for character
    fixed = fixed_rows(RID)
    assert {f["where"] for f in fixed} >= {"S1", "S2.articles", "B17.reflections"}
    if seed:
        assert all(f["clause"] in seed for f in fixed)
    text = "\n".join(listing_lines(RID))
    assert "B16.judicial=per_person" in text and "只有一种读法的条款" in text
