"""The batch's ``index.html``: the year's ranking (sortable), an overview chart, links, failures.

A plain page built here rather than through nbconvert: it has no notebook behind it. Like the
reports it is one self-contained file — the stylesheet and the small table sorter are inline,
nothing is fetched — and every name and failure message is HTML-escaped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from kpa_core import __version__
from kpa_core.report.sections import esc, lbl, num
from kpa_core.rubric.model import Rubric
from kpa_core.scoring.ordering import ranked
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.paths import TEMPLATES_DIR
from kpa_core.text.dates import zh_datetime

# Click a header to sort by it; click again to reverse. Numbers sort as numbers (data-sort).
SORTER_JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
        var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh-CN');
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

COLUMNS = [("rank", "名次 / rank"), ("unit", "单位 / unit"), ("unit_id", "编号 / id"),
           ("A1", "一 A1"), ("A2", "二 A2"), ("A3", "三 A3"), ("basic", "基本 / basic"),
           ("bonus", "特色 / bonus"), ("total", "合计 / total")]
SELF_MARK = "自评"


def column_heading(col: str, label: str, rubric: Rubric | None) -> str:
    """A header cell: an area as "一 (20)" with its full name on hover and on paper."""
    if rubric is not None and col in rubric.areas:
        from kpa_core.report.summary import area_heading

        short, full = area_heading(rubric, col)
        return (f'<th scope="col" title="{esc(full)}">{esc(short)}'
                f'<span class="full"> {esc(full.split("、", 1)[-1])}</span></th>')
    if rubric is not None and col in ("basic", "bonus", "total"):
        points = {"basic": rubric.basic_points, "bonus": rubric.bonus_cap,
                  "total": rubric.basic_points + rubric.bonus_cap}[col]
        zh, _, en = label.partition(" / ")
        return (f'<th scope="col">{esc(zh)} ({num(points)})'
                f'<span class="en"> / {esc(en)}</span></th>')
    return f'<th scope="col">{lbl(label)}</th>'


def index_key(year: int, table: pd.DataFrame | None, linked: set[str],
              failures: dict[str, str], code: str) -> str:
    """What the page shows, hashed: rewrite the page only when this changes."""
    h = hashlib.sha256(f"{year}|{code}|{sorted(linked)}|{sorted(failures.items())}".encode())
    if table is not None:
        h.update(table.sort_index().to_csv(float_format="%.6g").encode("utf-8"))
    return h.hexdigest()


def open_items_of(data_dir: Path, year: int) -> dict[str, list[str]]:
    """Each unit's rectification items not yet 已销号: this year's (once published) and last
    year's, as ``2012 R2（逾期）`` (the index's 未销号整改 column, issue #23)."""
    from kpa_core.errors import KpaInputError
    from kpa_core.rectify.ledger import ledger_of

    out: dict[str, list[str]] = {}
    for y in (int(year) - 1, int(year)):
        try:
            ledger = ledger_of(data_dir, y)
        except KpaInputError:
            continue  # a record no longer as sealed: kpa verify names it; the index goes on
        for s in ledger.still_open():
            out.setdefault(s.item.unit_id, []).append(f"{y} {s.item.item_id}（{s.status_zh}）")
    return out


def _open_cell(items: list[str]) -> str:
    if not items:
        return '<td class="num" data-sort="0">0</td>'
    return (f'<td class="num kpa-open-items" data-sort="{len(items)}" '
            f'title="{esc("、".join(items))}">{len(items)}</td>')


