"""The ipywidgets view, driven from Python without a browser: set widget values, click
buttons, read what is shown. Numbers as in test_controller (艺术系 arts 2013: total 95.5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w
import pytest

from kpa_core.audit.log import read_audit
from kpa_core.entry.view import AssessView, assess_app
from kpa_core.scoring.record import load_record

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def view(tmp_path: Path) -> AssessView:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return AssessView(tmp_path / "data", tmp_path / "params", 2013, "arts")


def total(view: AssessView) -> str:
    text = view.total.value
    return text.split("kpa-total-value'>")[1].split("<")[0]


def test_the_form_is_built_from_the_rubric(view):
    rubric = view.controller.rubric
    assert list(view.controls) == list(rubric.rules)  # one control per rule, document order
    assert view.form.children[1] is not view._panes[1]  # built with the form, drawn when opened
    assert [view.form.get_title(i) for i in range(4)] == [
        f"{a.zh}（{a.points:g}分）" for a in (rubric.areas[x] for x in ("A1", "A2", "A3", "S"))]
    c = view.controls
    assert isinstance(c["B02.responsibility"].check, w.Checkbox)
    assert isinstance(c["B01.docs"].number, w.IntText)
    assert isinstance(c["B01.meetings"].number, w.IntText)
    s = c["B02.system"].slider
    assert (s.min, s.max, s.step, c["B02.system"].applies) == (0, 2, 0.5, None)
    s = c["B04.measures"].slider  # lo 3 > 0: a separate "applies" box gives the 0
    assert (s.min, s.max, s.step, s.disabled) == (3, 5, 0.5, True)
    assert c["B04.measures"].applies.value is False
    assert isinstance(c["B16.judicial"].cases, w.Text)
    assert set(c["S1.honours"].tier) == {"national", "region", "city"}
    assert c["B08.three_haves"].slider.value == 2.5 and c["B08.three_haves"].applies.value
    assert c["B02.responsibility"].reason.value == "岗位廉政责任未分解到人"
    assert "kpa-rule-B02-system" in c["B02.system"].box._dom_classes
    assert total(view) == "95.5"


def test_slider_and_flag_rescore_and_demand_reasons(view):
    c = view.controls
    c["B02.system"].slider.value = 1.0
    assert total(view) == "94.5"
    assert "扣分须注明原因" in c["B02.system"].error.value
    assert "kpa-required" in c["B02.system"].reason._dom_classes
    c["B03.accountability"].check.value = True
    assert total(view) == "92.5"
    assert "<b class=''>3</b> / 5" in view.item_labels["B03"].value
    c["B02.system"].reason.value = "制度不健全"
    assert c["B02.system"].error.value == ""
    assert "kpa-required" not in c["B02.system"].reason._dom_classes
    assert "−1 分" in c["B02.system"].amount.value


def test_invalid_input_is_shown_beside_the_control_escaped_and_not_counted(view):
    c = view.controls
    c["B01.docs"].number.value = 4
    assert "超出允许范围" in c["B01.docs"].error.value
    assert "0–3 的整数" in c["B01.docs"].error.value
    assert "取值有误" in c["B01.docs"].amount.value
    assert total(view) == "95.5"
    c["B16.judicial"].cases.value = "4, <b>x</b>"
    err = c["B16.judicial"].error.value
    assert "超出允许范围或不是数字" in err and "&lt;b&gt;x&lt;/b&gt;" in err and "<b>x" not in err
    assert "B01.docs" in view.scores.value and "B16.judicial" in view.scores.value


def test_range_applies_box(view):
    c = view.controls["B04.measures"]
    c.applies.value = True
    assert not c.slider.disabled and total(view) == "92.5"  # 3 at the slider's low end
    c.slider.value = 4.5
    assert total(view) == "91"
    c.applies.value = False
    assert total(view) == "95.5" and view.controller.values["B04.measures"] == 0


def test_sessions_table(view):
    c = view.controls["B17.reflections"]
    add = next(x for x in c.inputs.children if isinstance(x, w.Button))
    add.click()
    add.click()
    assert len(c.session_rows) == 2
    assert "参加人数须为≥1的整数" in c.error.value  # a new row must be filled in
    assert total(view) == "95.5"
    (p1, r1), (p2, r2) = c.session_rows
    p1.value, r1.value = 18, 5  # 5/18 < 1/3: fails
    p2.value, r2.value = 9, 3  # exactly 1/3: passes
    assert view.controller.values["B17.reflections"] == [
        {"participants": 18, "reflections": 5}, {"participants": 9, "reflections": 3}]
    assert total(view) == "94.5"
    r2.value = 10
    assert "心得篇数须为0到参加人数之间的整数" in c.error.value
    drop = c.sessions_box.children[1].children[2]
    drop.click()
    assert len(c.session_rows) == 1 and total(view) == "94.5"


def test_tier_counts_and_note2_shown(view):
    c = view.controls["S1.honours"]
    c.tier["national"].value = 1
    c.tier["region"].value = 1
    assert total(view) == "100.5"  # 95.5 + min(5 + 3, 5)
    assert "注2封顶" in view.item_labels["S1"].value and "注2封顶" in view.scores.value
    c.tier["city"].value = -1
    assert "荣誉数须为≥0的整数" in c.error.value


def test_note1_capping_shown_where_it_bites(view):
    view.controls["B05.relatives"].number.value = 3
    assert "kpa-capped-A2" in view.scores.value and "注1封顶" in view.scores.value
    assert total(view) == "85.5"


def test_save_button_saves_logs_and_refuses_stale(view, tmp_path):
    c = view.controls
    c["B14.method"].check.value = True
    view.save.click()
    assert "未保存" in view.save_status.value and "须填写保存人" in view.save_status.value
    c["B14.method"].reason.value = "未建立监督办法"
    view.who.value, view.why.value = "王分析", "复核"
    view.save.click()
    assert "已保存" in view.save_status.value
    path = tmp_path / "data/2013/arts.yaml"
    assert load_record(path).entries["B14.method"] == {"applies": True,
                                                       "reason": "未建立监督办法"}
    assert read_audit(tmp_path / "data", 2013)[-1]["who"] == "王分析"  # after the sample's lines
    path.write_text(path.read_text(encoding="utf-8") + "# someone else\n", encoding="utf-8")
    c["B13.style"].check.value = True
    c["B13.style"].reason.value = "推诿"
    view.save.click()
    assert "已被修改" in view.save_status.value
    assert "B13.style" not in load_record(path).entries


def test_whatif_mode_compare_reset_scenario_and_save_on_purpose(view, tmp_path):
    c = view.controls
    path = tmp_path / "data/2013/arts.yaml"
    before = path.read_bytes()
    view.mode.value = "whatif"
    assert view.whatif.layout.display is None and view.save_box.layout.display == "none"
    c["B02.system"].slider.value = 1.0
    c["B03.accountability"].check.value = True
    assert "<b>2</b> → <b class='kpa-rank-scenario'>5</b> / 30" in view.compare.value
    assert "S2.articles" in view.changes.value
    view.save_scenario.click()  # who/why/name missing: named beside the scenario's button
    assert "方案未保存" in view.scenario_status.value and "保存人" in view.scenario_status.value
    view.scenario_name.value = "两项扣分"
    view.scenario_who.value, view.scenario_why.value = "王分析", "看名次"
    view.save_scenario.click()
    assert "方案已保存" in view.scenario_status.value
    assert (tmp_path / "params/2013/scenarios/arts-两项扣分.yaml").exists()
    view.adopt.click()  # without the confirmation box: refused, beside its own button
    assert "我确认把此方案存为考核记录" in view.adopt_status.value
    assert "方案已保存" in view.scenario_status.value  # the scenario's own message stays
    assert path.read_bytes() == before
    # the refusal does not follow the analyst into entry mode, nor do the scenario's values
    view.mode.value = "entry"
    assert view.adopt_status.value == view.scenario_status.value == ""
    assert total(view) == "95.5"
    assert c["B02.system"].slider.value == 0 and c["B03.accountability"].check.value is False
    view.mode.value = "whatif"
    assert total(view) == "92.5" and c["B02.system"].slider.value == 1.0
    view.reset.click()
    assert total(view) == "95.5" and c["B02.system"].slider.value == 0
    c["B14.method"].check.value = True
    view.confirm.value = True
    view.adopt.click()
    status = view.adopt_status.value
    assert "B14.method 原因" in status  # a record needs its reasons ...
    # ... and its own who and why: the scenario's 看名次 is no reason to change the record
    assert "保存人" in status and "保存原因" in status
    c["B14.method"].reason.value = "未建立监督办法"
    view.adopt_who.value, view.adopt_why.value = "李复核", "复核后采纳方案"
    view.adopt.click()
    # 95.5 − 1 (B14.method)
    assert "方案已存为艺术系 2013 考核组记录，合计 94.5" in view.adopt_status.value
    assert "B14.method" in load_record(path).entries
    assert view.confirm.value is False and view.adopt_why.value == ""
    line = read_audit(tmp_path / "data", 2013)[-1]
    assert (line["route"], line["confirmed"]) == ("scenario", "我确认把此方案存为考核记录")
    assert (line["who"], line["why"]) == ("李复核", "复核后采纳方案")


def test_a_scenario_name_taken_asks_for_the_overwrite_box(view, tmp_path):
    c = view.controls
    view.mode.value = "whatif"
    c["B02.system"].slider.value = 1.0
    view.scenario_who.value, view.scenario_why.value = "王分析", "看名次"
    view.scenario_name.value = ".."
    view.save_scenario.click()
    assert "方案名称含不允许的字符" in view.scenario_status.value
    assert not (tmp_path / "params/2013/scenarios").exists()
    view.scenario_name.value = "方案一"
    view.save_scenario.click()
    path = tmp_path / "params/2013/scenarios/arts-方案一.yaml"
    kept = path.read_bytes()
    c["B03.accountability"].check.value = True
    view.save_scenario.click()
    assert "已有同名方案，未覆盖" in view.scenario_status.value and path.read_bytes() == kept
    view.scenario_overwrite.value = True
    view.save_scenario.click()
    assert "方案已保存" in view.scenario_status.value and path.read_bytes() != kept
    assert view.scenario_overwrite.value is False  # the tick never carries over


def test_entry_save_never_takes_the_scenario(view, tmp_path):
    c = view.controls
    view.mode.value = "whatif"
    c["B18.news"].number.value = 1  # the issue's case: 3 short → −3
    view.mode.value = "entry"
    assert c["B18.news"].number.value == 4 and total(view) == "95.5"
    c["B13.style"].check.value = True
    c["B13.style"].reason.value = "推诿"
    view.who.value, view.why.value = "王分析", "补录"
    view.save.click()
    assert "已保存" in view.save_status.value
    saved = load_record(tmp_path / "data/2013/arts.yaml")
    assert "B13.style" in saved.entries and "B18.news" not in saved.entries
    assert read_audit(tmp_path / "data", 2013)[-1]["mode"] == "entry"


def test_a_unit_switch_with_unsaved_edits_asks(view, tmp_path):
    c = view.controls
    c["B13.style"].check.value = True
    assert "kpa-unsaved" in view.unsaved_flag._dom_classes
    view.unit.value = "union"
    # the list is put back, the form still shows arts with its edit, the prompt asks
    assert view.unit.value == "arts" and view.controller.unit.unit_id == "arts"
    assert view.prompt.layout.display is None
    assert "录入有 1 处修改未保存" in view.prompt_text.value and "工会" in view.prompt_text.value
    view.prompt_stay.click()
    assert view.prompt.layout.display == "none" and c["B13.style"].check.value is True
    view.unit.value = "union"
    view.prompt_save.click()  # no who/why: stays, says why
    assert "保存人" in view.prompt_status.value and view.unit.value == "arts"
    c["B13.style"].reason.value = "推诿"
    view.who.value, view.why.value = "王分析", "切换前保存"
    view.prompt_save.click()
    assert view.unit.value == "union" and total(view) == "99"
    assert "B13.style" in load_record(tmp_path / "data/2013/arts.yaml").entries
    assert "kpa-unsaved" not in view.unsaved_flag._dom_classes
    c["B13.style"].check.value = True  # union now; discard it when switching the year
    view.year.value = 2012
    assert view.year.value == 2013 and "录入有 1 处" in view.prompt_text.value
    view.prompt_discard.click()
    assert view.controller.year == 2012 and view.year.value == 2012
    assert c["B13.style"].check.value is False
    assert "B13.style" not in load_record(tmp_path / "data/2013/union.yaml").entries


def test_the_switch_prompt_never_drops_an_unsaved_scenario(view, tmp_path):
    """One entry edit and one what-if edit, then a unit switch: 保存 saves the entry edit and,
    while the scenario has no name, refuses to switch (it used to switch, losing the scenario);
    with a name it keeps the scenario as a file and switches; 放弃 is said to drop both."""
    c = view.controls
    record = tmp_path / "data/2013/arts.yaml"
    c["B13.style"].check.value = True
    c["B13.style"].reason.value = "推诿"
    view.mode.value = "whatif"
    c["B02.system"].slider.value = 1.0
    assert view.controller.unsaved() == {"entry": 1, "whatif": 1}
    view.who.value, view.why.value = "王分析", "切换前保存"
    view.unit.value = "logistics"
    assert "假设方案有 1 处改动未保存为方案" in view.prompt_text.value
    assert "录入与假设方案都丢弃" in view.prompt_text.value
    assert view.prompt_save.layout.display is None
    assert view.prompt_scenario.layout.display is None
    view._prompt_save()
    assert "B13.style" in load_record(record).entries  # the entry edit is saved ...
    assert view.controller.unit.unit_id == "arts" and view.unit.value == "arts"  # ... no switch
    assert "录入已保存；假设方案未保存，未切换" in view.prompt_status.value
    assert "须填写方案名称" in view.prompt_status.value
    assert list(view.controller.unsaved()) == ["whatif"]  # the scenario is still there
    assert view.prompt.layout.display is None
    _label, name, who, why = view.prompt_scenario.children  # they fill the panel's fields
    name.value, who.value, why.value = "切换前方案", "王分析", "看名次"
    assert (view.scenario_name.value, view.scenario_why.value) == ("切换前方案", "看名次")
    view._prompt_save()
    scenario = tmp_path / "params/2013/scenarios/arts-切换前方案.yaml"
    assert scenario.exists() and "B02.system" in scenario.read_text(encoding="utf-8")
    assert view.controller.unit.unit_id == "logistics" and view.unit.value == "logistics"
    assert view.prompt.layout.display == "none"
    assert [x["action"] for x in read_audit(tmp_path / "data", 2013)][-2:] == [
        "save_record", "save_scenario"]


def test_discard_in_the_switch_prompt_drops_entry_and_scenario(view, tmp_path):
    c = view.controls
    c["B13.style"].check.value = True
    view.mode.value = "whatif"
    c["B02.system"].slider.value = 1.0
    view.unit.value = "logistics"
    view.prompt_discard.click()
    assert view.controller.unit.unit_id == "logistics" and view.controller.unsaved() == {}
    assert "B13.style" not in load_record(tmp_path / "data/2013/arts.yaml").entries
    assert not (tmp_path / "params/2013/scenarios").exists()


def test_self_assessment_role_and_cap_scope(view, tmp_path):
    view.role.value = "self"
    assert view.controller.role == "self" and "自评记录" in view.status.value
    assert view.controller.path == tmp_path / "data/2013/self/arts.yaml"
    view.cap_scope.value = "area"
    assert view.controller.dirty
    view.who.value, view.why.value = "王分析", "按第三项整体封顶"
    view.save.click()
    saved = load_record(tmp_path / "data/2013/self/arts.yaml")
    assert saved.role == "self" and saved.options == {"cap_scope": "area"}
    view.role.value = "assessor"
    assert view.cap_scope.value == "subarea" and view.controller.role == "assessor"


def open_every_area(view: AssessView) -> None:
    """Open each area once, so that every rule's control exists (they are built on opening)."""
    for i in range(len(view.form.children)):
        view.form.selected_index = i


