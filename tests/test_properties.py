"""Property tests: bounds of every score and monotonicity, over random valid records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record

RUBRIC = load_rubric("kvtc-2013-draft")
HALF = st.integers(min_value=0, max_value=20).map(lambda n: n / 2)


def value_strategy(rule) -> st.SearchStrategy:
    p = rule.params
    half = lambda lo, hi: st.integers(int(lo * 2), int(hi * 2)).map(lambda n: n / 2)  # noqa: E731
    match rule.kind:
        case "flag":
            return st.booleans()
        case "per_count" | "bonus_per_count":
            return st.integers(0, p.get("max_count", 6))
        case "shortfall":
            return st.integers(0, p["required"] + 2)
        case "range":
            return st.one_of(st.just(0), half(p["lo"], p["hi"]))
        case "range_per_case" | "bonus_range_per_case":
            return st.lists(half(p["lo"], p["hi"]), max_size=4)
        case "ratio":
            session = st.integers(1, 40).flatmap(
                lambda n: st.fixed_dictionaries(
                    {"participants": st.just(n), "reflections": st.integers(0, n)}
                )
            )
            return st.lists(session, max_size=4)
        case "tier":
            return st.lists(st.sampled_from(["national", "region", "city"]), max_size=4)
    raise AssertionError(rule.kind)


@st.composite
def entries(draw) -> dict:
    chosen = draw(st.lists(st.sampled_from(sorted(RUBRIC.rules)), unique=True, max_size=20))
    out = {}
    for rid in chosen:
        rule = RUBRIC.rules[rid]
        from kpa_core.rubric.rules import kind_of

        out[rid] = {kind_of(rule).value_field: draw(value_strategy(rule)), "reason": "理由"}
    return out


def make(e: dict):
    return parse_record({"rubric": RUBRIC.id, "year": 2013, "unit": "单位", "entries": e})


@settings(max_examples=300, deadline=None)
@given(entries(), st.sampled_from(["subarea", "area"]))
def test_scores_stay_in_bounds(e: dict, scope: str) -> None:
    card = score_record(make(e), cap_scope=scope)
    for area in RUBRIC.capping_areas(scope):
        assert 0 <= card.area_scores[area.id] <= area.points
    assert 0 <= card.area_scores["A3"] <= 70
    for sid in ("S1", "S2"):
        assert 0 <= card.special[sid] <= 5
    assert 0 <= card.basic <= 100
    assert 0 <= card.total <= 110


@settings(max_examples=300, deadline=None)
@given(
    entries(),
    st.sampled_from(sorted(r.id for r in RUBRIC.rules.values() if not r.is_bonus)),
    st.data(),
    st.sampled_from(["subarea", "area"]),
)
def test_adding_a_deduction_never_raises_a_score(e: dict, rule_id: str, data, scope: str) -> None:
    before = score_record(make(e), cap_scope=scope)
    rule = RUBRIC.rules[rule_id]
    from kpa_core.rubric.rules import kind_of

    kind = kind_of(rule)
    extra = {kind.value_field: data.draw(value_strategy(rule)), "reason": "新增"}
    new_amount = kind.amount(rule, extra[kind.value_field])
    if rule_id in e and new_amount < kind.amount(rule, e[rule_id][kind.value_field]):
        return  # only ever replace an entry with a larger deduction
    after = score_record(make({**e, rule_id: extra}), cap_scope=scope)
    for area_id, score in after.area_scores.items():
        assert score <= before.area_scores[area_id]
    assert after.total <= before.total
    assert after.basic <= before.basic
