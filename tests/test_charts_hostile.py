"""Hand-written SVG charts with hostile or very long unit names: valid XML, escaped, on chart.

Why: a unit name comes from ``units.csv`` and is written into ``<text>`` and ``aria-label``; a
long name used to push the legend row off the chart's left edge (its colour key and start cut).
"""

from __future__ import annotations

import re
import xml.dom.minidom

from kpa_core.report import charts

HOSTILE = "艺术系<script>alert('u')</script>\"]]><img src=x onerror=alert(2)>😀" + "长" * 40


def _check(svg: str) -> list[str]:
    """The chart's texts, after checking it parses and every box and text starts inside it."""
    xml.dom.minidom.parseString(svg)  # valid XML: every name escaped
    assert "<script" not in svg and "<img" not in svg
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    for x in re.findall(r'<(?:text|rect) x="([-\d.]+)"', svg):
        assert 0 <= float(x) <= width, (x, width)
    # a text's English tail is a <tspan class="en"> (hidden on Chinese-only pages): read through
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg)]


def test_a_long_hostile_name_keeps_the_legend_on_the_attainment_chart() -> None:
    texts = _check(charts.attainment_chart(["教育指标 A3.edu", "特色指标 S"], [80.0, 40.0],
                                           [90.0, 20.0], HOSTILE, 2013))
    unit = [t for t in texts if t.endswith(" / unit")]
    assert len(unit) == 1 and unit[0].startswith("艺术系&lt;script&gt;") and "…" in unit[0]
    assert "2013 年度中位数 / year median" in texts


def test_a_long_hostile_name_keeps_the_legend_on_the_history_chart() -> None:
    texts = _check(charts.history_chart([2012, 2013], [80.0, 90.0], [85.0, 86.0], HOSTILE))
    assert "年度中位数 / year median" in texts
    assert any(t.endswith("… / unit") for t in texts)


def test_a_short_name_is_not_shortened() -> None:
    texts = _check(charts.attainment_chart(["a"], [50.0], [40.0], "石油工程系", 2013))
    assert "石油工程系 / unit" in texts


def test_nan_totals_and_empty_years_stay_valid() -> None:
    _check(charts.attainment_chart([], [], [], HOSTILE, 2013))
    _check(charts.history_chart([2013], [None], [float("nan")], HOSTILE))
    _check(charts.overview_chart([HOSTILE], [float("nan")], float("nan"), 2013))


def test_control_characters_in_a_name_leave_well_formed_svg() -> None:
    """units.csv accepts a name with control characters (ESC, BEL, NUL); XML 1.0 forbids them,
    so they are dropped from every chart, the name's other characters kept."""
    from kpa_core.analysis.charts import bar_svg

    name = "艺术\x00系\x1b[31m\x07"
    for svg in (charts.history_chart([2012, 2013], [80.0, 90.0], [85.0, 86.0], name),
                charts.attainment_chart(["特色指标 S"], [40.0], [20.0], name, 2013),
                charts.overview_chart([name, "工会"], [90.0, 99.0], 94.5, 2013)):
        texts = _check(svg)
        assert any(t.startswith("艺术系[31m") for t in texts), texts
    svg = bar_svg([name, "工会"], [90.0, 99.0], "合计 / total")
    xml.dom.minidom.parseString(svg)
    assert "艺术系[31m" in svg and "\x1b" not in svg