def test_analyst_words(view):
    open_every_area(view)  # the words of every kind of rule, in whichever area it is
    c = view.controls
    text = c["B03.accountability"].box.children[0].value
    assert "是/否（是则扣2分）" in text and "true/false" not in text
    sessions = c["B07.sessions"] if "B07.sessions" in c else next(
        x for x in c.values() if x.rule.kind == "ratio")
    assert "participants:" not in sessions.box.children[0].value
    cases = next(x for x in c.values() if x.rule.kind == "range_per_case")
    cases.cases.value = "3, abc"
    assert "第2个案例「abc」" in cases.error.value and "cases[1]" not in cases.error.value
    count = next(x for x in c.values() if x.rule.kind == "per_count")
    count.number.value = 99
    assert "次数「99」" in count.error.value and "count「" not in count.error.value
    rng = next(x for x in c.values() if x.rule.kind == "range" and x.applies is not None)
    assert rng.slider.disabled and rng.slider.readout is False  # no number while off
    rng.applies.value = True
    assert rng.slider.readout is True


def test_a_negative_item_score_carries_note1(view):
    c = view.controls
    c["B05.relatives"].number.value = 3  # −15 on a 10-point item: −5; A1 20 − 2 − 15 = 3
    label = view.item_labels["B05"].value
    assert "<b class='kpa-neg'>-5</b> / 10" in label and "注1" in label
    assert "所在考核项目最低为0分" in label


