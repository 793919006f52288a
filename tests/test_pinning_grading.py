"""Pinning grading: the boundaries of each condition and threshold, the ``areas:`` list, bands
files that must be refused, and ``kpa grade --cap-scope``. Totals are worked out by hand."""

from __future__ import annotations

import pytest

from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.scoring.grading import condition_holds, grade_card, parse_bands
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record


def card(entries: dict, cap_scope: str | None = None):
    return score_record(parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": "测试系",
                                      "entries": entries}), cap_scope=cap_scope)


def R(**value) -> dict:
    return {**value, "reason": "原因"}


A2_AT_1 = card({"B05.integrity": R(count=3)})  # A2: 10 − 3 × 3 = 1
A2_AT_0 = card({"B05.integrity": R(count=2), "B05.relatives": R(count=1)})  # 10 − 11 → 0


def bands(*grades: dict, veto: dict | None = None) -> dict:
    data = {"kpa_bands": 1, "id": "t", "grades": list(grades)}
    if veto:
        data["veto"] = veto
    return data


def g(name: str, en: str, min_total: float, **more) -> dict:
    return {"grade": name, "en": en, "min_total": min_total, **more}


# --- condition boundaries ----------------------------------------------------------------------

def test_area_at_zero_holds_at_0_and_not_at_1() -> None:
    assert A2_AT_1.area_scores["A2"] == 1 and A2_AT_0.area_scores["A2"] == 0
    cond = {"kind": "area_at_zero"}
    assert condition_holds(cond, A2_AT_1) is None
    assert condition_holds(cond, A2_AT_0) == "考核项目得分为0 / area at 0: A2"


def test_area_at_zero_lists_every_zero_area_in_order() -> None:
    c = card({"B05.relatives": R(count=2), "B16.judicial": R(cases=[5, 5, 5, 5])})
    assert (c.area_scores["A2"], c.area_scores["A3.pun"]) == (0, 0)
    assert condition_holds({"kind": "area_at_zero"}, c) == \
        "考核项目得分为0 / area at 0: A2, A3.pun"


def test_the_areas_list_limits_which_areas_count() -> None:
    assert condition_holds({"kind": "area_at_zero", "areas": ["A1", "A3"]}, A2_AT_0) is None
    assert condition_holds({"kind": "area_at_zero", "areas": ["A1", "A2"]}, A2_AT_0) == \
        "考核项目得分为0 / area at 0: A2"
    # an empty list means every area, like no list at all
    assert condition_holds({"kind": "area_at_zero", "areas": []}, A2_AT_0) == \
        "考核项目得分为0 / area at 0: A2"


def test_the_areas_list_works_through_a_band() -> None:
    spec = bands(g("优秀", "excellent", 85, unless=[{"kind": "area_at_zero", "areas": ["A2"]}]),
                 g("良好", "good", 80, unless=[{"kind": "area_at_zero", "areas": ["A1"]}]),
                 g("合格", "pass", 0))
    result = grade_card(A2_AT_0, parse_bands(spec))  # total 90, A2 at 0, A1 at 20
    assert (result.grade, result.reasons) == ("良好", ("优秀：考核项目得分为0 / area at 0: A2",))


def test_area_below_is_strict() -> None:
    at_1 = {"kind": "area_below", "area": "A2", "score": 1}
    assert condition_holds(at_1, A2_AT_1) is None  # 1 is not below 1
    assert condition_holds({**at_1, "score": 1.5}, A2_AT_1) == \
        "A2 得分 1 低于 1.5 / A2 scored 1 < 1.5"


def test_cases_under_matches_the_item_or_the_exact_rule_only() -> None:
    c = card({"B16.judicial": R(cases=[4]), "B01.docs": R(count=0)})
    assert condition_holds({"kind": "cases_under", "id": "B16"}, c) == \
        "B16 下有扣分 / deduction under B16: B16.judicial"
    assert condition_holds({"kind": "cases_under", "id": "B16.judicial"}, c) is not None
    assert condition_holds({"kind": "cases_under", "id": "B16.unreported"}, c) is None
    assert condition_holds({"kind": "cases_under", "id": "B01"}, c) is None  # 0 is no case
    assert condition_holds({"kind": "cases_under", "id": "B1"}, c) is None  # not a prefix


