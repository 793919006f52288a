"""The web app in a real browser: each aim of issue #26 item 1, quiet or under a made load.

Usage::

    flock /work/bench.lock .venv/bin/python benchmarks/bench_app.py [--visits N] [--load N]
        [--gap S] [--no-lab]

Starts ``kpa app`` (Voila) on a free port over a temp copy of data/ (its own audit log, never
the repository's), reads the URL with its token from what ``kpa app`` prints, then ``--visits``
times opens the page in headless Chromium (/usr/bin/chromium, 1366×768) and measures:

- *usable*: from ``page.goto`` until the form is filled and the total shown
  (``.kpa-total-value`` reads 95.5, the hand-worked total of 艺术系 arts 2013, and the first
  rule's control is on the page). Visit 1 is the first page after the server starts (it waits
  for the preheated kernel); later visits find one ready (``--gap`` seconds apart, the time
  Voila takes to preheat the next one);
- *unit switch*: choosing 工会 union in the list until union's total (99) shows and the status
  line names its record;
- *open area 三*: a click on the third area's header until a rule control of that area is drawn
  with a real size (a closed area is not on the page until first opened);
- *what-if*: a click on 假设分析 what-if until the banner 假设分析：不会改动考核记录 is shown and
  the comparison with the saved record is filled in; then back to entry (not timed);
- *comm messages*: every Jupyter message the page's kernel websocket receives, counted by
  type, with bytes, before usable and during each action (what the browser must decode);
- every request to a host other than 127.0.0.1 (there must be none).

Then (unless ``--no-lab``) ``kpa lab`` on a second temp copy: JupyterLab opened on the
workspace's assess.ipynb with the token it prints; *kpa lab form cell* is from Shift+Enter in the
cell (pressed once the kernel indicator reads idle; a key press before is lost) until its
output shows a total and the record loaded; the times from ``page.goto`` to the idle kernel and
to the form are printed beside it (JupyterLab's own start, which kpa does not control).

``--load N`` starts N busy-loop processes (one Python ``while True`` each) before the server
and waits (up to 120 s) for the 1-minute load average to reach N, so that "load 4–8" is
reproducible on a 2-core machine; they are killed at the end, whatever happens. Each aim is
printed with its limit and met/not met, and the 1-minute load average before and after.
Speed is measured here, never asserted in a test. Figures go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kpa_core.report.pdf import FLAGS  # the flags kpa's own PDF printer launches Chromium with

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LONG = 180_000  # ms: under a made load of 8 on 2 cores every round trip is slow

# Issue #26 item 1: the quiet figures to keep (seconds). First page: the quiet range
# tops at 4.3 s; what-if and area 三 measured 0.17 s and 0.24 s, held to the unit switch's 0.3 s.
AIMS = {
    "usable_first": ("usable, first page after start 首次打开", 4.3),
    "usable": ("usable, later pages 再次打开", 3.0),
    "switch": ("unit switch 切换单位", 0.3),
    "area3": ("open area 三 打开第三部分", 0.3),
    "whatif": ("what-if 假设分析", 0.3),
    "lab": ("kpa lab form cell, from Shift+Enter 表单单元格", 6.0),
}


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a made load: N busy loops --

def start_hogs(n: int) -> list[subprocess.Popen]:
    """N CPU-bound processes; the caller kills them (``stop_hogs``) in a finally."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(n)]


def stop_hogs(hogs: list[subprocess.Popen]) -> None:
    for p in hogs:
        p.kill()
    for p in hogs:
        p.wait(timeout=10)


