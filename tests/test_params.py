"""Saved run parameters: what is written, that it reads back, and that bad files are named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import (
    make_params,
    read_params,
    validate_params,
    write_params,
    write_params_if_changed,
)
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record

# Released rubrics never change: this is the content hash of kvtc-2013-draft as released.
# A corrected rubric must be a new file with a new id, never an edit of this one.
KVTC_2013_DRAFT_SHA256 = "46f997e4d7006c98e071ed5b2820ee44c9f3b7ab473b156bf44dee64b9aadd38"

RECORD = {
    "rubric": "kvtc-2013-draft", "year": 2013, "unit": "测试系", "unit_id": "testunit",
    "entries": {
        "B01.docs": {"count": 2, "reason": "半年总结迟交"},
        "B16.judicial": {"cases": [4.5], "reason": "一人被司法机关处理"},
        "S1.honours": {"levels": ["region"], "reason": "自治区级先进集体"},
    },
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (KPA_HOME) with one data file."""
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    data = tmp_path / "data" / "2013"
    data.mkdir(parents=True)
    (data / "testunit.yaml").write_text(yaml.safe_dump(RECORD, allow_unicode=True),
                                        encoding="utf-8")
    return tmp_path


def made(project: Path) -> dict:
    record = parse_record(RECORD)
    card = score_record(record)
    return make_params(record, card, record_path=project / "data" / "2013" / "testunit.yaml")


def test_released_rubric_is_pinned():
    assert load_rubric("kvtc-2013-draft").sha256 == KVTC_2013_DRAFT_SHA256


def test_params_hold_scores_worked_by_hand(project):
    p = made(project)
    # B01.docs 2×2 = 4 off A1; B16.judicial 4.5 off A3.pun; S1 region +3
    assert p["scores"]["areas"]["A1"] == 16
    assert p["scores"]["areas"]["A3.pun"] == 15.5
    assert p["scores"]["areas"]["A3"] == 65.5
    assert (p["scores"]["basic"], p["scores"]["bonus"], p["scores"]["total"]) == (91.5, 3, 94.5)
    assert p["scores"]["rules"] == {"B01.docs": 4.0, "B16.judicial": 4.5, "S1.honours": 3.0}
    assert p["rubric"]["sha256"] == KVTC_2013_DRAFT_SHA256
    assert p["rubric"]["numbers"]["rules"]["B01.docs"] == {"kind": "per_count", "amount": 2,
                                                           "max_count": 3}
    assert p["rubric"]["numbers"]["rules"]["S1.honours"]["levels"] == {"national": 5,
                                                                      "region": 3, "city": 2}
    # the data path is stored relative to the project root, whatever form it was given in
    assert p["record"]["path"] == "data/2013/testunit.yaml"
    assert p["record"]["data"]["entries"]["B01.docs"]["count"] == 2


def test_write_then_read_round_trips(project):
    p = made(project)
    path = write_params(project / "params" / "2013" / "testunit.yaml", p)
    assert read_params(path) == p
    assert "测试系" in path.read_text(encoding="utf-8")  # Chinese kept readable, not escaped


def test_extra_goes_under_extra_and_known_fields_replace(project):
    record = parse_record(RECORD)
    p = make_params(record, score_record(record), kind="scenario",
                    extra={"scenario": {"name": "少扣两分"}, "made": "2020-01-01T00:00:00+00:00"})
    assert p["extra"] == {"scenario": {"name": "少扣两分"}}
    assert "scenario" not in p
    assert p["made"] == "2020-01-01T00:00:00+00:00"
    assert "path" not in p["record"]
    validate_params(p)


def test_rewrite_only_when_content_changes(project):
    path = project / "params" / "2013" / "testunit.yaml"
    first = made(project)
    assert write_params_if_changed(path, first) is True
    before = path.read_bytes()
    again = made(project)
    again["made"] = "2030-01-01T00:00:00+00:00"  # only the time differs
    assert write_params_if_changed(path, again) is False
    assert path.read_bytes() == before
    again["scores"]["total"] = 90.0
    assert write_params_if_changed(path, again) is True
    assert read_params(path)["scores"]["total"] == 90.0


def test_missing_fields_are_named_all_at_once(project):
    p = made(project)
    del p["scores"]["total"]
    del p["rubric"]["sha256"]
    with pytest.raises(KpaInputError) as info:
        validate_params(p, where="params/2013/testunit.yaml")
    fields = sorted(pr.field for pr in info.value.problems)
    assert fields == ["rubric.sha256", "scores.total"]
    text = info.value.render()
    assert "缺少必填字段" in text and "required field missing" in text
    assert "[测试系].scores.total" in text
    assert "@ params/2013/testunit.yaml" in text


def test_a_file_missing_every_field_names_each_once():
    with pytest.raises(KpaInputError) as info:
        validate_params({"a": [1]}, where="params/2099/x.yaml")
    fields = [pr.field for pr in info.value.problems]
    required = ["kpa_params", "kind", "made", "kpa_version", "rubric", "options", "year",
                "unit", "record", "scores"]
    assert sorted(fields) == sorted(["a", *required])  # 11 problems, not 101
    assert info.value.render().startswith("发现 11 个输入问题 / 11 input problem(s) found:")


