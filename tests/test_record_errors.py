"""Bad input: every problem named with unit, rule id, value and what is allowed — all at once."""

from __future__ import annotations

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.scoring.record import load_record, parse_record
from kpa_core.year.data import load_year

UNIT = "石油工程系"


def problems_of(data: dict) -> list:
    with pytest.raises(KpaInputError) as exc:
        parse_record(data)
    return exc.value.problems


def base(entries: dict, **top) -> dict:
    return {"rubric": "kvtc-2013-draft", "year": 2013, "unit": UNIT, "entries": entries, **top}


@pytest.mark.parametrize(
    ("rule_id", "entry", "value", "allowed_fragment"),
    [
        ("B06.x", {"count": 1, "reason": "r"}, None, "no B06"),
        ("B01.nope", {"count": 1, "reason": "r"}, None, "B01.docs"),
        ("B01.docs", {"count": -1, "reason": "r"}, -1, "0–3"),
        ("B01.docs", {"count": 4, "reason": "r"}, 4, "0–3"),
        ("B12.training", {"count": 3, "reason": "r"}, 3, "0–2"),
        ("B02.procedure", {"points": 5.5, "reason": "r"}, 5.5, "1–5"),
        ("B02.procedure", {"points": 0.5, "reason": "r"}, 0.5, "1–5"),
        ("B02.procedure", {"points": 2.25, "reason": "r"}, 2.25, "steps of 0.5"),
        ("B16.judicial", {"cases": [3], "reason": "r"}, 3, "4–5"),
        ("B16.judicial", {"cases": [4.2], "reason": "r"}, 4.2, "steps of 0.5"),
        ("S1.honours", {"levels": ["province"], "reason": "r"}, "province", "national"),
        (
            "B17.reflections",
            {"sessions": [{"participants": 5, "reflections": 6}], "reason": "r"},
            6,
            "0 to participants",
        ),
        (
            "B17.reflections",
            {"sessions": [{"participants": 0, "reflections": 0}], "reason": "r"},
            0,
            "≥ 1",
        ),
        ("B01.docs", {"count": 1}, None, "non-empty text"),
        ("B01.docs", {"count": 1, "reason": "  "}, "  ", "non-empty text"),
        (
            "B02.responsibility",
            {"applies": "yes please", "reason": "r"},
            "yes please",
            "true/false",
        ),
        ("B01.docs", {"count": "two", "reason": "r"}, "two", "whole number"),
        ("B01.docs", {"count": 1.5, "reason": "r"}, 1.5, "whole number"),
    ],
)
def test_each_bad_entry_is_named(rule_id, entry, value, allowed_fragment) -> None:
    [p] = problems_of(base({rule_id: entry}))
    assert p.unit == UNIT
    assert p.rule_id == rule_id
    assert p.value == value
    text = str(p)
    assert allowed_fragment in text
    assert UNIT in text and rule_id in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in p.problem_zh)  # Chinese first


def test_all_problems_of_a_file_at_once(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "rubric: kvtc-2013-draft\nyear: 2013\nunit: 化学工程系\nentries:\n"
        "  B06.x: {count: 1, reason: r}\n"
        "  B01.docs: {count: 9, reason: r}\n"
        "  B09.activities: {points: 7}\n"
        "  S1.honours: {levels: [galaxy], reason: r}\n",
        encoding="utf-8",
    )
    with pytest.raises(KpaInputError) as exc:
        load_record(path)
    probs = exc.value.problems
    assert [p.rule_id for p in probs] == ["B06.x", "B01.docs", "B09.activities", "S1.honours"]
    assert all(p.unit == "化学工程系" and p.where == str(path) for p in probs)


def test_zero_range_needs_no_reason_but_a_deduction_does() -> None:
    parse_record(base({"B10.missing": {"points": 0}}))
    [p] = problems_of(base({"B10.missing": {"points": 1}}))
    assert p.field == "reason" and "needs a stated reason" in str(p)


