"""Matplotlib's font list kept in step with the machine's CJK fonts, and one line when none.

Why: matplotlib caches its font list (``fontlist-v*.json``) the first time it runs. When
``fonts-noto-cjk`` is installed after that, matplotlib keeps measuring Chinese labels with
DejaVu Sans and every chart warns "Glyph … missing from font(s) DejaVu Sans" (about a hundred
lines per ``kpa report``). Here a CJK font file that the cached list does not know is added,
and the cache is rewritten so later processes (the report kernels) load it already complete.
With no CJK font at all the charts still work (their text is drawn by the reader's browser,
see ``charts``): the glyph warnings are silenced and ``font_notice`` gives the one line that
says how to install one.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

CJK_FILE = re.compile(r"CJK|SourceHan|msyh|PingFang|simhei|simsun|wqy|DroidSansFallback|"
                      r"NotoSansSC|NotoSerifSC", re.IGNORECASE)
NOTICE = ("⚠ 未找到中文字体：图表中文仍由浏览器显示，但排版按 DejaVu Sans 估算；"
          "安装 Noto CJK 可解决（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk） / "
          "no CJK font found: chart text is still drawn by the browser but laid out with "
          "DejaVu Sans metrics; fix: install Noto CJK (Debian/Ubuntu: sudo apt-get install "
          "fonts-noto-cjk)")


def _cache_file() -> Path:
    import matplotlib
    from matplotlib.font_manager import FontManager

    return Path(matplotlib.get_cachedir()) / f"fontlist-v{FontManager.__version__}.json"


def refresh_font_list() -> list[str]:
    """Add CJK font files installed after matplotlib's font cache was made; the files added.

    The running process's font manager is updated in place (matplotlib's ``findfont`` is
    bound to it) and the cache file rewritten, so this happens once per machine.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {Path(f.fname).resolve() for f in manager.ttflist}
    added = []
    for name in font_manager.findSystemFonts():
        path = Path(name)
        if CJK_FILE.search(path.name) and path.resolve() not in known:
            try:
                manager.addfont(str(path))
            except (OSError, RuntimeError, ValueError):  # an unreadable file: skip it
                continue
            added.append(str(path))
    if added:
        with suppress(OSError):  # a read-only cache folder: this process has the full list
            font_manager.json_dump(manager, _cache_file())
    return added


@cache
def cjk_family(families: tuple[str, ...]) -> str | None:
    """The first of ``families`` matplotlib can use (after a refresh), else None.

    With none, charts draw inside ``quiet_glyphs``: ``font_notice`` says it once instead.
    """
    from matplotlib import font_manager

    refresh_font_list()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in families if f in installed), None)


@contextmanager
def quiet_glyphs(family: str | None) -> Iterator[None]:
    """Around drawing: without a CJK font (``family`` None), no per-glyph warnings.

    The labels stay SVG text drawn by the browser, so the missing glyphs only affect layout
    metrics; one line before the batch (``font_notice``) says so, not one per character.
    """
    if family is not None:
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*missing from font", category=UserWarning)
        yield


def font_notice(families: tuple[str, ...] | None = None) -> str | None:
    """The one line to print before a batch of reports when no CJK font is available."""
    if families is None:
        from kpa_core.charts import CJK_FAMILIES

        families = CJK_FAMILIES
    return None if cjk_family(tuple(families)) else NOTICE
