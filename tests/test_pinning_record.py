"""Pinning record validation: roles, the assessor field, and save_record refusing bad records."""

from __future__ import annotations

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.record import Record, parse_record, save_record

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
    from kpa_core.record import load_record

    again = load_record(path)
    assert (again.unit_id, again.role, again.assessor) == ("testunit", "self", "甲")
    assert again.entries == {"B01.docs": {"count": 2.0, "reason": "迟交"}}
