"""The web app in a real browser: time until usable, time of a unit switch, outside requests.

Usage: .venv/bin/python benchmarks/bench_app.py [REPEATS]

Starts ``kpa app`` (Voila) on a free port over a temp copy of data/, then REPEATS times opens
the page in headless Chromium (/usr/bin/chromium) and measures, from ``page.goto``:

- *usable*: the form is filled and the total shown (``.kpa-total-value`` reads 95.5, the
  hand-worked total of 艺术系 arts 2013, and the first rule's control is on screen);
- *unit switch*: choosing 工会 union in the unit list until the form shows union's total (99)
  and the status line names 工会;
- *loading shown*: from the same choice until a Chinese loading state is on screen (if any);
- every request to a host other than 127.0.0.1 (there must be none).

The server is started once and waited for (as an analyst's would be running already); the
first page is timed like the others. Figures go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from kpa_core.report.pdf import FLAGS  # the flags kpa's own PDF printer launches Chromium with

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path) -> tuple[subprocess.Popen, str]:
    shutil.copytree(ROOT / "data", tmp / "data")
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        (tmp / f"jupyter-{name.lower()}").mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(tmp / f"jupyter-{name.lower()}")
    env["KPA_HOME"] = str(tmp)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpa_core.cli", "app", f"--port={port}", "--no-browser",
         f"--data={tmp / 'data'}", "--year=2013", "--unit=arts"],
        env=env, cwd=tmp, stdout=(tmp / "voila.log").open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/voila.js",
                                        timeout=2):
                return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("kpa app did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def one_visit(browser, url: str, wait_between: float) -> dict[str, float | list[str]]:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and
            not r.url.startswith(("data:", "blob:")) else None)
    t0 = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_function(
        "() => { const t = document.querySelector('.kpa-total-value');"
        " return t && t.textContent.trim() === '95.5'"
        " && document.querySelector('.kpa-rule-B01-meetings') !== null; }",
        timeout=180_000, polling=50)
    usable = time.perf_counter() - t0
    time.sleep(wait_between)  # let the page settle, as an analyst would read it first
    select = page.locator(".kpa-unit select")
    page.evaluate("() => { window.__kpaLoading = null; const t0 = performance.now();"
                  " const obs = new MutationObserver(() => {"
                  "  if (window.__kpaLoading === null &&"
                  "      document.body.innerText.includes('正在载入'))"
                  "    window.__kpaLoading = performance.now() - t0; });"
                  " obs.observe(document.body, {subtree: true, childList: true,"
                  "  characterData: true}); window.__kpaT0 = t0; }")
    value = page.evaluate("() => [...document.querySelectorAll('.kpa-unit select option')]"
                          ".find(o => o.textContent.includes('（union）')).value")
    t1 = time.perf_counter()
    select.select_option(value)
    page.wait_for_function(
        "() => { const t = document.querySelector('.kpa-total-value');"
        " const s = document.querySelector('.kpa-status');"
        " return t && t.textContent.trim() === '99' && s && s.textContent.includes('工会'); }",
        timeout=120_000, polling=20)
    switch = time.perf_counter() - t1
    loading = page.evaluate("() => window.__kpaLoading")
    page.close()
    return {"usable": usable, "switch": switch,
            "loading": (loading / 1000) if loading is not None else float("nan"),
            "outside": outside}


def main(repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        t_start = time.perf_counter()
        proc, url = start_app(Path(tmp_name))
        print(f"server answering after {time.perf_counter() - t_start:.1f} s")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                             headless=True)
                try:
                    runs = []
                    for i in range(repeats):
                        # a preheated kernel is refilled in the background after each page
                        # takes one; give it the time an analyst's reopening would.
                        if i:
                            time.sleep(float(os.environ.get("KPA_BENCH_GAP", "20")))
                        r = one_visit(browser, url, 1.0)
                        runs.append(r)
                        print(f"visit {i + 1}: usable {r['usable']:.2f} s, unit switch "
                              f"{r['switch']:.2f} s, loading shown after {r['loading']:.2f} s, "
                              f"outside requests {len(r['outside'])} {r['outside'][:3]}",
                              flush=True)
                finally:
                    browser.close()
        finally:
            stop(proc)
    for key in ("usable", "switch"):
        values = [float(r[key]) for r in runs]
        print(f"{key}: median {statistics.median(values):.2f} s, "
              f"min {min(values):.2f} s, max {max(values):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
