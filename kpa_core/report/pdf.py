"""HTML pages → A4 PDF files through headless Chromium (Playwright, Debian's chromium).

Why Chromium and not nbconvert's webpdf exporter: webpdf re-exports the notebook and starts
a browser per file; kpa already has the finished HTML, so one browser prints every page of a
batch (≈ 0.3 s a page once warm). The page's own ``@page`` rules set A4, the margins and
"第 X 页 / 共 Y 页" (Chromium ≥ 131 draws CSS page-margin boxes), so printing the HTML from a
browser by hand gives the same pages as the PDF. Fonts are embedded by Chromium and the text
stays text (a test extracts the unit's name and total with pypdf). Each PDF's ToUnicode maps
are then rewritten (``report.pdf_text``) so that its text extracts and searches as the HTML's
characters: 月, not the Kangxi radical ⽉ that shares its glyph in Noto CJK.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.atomic import atomic_write_bytes

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
INSTALL_HINT = "apt-get install chromium fonts-noto-cjk"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


# Switch a page's language class before printing (the HTML's own choice otherwise).
SET_LANG = ("l => { const b = document.body; b.classList.remove('lang-auto', 'lang-zh', "
            "'lang-zh-en'); b.classList.add('lang-' + l); }")


class ChromiumMissing(KpaInputError):
    """No usable headless Chromium: the one line that installs it is the whole message."""

    def __init__(self) -> None:
        super().__init__([Problem("生成 PDF 需要 Chromium，请安装：" + INSTALL_HINT,
                                  "PDF needs Chromium; install it with: " + INSTALL_HINT)])

    def render(self) -> str:
        return f"生成 PDF 需要 Chromium / PDF needs Chromium: {INSTALL_HINT}"


PLAYWRIGHT_HINT = 'pip install "playwright>=1.45"'


class PlaywrightMissing(KpaInputError):
    """Chromium is there but the Python package that drives it is not (kpa installed with
    ``--no-deps``, or into another environment): name the package, not Chromium."""

    def __init__(self) -> None:
        super().__init__([Problem("生成 PDF 需要 Python 包 playwright（kpa 的依赖），请安装："
                                  + PLAYWRIGHT_HINT, "PDF needs the Python package playwright "
                                  "(a dependency of kpa); install it with: " + PLAYWRIGHT_HINT)])

    def render(self) -> str:
        return ("生成 PDF 需要 Python 包 playwright / PDF needs the Python package playwright: "
                + PLAYWRIGHT_HINT + "  (不要运行 playwright install / do not run "
                "playwright install: kpa uses the system's chromium)")


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
    """The Chromium to use; ``ChromiumMissing`` without one, ``PlaywrightMissing`` without the
    Python package (each names the one command that installs what is missing)."""
    path = chromium_path()
    if path is None:
        raise ChromiumMissing()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PlaywrightMissing() from None
    return path


def print_many(pairs: Iterable[tuple[Path, Path]], lang: str | None = None,
               jobs: int | None = None) -> dict[str, str]:
    """Print every (html, pdf) pair with one browser, ``jobs`` pages at a time (default: cores).

    Why concurrent tabs: each tab lays out and prints in its own renderer process, so on a
    2-core machine two tabs halve the wall time of a year's PDFs. Returns pdf name → error
    for pages that failed (the others are written).
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    check_chromium()
    return asyncio.run(_print_all(pairs, lang, max(1, jobs or os.cpu_count() or 1)))


def finish_pdf(data: bytes, html_path: str, pdf_path: str) -> None:
    """Fix the PDF's text (radicals → ideographs, keeping those the HTML holds) and write it.

    A top-level function so a process pool can run it while Chromium prints the next page.
    """
    from kpa_core.report.pdf_text import fix_pdf_text, radicals_in

    keep = radicals_in(Path(html_path).read_text(encoding="utf-8", errors="replace"))
    atomic_write_bytes(Path(pdf_path), fix_pdf_text(data, keep))


async def _print_all(pairs: list[tuple[Path, Path]], lang: str | None,
                     jobs: int) -> dict[str, str]:
    """Chromium prints page after page; a process pool fixes and writes each PDF meanwhile."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from playwright.async_api import async_playwright

    failures: dict[str, str] = {}
    queue = list(pairs)
    loop = asyncio.get_running_loop()
    pending: list[tuple[str, asyncio.Future]] = []
    done_args: list[tuple[bytes, str, str]] = []
    # spawn, not fork: a child forked beside Playwright's driver hung (seen here). Spawn
    # re-imports the caller's __main__; where that cannot work (code read from stdin) the
    # pool breaks and each file is fixed in this process instead (below).
    with ProcessPoolExecutor(max_workers=min(jobs, len(pairs)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=check_chromium(), args=FLAGS,
                                               headless=True)

            async def worker() -> None:
                page = await browser.new_page()
                while queue:
                    html_path, pdf_path = queue.pop(0)
                    try:
                        await page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
                        await page.evaluate("document.fonts.ready")
                        if lang in ("zh", "zh-en"):
                            await page.evaluate(SET_LANG, lang)
                        data = await page.pdf(prefer_css_page_size=True, print_background=True)
                        args = (data, str(html_path), str(pdf_path))
                        done_args.append(args)
                        pending.append((Path(pdf_path).name,
                                        loop.run_in_executor(pool, finish_pdf, *args)))
                    except Exception as exc:  # noqa: BLE001 - one page's failure is reported
                        failures[Path(pdf_path).name] = f"{type(exc).__name__}: {exc}"
                await page.close()

            await asyncio.gather(*(worker() for _ in range(min(jobs, len(pairs)))))
            await browser.close()
        for (name, future), args in zip(pending, done_args, strict=True):
            try:
                await future
            except BrokenProcessPool:  # the pool could not run: fix the file here instead
                try:
                    finish_pdf(*args)
                except Exception as exc:  # noqa: BLE001 - one file's failure is reported
                    failures[name] = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - one file's failure is reported
                failures[name] = f"{type(exc).__name__}: {exc}"
    return failures
