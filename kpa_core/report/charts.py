"""The report's charts as inline SVG whose text stays text, so Chinese never turns into boxes.

Why SVG text and not a bundled font: a chart drawn to pixels draws its glyphs with whatever font
the generating machine has, and without a CJK font every Chinese character becomes a box
("tofu"). Here every label is a real ``<text>`` element with ``CSS_FONT_STACK``, drawn by the
*reader's browser* with its own CJK font (every office PC has one: Microsoft YaHei, PingFang SC,
SimHei, Noto Sans CJK). No font file is shipped, and none is needed where the reports are made.

Speed (issue #14): every chart is written as SVG directly — rectangles, lines and texts at
positions computed here, with margins from the labels' estimated width (a CJK character is
about one em, a Latin one about 0.6 em). matplotlib took ~0.2 s of CPU per report for the two
charts (ticks, text metrics, the SVG backend), most of a warm kernel's time per unit, and
~0.3 s per kernel to import; the index page's overview of every unit (10³ bars for a large
year) took seconds. The output depends only on the arguments, so equal input gives equal bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from kpa_core.text.sanitize import xml_text

CJK_FAMILIES = ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei",
                "Source Han Sans SC", "WenQuanYi Micro Hei")
CSS_FONT_STACK = ", ".join(f"'{f}'" for f in CJK_FAMILIES) + ", sans-serif"
UNIT_COLOUR = "#b22222"      # the unit: the red of the office's forms
MEDIAN_COLOUR = "#8c8c8c"    # the year's median: neutral grey


def text_width(text: str, size_pt: float) -> float:
    """Estimated width of ``text`` in inches: CJK about 1 em, anything else about 0.6 em."""
    ems = sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text)
    return ems * size_pt / 72


PT = 72.0  # the charts are laid out in points: 1 inch = 72 units of the viewBox


def _svg(width: float, height: float, parts: list[str], label: str) -> str:
    """The chart element: scalable (the page sizes it), ``role=img`` with its title as label."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.1f} {height:.1f}" '
            f'class="kpa-chart" role="img" aria-label="{xml_text(label)}">'
            f'{"".join(parts)}</svg>')


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = "#000000",
          width: float = 0.8, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width:g}"{dashed} />')


def _rect(x: float, y: float, w: float, h: float, colour: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" height="{h:.1f}" '
            f'fill="{colour}" />')


def _shortened(text: str, width_pt: float, size_pt: float) -> str:
    """``text`` cut with "…" to fit ``width_pt``: a legend of a long unit name stays on the chart.

    Why: the legend is one centred or right-aligned row; a unit name of ~60 characters pushed
    its start past the chart's left edge, so the unit's colour key and name were cut off. The
    full name stays in the chart's label and the page.
    """
    if text_width(text, size_pt) * PT <= width_pt:
        return text
    head, sep, tail = text.rpartition(" / ")  # "name / unit": the English tail is kept
    if not sep:
        head, tail = text, ""
    tail = sep + tail
    while head and text_width(head + "…" + tail, size_pt) * PT > width_pt:
        head = head[:-1]
    return head + "…" + tail


def _legend(items: Sequence[tuple[str, str, str]], right: float, y: float,
            anchor: str = "end", room: float = 7.0 * PT) -> list[str]:
    """Legend entries (colour, kind ``bar``/``line``/``dash``, text) in one row, 8 pt.

    The row fits in ``room`` points (the longest texts are shortened) and starts inside the
    chart, never left of it.
    """
    texts = [t for _, _, t in items]
    widths = [22 + text_width(t, 8) * PT + 12 for t in texts]
    for _ in range(2 * len(texts)):  # each pass shortens the widest entry; bounded
        if sum(widths) <= room:
            break
        k = max(range(len(texts)), key=lambda i: widths[i])
        texts[k] = _shortened(texts[k], text_width(texts[k], 8) * PT - (sum(widths) - room) - 1,
                              8)
        widths[k] = 22 + text_width(texts[k], 8) * PT + 12
    x = right - sum(widths) if anchor == "end" else right - sum(widths) / 2
    x = max(x, 2.0)
    parts = []
    for (colour, kind, _), text, w in zip(items, texts, widths, strict=True):
        if kind == "bar":
            parts.append(_rect(x, y - 6, 14, 7, colour))
        else:
            parts.append(_line(x, y - 2.5, x + 16, y - 2.5, colour, 2 if kind == "line" else 1.5,
                               "4,2" if kind == "dash" else ""))
        parts.append(_svg_text(x + 20, y, text, 8))
        x += w
    return parts


