"""The thin ipywidgets face of ``AssessmentController``: entry form, live scores, what-if.

Nothing here decides a score, a problem or whether a file may be written; every event is passed
to the controller and the widgets are redrawn from what it answers. The form is built from the
rubric data (areas → sub-areas → items → rules), one control per rule by its kind. Widgets carry
stable CSS classes (``kpa-…``) so that browser tests and styles do not depend on ipywidgets'
internal DOM.

Entry and what-if show two working copies of the controller: the view only chooses which one
is on screen, and every control is redrawn from it on a mode switch. A switch of unit, year or
role with unsaved edits asks first (保存 / 放弃 / 留在此处; 保存 keeps an unsaved what-if
scenario as a scenario file or does not switch, see ``_prompt_save``); leaving the page with unsaved
edits makes the browser warn (a tiny script in an HTML widget watches a ``kpa-unsaved`` class).

Used by ``notebooks/assess.ipynb`` (``kpa lab``) and served as a web app by Voila (``kpa app``).
"""

from __future__ import annotations

import asyncio
import html
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from kpa_core.campaign import available_years, load_units, record_path
from kpa_core.controller import (
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
from kpa_core.errors import KpaInputError, Problem
from kpa_core.form_words import CAP_SCOPES, NOTE1_EN, NOTE1_ZH, allowed_words, field_zh
from kpa_core.paths import default_data_dir, default_params_dir
from kpa_core.rubric import Item, Rule
from kpa_core.rules import kind_of

STYLE = """
<style>
.kpa-app, .kpa-app .widget-label, .kpa-app input, .kpa-app select, .kpa-app button {
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
               "PingFang SC", sans-serif; }
.kpa-app h2 { margin: 4px 0 8px 0; font-size: 20px; }
.kpa-item { border-left: 3px solid #3b6ea5; padding-left: 8px; margin: 8px 0 4px 0; }
.kpa-subarea h4 { margin: 10px 0 2px 0; color: #3b6ea5; }
.kpa-rule { border-bottom: 1px dotted #ccc; padding: 4px 0 6px 0; }
.kpa-rule-text { line-height: 1.4; }
.kpa-en { color: #777; font-size: 90%; }
.kpa-allowed { color: #555; font-size: 90%; }
.kpa-error { color: #b00020; }
.kpa-required input { border: 2px solid #b00020 !important; }
.kpa-amount { font-weight: bold; min-width: 70px; }
table.kpa-table { border-collapse: collapse; font-size: 12.5px; line-height: 1.35; }
table.kpa-table td, table.kpa-table th { border: 1px solid #ccc; padding: 2px 6px; }
table.kpa-table th, table.kpa-table td.num, table.kpa-table td.nw { white-space: nowrap; }
.kpa-body { display: flex; flex-direction: row; align-items: flex-start; gap: 12px; }
.kpa-form-col { flex: 1 1 56% !important; min-width: 0; }
.kpa-side { flex: 0 0 42% !important; min-width: 0; position: sticky !important; top: 0;
            align-self: flex-start; max-height: 100vh; overflow-y: auto !important; }
/* flex children never shrink below their content: rows of buttons stay whole and clickable */
.kpa-side > *, .kpa-whatif-panel > *, .kpa-save-box > *, .kpa-scenario-box > *,
.kpa-prompt > * { flex-shrink: 0 !important; }
.kpa-changes { max-height: 240px; overflow: auto !important; border: 1px solid #ddd; }
.kpa-compare { overflow-x: auto !important; }
.kpa-box { border: 1px solid #d5dde6; border-radius: 4px; padding: 6px 8px !important;
           margin: 6px 0 !important; }
.kpa-prompt { border: 2px solid #a05a00; background: #fff8ec; }
.kpa-loading .kpa-form-col, .kpa-loading .kpa-side { opacity: 0.45; pointer-events: none; }
.kpa-loading-line { color: #a05a00; font-weight: bold; }
.kpa-note1 { color: #a05a00; font-size: 90%; }
.kpa-topbar { flex-wrap: wrap; gap: 4px 12px; }
/* below about 1000 px the two columns stack */
@media (max-width: 1000px) {
  .kpa-body { flex-direction: column !important; }
  .kpa-form-col, .kpa-side { flex: 1 1 auto !important; width: 100% !important;
                             position: static !important; max-height: none; }
}
/* ipywidgets boxes default to overflow:auto, which turns sticky off for their children */
.kpa-app, .kpa-body { overflow: visible !important; }
/* the same for the notebook's output wrappers around this app (Voila, JupyterLab) */
.jp-OutputArea:has(.kpa-app), .jp-OutputArea-child:has(.kpa-app),
.jp-OutputArea-output:has(.kpa-app) { overflow: visible !important; }
table.kpa-table th { background: #eef3f8; }
table.kpa-table td.num { text-align: right; }
.kpa-neg { color: #b00020; } .kpa-pos { color: #1b7f3b; }
.kpa-capped { color: #a05a00; font-size: 90%; }
.kpa-total-line { font-size: 18px; font-weight: bold; }
.kpa-ok { color: #1b7f3b; } .kpa-warn { color: #b00020; }
</style>
"""


MAX_CHANGES_SHOWN = 12  # rows per direction in the single-changes table


def esc(x: Any) -> str:
    """Everything shown inside HTML widgets passes here: users type reasons and values."""
    return html.escape(str(x), quote=True)


def css_id(rule_id: str) -> str:
    """Rule ids as CSS class fragments: 'B02.system' → 'B02-system'."""
    return rule_id.replace(".", "-")


def fmt(x: float) -> str:
    return f"{x:g}"


def signed(x: float) -> str:
    return "0" if x == 0 else f"{x:+g}".replace("-", "−")


def problems_html(problems: list[Problem], with_rule: bool = False,
                  rules: dict[str, Rule] | None = None) -> str:
    """Problems in Chinese (English behind), in the analyst's words: fields by their names on
    screen (第2个案例, 次数), what is allowed as the control takes it. Beside a control the
    rule is implied; in the status lines (``with_rule``) it is named."""
    if not problems:
        return ""
    lines = []
    for p in problems:
        rule = (rules or {}).get(p.rule_id or "")
        value = "" if p.value is None else f"「{esc(p.value)}」"
        allowed_zh = p.allowed_zh
        if rule is not None and p.field and p.field.split("[")[0].split(".")[0] == \
                kind_of(rule).value_field:
            allowed_zh = allowed_words(rule)[0]
        allowed = f"（允许：{esc(allowed_zh)}）" if allowed_zh else ""
        name = field_zh(p.field, rule)
        where = " ".join(x for x in ((p.rule_id if with_rule else None), name) if x)
        lines.append(f"⚠ {esc(where)}{value}：{esc(p.problem_zh)}{allowed} "
                     f"<span class='kpa-en'>/ {esc(p.problem_en)}</span>")
    return "<div class='kpa-error'>" + "<br>".join(lines) + "</div>"


# Leaving the page with unsaved edits: the browser asks while any element carries the class
# ``kpa-unsaved``. An <img> with an empty src fails at once without a request and runs its
# onerror once; ipywidgets' HTML widget does not run <script> tags.
UNLOAD_GUARD = (
    "<img src='' style='display:none' alt='' onerror=\"if (!window.__kpaUnloadGuard) {"
    " window.__kpaUnloadGuard = function (e) { if (document.querySelector('.kpa-unsaved')) {"
    " e.preventDefault(); e.returnValue = '有未保存的修改 unsaved changes'; return true; }"
    " return false; }; window.addEventListener('beforeunload', window.__kpaUnloadGuard); }\">")


def _as_int(x: Any) -> int:
    return int(x) if isinstance(x, int | float) and not isinstance(x, bool) else 0


def with_class(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    for c in classes:
        widget.add_class(c)
    return widget


class RuleControl:
    """The widgets of one rule: its value control(s), reason, evidence, amount and problems."""

    def __init__(self, view: AssessView, rule: Rule):
        self.view, self.rule, self.kind = view, rule, kind_of(rule)
        cid = css_id(rule.id)
        self.error = with_class(w.HTML(), "kpa-error-box", f"kpa-error-{cid}")
        self.amount = with_class(w.HTML(), "kpa-amount", f"kpa-amount-{cid}")
        self.reason = with_class(
            w.Text(placeholder="原因（改变得分时必填）reason",
                   layout=w.Layout(width="58%")), "kpa-reason", f"kpa-reason-{cid}")
        self.evidence = with_class(
            w.Text(placeholder="依据（可选）evidence", layout=w.Layout(width="38%")),
            "kpa-evidence", f"kpa-evidence-{cid}")
        self._muted = False
        self.reason.observe(
            self._on(lambda: self.view.on_reason(self.rule.id, self.reason.value)), "value")
        self.evidence.observe(
            self._on(lambda: self.view.on_evidence(self.rule.id, self.evidence.value)), "value")
        self.inputs = self._build_inputs()
        allowed_zh, allowed_en = allowed_words(rule)
        text = w.HTML(
            f"<div class='kpa-rule-text'><b>{esc(rule.id)}</b> {esc(rule.zh)}<br>"
            f"<span class='kpa-en'>{esc(rule.en)}</span><br>"
            f"<span class='kpa-allowed'>可填：{esc(allowed_zh)} <span class='kpa-en'>/ "
            f"{esc(allowed_en)}</span></span>"
            "</div>")
        self.box = with_class(
            w.VBox([text, w.HBox([self.inputs, self.amount]),
                    w.HBox([self.reason, self.evidence]), self.error]),
            "kpa-rule", f"kpa-rule-{cid}", f"kpa-kind-{rule.kind}")

    # -- building, one shape per kind --

    def _on(self, fn: Callable[[], None]) -> Callable[[Any], None]:
        def handler(_change: Any) -> None:
            if not self._muted:
                self.view.guard(fn)
        return handler

    def _build_inputs(self) -> w.Widget:
        rule, p, cid = self.rule, self.rule.params, css_id(self.rule.id)
        kind = rule.kind
        if kind == "flag":
            self.check = w.Checkbox(description=f"是 yes（扣{fmt(p['amount'])}分）",
                                    indent=False, layout=w.Layout(width="240px"))
            self.check.observe(self._on(lambda: self.view.on_value(rule.id, self.check.value)),
                               "value")
            return with_class(self.check, "kpa-input", f"kpa-input-{cid}")
        if kind in ("per_count", "bonus_per_count", "shortfall"):
            label = "实际次数" if kind == "shortfall" else "次数"
            self.number = w.IntText(description=label, layout=w.Layout(width="220px"),
                                    style={"description_width": "90px"})
            self.number.observe(self._on(lambda: self.view.on_value(rule.id, self.number.value)),
                                "value")
            return with_class(self.number, "kpa-input", f"kpa-input-{cid}")
        if kind == "range":
            lo, hi = float(p["lo"]), float(p["hi"])
            self.slider = w.FloatSlider(min=lo, max=hi, step=0.5, readout_format=".1f",
                                        continuous_update=False, description="扣分 points",
                                        layout=w.Layout(width="360px"))
            with_class(self.slider, "kpa-input", f"kpa-input-{cid}", "kpa-slider")
            if lo == 0:
                self.applies = None
                self.slider.observe(
                    self._on(lambda: self.view.on_value(rule.id, self.slider.value)), "value")
                return self.slider
            # 0 is a valid entry that means "does not apply"; the slider itself starts at lo.
            self.applies = with_class(
                w.Checkbox(description="适用 applies", indent=False,
                           layout=w.Layout(width="110px")),
                f"kpa-applies-{cid}", "kpa-applies")

            def set_range() -> None:
                self._show_applies(self.applies.value)
                self.view.on_range(rule.id, self.applies.value, self.slider.value)
            self.applies.observe(self._on(set_range), "value")
            self.slider.observe(self._on(set_range), "value")
            return w.HBox([self.applies, self.slider])
        if kind in ("range_per_case", "bonus_range_per_case"):
            self.cases = w.Text(description="各案例分值", continuous_update=False,
                                placeholder=f"如 {fmt(p['lo'])}, {fmt(p['hi'])}",
                                layout=w.Layout(width="360px"),
                                style={"description_width": "110px"})
            self.cases.observe(self._on(lambda: self.view.on_cases(rule.id, self.cases.value)),
                               "value")
            return with_class(self.cases, "kpa-input", f"kpa-input-{cid}")
        if kind == "ratio":
            self.sessions_box = w.VBox()
            add = with_class(w.Button(description="＋ 添加一次学习 add session",
                                      layout=w.Layout(width="220px")), f"kpa-add-session-{cid}")
            add.on_click(lambda _b: self.view.guard(self._add_session))
            self.session_rows: list[tuple[w.IntText, w.IntText]] = []
            head = w.HTML("<span class='kpa-allowed'>每行一次学习：参加人数、心得篇数</span>")
            return with_class(w.VBox([head, self.sessions_box, add]), "kpa-input",
                              f"kpa-input-{cid}")
        if kind == "tier":
            self.tier = {}
            for lv in p["levels"]:
                box = w.IntText(description=f"{lv['zh']}（+{fmt(lv['points'])}）",
                                layout=w.Layout(width="230px"),
                                style={"description_width": "130px"})
                box.observe(self._on(self._set_tier), "value")
                self.tier[lv["id"]] = with_class(box, f"kpa-tier-{lv['id']}")
            hint = w.HTML("<span class='kpa-allowed'>每个级别获得的荣誉数 "
                          "number of honours at each level</span>")
            return with_class(w.VBox([hint, w.HBox(list(self.tier.values()))]), "kpa-input",
                              f"kpa-input-{cid}")
        raise ValueError(f"no control for rule kind {kind}")

    def _set_tier(self) -> None:
        self.view.on_tier(self.rule.id, {k: b.value for k, b in self.tier.items()})

    def _sessions(self) -> list[dict[str, int]]:
        return [{"participants": p.value, "reflections": r.value} for p, r in self.session_rows]

    def _add_session(self) -> None:
        # 0 participants is invalid on purpose: a new row is flagged until it is filled in,
        # instead of silently deducting or passing.
        self.view.on_value(self.rule.id, [*self._sessions(),
                                          {"participants": 0, "reflections": 0}])
        self.show_value()

    def _remove_session(self, i: int) -> None:
        sessions = self._sessions()
        del sessions[i]
        self.view.on_value(self.rule.id, sessions)
        self.show_value()

    def _draw_sessions(self, sessions: list[Any]) -> None:
        cid = css_id(self.rule.id)
        rows, self.session_rows = [], []
        for i, s in enumerate(sessions):
            part = w.IntText(value=_as_int(s.get("participants")),
                             description=f"第{i + 1}次 参加人数",
                             layout=w.Layout(width="220px"), style={"description_width": "120px"})
            refl = w.IntText(value=_as_int(s.get("reflections")), description="心得篇数",
                             layout=w.Layout(width="170px"), style={"description_width": "70px"})
            drop = w.Button(description="删除 remove", layout=w.Layout(width="110px"))
            drop.on_click(lambda _b, i=i: self.view.guard(lambda: self._remove_session(i)))
            for box in (part, refl):
                box.observe(self._on(lambda: self.view.on_value(self.rule.id, self._sessions())),
                            "value")
            self.session_rows.append((part, refl))
            rows.append(with_class(w.HBox([part, refl, drop]), f"kpa-session-{cid}"))
        self.sessions_box.children = rows

    def _show_applies(self, on: bool) -> None:
        """A switched-off slider shows no number: 0 points, not its lowest step."""
        self.slider.disabled = not on
        self.slider.readout = on

    # -- showing the controller's state --

    def show_value(self) -> None:
        """Put the controller's value into the widgets without firing change handlers."""
        c, rid = self.view.controller, self.rule.id
        value = c.values[rid]
        self._muted = True
        try:
            kind = self.rule.kind
            if kind == "flag":
                self.check.value = bool(value)
            elif kind in ("per_count", "bonus_per_count", "shortfall"):
                self.number.value = int(value) if isinstance(value, int | float) else 0
            elif kind == "range":
                if self.applies is None:
                    self.slider.value = float(value)
                else:
                    self.applies.value = float(value) != 0
                    self.slider.value = float(value) if value else self.slider.min
                    self._show_applies(self.applies.value)
            elif kind in ("range_per_case", "bonus_range_per_case"):
                self.cases.value = c.cases_text(rid)
            elif kind == "ratio":
                self._draw_sessions(list(value) if isinstance(value, list) else [])
            elif kind == "tier":
                for level, n in c.tier_counts(rid).items():
                    self.tier[level].value = n
            self.reason.value = c.reasons[rid]
            self.evidence.value = c.evidence[rid]
        finally:
            self._muted = False

    def show_state(self) -> None:
        """Amount, problems and the 'reason required' mark, from the controller."""
        c, rid = self.view.controller, self.rule.id
        amount = c.rule_amount(rid)
        problems = c.rule_problems(rid)
        if amount is None:
            self.amount.value = ("<span class='kpa-warn'>取值有误，按上次有效值计 invalid: last "
                                 "valid value counted</span>")
        else:
            css = "kpa-neg" if amount < 0 else "kpa-pos" if amount > 0 else ""
            self.amount.value = f"<span class='{css}'>{esc(signed(amount))} 分</span>"
        self.error.value = problems_html(problems, rules={rid: self.rule})
        if amount and not c.reasons[rid].strip():
            self.reason.add_class("kpa-required")
        else:
            self.reason.remove_class("kpa-required")


class AssessView:
    """The whole app: choose year, role and unit, fill in the form, watch scores, try
    what-ifs, save."""

    def __init__(self, data_dir: str | Path | None = None, params_dir: str | Path | None = None,
                 year: int | None = None, unit_id: str | None = None, role: str | None = None):
        self.data_dir = Path(data_dir or os.environ.get(ENV_DATA) or default_data_dir())
        self.params_dir = Path(params_dir or os.environ.get(ENV_PARAMS) or default_params_dir())
        self.units = load_units(self.data_dir)
        years = available_years(self.data_dir)
        year = int(year or os.environ.get(ENV_YEAR) or years[-1])
        unit_id = unit_id or os.environ.get(ENV_UNIT) or next(iter(self.units))
        role = role or os.environ.get(ENV_ROLE) or "assessor"
        self.controller: AssessmentController | None = None
        self.controls: dict[str, RuleControl] = {}
        self.item_labels: dict[str, w.HTML] = {}
        self._built_rubric: str | None = None
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
        self.adopt = with_class(w.Button(description="存为考核记录 save as record",
                                         button_style="warning", layout=w.Layout(width="220px")),
                                "kpa-adopt")
        self.scenario_status = with_class(w.HTML(), "kpa-scenario-status")
        self.scenario_box = with_class(w.VBox([
            w.HTML("<h4>保存方案 Keep the scenario</h4>"
                   "<div class='kpa-allowed'>方案存于 params/…/scenarios/，考核记录不变 / "
                   "kept beside the record, which stays as it is</div>"
                   "<div class='kpa-allowed'>方案名：汉字、字母、数字、- 和 _ / name: letters, "
                   "digits, - and _</div>"),
            self.scenario_name, self.scenario_who, self.scenario_why, self.scenario_overwrite,
            self.save_scenario,
            w.HTML("<div class='kpa-allowed'>把此方案存为考核记录（覆盖已保存记录）/ "
                   "make this scenario the record:</div>"),
            self.confirm, self.adopt, self.scenario_status,
        ]), "kpa-scenario-box", "kpa-box")
        self.whatif = with_class(w.VBox([
            w.HTML("<h3>假设分析：与已保存记录（基准）相比 / what-if against the saved record"
                   "</h3>"),
            self.compare,
            w.HTML("<h4>单项改动即可改变名次 / single changes that move the unit a rank</h4>"),
            self.changes,
            self.reset,
            self.scenario_box,
        ]), "kpa-whatif-panel")

        side = with_class(w.VBox([self.total, self.scores, self.whatif, self.save_box]),
                          "kpa-side")
        self.title = w.HTML()
        # The what-if panel's name/who/why, asked again in the prompt while the scenario has
        # unsaved changes, so that 保存 can keep it without leaving the prompt. Own widgets
        # linked to the panel's (not the same ones shown twice), so that each field is one
        # element on the page.
        prompt_fields = []
        for panel, css in ((self.scenario_name, "kpa-prompt-scenario-name"),
                           (self.scenario_who, "kpa-prompt-scenario-who"),
                           (self.scenario_why, "kpa-prompt-scenario-why")):
            twin = with_class(w.Text(description=panel.description, placeholder=panel.placeholder,
                                     layout=w.Layout(width="260px"),
                                     style={"description_width": "70px"}), css)
            w.link((panel, "value"), (twin, "value"))
            prompt_fields.append(twin)
        self.prompt_scenario = with_class(w.HBox([w.HTML("<b>假设方案 scenario：</b>"),
                                                  *prompt_fields]), "kpa-prompt-scenario")
        self.prompt_scenario.layout.display = "none"
        self.prompt = with_class(w.VBox([
            self.prompt_text, w.HBox([self.who, self.why]), self.prompt_scenario,
            w.HBox([self.prompt_save, self.prompt_discard, self.prompt_stay]),
            self.prompt_status]), "kpa-prompt", "kpa-box")
        self.prompt.layout.display = "none"
        self.body = with_class(w.HBox([with_class(w.Box([self.form]), "kpa-form-col"), side]),
                               "kpa-body")
        self.widget = with_class(w.VBox([
            w.HTML(STYLE), self.title,
            with_class(w.HBox([self.year, self.role, self.unit, self.reload]), "kpa-topbar"),
            with_class(w.HBox([self.mode, self.cap_scope]), "kpa-topbar"),
            self.status, self.prompt, self.unsaved_flag, self.body,
        ]), "kpa-app")

        self._panes: list[w.Widget] = []
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

    def _request(self, what: str, value: Any) -> None:
        """A switch (or reload) the analyst asked for: ask first if edits would be lost."""
        c = self.controller
        unsaved = c.unsaved() if c is not None else {}
        if not unsaved:
            self._apply(what, value)
            return
        # Put the list back to what the form shows, so that list and form never disagree.
        self._after_this_event(self._put_lists_back)
        self._pending = (what, value)
        self._show_prompt(what, value, unsaved)

    def _put_lists_back(self) -> None:
        for name, widget in (("year", self.year), ("role", self.role), ("unit", self.unit)):
            if widget.value != self._shown[name]:
                self._set_quietly(widget, self._shown[name])

    def _after_this_event(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the browser's change has been acknowledged.

        ipywidgets 8 lets the browser ignore a kernel update to the very value it is sending
        (it waits for the echo), so a list set back inside its own change handler could keep
        showing the new choice while the kernel holds the old one. In a kernel the event loop
        runs ``fn`` just after this handler; without one (tests in plain Python) it runs now.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            fn()
            return
        loop.call_later(0.05, lambda: self.guard(fn))

    def _target_name(self, what: str, value: Any) -> str:
        if what == "unit":
            return self.units[value].name_zh
        if what == "year":
            return f"{value} 年度"
        if what == "role":
            return ROLES_ZH[value]
        return "重新载入的记录"

    def _show_prompt(self, what: str, value: Any, unsaved: dict[str, int]) -> None:
        c = self.controller
        parts = []
        if "entry" in unsaved:
            parts.append(f"录入有 {unsaved['entry']} 处修改未保存")
        if "whatif" in unsaved:
            parts.append(f"假设方案有 {unsaved['whatif']} 处改动未保存为方案")
        save_zh, save_en = [], []
        if "entry" in unsaved:
            save_zh.append("录入的修改存为考核记录（填保存人、保存原因）")
            save_en.append("the entry edits to the record (who, why)")
        if "whatif" in unsaved:
            save_zh.append("假设方案存为方案文件（填方案名、保存人、保存原因），不进入考核记录")
            save_en.append("the what-if scenario as a scenario file (its name, who, why), "
                           "never into the record")
        discard_zh = ("放弃所有修改（录入与假设方案都丢弃）" if "whatif" in unsaved
                      else "放弃所有修改")
        self.prompt_text.value = (
            f"<b>{esc(c.unit.name_zh)} {c.year} {ROLES_ZH[c.role]}：{esc('；'.join(parts))}。"
            f"</b><br>切换到 {esc(self._target_name(what, value))} 之前：保存（"
            f"{esc('；'.join(save_zh))}）、{discard_zh}，还是留在此处？ "
            f"<span class='kpa-en'>/ unsaved edits: save ({esc('; '.join(save_en))}), discard "
            "all, or stay?</span>")
        self.prompt_save.layout.display = None
        self.prompt_scenario.layout.display = None if "whatif" in unsaved else "none"
        self.prompt_status.value = ""
        self.prompt.layout.display = None

    def _hide_prompt(self) -> None:
        self._pending = None
        self.prompt.layout.display = "none"
        self.prompt_scenario.layout.display = "none"
        self.prompt_status.value = ""

    def _prompt_save(self) -> None:
        """保存 in the switch prompt: whatever is unsaved is kept, or the switch does not happen.

        The entry edits go to the record (the prompt's 保存人/保存原因). An unsaved what-if
        scenario is the analyst's experiment, not a record change, so it is kept the way the
        what-if panel keeps it: as a scenario file under its own name, 保存人 and 保存原因 (shown
        in the prompt). If those are missing or refused, the entry edits stay saved but the
        switch does not happen and the prompt says what is missing; 放弃 is the explicit way to
        drop the scenario. Before, 保存 saved the entry copy and switched, and the scenario was
        lost without a word.
        """
        if self._pending is None:
            return self._hide_prompt()
        c = self.controller
        entry_saved = c.dirty
        if c.dirty:
            if c.mode == "whatif":  # the record route is the entry copy only
                self._set_quietly(self.mode, "entry")
                c.set_mode("entry")
            try:
                c.save(self.who.value, self.why.value)
            except KpaInputError as exc:
                self.prompt_status.value = ("<div class='kpa-warn'>未保存 not saved</div>"
                                            + problems_html(exc.problems, with_rule=True,
                                                            rules=c.rubric.rules))
                self.refresh()
                return None
        if c.scenario_unsaved:
            try:
                c.save_scenario(self.scenario_name.value, self.scenario_who.value,
                                self.scenario_why.value, overwrite=self.scenario_overwrite.value)
            except KpaInputError as exc:
                saved = "录入已保存；" if entry_saved else ""
                self.prompt_status.value = (
                    f"<div class='kpa-warn'>{saved}假设方案未保存，未切换：请填写方案名、保存人、"
                    "保存原因后再点保存，或点放弃丢弃方案 / the what-if scenario is not saved, "
                    "so no switch: fill in its name, who and why and save again, or discard it"
                    "</div>" + problems_html(exc.problems, with_rule=True, rules=c.rubric.rules))
                self.refresh()
                return None
            self.scenario_overwrite.value = False
        pending = self._pending
        self._hide_prompt()
        self._apply(*pending)
        return None

    def _prompt_discard(self) -> None:
        pending = self._pending
        self._hide_prompt()
        if pending is not None:
            self._apply(*pending)

    def _prompt_stay(self) -> None:
        self._hide_prompt()

    def _apply(self, what: str, value: Any) -> None:
        """Carry out a switch: set the lists, then load with a loading state on screen."""
        self._hide_prompt()
        if what == "year":
            self._set_quietly(self.year, value)
        elif what == "role":
            self._set_quietly(self.role, value)
        elif what == "unit":
            self._set_quietly(self.unit, value)
        if what in ("year", "role"):
            self._refresh_units()
        self.load()

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
        self.save_status.value = self.scenario_status.value = ""
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
            self.controls, self.item_labels = {}, {}
            self._built_rubric = None
            self._panes = []
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
        state = "新记录（尚未保存） new record, not saved yet" if c.is_new else \
            f"已载入 loaded {esc(c._rel(c.path))}"
        self.status.value = (f"<span class='kpa-ok'>{esc(c.unit.name_zh)} {c.year} "
                             f"{ROLES_ZH[c.role]}：{state}</span>")

    def _enable(self, on: bool) -> None:
        for button in (self.save, self.save_scenario, self.reset, self.adopt):
            button.disabled = not on

    def _build_form(self) -> None:
        c = self.controller
        self.controls, self.item_labels = {}, {}
        panes, titles = [], []
        for area, groups in c.sections():
            parts: list[w.Widget] = []
            for group, items in groups:
                if group.id != area.id:
                    parts.append(with_class(w.HTML(f"<h4>{esc(group.zh)} {esc(group.en)}"
                                                   f"（{fmt(group.points)}分）</h4>"),
                                            "kpa-subarea"))
                for item in items:
                    parts.append(self._item_box(item))
            panes.append(with_class(w.VBox(parts), f"kpa-area-{css_id(area.id)}"))
            titles.append(f"{area.zh}（{fmt(area.points)}分）")
        # Only the open area is put on the page; the others are swapped in when first opened.
        # Every control exists (and is kept up to date) in the kernel all along; the browser
        # simply does not draw ~1,000 widget views nobody is looking at yet.
        self._panes = panes
        self.form.children = [panes[0]] + [
            with_class(w.HTML("<i>正在打开… opening</i>"), "kpa-pane-placeholder")
            for _ in panes[1:]]
        for i, t in enumerate(titles):
            self.form.set_title(i, t)
        self.form.selected_index = 0
        self._built_rubric = c.rubric.id

    def _pane_opened(self, index: int | None) -> None:
        """Put an area's real widgets in place of its placeholder the first time it opens."""
        if index is None or not self._panes or self.form.children[index] is self._panes[index]:
            return
        children = list(self.form.children)
        children[index] = self._panes[index]
        self.form.children = children

    def _show_values(self) -> None:
        """Every control from the controller's copy of the mode shown (no events fired)."""
        for control in self.controls.values():
            control.show_value()
        self._set_quietly(self.cap_scope, self.controller.cap_scope())

    def _item_box(self, item: Item) -> w.Widget:
        label = with_class(w.HTML(), "kpa-item-score", f"kpa-item-{item.id}")
        self.item_labels[item.id] = label
        notes = "".join(f"<div class='kpa-allowed'>注 note：{esc(n['zh'])} / {esc(n['en'])}</div>"
                        for n in item.notes)
        evidence = f"（{esc(item.evidence.get('zh', ''))}）" if item.evidence else ""
        head = w.HTML(f"<div class='kpa-item'><b>第{item.number}条 {esc(item.id)}</b>"
                      f"（赋分 {fmt(item.points)}）{evidence} {esc(item.zh)}<br>"
                      f"<span class='kpa-en'>{esc(item.en)}</span>{notes}</div>")
        rules = []
        for rule in item.rules:
            control = RuleControl(self, rule)
            control.show_value()
            self.controls[rule.id] = control
            rules.append(control.box)
        return with_class(w.VBox([head, label, *rules]), f"kpa-itembox-{item.id}")

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
        self.save_status.value = self.scenario_status.value = ""
        self.confirm.value = False
        if not self.scenario_who.value and self.who.value:
            self.scenario_who.value = self.who.value
        if self.controller is None:
            return
        self.controller.set_mode(self.mode.value)
        self._show_values()
        self.refresh()

    def _reset(self) -> None:
        self.controller.reset()
        self._show_values()
        self.refresh()
        self.scenario_status.value = ("<span class='kpa-ok'>方案已恢复为已保存的记录 "
                                      "scenario reset to the saved record</span>")

    def _save(self) -> None:
        c = self.controller
        try:
            path = c.save(self.who.value, self.why.value)
        except StaleRecordError as exc:
            self.save_status.value = problems_html(exc.problems, with_rule=True)
            return
        except KpaInputError as exc:
            self.save_status.value = (f"<div class='kpa-warn'>未保存 not saved："
                                      f"{len(exc.problems)} 处问题 problem(s)</div>"
                                      + problems_html(exc.problems, with_rule=True,
                                                      rules=c.rubric.rules))
            return
        self.save_status.value = (f"<span class='kpa-ok'>已保存 saved {esc(path.name)}，"
                                  f"并记入审计日志 and logged</span>")
        self._refresh_units()
        self.refresh()

    def _save_scenario(self) -> None:
        """Save the scenario; a file of that name is only replaced with 覆盖同名方案 ticked, and
        the tick is cleared after each save so that it never carries over to the next one."""
        c = self.controller
        try:
            path = c.save_scenario(self.scenario_name.value, self.scenario_who.value,
                                   self.scenario_why.value,
                                   overwrite=self.scenario_overwrite.value)
        except KpaInputError as exc:
            self.scenario_status.value = ("<div class='kpa-warn'>方案未保存 scenario not saved"
                                          "</div>" + problems_html(exc.problems, with_rule=True,
                                                                   rules=c.rubric.rules))
            return
        self.scenario_overwrite.value = False
        self.scenario_status.value = (f"<span class='kpa-ok'>方案已保存 scenario saved: "
                                      f"{esc(path.name)}（考核记录未改动 the record is "
                                      "unchanged）</span>")
        self.refresh()

    def _adopt(self) -> None:
        """The one route from the scenario to the record, behind its confirmation box."""
        c = self.controller
        try:
            path = c.save_scenario_as_record(self.scenario_who.value, self.scenario_why.value,
                                             confirmed=self.confirm.value)
        except StaleRecordError as exc:
            self.scenario_status.value = problems_html(exc.problems, with_rule=True)
            return
        except KpaInputError as exc:
            self.scenario_status.value = ("<div class='kpa-warn'>未存为考核记录 not saved as the "
                                          "record</div>" + problems_html(
                                              exc.problems, with_rule=True, rules=c.rubric.rules))
            return
        self.confirm.value = False
        self.scenario_status.value = (f"<span class='kpa-ok'>方案已存为考核记录 {esc(path.name)}，"
                                      "并记入审计日志 the scenario is now the record</span>")
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
        for item_id, label in self.item_labels.items():
            if item_id in card.item_scores:
                score, points = card.item_scores[item_id], c.rubric.items[item_id].points
                css = "kpa-neg" if score < 0 else ""
                note = (f" <span class='kpa-note1'>{NOTE1_ZH} <span class='kpa-en'>/ "
                        f"{NOTE1_EN}</span></span>" if score < 0 else "")
                label.value = (f"<span class='kpa-allowed'>本条得分 item score：</span>"
                               f"<b class='{css}'>{fmt(score)}</b> / {fmt(points)}{note}")
            else:
                raw, got = card.special_raw[item_id], card.special[item_id]
                capped = (f" <span class='kpa-capped'>（原始 raw {fmt(raw)}，注2封顶 capped by "
                          f"Note 2）</span>" if raw > got else "")
                label.value = (f"<span class='kpa-allowed'>本条加分 item bonus：</span>"
                               f"<b>{fmt(got)}</b> / {fmt(c.rubric.items[item_id].points)}{capped}")
        self.total.value = ("<div class='kpa-total-line'>合计 total："
                            f"<span class='kpa-total-value'>"
                            f"{fmt(card.total)}</span> <span class='kpa-en'>（基本 basic "
                            f"{fmt(card.basic)} + 特色 bonus {fmt(card.bonus)}）</span></div>")
        self.scores.value = self._scores_html(card)
        in_whatif = c.mode == "whatif"
        self.whatif.layout.display = None if in_whatif else "none"
        self.save_box.layout.display = "none" if in_whatif else None
        if in_whatif:
            self._draw_whatif()
        self._flag_unsaved()

    def _scores_html(self, card: Any) -> str:
        """Area scores with their deductions; Note 1 / Note 2 shown on the rows where they bite.

        In what-if mode only the status lines are drawn: the comparison table shows the scores.
        """
        c = self.controller
        rows = []
        for area_id, score in card.area_scores.items():
            area = c.rubric.areas[area_id]
            indent = "&nbsp;&nbsp;&nbsp;" if area.parent_id else ""
            rows.append(f"<tr class='kpa-area-row-{css_id(area_id)}'><td>{indent}{esc(area.zh)} "
                        f"<span class='kpa-en'>{esc(area.en)}</span></td>"
                        f"<td class='num'>{fmt(area.points)}</td><td class='num "
                        f"{'kpa-neg' if card.area_deductions[area_id] else ''}'>"
                        f"{esc(signed(-card.area_deductions[area_id]))}</td>"
                        f"<td class='num'><b>{fmt(score)}</b></td></tr>")
            if area_id in card.capped:
                rows.append(f"<tr class='kpa-capped-row kpa-capped-{css_id(area_id)}'>"
                            f"<td colspan='4' class='kpa-capped'>↑ 注1封顶：扣分"
                            f"{fmt(card.area_deductions[area_id])}超过本项{fmt(area.points)}分，"
                            f"得分记0（{fmt(card.capped[area_id])}分未计） / Note 1: deductions "
                            f"exceed the area's points; {fmt(card.capped[area_id])} not counted"
                            "</td></tr>")
        for item_id, got in card.special.items():
            item, raw = c.rubric.items[item_id], card.special_raw[item_id]
            rows.append(f"<tr class='kpa-area-row-{item_id}'><td>特色指标{item.number} "
                        f"<span class='kpa-en'>special {item.number}</span></td>"
                        f"<td class='num'>{fmt(item.points)}</td>"
                        f"<td class='num {'kpa-pos' if raw else ''}'>{esc(signed(raw))}</td>"
                        f"<td class='num'><b>{fmt(got)}</b></td></tr>")
            if raw > got:
                rows.append(f"<tr class='kpa-capped-row kpa-capped-{item_id}'>"
                            f"<td colspan='4' class='kpa-capped'>↑ 注2封顶：加分{fmt(raw)}超过赋分"
                            f"{fmt(item.points)}分，只计{fmt(got)} / Note 2: the bonus is capped "
                            f"at {fmt(item.points)}</td></tr>")
        table = ("" if c.mode == "whatif" else
                 "<table class='kpa-table'><tr><th>考核项目 area</th><th>分值 points</th>"
                 "<th>扣/加 change</th><th>得分 score</th></tr>" + "".join(rows) + "</table>")
        problems = c.problems()
        if c.mode == "whatif":  # a scenario needs no reasons; only making it the record does
            problems = {rid: ps for rid, ps in problems.items()
                        if any(p.field != "reason" for p in ps)}
        uncounted = c.uncounted()
        lines = []
        if uncounted:
            lines.append("取值有误，得分按上次有效值计算 invalid values, scored with the last "
                         "valid value: " + esc("、".join(uncounted)))
        if problems:
            lines.append(f"{sum(map(len, problems.values()))} 处待修正，修正前不能保存 "
                         f"problem(s) to fix before saving: " + esc("、".join(problems)))
        if c.mode == "whatif":
            dirty = ("<span class='kpa-warn'>方案有改动，尚未保存为方案 scenario not kept yet"
                     "</span>" if c.scenario_unsaved else "<span class='kpa-ok'>方案与基准一致"
                     "或已保存 scenario unchanged or kept</span>")
        else:
            dirty = ("<span class='kpa-warn'>有未保存的修改 unsaved changes</span>" if c.dirty
                     else "<span class='kpa-ok'>与已保存记录一致 same as saved</span>")
        return (table + "<div class='kpa-warn'>" + "<br>".join(lines) + "</div>"
                + f"<div>{dirty}</div>")

    def _draw_whatif(self) -> None:
        c = self.controller
        cmp = c.comparison()
        rows = []
        for _, r in cmp.table.iterrows():
            css = "kpa-neg" if r.delta < 0 else "kpa-pos" if r.delta > 0 else ""
            bold = r.id == "total"

            def cell(x: str, b: bool = bold) -> str:
                return f"<b>{x}</b>" if b else x
            zh, _, en = r.label.partition(" / ")
            label = f"{cell(esc(zh))} <span class='kpa-en'>{esc(en)}</span>"
            rows.append(f"<tr class='kpa-cmp-{css_id(r.id)}'><td>{label}</td>"
                        f"<td class='num'>{cell(fmt(r.baseline))}</td>"
                        f"<td class='num'>{cell(fmt(r.scenario))}</td>"
                        f"<td class='num {css}'>{cell(esc(signed(r.delta)))}</td></tr>")
        rank = (f"<div class='kpa-rank'>年度名次 rank in {c.year}：<b>{cmp.rank_baseline}</b> → "
                f"<b class='kpa-rank-scenario'>{cmp.rank_scenario}</b> / {cmp.n_units}</div>")
        self.compare.value = ("<table class='kpa-table'><tr><th>项目 row</th><th>基准 baseline</th>"
                              "<th>方案 scenario</th><th>变化 Δ</th></tr>" + "".join(rows)
                              + "</table>" + rank)
        frame = c.single_changes()
        if frame.empty:
            self.changes.value = "<i>没有单项改动能改变名次 no single change moves the rank</i>"
            return
        body = []
        shown = frame.groupby("direction", sort=False).head(MAX_CHANGES_SHOWN)
        for _, r in shown.iterrows():
            arrow = "↑" if r.direction == "up" else "↓"
            css = "kpa-pos" if r.delta > 0 else "kpa-neg"
            body.append(f"<tr class='kpa-change-{r.direction}'>"
                        f"<td class='nw'>{arrow} {esc(r.rule)}</td>"
                        f"<td>{esc(r.label[:6])}{'…' if len(r.label) > 6 else ''}</td>"
                        f"<td class='nw'>{esc(r['from'])} → {esc(r.to)}</td>"
                        f"<td class='num {css}'>{esc(signed(r.delta))}</td>"
                        f"<td class='num'>{fmt(r.total)}</td><td class='num'>{r['rank']}</td></tr>")
        hidden = len(frame) - len(shown)
        more = (f"<div class='kpa-allowed'>另有 {hidden} 项改动也会改变名次（每个方向只列变化最小的"
                f" {MAX_CHANGES_SHOWN} 项） / {hidden} more; the {MAX_CHANGES_SHOWN} smallest of "
                "each direction are listed</div>" if hidden else "")
        self.changes.value = ("<table class='kpa-table kpa-changes-table'><tr>"
                              "<th title='↑ 名次上升 up / ↓ 名次下降 down'>↑↓ 规则 rule</th>"
                              "<th>内容</th><th>改动 change</th><th>Δ</th>"
                              "<th title='合计 total'>合计</th><th title='名次 rank'>名次</th>"
                              "</tr>" + "".join(body)
                              + "</table>" + more)


def assess_app(data_dir: str | Path | None = None, params_dir: str | Path | None = None,
               year: int | None = None, unit_id: str | None = None,
               role: str | None = None) -> w.Widget:
    """The notebook's one call: build the app (folders from $KPA_DATA/$KPA_PARAMS or the
    project folder) and return its root widget for display."""
    view = AssessView(data_dir, params_dir, year, unit_id, role)
    return view.widget