def wait_for_load(target: float, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while loadavg() < target and time.monotonic() < deadline:
        time.sleep(2)


# -- the servers --

def jupyter_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        (tmp / f"jupyter-{name.lower()}").mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(tmp / f"jupyter-{name.lower()}")
    env["KPA_HOME"] = str(tmp)
    env.pop("JUPYTER_TOKEN", None)
    return env


def start_face(tmp: Path, face: str, pattern: str) -> tuple[subprocess.Popen, str]:
    """``kpa FACE`` over a copy of data/ in ``tmp``; its URL (with token) once it answers."""
    shutil.copytree(ROOT / "data", tmp / "data")
    port = free_port()
    log = tmp / f"{face}.log"
    args = [sys.executable, "-m", "kpa_core.cli", face, f"--port={port}", "--no-browser",
            f"--data={tmp / 'data'}"]
    if face == "app":
        args += ["--year=2013", "--unit=arts"]
    proc = subprocess.Popen(args, env=jupyter_env(tmp), cwd=tmp, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kpa {face} exited:\n{log.read_text(errors='replace')}")
        found = re.search(pattern.format(port=port), log.read_text(errors="replace"))
        static = "/voila/static/voila.js" if face == "app" else "/static/lab/package.json"
        if found:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{static}", timeout=2):
                    return proc, found.group(0)
            except OSError as exc:
                if face == "lab" and getattr(exc, "code", None):  # any HTTP answer: it runs
                    return proc, found.group(0)
        time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"kpa {face} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


# -- counting the kernel's messages as the browser receives them --

def jupyter_msg(payload: str | bytes) -> tuple[str, str]:
    """(msg_type, comm method) of one websocket frame, in either Jupyter wire format."""
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            header, content = msg.get("header", {}), msg.get("content", {})
        else:  # v1.kernel.websocket.jupyter.org: offsets, then channel, header, …, content
            n = struct.unpack_from("<Q", payload, 0)[0]
            offsets = struct.unpack_from(f"<{n}Q", payload, 8)
            part = [payload[offsets[i]:offsets[i + 1]] for i in range(min(n - 1, 5))]
            header, content = json.loads(part[1]), json.loads(part[4]) if len(part) > 4 else {}
    except (ValueError, struct.error, IndexError, KeyError):
        return "?", ""
    data = content.get("data") if isinstance(content, dict) else None
    method = data.get("method", "") if isinstance(data, dict) else ""
    return header.get("msg_type", "?"), method


class Frames:
    """Every frame received on the page's websockets, with its arrival time and size."""

    def __init__(self, page: Any):
        self.log: list[tuple[float, str, str, int]] = []
        page.on("websocket", self._socket)

    def first(self, kind: str, after: float) -> float:
        """Seconds from ``after`` to the first frame of ``kind`` (NaN if none came)."""
        return next((t - after for t, k, m, _ in self.log
                     if t >= after and (k == kind or f"{k}:{m}" == kind)), float("nan"))

    def _socket(self, ws: Any) -> None:
        self.opened = getattr(self, "opened", None) or time.perf_counter()
        def got(payload: str | bytes) -> None:
            kind, method = jupyter_msg(payload)
            size = len(payload.encode() if isinstance(payload, str) else payload)
            self.log.append((time.perf_counter(), kind, method, size))
        ws.on("framereceived", got)

    def between(self, t0: float, t1: float) -> dict[str, Any]:
        rows = [r for r in self.log if t0 <= r[0] <= t1]
        kinds = Counter(k if not m else f"{k}:{m}" for _, k, m, _ in rows)
        return {"frames": len(rows), "bytes": sum(r[3] for r in rows),
                "comm": sum(n for k, n in kinds.items() if k.startswith("comm")),
                "kinds": dict(kinds.most_common(6))}


# -- one page --

# kpa lab opens the newest year's first unit (no --year/--unit): any total, once the status
# names the record loaded.
LAB_FORM_SHOWN = ("() => { const t = document.querySelector('.kpa-total-value');"
                  " return t && t.textContent.trim() !== ''"
                  " && document.querySelector('.kpa-status .kpa-loaded') !== null; }")
AREA3_DRAWN = ("() => { const c = document.querySelectorAll("
               "'.kpa-form .jupyter-widget-Collapse')[2]; if (!c) return false;"
               " const r = c.querySelector('.kpa-rule'); if (!r) return false;"
               " const b = r.getBoundingClientRect(); return b.height > 0 && b.width > 0; }")
WHATIF_SHOWN = ("() => { const b = document.querySelector('.kpa-whatif-banner');"
                " const c = document.querySelector('.kpa-compare');"
                " return b && b.offsetParent !== null && b.textContent.includes("
                "'假设分析：不会改动考核记录') && c && c.innerText.trim().length > 0; }")


def one_visit(browser: Any, url: str) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(LONG)
    frames = Frames(page)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and
            not r.url.startswith(("data:", "blob:")) else None)
    out: dict[str, Any] = {"outside": outside, "msgs": {}}

    def timed(name: str, act: Any, done: str, arg: Any = None) -> None:
        t0 = time.perf_counter()
        act()
        page.wait_for_function(done, arg=arg, timeout=LONG, polling=20)
        t1 = time.perf_counter()
        time.sleep(0.3)  # let the action's last messages arrive before counting them
        out[name] = t1 - t0
        if name == "usable":  # where the page's time went: scripts, kernel, state, drawing
            out["split"] = (getattr(frames, "opened", t0) - t0,
                            frames.first("comm_msg:update_states", t0), t1 - t0)
        out["msgs"][name] = frames.between(t0, time.perf_counter())
        time.sleep(0.7)  # an analyst reads before the next click

    timed("usable", lambda: page.goto(url, timeout=LONG),
          "() => { const t = document.querySelector('.kpa-total-value');"
          " return t && t.textContent.trim() === '95.5'"
          " && document.querySelector('.kpa-rule-B01-meetings') !== null; }")
    value = page.evaluate("() => [...document.querySelectorAll('.kpa-unit select option')]"
                          ".find(o => o.textContent.includes('（union）')).value")
    timed("switch", lambda: page.locator(".kpa-unit select").select_option(value),
          "() => { const t = document.querySelector('.kpa-total-value');"
          " const s = document.querySelector('.kpa-status .kpa-loaded[data-unit=\"union\"]');"
          " return t && t.textContent.trim() === '99' && s !== null; }")
    timed("area3", lambda: page.locator(".kpa-form .jupyter-widget-Collapse-header").nth(2)
          .click(), AREA3_DRAWN)
    timed("whatif", lambda: page.get_by_role("button", name="假设分析 what-if").click(),
          WHATIF_SHOWN)
    page.get_by_role("button", name="录入 entry").click()
    page.wait_for_function("() => document.querySelector('.kpa-whatif-banner')"
                           ".offsetParent === null", timeout=LONG)
    page.close()
    return out


def lab_visit(browser: Any, tmp: Path) -> dict[str, float]:
    """`kpa lab` on its own copy: JupyterLab on the workspace's notebook, run, form shown."""
    proc, url = start_face(tmp, "lab", r"http://127\.0\.0\.1:{port}/lab\?token=[0-9a-f]+")
    try:
        nb = next(p for p in tmp.rglob("assess.ipynb") if ".ipynb_checkpoints" not in p.parts)
        rel = nb.relative_to(tmp).as_posix()
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(LONG)
        frames = Frames(page)
        t0 = time.perf_counter()
        page.goto(url.replace("/lab?", f"/lab/tree/{rel}?"), timeout=LONG)
        # A key press before the kernel is connected is lost: wait as the analyst would see
        # the kernel indicator turn idle, then run the cell; if its prompt stays "[ ]:" (the
        # kernel was still reconnecting), press again, as the analyst would.
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=LONG)
        t_idle = time.perf_counter()
        cell = page.locator(".jp-NotebookPanel .jp-CodeCell").first
        for _ in range(10):
            cell.locator(".jp-InputArea-editor").click()
            t_run = time.perf_counter()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_function(
                    "() => { const p = document.querySelector('.jp-NotebookPanel .jp-CodeCell"
                    " .jp-InputPrompt'); return p && p.textContent.replace(/\\s/g, '')"
                    " !== '[]:'; }", timeout=5_000, polling=50)
                break
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError: press again
                continue
        page.wait_for_function(LAB_FORM_SHOWN, timeout=LONG, polling=50)
        t1 = time.perf_counter()
        page.close()
        time.sleep(0.3)
        return {"lab": t1 - t_run, "lab_open": t1 - t0, "lab_idle": t_idle - t0,
                "msgs": frames.between(t_run, time.perf_counter())}
    finally:
        stop(proc)


