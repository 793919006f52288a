"""Pinning the rule kinds at their edges: range bounds (B16.judicial 4–5 per case, 5.5 refused),
integral floats from Excel (2.0) accepted, bools never taken for numbers, caps and steps."""

from __future__ import annotations

import pytest

from kpa_core.rubric.model import load_rubric
from kpa_core.rubric.rules import as_int, as_number, entry_amount, kind_of, on_step

RUBRIC = load_rubric("kvtc-2013-draft")


def problems(rule_id: str, **entry) -> list:
    rule = RUBRIC.rules[rule_id]
    return kind_of(rule).validate(rule, {**entry, "reason": "原因"})


def amount(rule_id: str, **entry) -> float:
    return entry_amount(RUBRIC.rules[rule_id], entry)


def test_as_int_takes_integral_floats_and_refuses_bools() -> None:
    assert as_int(2.0) == 2 and type(as_int(2.0)) is int
    assert as_int(0.0) == 0 and type(as_int(0.0)) is int
    assert as_int(3) == 3
    for bad in (True, False, 2.5, "2", None, [2]):
        assert as_int(bad) is None, bad


def test_as_number_refuses_bools_text_and_non_finite() -> None:
    assert as_number(4) == 4.0 and type(as_number(4)) is float
    assert as_number(4.5) == 4.5
    for bad in (True, False, "4", None, float("nan"), float("inf")):
        assert as_number(bad) is None, bad


def test_on_step_is_half_points() -> None:
    assert on_step(4.5) and on_step(0) and on_step(5)
    assert not on_step(4.25) and not on_step(4.4)


@pytest.mark.parametrize(("cases", "bad_index"), [
    ([5.5], 0),        # above hi = 5
    ([4, 5.5], 1),     # the second case only
    ([3.5], 0),        # below lo = 4
    ([0], 0),          # a case of 0 is not a case
    ([True], 0),       # a bool is not an amount
    (["5"], 0),        # nor is text
])
def test_judicial_cases_outside_4_to_5_are_refused(cases, bad_index) -> None:
    [p] = problems("B16.judicial", cases=cases)
    assert (p.rule_id, p.field, p.value) == ("B16.judicial", f"cases[{bad_index}]",
                                             cases[bad_index])
    assert p.problem_en == "out of range or not a number"
    assert p.allowed_en == "a list with one amount per case, each 4–5 in steps of 0.5"


def test_judicial_cases_at_both_ends_and_on_half_points_are_accepted() -> None:
    assert problems("B16.judicial", cases=[4, 4.5, 5]) == []
    assert amount("B16.judicial", cases=[4, 4.5, 5]) == 13.5
    [p] = problems("B16.judicial", cases=[4.25])
    assert (p.field, p.problem_en) == ("cases[0]", "must be a multiple of 0.5")


def test_bonus_range_per_case_has_the_same_bounds() -> None:
    assert problems("S2.articles", cases=[2, 5]) == []
    [p] = problems("S2.articles", cases=[5.5])
    assert p.field == "cases[0]" and p.allowed_en.endswith("each 2–5 in steps of 0.5")


def test_range_accepts_zero_below_lo_but_nothing_else_outside() -> None:
    # B02.procedure is 1–5: 0 means "does not apply", 0.5 and 5.5 are out of range
    assert problems("B02.procedure", points=0) == []
    assert problems("B02.procedure", points=1) == [] and problems("B02.procedure", points=5) == []
    for bad in (0.5, 5.5, -1):
        [p] = problems("B02.procedure", points=bad)
        assert (p.field, p.value, p.problem_en) == ("points", bad, "out of range"), bad
    [p] = problems("B02.procedure", points=2.25)
    assert p.problem_en == "must be a multiple of 0.5"
    [p] = problems("B02.procedure", points=True)
    assert p.problem_en == "must be a number"