def test_unknown_fields_are_named_with_what_is_allowed(project):
    p = made(project)
    p["colour"] = "red"
    p["options"]["cap_scop"] = "area"  # a typo must not be silently ignored
    with pytest.raises(KpaInputError) as info:
        validate_params(p)
    by_field = {pr.field: pr for pr in info.value.problems}
    assert set(by_field) == {"colour", "options.cap_scop"}
    assert by_field["colour"].problem_zh == "未知字段"
    assert by_field["colour"].problem_en == "unknown field"
    assert by_field["colour"].value == "red"
    assert "scores" in by_field["colour"].allowed_en
    assert by_field["options.cap_scop"].allowed_en == "cap_scope"


def test_wrong_values_and_half_pairs(project):
    p = made(project)
    bad = copy.deepcopy(p)
    bad["kind"] = "draft"
    bad["year"] = "2013"
    del bad["record"]["sha256"]  # a path without its hash proves nothing
    with pytest.raises(KpaInputError) as info:
        validate_params(bad)
    by_field = {pr.field: pr for pr in info.value.problems}
    assert by_field["kind"].allowed_en == "report|scenario"
    assert by_field["year"].value == "2013"
    assert by_field["record.sha256"].problem_en == "required field missing (needed with path)"


def test_read_uses_the_safe_loader_and_accepts_a_hand_typed_timestamp(project, tmp_path):
    p = made(project)
    path = write_params(tmp_path / "p.yaml", p)
    text = path.read_text(encoding="utf-8").replace(f"made: '{p['made']}'",
                                                    "made: 2026-11-27T09:00:00+00:00")
    path.write_text(text, encoding="utf-8")
    assert read_params(path)["made"] == "2026-11-27T09:00:00+00:00"
    path.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(KpaInputError, match="YAML"):
        read_params(path)


def test_write_refuses_what_would_not_read_back(project, tmp_path):
    p = made(project)
    p["scores"]["total"] = "94.5"
    with pytest.raises(KpaInputError, match="scores.total"):
        write_params(tmp_path / "p.yaml", p)
    assert not (tmp_path / "p.yaml").exists()


def test_non_finite_scores_are_refused_by_field(project):
    p = made(project)
    p["scores"]["total"] = float("nan")
    p["scores"]["areas"]["A1"] = float("inf")
    with pytest.raises(KpaInputError) as info:
        validate_params(p, where="p.yaml")
    by_field = {pr.field: pr for pr in info.value.problems}
    assert set(by_field) == {"scores.total", "scores.areas.A1"}
    assert by_field["scores.total"].allowed_en == "a finite number"
    assert "不能是 .nan" in str(by_field["scores.total"])


def test_schema_messages_are_bilingual_words_not_regexes(project):
    p = made(project)
    p["year"] = -1
    p["record"]["sha256"] = "abc"
    p["scores"]["basic"] = "ninety"
    with pytest.raises(KpaInputError) as info:
        validate_params(p)
    by_field = {pr.field: pr for pr in info.value.problems}
    assert (by_field["year"].problem_zh, by_field["year"].problem_en) == (
        "超出允许范围", "out of the allowed range")
    assert by_field["year"].allowed_zh == "2000–2100 之间的整数"
    assert by_field["year"].allowed_en == "a whole number from 2000 to 2100"
    assert by_field["record.sha256"].problem_en == "wrong format"
    assert by_field["record.sha256"].allowed_en.startswith("a 64-hex-digit sha256")
    assert "64 位十六进制" in by_field["record.sha256"].allowed_zh
    assert by_field["scores.basic"].problem_en == "wrong type"
    assert by_field["scores.basic"].allowed_zh == "数字"
    text = info.value.render()
    assert "^[0-9a-f]" not in text and "is not of type" not in text


def test_record_paths_may_not_leave_the_project(project, tmp_path):
    from kpa_core.reproduce.params import resolve_data_path

    assert resolve_data_path("data/2013/testunit.yaml") == project / "data/2013/testunit.yaml"
    for bad in ("../../../etc/passwd", "/etc/passwd", "data/../../outside.yaml"):
        with pytest.raises(KpaInputError) as info:
            resolve_data_path(bad)
        problem = info.value.problems[0]
        assert problem.field == "record.path" and problem.value == bad
        assert "工作区" in problem.allowed_zh and "workspace root" in problem.allowed_en
    moved = tmp_path / "moved"
    with pytest.raises(KpaInputError, match="leaves the data folder"):
        resolve_data_path("data/../../../etc/passwd", data_dir=moved)


def test_non_utf8_and_duplicate_keys_are_input_problems(project, tmp_path):
    p = made(project)
    path = write_params(tmp_path / "p.yaml", p)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gbk"))  # 测试系 saved as GBK by a Windows editor
    with pytest.raises(KpaInputError, match="not UTF-8"):
        read_params(path)
    path.write_text(text + "year: 2014\n", encoding="utf-8")  # a second year key
    with pytest.raises(KpaInputError) as info:
        read_params(path)
    [p] = info.value.problems  # the duplicate key itself, not some other complaint about "year"
    assert p.problem_zh == "同一文件中键重复（后者会覆盖前者）"
    assert p.problem_en.startswith("duplicated key 'year' (lines ")
    assert p.where == str(path)