def verdict(key: str, values: list[float]) -> str:
    name, limit = AIMS[key]
    shown = ", ".join(f"{v:.2f}" for v in values)
    met = "met 达到" if values and max(values) <= limit else "NOT met 未达到"
    return f"{name}: {shown} s (limit ≤ {limit} s) → {met}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repeats", nargs="?", type=int, default=None,
                    help="the older spelling of --visits (bench_app.py 4)")
    ap.add_argument("--visits", type=int, default=3)
    ap.add_argument("--load", type=int, default=0, help="busy-loop processes to start")
    ap.add_argument("--gap", type=float, default=float(os.environ.get("KPA_BENCH_GAP", "20")),
                    help="seconds between page openings (the next kernel is preheated)")
    ap.add_argument("--no-lab", action="store_true", help="skip the kpa lab measurement")
    args = ap.parse_args()
    if args.repeats is not None:
        args.visits = args.repeats
    from playwright.sync_api import sync_playwright

    print(f"load average (1 min) before: {loadavg():.2f}", flush=True)
    hogs = start_hogs(args.load)
    try:
        if args.load:
            wait_for_load(args.load)
            print(f"{args.load} busy loops running; load average now {loadavg():.2f}",
                  flush=True)
        runs, lab = [], None
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            (tmp / "app").mkdir()
            t_start = time.perf_counter()
            proc, url = start_face(tmp / "app", "app",
                                   r"http://127\.0\.0\.1:{port}/\?token=[\w-]+")
            print(f"server answering after {time.perf_counter() - t_start:.1f} s", flush=True)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                             headless=True)
                try:
                    try:
                        for i in range(args.visits):
                            if i:
                                time.sleep(args.gap)
                            r = one_visit(browser, url)
                            runs.append(r)
                            print(f"visit {i + 1} (load {loadavg():.2f}): usable "
                                  f"{r['usable']:.2f} s, switch {r['switch']:.2f} s, area 三 "
                                  f"{r['area3']:.2f} s, what-if {r['whatif']:.2f} s, outside "
                                  f"requests {len(r['outside'])}", flush=True)
                            ws, states, usable = r["split"]
                            print(f"    usable split: kernel websocket opened {ws:.2f} s, "
                                  f"widget states received {states:.2f} s, total shown "
                                  f"{usable:.2f} s after page.goto", flush=True)
                            for name, m in r["msgs"].items():
                                print(f"    {name}: {m['frames']} frames ({m['comm']} comm), "
                                      f"{m['bytes'] / 1024:.0f} KiB; {m['kinds']}", flush=True)
                    finally:
                        stop(proc)
                    if not args.no_lab:
                        (tmp / "lab").mkdir()
                        try:
                            lab = lab_visit(browser, tmp / "lab")
                        except Exception as exc:  # noqa: BLE001 - the app's figures still count
                            print(f"kpa lab not measured: {exc!r}"[:400], flush=True)
                    if lab:
                        print(f"kpa lab (load {loadavg():.2f}): kernel idle "
                              f"{lab['lab_idle']:.2f} s after opening the page; form shown "
                              f"{lab['lab']:.2f} s after Shift+Enter, {lab['lab_open']:.2f} s "
                              "after opening the page", flush=True)
                        m = lab["msgs"]
                        print(f"    lab form: {m['frames']} frames ({m['comm']} comm), "
                              f"{m['bytes'] / 1024:.0f} KiB; {m['kinds']}", flush=True)
                finally:
                    browser.close()
    finally:
        stop_hogs(hogs)
    print(f"\nload average (1 min) after: {loadavg():.2f} (made load: {args.load} busy loops)")
    if runs:
        print(verdict("usable_first", [runs[0]["usable"]]))
        if len(runs) > 1:
            print(verdict("usable", [r["usable"] for r in runs[1:]]))
        for key in ("switch", "area3", "whatif"):
            values = [float(r[key]) for r in runs]
            print(verdict(key, values) + f" (median {statistics.median(values):.2f})")
        print(f"outside requests: {sum(len(r['outside']) for r in runs)}")
    if lab:
        print(verdict("lab", [lab["lab"]]))


if __name__ == "__main__":
    main()