def test_per_count_takes_2_0_and_refuses_true_and_its_max() -> None:
    assert problems("B01.docs", count=2.0) == [] and amount("B01.docs", count=2.0) == 4
    assert problems("B01.docs", count=3) == [] and amount("B01.docs", count=3) == 6
    [p] = problems("B01.docs", count=True)
    assert (p.field, p.value, p.problem_en) == ("count", True, "must be a whole number")
    [p] = problems("B01.docs", count=4)  # max_count 3
    assert (p.value, p.problem_en) == (4, "out of range")
    assert p.allowed_en == "a whole number 0–3 (−2 each)"
    [p] = problems("B01.docs", count=-1)
    assert p.problem_en == "out of range"
    [p] = problems("B01.docs", count=1.5)
    assert p.problem_en == "must be a whole number"


def test_per_count_without_max_count_stops_at_the_plausible_limit() -> None:
    assert problems("B05.integrity", count=100) == []
    [p] = problems("B05.integrity", count=101)
    assert p.allowed_en == "a whole number 0–100 (−3 each)"


def test_shortfall_takes_2_0_refuses_true_and_caps() -> None:
    assert problems("B07.studies", actual=4.0) == [] and amount("B07.studies", actual=4.0) == 4
    [p] = problems("B07.studies", actual=True)
    assert (p.field, p.problem_en) == ("actual", "must be a whole number ≥ 0")
    [p] = problems("B07.studies", actual=-1)
    assert p.problem_en == "must be a whole number ≥ 0"
    assert amount("B01.meetings", actual=1) == 2  # 3 short × 1, capped at 2
    assert amount("B01.meetings", actual=2) == 2  # 2 short × 1, exactly the cap
    assert amount("B07.studies", actual=0) == 12  # no cap: 6 × 2


def test_ratio_takes_integral_floats_and_refuses_bools() -> None:
    sessions = [{"participants": 12.0, "reflections": 4.0}, {"participants": 9, "reflections": 2}]
    assert problems("B17.reflections", sessions=sessions) == []
    assert amount("B17.reflections", sessions=sessions) == 1  # 2 < 9/3 fails; 4 of 12 passes
    [p] = problems("B17.reflections", sessions=[{"participants": True, "reflections": 0}])
    assert p.field == "sessions[0].participants"
    [p] = problems("B17.reflections", sessions=[{"participants": 3, "reflections": 4}])
    assert p.field == "sessions[0].reflections"
    [p] = problems("B17.reflections", sessions=[{"participants": 0, "reflections": 0}])
    assert p.field == "sessions[0].participants"


def test_flag_refuses_one_and_zero() -> None:
    for bad in (1, 0, "true"):
        [p] = problems("B04.losses", applies=bad)
        assert p.problem_en == "must be true or false", bad


def test_a_list_of_more_than_100_cases_is_refused() -> None:
    assert problems("B18.summaries", cases=[1] * 100) == []
    [p] = problems("B18.summaries", cases=[1] * 101)
    assert p.value == "101 项 / items"


def test_a_deduction_without_a_reason_is_refused_but_zero_needs_none() -> None:
    rule = RUBRIC.rules["B16.judicial"]
    [p] = kind_of(rule).validate(rule, {"cases": [4], "reason": "  "})
    assert (p.field, p.problem_en) == ("reason", "a deduction needs a stated reason")
    assert kind_of(rule).validate(rule, {"cases": []}) == []
    bonus = RUBRIC.rules["S1.honours"]
    [p] = kind_of(bonus).validate(bonus, {"levels": ["city"]})
    assert p.problem_en == "a bonus needs a stated reason"


# --- what each kind says may be entered (form hints, Excel hints, error messages) -------------

