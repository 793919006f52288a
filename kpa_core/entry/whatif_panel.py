"""The what-if panel: scores beside the saved record, single changes ranked, scenarios saved.

A mixin of ``AssessView``: drawn from the controller's what-if copy only; saving a scenario
or adopting it into the entry copy goes through the controller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpa_core.entry.controller import (
    StaleRecordError,
)
from kpa_core.entry.styles import (
    MAX_CHANGES_SHOWN,
    STALE_HTML,
    css_id,
    esc,
    fmt,
    in_view,
    problems_html,
    record_words,
    signed,
)
from kpa_core.errors import KpaInputError

if TYPE_CHECKING:
    pass


class WhatifPanel:
    """The what-if mode's tables and buttons."""

    def _save_scenario(self) -> None:
        """Save the scenario; a file of that name is only replaced with 覆盖同名方案 ticked, and
        the tick is cleared after each save so that it never carries over to the next one."""
        c = self.controller
        try:
            c.save_scenario(self.scenario_name.value, self.scenario_who.value,
                            self.scenario_why.value, overwrite=self.scenario_overwrite.value)
        except KpaInputError as exc:
            self.scenario_status.value = in_view(
                "<div class='kpa-warn'>方案未保存 scenario not saved</div>"
                + problems_html(exc.problems, with_rule=True, rules=c.rubric.rules))
            return
        self.scenario_overwrite.value = False
        self.scenario_status.value = in_view(
            f"<span class='kpa-ok'>方案已保存「{esc(self.scenario_name.value)}」，"
            f"{record_words(c)}未改动 <span class='kpa-en'>scenario saved; the record is "
            "unchanged</span></span>")
        self.refresh()

    def _adopt(self) -> None:
        """The one route from the scenario to the record, behind its confirmation box, with
        its own 保存人 and 改记录原因 (the audit line's who and why of the record change)."""
        c = self.controller
        try:
            c.save_scenario_as_record(self.adopt_who.value, self.adopt_why.value,
                                      confirmed=self.confirm.value)
        except StaleRecordError:
            self.adopt_status.value = in_view(STALE_HTML)
            return
        except KpaInputError as exc:
            self.adopt_status.value = in_view(
                "<div class='kpa-warn'>未存为考核记录 not saved as the record</div>"
                + problems_html(exc.problems, with_rule=True, rules=c.rubric.rules))
            return
        self.confirm.value = False
        self.adopt_why.value = ""  # the next change of the record needs its own reason
        self.adopt_status.value = in_view(
            f"<span class='kpa-ok'>方案已存为{record_words(c)}，合计 "
            f"{fmt(c.baseline_card().total)}，并记入审计日志 <span class='kpa-en'>the scenario "
            "is now the record</span></span>")
        self._refresh_units()
        self.refresh()

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
