"""Grade bands as data: thresholds, "unless" conditions, one-vote vetoes, and bad band files."""

from __future__ import annotations

import copy

import pytest

from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.scoring.grading import grade_card, grade_records, load_bands, parse_bands
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record
from kpa_core.store.paths import PACKAGE_DIR

BANDS = {
    "kpa_bands": 1, "id": "test-bands", "zh": "测试", "en": "test",
    "grades": [
        {"grade": "优秀", "en": "excellent", "min_total": 90, "unless": [{"kind": "area_at_zero"}]},
        {"grade": "良好", "en": "good", "min_total": 80,
         "unless": [{"kind": "area_below", "area": "A3", "score": 60}]},
        {"grade": "合格", "en": "pass", "min_total": 60},
        {"grade": "不合格", "en": "fail", "min_total": 0},
    ],
    "veto": {"grade": "不合格", "conditions": [{"kind": "cases_under", "id": "B16"}]},
}


def card(entries: dict, unit: str = "测试系", unit_id: str | None = None):
    data = {"rubric": "kvtc-2013-draft", "year": 2013, "unit": unit, "entries": entries}
    if unit_id:
        data["unit_id"] = unit_id
    return score_record(parse_record(data))


def test_thresholds_pick_the_first_band_reached():
    bands = parse_bands(BANDS)
    assert grade_card(card({}), bands).grade == "优秀"  # 100
    # B05.relatives 2 cases × 5 = 10 → A2 at 0 → total 90 but an area is at 0: not 优秀
    result = grade_card(card({"B05.relatives": {"count": 2, "reason": "x"}}), bands)
    assert result.grade == "良好"
    assert result.reasons == ("优秀：考核项目得分为0 / area at 0: A2",)
    # 85: B04.measures 5 + B04.losses 5 + B02.procedure 5 = 15 off A1
    eighty_five = card({"B04.measures": {"points": 5, "reason": "x"},
                        "B04.losses": {"applies": True, "reason": "x"},
                        "B02.procedure": {"points": 5, "reason": "x"}})
    assert eighty_five.total == 85
    assert grade_card(eighty_five, bands).label == "良好 good"


def test_area_below_keeps_a_unit_out_of_a_band():
    bands = parse_bands(BANDS)
    # A3 loses 12: B13.activities 4 × 3 = 12 → A3.sup 15−12 = 3, A3 58 < 60; total 88
    c = card({"B13.activities": {"count": 4, "reason": "x"}})
    assert (c.area_scores["A3"], c.total) == (58.0, 88.0)
    result = grade_card(c, bands)
    assert result.grade == "合格"
    assert "A3 得分 58 低于 60" in result.reasons[-1]


def test_a_case_under_b16_vetoes_whatever_the_total():
    bands = parse_bands(BANDS)
    c = card({"B16.unreported": {"count": 1, "reason": "x"}, "S1.honours":
              {"levels": ["national"], "reason": "x"}})
    assert c.total == 101  # 100 − 4 + 5
    result = grade_card(c, bands)
    assert result.grade == "不合格" and result.grade_en == "fail"
    assert result.vetoed_by == ("B16 下有扣分 / deduction under B16: B16.unreported",)


def test_below_every_band_is_ungraded_with_the_reason():
    no_floor = {k: v for k, v in BANDS.items() if k != "veto"}
    bands = parse_bands({**no_floor, "grades": BANDS["grades"][:3]})  # no band from 0
    c = card({"B05.integrity": {"count": 4, "reason": "x"},  # 12 → A2 floored at 0
              "B04.losses": {"applies": True, "reason": "x"},
              "B04.measures": {"points": 5, "reason": "x"},
              "B02.procedure": {"points": 5, "reason": "x"},
              "B03.accountability": {"applies": True, "reason": "x"},
              "B13.activities": {"count": 5, "reason": "x"},
              "B12.execution": {"points": 5, "reason": "x"},
              "B10.missing": {"points": 5, "reason": "x"}})
    # A1 20−17 = 3, A2 0, A3.sup 0 (15 of 15), A3.sys 15−10 = 5 → A3 20+5+0+20 = 45; total 48
    assert c.total == 48
    result = grade_card(c, bands)  # 48 < 60: never silently the lowest listed grade
    assert (result.grade, result.grade_en) == ("未定级", "ungraded")
    assert result.reasons[-1] == ("未达到任何等级（最低等级 合格 自 60 分起） / "
                                  "below every band (the lowest, pass, starts at 60)")


def test_a_59_under_bands_from_90_and_80_is_not_good():
    bands = parse_bands({"kpa_bands": 1, "id": "t", "grades": [
        {"grade": "A", "en": "a", "min_total": 90}, {"grade": "B", "en": "b", "min_total": 80}]})
    # B05.relatives 2 × 5 = 10 → A2 0; B04.measures 5 + B04.losses 5 + B02.procedure 5 = 15
    # → A1 5; B13.activities 4 × 3 = 12 → A3.sup 3; B07.plan 2 → A3.edu 18; B11.evaluation 2
    # → A3.sys 13: A3 18 + 13 + 3 + 20 = 54; total 100 − 10 − 15 − 16 = 59
    c = card({"B05.relatives": {"count": 2, "reason": "x"},
              "B04.measures": {"points": 5, "reason": "x"},
              "B04.losses": {"applies": True, "reason": "x"},
              "B02.procedure": {"points": 5, "reason": "x"},
              "B13.activities": {"count": 4, "reason": "x"},
              "B07.plan": {"applies": True, "reason": "x"},
              "B11.evaluation": {"applies": True, "reason": "x"}})
    assert (c.area_scores["A1"], c.area_scores["A2"], c.area_scores["A3"]) == (5, 0, 54)
    assert c.total == 59
    assert grade_card(c, bands).grade == "未定级"