# --- thresholds --------------------------------------------------------------------------------

def test_a_total_exactly_on_a_threshold_reaches_the_band() -> None:
    spec = parse_bands(bands(g("优秀", "excellent", 91), g("良好", "good", 90.5),
                             g("合格", "pass", 0)))
    ninety_one = card({"B05.integrity": R(count=3)})  # 100 − 9 = 91
    assert ninety_one.total == 91 and grade_card(ninety_one, spec).grade == "优秀"
    ninety_half = card({"B02.procedure": R(points=4.5), "B02.responsibility": R(applies=True),
                        "B14.method": R(applies=True), "B01.meetings": R(actual=2)})
    assert ninety_half.total == 90.5  # 100 − 4.5 − 2 − 1 − 2
    result = grade_card(ninety_half, spec)
    assert result.grade == "良好"
    assert result.reasons == ("优秀：合计 90.5 < 91 / excellent: total below threshold",)


def test_a_veto_wins_over_a_full_score_and_names_its_condition() -> None:
    spec = parse_bands(bands(g("优秀", "excellent", 90), g("不合格", "fail", 0),
                             veto={"grade": "不合格",
                                   "conditions": [{"kind": "area_at_zero", "areas": ["A2"]},
                                                  {"kind": "cases_under", "id": "B16"}]}))
    result = grade_card(A2_AT_0, spec)
    assert (result.grade, result.grade_en) == ("不合格", "fail")
    assert result.vetoed_by == ("考核项目得分为0 / area at 0: A2",)
    assert grade_card(A2_AT_1, spec).grade == "优秀"  # 91, no veto condition holds


# --- bands files that must be refused ----------------------------------------------------------

def problems_of(data: dict) -> list:
    with pytest.raises(KpaInputError) as info:
        parse_bands(data)
    return info.value.problems


def test_equal_thresholds_are_refused() -> None:
    [p] = problems_of(bands(g("优秀", "excellent", 90), g("良好", "good", 90),
                            g("合格", "pass", 0)))
    assert p.field == "grades" and p.value == [90.0, 90.0, 0.0]
    assert p.problem_en == "grades must run best first with min_total strictly decreasing"


def test_rising_thresholds_are_refused() -> None:
    [p] = problems_of(bands(g("良好", "good", 80), g("优秀", "excellent", 90)))
    assert p.value == [80.0, 90.0] and "strictly decreasing" in p.problem_en


def test_duplicate_grade_names_are_refused() -> None:
    [p] = problems_of(bands(g("合格", "pass", 90), g("合格", "pass again", 60)))
    assert (p.field, p.value, p.problem_en) == ("grades", ["合格", "合格"], "grade names repeat")


def test_a_veto_grade_not_among_the_grades_is_refused() -> None:
    [p] = problems_of(bands(g("合格", "pass", 0),
                            veto={"grade": "不合格",
                                  "conditions": [{"kind": "cases_under", "id": "B16"}]}))
    assert (p.field, p.value) == ("veto.grade", "不合格")


def test_unknown_areas_in_the_list_are_refused() -> None:
    [p] = problems_of(bands(g("合格", "pass", 0,
                              unless=[{"kind": "area_at_zero", "areas": ["A2", "A4"]}])))
    assert (p.field, p.value, p.problem_en) == ("grades.0.unless.0.areas", "A4", "unknown area")


def test_well_ordered_distinct_bands_are_accepted() -> None:
    spec = parse_bands(bands(g("优秀", "excellent", 90.5), g("良好", "good", 90),
                             g("合格", "pass", 0)))
    assert [b.min_total for b in spec.bands] == [90.5, 90.0, 0.0]


# --- kpa grade --cap-scope ---------------------------------------------------------------------

