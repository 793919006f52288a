"""The year overview: the college-wide analysis of one year, as data and as a static page.

``year_views`` gathers what the analysis needs (the year's scores, the year before if there is
one, the self-assessments, the kinds of unit) and computes every ``analysis`` frame once;
``overview_html`` lays them out chart-beside-table, Chinese first; ``write_overview`` writes
``overview.html`` beside the reports' ``index.html`` (only when its content changed, so a rerun
over unchanged inputs rewrites nothing). The explore notebook shows the same ``YearViews``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kpa_core.analysis import stats as analysis
from kpa_core.analysis.charts import BLUE, bar_svg, heatmap_svg, histogram_svg
from kpa_core.analysis.pages import chart_beside, esc, frame_table, page, rules_in_words
from kpa_core.errors import KpaInputError
from kpa_core.scoring.ordering import ranked
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import YearScores, score_year
from kpa_core.store.atomic import atomic_write_text
from kpa_core.year.data import Unit, available_years, load_units, load_year
from kpa_core.year.inputs import YearInputs

OVERVIEW_NAME = "overview.html"


@dataclass
class YearViews:
    """Everything the overview and the explore dashboard show for one year (and unit kind)."""

    year: int
    scores: YearScores
    units: Mapping[str, Unit]
    previous: YearScores | None = None
    assessor: list[Record] = field(default_factory=list)
    own: list[Record] = field(default_factory=list)
    previous_year: int | None = None

    @property
    def kinds(self) -> dict[str, str]:
        return {u: unit.kind for u, unit in self.units.items()}

    def name(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return unit.name_zh if unit else str(self.scores.table.at[unit_id, "unit"])

    def only(self, kind: str | None) -> YearViews:
        """The same views restricted to one kind of unit (``office``/``department``)."""
        if not kind or kind == "all":
            return self
        keep = [u for u in self.scores.table.index if self.kinds.get(u) == kind]
        return YearViews(self.year, restrict(self.scores, keep), self.units,
                         restrict(self.previous, keep) if self.previous else None,
                         [r for r in self.assessor if r.unit_id in keep],
                         [r for r in self.own if r.unit_id in keep], self.previous_year)

    def heatmap(self, area: str | None = None, max_rules: int | None = None) -> str:
        """Rules × units of points lost (only rules of ``area`` — a top area or a sub-area)."""
        m = analysis.points_lost_matrix(self.scores)
        if area:
            rubric = self.scores.rubric
            leaf = {r: rubric.items[rubric.rules[r].item_id].area_id for r in m.index}
            m = m[[leaf[r] == area or rubric.top_area_of(leaf[r]) == area for r in m.index]]
        if max_rules:
            m = m.loc[m.sum(axis=1).sort_values(ascending=False).index[:max_rules]
                      .sort_values(key=lambda ix: [list(self.scores.rubric.rules).index(r)
                                                   for r in ix])]
        reasons = analysis.reasons_matrix(self.scores, m)
        rules = self.scores.rubric.rules
        rows = [f"{r} {short(rules[r].zh)}" for r in m.index]
        cols = [self.name(u) for u in m.columns]
        hover = [[hover_text(cols[j], r, v, reasons.iat[i, j]) for j, v in enumerate(m.iloc[i])]
                 for i, r in enumerate(m.index)]
        return heatmap_svg(m.to_numpy().tolist(), rows, cols, hover,
                           f"{self.year} 年度各单位失分 / points lost, rules × units")


def hover_text(unit: str, rule: str, lost: float, reason: str) -> str:
    """A heatmap cell's hover: unit, rule, points lost and the stated reason."""
    what = f"扣 {lost:g} 分 / −{lost:g}" if lost else "未扣分 / nothing lost"
    return f"{unit} · {rule}：{what}" + (f"。理由 / reason: {reason}" if reason else "")


def short(text: str, n: int = 12) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def restrict(scores: YearScores, keep: list[str]) -> YearScores:
    """A year's scores limited to some units (ranks recomputed among them)."""
    table = scores.table.loc[[u for u in keep if u in scores.table.index]].copy()
    table["rank"] = table["total"].rank(ascending=False, method="min").astype(int)
    breakdown = scores.breakdown[scores.breakdown["unit_id"].isin(table.index)]
    return YearScores(table=table, breakdown=breakdown, rubric=scores.rubric)


def _quiet_year(data_dir: Path, year: int, role: str, units: Mapping[str, Unit]) -> list[Record]:
    try:
        return load_year(data_dir, year, role=role, strict=False, units=dict(units)).records
    except KpaInputError:  # no folder for that year or role: nothing to show
        return []


