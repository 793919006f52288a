"""Pinning the rule kinds at their edges: range bounds (B16.judicial 4–5 per case, 5.5 refused),
integral floats from Excel (2.0) accepted, bools never taken for numbers, caps and steps."""

from __future__ import annotations

import pytest

from kpa_core.rubric import load_rubric
from kpa_core.rules import as_int, as_number, entry_amount, kind_of, on_step

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
