"""Reproduce a past assessment from saved params, and name precisely whatever changed since."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hand_records import TESTUNIT_2013

import kpa_core.rubric.model as rubric_mod
from kpa_core.cli import main
from kpa_core.reproduce.params import make_params, read_params, write_params
from kpa_core.reproduce.replay import EntryChange, RuleChange, ScoreChange, reproduce_file
from kpa_core.scoring.grading import grades_param, parse_bands
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record

REPO = Path(__file__).resolve().parents[1]
HEADER = "# 虚构示例数据 FICTIONAL SAMPLE DATA\n"
RECORD = TESTUNIT_2013
# by hand: A1 16, A2 10, A3 20+15+15+15.5 = 65.5; basic 91.5; bonus 3; total 94.5


def dump(data: dict) -> str:
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project (KPA_HOME) with one data file and the params a report made from it."""
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    data_file = tmp_path / "data" / "2013" / "testunit.yaml"
    data_file.parent.mkdir(parents=True)
    data_file.write_text(dump(RECORD), encoding="utf-8")
    record = parse_record(RECORD)
    params = make_params(record, score_record(record), record_path=data_file)
    write_params(tmp_path / "params" / "2013" / "testunit.yaml", params)
    return tmp_path



def params_file(project: Path) -> Path:
    return project / "params" / "2013" / "testunit.yaml"


def add_second_unit(project: Path) -> None:
    """A second unit (no entries: total 100) with its data file and the params made from it."""
    other = dict(RECORD, unit="另一系", unit_id="other", entries={})
    data_file = project / "data" / "2013" / "other.yaml"
    data_file.write_text(dump(other), encoding="utf-8")
    rec = parse_record(other)
    write_params(project / "params" / "2013" / "other.yaml",
                 make_params(rec, score_record(rec), record_path=data_file))


def edit_data(project: Path, entries: dict) -> None:
    (project / "data" / "2013" / "testunit.yaml").write_text(
        dump({**RECORD, "entries": entries}), encoding="utf-8")


def test_saved_params_reproduce(project, capsys):
    result = reproduce_file(params_file(project))
    assert result.ok
    assert result.data_status == "same" and result.entry_source == "file"
    assert (result.old_total, result.new_total) == (94.5, 94.5)
    assert main(["reproduce", str(params_file(project))]) == 0
    assert "reproduced / 已复现 (1/1)" in capsys.readouterr().out


def test_a_changed_entry_is_named_with_old_and_new(project, capsys):
    entries = dict(RECORD["entries"], **{"B01.docs": {"count": 3, "reason": "半年总结迟交"}})
    edit_data(project, entries)
    result = reproduce_file(params_file(project))
    assert not result.ok
    assert result.data_status == "changed"
    assert result.entry_changes == [
        EntryChange("B01.docs", ("count",), RECORD["entries"]["B01.docs"], entries["B01.docs"],
                    -4.0, -6.0)]
    # 3 late documents cost 6, not 4: A1 16 → 14, basic 91.5 → 89.5, total 94.5 → 92.5
    assert result.score_changes == [ScoreChange("A1", 16.0, 14.0),
                                    ScoreChange("rule B01.docs", 4.0, 6.0),
                                    ScoreChange("basic", 91.5, 89.5),
                                    ScoreChange("total", 94.5, 92.5)]
    assert main(["reproduce", str(params_file(project))]) == 1
    out = capsys.readouterr().out
    assert "数据文件已改动 data file changed" in out
    assert "B01.docs" in out and "count=2" in out and "count=3" in out
    assert "94.5 → 92.5" in out
    assert "reproduced / 已复现" not in out


