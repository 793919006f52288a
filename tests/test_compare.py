"""Self-assessment beside the assessors' record: rule-by-rule differences, worked by hand."""

from __future__ import annotations

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.scoring.compare import COMPARE_COLUMNS, compare_records
from kpa_core.scoring.record import parse_record


def record(entries: dict, role: str = "assessor", unit: str = "化学工程系", year: int = 2013):
    return parse_record({"rubric": "kvtc-2013-draft", "year": year, "unit": unit, "role": role,
                         "entries": entries})


ASSESSOR = record({
    "B01.docs": {"count": 2, "reason": "半年总结未按时报送"},          # −4
    "B05.relatives": {"count": 1, "reason": "身边人员违规"},          # −5
    "B16.judicial": {"cases": [4.5], "reason": "一人被司法机关处理"},   # −4.5
    "S2.suggestions": {"count": 1, "reason": "建议被采纳"},           # +2
})
OWN = record({
    "B01.docs": {"count": 1, "reason": "仅半年总结迟交"},             # −2
    "B05.relatives": {"count": 1, "reason": "承认"},                  # −5, same → no row
    "B11.evaluation": {"applies": True, "reason": "未做廉洁性评估"},   # −2, assessors 0
    "S2.suggestions": {"count": 2, "reason": "两条建议"},             # +4
}, role="self")


def test_rows_are_the_rules_that_differ_in_item_order():
    frame = compare_records(ASSESSOR, OWN)
    assert list(frame.columns) == COMPARE_COLUMNS
    assert frame["rule"].tolist() == ["B01.docs", "B11.evaluation", "B16.judicial",
                                      "S2.suggestions"]
    assert frame["item"].tolist() == ["B01", "B11", "B16", "S2"]
    assert frame["assessor_amount"].tolist() == [-4.0, 0.0, -4.5, 2.0]
    assert frame["self_amount"].tolist() == [-2.0, -2.0, 0.0, 4.0]
    assert frame["difference"].tolist() == [2.0, -2.0, 4.5, 2.0]
    assert frame["assessor_reason"].tolist() == ["半年总结未按时报送", "", "一人被司法机关处理",
                                                 "建议被采纳"]
    assert frame["self_reason"].tolist() == ["仅半年总结迟交", "未做廉洁性评估", "", "两条建议"]


def test_totals_ride_along_in_attrs():
    frame = compare_records(ASSESSOR, OWN)
    # assessors: A1 20−4=16, A2 10−5=5, A3.pun 20−4.5 → A3 70−4.5=65.5; basic 86.5 + S2 2 = 88.5
    # self: A1 18, A2 5, A3.sys 15−2 → A3 68; basic 91 + S2 4 = 95
    assert frame.attrs["assessor_total"] == 88.5
    assert frame.attrs["self_total"] == 95.0
    assert frame.attrs["cap_scope"] == "subarea"


def test_identical_records_give_an_empty_frame_with_the_columns():
    frame = compare_records(ASSESSOR, ASSESSOR)
    assert frame.empty
    assert list(frame.columns) == COMPARE_COLUMNS
    assert str(frame["difference"].dtype) == "float64"


def test_sample_chemical_self_assessment():
    from kpa_core.scoring.record import load_record
    from kpa_core.store.paths import PACKAGE_DIR

    data = PACKAGE_DIR.parent / "data" / "2013"
    frame = compare_records(load_record(data / "chemical.yaml"),
                            load_record(data / "self" / "chemical.yaml"))
    assert len(frame) == 11
    row = frame.set_index("rule").loc["B11.evaluation"]
    assert (row["assessor_amount"], row["self_amount"], row["difference"]) == (0.0, -2.0, -2.0)
    # assessors: A1 20−4−1=15, A2 5, A3 14+9.5+14+18=55.5, basic 75.5 + S2 2; self: 100−2
    assert (frame.attrs["assessor_total"], frame.attrs["self_total"]) == (77.5, 98.0)


def test_different_units_cannot_be_compared():
    other = record({}, role="self", unit="艺术系")
    with pytest.raises(KpaInputError) as info:
        compare_records(ASSESSOR, other)
    problem = info.value.problems[0]
    assert problem.field == "unit"
    assert problem.value == "艺术系"
    assert "无法对比" in str(problem) and "cannot compare" in str(problem)


def test_unknown_cap_scope_is_refused():
    with pytest.raises(KpaInputError, match="cap_scope"):
        compare_records(ASSESSOR, OWN, cap_scope="whole")


def test_kpa_diff_prints_a_chinese_first_table(capsys):
    from kpa_core.cli import main
    from kpa_core.store.paths import PACKAGE_DIR

    data = str(PACKAGE_DIR.parent / "data")
    assert main(["diff", "--year", "2013", "--unit", "union", "--data", data]) == 0
    out = capsys.readouterr().out
    assert "考核组 assessors 99 · 自评 self 95 · 差 difference -4" in out
    assert out.index("规则") < out.index("自评理由") and "self reason" in out
    from kpa_core.text.tables import display_width

    assert max(display_width(ln) for ln in out.splitlines()) <= 100  # long text wraps
    # B15.openness: the unit deducted 5 from itself, the assessors nothing
    line = next(ln for ln in out.splitlines() if ln.startswith("B15.openness"))
    assert line.split()[2:6] == ["B15", "0", "-5", "-5"]
    assert "5 条规则不一致 / rules disagree" in out


def test_kpa_diff_year_lists_units_and_missing_self_is_named(capsys):
    from kpa_core.cli import main
    from kpa_core.store.paths import PACKAGE_DIR

    data = str(PACKAGE_DIR.parent / "data")
    assert main(["diff", "--year", "2013", "--data", data, "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "unit_id,unit,assessor_total,self_total,difference,rules_differ"
    assert "chemical,化学工程系,77.5,98.0,20.5,11" in rows
    assert len(rows) == 7  # six units filed a self-assessment in the sample year
    assert main(["diff", "--year", "2013", "--unit", "petroleum", "--data", data]) == 2
    err = capsys.readouterr().err
    assert "该单位没有自评记录" in err and "no self-assessment" in err and "chemical" in err


def test_kpa_diff_names_a_year_without_self_assessments(capsys):
    from kpa_core.cli import main
    from kpa_core.store.paths import PACKAGE_DIR

    data = str(PACKAGE_DIR.parent / "data")  # 2012 has the assessors' records, no self/
    for extra in ([], ["--unit", "chemical"]):
        assert main(["diff", "--year", "2012", "--data", data, *extra]) == 2
        err = capsys.readouterr().err
        assert "该年度没有单位自评记录" in err and "no self-assessments for that year" in err
        assert "a year with self-assessments: 2013" in err
        assert "没有该年度的数据" not in err
    assert main(["diff", "--year", "2011", "--data", data]) == 2  # no data at all: says so
    assert "没有该年度的数据" in capsys.readouterr().err
