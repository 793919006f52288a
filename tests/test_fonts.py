"""No glyph warnings when CJK fonts postdate matplotlib's font cache; one line when none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STALE_CACHE = """
import matplotlib, re
from matplotlib import font_manager as fm
manager = fm.FontManager()
manager.ttflist = [f for f in manager.ttflist if not re.search('CJK', f.name)]
fm.json_dump(manager, fm.Path(matplotlib.get_cachedir(),
                              f'fontlist-v{fm.FontManager.__version__}.json'))
"""
CHART = """
import warnings
warnings.simplefilter('always')
{setup}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    svg = attainment_chart(['一、组织领导', '二、宣传教育'], [90.0, 80.0], [85.0, 70.0],
                           '石油工程系', 2013)
glyphs = [w for w in caught if 'missing from font' in str(w.message)]
print(len(glyphs))
"""
KPA_CHART = "from kpa_core.charts import attainment_chart, measuring_family"
PLAIN_CHART = """
import matplotlib
from kpa_core import charts
charts.measuring_family = lambda: 'DejaVu Sans'  # what kpa did before: trust the cache
attainment_chart = charts.attainment_chart
"""


def python(code: str, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLCONFIGDIR=str(cache))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def has_noto_cjk() -> bool:
    from matplotlib import font_manager

    return any("NotoSansCJK" in Path(f).name for f in font_manager.findSystemFonts())


@pytest.mark.skipif(not has_noto_cjk(), reason="needs an installed Noto CJK font")
def test_a_font_cache_older_than_the_cjk_fonts_is_refreshed_and_nothing_warns(tmp_path):
    assert python(STALE_CACHE, tmp_path).returncode == 0
    cache = next(tmp_path.glob("fontlist-v*.json"))
    assert "Noto Sans CJK" not in cache.read_text("utf-8")  # the stale state of the issue
    before = python(CHART.format(setup=PLAIN_CHART), tmp_path)
    assert int(before.stdout) > 10, before.stderr  # trusting the cache: a glyph warning per char
    assert python(STALE_CACHE, tmp_path).returncode == 0
    after = python(CHART.format(setup=KPA_CHART) + "print(measuring_family())", tmp_path)
    assert after.stdout.splitlines() == ["0", "Noto Sans CJK SC"], after.stderr
    assert "Noto Sans CJK" in cache.read_text("utf-8")  # rewritten: the next process is quick


def test_without_any_cjk_font_one_line_says_the_fix(tmp_path):
    assert python(STALE_CACHE, tmp_path).returncode == 0
    no_cjk = ("from matplotlib import font_manager\n"
              "font_manager.findSystemFonts = lambda *a, **k: []\n"
              "from kpa_core.fonts import font_notice\n"
              "note = font_notice()\n"
              "print(repr(note))\n"
              "from kpa_core.charts import attainment_chart\n")
    out = python(CHART.format(setup=no_cjk), tmp_path)
    assert out.returncode == 0, out.stderr
    note_line, glyphs = out.stdout.strip().splitlines()
    assert "\\n" not in note_line and "fonts-noto-cjk" in note_line and "no CJK font" in note_line
    assert glyphs == "0" and "Glyph" not in out.stderr  # silenced: the one line says it all