def test_a_changed_data_file_lists_added_and_removed_entries(project):
    entries = {"B01.docs": RECORD["entries"]["B01.docs"],
               "B07.plan": {"applies": True, "reason": "未列入支部宣传教育计划"},
               "B16.judicial": RECORD["entries"]["B16.judicial"]}  # S1.honours dropped
    edit_data(project, entries)
    result = reproduce_file(params_file(project))
    assert [(c.rule_id, c.old_points, c.new_points) for c in result.entry_changes] == [
        ("B07.plan", None, -2.0), ("S1.honours", 3.0, None)]
    # A3.edu 20 → 18 (A3 65.5 → 63.5); the honour's +3 is gone: total 94.5 → 89.5
    assert {c.key: (c.old, c.new) for c in result.score_changes} == {
        "A3.edu": (20.0, 18.0), "A3": (65.5, 63.5), "S1": (3.0, 0.0),
        "rule B07.plan": (None, 2.0), "rule S1.honours": (3.0, None),
        "basic": (91.5, 89.5), "bonus": (3.0, 0.0), "total": (94.5, 89.5)}


def test_a_comment_only_change_reproduces_as_layout_only(project, capsys):
    path = project / "data" / "2013" / "testunit.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 复核 reviewed\n", encoding="utf-8")
    result = reproduce_file(params_file(project))
    assert result.ok and result.layout_only  # a layout-only change is not a change
    assert result.data_status == "changed" and result.entry_changes == []
    assert result.score_changes == []
    assert any("layout only" in n for n in result.notes)
    assert main(["reproduce", str(params_file(project))]) == 0
    out = capsys.readouterr().out
    assert "layout only" in out and "reproduced / 已复现 (1/1)" in out


@pytest.mark.parametrize("change, field, old, new", [
    ({"assessor": "Mallory"}, "assessor", None, "Mallory"),
    ({"rectification": "伪造"}, "rectification", None, "伪造"),
    ({"unit": "伪造系"}, "unit", "测试系", "伪造系"),
    ({"options": {"cap_scope": "subarea"}}, "options", None, {"cap_scope": "subarea"}),
])
def test_a_changed_record_field_is_not_layout_only(project, capsys, change, field, old, new):
    """Same entries and scores, but text the report prints (or an option) changed."""
    (project / "data" / "2013" / "testunit.yaml").write_text(dump({**RECORD, **change}),
                                                             encoding="utf-8")
    result = reproduce_file(params_file(project))
    assert not result.ok and not result.layout_only
    assert result.entry_changes == [] and result.score_changes == []
    assert [(c.field, c.old, c.new) for c in result.field_changes] == [(field, old, new)]
    assert main(["reproduce", str(params_file(project))]) == 1
    out = capsys.readouterr().out
    assert "未复现 NOT reproduced" in out and "layout only" not in out
    assert re.search(rf"{field}\s+\S.*\s{re.escape(str(new))}", out)


def test_an_evidence_change_is_not_layout_only(project):
    entries = {**RECORD["entries"], "B01.docs": {**RECORD["entries"]["B01.docs"],
                                                 "evidence": "会议记录"}}
    edit_data(project, entries)
    result = reproduce_file(params_file(project))
    assert not result.ok and not result.layout_only
    assert [(c.rule_id, c.fields) for c in result.entry_changes] == [("B01.docs", ("evidence",))]


def test_params_without_rectification_match_a_file_without_one(project):
    """Params written before ``rectification`` existed lack it, as does a file without one;
    an empty ``options: {}`` is no option either: the same record, only the layout changed."""
    params = read_params(params_file(project))
    assert "rectification" not in params["record"]["data"]
    assert "options" not in params["record"]["data"]
    (project / "data" / "2013" / "testunit.yaml").write_text(
        dump({**RECORD, "options": {}}) + "# 复核 reviewed\n", encoding="utf-8")
    result = reproduce_file(params_file(project))
    assert result.problems == [] and result.field_changes == []
    assert result.ok and result.layout_only


