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

Speed: the figures use a fixed layout. Margins are worked out from the labels' length (a CJK
character is about one em wide, a Latin one about 0.6 em) instead of matplotlib's constrained
layout, which measured every text twice per figure (``get_tightbbox``: half the chart time).
The index page's overview of every unit (10³ bars for a large year) is written as SVG
directly: matplotlib spent seconds per page on it. matplotlib is imported on first use only,
so an unchanged batch rerun, which draws nothing, never loads it.
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CJK_FAMILIES = ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei",
                "Source Han Sans SC", "WenQuanYi Micro Hei")
CSS_FONT_STACK = ", ".join(f"'{f}'" for f in CJK_FAMILIES) + ", sans-serif"
UNIT_COLOUR = "#b22222"      # the unit: the red of the office's forms
MEDIAN_COLOUR = "#8c8c8c"    # the year's median: neutral grey
_FONT_FAMILY_CSS = re.compile(r"font-family:[^;\"]*")

logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@cache
def measuring_family() -> str:
    """An installed CJK font for text metrics, else matplotlib's default (metrics only).

    ``fonts.cjk_family`` first brings matplotlib's cached font list up to date (see there).
    """
    from kpa_core.fonts import cjk_family

    return cjk_family(CJK_FAMILIES) or "DejaVu Sans"


def _rc() -> dict[str, object]:
    return {"svg.fonttype": "none", "svg.hashsalt": "kpa", "font.family": [measuring_family()],
            "font.size": 10, "axes.spines.top": False, "axes.spines.right": False,
            "axes.unicode_minus": False}


def to_svg(fig: Figure) -> str:
    """Serialise a figure as an inline ``<svg>`` element (no XML prolog, scalable width)."""
    import matplotlib

    from kpa_core.fonts import cjk_family, quiet_glyphs

    buf = io.StringIO()
    with matplotlib.rc_context(_rc()), quiet_glyphs(cjk_family(CJK_FAMILIES)):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    svg = _FONT_FAMILY_CSS.sub(f"font-family: {CSS_FONT_STACK}", svg)
    # Let the page size it: keep the viewBox, drop the fixed point size.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="kpa-chart"', svg,
                 count=1)
    return svg


def text_width(text: str, size_pt: float) -> float:
    """Estimated width of ``text`` in inches: CJK about 1 em, anything else about 0.6 em."""
    ems = sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text)
    return ems * size_pt / 72


def _figure(width: float, height: float, left: float, right: float, top: float,
            bottom: float) -> Figure:
    """A figure whose axes sit at fixed margins (inches): no layout engine runs on it."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(width, height), layout=None)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height)
    return fig


def attainment_chart(labels: Sequence[str], unit: Sequence[float], median: Sequence[float],
                     unit_name: str, year: int) -> str:
    """Horizontal bars: the unit's attainment (% of points) per area against the year's median."""
    import matplotlib

    n = len(labels)
    with matplotlib.rc_context(_rc()):
        width, height = 7.2, 0.42 * n + 1.2
        left = max((text_width(t, 10) for t in labels), default=0.5) + 0.2
        fig = _figure(width, height, left=left, right=0.2, top=0.4, bottom=0.85)
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
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlim(0, 112)
        ax.set_xlabel("得分率（得分 ÷ 分值）/ attainment (score ÷ points), %")
        fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8,
                   frameon=False)
        ax.set_title("各考核项目得分率 / attainment per area", loc="left", fontsize=11, y=1.02)
        return to_svg(fig)


def history_chart(years: Sequence[int], unit_totals: Sequence[float | None],
                  median_totals: Sequence[float], unit_name: str) -> str:
    """Lines over the years: the unit's total against each year's median total."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = _figure(7.2, 3.0, left=0.75, right=0.2, top=0.4, bottom=0.4)
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
        ax.set_title("历年合计得分 / total score over the years", loc="left", fontsize=11,
                     y=1.03)  # a fixed y: no bounding-box search to place it
        return to_svg(fig)


def _svg_text(x: float, y: float, text: str, size: float, anchor: str = "start",
              colour: str = "#000000", weight: str = "normal") -> str:
    style = (f"font-family: {CSS_FONT_STACK}; font-size: {size:g}px; "
             f"font-weight: {weight}; fill: {colour}")
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="{html.escape(style)}"'
            f">{html.escape(text)}</text>")


def overview_chart(names: Sequence[str], totals: Sequence[float], median: float,
                   year: int) -> str:
    """Every unit's total with the year's median as a line (for the index page).

    Drawn top to bottom in the order given — ``ordering.ranked``'s, the table's — so tied
    units fall the same way in the chart as in every table. Written as SVG by hand: one
    ``<rect>`` and two ``<text>`` per unit, linear in the count (matplotlib with a layout
    engine took ~10 s for 10³ units). Names are escaped.
    """
    n = len(names)
    order = list(range(n))
    row, label_px, title_h, axis_h = 17.0, 11.0, 34.0, 44.0
    names_w = max((text_width(str(names[i]), label_px) * 72 for i in order), default=40) + 12
    plot_w, x_max = 560.0, 115.0
    width, height = names_w + plot_w + 20, title_h + row * n + axis_h

    def x(v: float) -> float:
        return names_w + plot_w * max(0.0, min(v, x_max)) / x_max

    parts = [_svg_text(4, 20, f"{year} 年度各单位合计得分 / total score of every unit", 15,
                       weight="bold")]
    for k, i in enumerate(order):
        top = title_h + k * row
        v = float(totals[i])
        colour = UNIT_COLOUR if v >= median else "#e08a7e"
        parts.append(f'<rect x="{names_w:.1f}" y="{top + 2:.1f}" width="{x(v) - names_w:.1f}" '
                     f'height="{row - 4:.1f}" fill="{colour}" />')
        parts.append(_svg_text(names_w - 6, top + row * 0.7, str(names[i]), label_px, "end"))
        parts.append(_svg_text(x(v) + 4, top + row * 0.7, f"{v:g}", 10))
    base = title_h + row * n
    mx = x(median)
    parts.append(f'<line x1="{mx:.1f}" y1="{title_h - 4:.1f}" x2="{mx:.1f}" y2="{base:.1f}" '
                 f'stroke="{MEDIAN_COLOUR}" stroke-dasharray="5,3" stroke-width="1.3" />')
    parts.append(_svg_text(mx + 3, title_h - 6, f"中位数 median {median:g}", 11,
                           colour="#555555"))
    parts.append(f'<line x1="{names_w:.1f}" y1="{base:.1f}" x2="{names_w + plot_w:.1f}" '
                 f'y2="{base:.1f}" stroke="#000000" stroke-width="0.8" />')
    for tick in range(0, 101, 20):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{base:.1f}" x2="{tx:.1f}" y2="{base + 4:.1f}" '
                     'stroke="#000000" stroke-width="0.8" />')
        parts.append(_svg_text(tx, base + 16, str(tick), 10, "middle"))
    parts.append(_svg_text(names_w + plot_w / 2, base + 36, "合计得分 / total score", 12,
                           "middle"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'class="kpa-chart" role="img">{"".join(parts)}</svg>')
