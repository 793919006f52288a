"""The entry form's areas: every area's controls built with the form, each drawn when opened.

Why: every widget the kernel creates is a model the browser must receive before the page is
usable (in Voila one ``update_states`` message for all of them). Issue #26 tried creating an
area's controls only when it was first opened: the first page got faster, but opening area 三
then took 0.9–2.3 s under load (its ~345 models sent one message each) against 0.3–0.5 s. So
every area is built with the form, each new model sent once with its final state
(``shared_look.opened_when_built``), rule controls that look alike sharing one Layout and one
style (``SharedLook``: 812 models for the whole form instead of 1,725), and only the open area
is put on the page; the others are swapped in for their placeholders when first opened.
"""

from __future__ import annotations

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


class FormAreas:
    """The part of ``AssessView`` that builds the form: areas → sub-areas → items → rules."""

    controller: AssessmentController | None
    form: w.Accordion

    def _forget_form(self) -> None:
        """No form (no record, or a new rubric coming): no controls, no panes."""
        self.controls: dict[str, RuleControl] = {}
        self.item_labels: dict[str, w.HTML] = {}
        self._areas: list[tuple[Any, list[tuple[Any, list[Item]]]]] = []
        self._area_of_rule: dict[str, int] = {}
        self._panes: list[w.Widget | None] = []
        self._built_rubric: str | None = None
        if not hasattr(self, "look"):  # kept for the view's life: shared by every area
            self.look = SharedLook()

    def _build_form(self) -> None:
        """The accordion for the controller's rubric: titles for every area, every area's
        controls, the first area on the page and a placeholder for each other area."""
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
        for index in range(1, len(self._areas)):  # built now, drawn when opened (see above)
            self._area_pane(index)
        self._built_rubric = c.rubric.id

    def _pane_opened(self, index: int | None) -> None:
        """Put an area's widgets in place of its placeholder."""
        if index is None or index >= len(self._panes) or self.controller is None:
            return
        pane = self._area_pane(index)
        if self.form.children[index] is not pane:
            children = list(self.form.children)
            children[index] = pane
            self.form.children = children

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
                self.controls[rule.id].show_state()
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
        """Every control from the controller's copy of the mode shown (no events fired)."""
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