def test_edited_params_record_is_caught_against_its_file(project):
    params = read_params(params_file(project))
    params["record"]["data"]["entries"]["B01.docs"]["count"] = 1  # the file still says 2
    write_params(params_file(project), params)
    result = reproduce_file(params_file(project))
    assert result.data_status == "same"
    assert [(c.rule_id, c.old["count"], c.new["count"]) for c in result.entry_changes] == [
        ("B01.docs", 1, 2)]
    assert not result.ok


def test_a_gone_data_file_uses_the_embedded_record(project, capsys):
    (project / "data" / "2013" / "testunit.yaml").unlink()
    result = reproduce_file(params_file(project))
    assert result.ok
    assert result.data_status == "missing" and result.entry_source == "embedded"
    assert result.new_total == 94.5
    assert main(["reproduce", str(params_file(project))]) == 0
    assert "数据文件已不存在" in capsys.readouterr().out


def test_data_folder_option_finds_a_moved_data_folder(project, tmp_path):
    moved = tmp_path / "archive" / "data-2013"
    shutil.move(project / "data", moved)
    result = reproduce_file(params_file(project), data_dir=moved)
    assert result.data_status == "same" and result.ok


def test_a_tampered_rubric_names_the_rule_and_its_numbers(project, rubric_dir, capsys):
    path = rubric_dir / "kvtc-2013-draft.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    b01 = next(i for i in data["items"] if i["id"] == "B01")
    docs = next(r for r in b01["rules"] if r["id"] == "B01.docs")
    docs["amount"] = 3  # someone "corrects" the released file in place
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rubric_mod.load_rubric.cache_clear()

    result = reproduce_file(params_file(project))
    assert result.rubric_changed and not result.ok
    assert result.rule_changes == [RuleChange("B01.docs", "amount", 2, 3)]
    # 2 late documents now cost 6 instead of 4
    assert [(c.key, c.old, c.new) for c in result.score_changes] == [
        ("A1", 16.0, 14.0), ("rule B01.docs", 4.0, 6.0), ("basic", 91.5, 89.5),
        ("total", 94.5, 92.5)]
    assert main(["reproduce", str(params_file(project))]) == 1
    out = capsys.readouterr().out
    assert "考核细则已改动 rubric changed" in out
    assert "B01.docs" in out and "amount" in out


def test_a_text_only_rubric_edit_is_a_change_without_rule_numbers(project, rubric_dir):
    path = rubric_dir / "kvtc-2013-draft.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"]["en"] += " (edited)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rubric_mod.load_rubric.cache_clear()
    result = reproduce_file(params_file(project))
    assert result.rubric_changed and result.rule_changes == [] and result.score_changes == []
    assert not result.ok
    assert any("only its text" in n for n in result.notes)


def test_invalid_params_exit_2_naming_the_field(project, capsys):
    path = params_file(project)
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    del params["scores"]["total"]
    params["colour"] = "red"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert main(["reproduce", str(path)]) == 2
    err = capsys.readouterr().err
    assert "scores.total：缺少必填字段" in err and "required field missing" in err
    assert "colour = 'red'：未知字段" in err and "unknown field" in err


def test_grades_reproduce_and_a_grade_change_is_shown(project):
    bands = parse_bands({
        "kpa_bands": 1, "id": "t", "grades": [
            {"grade": "优秀", "en": "excellent", "min_total": 94},
            {"grade": "良好", "en": "good", "min_total": 85},
            {"grade": "不合格", "en": "fail", "min_total": 0}]})
    record = parse_record(RECORD)
    card = score_record(record)
    params = make_params(record, card, record_path=project / "data/2013/testunit.yaml",
                         grades=grades_param(bands, card))
    assert params["grades"]["grade"] == "优秀"  # 94.5 ≥ 94
    write_params(params_file(project), params)
    assert reproduce_file(params_file(project)).ok
    edit_data(project, dict(RECORD["entries"],
                            **{"B01.docs": {"count": 3, "reason": "半年总结迟交"}}))
    result = reproduce_file(params_file(project))
    assert result.grade == ("优秀", "良好")  # 92.5 < 94
    params["grades"]["bands"]["grades"][0]["min_total"] = 90  # tampered bands
    write_params(params_file(project), params)
    problems = reproduce_file(params_file(project)).problems
    assert any("grade bands were altered" in p for p in problems)