@pytest.mark.parametrize(("rule_id", "zh", "en"), [
    # RUBRIC.md §2: flag −2
    ("B02.responsibility", "true/false（适用时扣2分）", "true/false (−2 when it applies)"),
    # per_count 2 each, max_count 3; bonus_per_count 2 each, no max_count → MAX_PLAUSIBLE 100
    ("B01.docs", "0–3 的整数（每次扣2分）", "a whole number 0–3 (−2 each)"),
    ("S2.suggestions", "0–100 的整数（每次加2分）", "a whole number 0–100 (+2 each)"),
    # shortfall: required 4, 1 each, at most 2 / required 6, 2 each, no cap; MAX_ACTUAL 1000
    ("B01.meetings", "实际次数，0–1000 的整数（应达4，每少1扣1分，最多扣2分）",
     "the actual number, a whole number 0–1000 (required 4, −1 each short, at most −2)"),
    ("B07.studies", "实际次数，0–1000 的整数（应达6，每少1扣2分）",
     "the actual number, a whole number 0–1000 (required 6, −2 each short)"),
    # range 1–5 (0 means "does not apply", below lo) / range 0–2 (0 is already in range)
    ("B02.procedure", "0（不适用）或 1–5，步长0.5", "0 (does not apply) or 1–5 in steps of 0.5"),
    ("B02.system", "0–2，步长0.5", "0–2 in steps of 0.5"),
    ("B16.judicial", "每件一个分值的列表，每个 4–5，步长0.5",
     "a list with one amount per case, each 4–5 in steps of 0.5"),
    # ratio 1/3, −1 per failing session; MAX_PARTICIPANTS 10000
    ("B17.reflections",
     "每次学习 {participants: 1–10000 的整数, reflections: 0–participants}；"
     "写心得者少于1/3的每次扣1分",
     "per session {participants: whole number 1–10000, reflections: 0–participants}; "
     "each session under 1/3 −1"),
    # tier: national 5, region 3, city 2
    ("S1.honours", "national（国家级 +5）、region（自治区级 +3）、city（克拉玛依市级 +2） 的列表",
     "a list of national (national +5), region (autonomous region +3), city (Karamay city +2)"),
])
def test_allowed_says_what_may_be_entered(rule_id, zh, en) -> None:
    rule = RUBRIC.rules[rule_id]
    assert kind_of(rule).allowed(rule) == (zh, en)


# --- readings that change a rule's numbers (kpa_core/rubrics/readings) --------------------------

def variant(rule_id: str, **params):
    from dataclasses import replace

    rule = RUBRIC.rules[rule_id]
    return replace(rule, params={**rule.params, **params})


def test_shortfall_per_semester_counts_each_semester_below_two() -> None:
    rule = variant("B01.meetings", semester_required=2)  # 1 each semester short, at most 2
    pairs = ([1, 1], [4, 0], [2, 2], [0, 2], [0, 0])
    assert [entry_amount(rule, {"actual": sum(s), "semesters": s}) for s in pairs] == \
        [2, 1, 0, 1, 2]
    # no per-semester counts: the yearly arithmetic stays, and the kind says why
    assert entry_amount(rule, {"actual": 2}) == 2
    assert "未分学期" in kind_of(rule).undetermined(rule, {"actual": 2})
    default = RUBRIC.rules["B01.meetings"]
    assert [entry_amount(default, {"actual": n}) for n in (4, 3, 2)] == [0, 1, 2]


def test_per_count_with_a_cap_deducts_once() -> None:
    rule = variant("B12.training", max_deduction=2)  # −2 once however many semesters
    assert [entry_amount(rule, {"count": n}) for n in (0, 1, 2)] == [0, 2, 2]
    default = RUBRIC.rules["B12.training"]
    assert [entry_amount(default, {"count": n}) for n in (0, 1, 2)] == [0, 2, 4]


def test_range_with_a_cap_loses_at_most_the_cap() -> None:
    rule = variant("B03.activity", max_deduction=1)  # points earned 2–3 of 3: at most −1
    assert [entry_amount(rule, {"points": x}) for x in (0, 0.5, 1, 3)] == [0, 0.5, 1, 1]
    assert entry_amount(RUBRIC.rules["B03.activity"], {"points": 3}) == 3


def test_ratio_exactly_one_third_passes_by_default_and_fails_when_strict() -> None:
    sessions = [{"participants": 9, "reflections": 3},   # exactly 1/3
                {"participants": 9, "reflections": 2},   # under
                {"participants": 9, "reflections": 4}]   # over
    assert entry_amount(RUBRIC.rules["B17.reflections"], {"sessions": sessions}) == 1
    assert entry_amount(variant("B17.reflections", exact="fail"), {"sessions": sessions}) == 2
    assert entry_amount(variant("B17.reflections", exact="pass"), {"sessions": sessions}) == 1


