"""The thin ipywidgets face of ``AssessmentController``: entry form, live scores, what-if.

Nothing here decides a score, a problem or whether a file may be written; every event is passed
to the controller and the widgets are redrawn from what it answers. The form is built from the
rubric data (areas → sub-areas → items → rules), one control per rule by its kind, an area's
controls when it is first opened (``form_areas``). Widgets carry stable CSS classes (``kpa-…``)
so that browser tests and styles do not depend on ipywidgets' internal DOM.

Entry and what-if show two working copies of the controller: the view only chooses which one
is on screen, and every control is redrawn from it on a mode switch. A switch of unit, year or
role with unsaved edits asks first (保存 / 放弃 / 留在此处; 保存 keeps an unsaved what-if
scenario as a scenario file or does not switch, see ``_prompt_save``); leaving the page with unsaved
edits makes the browser warn (a tiny script in an HTML widget watches a ``kpa-unsaved`` class).

Used by ``notebooks/assess.ipynb`` (``kpa lab``) and served as a web app by Voila (``kpa app``).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from kpa_core.entry.controller import (
    CONFIRM_SCENARIO_AS_RECORD,
    ENV_DATA,
    ENV_PARAMS,
    ENV_ROLE,
    ENV_UNIT,
    ENV_YEAR,
    ROLES_ZH,
    AssessmentController,
    StaleRecordError,
)
from kpa_core.entry.form_areas import FormAreas
from kpa_core.entry.process_line import state_html, who_widget
from kpa_core.entry.rectify_panel import RectifyPanel
from kpa_core.entry.styles import (
    STALE_HTML,
    STYLE,
    UNLOAD_GUARD,
    esc,
    fmt,
    in_view,
    problems_html,
    record_words,
    with_class,
)
from kpa_core.entry.switch_prompt import SwitchPrompt
from kpa_core.entry.whatif_panel import WhatifPanel
from kpa_core.entry.words import CAP_SCOPES
from kpa_core.errors import KpaInputError
from kpa_core.store.paths import default_data_dir, default_params_dir, years_with_records
from kpa_core.year.data import load_units, record_path


class AssessView(SwitchPrompt, WhatifPanel, FormAreas):
    """The whole app: choose year, role and unit, fill in the form, watch scores, try
    what-ifs, save."""

    def __init__(self, data_dir: str | Path | None = None, params_dir: str | Path | None = None,
                 year: int | None = None, unit_id: str | None = None, role: str | None = None):
        self.data_dir = Path(data_dir or os.environ.get(ENV_DATA) or default_data_dir())
        self.params_dir = Path(params_dir or os.environ.get(ENV_PARAMS) or default_params_dir())
        self.units = load_units(self.data_dir)
        years = years_with_records(self.data_dir)[0]  # an empty year folder is skipped
        year = int(year or os.environ.get(ENV_YEAR) or years[-1])
        unit_id = unit_id or os.environ.get(ENV_UNIT) or next(iter(self.units))
        role = role or os.environ.get(ENV_ROLE) or "assessor"
        self.controller: AssessmentController | None = None
        self._forget_form()  # controls, item labels, panes: built per rubric (form_areas)
        self._quiet = False
        self._pending: tuple[str, Any] | None = None  # a switch waiting for the prompt
        self._shown: dict[str, Any] = {"year": year, "role": role, "unit": unit_id}

        # -- what to open --
        self.year = with_class(w.Dropdown(options=years, value=year, description="年度",
                                          layout=w.Layout(width="150px"),
                                          style={"description_width": "40px"}), "kpa-year")
        self.role = with_class(w.Dropdown(
            options=[(f"{ROLES_ZH['assessor']} assessor", "assessor"),
                     (f"{ROLES_ZH['self']} self-assessment", "self")],
            value=role, description="记录类型", layout=w.Layout(width="270px"),
            style={"description_width": "70px"}), "kpa-role")
        self.unit = with_class(w.Dropdown(options=self._unit_options(year, role), value=unit_id,
                                          description="单位", layout=w.Layout(width="330px"),
                                          style={"description_width": "40px"}), "kpa-unit")
        self.reload = with_class(w.Button(description="重新载入 reload",
                                          layout=w.Layout(width="140px")), "kpa-reload")
        self.mode = with_class(w.ToggleButtons(options=[("录入 entry", "entry"),
                                                        ("假设分析 what-if", "whatif")],
                                               value="entry"), "kpa-mode")
        self.cap_scope = with_class(w.Dropdown(
            options=[(f"{zh} {en}", k) for k, (zh, en) in CAP_SCOPES.items()],
            value="subarea", description="注1封顶", layout=w.Layout(width="330px"),
            style={"description_width": "60px"}), "kpa-cap-scope")
        self.status = with_class(w.HTML(), "kpa-status")
        self.unsaved_flag = with_class(w.HTML(UNLOAD_GUARD), "kpa-unsaved-flag")

        # -- the prompt before a switch that would lose edits --
        self.prompt_text = with_class(w.HTML(), "kpa-prompt-text")
        self.prompt_save = with_class(w.Button(description="保存 save", button_style="primary",
                                               layout=w.Layout(width="120px")),
                                      "kpa-prompt-save")
        self.prompt_discard = with_class(w.Button(description="放弃 discard",
                                                  button_style="danger",
                                                  layout=w.Layout(width="120px")),
                                         "kpa-prompt-discard")
        self.prompt_stay = with_class(w.Button(description="留在此处 stay",
                                               layout=w.Layout(width="140px")), "kpa-prompt-stay")
        self.prompt_status = with_class(w.HTML(), "kpa-prompt-status")

        # -- the form and the scores --
        self.form = with_class(w.Accordion(), "kpa-form")
        self.scores = with_class(w.HTML(), "kpa-scores")
        self.total = with_class(w.HTML(), "kpa-total")

        # -- entry: saving the record --
        self.who = with_class(w.Text(description="保存人", placeholder="姓名",
                                     layout=w.Layout(width="260px"),
                                     style={"description_width": "70px"}), "kpa-who")
        self.who = who_widget(self.data_dir, self.who)  # kpa.toml's people as a list, if any
        self.why = with_class(w.Text(description="保存原因", placeholder="如 复核后补充扣分",
                                     layout=w.Layout(width="98%"),
                                     style={"description_width": "70px"}), "kpa-why")
        self.save = with_class(w.Button(description="保存考核记录 save record",
                                        button_style="primary", layout=w.Layout(width="220px")),
                               "kpa-save")
        self.save_status = with_class(w.HTML(), "kpa-save-status")
        self.save_box = with_class(w.VBox([w.HTML("<h4>保存考核记录 Save the record</h4>"),
                                           self.who, self.why, self.save, self.save_status]),
                                   "kpa-save-box", "kpa-box")

        # -- what-if: the scenario --
        self.compare = with_class(w.HTML(), "kpa-compare")
        self.changes = with_class(w.HTML(), "kpa-changes")
        self.reset = with_class(w.Button(description="恢复基准 reset to baseline",
                                         layout=w.Layout(width="220px")), "kpa-reset")
        self.scenario_name = with_class(w.Text(description="方案名", placeholder="如 补齐新闻稿件",
                                               layout=w.Layout(width="98%"),
                                               style={"description_width": "70px"}),
                                        "kpa-scenario-name")
        self.scenario_who = with_class(w.Text(description="保存人", placeholder="姓名",
                                              layout=w.Layout(width="260px"),
                                              style={"description_width": "70px"}),
                                       "kpa-scenario-who")
        self.scenario_why = with_class(w.Text(description="保存原因", placeholder="如 看名次变化",
                                              layout=w.Layout(width="98%"),
                                              style={"description_width": "70px"}),
                                       "kpa-scenario-why")
        self.save_scenario = with_class(w.Button(description="保存方案 save scenario",
                                                 layout=w.Layout(width="200px")),
                                        "kpa-save-scenario")
        self.scenario_overwrite = with_class(w.Checkbox(
            description="覆盖同名方案 overwrite the scenario of that name", indent=False,
            layout=w.Layout(width="98%")), "kpa-scenario-overwrite")
        self.confirm = with_class(w.Checkbox(description=f"{CONFIRM_SCENARIO_AS_RECORD} "
                                             "I confirm saving this scenario as the record",
                                             indent=False, layout=w.Layout(width="98%")),
                                  "kpa-confirm-record")
        # Making the scenario the record is a change of the record: its own who and why, never
        # the scenario's (which say why the scenario was tried, not why the record changes).
        self.adopt_who = with_class(w.Text(description="保存人", placeholder="姓名",
                                           layout=w.Layout(width="260px"),
                                           style={"description_width": "70px"}),
                                    "kpa-adopt-who")
        self.adopt_why = with_class(w.Text(description="保存原因",
                                           placeholder="如 复核后采纳此方案",
                                           layout=w.Layout(width="98%"),
                                           style={"description_width": "70px"}),
                                    "kpa-adopt-why")
        self.adopt_status = with_class(w.HTML(), "kpa-adopt-status")
        self.adopt = with_class(w.Button(description="存为考核记录 save as record",
                                         button_style="warning", layout=w.Layout(width="220px")),
                                "kpa-adopt")
        self.scenario_status = with_class(w.HTML(), "kpa-scenario-status")
        self.scenario_box = with_class(w.VBox([
            w.HTML("<h4>保存方案 Keep the scenario</h4>"
                   "<div class='kpa-allowed'>方案与考核记录分开保存，考核记录不变 / "
                   "kept apart from the record, which stays as it is</div>"
                   "<div class='kpa-allowed'>方案名：汉字、字母、数字、- 和 _ / name: letters, "
                   "digits, - and _</div>"),
            self.scenario_name, self.scenario_who, self.scenario_why, self.scenario_overwrite,
            self.save_scenario, self.scenario_status,
        ]), "kpa-scenario-box", "kpa-box")
        self.adopt_box = with_class(w.VBox([
            w.HTML("<h4>存为考核记录 Make it the record</h4><div class='kpa-allowed'>"
                   "把此方案存为本单位的考核记录（覆盖已保存记录），须填写谁改、为何改记录 / "
                   "make this scenario the unit's record: who changes the record, and why"
                   "</div>"),
            self.confirm, self.adopt_who, self.adopt_why, self.adopt, self.adopt_status,
        ]), "kpa-adopt-box", "kpa-box")
        self.whatif = with_class(w.VBox([
            w.HTML("<h3>假设分析：与已保存记录（基准）相比 / what-if against the saved record"
                   "</h3>"),
            self.compare,
            w.HTML("<h4>单项改动即可改变名次 / single changes that move the unit a rank</h4>"),
            self.changes,
            self.reset,
            self.scenario_box,
            self.adopt_box,
        ]), "kpa-whatif-panel")

        side = with_class(w.VBox([self.total, self.scores, self.whatif, self.save_box]),
                          "kpa-side")
        self.title = w.HTML()
        # The what-if panel's name/who/why, asked again in the prompt while the scenario has
        # unsaved changes, so that 保存 can keep it without leaving the prompt. Own widgets
        # linked to the panel's (not the same ones shown twice), so that each field is one
        # element on the page.
        prompt_fields: list[w.Text] = []
        for panel, css in ((self.scenario_name, "kpa-prompt-scenario-name"),
                           (self.scenario_who, "kpa-prompt-scenario-who"),
                           (self.scenario_why, "kpa-prompt-scenario-why")):
            twin = with_class(w.Text(description=panel.description, placeholder=panel.placeholder,
                                     layout=w.Layout(width="260px"),
                                     style={"description_width": "70px"}), css)
            w.link((panel, "value"), (twin, "value"))
            prompt_fields.append(twin)
        # 保存人 is asked once: when the entry edits are saved too, their 保存人 serves both
        self.prompt_scenario_who = prompt_fields[1]
        self.prompt_scenario = with_class(w.HBox([w.HTML("<b>假设方案 scenario：</b>"),
                                                  *prompt_fields]), "kpa-prompt-scenario")
        self.prompt_scenario.layout.display = "none"
        self.prompt_entry = with_class(w.HBox([w.HTML("<b>考核记录 record：</b>"), self.who,
                                               self.why]), "kpa-prompt-entry")
        self.prompt = with_class(w.VBox([
            self.prompt_text, self.prompt_entry, self.prompt_scenario,
            w.HBox([self.prompt_save, self.prompt_discard, self.prompt_stay]),
            self.prompt_status]), "kpa-prompt", "kpa-box")
        self.prompt.layout.display = "none"
        self.whatif_banner = with_class(w.HTML(
            "<div class='kpa-whatif-banner'>假设分析：不会改动考核记录 <span class='kpa-en'>"
            "what-if: the record is not changed</span></div>"), "kpa-whatif-banner-box")
        self.whatif_banner.layout.display = "none"
        self.body = with_class(w.HBox([with_class(w.Box([self.form]), "kpa-form-col"), side]),
                               "kpa-body")
        # The 整改 tab (issue #23): last year's (or a published year's) ledger of the unit, filled
        # only when opened, so loading a unit costs nothing more.
        self.rectify = RectifyPanel(self.data_dir)
        self.pages = with_class(w.Tab(children=[self.body, self.rectify.widget]), "kpa-pages")
        self.pages.set_title(0, "考核录入 entry")
        self.pages.set_title(1, "整改 rectification")
        self.pages.observe(lambda ch: self.guard(self._show_rectify), "selected_index")
        self.widget = with_class(w.VBox([
            w.HTML(STYLE), self.title,
            with_class(w.HBox([self.year, self.role, self.unit, self.reload]), "kpa-topbar"),
            with_class(w.HBox([self.mode, self.cap_scope]), "kpa-topbar"),
            self.status, self.prompt, self.unsaved_flag, self.whatif_banner, self.pages,
        ]), "kpa-app")

        self.form.observe(lambda ch: self.guard(lambda: self._pane_opened(ch["new"])),
                          "selected_index")
        self.year.observe(lambda ch: self._on_switch("year", ch), "value")
        self.role.observe(lambda ch: self._on_switch("role", ch), "value")
        self.unit.observe(lambda ch: self._on_switch("unit", ch), "value")
        self.reload.on_click(lambda _b: self.guard(lambda: self._request("reload", None)))
        self.mode.observe(lambda ch: self.guard(self._mode_changed), "value")
        self.cap_scope.observe(lambda ch: None if self._quiet else self.guard(self._cap_changed),
                               "value")
        self.reset.on_click(lambda _b: self.guard(self._reset))
        self.save.on_click(lambda _b: self.guard(self._save))
        self.save_scenario.on_click(lambda _b: self.guard(self._save_scenario))
        self.adopt.on_click(lambda _b: self.guard(self._adopt))
        self.prompt_save.on_click(lambda _b: self.guard(self._prompt_save))
        self.prompt_discard.on_click(lambda _b: self.guard(self._prompt_discard))
        self.prompt_stay.on_click(lambda _b: self.guard(self._prompt_stay))
        self.guard(self.load)

    # -- plumbing --

    def guard(self, fn: Callable[[], Any]) -> None:
        """Run an event handler; input problems and surprises go to the status line, never
        silently into the kernel log (Voila shows no tracebacks to analysts)."""
        try:
            fn()
        except KpaInputError as exc:
            self.status.value = problems_html(exc.problems, with_rule=True)
        except Exception as exc:  # noqa: BLE001 - shown to the analyst, with the traceback
            self.status.value = (f"<div class='kpa-error'>程序错误 internal error: {esc(exc)}"
                                 f"<pre>{esc(traceback.format_exc())}</pre></div>")

    def _unit_options(self, year: int, role: str = "assessor") -> list[tuple[str, str]]:
        out = []
        for uid, unit in self.units.items():
            new = "" if record_path(self.data_dir, year, uid, role).exists() else " · 新 new"
            out.append((f"{unit.name_zh}（{uid}）{new}", uid))
        return out

    def _set_quietly(self, widget: w.ValueWidget, value: Any) -> None:
        """Put a value into a widget without it counting as the analyst's choice."""
        self._quiet = True
        try:
            widget.value = value
        finally:
            self._quiet = False

    def _refresh_units(self) -> None:
        """New options for the unit list (marks of 'new'), keeping the unit, firing nothing."""
        uid = self.unit.value
        self._quiet = True
        try:
            self.unit.options = self._unit_options(self.year.value, self.role.value)
            self.unit.value = uid
        finally:
            self._quiet = False

    # -- switching unit, year or role: never losing edits silently --

    def _on_switch(self, what: str, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self.guard(lambda: self._request(what, change["new"]))

    # -- loading and building --

    def load(self) -> None:
        """(Re)load the chosen record; the form is built once per rubric and then refilled."""
        unit = self.units[self.unit.value]
        self.status.value = (f"<span class='kpa-loading-line'>正在载入 {esc(unit.name_zh)} "
                             f"{self.year.value} {ROLES_ZH[self.role.value]}…"
                             "<span class='kpa-en'> loading</span></span>")
        self.widget.add_class("kpa-loading")
        try:
            self._load()
        finally:
            self.widget.remove_class("kpa-loading")

    def _load(self) -> None:
        self.save_status.value = self.scenario_status.value = self.adopt_status.value = ""
        self._shown = {"year": self.year.value, "role": self.role.value,
                       "unit": self.unit.value}
        try:
            self.controller = AssessmentController(self.data_dir, self.year.value,
                                                   self.unit.value, params_dir=self.params_dir,
                                                   role=self.role.value, units=self.units)
        except KpaInputError:
            # Never leave the previous unit's form on screen under the new unit's name: a
            # save from it would go to the wrong record.
            self.controller = None
            self._forget_form()
            self.form.children = ()
            self.total.value = self.scores.value = self.compare.value = self.changes.value = ""
            self._enable(False)
            self._flag_unsaved()
            raise
        self._enable(True)
        self.controller.set_mode(self.mode.value)
        c = self.controller
        self.title.value = (f"<h2>党风廉政建设责任制考核 录入与假设分析 / assessment entry and "
                            f"what-if</h2><div class='kpa-en'>{esc(c.rubric.title['zh'])} · "
                            f"{esc(c.rubric.id)}</div>")
        if self._built_rubric != c.rubric.id:
            self._build_form()
        else:
            self._show_values()
        self.refresh()
        # Said last: once the status names the record, every number on screen is its own.
        # In the analyst's words (unit, year, record), never a file name; the unit id rides
        # along in an attribute for tests and benchmarks. The process state follows (audit).
        state = ("新记录（尚未保存） new record, not saved yet" if c.is_new else
                 "已载入 record loaded")
        self.status.value = (f"<span class='kpa-ok kpa-loaded' data-unit='{esc(c.unit.unit_id)}'>"
                             f"{esc(c.unit.name_zh)} {c.year} {ROLES_ZH[c.role]}：{state}</span>"
                             f"{state_html(c.data_dir, c.year, c.unit.unit_id, c.role)}")
        self._show_rectify()

    def _show_rectify(self) -> None:
        """Fill the 整改 tab for the unit shown, when it is the tab in view."""
        if self.pages.selected_index == 1:
            uid = self.unit.value
            self.rectify.show(self.year.value, uid, self.units[uid].name_zh)

    def _enable(self, on: bool) -> None:
        for button in (self.save, self.save_scenario, self.reset, self.adopt):
            button.disabled = not on

    # -- events from the controls --

    def on_value(self, rule_id: str, value: Any) -> None:
        self.controller.set_value(rule_id, value)
        self.refresh(rule_id)

    def on_range(self, rule_id: str, applies: bool, points: float) -> None:
        self.controller.set_range(rule_id, applies, points)
        self.refresh(rule_id)

    def on_cases(self, rule_id: str, text: str) -> None:
        self.controller.set_cases_text(rule_id, text)
        self.refresh(rule_id)

    def on_tier(self, rule_id: str, counts: dict[str, Any]) -> None:
        problems = self.controller.set_tier_counts(rule_id, counts)
        self.refresh(rule_id)
        if any(p.field and p.field.startswith("levels.") for p in problems):
            self.controls[rule_id].error.value = problems_html(
                problems, rules={rule_id: self.controller.rule(rule_id)})

    def on_reason(self, rule_id: str, text: str) -> None:
        self.controller.set_reason(rule_id, text)
        self.refresh(rule_id)

    def on_fact(self, rule_id: str, name: str, text: str) -> None:
        self.controller.set_fact(rule_id, name, text)
        self.refresh(rule_id)

    def on_evidence(self, rule_id: str, text: str) -> None:
        self.controller.set_evidence(rule_id, text)
        self.refresh(rule_id)

    def _cap_changed(self) -> None:
        if self.controller is None:
            return
        self.controller.set_cap_scope(self.cap_scope.value)
        self.refresh()

    def _mode_changed(self) -> None:
        """Show the other working copy; messages of the mode left behind are cleared."""
        self.save_status.value = self.scenario_status.value = self.adopt_status.value = ""
        self.confirm.value = False
        for field in (self.scenario_who, self.adopt_who):  # the same person, most likely
            if not field.value and self.who.value:
                field.value = self.who.value
        if self.controller is None:
            return
        self.controller.set_mode(self.mode.value)
        self._show_values()
        self.refresh()

    def _reset(self) -> None:
        self.controller.reset()
        self._show_values()
        self.refresh()
        self.scenario_status.value = in_view("<span class='kpa-ok'>方案已恢复为已保存的记录 "
                                             "scenario reset to the saved record</span>")

    def _save(self) -> None:
        c = self.controller
        try:
            c.save(self.who.value, self.why.value)
        except StaleRecordError:
            self.save_status.value = in_view(STALE_HTML)
            return
        except KpaInputError as exc:
            self.save_status.value = in_view(f"<div class='kpa-warn'>未保存 not saved："
                                             f"{len(exc.problems)} 处问题 problem(s)</div>"
                                             + problems_html(exc.problems, with_rule=True,
                                                             rules=c.rubric.rules))
            return
        self.save_status.value = in_view(f"<span class='kpa-ok'>{record_words(c)}已保存，"
                                         f"合计 {fmt(c.baseline_card().total)}，并记入审计日志 "
                                         "<span class='kpa-en'>record saved and logged</span>"
                                         "</span>")
        self._refresh_units()
        self.refresh()

    # -- redrawing --

    def _flag_unsaved(self) -> None:
        c = self.controller
        if c is not None and c.unsaved():
            self.unsaved_flag.add_class("kpa-unsaved")
        else:
            self.unsaved_flag.remove_class("kpa-unsaved")

    def refresh(self, rule_id: str | None = None) -> None:
        """Redraw what depends on the form: one rule's state (or all), items, scores, what-if."""
        c = self.controller
        for rid in ([rule_id] if rule_id else list(self.controls)):
            self.controls[rid].show_state()
        card = c.card()
        self._draw_item_labels(card)
        self.total.value = ("<div class='kpa-total-line'>合计 total："
                            f"<span class='kpa-total-value'>"
                            f"{fmt(card.total)}</span> <span class='kpa-en'>（基本 basic "
                            f"{fmt(card.basic)} + 特色 bonus {fmt(card.bonus)}）</span></div>")
        self.scores.value = self._scores_html(card)
        in_whatif = c.mode == "whatif"
        self.whatif.layout.display = None if in_whatif else "none"
        self.whatif_banner.layout.display = None if in_whatif else "none"
        (self.widget.add_class if in_whatif else self.widget.remove_class)("kpa-whatif-mode")
        self.save_box.layout.display = "none" if in_whatif else None
        if in_whatif:
            self._draw_whatif()
        self._flag_unsaved()

def assess_app(data_dir: str | Path | None = None, params_dir: str | Path | None = None,
               year: int | None = None, unit_id: str | None = None,
               role: str | None = None) -> w.Widget:
    """The notebook's one call: build the app (folders from $KPA_DATA/$KPA_PARAMS or the
    project folder) and return its root widget for display."""
    view = AssessView(data_dir, params_dir, year, unit_id, role)
    return view.widget