def _nice_ticks(low: float, high: float) -> list[float]:
    """Round tick values inside [low, high]: steps of 10 or 20 (scores run 0 to ~110)."""
    step = 20.0 if high - low > 60 else 10.0
    first = -(-low // step) * step
    return [first + k * step for k in range(int((high - first) // step) + 1)]


def attainment_chart(labels: Sequence[str], unit: Sequence[float], median: Sequence[float],
                     unit_name: str, year: int) -> str:
    """Horizontal bars: the unit's attainment (% of points) per area against the year's median.

    Written as SVG directly (no matplotlib, no font needed to measure: margins come from the
    labels' estimated width), one ``<rect>`` per bar and ``<text>`` per label; Chinese stays
    text drawn by the reader's browser with the CJK font stack.
    """
    n = len(labels)
    width, height = 7.2 * PT, (0.42 * n + 1.2) * PT
    left = (max((text_width(t, 10) for t in labels), default=0.5) + 0.2) * PT
    top, bottom, right = 0.4 * PT, 0.85 * PT, 0.2 * PT
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max, row = 112.0, plot_h / (n + 0.2) if n else plot_h

    def x(v: float) -> float:
        return left + plot_w * max(0.0, min(float(v), x_max)) / x_max

    def y(k: float) -> float:  # category k (0 = first label, drawn at the top), centre
        return top + row * (k + 0.6)

    bar = 0.38 * row
    parts = [_svg_text(left, top - 10, "各考核项目得分率 / attainment per area", 11)]
    for k, (u, m) in enumerate(zip(unit, median, strict=True)):
        parts.append(_rect(left, y(k) - bar, x(u) - left, bar, UNIT_COLOUR))
        parts.append(_rect(left, y(k), x(m) - left, bar, MEDIAN_COLOUR))
        parts.append(_svg_text(x(float(u) + 1), y(k) - bar / 2 + 3, f"{float(u):.0f}%", 8))
    for k, text in enumerate(labels):
        parts.append(_line(left - 3.5, y(k), left, y(k)))
        parts.append(_svg_text(left - 5.5, y(k) + 3.5, text, 10, "end"))
    base = top + plot_h
    parts.append(_line(left, top, left, base))
    parts.append(_line(left, base, left + plot_w, base))
    for tick in range(0, 101, 20):
        parts.append(_line(x(tick), base, x(tick), base + 3.5))
        parts.append(_svg_text(x(tick), base + 15, str(tick), 10, "middle"))
    parts.append(_svg_text(left + plot_w / 2, base + 29,
                           "得分率（得分 ÷ 分值）/ attainment (score ÷ points), %", 10, "middle"))
    parts += _legend([(UNIT_COLOUR, "bar", f"{unit_name} / unit"),
                      (MEDIAN_COLOUR, "bar", f"{year} 年度中位数 / year median")],
                     width / 2, height - 8, anchor="middle", room=width - 4)
    return _svg(width, height, parts, f"{unit_name} · 各考核项目得分率 / attainment per area")


def history_chart(years: Sequence[int], unit_totals: Sequence[float | None],
                  median_totals: Sequence[float], unit_name: str) -> str:
    """Lines over the years: the unit's total against each year's median total (SVG directly)."""
    width, height = 7.2 * PT, 3.0 * PT
    left, right, top, bottom = 0.75 * PT, 0.2 * PT, 0.4 * PT, 0.4 * PT
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(years)
    pts = [(k, float(t)) for k, t in enumerate(unit_totals) if t is not None]
    low = min([float(m) for m in median_totals] + [t for _, t in pts])
    y_low, y_high = max(0.0, low - 15), 112.0
    span = max(n - 1, 1)

    def x(k: float) -> float:  # matplotlib's default 5 % margins either side
        return left + plot_w * (k + 0.05 * span) / (1.1 * span)

    def y(v: float) -> float:
        return top + plot_h * (y_high - max(y_low, min(float(v), y_high))) / (y_high - y_low)

    base = top + plot_h
    parts = [_svg_text(left, top - 10, "历年合计得分 / total score over the years", 11),
             _line(left, top, left, base), _line(left, base, left + plot_w, base)]
    for tick in _nice_ticks(y_low, y_high):
        parts.append(_line(left - 3.5, y(tick), left, y(tick)))
        parts.append(_svg_text(left - 5.5, y(tick) + 3.5, f"{tick:g}", 10, "end"))
    for k, yr in enumerate(years):
        parts.append(_line(x(k), base, x(k), base + 3.5))
        parts.append(_svg_text(x(k), base + 15, str(yr), 10, "middle"))
    parts.append(f'<text x="0" y="0" text-anchor="middle" transform="translate(14.0,'
                 f'{top + plot_h / 2:.1f}) rotate(-90)" style="font-family: {CSS_FONT_STACK}; '
                 'font-size: 10px; font-weight: normal; fill: #000000">'
                 f'{bilingual_text("合计 / total")}</text>')
    med = [(x(k), y(m)) for k, m in enumerate(median_totals)]
    parts.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in med)}" '
                 f'fill="none" stroke="{MEDIAN_COLOUR}" stroke-width="1.5" '
                 'stroke-dasharray="5.5,2.4" />')
    parts += [_rect(a - 3, b - 3, 6, 6, MEDIAN_COLOUR) for a, b in med]
    if pts:
        line = " ".join(f"{x(k):.1f},{y(t):.1f}" for k, t in pts)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{UNIT_COLOUR}" '
                     'stroke-width="2" />')
        for k, t in pts:
            parts.append(f'<circle cx="{x(k):.1f}" cy="{y(t):.1f}" r="3" '
                         f'fill="{UNIT_COLOUR}" />')
            below = k < n and float(median_totals[k]) > t  # the median's line just above
            parts.append(_svg_text(x(k), y(t) + (13 if below else -7), f"{t:g}", 8, "middle",
                                   UNIT_COLOUR))
    parts += _legend([(MEDIAN_COLOUR, "dash", "年度中位数 / year median")]
                     + ([(UNIT_COLOUR, "line", f"{unit_name} / unit")] if pts else []),
                     left + plot_w - 4, base - 8, room=plot_w - 8)
    return _svg(width, height, parts, f"{unit_name} · 历年合计得分 / total score over the years")


def _svg_text(x: float, y: float, text: str, size: float, anchor: str = "start",
              colour: str = "#000000", weight: str = "normal") -> str:
    style = (f"font-family: {CSS_FONT_STACK}; font-size: {size:g}px; "
             f"font-weight: {weight}; fill: {colour}")
    style = html.escape(style, quote=False).replace('"', "&quot;")  # the font names keep their '
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="{style}"'
            f">{bilingual_text(text)}</text>")


_EN_TAIL = re.compile(r"\s*/ (?=[A-Za-z(])")


def bilingual_text(text: str) -> str:
    """SVG text with its English tail (" / year median") in a ``tspan.en``.

    Why: the page's ``lang-zh`` class (and print under ``lang-auto``) hides ``.en``; an SVG
    label written as one string kept its English on a Chinese-only page.
    """
    m = _EN_TAIL.search(text)
    if not m:
        return xml_text(text)
    return (f'{xml_text(text[:m.start()])}<tspan class="en">{xml_text(text[m.start():])}'
            "</tspan>")


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
