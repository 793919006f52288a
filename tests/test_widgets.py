"""The ipywidgets view, driven from Python without a browser: set widget values, click
buttons, read what is shown. Numbers as in test_controller (艺术系 arts 2013: total 95.5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w
import pytest

from kpa_core.audit_log import read_audit
from kpa_core.record import load_record
from kpa_core.widgets_view import AssessView, assess_app

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
    view.mode.value = "whatif"
    assert view.whatif.layout.display is None
    c["B02.system"].slider.value = 1.0
    c["B03.accountability"].check.value = True
    assert "<b>2</b> → <b class='kpa-rank-scenario'>5</b> / 30" in view.compare.value
    assert "S2.articles" in view.changes.value
    view.scenario_name.value = "两项扣分"
    view.who.value, view.why.value = "王分析", "看名次"
    view.save_scenario.click()
    assert "方案已保存" in view.save_status.value
    assert (tmp_path / "params/2013/scenarios/arts-两项扣分.yaml").exists()
    path = tmp_path / "data/2013/arts.yaml"
    before = path.read_bytes()
    view.save.click()  # without the confirmation box: refused
    assert "假设分析模式下不会覆盖考核记录" in view.save_status.value
    assert path.read_bytes() == before
    view.reset.click()
    assert total(view) == "95.5" and c["B02.system"].slider.value == 0
    c["B14.method"].check.value = True
    view.confirm.value = True
    view.save.click()
    assert "B14.method.reason" in view.save_status.value  # a record needs its reasons
    c["B14.method"].reason.value = "未建立监督办法"
    view.save.click()
    assert "已保存" in view.save_status.value and "B14.method" in load_record(path).entries
    assert view.confirm.value is False


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
    from kpa_core.commands import lab

    nb = ROOT / "notebooks" / "assess.ipynb"
    app = lab.server_command("app", nb, 9123, no_browser=True)
    assert app[1:] == ["-m", "voila", str(nb), "--port=9123", "--Voila.ip=127.0.0.1",
                       "--theme=light", "--no-browser"]
    jlab = lab.server_command("lab", nb, 9124, no_browser=False, is_root=True)
    assert jlab[1:] == ["-m", "jupyterlab", str(nb), "--port=9124", "--ServerApp.ip=127.0.0.1",
                        "--allow-root"]
    env = lab.server_env(tmp_path / "data", None, 2013, "arts")
    assert (env["KPA_DATA"], env["KPA_PARAMS"], env["KPA_YEAR"], env["KPA_UNIT"]) == (
        str(tmp_path / "data"), str(tmp_path / "params"), "2013", "arts")
    assert str(ROOT) in env["PYTHONPATH"].split(":")


def test_kpa_app_refuses_a_folder_without_units(tmp_path, capsys):
    from kpa_core.cli import main

    assert main(["app", "--data", str(tmp_path), "--no-browser"]) == 2
    assert "units.csv" in capsys.readouterr().err


def test_notebook_is_only_a_few_lines():
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "assess.ipynb", as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code"]
    lines = [x for x in nb.cells[0].source.splitlines() if x and not x.startswith("#")]
    assert lines == ["from kpa_core.widgets_view import assess_app", "assess_app()"]
