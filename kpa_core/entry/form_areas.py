"""The entry form's areas: every area's controls built with the form, each drawn when opened.

(The lazy build below — an area created when first opened or asked for — was measured and is
kept only as the mechanism; ``_build_form`` builds every area at once, see there why.)

Why: every widget the kernel creates is a model the browser must receive and create before the
page is usable — in Voila one ``update_states`` message of ~1.4 MB for ~1,700 models, in
JupyterLab ~1,700 ``comm_open`` messages. Most belong to areas nobody has opened yet. So only
the open area's rule controls are created with the form; another area's are created when its
header is clicked, or when code asks ``view.controls[rule_id]`` for one of its rules. Nothing is
lost by waiting: every value, reason and score lives in the controller's working copy, not in
the widgets, so a control created late shows the copy's value and state at once, and the total
counts unopened areas all along (``AssessmentController.card``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from kpa_core.entry.rule_control import RuleControl
from kpa_core.entry.shared_look import SharedLook, opened_when_built
from kpa_core.entry.styles import css_id, esc, fmt, with_class
from kpa_core.entry.words import NOTE1_EN, NOTE1_ZH
from kpa_core.rubric.model import Item

if TYPE_CHECKING:
    from kpa_core.entry.controller import AssessmentController
    from kpa_core.scoring.score import ScoreCard

PLACEHOLDER = "<i>正在打开… opening</i>"


class LazyControls(dict):
    """The rule controls built so far, by rule id. Asking for one not built yet builds its
    area (in the kernel; it reaches the page when the area is opened). Iterating gives only the
    built ones: what is redrawn on a refresh or a unit switch."""

    def __init__(self, build_area_of: Callable[[str], None]):
        super().__init__()
        self._build_area_of = build_area_of

    def __missing__(self, rule_id: str) -> RuleControl:
        self._build_area_of(rule_id)  # KeyError for a rule the rubric does not have
        if not dict.__contains__(self, rule_id):
            raise KeyError(rule_id)
        return dict.__getitem__(self, rule_id)


class FormAreas:
    """The part of ``AssessView`` that builds the form: areas → sub-areas → items → rules."""

    controller: AssessmentController | None
    form: w.Accordion

    def _forget_form(self) -> None:
        """No form (no record, or a new rubric coming): no controls, no panes."""
        self.controls: LazyControls = LazyControls(self._build_area_of)
        self.item_labels: dict[str, w.HTML] = {}
        self._areas: list[tuple[Any, list[tuple[Any, list[Item]]]]] = []
        self._area_of_rule: dict[str, int] = {}
        self._panes: list[w.Widget | None] = []
        self._built_rubric: str | None = None
        if not hasattr(self, "look"):  # kept for the view's life: shared by every area
            self.look = SharedLook()

    def _build_form(self) -> None:
        """The accordion for the controller's rubric: titles for every area, the first area's
        controls, a placeholder for each other area."""
        c = self.controller
        self._forget_form()
        self._areas = c.sections()
        self._area_of_rule = {rule.id: i for i, (_area, groups) in enumerate(self._areas)
                              for _group, items in groups for item in items
                              for rule in item.rules}
        self._panes = [None] * len(self._areas)
        children: list[w.Widget] = []
        if self._areas:
            children = [self._area_pane(0)] + [
                with_class(self.look(w.HTML, PLACEHOLDER), "kpa-pane-placeholder")
                for _ in self._areas[1:]]
        self.form.children = children
        for i, (area, _groups) in enumerate(self._areas):
            self.form.set_title(i, f"{area.zh}（{fmt(area.points)}分）")
        self.form.selected_index = 0 if self._areas else None
        # The other areas' controls are created now too, only not drawn: built on first open,
        # area 三 took 0.9–2.3 s to open under load (its ~345 models sent then, one message
        # each) against 0.3–0.5 s when it is only drawn. The shared looks already halve the
        # models (812 for the whole form instead of 1,725), which is what the page waited for.
        for index in range(1, len(self._areas)):
            self._area_pane(index)
        self._built_rubric = c.rubric.id

    def _pane_opened(self, index: int | None) -> None:
        """Put an area's widgets (built now if need be) in place of its placeholder."""
        if index is None or index >= len(self._panes) or self.controller is None:
            return
        pane = self._area_pane(index)
        if self.form.children[index] is not pane:
            children = list(self.form.children)
            children[index] = pane
            self.form.children = children

    def _build_area_of(self, rule_id: str) -> None:
        if rule_id not in self._area_of_rule:
            raise KeyError(rule_id)
        self._area_pane(self._area_of_rule[rule_id])

    def _area_pane(self, index: int) -> w.Widget:
        """Area ``index``'s widgets, built on the first call, with their values, states and
        item scores drawn before any of them is sent to the browser."""
        pane = self._panes[index]
        if pane is not None:
            return pane
        with opened_when_built():
            return self._build_area(index)

    def _build_area(self, index: int) -> w.Widget:
        area, groups = self._areas[index]
        parts: list[w.Widget] = []
        items: list[Item] = []
        for group, group_items in groups:
            if group.id != area.id:
                parts.append(with_class(self.look(w.HTML, f"<h4>{esc(group.zh)} {esc(group.en)}"
                                                  f"（{fmt(group.points)}分）</h4>"),
                                        "kpa-subarea"))
            for item in group_items:
                parts.append(self._item_box(item))
                items.append(item)
        pane = self._panes[index] = with_class(self.look(w.VBox, parts),
                                               f"kpa-area-{css_id(area.id)}")
        card = self.controller.card()
        for item in items:
            for rule in item.rules:
                dict.__getitem__(self.controls, rule.id).show_state()
            self._draw_item_label(item.id, card)
        return pane

    def _item_box(self, item: Item) -> w.Widget:
        label = with_class(self.look(w.HTML), "kpa-item-score", f"kpa-item-{item.id}")
        self.item_labels[item.id] = label
        notes = "".join(f"<div class='kpa-allowed'>注 note：{esc(n['zh'])} / {esc(n['en'])}</div>"
                        for n in item.notes)
        evidence = f"（{esc(item.evidence.get('zh', ''))}）" if item.evidence else ""
        head = self.look(w.HTML, f"<div class='kpa-item'><b>第{item.number}条 {esc(item.id)}</b>"
                         f"（赋分 {fmt(item.points)}）{evidence} {esc(item.zh)}<br>"
                         f"<span class='kpa-en'>{esc(item.en)}</span>{notes}</div>")
        rules = []
        for rule in item.rules:
            control = RuleControl(self, rule)
            control.show_value()
            self.controls[rule.id] = control
            rules.append(control.box)
        return with_class(self.look(w.VBox, [head, label, *rules]), f"kpa-itembox-{item.id}")

    def _show_values(self) -> None:
        """Every built control from the controller's copy of the mode shown (no events fired);
        an area not built yet will read the copy when it is."""
        for control in self.controls.values():
            control.show_value()
        self._set_quietly(self.cap_scope, self.controller.cap_scope())

    def _draw_item_labels(self, card: ScoreCard) -> None:
        for item_id in self.item_labels:
            self._draw_item_label(item_id, card)

    def _draw_item_label(self, item_id: str, card: ScoreCard) -> None:
        c, label = self.controller, self.item_labels[item_id]
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
