"""Hand-written SVG for the college-wide views: heatmap, bars, histogram.

Why not matplotlib here: a heatmap needs a hover text per cell (the stated reason), which SVG
gives with a ``<title>`` child and no script; labels stay ``<text>`` so the reader's browser
draws Chinese with its own font (no font is shipped); and building the strings directly is
fast enough to redraw on every widget change. Everything user-supplied is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpa_core.text.sanitize import xml_text

# Same families as charts.CJK_FAMILIES (kept here so this module does not import matplotlib).
FONT = ("'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'SimHei', "
        "'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif")
RED, GREY, BLUE = "#b22222", "#8c8c8c", "#2f5d8a"


def _width(text: str) -> float:
    """Rough width in px at 12px: CJK characters are square, others about half."""
    return sum(12 if ord(c) > 0x2E80 else 6.6 for c in text)


def _svg(width: float, height: float, body: list[str], title: str, cls: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-family="{xml_text(FONT)}" font-size="12"><title>{xml_text(title)}</title>'
            + "".join(body) + "</svg>")


def _shade(value: float, top: float) -> str:
    """White → the office's red, by the share of the largest value."""
    if value <= 0 or top <= 0:
        return "#ffffff"
    t = min(1.0, value / top)
    r, g, b = 255 + (178 - 255) * t, 255 + (34 - 255) * t, 255 + (34 - 255) * t
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def heatmap_svg(values: Sequence[Sequence[float]], row_labels: Sequence[str],
                col_labels: Sequence[str], hover: Sequence[Sequence[str]], title: str,
                cell: int = 22) -> str:
    """Rows × columns of points lost; each cell's ``<title>`` is its hover text.

    Column labels are written vertically (one character under another reads naturally in
    Chinese), row labels on the left; the number lost is printed in cells that have one.
    """
    left = max((_width(s) for s in row_labels), default=40) + 10
    top = max((len(s) for s in col_labels), default=2) * 13 + 30
    width = left + cell * len(col_labels) + 10
    height = top + cell * len(row_labels) + 10
    peak = max((v for row in values for v in row), default=0)
    body = [f'<text x="4" y="16" font-size="14" font-weight="bold">{xml_text(title)}</text>']
    for j, label in enumerate(col_labels):
        x = left + j * cell + cell / 2
        body.append(f'<text class="col-label" x="{x:.1f}" y="{top - 6}" writing-mode="tb" '
                    f'text-anchor="end" style="writing-mode: vertical-rl; '
                    f'text-orientation: upright">{xml_text(label)}</text>')
    for i, label in enumerate(row_labels):
        y = top + i * cell
        body.append(f'<text class="row-label" x="{left - 6}" y="{y + cell * 0.68:.1f}" '
                    f'text-anchor="end">{xml_text(label)}</text>')
        for j, v in enumerate(values[i]):
            x = left + j * cell
            body.append(f'<g class="cell"><title>{xml_text(hover[i][j])}</title>'
                        f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                        f'fill="{_shade(v, peak)}" stroke="#ddd"/>')
            if v > 0:
                ink = "#fff" if v > peak / 2 else "#333"
                body.append(f'<text x="{x + cell / 2 - 0.5:.1f}" y="{y + cell * 0.68:.1f}" '
                            f'text-anchor="middle" font-size="10" fill="{ink}">{v:g}</text>')
            body.append("</g>")
    return _svg(width, height, body, title, "kpa-heatmap")


def bar_svg(labels: Sequence[str], values: Sequence[float], title: str,
            suffix: str = "", colour: str = RED) -> str:
    """Horizontal bars (negative to the left of the axis), one per label, value at the end."""
    left = max((_width(s) for s in labels), default=40) + 12
    span, row = 320, 20
    lo, hi = min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 1.0
    scale = span / ((hi - lo) or 1)
    zero = left + (-lo) * scale
    height = 30 + row * len(labels) + 10
    body = [f'<text x="4" y="16" font-size="14" font-weight="bold">{xml_text(title)}</text>',
            f'<line x1="{zero:.1f}" y1="24" x2="{zero:.1f}" y2="{height - 8}" stroke="{GREY}"/>']
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 28 + i * row
        x0 = zero if v >= 0 else zero + v * scale
        body.append(f'<g class="bar"><title>{xml_text(label)}: {v:g}{xml_text(suffix)}</title>'
                    f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{xml_text(label)}</text>'
                    f'<rect x="{x0:.1f}" y="{y + 2}" width="{abs(v) * scale:.1f}" height="14" '
                    f'fill="{colour}"/><text x="{max(zero, x0 + abs(v) * scale) + 4:.1f}" '
                    f'y="{y + 13}" fill="#333">{v:g}{xml_text(suffix)}</text></g>')
    return _svg(left + span + 70, height, body, title, "kpa-bars")


def histogram_svg(values: Sequence[float], title: str, lo: float = 0, hi: float = 110,
                  step: float = 5, x_label: str = "合计得分 / total") -> str:
    """The distribution of totals in bins of ``step`` points from ``lo`` to ``hi``."""
    bins = int((hi - lo) / step)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int((v - lo) // step)))] += 1
    w, h, left, base = 14, 140, 30, 170
    peak = max(counts) or 1
    body = [f'<text x="4" y="16" font-size="14" font-weight="bold">{xml_text(title)}</text>']
    for k, c in enumerate(counts):
        x = left + k * w
        bh = h * c / peak
        body.append(f'<g class="bin"><title>{lo + k * step:g}–{lo + (k + 1) * step:g}: {c}'
                    f'</title><rect x="{x}" y="{base - bh:.1f}" width="{w - 1}" height="{bh:.1f}"'
                    f' fill="{BLUE}"/></g>')
        if k % 2 == 0:
            body.append(f'<text x="{x}" y="{base + 14}" font-size="10">{lo + k * step:g}</text>')
    body.append(f'<line x1="{left}" y1="{base}" x2="{left + bins * w}" y2="{base}" '
                f'stroke="{GREY}"/><text x="{left}" y="{base + 30}">{xml_text(x_label)}</text>'
                f'<text x="4" y="{base - h}" font-size="10">{peak}</text>')
    return _svg(left + bins * w + 20, base + 40, body, title, "kpa-histogram")