def test_changing_unit_and_year_reloads(view):
    view.unit.value = "union"
    assert total(view) == "99" and view.controller.unit.unit_id == "union"
    view.year.value = 2012
    assert view.controller.year == 2012 and view.unit.value == "union"
    assert "已载入" in view.status.value


def test_a_broken_record_clears_the_form_instead_of_showing_the_previous_unit(view, tmp_path):
    (tmp_path / "data/2013/union.yaml").write_text("rubric: kvtc-2013-draft\nyear: 2013\n"
                                                   "unit: 工会\nentries: {B06.x: {count: 1}}\n",
                                                   encoding="utf-8")
    view.unit.value = "union"
    assert "基本指标没有第6条" in view.status.value and "B06.x" in view.status.value
    assert view.controller is None and view.form.children == () and view.controls == {}
    assert view.save.disabled and view.save_scenario.disabled
    view.mode.value = "whatif"  # nothing to compare: no error either
    assert "internal error" not in view.status.value
    view.unit.value = "arts"
    assert total(view) == "95.5" and not view.save.disabled


def test_assess_app_reads_the_data_folder_from_the_environment(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "data/2013/pe.yaml").unlink()
    monkeypatch.setenv("KPA_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("KPA_YEAR", "2013")
    monkeypatch.setenv("KPA_UNIT", "pe")
    app = assess_app()
    assert "kpa-app" in app._dom_classes
    status = app.children[4].value
    assert "体育部" in status and "新记录" in status


def test_kpa_app_and_lab_commands(tmp_path):
    from kpa_core.cli.commands import lab

    nb = ROOT / "notebooks" / "assess.ipynb"
    app = lab.server_command("app", nb, 9123, no_browser=True)
    assert app[1:] == ["-m", "kpa_core.cli.local_voila", str(nb), "--port=9123",
                       "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--theme=light",
                       "--template=kpa", "--preheat_kernel=True", "--pool_size=1",
                       "--VoilaExecutor.iopub_timeout=120", "--no-browser"]
    jlab = lab.server_command("lab", nb, 9124, no_browser=False, is_root=True)
    assert jlab[1:] == ["-m", "jupyterlab", str(nb), "--port=9124", "--ServerApp.ip=127.0.0.1",
                        "--ServerApp.port_retries=0", "--allow-root"]
    env = lab.server_env(tmp_path / "data", None, 2013, "arts", "self")
    assert (env["KPA_DATA"], env["KPA_PARAMS"], env["KPA_YEAR"], env["KPA_UNIT"],
            env["KPA_ROLE"]) == (str(tmp_path / "data"), str(tmp_path / "params"), "2013",
                                 "arts", "self")
    assert str(ROOT) in env["PYTHONPATH"].split(":")
    # kpa's offline Voila template is found on JUPYTER_PATH and names no outside host
    template = Path(env["JUPYTER_PATH"].split(":")[0]) / "voila/templates/kpa"
    assert (template / "conf.json").is_file()
    assert "http" not in (template / "index.html.j2").read_text(encoding="utf-8")


def test_kpa_app_help_names_the_real_params_default(capsys):
    """The help must say what server_env does: params/ beside the data folder, not ./params."""
    from kpa_core.cli import main

    with pytest.raises(SystemExit):
        main(["app", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: ./params)" not in out
    assert "<data>/../params" in out


def test_a_busy_port_is_an_error_naming_it(tmp_path, capsys):
    import socket

    from kpa_core.cli import main

    shutil.copytree(ROOT / "data", tmp_path / "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["app", "--data", str(tmp_path / "data"), "--no-browser",
                     f"--port={port}"]) == 2
    err = capsys.readouterr().err
    assert "端口已被占用" in err and str(port) in err and "Traceback" not in err


def test_kpa_app_refuses_a_folder_without_units(tmp_path, capsys):
    from kpa_core.cli import main

    assert main(["app", "--data", str(tmp_path), "--no-browser"]) == 2
    assert "units.csv" in capsys.readouterr().err


def test_notebook_is_only_a_few_lines():
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "assess.ipynb", as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code"]
    lines = [x for x in nb.cells[0].source.splitlines() if x and not x.startswith("#")]
    assert lines == ["from kpa_core.entry.view import assess_app", "assess_app()"]
    # `kpa lab` opens the notebook unrun: its first line says, in Chinese, the one action
    first = nb.cells[0].source.splitlines()[0]
    assert first.startswith("# 打开表单：") and "Shift+Enter" in first


def test_only_the_open_area_is_drawn_until_another_is_opened(view):
    """The browser draws the open area only; the others count, their controls made on demand."""
    form = view.form
    assert form.children[0] is view._panes[0]
    assert all("kpa-pane-placeholder" in p._dom_classes for p in form.children[1:])
    view.controls["B18.news"].number.value = 1  # an unopened area's control still counts
    assert total(view) == "92.5"  # 95.5 − 3
    form.selected_index = 2
    assert form.children[2] is view._panes[2] and form.children[1] is not view._panes[1]


def built(view: AssessView, rule_id: str) -> bool:
    """Whether the rule's control exists."""
    return rule_id in view.controls


def test_an_unopened_area_is_built_with_the_records_values_and_drawn_when_opened(view):
    """#26: every area's controls exist with the form (opening one only draws it) and show the
    record's values, reasons, item scores and problems before it is opened."""
    assert built(view, "B08.three_haves") and "B08" in view.item_labels
    assert view.form.children[2] is not view._panes[2]  # area 三 not on the page yet
    assert total(view) == "95.5"  # arts' B08.three_haves −2.5 (area 三, unopened) counts
    c = view.controls["B08.three_haves"]
    assert c.slider.value == 2.5 and c.applies.value and not c.slider.disabled
    assert c.reason.value == view.controller.reasons["B08.three_haves"] != ""
    assert c.amount.value == "<span class='kpa-neg'>−2.5 分</span>"  # its state is drawn
    assert view.item_labels["B08"].value.count("<b class=''>") == 1  # its score is drawn
    view.form.selected_index = 2
    assert view.form.children[2] is view._panes[2] and "程序错误" not in view.status.value
    with pytest.raises(KeyError):
        view.controls["B99.nothing"]


def test_opening_an_area_creates_no_widget(view, monkeypatch):
    """Area 三's ~345 widgets were sent when it was first opened, one message each (0.9–2.3 s
    under load); built with the form, opening it only puts its pane on the page."""
    import comm

    sent: list[tuple[str, str | None]] = []

    def record(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        sent.append((msg_type, (data or {}).get("method")))
    monkeypatch.setattr(comm.DummyComm, "publish_msg", record)
    view.form.selected_index = 2
    assert "程序错误" not in view.status.value
    assert [m for m in sent if m[0] == "comm_open"] == []
    assert 1 <= len([m for m in sent if m == ("comm_msg", "update")]) <= 3


def test_an_unopened_area_follows_the_unit_and_mode_of_the_moment(view):
    """After a unit switch and in what-if, an area not yet opened shows the copy shown then,
    its problems and hints drawn, and the record's own value again back in entry."""
    view.unit.value = "logistics"
    view.mode.value = "whatif"
    c = view.controls["B18.news"]  # B18 is in area 三, unopened
    assert c.number.value == 1  # logistics' record, shown in what-if's copy
    c.number.value = 3  # what-if only
    assert "原因是否仍适用？原因是为原值「1」填写的" in c.error.value
    view.form.selected_index = 2
    assert "程序错误" not in view.status.value and view.form.children[2] is view._panes[2]
    view.mode.value = "entry"
    assert c.number.value == 1  # the record's own value, once back in entry


def test_the_form_creates_half_the_widgets_it_did(tmp_path):
    """The browser receives every widget the kernel creates (one message for all of them in
    Voila): rule controls that look alike share one Layout and one style, so the form of arts
    2013 creates under half of the 1,725 it did, and opening every area adds none."""
    from ipywidgets.widgets.widget import _instances

    shutil.copytree(ROOT / "data", tmp_path / "data")
    before = len(_instances)
    view = AssessView(tmp_path / "data", tmp_path / "params", 2013, "arts")
    first = len(_instances) - before
    open_every_area(view)
    assert len(_instances) - before == first
    assert first < 1725 / 2, first


def test_the_prompt_asks_each_question_once(view, tmp_path):
    """Only the scenario has edits: the record's 保存人/保存原因 row is not shown (it asked
    for 保存人 twice); both have edits: one 保存人, the record row's, serves both."""
    c = view.controls
    view.mode.value = "whatif"
    c["B02.system"].slider.value = 1.0
    view.unit.value = "logistics"
    assert view.prompt_entry.layout.display == "none"
    assert view.prompt_scenario.layout.display is None
    assert view.prompt_scenario_who.layout.display is None
    view.prompt_stay.click()
    view.mode.value = "entry"
    c["B13.style"].check.value = True
    c["B13.style"].reason.value = "推诿"
    view.unit.value = "logistics"
    assert view.prompt_entry.layout.display is None
    assert view.prompt_scenario_who.layout.display == "none"  # asked once, in the record row
    view.who.value, view.why.value = "王分析", "切换前保存"
    view.scenario_who.value = ""  # nobody typed a scenario 保存人: the record row's serves
    view.scenario_name.value, view.scenario_why.value = "切换前方案", "看名次"
    view.prompt_save.click()
    assert view.controller.unit.unit_id == "logistics"
    lines = read_audit(tmp_path / "data", 2013)[-2:]
    assert [(x["action"], x["who"], x["why"]) for x in lines] == [
        ("save_record", "王分析", "切换前保存"), ("save_scenario", "王分析", "看名次")]


def test_a_changed_value_under_its_old_reason_is_flagged(view, tmp_path):
    """logistics 2013 saved B18.news actual 1 with 廉政文化新闻稿件不足4篇: 1 → 3 keeps that
    reason, so the form asks 原因是否仍适用？; a new reason (or the old value) clears it."""
    view.unit.value = "logistics"
    c = view.controls["B18.news"]
    assert c.number.value == 1 and "原因是否仍适用" not in c.error.value
    c.number.value = 3
    assert "原因是否仍适用？原因是为原值「1」填写的" in c.error.value
    assert "kpa-reason-check" in c.reason._dom_classes
    c.number.value = 1
    assert "原因是否仍适用" not in c.error.value
    c.number.value = 3
    c.reason.value = "廉政文化新闻稿件只报送3篇"
    assert "原因是否仍适用" not in c.error.value
    assert "kpa-reason-check" not in c.reason._dom_classes


def test_whatif_mode_shows_its_banner_and_tints_the_form(view):
    assert view.whatif_banner.layout.display == "none"
    assert "kpa-whatif-mode" not in view.widget._dom_classes
    view.mode.value = "whatif"
    assert view.whatif_banner.layout.display is None
    assert "假设分析：不会改动考核记录" in view.whatif_banner.value
    assert "kpa-whatif-mode" in view.widget._dom_classes
    view.mode.value = "entry"
    assert view.whatif_banner.layout.display == "none"
    assert "kpa-whatif-mode" not in view.widget._dom_classes


def test_messages_speak_of_units_and_records_not_files(view, tmp_path):
    assert "艺术系 2013 考核组记录：已载入" in view.status.value
    c = view.controls
    c["B13.style"].check.value = True
    c["B13.style"].reason.value = "推诿"
    view.who.value, view.why.value = "王分析", "复核"
    view.save.click()
    assert "艺术系 2013 考核组记录已保存，合计 93.5" in view.save_status.value  # 95.5 − 2
    view.mode.value = "whatif"
    view.adopt.click()
    for text in (view.status.value, view.save_status.value, view.adopt_status.value,
                 view.scenario_box.children[0].value):
        assert ".yaml" not in text and "params/" not in text and "data/" not in text
    # the confirmation's words are said once, not again as 允许：…
    assert view.adopt_status.value.count("我确认把此方案存为考核记录") == 1
