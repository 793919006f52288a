"""The assessment controller, driven from plain Python on a temp copy of the sample data.

Hand-worked baseline, 艺术系 (arts) 2013: B02.responsibility (flag, 2) in A1 and
B08.three_haves (range, 2.5) in A3.edu. A1 = 20 − 2 = 18, A2 = 10, A3.edu = 20 − 2.5 = 17.5,
A3 = 17.5 + 15 + 15 + 20 = 67.5, basic = 95.5, bonus 0, total 95.5.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from kpa_core.audit.log import SaveFailedError, append_audit, audit_path, read_audit
from kpa_core.entry.controller import AssessmentController, StaleRecordError, parse_amounts
from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import validate_params
from kpa_core.scoring.record import load_record, parse_record
from kpa_core.scoring.score import score_record

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "data" / "2013" / "audit-log.jsonl").unlink(missing_ok=True)  # start empty
    return tmp_path / "data"


@pytest.fixture()
def arts(data: Path) -> AssessmentController:
    return AssessmentController(data, 2013, "arts")


def zh(problems) -> list[str]:
    return [p.problem_zh for p in problems]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_saving_through_the_form_keeps_the_fields_the_form_does_not_edit(data):
    """rectification: (and assessor:) are record-level fields the form never shows; a save
    that changes one entry must write them back unchanged."""
    path = data / "2013" / "pe.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "rectification: {B01.docs: 按时报送总结}\n", encoding="utf-8")
    c = AssessmentController(data, 2013, "pe")
    assert c.baseline.rectification == {"B01.docs": "按时报送总结"}
    c.set_value("B01.docs", 1)
    c.set_reason("B01.docs", "t")
    c.save("a", "b")
    saved = load_record(path)
    assert saved.rectification == {"B01.docs": "按时报送总结"}
    assert saved.assessor == "纪委办公室"
    assert saved.entries["B01.docs"]["reason"] == "t"
    assert "rectification:" in path.read_text(encoding="utf-8")


# --- loading and live scores -------------------------------------------------------------

def test_load_reads_the_saved_record_and_scores_it(arts):
    card = arts.card()
    assert (card.area_scores["A1"], card.area_scores["A2"], card.area_scores["A3.edu"],
            card.area_scores["A3"], card.total) == (18, 10, 17.5, 67.5, 95.5)
    assert arts.values["B08.three_haves"] == 2.5
    assert arts.reasons["B02.responsibility"] == "岗位廉政责任未分解到人"
    assert arts.values["B01.meetings"] == 4  # a shortfall's empty value is the required number
    assert not arts.dirty and not arts.is_new and arts.problems() == {}


def test_every_change_rescores_item_area_and_total(arts):
    arts.set_value("B02.system", 1.0)
    card = arts.card()
    assert (card.item_scores["B02"], card.area_scores["A1"], card.total) == (2, 17, 94.5)
    arts.set_value("B03.accountability", True)
    card = arts.card()
    assert (card.item_scores["B03"], card.area_scores["A1"], card.total) == (3, 15, 92.5)
    assert arts.rule_amount("B03.accountability") == -2
    assert arts.dirty


def test_a_changed_score_requires_a_reason_but_still_shows_in_the_score(arts):
    problems = arts.set_value("B02.system", 1.0)
    assert zh(problems) == ["扣分须注明原因"]
    assert problems[0].rule_id == "B02.system" and problems[0].unit == "艺术系"
    assert arts.card().total == 94.5
    assert arts.set_reason("B02.system", "制度不健全") == []
    assert arts.entries()["B02.system"] == {"points": 1.0, "reason": "制度不健全"}


def test_a_bonus_without_reason_says_bonus(arts):
    assert zh(arts.set_value("S2.suggestions", 1)) == ["加分须注明原因"]


def test_setting_back_to_empty_removes_the_entry_and_its_reason_demand(arts):
    arts.set_value("B02.system", 1.0)
    arts.set_value("B02.system", 0)
    assert "B02.system" not in arts.entries()
    assert arts.rule_problems("B02.system") == []
    assert not arts.dirty


# --- every validation message, and bad values never counted -----------------------------

@pytest.mark.parametrize(("rule_id", "value", "message"), [
    ("B02.responsibility", "yes", "须为是/否"),
    ("B01.docs", 1.5, "须为整数"),
    ("B01.docs", 4, "超出允许范围"),  # max_count 3
    ("B01.docs", -1, "超出允许范围"),
    ("B01.meetings", -1, "须为≥0的整数"),
    ("B02.system", "abc", "须为数字"),
    ("B04.measures", 2, "超出允许范围"),  # lo 3: only 0 or 3–5
    ("B02.system", 2.5, "超出允许范围"),  # hi 2
    ("B02.system", 1.3, "须为0.5的整数倍"),
    ("B16.judicial", 4, "须为列表"),
    ("B16.judicial", [3], "超出允许范围或不是数字"),  # lo 4
    ("B16.judicial", [4.3], "须为0.5的整数倍"),
    ("B17.reflections", 3, "须为列表"),
    ("B17.reflections", [{"participants": 3}], "须含 participants 与 reflections 两项"),
    ("B17.reflections", [{"participants": 0, "reflections": 0}], "参加人数须为≥1的整数"),
    ("B17.reflections", [{"participants": 3, "reflections": 4}],
     "心得篇数须为0到参加人数之间的整数"),
    ("S1.honours", ["world"], "未知的荣誉级别"),
    ("S1.honours", "national", "须为列表"),
])
def test_each_bad_value_is_named_in_chinese_and_never_counted(arts, rule_id, value,
                                                                     message):
    problems = arts.set_value(rule_id, value)
    assert message in zh(problems)
    bad = next(p for p in problems if p.problem_zh == message)
    assert bad.rule_id == rule_id and bad.allowed_zh  # names the rule and what is allowed
    assert arts.card().total == 95.5  # the last valid value still counts: no jump
    assert arts.rule_amount(rule_id) is None
    assert arts.uncounted() == [rule_id]


def test_cases_typed_as_text_are_parsed_and_bad_tokens_named(arts):
    assert parse_amounts("4, 4.5，5、") == [4.0, 4.5, 5.0]
    assert parse_amounts("4, abc, nan") == [4.0, "abc", "nan"]
    arts.set_cases_text("B16.judicial", "4, 4.5")
    arts.set_reason("B16.judicial", "两人被司法机关查处")
    # A3.pun = 20 − 8.5 = 11.5; total = 95.5 − 8.5 = 87
    card = arts.card()
    assert (card.area_scores["A3.pun"], card.total) == (11.5, 87)
    assert arts.cases_text("B16.judicial") == "4, 4.5"
    problems = arts.set_cases_text("B16.judicial", "4, abc")
    assert [(p.field, p.value, p.problem_zh) for p in problems] == [
        ("cases[1]", "abc", "超出允许范围或不是数字")]


def test_ratio_sessions_exactly_one_third_passes(arts):
    arts.set_value("B17.reflections", [{"participants": 18, "reflections": 6}])
    assert arts.rule_amount("B17.reflections") == 0  # 6/18 = 1/3 passes
    arts.set_value("B17.reflections", [{"participants": 18, "reflections": 5},
                                       {"participants": 9, "reflections": 2}])
    assert arts.rule_amount("B17.reflections") == -2  # both below 1/3
    assert arts.card().area_scores["A3.pun"] == 18


def test_tier_counts_and_note2_cap(arts):
    assert arts.tier_counts("S1.honours") == {"national": 0, "region": 0, "city": 0}
    arts.set_tier_counts("S1.honours", {"city": 2})
    assert arts.values["S1.honours"] == ["city", "city"]
    assert arts.card().special["S1"] == 4
    arts.set_tier_counts("S1.honours", {"national": 1, "region": 1})
    card = arts.card()
    assert (card.special_raw["S1"], card.special["S1"], card.total) == (8, 5, 100.5)
    problems = arts.set_tier_counts("S1.honours", {"national": -1})
    assert zh(problems) == ["荣誉数须为≥0的整数"]
    assert arts.values["S1.honours"] == ["national", "region"]  # unchanged


def test_note1_caps_an_area_at_zero(arts):
    arts.set_value("B05.relatives", 3)  # 3 × 5 = 15 > A2's 10
    card = arts.card()
    assert card.item_scores["B05"] == -5  # an item may go below zero
    assert (card.area_scores["A2"], card.capped["A2"], card.total) == (0, 5, 85.5)


def test_range_does_not_apply_is_zero(arts):
    arts.set_range("B04.measures", True, 3.5)
    assert arts.card().area_scores["A1"] == 14.5
    arts.set_range("B04.measures", False, 3.5)
    assert arts.values["B04.measures"] == 0 and arts.card().area_scores["A1"] == 18


def test_form_sections_follow_the_document(arts):
    sections = arts.sections()
    assert [a.id for a, _ in sections] == ["A1", "A2", "A3", "S"]
    a3 = dict(sections)[next(a for a, _ in sections if a.id == "A3")]
    assert [g.id for g, _ in a3] == ["A3.edu", "A3.sys", "A3.sup", "A3.pun"]
    items = [i.id for _, groups in sections for _, its in groups for i in its]
    assert "B06" not in items and len(items) == 19 and items[:5] == ["B01", "B02", "B03", "B04",
                                                                      "B05"]


# --- saving ------------------------------------------------------------------------------

def test_save_writes_reloads_and_logs(arts, data):
    path = data / "2013" / "arts.yaml"
    before = sha(path)
    arts.set_value("B02.system", 1.0)
    arts.set_reason("B02.system", "制度不健全")
    arts.set_evidence("B02.system", "查阅制度文本")
    arts.save("王分析", "复核补充")
    saved = load_record(path)
    assert saved.entries["B02.system"] == {"points": 1.0, "reason": "制度不健全",
                                           "evidence": "查阅制度文本"}
    assert saved.entries["B02.responsibility"]["applies"] is True  # kept
    assert AssessmentController(data, 2013, "arts").card().total == 94.5
    (line,) = read_audit(data, 2013)
    assert (line["who"], line["why"], line["action"], line["unit_id"], line["total"]) == (
        "王分析", "复核补充", "save_record", "arts", 94.5)
    assert line["what"] == {"B02.system": {"from": None, "to": saved.entries["B02.system"]}}
    assert (line["sha256_before"], line["sha256_after"]) == (before, sha(path))
    assert line["path"] == "data/2013/arts.yaml"
    assert not arts.dirty
    # a second save from the same controller is not stale: it saved the file itself
    arts.set_value("B03.accountability", True)
    arts.set_reason("B03.accountability", "未追究")
    arts.save("王分析", "再补充")
    assert len(read_audit(data, 2013)) == 2


def test_problems_block_saving_all_named_and_nothing_written(arts, data):
    path = data / "2013" / "arts.yaml"
    before = path.read_bytes()
    arts.set_value("B01.docs", 4)
    arts.set_value("B02.system", 1.0)  # no reason
    with pytest.raises(KpaInputError) as info:
        arts.save("", "")
    assert sorted(zh(info.value.problems)) == sorted(
        ["须填写保存人", "须填写保存原因", "超出允许范围", "扣分须注明原因"])
    assert path.read_bytes() == before
    assert read_audit(data, 2013) == []


def test_stale_overwrite_is_refused(data):
    first = AssessmentController(data, 2013, "arts")
    second = AssessmentController(data, 2013, "arts")
    first.set_value("B07.risks", True)
    first.set_reason("B07.risks", "未查找岗位风险")
    first.save("甲", "第一位分析员")
    second.set_value("B14.method", True)
    second.set_reason("B14.method", "未建立监督办法")
    with pytest.raises(StaleRecordError) as info:
        second.save("乙", "第二位分析员")
    assert "已被修改" in info.value.problems[0].problem_zh
    assert info.value.problems[0].unit == "艺术系"
    saved = load_record(data / "2013" / "arts.yaml")
    assert "B07.risks" in saved.entries and "B14.method" not in saved.entries
    assert [line["who"] for line in read_audit(data, 2013)] == ["甲"]
    second.load()  # reload picks up the first analyst's work, then saving works
    assert second.card().total == 94.5
    second.set_value("B14.method", True)
    second.set_reason("B14.method", "未建立监督办法")
    second.save("乙", "第二位分析员")
    assert score_record(load_record(data / "2013" / "arts.yaml")).total == 93.5


def test_a_file_edited_by_hand_is_also_stale(arts, data):
    path = data / "2013" / "arts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    arts.set_value("B14.method", True)
    arts.set_reason("B14.method", "x")
    with pytest.raises(StaleRecordError):
        arts.save("甲", "x")


def test_new_unit_starts_empty_and_a_concurrent_creation_is_stale(data):
    (data / "2013" / "pe.yaml").unlink()
    first = AssessmentController(data, 2013, "pe")
    second = AssessmentController(data, 2013, "pe")
    assert first.is_new and first.card().total == 100
    first.set_value("B18.news", 2)
    first.set_reason("B18.news", "新闻稿件仅2篇")
    first.save("甲", "初次录入")
    record = load_record(data / "2013" / "pe.yaml")
    assert (record.unit, record.year, record.entries) == (
        "体育部", 2013, {"B18.news": {"actual": 2, "reason": "新闻稿件仅2篇"}})
    assert score_record(record).total == 98
    second.set_value("B14.method", True)
    second.set_reason("B14.method", "x")
    with pytest.raises(StaleRecordError):
        second.save("乙", "初次录入")


def test_a_crash_mid_save_leaves_the_old_file_whole(arts, data, monkeypatch):
    path = data / "2013" / "arts.yaml"
    before = path.read_bytes()
    arts.set_value("B14.method", True)
    arts.set_reason("B14.method", "未建立监督办法")

    def crash(*_args, **_kw):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SaveFailedError):  # a clear bilingual error, not an OSError traceback
        arts.save("甲", "x")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert read_audit(data, 2013) == []


def test_unknown_unit_is_named(data):
    with pytest.raises(KpaInputError) as info:
        AssessmentController(data, 2013, "../etc")
    assert info.value.problems[0].problem_zh == "单位不在单位表中"


# --- what-if mode and scenarios ----------------------------------------------------------

def test_whatif_mode_never_overwrites_the_record_unless_on_purpose(arts, data):
    path = data / "2013" / "arts.yaml"
    before = path.read_bytes()
    arts.set_mode("whatif")
    arts.set_value("B02.responsibility", False)
    with pytest.raises(KpaInputError) as info:
        arts.save("甲", "试一试")
    assert "假设分析模式下不会覆盖考核记录" in info.value.problems[0].problem_zh
    with pytest.raises(KpaInputError) as info:
        arts.save_scenario_as_record("甲", "方案采纳为记录", confirmed=False)
    assert "我确认把此方案存为考核记录" in info.value.problems[0].problem_zh
    assert path.read_bytes() == before and read_audit(data, 2013) == []
    arts.save_scenario_as_record("甲", "方案采纳为记录", confirmed=True)
    saved = load_record(path)
    assert saved.entries["B02.responsibility"]["applies"] is False  # its reason text is kept
    assert score_record(saved).total == 97.5  # 95.5 + the flag's 2 points back
    line = read_audit(data, 2013)[0]
    assert (line["mode"], line["route"], line["confirmed"]) == (
        "whatif", "scenario", "我确认把此方案存为考核记录")
    # both copies now show the new record; nothing is left unsaved
    arts.set_mode("entry")
    assert arts.values["B02.responsibility"] is False and not arts.dirty
    assert arts.unsaved() == {}


def test_whatif_edits_live_in_their_own_copy(arts, data):
    """The issue's case: logistics-like B18.news 1 → 4 in what-if must not reach the record."""
    path = data / "2013" / "arts.yaml"
    before = path.read_bytes()
    arts.set_value("B05.relatives", 1)  # an entry edit: A1 20 − 2 − 5 = 13, total 90.5
    arts.set_reason("B05.relatives", "亲属违规经商")
    assert arts.card().total == 90.5
    arts.set_mode("whatif")
    # the scenario starts from the saved record, not from the unsaved entry edit
    assert arts.values["B05.relatives"] == 0 and arts.card().total == 95.5
    arts.set_value("B18.news", 2)  # 4 required, 2 short → −2 (A3.sup 15 − 2)
    assert arts.card().total == 93.5 and arts.comparison().table.loc["total", "delta"] == -2
    arts.set_mode("entry")
    assert arts.values["B18.news"] == 4 and arts.values["B05.relatives"] == 1
    assert arts.card().total == 90.5
    assert set(arts.changes()) == {"B05.relatives"}
    assert arts.unsaved() == {"entry": 1, "whatif": 1}
    arts.save("甲", "补录")
    saved = load_record(path)
    assert "B18.news" not in saved.entries and saved.entries["B05.relatives"]["count"] == 1
    assert path.read_bytes() != before
    line = read_audit(data, 2013)[0]
    assert (line["mode"], line["route"], set(line["what"])) == ("entry", "entry",
                                                                 {"B05.relatives"})
    # the scenario survives the save and is compared with the new record (90.5)
    arts.set_mode("whatif")
    assert arts.values["B18.news"] == 2
    assert arts.comparison().table.loc["total", "baseline"] == 90.5


