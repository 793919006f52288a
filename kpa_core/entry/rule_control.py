"""One rule's control in the entry form: the inputs its kind needs, redrawn from the controller.

A rule of each kind (yes/no, count, per case, tier, range, ratio…) gets the widgets its value
takes; every change goes to the view (and so to the controller), never into a score here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from kpa_core.entry.evidence_upload import evidence_upload_row
from kpa_core.entry.facts import fact_text
from kpa_core.entry.styles import (
    _as_int,
    css_id,
    esc,
    fmt,
    problems_html,
    reason_hint_html,
    signed,
    with_class,
)
from kpa_core.entry.whatif import describe_value
from kpa_core.entry.words import allowed_words
from kpa_core.rubric.model import Rule
from kpa_core.rubric.rules import kind_of

if TYPE_CHECKING:
    from kpa_core.entry.view import AssessView


def reason_may_not_fit(c: Any, rule_id: str) -> bool:
    """The value differs from the saved one while the reason is still the one saved with it:
    a reason written for B18.news 1 may not fit 3. A hint (原因是否仍适用？), never a refusal:
    the analyst may well find the old reason still true. Read from the controller's copy and
    baseline only (kept here, not in the controller, which holds the rules of saving)."""
    saved = c.baseline.entries.get(rule_id) or {}
    reason = str(saved.get("reason") or "").strip()
    if not reason:
        return False
    rule = c.rule(rule_id)
    old = saved.get(kind_of(rule).value_field, kind_of(rule).empty_value(rule))
    return c.values[rule_id] != old and c.reasons[rule_id].strip() == reason


class RuleControl:
    """The widgets of one rule: its value control(s), reason, evidence, amount and problems."""

    def __init__(self, view: AssessView, rule: Rule):
        self.view, self.rule, self.kind = view, rule, kind_of(rule)
        self.look = view.look  # shared Layout/style models (entry.shared_look)
        cid = css_id(rule.id)
        self.error = with_class(self.look(w.HTML), "kpa-error-box", f"kpa-error-{cid}")
        self.amount = with_class(self.look(w.HTML), "kpa-amount", f"kpa-amount-{cid}")
        self.reason = with_class(
            self.look(w.Text, placeholder="原因（改变得分时必填）reason",
                      layout=dict(width="58%")), "kpa-reason", f"kpa-reason-{cid}")
        self.evidence = with_class(
            self.look(w.Text, placeholder="依据（可选）evidence", layout=dict(width="38%")),
            "kpa-evidence", f"kpa-evidence-{cid}")
        self._muted = False
        self.reason.observe(
            self._on(lambda: self.view.on_reason(self.rule.id, self.reason.value)), "value")
        self.evidence.observe(
            self._on(lambda: self.view.on_evidence(self.rule.id, self.evidence.value)), "value")
        self.inputs = self._build_inputs()
        self.fact_boxes = self._build_facts()  # optional facts some readings need (#25)
        self.files = evidence_upload_row(self)  # FileUpload to the store (entry.evidence_upload)
        allowed_zh, allowed_en = allowed_words(rule)
        text = self.look(
            w.HTML,
            f"<div class='kpa-rule-text'><b>{esc(rule.id)}</b> {esc(rule.zh)}<br>"
            f"<span class='kpa-en'>{esc(rule.en)}</span><br>"
            f"<span class='kpa-allowed'>可填：{esc(allowed_zh)} <span class='kpa-en'>/ "
            f"{esc(allowed_en)}</span></span>"
            "</div>")
        self.box = with_class(
            self.look(w.VBox, [text, self.look(w.HBox, [self.inputs, self.amount]),
                               *self.fact_boxes.values(),
                               self.look(w.HBox, [self.reason, self.evidence]), self.files.box,
                               self.error]),
            "kpa-rule", f"kpa-rule-{cid}", f"kpa-kind-{rule.kind}")

    # -- building, one shape per kind --

    def _build_facts(self) -> dict[str, w.Text]:
        """One text box per optional fact of the rule (B01 per semester, B16 persons, B08 有)."""
        boxes = {}
        cid = css_id(self.rule.id)
        for name, spec in self.view.controller.fact_specs(self.rule.id).items():
            box = with_class(self.look(w.Text,
                                       description=f"补充事实（可选）{spec.get('zh', name)}",
                                       placeholder=spec.get("en", name),
                                       layout=dict(width="96%"),
                                       style={"description_width": "initial"}),
                             "kpa-fact", f"kpa-fact-{cid}-{name}")
            box.observe(self._on(lambda n=name, b=box: self.view.on_fact(self.rule.id, n,
                                                                         b.value)), "value")
            boxes[name] = box
        return boxes

    def _on(self, fn: Callable[[], None]) -> Callable[[Any], None]:
        def handler(_change: Any) -> None:
            if not self._muted:
                self.view.guard(fn)
        return handler

    def _build_inputs(self) -> w.Widget:
        rule, p, cid = self.rule, self.rule.params, css_id(self.rule.id)
        kind = rule.kind
        if kind == "flag":
            self.check = self.look(w.Checkbox, description=f"是 yes（扣{fmt(p['amount'])}分）",
                                   indent=False, layout=dict(width="240px"))
            self.check.observe(self._on(lambda: self.view.on_value(rule.id, self.check.value)),
                               "value")
            return with_class(self.check, "kpa-input", f"kpa-input-{cid}")
        if kind in ("per_count", "bonus_per_count", "shortfall"):
            label = "实际次数" if kind == "shortfall" else "次数"
            self.number = self.look(w.IntText, description=label, layout=dict(width="220px"),
                                    style={"description_width": "90px"})
            self.number.observe(self._on(lambda: self.view.on_value(rule.id, self.number.value)),
                                "value")
            return with_class(self.number, "kpa-input", f"kpa-input-{cid}")
        if kind == "range":
            lo, hi = float(p["lo"]), float(p["hi"])
            self.slider = self.look(w.FloatSlider, min=lo, max=hi, step=0.5, readout_format=".1f",
                                    continuous_update=False, description="扣分 points",
                                    layout=dict(width="360px"))
            with_class(self.slider, "kpa-input", f"kpa-input-{cid}", "kpa-slider")
            if lo == 0:
                self.applies = None
                self.slider.observe(
                    self._on(lambda: self.view.on_value(rule.id, self.slider.value)), "value")
                return self.slider
            # 0 is a valid entry that means "does not apply"; the slider itself starts at lo.
            self.applies = with_class(
                self.look(w.Checkbox, description="适用 applies", indent=False,
                          layout=dict(width="110px")),
                f"kpa-applies-{cid}", "kpa-applies")

            def set_range() -> None:
                self._show_applies(self.applies.value)
                self.view.on_range(rule.id, self.applies.value, self.slider.value)
            self.applies.observe(self._on(set_range), "value")
            self.slider.observe(self._on(set_range), "value")
            return self.look(w.HBox, [self.applies, self.slider])
        if kind in ("range_per_case", "bonus_range_per_case"):
            self.cases = self.look(w.Text, description="各案例分值", continuous_update=False,
                                   placeholder=f"如 {fmt(p['lo'])}, {fmt(p['hi'])}",
                                   layout=dict(width="360px"),
                                   style={"description_width": "110px"})
            self.cases.observe(self._on(lambda: self.view.on_cases(rule.id, self.cases.value)),
                               "value")
            return with_class(self.cases, "kpa-input", f"kpa-input-{cid}")
        if kind == "ratio":
            self.sessions_box = self.look(w.VBox)
            add = with_class(self.look(w.Button, description="＋ 添加一次学习 add session",
                                       layout=dict(width="220px")), f"kpa-add-session-{cid}")
            add.on_click(lambda _b: self.view.guard(self._add_session))
            self.session_rows: list[tuple[w.IntText, w.IntText]] = []
            head = self.look(w.HTML,
                             "<span class='kpa-allowed'>每行一次学习：参加人数、心得篇数</span>")
            return with_class(self.look(w.VBox, [head, self.sessions_box, add]), "kpa-input",
                              f"kpa-input-{cid}")
        if kind == "tier":
            self.tier = {}
            for lv in p["levels"]:
                box = self.look(w.IntText, description=f"{lv['zh']}（+{fmt(lv['points'])}）",
                                layout=dict(width="230px"),
                                style={"description_width": "130px"})
                box.observe(self._on(self._set_tier), "value")
                self.tier[lv["id"]] = with_class(box, f"kpa-tier-{lv['id']}")
            hint = self.look(w.HTML, "<span class='kpa-allowed'>每个级别获得的荣誉数 "
                             "number of honours at each level</span>")
            row = self.look(w.HBox, list(self.tier.values()))
            return with_class(self.look(w.VBox, [hint, row]), "kpa-input", f"kpa-input-{cid}")
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
            part = self.look(w.IntText, value=_as_int(s.get("participants")),
                             description=f"第{i + 1}次 参加人数",
                             layout=dict(width="220px"), style={"description_width": "120px"})
            refl = self.look(w.IntText, value=_as_int(s.get("reflections")), description="心得篇数",
                             layout=dict(width="170px"), style={"description_width": "70px"})
            drop = self.look(w.Button, description="删除 remove", layout=dict(width="110px"))
            drop.on_click(lambda _b, i=i: self.view.guard(lambda: self._remove_session(i)))
            for box in (part, refl):
                box.observe(self._on(lambda: self.view.on_value(self.rule.id, self._sessions())),
                            "value")
            self.session_rows.append((part, refl))
            rows.append(with_class(self.look(w.HBox, [part, refl, drop]), f"kpa-session-{cid}"))
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
            for name, box in self.fact_boxes.items():
                box.value = fact_text(c.facts(rid).get(name))
            self.files.show()
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
        self.error.value = problems_html(problems, rules={rid: self.rule}) + self._reason_hint()
        if amount and not c.reasons[rid].strip():
            self.reason.add_class("kpa-required")
        else:
            self.reason.remove_class("kpa-required")

    def _reason_hint(self) -> str:
        """原因是否仍适用？ when the value moved away from the one the kept reason was for."""
        c, rid = self.view.controller, self.rule.id
        if not reason_may_not_fit(c, rid):
            self.reason.remove_class("kpa-reason-check")
            return ""
        self.reason.add_class("kpa-reason-check")
        old = c.baseline.entries[rid].get(self.kind.value_field, self.kind.empty_value(self.rule))
        return reason_hint_html(describe_value(self.rule, old))
