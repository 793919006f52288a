"""Pinning reproduce: half a point is a change, saved cap scopes are used, item and area point
changes are named, and params that disagree with their record are flagged.

The expected scores are worked out by hand from RUBRIC.md and asserted on the params *before*
reproducing, so a reproduction is never only "the code agrees with what the code wrote".
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hand_records import TESTUNIT_2013

import kpa_core.rubric.model as rubric_mod
from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import make_params, read_params, rubric_numbers, write_params
from kpa_core.reproduce.replay import RuleChange, ScoreChange, diff_numbers, reproduce_file
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record

RECORD = TESTUNIT_2013
# by hand: A1 16, A2 10, A3 20 + 15 + 15 + 15.5 = 65.5; basic 91.5; bonus 3; total 94.5

# A3.pun: judicial 3 × 5 = 15 + unreported 2 × 4 = 8 → 23 (3 over its 20); A3.edu: plan 2.
OVER = {
    "B16.judicial": {"cases": [5, 5, 5], "reason": "三人被司法机关处理"},
    "B16.unreported": {"count": 2, "reason": "瞒报两起"},
    "B07.plan": {"applies": True, "reason": "未列入计划"},
}
# subarea: A3 = 18 + 15 + 15 + 0 = 48, total 20 + 10 + 48 = 78
# area:    A3 = 70 − 25 = 45,           total 20 + 10 + 45 = 75


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_project(root: Path, record: dict, cap_scope: str | None = None,
                  params_year: int = 2013) -> Path:
    """data/2013/testunit.yaml and the params a report run made from it; returns the params."""
    data_file = root / "data" / "2013" / "testunit.yaml"
    data_file.parent.mkdir(parents=True, exist_ok=True)
    data_file.write_text(dump(record), encoding="utf-8")
    rec = parse_record(record)
    params = make_params(rec, score_record(rec, cap_scope=cap_scope), record_path=data_file)
    return write_params(root / "params" / str(params_year) / "testunit.yaml", params)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    return tmp_path



def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- half a point ------------------------------------------------------------------------------

def test_a_saved_total_half_a_point_off_is_not_reproduced(home) -> None:
    path = write_project(home, RECORD)
    assert read_params(path)["scores"]["total"] == 94.5
    assert reproduce_file(path).ok
    edit_text(path, "  total: 94.5\n", "  total: 95.0\n")
    result = reproduce_file(path)
    assert not result.ok
    assert result.score_changes == [ScoreChange("total", 95.0, 94.5)]


def test_half_a_point_more_in_the_data_file_changes_every_sum_above_it(home) -> None:
    path = write_project(home, RECORD)
    edited = copy.deepcopy(RECORD)
    edited["entries"]["B16.judicial"]["cases"] = [5]
    (home / "data" / "2013" / "testunit.yaml").write_text(dump(edited), encoding="utf-8")
    result = reproduce_file(path)
    assert [(c.rule_id, c.fields, c.old_points, c.new_points) for c in result.entry_changes] == [
        ("B16.judicial", ("cases",), -4.5, -5.0)]
    # A3.pun 15.5 → 15, A3 65.5 → 65, basic 91.5 → 91, total 94.5 → 94
    assert {c.key: (c.old, c.new) for c in result.score_changes} == {
        "A3": (65.5, 65.0), "A3.pun": (15.5, 15.0), "rule B16.judicial": (4.5, 5.0),
        "basic": (91.5, 91.0), "total": (94.5, 94.0)}


# --- cap scopes --------------------------------------------------------------------------------

def test_a_saved_area_cap_scope_is_used_when_rescoring(home) -> None:
    record = dict(RECORD, entries=OVER)  # no options in the file: the rubric default is subarea
    path = write_project(home, record, cap_scope="area")
    params = read_params(path)
    assert params["options"] == {"cap_scope": "area"}
    assert (params["scores"]["areas"]["A3"], params["scores"]["total"]) == (45.0, 75.0)
    result = reproduce_file(path)
    assert result.ok and result.new_total == 75.0 and result.card.cap_scope == "area"


def test_a_saved_subarea_scope_overrides_the_records_own_option(home) -> None:
    record = dict(RECORD, entries=OVER, options={"cap_scope": "area"})
    path = write_project(home, record, cap_scope="subarea")  # e.g. kpa report --cap-scope subarea
    params = read_params(path)
    assert params["options"] == {"cap_scope": "subarea"}
    assert (params["scores"]["areas"]["A3"], params["scores"]["total"]) == (48.0, 78.0)
    result = reproduce_file(path)
    assert result.ok and result.new_total == 78.0 and result.card.cap_scope == "subarea"


def test_a_cap_scope_edited_in_the_params_shows_the_score_change(home) -> None:
    path = write_project(home, dict(RECORD, entries=OVER), cap_scope="subarea")
    edit_text(path, "\noptions: {cap_scope: subarea}", "\noptions: {cap_scope: area}")
    result = reproduce_file(path)
    assert not result.ok and result.card.cap_scope == "area"
    # the A3.pun overflow of 3 now eats 3 points elsewhere in A3: 48 → 45, 78 → 75
    assert {c.key: (c.old, c.new) for c in result.score_changes} == {
        "A3": (48.0, 45.0), "A3.pun": (0.0, -3.0), "basic": (78.0, 75.0),
        "total": (78.0, 75.0)}


# --- item and area points ----------------------------------------------------------------------

def test_diff_numbers_names_item_and_area_point_changes() -> None:
    old = rubric_numbers(load_rubric("kvtc-2013-draft"))
    assert old["items"]["B01"] == {"area": "A1", "points": 5} and old["areas"]["A1"] == 20
    new = copy.deepcopy(old)
    new["items"]["B01"]["points"] = 6
    new["items"]["B05"]["area"] = "A1"
    new["areas"]["A1"] = 21
    new["items"]["B06"] = {"area": "A1", "points": 1}  # an item added (there is no item 6)
    del new["areas"]["A3.sup"]  # an area removed
    new["options"]["cap_scope"] = "area"
    assert diff_numbers(old, new) == [
        RuleChange("B01", "points", 5, 6),
        RuleChange("B05", "area", "A2", "A1"),
        RuleChange("B06", "points", None, {"area": "A1", "points": 1}),
        RuleChange("A1", "points", 20, 21),
        RuleChange("A3.sup", "points", 15, None),
        RuleChange("options.cap_scope", "default", "subarea", "area"),
    ]
    assert diff_numbers(old, copy.deepcopy(old)) == []


def test_an_item_point_change_in_the_rubric_file_is_reported(home, rubric_dir) -> None:
    path = write_project(home, RECORD)
    rubric_file = rubric_dir / "kvtc-2013-draft.yaml"
    data = yaml.safe_load(rubric_file.read_text(encoding="utf-8"))
    b07 = next(i for i in data["items"] if i["id"] == "B07")
    b08 = next(i for i in data["items"] if i["id"] == "B08")
    b07["points"], b08["points"] = 6, 6  # 5 + 7 → 6 + 6: A3.edu still sums to 20
    rubric_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    rubric_mod.load_rubric.cache_clear()
    result = reproduce_file(path)
    assert result.rubric_changed and not result.ok
    assert result.rule_changes == [RuleChange("B07", "points", 5, 6),
                                   RuleChange("B08", "points", 7, 6)]
    assert result.score_changes == []  # no entry under B07 or B08: the scores stand


# --- params that disagree with their record ----------------------------------------------------

def test_params_naming_another_unit_than_its_record_are_flagged(home) -> None:
    path = write_project(home, RECORD)
    edit_text(path, "unit: 测试系\nunit_id", "unit: 别的系\nunit_id")
    result = reproduce_file(path)
    assert not result.ok
    assert result.problems == ["记录的 unit 与参数不符 / the record's unit differs from the "
                               "params: '别的系' → '测试系'"]
    assert result.score_changes == []  # the scores alone would have passed


def test_params_of_another_year_than_its_record_are_flagged(home) -> None:
    path = write_project(home, RECORD, params_year=2014)  # params/2014/testunit.yaml
    edit_text(path, "year: 2013\nunit:", "year: 2014\nunit:")
    # The 2014 params still name the 2013 record file: that path is not the record of the
    # params' unit and year, so the params file itself is invalid (exit 2), never a pass.
    with pytest.raises(KpaInputError) as caught:
        reproduce_file(path)
    (problem,) = caught.value.problems
    assert problem.field == "record.path" and problem.value == "data/2013/testunit.yaml"
    assert problem.allowed_en == "data/2014/testunit.yaml"


def test_params_of_another_rubric_than_its_record_are_flagged(home, rubric_dir) -> None:
    twin = rubric_dir / "kvtc-2099-twin.yaml"  # the same numbers under another id
    data = yaml.safe_load((rubric_dir / "kvtc-2013-draft.yaml").read_text(encoding="utf-8"))
    data["id"] = "kvtc-2099-twin"
    twin.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rubric_mod.load_rubric.cache_clear()
    data_file = home / "data" / "2013" / "testunit.yaml"
    data_file.parent.mkdir(parents=True)
    data_file.write_text(dump(RECORD), encoding="utf-8")
    rec = parse_record(RECORD)
    card = score_record(rec, rubric=load_rubric("kvtc-2099-twin"))
    assert card.total == 94.5
    path = write_params(home / "params" / "2013" / "testunit.yaml",
                        make_params(rec, card, record_path=data_file))
    result = reproduce_file(path)
    assert not result.ok
    assert result.problems == ["记录的 rubric 与参数不符 / the record's rubric differs from "
                               "the params: 'kvtc-2099-twin' → 'kvtc-2013-draft'"]


# --- params typed by hand, not written by kpa -------------------------------------------------

HAND_PARAMS = """\
kpa_params: 1
kind: report
made: '2013-12-31T12:00:00+08:00'
kpa_version: 0.0.1
rubric: {id: kvtc-2013-draft,
         sha256: 46f997e4d7006c98e071ed5b2820ee44c9f3b7ab473b156bf44dee64b9aadd38}