def year_views(data_dir: str | Path, year: int, cap_scope: str | None = None,
               units: Mapping[str, Unit] | None = None, before: int | None = None,
               inputs: YearInputs | None = None) -> YearViews:
    """Load and score a year (records that fail to load are left out, as in the report batch),
    the year ``before`` (default: the latest earlier year with data) and the self-assessments.

    ``inputs``: the year as the report batch read it; nothing is read again.
    """
    data_dir = Path(data_dir)
    if inputs is not None:
        return _views_of(inputs, cap_scope, before)
    units = units if units is not None else load_units(data_dir)
    records = load_year(data_dir, year, strict=False, units=dict(units)).records
    rubric_id = records[0].rubric if records else None
    same = [r for r in records if r.rubric == rubric_id]
    scores = score_year(same, cap_scope=cap_scope)
    if before is None:
        earlier = [y for y in available_years(data_dir) if y < year]
        before = earlier[-1] if earlier else None
    previous = None
    if before is not None:
        prev = [r for r in _quiet_year(data_dir, before, "assessor", units)
                if r.rubric == rubric_id]
        previous = score_year(prev, cap_scope=cap_scope) if prev else None
    own = [r for r in _quiet_year(data_dir, year, "self", units) if r.rubric == rubric_id]
    return YearViews(year, scores, units, previous, same, own, before if previous else None)


def _views_of(inputs: YearInputs, cap_scope: str | None, before: int | None) -> YearViews:
    """``year_views`` from a year already read: the same choices, no file opened."""
    records = inputs.assessor.records
    rubric_id = records[0].rubric if records else None
    same = [r for r in records if r.rubric == rubric_id]
    scores = score_year(same, cap_scope=cap_scope)
    if before is None:
        before = inputs.earlier_years[-1] if inputs.earlier_years else None
    previous = None
    if before is not None and (loaded := inputs.earlier.get(before)) is not None:
        prev = [r for r in loaded.records if r.rubric == rubric_id]
        previous = score_year(prev, cap_scope=cap_scope) if prev else None
    own = [r for r in inputs.self_assessed.records if r.rubric == rubric_id]
    return YearViews(inputs.year, scores, inputs.units, previous, same, own,
                     before if previous else None)


TOP_RULE_COLUMNS = [("rule", "规则 / rule"), ("label", "评分标准 / standard"),
                    ("units", "扣分单位数 / units"), ("points", "合计失分 / points lost"),
                    ("mean", "平均 / mean")]
KIND_COLUMNS = [("label", "类别 / kind"), ("units", "单位数 / units"), ("mean", "平均 / mean"),
                ("median", "中位数 / median"), ("min", "最低 / min"), ("max", "最高 / max")]
AREA_COLUMNS = [("area", "编号 / id"), ("label", "考核项目 / area"), ("points", "分值 / points"),
                ("mean", "平均得分 / mean"), ("attainment", "达成率 % / attainment %"),
                ("full", "满分单位 / at full"), ("zero", "零分单位 / at 0")]
MOVER_COLUMNS = [("unit", "单位 / unit"), ("total_before", "上年 / before"),
                 ("total_after", "本年 / now"), ("change", "变动 / change"),
                 ("rank_before", "上年名次 / rank before"), ("rank_after", "本年名次 / rank now"),
                 ("rank_change", "名次变动 / rank move"), ("rules", "主要原因 / rules")]
GAP_COLUMNS = [("unit", "单位 / unit"), ("self_total", "自评 / self"),
               ("assessor_total", "考核组 / assessors"), ("gap", "差额 / gap"),
               ("rules_disputed", "分歧规则数 / rules")]
GAP_RULE_COLUMNS = [("rule", "规则 / rule"), ("label", "评分标准 / standard"),
                    ("units", "单位数 / units"), ("gap", "合计差额 / gap")]