def test_a_scenario_cannot_replace_unsaved_entry_edits(arts, data):
    arts.set_value("B05.relatives", 1)
    arts.set_mode("whatif")
    arts.set_value("B18.news", 2)
    with pytest.raises(KpaInputError) as info:
        arts.save_scenario_as_record("甲", "采纳", confirmed=True)
    assert "录入模式有未保存的修改" in info.value.problems[0].problem_zh
    assert read_audit(data, 2013) == []


def test_reset_in_one_mode_leaves_the_other(arts):
    arts.set_value("B05.relatives", 1)
    arts.set_mode("whatif")
    arts.set_value("B18.news", 2)
    arts.reset()
    assert arts.values["B18.news"] == 4 and not arts.scenario_unsaved
    arts.set_mode("entry")
    assert arts.values["B05.relatives"] == 1


def test_a_kept_scenario_is_not_unsaved(arts, data, tmp_path, monkeypatch):
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    arts.set_mode("whatif")
    arts.set_value("B18.news", 3)
    assert arts.unsaved() == {"whatif": 1}
    arts.save_scenario("少一篇", "甲", "看名次")
    assert arts.unsaved() == {}
    arts.set_value("B18.news", 2)
    assert arts.unsaved() == {"whatif": 1}


def test_cap_scope_per_record_is_saved_and_scores(data):
    """Note 1's cap scope is an option of each record: shown, settable, saved."""
    c = AssessmentController(data, 2013, "arts")
    assert c.cap_scope() == "subarea" and c.cap_scope_choices() == ["subarea", "area"]
    c.set_cap_scope("subarea")  # the default: nothing to save
    assert not c.dirty
    c.set_cap_scope("area")
    assert c.dirty and c.working_record().options == {"cap_scope": "area"}
    with pytest.raises(KpaInputError) as info:
        c.set_cap_scope("unit")
    assert info.value.problems[0].field == "options.cap_scope"
    c.save("甲", "按第三项整体封顶")
    assert load_record(data / "2013" / "arts.yaml").options == {"cap_scope": "area"}