def test_a_scenario_without_a_data_file_reproduces_from_its_entries(tmp_path):
    entries = dict(RECORD["entries"], **{"B16.judicial": {"cases": [4], "reason": "假设"}})
    record = parse_record(dict(RECORD, entries=entries))
    path = write_params(tmp_path / "s.yaml", make_params(record, score_record(record),
                                                        kind="scenario",
                                                        extra={"scenario": {"name": "轻判"}}))
    result = reproduce_file(path)
    assert result.ok and result.entry_source == "embedded" and result.data_status == "embedded"
    assert result.new_total == 95.0  # 94.5 with half a point less under B16


def test_folder_run_gives_one_line_per_unit_and_fails_if_one_differs(project, capsys):
    add_second_unit(project)
    assert main(["reproduce", str(project / "params" / "2013")]) == 0
    out = capsys.readouterr().out
    assert out.count("✔ 已复现 reproduced") == 2
    assert "reproduced / 已复现 (2/2)" in out
    edit_data(project, {})
    assert main(["reproduce", str(project / "params" / "2013")]) == 1
    out = capsys.readouterr().out
    assert "✘ 未复现 NOT reproduced testunit 测试系 2013  合计 total 94.5 → 100" in out
    assert re.search(r"✔ 已复现 reproduced +other +另一系 +2013 ", out)  # aligned columns
    assert "未复现 / NOT reproduced: 1 / 2" in out


def test_all_2013_sample_params_reproduce(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("KPA_HOME", str(REPO))
    files = sorted((REPO / "params" / "2013").glob("*.yaml"))
    units = sorted((REPO / "data" / "2013").glob("*.yaml"))
    assert [f.name for f in files] == [u.name for u in units]  # one params file per unit
    assert main(["reproduce", "params/2013/"]) == 0
    out = capsys.readouterr().out
    assert out.count("✔ 已复现 reproduced") == len(files) == 30
    assert f"reproduced / 已复现 ({len(files)}/{len(files)})" in out


@pytest.mark.notebook
def test_html_re_renders_the_report_of_a_reproduced_unit(monkeypatch, tmp_path, capsys):
    pytest.importorskip("kpa_core.report")
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("KPA_HOME", str(REPO))
    out_dir = tmp_path / "html"
    assert main(["reproduce", "params/2013/chemical.yaml", "--html", str(out_dir)]) == 0
    assert "reproduced / 已复现 (1/1)" in capsys.readouterr().out
    html = (out_dir / "chemical.html").read_text(encoding="utf-8")
    assert "化学工程系" in html and "77.5" in html


def _edit_params_text(project: Path, old: str, new: str) -> None:
    """Edit the params file as text, the way a hand edit would (bypassing write_params)."""
    path = params_file(project)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, field", [
    ("  total: 94.5\n", "  total: .nan\n", "scores.total"),
    ("  basic: 91.5\n", "  basic: .inf\n", "scores.basic"),
    ("{A1: 16.0,", "{A1: .nan,", "scores.areas.A1"),
])
def test_a_nan_score_is_an_input_problem_not_a_reproduction(project, capsys, old, new, field):
    _edit_params_text(project, old, new)
    assert main(["reproduce", str(params_file(project))]) == 2
    err = capsys.readouterr().err
    assert f"[测试系].{field} = " in err and "must be finite" in err


def test_a_nan_score_never_compares_equal():
    from kpa_core.reproduce.replay import diff_scores

    card = score_record(parse_record(RECORD))
    saved = {"basic": 91.5, "bonus": 3.0, "total": float("nan"),
             "areas": dict(card.area_scores), "special": dict(card.special)}
    assert [c.key for c in diff_scores(saved, card)] == ["total"]


