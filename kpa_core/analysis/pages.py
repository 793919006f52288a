"""Static, offline HTML pages of the college-wide views: the sensitivity page and the shell and
tables the year overview shares with it.

Pages reuse the reports' stylesheet (``templates/kpa_report.css``, with its print styles) inline,
so they print like the reports and fetch nothing. Every value shown is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core import __version__
from kpa_core.analysis.charts import bar_svg
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.paths import TEMPLATES_DIR
from kpa_core.text.sanitize import xml_text as esc

EXTRA_CSS = """
.kpa-two { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.kpa-two > div { min-width: 0; overflow-x: auto; flex: 1 1 420px; }
.kpa-two > div.kpa-figure { flex: 0 0 auto; }
/* A table beside a chart shares the width: its headers wrap ("达成率 % / attainment %" on
   two lines) so every column fits a 1366 px screen instead of scrolling out of its box. */
.kpa-two thead th { white-space: normal; min-width: 3em; }
body.kpa-overview main, body.kpa-sensitivity-page main { max-width: 1500px; }
td.long { font-size: 0.85em; max-width: 28em; }
.kpa-heatmap .cell:hover rect { stroke: #000; stroke-width: 1.5; }
table.kpa-table td.num { text-align: right; }
@media print { .kpa-two { display: block; } section { break-inside: avoid; } }
"""


def fmt(value: Any) -> str:
    """Numbers without trailing zeros (shares as percent), booleans in both languages."""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, float):
        return "–" if pd.isna(value) else f"{value:.4g}" if abs(value) < 1 else f"{value:.5g}"
    return str(value)


def frame_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]],
                link: Callable[[pd.Series], str | None] | None = None,
                cls: str = "") -> str:
    """A table of the given (column, Chinese / English header) pairs; ``link`` gives an href
    for a row's first cell (a unit's report), or None for plain text."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for _, h in columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for k, (col, _) in enumerate(columns):
            v = r[col]
            text = esc(fmt(v))
            if k == 0 and link and (href := link(r)):
                text = f'<a href="{esc(href)}">{text}</a>'
            numeric = isinstance(v, int | float) and not isinstance(v, bool)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="kpa-table {cls}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def chart_beside(svg: str, table: str, wide: bool = False) -> str:
    """Every chart with its table beside it (stacked when printed, or when the table is
    ``wide`` — too many columns to share the width with a chart)."""
    if wide:
        return f'<div class="kpa-figure">{svg}</div>{table}'
    return f'<div class="kpa-two"><div class="kpa-figure">{svg}</div><div>{table}</div></div>'


def page(title: str, parts: Sequence[str], body_class: str, made: bool = True) -> str:
    """A whole offline page; ``made=False`` leaves out the time, so unchanged inputs give
    byte-identical pages (the batch then rewrites nothing)."""
    css = (TEMPLATES_DIR / "kpa_report.css").read_text(encoding="utf-8") + EXTRA_CSS
    when = (" · 生成时间 / made " + datetime.now(UTC).isoformat(timespec="seconds")) if made \
        else ""
    footer = f'<footer class="kpa-provenance"><p>kpa {esc(__version__)}{esc(when)}</p></footer>'
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f'<body class="{body_class}"><main>{"".join(parts)}{footer}</main>\n</body>\n'
            "</html>\n")


SENSITIVITY_COLUMNS = [("reading", "解读 / reading"), ("label", "说明 / meaning"),
                       ("units_changed", "变动单位 / units changed"),
                       ("max_change", "最大变动 / largest change"),
                       ("rank_move", "最大名次变动 / largest rank move"),
                       ("rank_move_unit", "单位 / unit"), ("top3_changed", "前三变 / top 3"),
                       ("bottom3_changed", "后三变 / bottom 3"), ("changes", "变动 / changes")]


def sensitivity_chart(frame: pd.DataFrame) -> str:
    singles = frame[frame["options"] == 1]
    return bar_svg(list(singles["reading"]), [float(v) for v in singles["units_changed"]],
                   "各解读下总分变动的单位数 / units whose total changes, per reading",
                   " 个 units")


def sensitivity_body(year: int, rubric_id: str, frame: pd.DataFrame,
                     units: Mapping[str, Any] | None = None) -> list[str]:
    """The sensitivity sections (also shown in the explore notebook's tab)."""
    from kpa_core.analysis.sensitivity import summary_lines
    from kpa_core.rubric.readings import load_readings

    options = load_readings(rubric_id)
    opt_rows = pd.DataFrame([{"name": n, "question": f"{o.zh} / {o.en}", "default": o.default,
                              "allowed": " | ".join(o.allowed)} for n, o in options.items()])
    parts = [f'<h1>{esc(year)} 年度 · 初稿歧义条款的敏感性<span class="en">{esc(year)} — '
             f"which of the draft's open questions change a total or a rank</span></h1>",
             f'<p>考核细则 / rubric <code>{esc(rubric_id)}</code>。每种解读均对全部单位重新评分，'
             '与现行默认解读比较。<span class="en"> Every reading rescores every unit and is '
             "compared with today's default reading.</span></p>",
             "<h2>歧义条款与可选解读 / the open questions and their readings</h2>",
             frame_table(opt_rows, [("name", "选项 / option"), ("question", "问题 / question"),
                                    ("default", "默认 / default"),
                                    ("allowed", "可选 / allowed")])]
    singles = frame[frame["options"] == 1].copy()
    singles["label"] = singles["label"].str.split(" / ").str[0]  # English is in the table above
    parts.append("<h2>逐项 / one reading at a time</h2>")
    # The table is wide (every changed unit is named), so the chart sits above it.
    parts.append(f'<div class="kpa-figure">{sensitivity_chart(frame)}</div>'
                 + frame_table(singles, SENSITIVITY_COLUMNS, cls="kpa-sensitivity"))
    parts += reading_sections(rubric_id)
    combos = frame[frame["options"] >= 2]
    if not combos.empty:
        parts.append("<h2>组合 / combinations</h2>")
        parts += [f"<p>{esc(line)}</p>" for line in summary_lines(frame)]
        top = combos.sort_values(["units_changed", "rank_move"], ascending=False,
                                 key=lambda s: s.abs()).head(15)
        parts.append(frame_table(top, [c for c in SENSITIVITY_COLUMNS
                                       if c[0] not in ("label", "changes")]))
    return parts


def reading_sections(rubric_id: str) -> list[str]:
    """Every reading with its clause quoted, and the clauses read one way with no alternative."""
    from kpa_core.analysis.sensitivity import ambiguity_rows, fixed_rows

    return ["<h2>每种解读及原文 / every reading, with its clause</h2>",
            frame_table(pd.DataFrame(ambiguity_rows(rubric_id)),
                        [("option", "选项 / option"), ("clause", "原文 / clause"),
                         ("value", "解读 / reading"), ("default", "默认 / released"),
                         ("label", "含义 / meaning")]),
            "<h2>只有一种读法的条款 / clauses read one way, and why</h2>",
            frame_table(pd.DataFrame(fixed_rows(rubric_id)),
                        [("where", "位置 / where"), ("clause", "原文 / clause"),
                         ("why", "原因 / why")])]


def write_sensitivity_page(path: Path, year: int, rubric_id: str, frame: pd.DataFrame,
                           units: Mapping[str, Any] | None = None) -> Path:
    """``kpa sensitivity --html FILE``: one offline page, written atomically."""
    html_text = page(f"{year} 年度歧义条款敏感性 / sensitivity",
                     sensitivity_body(year, rubric_id, frame, units), "kpa-sensitivity-page")
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, html_text)