def test_self_assessment_records_are_their_own_files(data):
    c = AssessmentController(data, 2013, "arts", role="self")
    assert c.path == data / "2013" / "self" / "arts.yaml"
    c.set_value("B05.relatives", 1)
    c.set_reason("B05.relatives", "自查发现")
    c.save("甲", "自评录入")
    saved = load_record(data / "2013" / "self" / "arts.yaml")
    assert saved.role == "self" and saved.entries["B05.relatives"]["count"] == 1
    assert "B05.relatives" not in load_record(data / "2013" / "arts.yaml").entries


def test_reset_returns_to_the_saved_record(arts):
    arts.set_value("B02.responsibility", False)
    arts.set_value("B05.relatives", 1)
    arts.reset()
    assert arts.card().total == 95.5 and not arts.dirty


def test_comparison_and_rank_against_the_year(arts):
    arts.set_mode("whatif")
    arts.set_value("B02.system", 1.0)
    arts.set_value("B03.accountability", True)
    cmp = arts.comparison()
    # 92.5: union 99, marxism 94.5, discipline 93.5, international 93 are above → 5th of 30
    assert (cmp.rank_baseline, cmp.rank_scenario, cmp.n_units) == (2, 5, 30)
    assert cmp.table.loc["A1", "delta"] == -3 and cmp.table.loc["total", "delta"] == -3
    assert cmp.table.loc["A2", "delta"] == 0


