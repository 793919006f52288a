"""The report's charts as inline SVG whose text stays text, so Chinese never turns into boxes.

Why SVG text and not a bundled font: matplotlib draws PNG glyphs with whatever font it finds,
and on a machine without a CJK font every Chinese character becomes a box ("tofu"). With
``svg.fonttype = 'none'`` the labels stay real ``<text>`` elements and the *reader's browser*
draws them with its own CJK font (every office PC has one: Microsoft YaHei, PingFang SC,
SimHei, Noto Sans CJK). Matplotlib only needs a font to measure text; it uses an installed CJK
font when there is one and falls back quietly otherwise. The ``font-family`` written into the
SVG is always ``CSS_FONT_STACK``, whatever was used for measuring. No font file is shipped.

Charts are built on ``matplotlib.figure.Figure`` directly (no pyplot), so nothing is kept in
global state between units rendered in the same kernel.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from functools import cache

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager

CJK_FAMILIES = ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei",
                "Source Han Sans SC", "WenQuanYi Micro Hei")
CSS_FONT_STACK = ", ".join(f"'{f}'" for f in CJK_FAMILIES) + ", sans-serif"
UNIT_COLOUR = "#b22222"      # the unit: the red of the office's forms
MEDIAN_COLOUR = "#8c8c8c"    # the year's median: neutral grey
_FONT_FAMILY_CSS = re.compile(r"font-family:[^;\"]*")

logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@cache
def measuring_family() -> str:
    """An installed CJK font for text metrics, else matplotlib's default (metrics only)."""
    installed = {f.name for f in fontManager.ttflist}
    return next((f for f in CJK_FAMILIES if f in installed), "DejaVu Sans")


def _rc() -> dict[str, object]:
    return {"svg.fonttype": "none", "svg.hashsalt": "kpa", "font.family": [measuring_family()],
            "font.size": 10, "axes.spines.top": False, "axes.spines.right": False,
            "axes.unicode_minus": False}


def to_svg(fig: Figure) -> str:
    """Serialise a figure as an inline ``<svg>`` element (no XML prolog, scalable width)."""
    buf = io.StringIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    svg = _FONT_FAMILY_CSS.sub(f"font-family: {CSS_FONT_STACK}", svg)
    # Let the page size it: keep the viewBox, drop the fixed point size.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="kpa-chart"', svg,
                 count=1)
    return svg


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_rc()):
        return Figure(figsize=(width, height), layout="constrained")


def attainment_chart(labels: Sequence[str], unit: Sequence[float], median: Sequence[float],
                     unit_name: str, year: int) -> str:
    """Horizontal bars: the unit's attainment (% of points) per area against the year's median."""
    n = len(labels)
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 0.42 * n + 1.2)
        ax = fig.add_subplot()
        ys = list(range(n))[::-1]
        h = 0.38
        ax.barh([y + h / 2 for y in ys], unit, height=h, color=UNIT_COLOUR,
                label=f"{unit_name} / unit")
        ax.barh([y - h / 2 for y in ys], median, height=h, color=MEDIAN_COLOUR,
                label=f"{year} 年度中位数 / year median")
        for y, u in zip(ys, unit, strict=True):
            ax.text(u + 1, y + h / 2, f"{u:.0f}%", va="center", fontsize=8)
        ax.set_yticks(ys, labels)
        ax.set_xlim(0, 112)
        ax.set_xlabel("得分率（得分 ÷ 分值）/ attainment (score ÷ points), %")
        fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
        ax.set_title("各考核项目得分率 / attainment per area", loc="left", fontsize=11)
        return to_svg(fig)


def history_chart(years: Sequence[int], unit_totals: Sequence[float | None],
                  median_totals: Sequence[float], unit_name: str) -> str:
    """Lines over the years: the unit's total against each year's median total."""
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 3.0)
        ax = fig.add_subplot()
        xs = [str(y) for y in years]
        pts = [(x, t) for x, t in zip(xs, unit_totals, strict=True) if t is not None]
        ax.plot(xs, median_totals, color=MEDIAN_COLOUR, marker="s", linestyle="--",
                label="年度中位数 / year median")
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], color=UNIT_COLOUR, marker="o",
                    linewidth=2, label=f"{unit_name} / unit")
            for x, t in pts:
                ax.annotate(f"{t:g}", (x, t), textcoords="offset points", xytext=(0, 7),
                            ha="center", fontsize=8, color=UNIT_COLOUR)
        low = min([m for m in median_totals] + [p[1] for p in pts])
        ax.set_ylim(max(0.0, low - 15), 112)
        ax.set_ylabel("合计 / total")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.set_title("历年合计得分 / total score over the years", loc="left", fontsize=11)
        return to_svg(fig)


def overview_chart(names: Sequence[str], totals: Sequence[float], median: float,
                   year: int) -> str:
    """Every unit's total with the year's median as a line (for the index page).

    Drawn top to bottom in the order given — ``ordering.ranked``'s, the table's — so tied
    units fall the same way in the chart as in every table.
    """
    n = len(names)
    with matplotlib.rc_context(_rc()):
        fig = _figure(7.6, 0.24 * n + 1.2)
        ax = fig.add_subplot()
        order = list(range(n))
        ys = list(range(n))[::-1]
        vals = [totals[i] for i in order]
        colours = [UNIT_COLOUR if v >= median else "#e08a7e" for v in vals]
        ax.barh(ys, vals, color=colours, height=0.7)
        for y, v in zip(ys, vals, strict=True):
            ax.text(v + 0.8, y, f"{v:g}", va="center", fontsize=7)
        ax.axvline(median, color=MEDIAN_COLOUR, linestyle="--", linewidth=1)
        ax.text(median, n - 0.3, f" 中位数 median {median:g}", color="#555555", fontsize=8,
                va="bottom")
        ax.set_yticks(ys, [names[i] for i in order], fontsize=8)
        ax.set_xlim(0, 115)
        ax.set_xlabel("合计得分 / total score")
        ax.set_title(f"{year} 年度各单位合计得分 / total score of every unit", loc="left",
                     fontsize=11)
        return to_svg(fig)
