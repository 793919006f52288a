"""Static, offline HTML pages of the college-wide views: the sensitivity page and the shell and
tables the year overview shares with it.

Pages reuse the reports' stylesheet (``templates/kpa_report.css``, with its print styles) inline,
so they print like the reports and fetch nothing. Every value shown is escaped.
"""

from __future__ import annotations

import re
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
/* Sensitivity tables fit a 1366 px screen: long cells wrap inside their column. */
table.kpa-sensitivity, table.kpa-readings { table-layout: auto; width: 100%; }
table.kpa-sensitivity td, table.kpa-readings td { white-space: normal; overflow-wrap: anywhere; }
table.kpa-sensitivity td:last-child { font-size: 0.85em; min-width: 18em; }
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
    from kpa_core.text.dates import zh_datetime

    when = (" · 生成于 " + zh_datetime(datetime.now(UTC).isoformat(timespec="seconds"))) \
        if made else ""
    footer = f'<footer class="kpa-provenance"><p>kpa {esc(__version__)}{esc(when)}</p></footer>'
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f'<body class="{body_class}"><main>{"".join(parts)}{footer}</main>\n</body>\n'
            "</html>\n")


SENSITIVITY_COLUMNS = [("reading_zh", "解读"), ("units_changed", "总分变动的单位数"),
                       ("max_change", "最大分差（此解读−现行）"),
                       ("rank_move_zh", "名次变动最大的单位"),
                       ("ends", "前三名/后三名"), ("changes_zh", "各单位总分（现行→此解读）")]
COMBO_COLUMNS = [c for c in SENSITIVITY_COLUMNS if c[0] != "changes_zh"]


_PHRASE_END = re.compile(r"[，。；：！？,;:]")
_RULE_ID = re.compile(r"\b([A-Z]\d{1,2})\.[a-z_0-9]+")


def item_words(rubric: Any, item_id: str) -> str:
    """第16项（重视并支持纪检监察工作）: the item as the notice names it.

    The same words as ``report.notice_form.item_name`` (a test compares them); written here
    because the analysis face may not import the report face, which imports it.
    """
    item = rubric.items[item_id]
    head = _PHRASE_END.split(item.zh.strip(), maxsplit=1)[0].strip() or item.zh
    part = rubric.areas[item.area_id].part
    label = f"第{item.number}项" if part == "basic" else f"特色指标第{item.number}项"
    return f"{label}（{head}）"


def rules_in_words(text: str, rubric: Any) -> str:
    """``B16.judicial −4.5; B01.docs +2`` → ``第16项（…） −4.5；第1项（…） +2``."""
    def name(m: re.Match[str]) -> str:
        return item_words(rubric, m.group(1)) if m.group(1) in rubric.items else m.group(0)

    return _RULE_ID.sub(name, str(text)).replace("; ", "；")


def reading_words(rubric_id: str) -> dict[str, dict[str, Any]]:
    """Each option's Chinese name, quoted source clause and value names (the readings file)."""
    from kpa_core.rubric.readings import load_readings, readings_path
    from kpa_core.scoring.record import read_yaml

    raw = (read_yaml(readings_path(rubric_id)) or {}).get("options") or {} \
        if readings_path(rubric_id).is_file() else {}
    out = {}
    for name, o in load_readings(rubric_id).items():
        out[name] = {"zh": o.zh, "clause": str((raw.get(name) or {}).get("clause") or ""),
                     "default": o.default,
                     "values": {v: str(d.get("zh", v)) for v, d in o.values.items()}}
    return out


def reading_zh(reading: str, words: Mapping[str, Mapping[str, Any]]) -> str:
    """``B03.activity=earn_2_3 + cap_scope=area`` → 活动月…：按得2–3分处理；注1…：第三项整体封顶."""
    parts = []
    for piece in str(reading).split("+"):
        name, _, value = piece.strip().partition("=")
        w = words.get(name)
        parts.append(f"{w['zh']}：{w['values'].get(value, value)}" if w else piece)
    return "；".join(parts)


def rank_move_words(move: int, unit: str) -> str:
    """+2 → 名次上升 2 位 (a smaller rank number); −1 → 名次下降 1 位; 0 → 名次不变."""
    if not move:
        return "名次不变"
    return f"{unit} 名次{'上升' if move > 0 else '下降'} {abs(int(move))} 位"


def _unit_name(uid: str, units: Mapping[str, Any] | None) -> str:
    unit = (units or {}).get(uid)
    return str(getattr(unit, "name_zh", None) or uid)


