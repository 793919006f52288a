"""The explore dashboard (notebooks/explore.ipynb): a thin ipywidgets view over ``overview``,
``analysis`` and ``sensitivity`` — no numbers are computed here.

Controls: the year, a year to compare with (movers), the kind of unit, and the area of the
heatmap. Tabs: the heatmap of points lost (hover a cell for the reason), totals, area
attainment, movers, self-assessment gaps, and the sensitivity of the year to the draft's open
questions. Every chart sits beside its table, and a unit's row links to its report when the
report exists (``out/reports/<year>/<unit id>.html``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from kpa_core.analysis.overview import sections, year_views
from kpa_core.analysis.pages import EXTRA_CSS, sensitivity_body
from kpa_core.store.paths import default_data_dir, reports_dir_for, years_with_records
from kpa_core.year.data import load_units

# The same variables as controller.ENV_DATA/ENV_YEAR (kpa lab/app set them); not imported from
# there because the controller pulls in jsonschema, seconds of start-up the dashboard never uses.
ENV_DATA, ENV_YEAR = "KPA_DATA", "KPA_YEAR"
ENV_REPORTS_URL = "KPA_REPORTS_URL"  # e.g. /voila/files/out/reports/{year}/{unit}.html
ENV_REPORTS_DIR = "KPA_REPORTS_DIR"  # where those reports are on disk
# Tab titles whole and short (a tab cuts its title at ~110 px): Chinese only.
TABS = [("heatmap", "失分热力图"), ("totals", "合计分布"), ("areas", "达成率"),
        ("movers", "年度变动"), ("gaps", "自评差距"), ("sensitivity", "敏感性"),
        ("rectify", "整改进度")]
INTRO = ("本页汇总全院各单位的考核结果：在哪些条目失分、合计分布、各项达成率、与上年相比的变动、"
         "自评与考核组的差距，以及细则初稿歧义条款对结果的影响。点击单位名称可打开其报告。")
LOADING = "<p class=\"kpa-loading\">正在计算：按每种理解对全部单位重新评分，约需数秒……</p>"
WHOLE = {"description_width": "initial"}  # a control's label is never cut ("对比 comp…")
STYLE = f"<style>{EXTRA_CSS} .kpa-explore table {{ font-size: 12px; }}</style>"


class ExploreView:
    """The dashboard's widgets and the callbacks that redraw them from ``YearViews``."""

    def __init__(self, data_dir: str | Path | None = None, year: int | None = None,
                 reports_dir: str | Path | None = None) -> None:
        self.data_dir = Path(data_dir or os.environ.get(ENV_DATA) or default_data_dir())
        self.reports_dir = Path(reports_dir or os.environ.get(ENV_REPORTS_DIR)
                                or reports_dir_for(self.data_dir))
        self.units = load_units(self.data_dir)
        years = years_with_records(self.data_dir)[0]  # an empty year folder is skipped
        start = year or int(os.environ.get(ENV_YEAR) or years[-1])
        self.year = w.Dropdown(options=years, value=start, description="年度", style=WHOLE)
        self.compare = w.Dropdown(options=[("（无）", None), *[(str(y), y) for y in years]],
                                  value=max((y for y in years if y < start), default=None),
                                  description="对比年度", style=WHOLE)
        self.kind = w.ToggleButtons(options=[("全部", "all"), ("行政部门", "office"),
                                             ("教学系部", "department")],
                                    value="all", description="类别",
                                    style={"button_width": "auto", **WHOLE})
        self.area = w.Dropdown(description="考核项目", style=WHOLE,
                               layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.panes = {key: w.HTML(layout=w.Layout(overflow="auto")) for key, _ in TABS}
        self.tabs = w.Tab(children=[self.panes[k] for k, _ in TABS])
        for i, (_, title) in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.widget = w.VBox([w.HTML(STYLE + f"<h2>学院考核分析</h2><p>{INTRO}</p>"),
                              w.HBox([self.year, self.compare, self.area]), self.kind,
                              self.status, self.tabs])
        self.widget.add_class("kpa-explore")
        for control, name in ((self.year, "year"), (self.compare, "compare"), (self.kind, "kind"),
                              (self.area, "area"), (self.tabs, "tabs")):
            control.add_class(f"kpa-{name}")  # stable hooks for browser tests
        self._sensitivity: dict[int, Any] = {}
        self._views: dict[tuple[int, int | None], Any] = {}
        self._fill_areas()
        for control in (self.year, self.compare, self.kind, self.area):
            control.observe(self.refresh, names="value")
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.refresh()

    def year_views(self, year: int, before: int | None) -> Any:
        """The views of a year (and the year compared), loaded once per pair."""
        key = (year, before if before != year else None)
        if key not in self._views:
            views = year_views(self.data_dir, year, units=self.units, before=key[1])
            if key[1] is None:
                views.previous, views.previous_year = None, None
            self._views[key] = views
        return self._views[key]

    def _fill_areas(self) -> None:
        rubric = self.year_views(self.year.value, None).scores.rubric
        self.area.options = [("全部", ""), *[(a.zh, a.id)
                                                for a in rubric.areas.values()
                                                if a.part == "basic"]]
        self.area.value = ""

    def report_href(self, unit_id: str, year: int) -> str | None:
        """Where a unit's report is served, if it has been rendered."""
        if not (self.reports_dir / str(year) / f"{unit_id}.html").is_file():
            return None
        template = os.environ.get(ENV_REPORTS_URL)
        if template:
            return template.format(year=year, unit=unit_id)
        return (self.reports_dir / str(year) / f"{unit_id}.html").resolve().as_uri()

    def refresh(self, change: Any = None) -> None:
        """Recompute the views for the chosen year, comparison and kind; redraw every tab."""
        year = self.year.value
        if change is not None and change.get("owner") is self.year:
            self._fill_areas()
        self.views = self.year_views(year, self.compare.value).only(self.kind.value)
        linked = {u for u in self.views.scores.table.index if self.report_href(u, year)}
        html = sections(self.views, linked, area=self.area.value or None,
                        href=lambda u: self.report_href(u, year))
        empty = "<p>（此选择下无数据）</p>"
        for key in ("heatmap", "totals", "areas", "movers", "gaps"):
            self.panes[key].value = html.get(key, empty)
        from kpa_core.analysis.rectify_progress import progress_html

        names = {u: unit.name_zh for u, unit in self.units.items()}
        self.panes["rectify"].value = progress_html(self.data_dir, year, names)
        t = self.views.scores.table
        self.status.value = (f"<p>{year} 年度 · {len(t)} 个单位 · 平均合计 "
                             f"{t['total'].mean():.4g} 分 · 考核细则："
                             f"{self.views.scores.rubric.title['zh']}</p>")
        self._tab_changed()

    def _tab_changed(self, change: Any = None) -> None:
        if self.tabs.selected_index == [k for k, _ in TABS].index("sensitivity"):
            if self.year.value not in self._sensitivity:  # seconds of rescoring: say so first
                self.panes["sensitivity"].value = LOADING
            self.panes["sensitivity"].value = self.sensitivity_html()

    def sensitivity_html(self) -> str:
        """The sensitivity of the chosen year (computed once per year, on first view)."""
        from kpa_core.analysis.sensitivity import sensitivity

        year = self.year.value
        if year not in self._sensitivity:
            self._sensitivity[year] = sensitivity(self.year_views(year, None).assessor)
        rubric_id = self.views.scores.rubric.id
        return "".join(sensitivity_body(year, rubric_id, self._sensitivity[year],
                                        self.units)[1:])


def explore_app(data_dir: str | Path | None = None, year: int | None = None) -> w.Widget:
    """The notebook's one call: build the dashboard and return its root widget."""
    return ExploreView(data_dir, year).widget
