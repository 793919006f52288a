"""Every rule kind: what it is worth, worked out by hand from the document's numbers."""

from __future__ import annotations

import pytest

from kpa_core.rubric.model import load_rubric
from kpa_core.rubric.rules import KINDS, entry_amount, kind_of

RUBRIC = load_rubric("kvtc-2013-draft")

# Every rule kind of RUBRIC.md §2; the engine knows exactly these and the data uses them all.
ALL_KINDS = {"flag", "per_count", "shortfall", "range", "range_per_case", "ratio", "tier",
             "bonus_per_count", "bonus_range_per_case"}


def amount(rule_id: str, **entry) -> float:
    return entry_amount(RUBRIC.rules[rule_id], entry)


@pytest.mark.parametrize(
    ("rule_id", "entry", "expected"),
    [
        # flag: fixed deduction when it applies
        ("B02.responsibility", {"applies": True}, 2),
        ("B02.responsibility", {"applies": False}, 0),
        ("B04.losses", {"applies": True}, 5),
        ("B14.method", {"applies": True}, 1),
        # per_count: d per case
        ("B01.docs", {"count": 3}, 6),  # plan + two summaries missing: 3 × 2
        ("B05.relatives", {"count": 2}, 10),  # 2 cases × 5
        ("B16.unreported", {"count": 1}, 4),
        ("B12.training", {"count": 2}, 4),  # both semesters without training
        # shortfall: d per unit below the required number, optionally capped
        ("B07.studies", {"actual": 4}, 4),  # 6 required, 2 short × 2
        ("B07.studies", {"actual": 6}, 0),
        ("B07.studies", {"actual": 9}, 0),  # more than required earns nothing extra
        ("B01.meetings", {"actual": 3}, 1),  # 4 required, 1 short × 1
        ("B01.meetings", {"actual": 0}, 2),  # 4 short × 1 = 4, capped at 2
        ("B18.news", {"actual": 1}, 3),  # 4 basic articles, 3 short × 1
        # range: the assessor's pick in half points
        ("B02.procedure", {"points": 3.5}, 3.5),
        ("B08.three_haves", {"points": 6}, 6),
        ("B10.missing", {"points": 0}, 0),  # 0 = does not apply
        # range_per_case: one amount per case
        ("B16.judicial", {"cases": [5, 4]}, 9),
        ("B18.summaries", {"cases": [1, 2.5, 3]}, 6.5),
        # ratio: sessions under 1/3 of participants with reflections cost 1 each
        (
            "B17.reflections",
            {"sessions": [{"participants": 12, "reflections": 4}]},
            0,
        ),  # 1/3 passes
        ("B17.reflections", {"sessions": [{"participants": 12, "reflections": 3}]}, 1),
        (
            "B17.reflections",
            {
                "sessions": [
                    {"participants": 10, "reflections": 3},  # 3 < 10/3
                    {"participants": 9, "reflections": 3},  # exactly 1/3
                    {"participants": 7, "reflections": 0},
                ]
            },
            2,
        ),
        # tier: honours by level
        ("S1.honours", {"levels": ["national"]}, 5),
        ("S1.honours", {"levels": ["region", "city"]}, 5),
        ("S1.honours", {"levels": ["national", "region", "city"]}, 10),  # capped later by Note 2
        # bonus kinds
        ("S2.suggestions", {"count": 3}, 6),
        ("S2.articles", {"cases": [2, 3.5]}, 5.5),
    ],
)
def test_rule_amounts(rule_id: str, entry: dict, expected: float) -> None:
    assert amount(rule_id, **entry) == expected


def test_every_kind_of_the_rubric_is_covered() -> None:
    kinds = {r.kind for r in RUBRIC.rules.values()}
    assert kinds == set(KINDS) == ALL_KINDS


def test_empty_values_change_nothing() -> None:
    for rule in RUBRIC.rules.values():
        kind = kind_of(rule)
        assert kind.amount(rule, kind.empty_value(rule)) == 0, rule.id
        assert kind.validate(rule, {kind.value_field: kind.empty_value(rule)}) == [], rule.id


def test_bonus_rules_are_the_special_items() -> None:
    bonus = {r.id for r in RUBRIC.rules.values() if r.is_bonus}
    assert bonus == {"S1.honours", "S2.suggestions", "S2.articles"}
