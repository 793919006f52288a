"""The app's 整改 tab: one unit's rectification items, its 整改报告 and the office's 核查.

A thin face over ``kpa_core.rectify`` (the same functions ``kpa rectify report|check`` call):
the tab shows the ledger of the chosen year once it is published, else the year before's —
while a year is assessed, last year's items are the ones being rectified. A report takes a
text and uploaded evidence (stored in that year's evidence ledger first, then named by hash in
the report's line); a check takes 通过 or 不通过 and the finding. Who acts is chosen from
kpa.toml's people, as for a save; the core refuses what the role may not do (a unit contact
checking, a report on a closed item) and the refusal appears beside the button pressed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from kpa_core.audit.rectify_chain import ItemState, Ledger
from kpa_core.entry.process_line import who_widget
from kpa_core.entry.styles import esc, problems_html, with_class
from kpa_core.errors import KpaInputError

STYLE = ("<style>.kpa-rect-table{border-collapse:collapse;font-size:13px;width:100%}"
         ".kpa-rect-table th,.kpa-rect-table td{border:1px solid #ddd;padding:3px 6px;"
         "vertical-align:top;text-align:left}.kpa-rect-table th{background:#f4f1ec}"
         ".kpa-rect-overdue .kpa-rect-status{color:#b00020;font-weight:bold}"
         ".kpa-rect-closed .kpa-rect-status{color:#2e7d32}"
         ".kpa-rect-awaiting_check .kpa-rect-status{color:#8a5a00}</style>")


def items_table(items: list[ItemState]) -> str:
    """The unit's items: id, requirement, deadline, status and the latest step."""
    if not items:
        return "<p class='kpa-allowed'>该单位无整改事项 / no items for this unit</p>"
    rows = []
    for s in items:
        last = ""
        if s.checks and s.checks[-1].result == "fail" and s.status != "awaiting_check":
            last = f"核查不通过：{esc(s.checks[-1].why)}"
        elif s.status == "closed" and s.closed_on:
            last = f"{s.closed_on:%Y-%m-%d} 销号（{esc(s.checks[-1].who)}）"
        elif s.reports:
            r = s.reports[-1]
            last = f"已报送（{esc(r.who)}，佐证 {len(r.evidence)} 件）：{esc(r.text[:60])}"
        else:
            last = "<span class='kpa-allowed'>未报送整改情况 / not reported</span>"
        rows.append(f"<tr class='kpa-rect-{esc(s.status)}'><td>{esc(s.item.item_id)}</td>"
                    f"<td>{esc(s.item.text)}</td><td>{s.item.deadline:%Y-%m-%d}</td>"
                    f"<td class='kpa-rect-status'>{esc(s.status_zh)}</td><td>{last}</td></tr>")
    return ("<table class='kpa-rect-table'><thead><tr><th>事项</th><th>整改要求 requirement</th>"
            "<th>期限</th><th>状态 status</th><th>办理情况</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


class RectifyPanel:
    """The 整改 tab's widgets; ``show(year, unit_id)`` fills them for the app's choice."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.year: int | None = None
        self.unit_id: str | None = None
        self.ledger: Ledger | None = None
        self.heading = with_class(w.HTML(), "kpa-rect-heading")
        self.listing = with_class(w.HTML(), "kpa-rect-listing")
        self.item = with_class(w.Dropdown(description="事项", layout=w.Layout(width="98%"),
                                          style={"description_width": "50px"}), "kpa-rect-item")
        self.text = with_class(w.Textarea(description="整改情况", placeholder="已采取的整改措施",
                                          layout=w.Layout(width="98%", height="70px"),
                                          style={"description_width": "70px"}), "kpa-rect-text")
        self.upload = with_class(w.FileUpload(accept="", multiple=True,
                                              description="佐证材料 upload",
                                              layout=w.Layout(width="180px")), "kpa-rect-upload")
        self.reporter = who_widget(self.data_dir, w.Text(description="报送人",
                                                          layout=w.Layout(width="260px")))
        self.reporter.description = "报送人"
        self.report = with_class(w.Button(description="报送整改情况 report",
                                          button_style="primary",
                                          layout=w.Layout(width="200px")), "kpa-rect-report")
        self.report_status = with_class(w.HTML(), "kpa-rect-report-status")
        self.result = with_class(w.ToggleButtons(options=[("通过 pass", "通过"),
                                                          ("不通过 fail", "不通过")],
                                                 value="通过"), "kpa-rect-result")
        self.why = with_class(w.Text(description="核查意见", layout=w.Layout(width="98%"),
                                     style={"description_width": "70px"}), "kpa-rect-why")
        self.checker = who_widget(self.data_dir, w.Text(description="核查人",
                                                         layout=w.Layout(width="260px")))
        self.checker.description = "核查人"
        self.check = with_class(w.Button(description="核查 check", button_style="warning",
                                         layout=w.Layout(width="160px")), "kpa-rect-check")
        self.check_status = with_class(w.HTML(), "kpa-rect-check-status")
        self.report_box = with_class(w.VBox([
            w.HTML("<h4>单位报送整改情况 / the unit reports</h4>"), self.text,
            w.HBox([self.upload, self.reporter]), w.HBox([self.report]), self.report_status]),
            "kpa-box", "kpa-rect-report-box")
        self.check_box = with_class(w.VBox([
            w.HTML("<h4>纪委办公室核查 / the office checks</h4>"), self.result, self.why,
            w.HBox([self.checker, self.check]), self.check_status]),
            "kpa-box", "kpa-rect-check-box")
        self.actions = w.VBox([self.item, self.report_box, self.check_box])
        self.widget = with_class(w.VBox([w.HTML(STYLE), self.heading, self.listing,
                                         self.actions]),
                                 "kpa-rect-panel")
        self.report.on_click(lambda _b: self._guard(self.do_report, self.report_status))
        self.check.on_click(lambda _b: self._guard(self.do_check, self.check_status))

    def _guard(self, fn: Any, status: w.HTML) -> None:
        """Refusals beside the button that caused them, every problem listed."""
        try:
            fn()
        except KpaInputError as exc:
            status.value = problems_html(exc.problems, with_rule=True)

    def show(self, year: int, unit_id: str, unit_name: str = "") -> None:
        """Fill the tab for the app's year and unit (read-only until a button is pressed)."""
        from kpa_core.rectify.ledger import ledger_in_view, unit_items

        self.year, self.unit_id = int(year), unit_id
        try:
            self.ledger = ledger_in_view(self.data_dir, year)
        except KpaInputError as exc:
            self.ledger = None
            self.heading.value = problems_html(exc.problems, with_rule=True)
            self.listing.value, self.actions.layout.display = "", "none"
            return
        if not self.ledger.published_on:
            self.heading.value = (f"<p class='kpa-allowed'>{int(year)} 年度及上一年度均未签发，"
                                  "尚无整改台账（签发后开立）/ neither this year nor the year "
                                  "before is published: no rectification ledger yet</p>")
            self.listing.value, self.actions.layout.display = "", "none"
            return
        items = unit_items(self.ledger, unit_id)
        c = {k: sum(s.status == k for s in items) for k in ("closed", "overdue")}
        opened = "" if self.ledger.opened else "（首次报送或核查时开立 / opened at the first step）"
        self.heading.value = (f"<h3>{self.ledger.year} 年度整改台账 · {esc(unit_name or unit_id)}"
                              f"</h3><p>共 {len(items)} 项，已销号 {c['closed']} 项，逾期 "
                              f"{c['overdue']} 项{opened}</p>")
        self.listing.value = items_table(items)
        self.item.options = [(f"{s.item.item_id} {s.status_zh} · {s.item.text[:40]}",
                              s.item.item_id) for s in items]
        first = next((s for s in items if s.status != "closed"), items[0] if items else None)
        self.item.value = first.item.item_id if first else None  # the first still to do
        self.actions.layout.display = None if items else "none"

    def _stored_uploads(self, who: str) -> list[str]:
        """The uploaded files stored in the ledger year's evidence store; the widget emptied."""
        from kpa_core.evidence.store import store_uploads

        assert self.ledger is not None
        try:
            stored = store_uploads(self.data_dir, self.ledger.year, self.upload.value, who=who,
                                   unit=self.unit_id, rule_id=self.item.value)
        finally:
            self.upload.value = ()  # the bytes never stay in the widget (or the notebook)
        return [f.sha256 for f in stored]

    def do_report(self) -> None:
        """报送: the unit's text (and files) for the chosen item."""
        from kpa_core.rectify.actions import report_item

        if self.ledger is None or self.item.value is None:
            return
        stored = self._stored_uploads(self.reporter.value or "")
        s = report_item(self.data_dir, self.ledger.year, str(self.unit_id), self.item.value,
                        self.text.value, stored=stored, by=self.reporter.value or None)
        self.text.value = ""
        self.show(int(self.year or self.ledger.year), str(self.unit_id))
        self.item.value = s.item.item_id
        self.report_status.value = (f"<div class='kpa-ok'>已报送 {esc(s.item.item_id)}，状态："
                                    f"{esc(s.label)}</div>")

    def do_check(self) -> None:
        """核查: 通过 closes the item, 不通过 returns it to 整改中 with the finding."""
        from kpa_core.rectify.actions import check_item

        if self.ledger is None or self.item.value is None:
            return
        s = check_item(self.data_dir, self.ledger.year, str(self.unit_id), self.item.value,
                       self.result.value, self.why.value, by=self.checker.value or None)
        self.why.value = ""
        self.show(int(self.year or self.ledger.year), str(self.unit_id))
        self.item.value = s.item.item_id
        self.check_status.value = (f"<div class='kpa-ok'>已核查 {esc(s.item.item_id)}："
                                   f"{esc(s.checks[-1].result_zh)}，状态：{esc(s.label)}</div>")