def test_save_scenario_writes_params_and_leaves_the_record(arts, data, tmp_path, monkeypatch):
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    path = data / "2013" / "arts.yaml"
    before = path.read_bytes()
    arts.set_mode("whatif")
    arts.set_value("B18.news", 3)  # no reason typed: the scenario gets the what-if reason
    with pytest.raises(KpaInputError) as info:
        arts.save_scenario("  ", "甲", "x")
    assert zh(info.value.problems) == ["须填写方案名称"]
    out = arts.save_scenario("少一篇-新闻稿件", "甲", "看名次变化")
    assert out == tmp_path / "params" / "2013" / "scenarios" / "arts-少一篇-新闻稿件.yaml"
    assert path.read_bytes() == before
    params = validate_params(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert params["kind"] == "scenario" and params["scores"]["total"] == 94.5
    scenario = params["extra"]["scenario"]
    assert scenario["baseline"]["sha256"] == sha(path) and scenario["baseline"]["total"] == 95.5
    assert scenario["baseline"]["path"] == "data/2013/arts.yaml"
    assert scenario["changes"] == {"B18.news": {"from": None, "to": {
        "actual": 3, "reason": "假设分析 / what-if"}}}
    # it reproduces: the embedded record rescored gives the stored total, also by the CLI
    assert score_record(parse_record(params["record"]["data"])).total == 94.5
    from kpa_core.cli import main
    assert main(["reproduce", str(out)]) == 0
    line = read_audit(data, 2013)[-1]
    assert (line["action"], line["scenario"], line["total"]) == (
        "save_scenario", "少一篇-新闻稿件", 94.5)
    # the file's last line is one plain JSON object (Chinese kept readable) holding that entry
    raw = audit_path(data, 2013).read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(raw) == line and "少一篇-新闻稿件" in raw


@pytest.mark.parametrize("name", ["..", "\x00", "少一篇 新闻/稿件", "a.b", "-a", "a" * 49])
def test_a_scenario_name_that_is_not_its_own_file_name_is_refused(arts, name):
    """'..' and '\\x00' both used to become arts-scenario.yaml: now nothing is written."""
    arts.set_mode("whatif")
    arts.set_value("B18.news", 3)
    with pytest.raises(KpaInputError) as info:
        arts.save_scenario(name, "甲", "看名次")
    (problem,) = info.value.problems
    assert problem.problem_zh == "方案名称含不允许的字符或过长" and problem.value == name
    assert "汉字、字母、数字、- 和 _" in problem.allowed_zh
    assert "digits, - and _" in problem.allowed_en
    assert not (arts.data_dir.parent / "params" / "2013" / "scenarios").exists()


def test_a_scenario_of_the_same_name_is_not_overwritten_without_the_flag(data):
    first = AssessmentController(data, 2013, "arts")
    first.set_mode("whatif")
    first.set_value("B18.news", 3)
    path = first.save_scenario("方案一", "甲", "看名次")
    kept = path.read_bytes()
    other = AssessmentController(data, 2013, "arts")  # another analyst, another scenario
    other.set_mode("whatif")
    other.set_value("B05.relatives", 1)
    with pytest.raises(KpaInputError) as info:
        other.save_scenario("方案一", "乙", "另一方案")
    (problem,) = info.value.problems
    assert problem.problem_zh == "已有同名方案，未覆盖"
    assert problem.where == "params/2013/scenarios/arts-方案一.yaml"
    assert path.read_bytes() == kept and other.unsaved() == {"whatif": 1}
    assert [x["action"] for x in read_audit(data, 2013)] == ["save_scenario"]
    assert other.save_scenario("方案一", "乙", "另一方案", overwrite=True) == path
    assert path.read_bytes() != kept and "乙" in path.read_text(encoding="utf-8")


def test_an_overwritten_scenario_is_put_back_when_its_audit_line_fails(data, monkeypatch):
    import kpa_core.entry.controller as controller

    first = AssessmentController(data, 2013, "arts")
    first.set_mode("whatif")
    first.set_value("B18.news", 3)
    path = first.save_scenario("方案一", "甲", "看名次")
    kept = path.read_bytes()

    def fail(*_args, **_kwargs):
        raise SaveFailedError([])

    monkeypatch.setattr(controller, "append_audit", fail)
    first.set_value("B18.news", 2)
    with pytest.raises(SaveFailedError):
        first.save_scenario("方案一", "甲", "再看", overwrite=True)
    assert path.read_bytes() == kept  # put back, not removed
    with pytest.raises(SaveFailedError):
        first.save_scenario("方案二", "甲", "再看")
    assert not path.with_name("arts-方案二.yaml").exists()  # a new one is removed


def test_audit_log_appends_and_checks_its_fields(data):
    assert read_audit(data, 2013) == []
    with pytest.raises(KpaInputError) as info:
        append_audit(data, 2013, who=" ", why="x", action="delete", unit_id="arts", unit="艺术系",
                     what={})
    assert zh(info.value.problems) == ["须填写保存人", "未知的操作"]
    append_audit(data, 2013, who="甲", why="一", action="save_record", unit_id="arts",
                 unit="艺术系", what={"B14.method": {"from": None, "to": {"applies": True}}})
    append_audit(data, 2013, who="乙", why="二", action="save_scenario", unit_id="arts",
                 unit="艺术系", what={})
    lines = audit_path(data, 2013).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "甲" in lines[0]  # Chinese kept readable, one JSON per line
    assert [(x["who"], x["action"]) for x in read_audit(data, 2013)] == [
        ("甲", "save_record"), ("乙", "save_scenario")]