def test_edited_saved_rubric_numbers_are_named_rule_by_rule(project, capsys):
    params = read_params(params_file(project))
    numbers = params["rubric"]["numbers"]["rules"]
    del numbers["B02.procedure"]
    numbers["B01.docs"]["amount"] = "two"
    numbers["B03.accountability"]["amount"] = 3
    write_params(params_file(project), params)
    result = reproduce_file(params_file(project))
    assert not result.ok and not result.rubric_changed  # the rubric file is untouched
    assert sorted(result.rule_changes, key=lambda c: c.rule_id) == [
        RuleChange("B01.docs", "amount", "two", 2),
        RuleChange("B02.procedure", "(rule)", "—", "存在 present"),
        RuleChange("B03.accountability", "amount", 3, 2)]
    assert main(["reproduce", str(params_file(project))]) == 1
    out = capsys.readouterr().out
    assert "保存的细则分值不符 saved rubric numbers differ (3 项)" in out
    assert "B03.accountability" in out and "reproduced / 已复现" not in out


@pytest.mark.parametrize("bad", ["../../../etc/passwd", "/etc/passwd"])
def test_a_record_path_outside_the_project_is_refused(project, capsys, bad):
    _edit_params_text(project, "path: data/2013/testunit.yaml", f"path: {bad}")
    assert main(["reproduce", str(params_file(project))]) == 2
    err = capsys.readouterr().err
    assert f"[测试系].record.path = '{bad}'" in err
    assert "must be the record file" in err and "data/2013/testunit.yaml" in err


def test_a_folder_summary_gives_the_cause_when_only_scores_differ(project, capsys):
    add_second_unit(project)
    _edit_params_text(project, "  bonus: 3.0\n", "  bonus: 2.0\n")
    assert main(["reproduce", str(project / "params" / "2013")]) == 1
    out = capsys.readouterr().out.splitlines()
    line = next(ln for ln in out if "NOT reproduced testunit" in ln)
    assert line.endswith("[得分不同 scores differ (1 项)]")


def test_a_misnamed_params_file_and_a_unit_twice_are_flagged(project, capsys):
    folder = project / "params" / "2013"
    shutil.copy(folder / "testunit.yaml", folder / "chemical.yaml")
    assert main(["reproduce", str(folder / "chemical.yaml")]) == 1
    out = capsys.readouterr().out
    assert "文件名与单位不符 / the file name does not match the unit: chemical.yaml" in out
    assert main(["reproduce", str(folder)]) == 1
    out = capsys.readouterr().out
    assert ("⚠ 同一单位出现多次 the same unit appears more than once: testunit 2013: "
            "chemical.yaml, testunit.yaml") in out
    assert re.search(r"✔ 已复现 reproduced +testunit ", out)  # the correct one still reproduces
    assert "未复现 / NOT reproduced: 1 / 2" in out


def test_a_data_folder_outside_the_project_is_stored_relative_to_it(tmp_path, monkeypatch):
    """Reports made from an archive folder (--data elsewhere) stay reproducible with --data."""
    monkeypatch.setenv("KPA_HOME", str(tmp_path / "project"))
    (tmp_path / "project").mkdir()
    archive = tmp_path / "archive" / "data"
    data_file = archive / "2013" / "testunit.yaml"
    data_file.parent.mkdir(parents=True)
    data_file.write_text(dump(RECORD), encoding="utf-8")
    record = parse_record(RECORD)
    params = make_params(record, score_record(record), record_path=data_file, data_dir=archive)
    assert params["record"]["path"] == "data/2013/testunit.yaml"
    path = write_params(tmp_path / "project" / "params" / "2013" / "testunit.yaml", params)
    result = reproduce_file(path, data_dir=archive)
    assert result.data_status == "same" and result.ok
