"""Pinning record validation: roles, the assessor field, and save_record refusing bad records."""

from __future__ import annotations

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.scoring.record import Record, parse_record, save_record

BASE = {"rubric": "kvtc-2013-draft", "year": 2013, "unit": "测试系", "entries": {}}


def problems(**top) -> list:
    with pytest.raises(KpaInputError) as info:
        parse_record({**BASE, **top})
    return info.value.problems


@pytest.mark.parametrize("role", ["boss", "Self", "", None, 1])
def test_an_unknown_role_is_refused(role) -> None:
    [p] = problems(role=role)
    assert (p.field, p.value, p.problem_en) == ("role", role, "unknown record role")
    assert p.allowed_en == "assessor, self" and p.unit == "测试系"


def test_the_two_known_roles_are_kept() -> None:
    assert parse_record({**BASE, "role": "self"}).role == "self"
    assert parse_record({**BASE, "role": "assessor"}).role == "assessor"
    assert parse_record(BASE).role == "assessor"


@pytest.mark.parametrize("assessor", [123, 1.5, True, ["纪委"], {"name": "纪委"}])
def test_an_assessor_that_is_not_text_is_refused(assessor) -> None:
    [p] = problems(assessor=assessor)
    assert (p.field, p.value, p.problem_en) == ("assessor", assessor, "assessor must be text")


def test_a_text_or_absent_assessor_is_kept() -> None:
    assert parse_record({**BASE, "assessor": "纪委办公室"}).assessor == "纪委办公室"
    assert parse_record(BASE).assessor is None


def test_role_and_assessor_problems_come_together() -> None:
    assert sorted(p.field for p in problems(role="boss", assessor=7)) == ["assessor", "role"]


@pytest.mark.parametrize(("change", "field"), [
    ({"entries": {"B01.docs": {"count": 9, "reason": "x"}}}, "count"),  # max_count 3
    ({"entries": {"B06.x": {"count": 1, "reason": "x"}}}, None),        # there is no item 6
    ({"role": "boss"}, "role"),
    ({"assessor": 7}, "assessor"),
    ({"year": 1999}, "year"),
])
def test_save_record_refuses_what_would_not_load_and_writes_nothing(tmp_path, change,
                                                                    field) -> None:
    good = parse_record(BASE)
    path = tmp_path / "testunit.yaml"
    save_record(good, path)
    before = path.read_bytes()
    bad = Record(**{**vars(good), **change})
    with pytest.raises(KpaInputError) as info:
        save_record(bad, path)
    assert [p.field for p in info.value.problems] == [field]
    assert path.read_bytes() == before  # the old file is whole
    new = tmp_path / "new.yaml"
    with pytest.raises(KpaInputError):
        save_record(bad, new)
    assert not new.exists()


def test_save_record_writes_a_valid_record_that_loads_back(tmp_path) -> None:
    record = parse_record({**BASE, "unit_id": "testunit", "role": "self", "assessor": "甲",
                           "entries": {"B01.docs": {"count": 2.0, "reason": "迟交"}}})
    path = save_record(record, tmp_path / "testunit.yaml")
    from kpa_core.scoring.record import load_record

    again = load_record(path)
    assert (again.unit_id, again.role, again.assessor) == ("testunit", "self", "甲")
    assert again.entries == {"B01.docs": {"count": 2.0, "reason": "迟交"}}


# --- the plain-data form -----------------------------------------------------------------------

def test_to_data_writes_role_only_when_it_is_not_the_default() -> None:
    # "assessor" is the default role: a record without role: loads as one, so it is not written
    assert "role" not in parse_record(BASE).to_data()
    assert "role" not in parse_record({**BASE, "role": "assessor"}).to_data()
    assert parse_record({**BASE, "role": "self"}).to_data()["role"] == "self"


def test_to_data_copies_a_rectification_mapping() -> None:
    record = parse_record({**BASE, "rectification": {"B16": "建立案件报告制度"}})
    data = record.to_data()
    assert data["rectification"] == {"B16": "建立案件报告制度"}
    data["rectification"]["B16"] = "改过"  # the caller's copy, not the record's own mapping
    assert record.rectification == {"B16": "建立案件报告制度"}
    assert parse_record({**BASE, "rectification": "按时上报"}).to_data()["rectification"] == \
        "按时上报"


def test_to_yaml_keeps_chinese_readable_and_the_documented_key_order() -> None:
    record = parse_record({**BASE, "unit_id": "testunit", "assessor": "纪委办公室",
                           "entries": {"B01.docs": {"count": 1, "reason": "迟交"}}})
    assert record.to_yaml() == (
        "rubric: kvtc-2013-draft\nyear: 2013\nunit: 测试系\nunit_id: testunit\n"
        "assessor: 纪委办公室\nentries:\n  B01.docs: {count: 1, reason: 迟交}\n")