def test_ratio_participants_up_to_10000_and_reflections_up_to_participants() -> None:
    ok = [{"participants": 10000, "reflections": 10000}, {"participants": 1, "reflections": 0}]
    assert problems("B17.reflections", sessions=ok) == []
    [p] = problems("B17.reflections", sessions=[{"participants": 10001, "reflections": 0}])
    assert (p.field, p.value) == ("sessions[0].participants", 10001)
    assert p.problem_en == "implausibly many participants (at most 10000)"
    [p] = problems("B17.reflections", sessions=[{"participants": 5, "reflections": -1}])
    assert (p.field, p.value) == ("sessions[0].reflections", -1)
    assert p.problem_en == "reflections must be a whole number from 0 to participants"
    [p] = problems("B17.reflections", sessions=[{"participants": 5}])
    assert (p.field, p.problem_en) == ("sessions[0]", "needs exactly participants and reflections")


# --- the values that change nothing, and an entry's shape ---------------------------------------

def test_empty_values_change_nothing() -> None:
    # RUBRIC.md §2: flag false, counts 0, shortfall at its requirement, range 0, lists empty
    expected = {"B02.responsibility": False, "B01.docs": 0, "S2.suggestions": 0,
                "B01.meetings": 4, "B07.studies": 6, "B18.news": 4, "B02.procedure": 0,
                "B16.judicial": [], "S2.articles": [], "B17.reflections": [], "S1.honours": []}
    for rule_id, value in expected.items():
        rule = RUBRIC.rules[rule_id]
        assert kind_of(rule).empty_value(rule) == value, rule_id
        assert type(kind_of(rule).empty_value(rule)) is type(value), rule_id
        assert entry_amount(rule, {kind_of(rule).value_field: value}) == 0, rule_id


def test_an_entry_that_is_not_a_mapping_is_named() -> None:
    rule = RUBRIC.rules["B01.docs"]
    [p] = kind_of(rule).validate(rule, 2)
    assert (p.rule_id, p.field, p.value, p.problem_en) == ("B01.docs", "", 2,
                                                           "an entry must be a mapping")
    assert (p.allowed_zh, p.allowed_en) == ("{count: …, reason: …}", "{count: …, reason: …}")


def test_unknown_fields_a_missing_value_and_non_text_reasons_are_all_named() -> None:
    rule = RUBRIC.rules["B01.docs"]
    unknown, missing = kind_of(rule).validate(rule, {"note": "x", "reason": "r"})
    assert (unknown.field, unknown.value, unknown.problem_en) == ("note", "x", "unknown field")
    assert (unknown.allowed_zh, unknown.allowed_en) == ("count、reason、evidence",
                                                        "count, reason, evidence")
    assert (missing.field, missing.value, missing.problem_en) == ("count", None, "value missing")
    assert missing.problem_zh == "缺少取值"
    assert missing.allowed_en == "a whole number 0–3 (−2 each)"
    found = kind_of(rule).validate(rule, {"count": 0, "reason": 5, "evidence": ["纪要"]})
    assert [(p.field, p.value, p.problem_en) for p in found] == [
        ("reason", 5, "must be text"), ("evidence", ["纪要"], "must be text")]
    assert {(p.problem_zh, p.allowed_zh, p.allowed_en) for p in found} == {
        ("须为文字", "文字", "text")}
    assert kind_of(rule).validate(rule, {"count": 0, "reason": None, "evidence": None}) == []


def test_tier_points_add_up_and_unknown_levels_are_named() -> None:
    assert amount("S1.honours", levels=["national", "city", "city"]) == 9  # 5 + 2 + 2
    [p] = problems("S1.honours", levels=["city", 3])
    assert (p.field, p.value, p.problem_en) == ("levels[1]", 3, "unknown honour level")


def test_flag_amounts() -> None:
    assert amount("B04.losses", applies=True) == 5 and amount("B04.losses", applies=False) == 0


def test_every_bad_session_is_named_not_just_the_first() -> None:
    bad_shape = {"participants": 5}
    found = problems("B17.reflections", sessions=[bad_shape, {"participants": 0,
                                                              "reflections": 0}])
    assert [(p.field, p.value) for p in found] == [("sessions[0]", bad_shape),
                                                   ("sessions[1].participants", 0)]
    [p] = problems("B17.reflections", sessions=[{"participants": 10001, "reflections": 0}])
    assert p.problem_zh == "参加人数不可能这么多（最多 10000）"


