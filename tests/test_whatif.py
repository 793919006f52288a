"""What-if: deltas, ranks and the single changes that move a unit, against the 2013 sample year.

Hand-worked facts used below (``kpa score --year 2013``): 艺术系 arts totals 95.5 and ranks 2nd
of 30; the only unit above is 工会 union (99); below come 马克思主义 marxism 94.5, discipline
93.5, international 93, economics 92. Ties share the better rank (pandas ``method="min"``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpa_core.entry import whatif
from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import Record
from kpa_core.year.data import load_year

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = load_rubric()


@pytest.fixture(scope="module")
def year():
    return load_year(ROOT / "data", 2013).records


@pytest.fixture(scope="module")
def arts(year) -> Record:
    return next(r for r in year if r.unit_id == "arts")


@pytest.fixture(scope="module")
def others(year) -> list[float]:
    return whatif.others_totals(year, "arts")


def test_rank_among_shares_ties():
    assert whatif.rank_among(95.5, [99, 95.5, 94.5]) == 2
    assert whatif.rank_among(99, [99, 95.5]) == 1
    assert whatif.rank_among(50, []) == 1


def test_others_leave_the_unit_out(others):
    assert len(others) == 29 and 95.5 not in others
    assert sorted(others, reverse=True)[:3] == [99, 94.5, 93.5]


def test_adjust_sets_and_drops_entries(arts):
    changed = whatif.adjust(arts, {"B14.method": {"applies": True, "reason": "x"},
                                   "B02.responsibility": None})
    assert set(changed.entries) == {"B14.method", "B08.three_haves"}
    assert set(arts.entries) == {"B02.responsibility", "B08.three_haves"}  # baseline untouched


def test_compare_gives_deltas_per_area_and_the_rank(arts, others):
    scenario = whatif.adjust(arts, {
        "B02.system": {"points": 1.0, "reason": "x"},
        "B03.accountability": {"applies": True, "reason": "x"},
        "S2.suggestions": {"count": 1, "reason": "x"},
    })
    cmp = whatif.compare(arts, scenario, others)
    t = cmp.table
    # A1 18 → 15; bonus 0 → 2; total 95.5 → 94.5, tied with marxism → still 2nd
    assert (t.loc["A1", "baseline"], t.loc["A1", "scenario"], t.loc["A1", "delta"]) == (18, 15, -3)
    assert t.loc["S2", "delta"] == 2 and t.loc["bonus", "delta"] == 2
    assert (t.loc["total", "baseline"], t.loc["total", "scenario"]) == (95.5, 94.5)
    assert cmp.delta_total == -1
    assert (cmp.rank_baseline, cmp.rank_scenario, cmp.n_units) == (2, 2, 30)
    assert list(t.index) == ["A1", "A2", "A3", "A3.edu", "A3.sys", "A3.sup", "A3.pun", "S1", "S2",
                             "basic", "bonus", "total"]
    assert t.loc["A3.edu", "label"] == "教育指标 / Education"


def test_single_changes_up_are_the_bonuses_that_reach_99(arts, others):
    frame = whatif.single_changes(arts, others)
    up = frame[frame.direction == "up"]
    # 1st place needs ≥ 99, i.e. +3.5. Removing a deduction gives at most +2.5 (B08), so only
    # bonuses: one article at 3.5, two adopted suggestions (+4), a national honour (+5).
    assert [(r.rule, r.to, r.delta, r.total, r["rank"]) for _, r in up.iterrows()] == [
        ("S2.articles", "[3.5]", 3.5, 99, 1),
        ("S2.suggestions", "2", 4, 99.5, 1),
        ("S1.honours", "国家级", 5, 100.5, 1),
    ]


def test_single_changes_down_smallest_first_ties_do_not_count(arts, others):
    frame = whatif.single_changes(arts, others)
    down = frame[frame.direction == "down"]
    # 3rd place means falling below marxism's 94.5: −1.5 at least (−1 only ties, still 2nd).
    smallest = down[down.delta == -1.5]
    assert set(smallest.rule) == {"B02.system", "B02.procedure", "B03.activity",
                                  "B08.three_haves", "B09.activities", "B10.missing",
                                  "B18.summaries"}
    assert set(smallest["rank"]) == {3}
    assert down.delta.iloc[0] == -1.5 and list(down.delta) == sorted(down.delta, reverse=True)
    assert "B14.method" not in set(down.rule)  # a flag worth 1 cannot move the rank
    b01 = down[down.rule == "B01.meetings"].iloc[0]
    assert (b01["from"], b01.to, b01.delta) == ("4", "2", -2)
    losses = down[down.rule == "B04.losses"].iloc[0]  # 90.5: five units above → 6th
    assert (losses.to, losses.total, losses["rank"]) == ("是 yes", 90.5, 6)


def test_candidate_values_per_kind():
    r = RUBRIC.rules
    assert whatif.candidate_values(r["B02.responsibility"], False) == [True]
    assert whatif.candidate_values(r["B01.docs"], 1) == [0, 2, 3]
    assert whatif.candidate_values(r["B01.meetings"], 4) == [3, 2, 1, 0]
    assert whatif.candidate_values(r["B02.system"], 1.0) == [0.5, 1.5, 0, 2]
    assert whatif.candidate_values(r["B04.measures"], 0) == [3, 3.5, 4, 4.5, 5]
    assert whatif.candidate_values(r["B16.judicial"], [4.0]) == [
        [], [4, 4], [4, 4.5], [4, 5], [4.5], [5]]
    assert whatif.candidate_values(r["B17.reflections"], [{"participants": 18,
                                                          "reflections": 5}]) == [
        [{"participants": 18, "reflections": 6}], [],
        [{"participants": 18, "reflections": 5}, {"participants": 3, "reflections": 0}]]
    assert whatif.candidate_values(r["S1.honours"], ["region"]) == [
        [], ["region", "national"], ["region", "region"], ["region", "city"]]


def test_describe_value_is_chinese_first():
    r = RUBRIC.rules
    assert whatif.describe_value(r["B02.responsibility"], True) == "是 yes"
    assert whatif.describe_value(r["S1.honours"], ["city", "national"]) == "克拉玛依市级、国家级"
    assert whatif.describe_value(r["B17.reflections"], [{"participants": 18,
                                                         "reflections": 3}]) == "18人/3篇"
    assert whatif.describe_value(r["B16.judicial"], []) == "无 none"


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "etc-passwd"),
    ("方案 A/B", "方案-A-B"),
    ("  ", "scenario"),
    ("a" * 80, "a" * 48),
    ("x\\..\\y", "x-y"),
])
def test_sanitise_name(name, safe):
    assert whatif.sanitise_name(name) == safe


def test_scenario_path_checks_the_unit_id_and_the_name(tmp_path):
    assert whatif.scenario_path(tmp_path, 2013, "arts", "方案_A-1") == (
        tmp_path / "2013" / "scenarios" / "arts-方案_A-1.yaml")
    with pytest.raises(KpaInputError):
        whatif.scenario_path(tmp_path, 2013, "../arts", "x")
    for name in ("a b", "..", "\x00", "", "a" * 49):  # each used to be rewritten into a file name
        with pytest.raises(KpaInputError) as info:
            whatif.scenario_path(tmp_path, 2013, "arts", name)
        assert info.value.problems[0].field == "name"


def test_entry_changes(arts):
    after = whatif.adjust(arts, {"B02.responsibility": None,
                                 "B14.method": {"applies": True, "reason": "x"}})
    assert whatif.entry_changes(arts, after) == {
        "B02.responsibility": {"from": arts.entries["B02.responsibility"], "to": None},
        "B14.method": {"from": None, "to": {"applies": True, "reason": "x"}},
    }