def test_grade_command_honours_cap_scope(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    data = tmp_path / "data"
    (data / "2013").mkdir(parents=True)
    (data / "units.csv").write_text("unit_id,name_zh,name_en,kind\nx,甲系,X,department\n",
                                    encoding="utf-8")
    # A3.pun: 3 × 5 + 2 × 4 = 23 (3 over its 20); A3.edu: 2.
    # subarea: A3 = 18 + 15 + 15 + 0 = 48 → total 78;  area: A3 = 70 − 25 = 45 → total 75
    (data / "2013" / "x.yaml").write_text(
        "rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲系\nentries:\n"
        "  B16.judicial: {cases: [5, 5, 5], reason: 三人}\n"
        "  B16.unreported: {count: 2, reason: 两起}\n"
        "  B07.plan: {applies: true, reason: 未列入}\n", encoding="utf-8")
    spec = tmp_path / "bands.yaml"
    spec.write_text("kpa_bands: 1\nid: t\ngrades:\n  - {grade: 良好, en: good, min_total: 77}\n"
                    "  - {grade: 合格, en: pass, min_total: 0}\n", encoding="utf-8")
    base = ["grade", "--year", "2013", "--bands", str(spec), "--data", str(data), "--csv"]
    assert main(base) == 0
    assert capsys.readouterr().out.splitlines()[1] == "x,甲系,78.0,良好,good,,"
    assert main([*base, "--cap-scope", "area"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("x,甲系,75.0,合格,pass,,")


# --- conditions that lack what they need, and what grading hands on ----------------------------

def test_conditions_missing_their_fields_or_naming_unknown_areas_are_refused() -> None:
    problems = problems_of(bands(g("合格", "pass", 0, unless=[
        {"kind": "cases_under"}, {"kind": "area_below", "area": "A9"},
        {"kind": "area_at_zero", "areas": ["A3.pun"]}])))
    found = [(p.field, p.problem_en, p.value) for p in problems]
    assert found == [("grades.0.unless.0.id", "condition lacks a field", None),
                     ("grades.0.unless.1.score", "condition lacks a field", None),
                     ("grades.0.unless.1.area", "unknown area", "A9")]
    assert problems[1].allowed_en == "area, score"
    assert problems[1].allowed_zh == "area、score"


def test_grade_records_sorts_by_total_then_id_and_joins_reasons() -> None:
    spec = parse_bands(bands(
        g("优秀", "excellent", 95, unless=[{"kind": "area_at_zero"}]), g("合格", "pass", 0),
        veto={"grade": "合格", "conditions": [{"kind": "cases_under", "id": "B16"},
                                             {"kind": "area_below", "area": "A3.pun",
                                              "score": 20}]}))
    from kpa_core.scoring.grading import grade_records, grades_param

    def rec(uid: str, entries: dict):
        return parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": f"单位{uid}",
                             "unit_id": uid, "entries": entries})

    recs = [rec("c", {"B01.docs": R(count=1)}),          # 98: below 95? no → 优秀
            rec("b", {"B16.judicial": R(cases=[4])}),    # 96, vetoed twice
            rec("a", {"B01.docs": R(count=1)}),          # 98, ties with c: a first
            rec("d", {"B05.relatives": R(count=2)})]     # 90: A2 at 0 and below 95
    frame = grade_records(recs, spec)
    assert frame["unit_id"].tolist() == ["a", "c", "b", "d"]
    assert frame["grade"].tolist() == ["优秀", "优秀", "合格", "合格"]
    veto = frame.loc[frame.unit_id == "b", "veto"].item()
    assert veto == ("B16 下有扣分 / deduction under B16: B16.judicial; "
                    "A3.pun 得分 16 低于 20 / A3.pun scored 16 < 20")
    assert frame.loc[frame.unit_id == "d", "reasons"].item() == (
        "优秀：合计 90 < 95 / excellent: total below threshold")
    card = score_record(recs[1])
    param = grades_param(spec, card)
    assert (param["grade"], param["grade_en"], param["sha256"]) == ("合格", "pass", spec.sha256)
    assert param["vetoed_by"] == veto.split("; ") and param["bands"] is spec.data
    assert grade_card(card, spec).label == "合格 pass" and spec.english("优秀") == "excellent"
    assert spec.english("未知") == ""


def test_grade_command_tallies_every_band_and_the_ungraded(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    data = tmp_path / "data"
    (data / "2013").mkdir(parents=True)
    (data / "units.csv").write_text("unit_id,name_zh,name_en,kind\nx,甲系,X,department\n"
                                    "y,乙系,Y,department\n", encoding="utf-8")
    (data / "2013" / "x.yaml").write_text("rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲系\n"
                                          "entries: {}\n", encoding="utf-8")
    (data / "2013" / "y.yaml").write_text(
        "rubric: kvtc-2013-draft\nyear: 2013\nunit: 乙系\nentries:\n"
        "  B04.losses: {applies: true, reason: 损失}\n", encoding="utf-8")  # 95
    spec = tmp_path / "bands.yaml"
    spec.write_text("kpa_bands: 1\nid: t\ngrades:\n"
                    "  - {grade: 优秀, en: excellent, min_total: 99}\n"
                    "  - {grade: 良好, en: good, min_total: 98}\n", encoding="utf-8")
    assert main(["grade", "--year", "2013", "--bands", str(spec), "--data", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2013 年度等级 / grades — 等级划分 bands t (sha256 ")
    assert out[-1] == ("优秀 excellent: 1  良好 good: 0  未定级 ungraded: 1"
                       "（低于所有等级 / below every band）")


def test_every_bands_problem_names_the_file_and_what_is_allowed() -> None:
    data = bands(g("合格", "pass", 50, unless=[{"kind": "cases_under", "id": "B06"},
                                              {"kind": "area_below", "area": "A9", "score": 5},
                                              {"kind": "area_at_zero", "areas": ["A0"]}]),
                 g("合格", "pass again", 60),
                 veto={"grade": "差", "conditions": [{"kind": "cases_under"}]})
    with pytest.raises(KpaInputError) as info:
        parse_bands(data, where="bands.yaml")
    problems = info.value.problems
    assert {p.where for p in problems} == {"bands.yaml"}
    by_field = {p.field: p for p in problems}
    assert sorted(by_field) == ["grades", "grades.0.unless.0.id", "grades.0.unless.1.area",
                                "grades.0.unless.2.areas", "veto.conditions.0.id",
                                "veto.grade"]
    areas = "A1, A2, A3, A3.edu, A3.sys, A3.sup, A3.pun"
    assert by_field["grades.0.unless.1.area"].allowed_en == areas
    assert by_field["grades.0.unless.1.area"].allowed_zh == areas.replace(", ", "、")
    assert by_field["grades.0.unless.0.id"].allowed_en == "B01…B18（无B06）, B16.judicial…"
    assert by_field["veto.grade"].allowed_en == "合格, 合格"
    assert (by_field["veto.conditions.0.id"].allowed_zh,
            by_field["veto.conditions.0.id"].problem_zh) == ("id", "条件缺少字段")
    both = [p for p in problems if p.field == "grades"]
    assert [p.problem_en for p in both] == [
        "grade names repeat", "grades must run best first with min_total strictly decreasing"]


# --- malformed parts are schema problems only, never a crash or a second problem ----------------

def test_a_bands_file_that_is_a_list_is_one_problem_even_with_an_inf_inside() -> None:
    # non-finite numbers are looked for only inside a mapping; a list is refused as a whole
    [p] = problems_of([{"grade": "合格"}, float("inf")])
    assert p.value == [{"grade": "合格"}, float("inf")]


def test_a_nan_threshold_is_named_by_its_field_and_file() -> None:
    # NaN passes the schema's minimum/maximum (every comparison with NaN is false)
    with pytest.raises(KpaInputError) as info:
        parse_bands(bands(g("合格", "pass", float("nan"))), where="bands.yaml")
    [p] = info.value.problems
    assert (p.field, p.where, p.problem_en) == ("grades.0.min_total", "bands.yaml",
                                                "a number must be finite (not .nan or .inf)")


@pytest.mark.parametrize("cond", ["area_at_zero", {"kind": "area_at_one"}, None])
def test_a_condition_that_is_not_a_known_kind_is_only_a_schema_problem(cond) -> None:
    [p] = problems_of(bands(g("合格", "pass", 0, unless=[cond])))
    assert p.field.startswith("grades.0.unless.0")


def test_an_areas_list_written_as_text_is_only_a_schema_problem() -> None:
    # "A2" is not a list: it must not be read letter by letter ("A", "2": two unknown areas)
    [p] = problems_of(bands(g("合格", "pass", 0, unless=[{"kind": "area_at_zero",
                                                          "areas": "A2"}])))
    assert (p.field, p.value) == ("grades.0.unless.0.areas", "A2")


@pytest.mark.parametrize("grades", [None, "合格", {"grade": "合格"}])
def test_grades_that_are_not_a_list_are_only_a_schema_problem(grades) -> None:
    [p] = problems_of({"kpa_bands": 1, "id": "t", "grades": grades})
    assert (p.field, p.value) == ("grades", grades)


@pytest.mark.parametrize("unless", [None, "area_at_zero"])
def test_an_unless_that_is_not_a_list_is_only_a_schema_problem(unless) -> None:
    [p] = problems_of(bands(g("合格", "pass", 0, unless=unless)))
    assert (p.field, p.value) == ("grades.0.unless", unless)


def test_unknown_ids_and_areas_are_named_in_chinese_too() -> None:
    found = problems_of(bands(g("合格", "pass", 0, unless=[
        {"kind": "cases_under", "id": "B06"}, {"kind": "area_below", "area": "A9", "score": 5},
        {"kind": "area_at_zero", "areas": ["A0"]}])))
    assert [(p.problem_zh, p.problem_en) for p in found] == [
        ("未知的条目或规则编号", "unknown item or rule id"),
        ("未知的考核项目", "unknown area"), ("未知的考核项目", "unknown area")]


# --- load_bands: a file that is not bands, and the rubric it checks against -------------------

@pytest.mark.parametrize(("text", "zh", "en"), [("- a\n- b\n", "列表", "a list"),
                                                ("just words\n", "一段文字", "text"),
                                                ("42\n", "单个值", "a single value")])
def test_a_file_that_is_not_a_mapping_is_named_by_its_shape_only(tmp_path, text, zh, en) -> None:
    from kpa_core.scoring.grading import load_bands

    path = tmp_path / "bands.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        load_bands(path)
    [p] = info.value.problems
    assert (p.problem_zh, p.problem_en) == (
        f"这不是等级划分文件：顶层须为键值表，而不是{zh}",
        f"not a grade bands file: the top level must be a mapping, not {en}")
    assert (p.allowed_zh, p.allowed_en, p.where) == ("id: …、grades: […]", "id: …, grades: […]",
                                                     str(path))
    assert p.value is None  # the content is never echoed


def test_load_bands_names_the_file_in_every_problem(tmp_path) -> None:
    from kpa_core.scoring.grading import load_bands

    path = tmp_path / "bands.yaml"
    path.write_text("kpa_bands: 1\nid: t\ngrades:\n  - {grade: 合格, en: pass, min_total: 0,"
                    " unless: [{kind: cases_under, id: B06}]}\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        load_bands(path)
    [p] = info.value.problems
    assert (p.field, p.where) == ("grades.0.unless.0.id", str(path))


def test_load_bands_checks_ids_against_the_rubric_it_is_given(tmp_path) -> None:
    # a later rubric may name its rules differently: here B16.judicial is renamed B16.courts
    from kpa_core.rubric.model import RUBRIC_DIR, build_rubric
    from kpa_core.scoring.grading import load_bands
    from kpa_core.store.yaml_io import read_yaml

    data = read_yaml(RUBRIC_DIR / "kvtc-2013-draft.yaml")
    rule = next(r for i in data["items"] if i["id"] == "B16" for r in i["rules"]
                if r["id"] == "B16.judicial")
    rule["id"] = "B16.courts"
    renamed = build_rubric(data)
    path = tmp_path / "bands.yaml"
    path.write_text("kpa_bands: 1\nid: t\ngrades:\n  - {grade: 合格, en: pass, min_total: 0}\n"
                    "veto: {grade: 合格, conditions: [{kind: cases_under, id: B16.courts}]}\n",
                    encoding="utf-8")
    assert load_bands(path, rubric=renamed).veto == ({"kind": "cases_under",
                                                      "id": "B16.courts"},)
    with pytest.raises(KpaInputError) as info:
        load_bands(path)  # the shipped rubric has no B16.courts
    assert [p.value for p in info.value.problems] == ["B16.courts"]


# --- grade_card keeps every reason, grade_records numbers its rows -----------------------------

def test_reasons_from_every_band_missed_are_kept_in_order() -> None:
    # A2_AT_0: B05 deducts 2 × 3 + 5 = 11 from A2's 10 → A2 is 0 (Note 1), total 100 − 10 = 90
    spec = parse_bands(bands(g("优秀", "excellent", 95), g("良好", "good", 85,
                                                          unless=[{"kind": "area_at_zero"}]),
                             g("合格", "pass", 60)))
    result = grade_card(A2_AT_0, spec)
    assert A2_AT_0.total == 90
    assert (result.grade, result.vetoed_by) == ("合格", ())
    assert result.reasons == ("优秀：合计 90 < 95 / excellent: total below threshold",
                              "良好：考核项目得分为0 / area at 0: A2")


def test_a_veto_gives_its_one_reason() -> None:
    spec = parse_bands(bands(g("优秀", "excellent", 90), g("不合格", "fail", 0),
                             veto={"grade": "不合格",
                                   "conditions": [{"kind": "area_at_zero"}]}))
    assert grade_card(A2_AT_0, spec).reasons == ("一票否决 / one-vote veto",)


def test_grade_records_numbers_its_rows_from_0_in_rank_order() -> None:
    from kpa_core.scoring.grading import grade_records

    spec = parse_bands(bands(g("合格", "pass", 0)))
    recs = [parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": f"单位{uid}",
                          "unit_id": uid, "entries": entries})
            for uid, entries in (("a", {"B01.docs": R(count=1)}), ("b", {}))]
    frame = grade_records(recs, spec)  # a 100 − 2 = 98, b 100: b first, then a
    assert frame["unit_id"].tolist() == ["b", "a"] and frame.index.tolist() == [0, 1]


def test_order_names_and_veto_problems_say_what_is_allowed_in_both_languages() -> None:
    found = problems_of(bands(g("合格", "pass", 60), g("合格", "pass again", 60),
                              veto={"grade": "差",
                                    "conditions": [{"kind": "cases_under", "id": "B16"}]}))
    names, order, veto = found
    assert (names.problem_zh, names.allowed_zh, names.allowed_en) == (
        "等级名称重复", "各不相同的等级名称", "a different name for each grade")
    assert (order.problem_zh, order.allowed_zh, order.allowed_en) == (
        "等级须由高到低排列，min_total 严格递减", "由高到低、严格递减的 min_total",
        "min_total strictly decreasing")
    assert (veto.problem_zh, veto.problem_en) == ("否决等级须为已列出的等级",
                                                  "the veto grade must be one of the grades")
    assert (veto.allowed_zh, veto.allowed_en) == ("合格、合格", "合格, 合格")


@pytest.mark.parametrize("conditions", [None, "cases_under"])
def test_veto_conditions_that_are_not_a_list_are_only_a_schema_problem(conditions) -> None:
    [p] = problems_of(bands(g("合格", "pass", 0),
                            veto={"grade": "合格", "conditions": conditions}))
    assert (p.field, p.value) == ("veto.conditions", conditions)


def test_cases_under_lists_every_rule_hit_and_grade_records_joins_every_reason() -> None:
    from kpa_core.scoring.grading import grade_records

    c = card({"B16.judicial": R(cases=[4]), "B16.unreported": R(count=1)})  # A3.pun 20 − 8 = 12
    assert condition_holds({"kind": "cases_under", "id": "B16"}, c) == \
        "B16 下有扣分 / deduction under B16: B16.judicial, B16.unreported"
    spec = parse_bands(bands(g("优秀", "excellent", 95), g("良好", "good", 90,
                                                          unless=[{"kind": "cases_under",
                                                                   "id": "B16"}]),
                             g("合格", "pass", 0)))
    record = parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": "测试系",
                           "unit_id": "t", "entries": {"B16.judicial": R(cases=[4]),
                                                       "B16.unreported": R(count=1)}})
    [row] = grade_records([record], spec).to_dict("records")  # total 100 − 8 = 92
    assert row["reasons"] == ("优秀：合计 92 < 95 / excellent: total below threshold; "
                              "良好：B16 下有扣分 / deduction under B16: "
                              "B16.judicial, B16.unreported")