@pytest.mark.parametrize(("rule_id", "field", "allowed_en"), [
    ("B17.reflections", "sessions", "per session {participants: whole number 1–10000, "
                                    "reflections: 0–participants}; each session under 1/3 −1"),
    ("B16.judicial", "cases", "a list with one amount per case, each 4–5 in steps of 0.5"),
    ("S1.honours", "levels", "a list of national (national +5), region (autonomous region +3), "
                             "city (Karamay city +2)"),
])
def test_a_list_kind_given_something_else_says_it_must_be_a_list(rule_id, field,
                                                                  allowed_en) -> None:
    [p] = problems(rule_id, **{field: "national"})
    assert (p.rule_id, p.field, p.value, p.problem_en) == (rule_id, field, "national",
                                                           "must be a list")
    assert p.problem_zh == "须为列表"
    assert p.allowed_en == allowed_en


def test_shortfall_takes_up_to_1000_held_and_names_what_it_refuses() -> None:
    assert problems("B07.studies", actual=1000) == []  # MAX_ACTUAL; 6 required, nothing short
    [p] = problems("B07.studies", actual=1001)
    assert (p.rule_id, p.field, p.value) == ("B07.studies", "actual", 1001)
    assert (p.problem_zh, p.problem_en) == ("不可能这么多（最多 1000）",
                                            "implausibly large (at most 1000)")
    assert p.allowed_en == "the actual number, a whole number 0–1000 (required 6, −2 each short)"
    [p] = problems("B07.studies", actual=-1)
    assert (p.value, p.problem_zh) == (-1, "须为≥0的整数")


@pytest.mark.parametrize(("rule_id", "entry", "zh", "en"), [
    ("B02.procedure", {"points": "三"}, "须为数字", "must be a number"),
    ("B02.procedure", {"points": 6}, "超出允许范围", "out of range"),
    ("B02.procedure", {"points": 1.25}, "须为0.5的整数倍", "must be a multiple of 0.5"),
    ("B04.losses", {"applies": "是"}, "须为是/否", "must be true or false"),
    ("S1.honours", {"levels": ["province"]}, "未知的荣誉级别", "unknown honour level"),
    ("B01.docs", {"count": "一"}, "须为整数", "must be a whole number"),
    ("B01.docs", {"count": 4}, "超出允许范围", "out of range"),
])
def test_each_refusal_is_worded_in_chinese_and_english_with_the_value(rule_id, entry, zh,
                                                                      en) -> None:
    [p] = problems(rule_id, **entry)
    [value] = entry.values()
    assert (p.problem_zh, p.problem_en) == (zh, en)
    assert p.value == (value[0] if isinstance(value, list) else value)


def test_ratio_uses_the_numerator_too() -> None:
    # a rubric asking for 2/3: 5 of 9 is under (5 × 3 = 15 < 9 × 2 = 18), 6 of 9 exactly 2/3
    rule = variant("B17.reflections", numerator=2)
    sessions = [{"participants": 9, "reflections": 5}, {"participants": 9, "reflections": 6}]
    assert entry_amount(rule, {"sessions": sessions}) == 1  # exactly 2/3 passes
    rule = variant("B17.reflections", numerator=2, exact="fail")
    assert entry_amount(rule, {"sessions": sessions}) == 2  # strict: exactly 2/3 fails too


def test_a_missing_reason_and_an_off_step_case_are_worded_in_both_languages() -> None:
    deduction = RUBRIC.rules["B01.docs"]
    [p] = kind_of(deduction).validate(deduction, {"count": 1})
    assert (p.problem_zh, p.problem_en) == ("扣分须注明原因", "a deduction needs a stated reason")
    assert (p.allowed_zh, p.allowed_en) == ("非空文字", "non-empty text")
    bonus = RUBRIC.rules["S2.suggestions"]
    [p] = kind_of(bonus).validate(bonus, {"count": 1, "reason": ""})
    assert (p.problem_zh, p.problem_en) == ("加分须注明原因", "a bonus needs a stated reason")
    [p] = problems("B16.judicial", cases=[4.25])
    assert (p.problem_zh, p.problem_en) == ("须为0.5的整数倍", "must be a multiple of 0.5")