options: {cap_scope: area}
year: 2013
unit: 测试系
unit_id: testunit
record:
  data:
    rubric: kvtc-2013-draft
    year: 2013
    unit: 测试系
    entries:
      B16.judicial: {cases: [5, 5, 5], reason: 三人被司法机关处理}
      B16.unreported: {count: 2, reason: 瞒报两起}
      B07.plan: {applies: true, reason: 未列入计划}
      S2.articles: {cases: [2.5], reason: 文章被采用}
scores:
  areas: {A1: 20, A2: 10, A3: 45, A3.edu: 18, A3.sys: 15, A3.sup: 15, A3.pun: -3}
  special: {S1: 0, S2: 2.5}
  basic: 75
  bonus: 2.5
  total: 77.5
"""


def test_params_typed_by_hand_reproduce_with_the_hand_numbers(home) -> None:
    """Scores worked out on paper (cap_scope area: A3 = 70 − 25 = 45; +2.5 bonus), not by kpa."""
    path = home / "params" / "2013" / "testunit.yaml"
    path.parent.mkdir(parents=True)
    # as a report, params that name no record file are refused (issue #24): nothing to check
    # the embedded record against; as a scenario (no data file by nature) they are rescored
    path.write_text(HAND_PARAMS, encoding="utf-8")
    with pytest.raises(KpaInputError, match="record.path"):
        reproduce_file(path)
    hand = HAND_PARAMS.replace("kind: report", "kind: scenario")
    path.write_text(hand, encoding="utf-8")
    result = reproduce_file(path)
    assert result.problems == [] and result.score_changes == []
    assert result.ok and result.new_total == 77.5 and result.entry_source == "embedded"
    # the same file with the subarea reading it did not use: A3 48, total 80.5 — not reproduced
    path.write_text(hand.replace("cap_scope: area", "cap_scope: subarea"), encoding="utf-8")
    result = reproduce_file(path)
    assert {c.key: (c.old, c.new) for c in result.score_changes} == {
        "A3": (45, 48), "A3.pun": (-3, 0), "basic": (75, 78), "total": (77.5, 80.5)}


# --- what the office reads ---------------------------------------------------------------------

def test_the_full_account_of_a_changed_unit_reads_exactly_so() -> None:
    from kpa_core.reproduce.replay import EntryChange, Reproduction, report_text, summary_line

    r = Reproduction(path="params/2013/testunit.yaml", unit="测试系", unit_id="testunit",
                     year=2013, rubric_id="kvtc-2013-draft", old_total=94.5, new_total=92.5,
                     rubric_changed=True, rubric_sha=("a" * 64, "b" * 64),
                     rule_changes=[RuleChange("B01.docs", "amount", 2, 3)],
                     data_status="changed", data_path="data/2013/testunit.yaml",
                     data_sha=("c" * 64, "d" * 64),
                     entry_changes=[EntryChange("B07.plan", ("applies",), None,
                                                {"applies": True, "reason": "x"}, None, -2.0)],
                     score_changes=[ScoreChange("total", 94.5, 92.5)],
                     grade=("优秀", "良好"), problems=["p1"], notes=["n1"])
    assert summary_line(r) == (
        "✘ 未复现 NOT reproduced testunit 测试系 2013  合计 total 94.5 → 92.5  [问题 problems 1; "
        "细则改动 rubric changed (1 项 changes); 数据文件改动 data file changed; "
        "条目变化 entries 1; 得分不同 scores differ (1 项); 等级 grade 优秀 → 良好]")
    lines = report_text(r).splitlines()
    assert lines[1:4] == [
        "  参数文件 params: params/2013/testunit.yaml",
        "  考核细则已改动 rubric changed: kvtc-2013-draft sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb…",
        "    规则 rule  字段 field  原值 old  现值 new"]
    assert ["B01.docs", "amount", "2", "3"] in [ln.split() for ln in lines]
    assert ("  数据文件已改动 data file changed: data/2013/testunit.yaml sha256 cccccccccccc… → "
            "dddddddddddd…") in lines
    assert any(ln.split() == ["B07.plan", "（无", "none）", "applies=True", "—", "-2"]
               for ln in lines)
    assert any(ln.split() == ["total", "94.5", "92.5", "-2"] for ln in lines)
    assert lines[-3:] == ["  等级变化 grade changed: 优秀 → 良好", "  问题 problem: p1",
                          "  注 note: n1"]


def test_the_one_line_summaries_of_other_cases() -> None:
    from kpa_core.reproduce.replay import Reproduction, summary_line

    ok = Reproduction(path="p", unit="甲", unit_id=None, year=2013, rubric_id="r",
                      old_total=100.0, new_total=100.0)
    assert ok.ok and summary_line(ok) == "✔ 已复现 reproduced   - 甲 2013  合计 total 100"
    edited = Reproduction(path="p", unit="甲", unit_id="a", year=2013, rubric_id="r",
                          old_total=100.0, rule_changes=[RuleChange("B01.docs", "amount", 3, 2)])
    assert not edited.ok
    assert summary_line(edited).endswith(
        "合计 total 100 → —  [保存的细则分值不符 saved rubric numbers differ (1 项)]")
    odd = Reproduction(path="p", unit="甲", unit_id="a", year=2013, rubric_id="r",
                       old_total=100.0, new_total=100.0, data_status="unknown")
    assert not odd.ok and summary_line(odd).endswith("[见下文 see below]")
    same_grade = Reproduction(path="p", unit="甲", unit_id="a", year=2013, rubric_id="r",
                              old_total=90.0, new_total=90.0, grade=("良好", "良好"))
    assert same_grade.ok


def test_the_small_formatters_of_the_account() -> None:
    from kpa_core.reproduce.replay import (
        EntryChange,
        Reproduction,
        _entry_text,
        _fmt_any,
        _signed,
        _signed_text,
        report_text,
    )

    rubric = load_rubric("kvtc-2013-draft")
    assert _signed(rubric, "B01.docs", 4.0) == -4.0 and _signed(rubric, "S1.honours", 3.0) == 3.0
    assert _signed(None, "B01.docs", 4.0) == -4.0  # no rubric: shown as a deduction
    assert _signed(rubric, "B01.docs", None) is None
    assert (_signed_text(0), _signed_text(-2.5), _signed_text(3), _signed_text(None)) == (
        "0", "-2.5", "+3", "—")
    both = _entry_text({"count": 2, "reason": "迟交"}, ("count", "reason"))
    assert both == "count=2, reason=迟交"
    assert _entry_text({"count": 2}, ("reason",)) == "（无 none）"
    assert _entry_text(None, ("count",)) == "（无 none）"
    assert (_fmt_any(2.0), _fmt_any(3), _fmt_any(True), _fmt_any("two")) == ("2", "3", "True",
                                                                           "two")
    r = Reproduction(path="p", unit="甲", unit_id="a", year=2013, rubric_id="r", old_total=96.0,
                     new_total=94.0, data_status="changed", data_path="d.yaml",
                     data_sha=(None, "d" * 64),
                     entry_changes=[EntryChange("B01.docs", ("count",), {"count": 2},
                                                {"count": 3}, -4.0, -6.0)])
    lines = report_text(r).splitlines()
    assert "  数据文件已改动 data file changed: d.yaml sha256 … → dddddddddddd…" in lines
    assert "  条目变化 entry changes (原 = 参数中保存的 saved, 现 = 现在评分的 rescored):" in lines
    assert any(ln.split() == ["B01.docs", "count=2", "count=3", "-4", "-6"] for ln in lines)


def test_the_account_tables_have_their_bilingual_headers() -> None:
    from kpa_core.reproduce.replay import EntryChange, Reproduction, report_text

    r = Reproduction(path="p", unit="甲", unit_id="a", year=2013, rubric_id="r", old_total=96.0,
                     new_total=94.0,
                     entry_changes=[EntryChange("B01.docs", ("count",), {"count": 2},
                                                {"count": 3}, -4.0, -6.0)],
                     score_changes=[ScoreChange("total", 96.0, 94.0)])
    words = [ln.split() for ln in report_text(r).splitlines()]
    assert ["规则", "rule", "原条目", "old", "entry", "现条目", "new", "entry", "原分", "old",
            "pts", "现分", "new", "pts"] in words
    assert ["得分变化", "score", "changes:"] in words
    assert ["得分", "score", "原", "old", "现", "new", "差", "change"] in words
    assert ["total", "96", "94", "-2"] in words


def test_entry_changes_without_a_rubric_come_in_id_order() -> None:
    from kpa_core.reproduce.replay import diff_entries

    old = {"S1.honours": {"levels": ["city"]}, "B01.docs": {"count": 1}}
    new = {"B16.judicial": {"cases": [4]}, "B01.docs": {"count": 1}}
    changes = diff_entries(old, new, {"S1.honours": 2.0}, {"B16.judicial": 4.0}, None)
    assert [(c.rule_id, c.old_points, c.new_points) for c in changes] == [
        ("B16.judicial", None, -4.0), ("S1.honours", -2.0, None)]
    rubric = load_rubric("kvtc-2013-draft")  # with the rubric: its order, bonuses positive
    changes = diff_entries(old, new, {"S1.honours": 2.0}, {"B16.judicial": 4.0}, rubric)
    assert [(c.rule_id, c.old_points, c.new_points) for c in changes] == [
        ("B16.judicial", None, -4.0), ("S1.honours", 2.0, None)]


def test_entry_changes_follow_the_rubric_and_name_value_fields_first() -> None:
    from kpa_core.reproduce.replay import diff_entries

    rubric = load_rubric("kvtc-2013-draft")
    # the rubric lists B02.system before B02.procedure (alphabetically the other way round)
    old = {"B02.system": {"points": 1, "reason": "x"},
           "B17.reflections": {"sessions": [{"participants": 3, "reflections": 0}],
                               "reason": "少"},
           "B01.docs": {"count": 0}}
    new = {"B02.procedure": {"points": 2, "reason": "y"},
           "B17.reflections": {"sessions": [{"participants": 3, "reflections": 1}],
                               "reason": "够"},
           "B01.docs": {"count": 1, "reason": "迟交"},
           "S1.honours": {"levels": ["region"], "reason": "z"}}
    changes = diff_entries(old, new, {"B02.system": 1.0, "B17.reflections": 1.0},
                           {"B02.procedure": 2.0, "B17.reflections": 0.0, "S1.honours": 3.0},
                           rubric)
    assert [(c.rule_id, c.fields, c.old_points, c.new_points) for c in changes] == [
        ("B01.docs", ("count", "reason"), 0.0, 0.0),  # amounts missing from both: 0, not None
        ("B02.system", ("points", "reason"), -1.0, None),
        ("B02.procedure", ("points", "reason"), None, -2.0),
        ("B17.reflections", ("sessions", "reason"), -1.0, 0.0),  # the value before the reason
        ("S1.honours", ("levels", "reason"), None, 3.0),  # a bonus stays positive
    ]


def test_a_saved_score_group_that_is_missing_counts_as_changed() -> None:
    from kpa_core.reproduce.replay import diff_scores

    card = score_record(parse_record(RECORD))
    saved = {"basic": 91.5, "bonus": 3.0, "total": 94.5, "areas": dict(card.area_scores)}
    assert diff_scores(saved, card) == [ScoreChange("S1", None, 3.0), ScoreChange("S2", None, 0.0)]


def test_diff_numbers_with_whole_groups_missing_or_added() -> None:
    rule = {"kind": "per_count", "amount": 2}
    assert diff_numbers({}, {"rules": {"B01.docs": rule}}) == [
        RuleChange("B01.docs", "(rule)", "—", "存在 present")]
    assert diff_numbers({"rules": {"B01.docs": rule}}, {}) == [
        RuleChange("B01.docs", "(rule)", "存在 present", "—")]
    assert diff_numbers({"areas": {"A1": 20}}, {}) == [RuleChange("A1", "points", 20, None)]
    assert diff_numbers({}, {"items": {"B01": {"area": "A1", "points": 5}}}) == [
        RuleChange("B01", "points", None, {"area": "A1", "points": 5})]
    # a removed rule does not stop the rules after it from being compared
    old = {"rules": {"B01.docs": rule, "B01.meetings": {"kind": "shortfall", "amount": 1}}}
    new = {"rules": {"B01.meetings": {"kind": "shortfall", "amount": 2}}}
    assert diff_numbers(old, new) == [RuleChange("B01.docs", "(rule)", "存在 present", "—"),
                                      RuleChange("B01.meetings", "amount", 1, 2)]
    # an option on one side only is a change too
    assert diff_numbers({"options": {"cap_scope": "subarea"}}, {"options": {}}) == [
        RuleChange("options.cap_scope", "default", "subarea", None)]


def test_every_problem_of_a_params_file_is_kept(home) -> None:
    from kpa_core.reproduce.replay import reproduce_params

    params = read_params(write_project(home, RECORD))
    params["rubric"]["id"] = "kvtc-1999-gone"
    params["record"]["data"]["entries"]["B06.x"] = {"count": 1, "reason": "无"}
    result = reproduce_params(params, path=str(home / "params" / "2013" / "other.yaml"))
    assert result.rubric_id == "kvtc-1999-gone" and not result.ok
    assert len(result.problems) == 3
    assert result.problems[0].startswith("考核细则 kvtc-1999-gone 已不存在 / rubric "
                                         "kvtc-1999-gone no longer exists")
    assert result.problems[1].startswith("文件名与单位不符")
    assert "embedded record invalid" in result.problems[2]
    assert "other.yaml (record.data)" in result.problems[2] and "B06.x" in result.problems[2]


def test_the_embedded_record_takes_the_unit_id_of_the_params(home) -> None:
    path = write_project(home, {k: v for k, v in RECORD.items() if k != "unit_id"})
    edit_text(path, "unit_id: null", "unit_id: testunit")  # a report's params name their unit
    (home / "data" / "2013" / "testunit.yaml").unlink()
    result = reproduce_file(path)
    assert result.entry_source == "embedded" and result.record.unit_id == "testunit"


def test_error_paths_keep_earlier_problems_and_say_where(home) -> None:
    from kpa_core.reproduce.replay import reproduce_params

    path = write_project(home, RECORD)
    params = read_params(path)
    wrong_name = str(home / "params" / "2013" / "other.yaml")  # a name problem first
    data_file = home / "data" / "2013" / "testunit.yaml"
    data_file.write_text(dump({**RECORD, "entries": {"B01.docs": {"count": 9, "reason": "x"}}}),
                         encoding="utf-8")
    result = reproduce_params(params, path=wrong_name)
    assert result.data_path == str(data_file) and result.data_status == "changed"
    assert [p[:9] for p in result.problems] == ["文件名与单位不符 ", "数据文件现已无效 "]
    assert "B01.docs" in result.problems[1]
    # bands that no longer parse: named with the file and the field, after the name problem
    data_file.write_text(dump(RECORD), encoding="utf-8")
    params["grades"] = {"bands": {"kpa_bands": 1, "id": "t", "grades": []}, "sha256": "0" * 64,
                        "grade": "x", "grade_en": "x", "vetoed_by": []}
    result = reproduce_params(params, path=wrong_name)
    assert len(result.problems) == 2 and "other.yaml (grades.bands)" in result.problems[1]
    assert result.record is not None and result.record.unit == "测试系"


def test_older_params_without_rule_amounts_are_priced_with_todays_rubric(home) -> None:
    path = write_project(home, RECORD)
    text = path.read_text(encoding="utf-8")
    start = text.index("  rules: {")
    path.write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    assert "rules" not in read_params(path)["scores"]
    assert reproduce_file(path).ok
    edited = copy.deepcopy(RECORD)
    edited["entries"]["B01.docs"]["count"] = 3
    (home / "data" / "2013" / "testunit.yaml").write_text(dump(edited), encoding="utf-8")
    result = reproduce_file(path)
    assert [(c.rule_id, c.old_points, c.new_points) for c in result.entry_changes] == [
        ("B01.docs", -4.0, -6.0)]


def test_the_kpa_version_is_noted_only_when_it_changed(home) -> None:
    from kpa_core import __version__

    path = write_project(home, RECORD)
    assert not any("kpa version changed" in n for n in reproduce_file(path).notes)
    edit_text(path, f"kpa_version: {__version__}\n", "kpa_version: 0.0.1\n")
    result = reproduce_file(path)
    assert f"kpa 版本 0.0.1 → {__version__} / kpa version changed" in result.notes
    assert result.ok  # a newer kpa that gives the same numbers still reproduces


def test_a_rubric_that_is_gone_is_not_replaced_by_the_records(home) -> None:
    path = write_project(home, RECORD)
    edit_text(path, "  id: kvtc-2013-draft\n", "  id: kvtc-1999-gone\n")
    result = reproduce_file(path)
    assert not result.ok and result.card is None and result.new_total is None
    assert result.problems[0].startswith("考核细则 kvtc-1999-gone 已不存在")


def test_an_entry_change_under_a_changed_rubric_shows_the_saved_old_points(home,
                                                                           rubric_dir) -> None:
    path = write_project(home, RECORD)  # saved: B01.docs 2 × 2 = 4
    rubric_file = rubric_dir / "kvtc-2013-draft.yaml"
    data = yaml.safe_load(rubric_file.read_text(encoding="utf-8"))
    docs = next(r for i in data["items"] if i["id"] == "B01" for r in i["rules"]
                if r["id"] == "B01.docs")
    docs["amount"] = 3
    rubric_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    rubric_mod.load_rubric.cache_clear()
    edited = copy.deepcopy(RECORD)
    edited["entries"]["B01.docs"]["count"] = 3
    (home / "data" / "2013" / "testunit.yaml").write_text(dump(edited), encoding="utf-8")
    result = reproduce_file(path)
    # old: what the params saved (2 × 2), not 2 × 3 priced with today's rubric; new: 3 × 3
    assert [(c.rule_id, c.old_points, c.new_points) for c in result.entry_changes] == [
        ("B01.docs", -4.0, -9.0)]