@pytest.mark.parametrize("threshold, problem_en", [
    (float("nan"), "a number must be finite (not .nan or .inf)"),
    (200, "out of the allowed range"),
    (-5, "out of the allowed range"),
])
def test_thresholds_must_be_finite_and_within_0_to_110(threshold, problem_en):
    bad = copy.deepcopy(BANDS)
    bad["grades"][3]["min_total"] = threshold
    with pytest.raises(KpaInputError) as info:
        parse_bands(bad)
    problems = [p for p in info.value.problems if p.field == "grades.3.min_total"]
    assert [p.problem_en for p in problems] == [problem_en]


def test_every_bands_problem_in_one_round_in_words():
    bad = copy.deepcopy(BANDS)
    bad["grades"][0]["min_total"] = "ninety"                            # a type error
    bad["grades"][2]["unless"] = [{"kind": "cases_under", "id": "B06"}]  # no item 6
    bad["veto"]["grade"] = "差"                                          # not a listed grade
    with pytest.raises(KpaInputError) as info:
        parse_bands(bad, where="bands.yaml")
    by_field = {p.field: p for p in info.value.problems}
    assert set(by_field) == {"grades.0.min_total", "grades.2.unless.0.id", "veto.grade"}
    typed = by_field["grades.0.min_total"]
    assert (typed.problem_zh, typed.problem_en, typed.value) == ("类型不对", "wrong type", "ninety")
    assert (typed.allowed_zh, typed.allowed_en) == ("0–110 之间的数字", "a number from 0 to 110")
    assert "is not of type" not in info.value.render()


def test_bad_bands_are_refused_with_every_problem():
    bad = copy.deepcopy(BANDS)
    bad["grades"][1]["min_total"] = 95          # not decreasing
    bad["grades"][2]["unless"] = [{"kind": "cases_under", "id": "B06"}]  # no item 6
    bad["veto"]["grade"] = "差"                  # not a listed grade
    with pytest.raises(KpaInputError) as info:
        parse_bands(bad, where="bands.yaml")
    fields = [p.field for p in info.value.problems]
    assert fields == ["grades.2.unless.0.id", "grades", "veto.grade"]
    assert info.value.problems[0].value == "B06"


def test_unknown_and_missing_band_fields():
    bad = copy.deepcopy(BANDS)
    bad["colour"] = "red"
    del bad["grades"][0]["en"]
    with pytest.raises(KpaInputError) as info:
        parse_bands(bad)
    by_field = {p.field: p.problem_en for p in info.value.problems}
    assert by_field == {"colour": "unknown field", "grades.0.en": "required field missing"}
    del bad["grades"][1]["grade"], bad["grades"][1]["en"]
    with pytest.raises(KpaInputError) as info:
        parse_bands(bad)
    fields = [p.field for p in info.value.problems]  # two missing fields: each named once
    assert sorted(fields) == ["colour", "grades.0.en", "grades.1.en", "grades.1.grade"]


def test_example_bands_file_and_grade_command(capsys, monkeypatch):
    example = PACKAGE_DIR / "templates" / "grade-bands.example.yaml"
    bands = load_bands(example)
    assert [b.grade for b in bands.bands] == ["优秀", "良好", "合格", "不合格"]
    records = [parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": n, "unit_id": i,
                             "entries": e})
               for n, i, e in (("甲", "a", {}), ("乙", "b", {"B16.judicial":
                                                            {"cases": [4], "reason": "x"}}))]
    frame = grade_records(records, bands)
    assert frame[["unit_id", "total", "grade"]].values.tolist() == [["a", 100.0, "优秀"],
                                                                    ["b", 96.0, "不合格"]]
    monkeypatch.chdir(PACKAGE_DIR.parent)
    monkeypatch.setenv("KPA_HOME", str(PACKAGE_DIR.parent))
    assert main(["grade", "--year", "2013", "--bands", str(example), "--csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "unit_id,unit,total,grade,grade_en,veto,reasons"
    assert len(out) == 31  # header + 30 units of the sample year


def test_grade_command_names_ungraded_units(tmp_path, capsys, monkeypatch):
    bands = tmp_path / "bands.yaml"
    bands.write_text("kpa_bands: 1\nid: high\ngrades:\n"
                     "  - {grade: 优秀, en: excellent, min_total: 99}\n", encoding="utf-8")
    monkeypatch.chdir(PACKAGE_DIR.parent)
    monkeypatch.setenv("KPA_HOME", str(PACKAGE_DIR.parent))
    assert main(["grade", "--year", "2013", "--bands", str(bands), "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    graded = [r for r in rows if ",优秀,excellent," in r]
    ungraded = [r for r in rows if ",未定级,ungraded," in r]
    assert len(graded) + len(ungraded) == 30 and ungraded  # nobody below 99 is 优秀
    assert all("below every band" in r for r in ungraded)


def test_a_non_utf8_or_duplicate_key_bands_file_is_an_input_problem(tmp_path):
    path = tmp_path / "bands.yaml"
    body = "kpa_bands: 1\nid: t\ngrades:\n  - {grade: 优秀, en: excellent, min_total: 90}\n"
    path.write_bytes(body.encode("gbk"))
    with pytest.raises(KpaInputError, match="not UTF-8"):
        load_bands(path)
    path.write_text(body + "id: u\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        load_bands(path)
    [p] = info.value.problems  # the duplicate key itself, not some other complaint about "id"
    assert p.problem_zh == "同一文件中键重复（后者会覆盖前者）"
    assert p.problem_en.startswith("duplicated key 'id' (lines 2 and 5)")
    assert p.where == str(path)