def _changes_zh(changes: str, units: Mapping[str, Any] | None) -> str:
    """``logistics 59.5→58.5; arts 95→94`` with each unit by its Chinese name."""
    out = []
    for item in filter(None, (c.strip() for c in str(changes).split(";"))):
        uid, _, move = item.partition(" ")
        out.append(f"{_unit_name(uid, units)} {move}")
    return "；".join(out) or "无"


def sensitivity_view(frame: pd.DataFrame, words: Mapping[str, Mapping[str, Any]],
                     units: Mapping[str, Any] | None) -> pd.DataFrame:
    """The frame in an office head's words: readings, units and rank moves in Chinese."""
    view = frame.copy()
    view["reading_zh"] = [reading_zh(r, words) for r in view["reading"]]
    view["rank_move_zh"] = [rank_move_words(m, _unit_name(u, units))
                            for m, u in zip(view["rank_move"], view["rank_move_unit"],
                                            strict=True)]
    view["ends"] = [("前三名有变" if t else "前三名不变") + "，" + ("后三名有变" if b else
                                                            "后三名不变")
                    for t, b in zip(view["top3_changed"], view["bottom3_changed"], strict=True)]
    view["changes_zh"] = [_changes_zh(c, units) for c in view["changes"]]
    return view


def sensitivity_chart(frame: pd.DataFrame, words: Mapping[str, Mapping[str, Any]]
                      | None = None) -> str:
    singles = frame[frame["options"] == 1]
    labels = [reading_zh(r, words) if words else r for r in singles["reading"]]  # whole
    return bar_svg(labels, [float(v) for v in singles["units_changed"]],
                   "各解读下总分变动的单位数", " 个")


def sensitivity_body(year: int, rubric_id: str, frame: pd.DataFrame,
                     units: Mapping[str, Any] | None = None) -> list[str]:
    """The sensitivity sections (also shown in the explore notebook's tab), in Chinese.

    Readings are named by their Chinese question and the source clause they read, quoted;
    units by their Chinese names; a rank move says its direction (名次上升 2 位: a smaller
    rank number, i.e. better).
    """
    words = reading_words(rubric_id)
    opt_rows = pd.DataFrame([{"question": w["zh"], "clause": f"“{w['clause']}”"
                              if w["clause"] else "", "default": w["values"][w["default"]],
                              "others": "；".join(t for v, t in w["values"].items()
                                                 if v != w["default"])}
                             for w in words.values()])
    parts = [f"<h1>{esc(year)} 年度 · 细则初稿歧义条款的敏感性分析</h1>",
             "<p>考核细则初稿中有几处条款可作不同理解。下表每一行按一种理解对全部单位重新评分，"
             "并与现行（默认）理解比较：哪些单位的总分会变、名次会怎样变。"
             "名次“上升”指名次数字变小（排名靠前）。</p>",
             "<h2>歧义条款与可选理解</h2>",
             frame_table(opt_rows, [("question", "问题"), ("clause", "细则原文"),
                                    ("default", "现行理解（默认）"), ("others", "其他理解")],
                         cls="kpa-readings")]
    view = sensitivity_view(frame, words, units)
    singles = view[view["options"] == 1]
    parts.append("<h2>逐项：每次只换一种理解</h2>")
    parts.append(f'<div class="kpa-figure">{sensitivity_chart(frame, words)}</div>'
                 + frame_table(singles, SENSITIVITY_COLUMNS, cls="kpa-sensitivity"))
    parts += reading_sections(rubric_id)
    combos = view[view["options"] >= 2]
    if not combos.empty:
        parts.append("<h2>组合：同时换几种理解</h2>")
        top = combos.sort_values(["units_changed", "rank_move"], ascending=False,
                                 key=lambda s: s.abs()).head(15)
        worst = top.iloc[0]
        parts.append(f"<p>共评算 {len(combos)} 种组合；其中前三名有变的 "
                     f"{int(combos['top3_changed'].sum())} 种，后三名有变的 "
                     f"{int(combos['bottom3_changed'].sum())} 种。影响最大的组合："
                     f"{esc(worst['reading_zh'])}——{int(worst['units_changed'])} 个单位总分变动，"
                     f"{esc(worst['rank_move_zh'])}。</p>")
        parts.append(frame_table(top, COMBO_COLUMNS, cls="kpa-sensitivity"))
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
