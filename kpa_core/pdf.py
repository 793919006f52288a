"""HTML pages → A4 PDF files through headless Chromium (Playwright, Debian's chromium).

Why Chromium and not nbconvert's webpdf exporter: webpdf re-exports the notebook and starts
a browser per file; kpa already has the finished HTML, so one browser prints every page of a
batch (≈ 0.3 s a page once warm). The page's own ``@page`` rules set A4, the margins and
"第 X 页 / 共 Y 页" (Chromium ≥ 131 draws CSS page-margin boxes), so printing the HTML from a
browser by hand gives the same pages as the PDF. Fonts are embedded by Chromium and the text
stays text (a test extracts the unit's name and total with pypdf).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from kpa_core.atomic import atomic_write_bytes
from kpa_core.errors import KpaInputError, Problem

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
INSTALL_HINT = "apt-get install chromium fonts-noto-cjk"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-z])")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class ChromiumMissing(KpaInputError):
    """No usable headless Chromium: the one line that installs it is the whole message."""

    def __init__(self) -> None:
        super().__init__([Problem("生成 PDF 需要 Chromium，请安装：" + INSTALL_HINT,
                                  "PDF needs Chromium; install it with: " + INSTALL_HINT)])

    def render(self) -> str:
        return f"生成 PDF 需要 Chromium / PDF needs Chromium: {INSTALL_HINT}"


def chromium_path() -> str | None:
    """``KPA_CHROMIUM``, else Debian's chromium, else one on the PATH."""
    env = os.environ.get("KPA_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for cand in CHROMIUM_CANDIDATES:
        if Path(cand).is_file():
            return cand
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_chromium() -> str:
    """The Chromium to use, or ``ChromiumMissing`` (also when Playwright is not installed)."""
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        raise ChromiumMissing()
    return path


class PdfPrinter:
    """One headless browser that prints page after page (use as a context manager)."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang
        self._pw = self._browser = self._page = None

    def __enter__(self) -> PdfPrinter:
        from playwright.sync_api import sync_playwright

        exe = check_chromium()
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=exe, args=FLAGS,
                                                 headless=True)
        self._page = self._browser.new_page()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()

    def print_pdf(self, html_path: Path, pdf_path: Path) -> int:
        """Print one page to ``pdf_path`` atomically; returns the number of pages."""
        page = self._page
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready")
        if self.lang in ("zh", "zh-en"):  # the HTML's own choice otherwise (print: Chinese)
            page.evaluate("l => { const b = document.body; b.classList.remove('lang-auto',"
                          " 'lang-zh', 'lang-zh-en'); b.classList.add('lang-' + l); }",
                          self.lang)
        data = page.pdf(prefer_css_page_size=True, print_background=True,
                        display_header_footer=False)
        atomic_write_bytes(Path(pdf_path), data)
        return len(PAGE_OBJECT.findall(data))


def print_many(pairs: Iterable[tuple[Path, Path]], lang: str | None = None) -> dict[str, str]:
    """Print every (html, pdf) pair with one browser; returns pdf name → error for failures."""
    failures: dict[str, str] = {}
    pairs = list(pairs)
    if not pairs:
        return failures
    with PdfPrinter(lang) as printer:
        for html_path, pdf_path in pairs:
            try:
                printer.print_pdf(html_path, pdf_path)
            except Exception as exc:  # noqa: BLE001 - one page's failure is reported, not fatal
                failures[Path(pdf_path).name] = f"{type(exc).__name__}: {exc}"
    return failures