def test_dump_yaml_lines_run_to_120_characters_before_wrapping() -> None:
    from kpa_core.scoring.record import dump_yaml

    # "B01.docs: {count: 1, reason: " is 29 characters, the reason 16 × 4 letters + 15 spaces =
    # 79, then "}": a line of 109 stays whole at width 120 (PyYAML's default, 80, folds it)
    reason = " ".join(["abcd"] * 16)
    text = dump_yaml({"B01.docs": {"count": 1, "reason": reason}})
    assert text == f"B01.docs: {{count: 1, reason: {reason}}}\n"


# --- save_record keeps a human's layout --------------------------------------------------------

COMMENTED = ("# 2013年考核，张三录入\nrubric: kvtc-2013-draft\nyear: 2013\nunit: 测试系\n"
             "entries:\n  B01.docs: {count: 1, reason: 迟交}  # 见会议纪要\n")


def test_save_record_keeps_the_comments_of_the_file_it_replaces(tmp_path) -> None:
    path = tmp_path / "testunit.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    record = parse_record({**BASE, "entries": {"B01.docs": {"count": 1, "reason": "迟交"},
                                               "B07.plan": {"applies": True, "reason": "无"}}})
    save_record(record, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 2013年考核，张三录入\n") and "# 见会议纪要" in text
    assert "B07.plan" in text


def test_save_record_takes_the_layout_from_another_file_when_told(tmp_path) -> None:
    # excel_import writes a staging file with the layout of the record it will replace
    target, stage = tmp_path / "testunit.yaml", tmp_path / "stage.yaml"
    target.write_text(COMMENTED, encoding="utf-8")
    stage.write_text("# 旧的暂存文件\nrubric: kvtc-2013-draft\nyear: 2013\nunit: 测试系\n"
                     "entries: {}\n", encoding="utf-8")
    record = parse_record({**BASE, "entries": {"B01.docs": {"count": 1, "reason": "迟交"}}})
    save_record(record, stage, layout_from=target)
    assert stage.read_text(encoding="utf-8") == COMMENTED  # equal data: the target's bytes
    # without layout_from the file's own layout is kept
    save_record(record, target)
    assert target.read_text(encoding="utf-8") == COMMENTED


def test_save_record_names_the_file_it_refused_to_write(tmp_path) -> None:
    path = tmp_path / "testunit.yaml"
    bad = Record(**{**vars(parse_record(BASE)), "year": 1999})
    with pytest.raises(KpaInputError) as info:
        save_record(bad, path)
    [p] = info.value.problems
    assert (p.field, p.value, p.where, p.unit) == ("year", 1999, str(path), "测试系")


# --- each problem names its field, its value and what is allowed -------------------------------

@pytest.mark.parametrize("unit_id", ["Petroleum", "../etc", "", 7, "a" * 65])
def test_a_bad_unit_id_is_named_with_its_value(unit_id) -> None:
    [p] = problems(unit_id=unit_id)
    assert (p.field, p.value, p.problem_en) == ("unit_id", unit_id, "invalid unit id")
    assert p.allowed_en == "lowercase letters, digits, - or _, 1–64 characters"


def test_a_unit_id_of_64_characters_is_accepted() -> None:
    assert parse_record({**BASE, "unit_id": "a" * 64}).unit_id == "a" * 64


def test_options_that_are_not_a_mapping_are_named() -> None:
    [p] = problems(options=["area"])
    assert (p.field, p.value, p.problem_en) == ("options", ["area"], "options must be a mapping")
    assert p.allowed_en == "{cap_scope: subarea|area}"


def test_an_unknown_option_and_a_bad_option_value_are_named_with_what_is_allowed() -> None:
    unknown, bad = problems(options={"colour": "red", "cap_scope": "college"})
    assert (unknown.field, unknown.value, unknown.problem_en) == ("options.colour", "red",
                                                                  "unknown option")
    assert (unknown.allowed_zh, unknown.allowed_en) == ("cap_scope", "cap_scope")
    assert (bad.field, bad.value, bad.problem_en) == ("options.cap_scope", "college",
                                                      "option value not allowed")
    assert (bad.allowed_zh, bad.allowed_en) == ("subarea|area", "subarea|area")


def test_entries_that_are_not_a_mapping_are_named() -> None:
    [p] = problems(entries=["B01.docs"])
    assert (p.field, p.value, p.problem_en) == ("entries", ["B01.docs"],
                                                "entries must be a mapping of rule id to entry")


# --- entries: one per rule at most, unknown ids named --------------------------------------------

def every_rule_untouched() -> dict:
    """One entry that changes nothing for each of the rubric's rules."""
    from kpa_core.rubric.model import load_rubric
    from kpa_core.rubric.rules import kind_of

    rubric = load_rubric("kvtc-2013-draft")
    return {rid: {kind_of(rule).value_field: kind_of(rule).empty_value(rule)}
            for rid, rule in rubric.rules.items()}


def test_an_entry_for_every_rule_is_accepted_and_one_more_is_too_many() -> None:
    entries = every_rule_untouched()
    # RUBRIC.md §2 lists 39 rules: B01 2, B02 3, B03 2, B04 2, B05 3, B07 3, B08 2, B09 3,
    # B10 1, B11 2, B12 2, B13 3, B14 2, B15 1, B16 2, B17 1, B18 2, S1 1, S2 2
    assert len(entries) == 39
    assert parse_record({**BASE, "entries": entries}).entries == entries
    [p] = problems(entries={**entries, "B06.x": {"count": 1, "reason": "r"}})
    assert (p.field, p.problem_en) == ("entries", "too many entries (40; the rubric has 39 rules)")
    assert p.problem_zh == "条目过多（40 条，细则只有 39 条规则）"
    assert p.allowed_en == "at most one entry per rule (≤ 39)"


def test_an_unknown_rule_of_a_known_item_lists_the_items_rules() -> None:
    [p] = problems(entries={"B01.nope": {"count": 1, "reason": "r"}})
    assert (p.rule_id, p.problem_en) == ("B01.nope", "item B01 has no such rule")
    assert (p.allowed_zh, p.allowed_en) == ("B01.docs、B01.meetings", "B01.docs, B01.meetings")


@pytest.mark.parametrize("rule_id", ["B01", "B06.x", "docs", 16])
def test_an_id_naming_no_item_is_an_unknown_id(rule_id) -> None:
    [p] = problems(entries={rule_id: {"count": 1, "reason": "r"}})
    assert (p.rule_id, p.problem_en) == (str(rule_id),
                                         "unknown item or rule id (the basic part has no item 6)")
    assert p.allowed_en == "rules of B01–B18 (no B06) and of S1, S2"
    # the item numbers the document has: 1–18 without 6
    assert p.allowed_zh == ("B01–B18 的规则（条目号：1、2、3、4、5、7、8、9、10、11、12、"
                            "13、14、15、16、17、18）及 S1、S2 的规则")


# --- rectification: text, or rule/item id → text ----------------------------------------------

@pytest.mark.parametrize("value", ["  ", "", {}, [], 5, True])
def test_a_rectification_that_is_neither_text_nor_a_mapping_is_refused(value) -> None:
    [p] = problems(rectification=value)
    assert (p.field, p.value, p.problem_en) == ("rectification", value,
                                                "rectification must be text or a mapping")
    assert p.problem_zh == "整改要求须为文字或键值表"
    assert (p.allowed_zh, p.allowed_en) == ("文字，或 规则/条目编号 → 文字 的键值表",
                                            "text, or a mapping of rule or item id to text")


def test_a_rectification_mapping_needs_known_ids_and_text() -> None:
    ok = {"B16": "建立案件报告制度", "B01.docs": "按时报送"}
    assert parse_record({**BASE, "rectification": ok}).rectification == ok
    bad = problems(rectification={"B06": "x", "B16": " ", "B01.docs": 3, "B17": "ok"})
    assert [(p.field, p.value) for p in bad] == [("rectification.B06", "x"),
                                                 ("rectification.B16", " "),
                                                 ("rectification.B01.docs", 3)]
    assert all(p.problem_en == "rectification: unknown rule/item id or text missing"
               and p.problem_zh == "整改要求的编号未知或内容不是文字"
               and p.allowed_zh == "文字，或 规则/条目编号 → 文字 的键值表"
               and p.allowed_en == "text, or a mapping of rule or item id to text" for p in bad)


# --- parse_record's top level ------------------------------------------------------------------

@pytest.mark.parametrize("year", [2000, 2100, 2013])
def test_years_2000_to_2100_are_accepted(year) -> None:
    assert parse_record({**BASE, "year": year}).year == year


@pytest.mark.parametrize("year", [1999, 2101, True, "2013", 2013.0, None])
def test_other_years_are_refused(year) -> None:
    [p] = problems(year=year)
    assert (p.field, p.value, p.problem_en) == ("year", year,
                                                "year must be a four-digit whole number")
    assert p.allowed_en == "2000–2100"


@pytest.mark.parametrize(("data", "zh", "en"), [(["a"], "列表", "a list"),
                                                 ("text", "一段文字", "text"),
                                                 (5, "单个值", "a single value")])
def test_a_record_that_is_not_a_mapping_names_its_shape(data, zh, en) -> None:
    with pytest.raises(KpaInputError) as info:
        parse_record(data, where="x.yaml", unit_id="testunit")
    [p] = info.value.problems
    assert (p.problem_zh, p.problem_en) == (f"考核记录须为键值表，而不是{zh}",
                                            f"a record must be a mapping, not {en}")
    assert p.allowed_en == "rubric: …, year: …, unit: …, entries: …"
    assert (p.unit, p.where) == ("testunit", "x.yaml")


def test_an_empty_file_is_named_as_empty() -> None:
    with pytest.raises(KpaInputError) as info:
        parse_record(None, where="x.yaml", unit_id="testunit")
    [p] = info.value.problems
    assert (p.problem_zh, p.problem_en) == ("文件为空", "the file is empty")
    assert (p.unit, p.where) == ("testunit", "x.yaml")
    assert p.allowed_en == "the fields rubric, year, unit, entries"


def test_unknown_and_missing_fields_are_named() -> None:
    data = {"rubric": "kvtc-2013-draft", "unit": "测试系", "colour": "red"}
    with pytest.raises(KpaInputError) as info:
        parse_record(data)
    unknown, *missing = info.value.problems
    assert (unknown.field, unknown.value, unknown.problem_en) == ("colour", "red",
                                                                  "unknown field")
    assert unknown.allowed_en == ("rubric, year, unit, unit_id, role, assessor, options, "
                                  "entries, rectification")
    assert unknown.allowed_zh == "rubric、year、unit、unit_id、role、assessor、options、entries、" \
                                 "rectification"
    assert [(p.field, p.problem_en) for p in missing] == [
        ("year", "required field missing"), ("entries", "required field missing")]
    assert (missing[0].allowed_zh, missing[0].allowed_en) == ("rubric、year、unit、entries",
                                                              "rubric, year, unit, entries")
    assert all(p.unit == "测试系" for p in info.value.problems)


@pytest.mark.parametrize("unit", ["", "  ", None, 5])
def test_a_unit_that_is_not_text_is_refused_and_not_used_as_the_label(unit) -> None:
    [p] = problems(unit=unit)
    assert (p.field, p.value, p.problem_en) == ("unit", unit, "unit must be non-empty text")
    assert p.unit is None  # a blank or odd unit never labels the problem


def test_a_missing_unit_is_one_problem() -> None:
    with pytest.raises(KpaInputError) as info:
        parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "entries": {}})
    [p] = info.value.problems
    assert (p.field, p.problem_en, p.unit) == ("unit", "required field missing", None)