def sections(v: YearViews, linked: set[str] | None = None, area: str | None = None,
             href: Callable[[str], str | None] | None = None) -> dict[str, str]:
    """The overview's sections as HTML, by name (the explore dashboard shows them one by one).

    ``linked`` are the unit ids whose report ``<unit id>.html`` sits beside the page (or, with
    ``href``, wherever ``href(unit id)`` says); ``area`` limits the heatmap to one area.
    """
    linked = linked or set()

    def link(row: pd.Series) -> str | None:
        uid = row.get("unit_id")
        if uid not in linked:
            return None
        return href(uid) if href else f"{uid}.html"

    out: dict[str, str] = {}
    top = analysis.most_deducted_rules(v.scores)
    if area:
        top = top[[a == area or v.scores.rubric.top_area_of(a) == area for a in top["area"]]]
    top_show = top.assign(label=top["label"].map(lambda s: short(s, 24)))
    out["heatmap"] = ('<h2>失分分布 / where the College loses its points</h2>'
                      '<p class="muted">悬停单元格可见扣分理由 / hover a cell for the reason.</p>'
                      + chart_beside(v.heatmap(area), frame_table(top_show.head(15),
                                                              TOP_RULE_COLUMNS)))
    table = ranked(v.scores.table).reset_index(drop=True)
    kinds = analysis.totals_by_kind(v.scores, v.kinds)
    ranking = frame_table(table, [("unit", "单位 / unit"), ("rank", "名次 / rank"),
                                  ("total", "合计 / total")], link)
    out["totals"] = ("<h2>合计分布与单位类别 / totals and kinds of unit</h2>"
                     + chart_beside(histogram_svg(list(table["total"]),
                                                  "合计得分分布 / distribution of totals"),
                                    frame_table(kinds, KIND_COLUMNS))
                     + f"<details><summary>全部单位 / every unit</summary>{ranking}</details>")
    att = analysis.area_attainment(v.scores)
    out["areas"] = ("<h2>各考核项目达成率 / area attainment</h2>" + chart_beside(
        bar_svg([f"{a} {short(lbl, 10)}" for a, lbl in zip(att["area"], att["label"],
                                                             strict=True)],
                [round(100 * x, 1) for x in att["attainment"]],
                "平均得分占分值 / mean score as % of points", "%", BLUE),
        frame_table(att.assign(label=att["label"].map(lambda s: short(s, 14)),
                               attainment=(100 * att["attainment"]).round(1)), AREA_COLUMNS)))
    if v.previous is not None:
        mv = analysis.movers(v.previous, v.scores)
        mv["rules"] = [rules_in_words(t, v.scores.rubric) for t in mv["rules"]]  # as the notice
        head = mv.head(12)
        out["movers"] = (f"<h2>与 {esc(v.previous_year)} 年度相比 / movers since "
                         f"{esc(v.previous_year)}</h2>" + chart_beside(
                             bar_svg([v.name(u) for u in head["unit_id"]],
                                     list(head["change"]), "合计变动 / change of total"),
                             frame_table(mv, MOVER_COLUMNS, link), wide=True))
    if v.own:
        gaps = analysis.self_gaps_by_unit(v.assessor, v.own, v.scores.rubric)
        by_rule = analysis.self_gaps_by_rule(v.assessor, v.own, v.scores.rubric)
        by_rule = by_rule.assign(label=by_rule["label"].map(lambda s: short(s, 24)))
        out["gaps"] = ("<h2>自评与考核组的差距 / self-assessment vs assessors</h2>"
                       + chart_beside(bar_svg([v.name(u) for u in gaps["unit_id"]],
                                              list(gaps["gap"]),
                                              "自评高出考核组的分数 / self − assessors"),
                                      frame_table(gaps, GAP_COLUMNS, link))
                       + "<h3>按规则 / by rule</h3>" + frame_table(by_rule, GAP_RULE_COLUMNS))
    return out


def overview_html(v: YearViews, linked: set[str] | None = None) -> str:
    """The whole printable page, Chinese first, nothing fetched."""
    t = v.scores.table
    parts = [f'<h1>{esc(v.year)} 年度考核总览<span class="en">{esc(v.year)} assessment — '
             "the College as a whole</span></h1>",
             f"<p>共 {len(t)} 个单位，合计平均 {t['total'].mean():.4g}、中位数 "
             f"{t['total'].median():g}；考核细则 <code>{esc(v.scores.rubric.id)}</code>。"
             f'<span class="en"> {len(t)} units, mean total {t["total"].mean():.4g}, median '
             f"{t['total'].median():g}.</span> "
             '<a href="index.html">← 排名与各单位报告 / ranking and reports</a></p>',
             *sections(v, linked).values()]
    return page(f"{v.year} 年度考核总览 / year overview", parts, "kpa-overview", made=False)


def linked_reports(out_dir: str | Path) -> set[str]:
    """The unit ids whose report sits in ``out_dir`` (the pages the overview links to)."""
    return {p.stem for p in Path(out_dir).glob("*.html")} - {"index", "overview"}


def write_overview(out_dir: str | Path, year: int, data_dir: str | Path,
                   cap_scope: str | None = None, linked: set[str] | None = None,
                   inputs: YearInputs | None = None) -> Path | None:
    """Write ``overview.html`` beside ``index.html``; rewrite it only when it would change.

    ``linked``: the reports to link to, when the caller knows them before they are written
    (the batch, while its workers render); default: the ones in the folder now.
    """
    out = Path(out_dir)
    views = year_views(data_dir, year, cap_scope=cap_scope, inputs=inputs)
    linked = linked_reports(out) if linked is None else linked
    text = overview_html(views, linked)
    path = out / OVERVIEW_NAME
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return None
    return atomic_write_text(path, text)


def write_overview_for_batch(out_dir: Path, year: int, data_dir: Path, cap_scope: str | None,
                             notes: list[str], linked: set[str] | None = None,
                             inputs: YearInputs | None = None) -> None:
    """The report batch's hook: a failing overview is a note on the console, never a failed
    batch (the reports are the main job)."""
    try:
        write_overview(out_dir, year, data_dir, cap_scope, linked, inputs)
    except Exception as exc:  # noqa: BLE001 - any failure here must not stop the batch
        notes.append(f"年度总览未能生成 / the year overview failed: {exc}")