def test_top_level_problems() -> None:
    probs = problems_of({"rubric": "kvtc-2099", "year": "2013", "unit": "", "extra": 1})
    fields = {p.field for p in probs}
    assert {"rubric", "year", "unit", "extra", "entries"} <= fields
    rubric = next(p for p in probs if p.field == "rubric")
    assert "kvtc-2013-draft" in str(rubric)


def test_unknown_option_and_value() -> None:
    probs = problems_of(base({}, options={"cap_scope": "college", "colour": "red"}))
    assert {p.field for p in probs} == {"options.cap_scope", "options.colour"}
    assert "subarea|area" in str(probs[0])


def test_unknown_field_in_entry() -> None:
    [p] = problems_of(base({"B01.docs": {"count": 1, "reason": "r", "note": "x"}}))
    assert p.field == "note" and "reason" in p.allowed_en


def test_a_record_naming_another_unit_is_refused(tmp_path) -> None:
    (tmp_path / "2013").mkdir()
    (tmp_path / "units.csv").write_text(
        "unit_id,name_zh,name_en,kind\na,甲系,A,department\nb,乙处,B,office\n", encoding="utf-8"
    )
    for uid in ("a", "b"):
        (tmp_path / "2013" / f"{uid}.yaml").write_text(
            "rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲系\nentries: {}\n", encoding="utf-8"
        )
    with pytest.raises(KpaInputError) as exc:
        load_year(tmp_path, 2013)
    [p] = exc.value.problems  # b.yaml names 甲系; a.yaml is fine
    assert (p.field, p.value, p.allowed_en) == ("unit", "甲系", "乙处")
    assert p.problem_en == "unit name differs from units.csv"


def test_duplicate_unit_in_a_year(tmp_path) -> None:
    """Two ids of units.csv under one name: each file matches its row, so only the year-wide
    duplicate check (campaign.load_year → check_unique_units) can catch it."""
    (tmp_path / "2013").mkdir()
    (tmp_path / "units.csv").write_text(
        "unit_id,name_zh,name_en,kind\na,甲系,A,department\nb,甲系,A again,department\n",
        encoding="utf-8",
    )
    for uid in ("a", "b"):
        (tmp_path / "2013" / f"{uid}.yaml").write_text(
            "rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲系\nentries: {}\n", encoding="utf-8"
        )
    with pytest.raises(KpaInputError) as exc:
        load_year(tmp_path, 2013)
    [p] = exc.value.problems
    assert (p.unit, p.field, p.value) == ("甲系", "unit", "甲系")
    assert p.problem_en == "unit appears twice in one year"
    assert p.where == f"{tmp_path / '2013' / 'a.yaml'} ~ {tmp_path / '2013' / 'b.yaml'}"
    lenient = load_year(tmp_path, 2013, strict=False)  # the report batch's view
    assert [q.problem_en for q in lenient.problems["(year)"]] == ["unit appears twice in one year"]