def test_a_rubric_id_that_is_not_text_is_an_unknown_rubric() -> None:
    [p] = problems(rubric=2013)
    assert (p.field, p.value) == ("rubric", 2013) and "kvtc-2013-draft" in p.allowed_en


def test_null_options_and_entries_are_empty() -> None:
    record = parse_record({**BASE, "options": None, "entries": None})
    assert (record.options, record.entries) == ({}, {})


def test_a_good_unit_id_keeps_the_other_problems() -> None:
    found = problems(unit_id="testunit", year=1999, role="boss", colour="red")
    assert [p.field for p in found] == ["colour", "year", "role"]


def test_the_record_keeps_where_it_came_from_and_the_unit_id_it_was_given(tmp_path) -> None:
    from kpa_core.scoring.record import load_record

    path = tmp_path / "testunit.yaml"
    path.write_text("rubric: kvtc-2013-draft\nyear: 2013\nunit: 测试系\n"
                    "options: {cap_scope: area}\nrectification: 按时上报\n"
                    "entries: {B01.docs: {count: 1, reason: 迟交}}\n", encoding="utf-8")
    record = load_record(path, unit_id="testunit")
    assert (record.source, record.unit_id) == (str(path), "testunit")
    assert (record.rubric, record.year, record.unit) == ("kvtc-2013-draft", 2013, "测试系")
    assert record.options == {"cap_scope": "area"} and record.rectification == "按时上报"
    assert record.entries == {"B01.docs": {"count": 1, "reason": "迟交"}}
    # a unit_id in the file wins over the one the caller passes (which is checked elsewhere)
    assert parse_record({**BASE, "unit_id": "own"}, unit_id="given").unit_id == "own"
    assert parse_record(BASE).unit_id is None


def test_every_problem_is_located_with_the_unit_and_the_file(tmp_path) -> None:
    from kpa_core.scoring.record import load_record

    path = tmp_path / "testunit.yaml"
    path.write_text("rubric: kvtc-2013-draft\nyear: 1999\nunit: 测试系\nrole: boss\n"
                    "entries: {B01.docs: {count: 9, reason: r}}\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        load_record(path)
    assert [(p.field, p.unit, p.where) for p in info.value.problems] == [
        ("year", "测试系", str(path)), ("role", "测试系", str(path)),
        ("count", "测试系", str(path))]