def ranking_table(table: pd.DataFrame, linked: set[str], rubric: Rubric | None = None,
                  self_units: frozenset[str] = frozenset(),
                  open_items: dict[str, list[str]] | None = None) -> str:
    rows = []
    for key, r in ranked(table).iterrows():
        cells = []
        for col, _ in COLUMNS:
            value = r[col]
            if col == "unit":
                text = (f'<a href="{esc(key)}.html">{esc(value)}</a>' if key in linked
                        else f'{esc(value)} <span class="muted">（无报告 / no report）</span>')
                if key in self_units:
                    text += (f' <span class="kpa-self-mark" title="已提交自评 / filed a '
                             f'self-assessment">{SELF_MARK}</span>')
                cells.append(f'<td data-sort="{esc(value)}">{text}</td>')
            elif col == "unit_id":
                cells.append(f"<td><code>{esc(value)}</code></td>")
            else:
                cells.append(f'<td class="num" data-sort="{float(value):g}">{num(value)}</td>')
        if open_items is not None:
            cells.append(_open_cell(open_items.get(str(key), [])))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(column_heading(col, label, rubric) for col, label in COLUMNS)
    if open_items is not None:
        head += ('<th scope="col" title="整改台账中尚未销号的事项（悬停查看）/ rectification items '
                 'not yet closed (hover for the list)">未销号整改<span class="en"> / open '
                 "items</span></th>")
    return (f'<table class="kpa-table sortable" id="ranking"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def failures_box(failures: dict[str, str]) -> str:
    if not failures:
        return ""
    items = "".join(f"<li><b><code>{esc(u)}</code></b><pre>{esc(cause)}</pre></li>"
                    for u, cause in sorted(failures.items()))
    return (f'<section class="kpa-failures" id="failures"><h2>未能生成的报告 / reports that '
            f'failed ({len(failures)})</h2><ul>{items}</ul></section>')


def render_index(year: int, table: pd.DataFrame | None, linked: set[str],
                 failures: dict[str, str], rubric: Rubric | None = None,
                 self_units: frozenset[str] = frozenset(),
                 open_items: dict[str, list[str]] | None = None) -> str:
    """The whole page as a string."""
    from kpa_core.report import charts
    css = (TEMPLATES_DIR / "kpa_report.css").read_text(encoding="utf-8")
    parts = [f'<h1>{esc(year)} 年度党风廉政建设责任制考核 · 各单位报告'
             f'<span class="en">{esc(year)} clean-government responsibility assessment — '
             f'reports of every unit</span></h1>']
    parts.append(failures_box(failures))
    if table is not None and not table.empty:
        median = float(table["total"].median())
        parts.append(f'<p>共 {len(table)} 个单位，合计中位数 {num(median)}，已生成报告 '
                     f'{len(linked)} 份。<span class="en"> / {len(table)} units, median total '
                     f'{num(median)}, {len(linked)} reports.</span> 点击表头排序 '
                     '<span class="en">/ click a column header to sort.</span></p>')
        parts.append('<p class="kpa-overview-link"><a href="overview.html">年度总览：失分分布、'
                     '单位类别、变动与自评差距<span class="en"> / year overview: where points are '
                     'lost, kinds of unit, movers, self-assessment gaps</span> →</a></p>')
        parts.append('<p class="kpa-summary-link">公示汇总表<span class="en"> / public '
                     'summary</span>：<a href="summary.html">网页 / page</a> · '
                     '<a href="summary.xlsx">Excel 表格 / workbook</a></p>')
        if self_units:
            parts.append(f'<p><span class="kpa-self-mark">{SELF_MARK}</span> 该单位已提交自评'
                         f"（{len(self_units)} 个）<span class=\"en\"> / the unit filed a "
                         "self-assessment</span></p>")
        parts.append('<h2>排名<span class="en"> / ranking</span></h2>'
                     + ranking_table(table, linked, rubric, self_units, open_items))
        order = ranked(table)  # the table's order: ties fall the same way in both
        parts.append('<section class="kpa-keep"><h2>总览<span class="en"> / overview</span></h2>'
                     '<div class="kpa-figure">' + charts.overview_chart(
                         list(order["unit"]), [float(v) for v in order["total"]], median, year)
                     + '</div><p class="muted">深红：不低于中位数；浅红：低于中位数'
                     '<span class="en"> / dark red: at or above the median; light red: below '
                     "it.</span></p></section>")
    made = zh_datetime(None)
    scope = ""
    if table is not None and not table.empty:
        scope = f" · 封顶层级 / cap scope {esc(', '.join(sorted(set(table['cap_scope']))))}"
    parts.append(f'<footer class="kpa-provenance"><p>kpa {esc(__version__)}{scope} · '
                 f"生成时间 / made {esc(made)} · 各单位报告页脚列有考核细则与数据的 sha256 / "
                 "each report's footer lists the rubric's and the data's sha256</p></footer>")
    title = f"{year} 年度考核报告索引 / assessment reports index"
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f'<body class="kpa-index lang-auto"><main>{"".join(parts)}</main>\n'
            f"<script>{SORTER_JS}</script>\n</body>\n</html>\n")


def write_index_if_changed(out_dir: Path, year: int, table: pd.DataFrame | None,
                           linked: set[str], failures: dict[str, str], old_key: str | None,
                           code: str, rubric: Rubric | None = None,
                           self_units: frozenset[str] = frozenset(),
                           open_items: dict[str, list[str]] | None = None) -> tuple[str, bool]:
    """Write ``index.html`` unless it exists and shows the same; return (key, written)."""
    shown = {f"open:{u}:{'|'.join(v)}" for u, v in (open_items or {}).items()}
    key = index_key(year, table, linked | {f"self:{u}" for u in self_units} | shown, failures,
                    code)
    path = out_dir / "index.html"
    if key == old_key and path.is_file():
        return key, False
    atomic_write_text(path, render_index(year, table, linked, failures, rubric, self_units,
                                         open_items))
    return key, True