def test_yaml_is_loaded_safely(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_record(path)
    assert "YAML" in str(exc.value)


def test_unit_ids_never_escape_the_data_folder() -> None:
    from kpa_core.year.data import record_path

    with pytest.raises(KpaInputError):
        record_path("data", 2013, "../../etc/passwd")
    with pytest.raises(KpaInputError):
        record_path("data", 2013, "石油")
    assert record_path("data", 2013, "petroleum").name == "petroleum.yaml"


def test_duplicate_unit_records_are_refused_when_scoring_a_year() -> None:
    from kpa_core.scoring.score import score_year

    recs = [parse_record(base({})), parse_record(base({}))]
    with pytest.raises(KpaInputError) as exc:
        score_year(recs)
    [p] = exc.value.problems
    assert p.unit == UNIT and p.value == UNIT and "one record per unit" in str(p)


def test_unit_id_field_must_match_the_file_name(tmp_path) -> None:
    (tmp_path / "2013").mkdir()
    (tmp_path / "units.csv").write_text(
        "unit_id,name_zh,name_en,kind\na,甲系,A,department\nb,乙处,B,office\n", encoding="utf-8"
    )
    (tmp_path / "2013" / "a.yaml").write_text(
        "rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲系\nunit_id: b\nentries: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(KpaInputError) as exc:
        load_year(tmp_path, 2013)
    [p] = exc.value.problems
    assert (p.unit, p.field, p.value, p.allowed_en) == ("甲系", "unit_id", "b", "a")


def test_a_file_not_in_utf8_is_named_not_a_traceback(tmp_path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("rubric: kvtc-2013-draft\nyear: 2013\nunit: 石油工程系\nentries: {}\n"
                     .encode("gbk"))
    with pytest.raises(KpaInputError) as exc:
        load_record(path)
    [p] = exc.value.problems
    assert p.where == str(path) and "UTF-8" in p.problem_zh and "GBK" in p.problem_en


def test_a_units_table_saved_as_gbk_is_named(tmp_path) -> None:
    from kpa_core.year.data import load_units

    (tmp_path / "units.csv").write_bytes("unit_id,name_zh,name_en,kind\na,甲系,A,department\n"
                                         .encode("gbk"))
    with pytest.raises(KpaInputError) as exc:
        load_units(tmp_path)
    assert "units.csv" in str(exc.value) and "UTF-8" in str(exc.value)


def test_a_rule_written_twice_is_refused_not_silently_overwritten(tmp_path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("rubric: kvtc-2013-draft\nyear: 2013\nunit: 甲\nentries:\n"
                    "  B01.docs: {count: 1, reason: a}\n  B01.docs: {count: 2, reason: b}\n",
                    encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_record(path)
    text = str(exc.value)
    assert "键重复" in text and "'B01.docs'" in text and "lines 5 and 6" in text


@pytest.mark.parametrize("count", [101, 10**400])
def test_absurd_counts_are_refused_before_they_can_overflow(count: int) -> None:
    [p] = problems_of(base({"B05.integrity": {"count": count, "reason": "r"}}))
    assert p.rule_id == "B05.integrity" and "0–100" in p.allowed_zh


def test_absurdly_long_lists_are_refused() -> None:
    [p] = problems_of(base({"B16.judicial": {"cases": [4] * 101, "reason": "r"}}))
    assert p.field == "cases" and "at most 100" in p.problem_en


def test_empty_file_and_list_file_say_what_they_are(tmp_path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_record(empty, unit_id="petroleum")
    [p] = exc.value.problems
    assert (p.problem_zh, p.unit) == ("文件为空", "petroleum")
    with pytest.raises(KpaInputError) as exc:
        parse_record(["B01.docs"])
    assert "not a list" in str(exc.value)


def test_units_table_row_with_surplus_cells(tmp_path) -> None:
    from kpa_core.year.data import load_units

    (tmp_path / "units.csv").write_text(
        "unit_id,name_zh,name_en,kind\na,甲系,A,department,extra\n", encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_units(tmp_path)
    [p] = exc.value.problems
    assert p.field == "row" and p.value == ["extra"] and p.where.endswith("units.csv:2")


def test_invisible_direction_and_control_characters_in_a_unit_name_are_refused(tmp_path) -> None:
    """U+202E (right-to-left override) reverses every character after it on a page, and a
    name with a hidden character looks like another unit's: both tables name each one."""
    from kpa_core.year.data import load_units

    (tmp_path / "units.csv").write_text(
        "unit_id,name_zh,name_en,kind\n"
        "a,甲系\u202e,A,department\nb,乙系,B\x1b[31m,department\nc,丙系,C,department\n",
        encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_units(tmp_path)
    got = [(p.unit, p.field, p.value, p.where.rsplit(":", 1)[1]) for p in exc.value.problems]
    assert got == [("甲系\u202e", "name_zh", "甲系\u202e", "2"),
                   ("乙系", "name_en", "B\x1b[31m", "3")]
    assert "U+202E" in exc.value.problems[0].problem_zh
    assert "U+001B" in exc.value.problems[1].problem_en
    [p] = problems_of(base({}, unit="测试\u2066系"))
    assert (p.field, p.value, p.allowed_en) == (
        "unit", "测试\u2066系", "visible text without control characters")
    assert "U+2066" in p.problem_en
    assert parse_record(base({}, unit="测试系 Test Dept.")).unit == "测试系 Test Dept."  # fine
