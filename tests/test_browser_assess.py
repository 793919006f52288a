"""A real browser on the real app: `kpa app` (Voila) on a free port, headless Chromium.

The test changes a range slider, ticks a flag and types the reasons, then checks that the
total shown changes to the number worked out by hand, that the what-if view shows the new
rank, and that saving from the page writes the record and the audit log. A screenshot is kept
(in the test's temp folder; with ``KPA_SCREENSHOT_DIR=docs`` also as docs/assess-form.png and
docs/assess-whatif.png, which is how the README's pictures are made).

Hand computation, 艺术系 (arts) 2013 — the sample record deducts B02.responsibility 2 (A1) and
B08.three_haves 2.5 (A3.edu): A1 18, A2 10, A3 67.5, bonus 0, total 95.5, rank 2 of 30 (only
工会 union, 99, is above). The test sets B02.system (range 0–2) to 1 by two steps of 0.5 and
ticks B03.accountability (flag, 2): A1 = 20 − 2 − 1 − 2 = 15, total = 15 + 10 + 67.5 = 92.5.
Units above 92.5 then: union 99, marxism 94.5, discipline 93.5, international 93 → rank 5.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kpa_core.record import load_record

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} missing: install Debian's chromium "
                                       "(apt-get install chromium fonts-noto-cjk) to run the "
                                       "browser test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll a static file (a GET of '/' would start a kernel each time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kpa app exited early with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"kpa app not ready after {timeout} s: {url}")


@pytest.fixture()
def app(tmp_path):
    """`kpa app` serving a temp copy of the sample data; stopped (and waited for) afterwards."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        folder = tmp_path / f"jupyter-{name.lower()}"
        folder.mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(folder)
    env["KPA_HOME"] = str(tmp_path)
    port = free_port()
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpa_core.cli", "app", f"--port={port}", "--no-browser",
         f"--data={tmp_path / 'data'}", "--year=2013", "--unit=arts"],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://127.0.0.1:{port}/voila/static/voila.js", proc)
        yield f"http://127.0.0.1:{port}/", tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def keep(page, tmp_path: Path, name: str, locator=None) -> Path:
    """Save a screenshot in the temp folder, and under $KPA_SCREENSHOT_DIR when set."""
    shot = tmp_path / name
    (locator or page).screenshot(path=str(shot))
    target = os.environ.get("KPA_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / name)
    return shot


def test_slider_flag_reason_total_whatif_and_save_in_browser(app):
    from playwright.sync_api import expect, sync_playwright

    url, tmp_path = app
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url, timeout=90_000)
            total = page.locator(".kpa-total-value")
            expect(total).to_have_text("95.5", timeout=90_000)

            # A range slider: two steps of 0.5 to the right, from 0 to 1.
            handle = page.locator(".kpa-input-B02-system [role=slider]")
            handle.focus()
            handle.press("ArrowRight")
            handle.press("ArrowRight")
            expect(handle).to_have_attribute("aria-valuenow", "1.0", timeout=10_000)
            expect(total).to_have_text("94.5", timeout=10_000)
            # The reason is now required and its absence is shown beside the control.
            error = page.locator(".kpa-error-B02-system")
            expect(error).to_contain_text("扣分须注明原因", timeout=10_000)

            # A flag.
            page.locator(".kpa-input-B03-accountability input[type=checkbox]").check()
            expect(total).to_have_text("92.5", timeout=10_000)

            page.locator(".kpa-reason-B02-system input").fill("风险点防控制度不够健全")
            page.locator(".kpa-reason-B03-accountability input").fill("未对失职行为追究责任")
            page.locator(".kpa-reason-B03-accountability input").press("Tab")
            expect(error).not_to_contain_text("扣分须注明原因", timeout=10_000)
            expect(page.locator(".kpa-item-B02")).to_contain_text("2 / 5")  # 5 − 2 − 1
            expect(page.locator(".kpa-item-B03")).to_contain_text("3 / 5")  # 5 − 2
            expect(total).to_have_text("92.5")
            page.locator(".kpa-app").evaluate("el => el.scrollIntoView()")
            shot = keep(page, tmp_path, "assess-form.png")
            assert shot.stat().st_size > 10_000

            # What-if against the saved record: total 95.5 → 92.5, rank 2 → 5 of 30.
            page.get_by_role("button", name="假设分析 what-if").click()
            panel = page.locator(".kpa-whatif-panel")
            expect(panel.locator(".kpa-rank-scenario")).to_have_text("5", timeout=15_000)
            expect(panel.locator(".kpa-cmp-total")).to_contain_text("−3")
            expect(panel.locator(".kpa-changes")).to_contain_text("B02.system")
            page.locator(".kpa-scenario-name input").fill("补两项扣分")
            page.set_viewport_size({"width": 1500, "height": 1200})
            page.locator(".kpa-app").evaluate("el => el.scrollIntoView()")
            keep(page, tmp_path, "assess-whatif.png")

            # The record is untouched by what-if; back in entry mode, save it on purpose.
            assert load_record(tmp_path / "data/2013/arts.yaml").entries.keys() == {
                "B02.responsibility", "B08.three_haves"}
            page.get_by_role("button", name="录入 entry").click()
            page.locator(".kpa-who input").fill("王分析")
            page.locator(".kpa-why input").fill("复核后补充扣分")
            page.locator(".kpa-save button, button.kpa-save").first.click()
            expect(page.locator(".kpa-save-status")).to_contain_text("已保存", timeout=15_000)
        finally:
            browser.close()

    saved = load_record(tmp_path / "data/2013/arts.yaml")
    assert saved.entries["B02.system"] == {"points": 1.0, "reason": "风险点防控制度不够健全"}
    assert saved.entries["B03.accountability"] == {"applies": True,
                                                   "reason": "未对失职行为追究责任"}
    lines = (tmp_path / "data/2013/audit-log.jsonl").read_text(encoding="utf-8").splitlines()
    saves = [json.loads(x) for x in lines if json.loads(x)["action"] != "attest"]  # the sample's
    assert len(saves) == 1
    logged = saves[0]
    assert (logged["who"], logged["why"], logged["total"]) == ("王分析", "复核后补充扣分", 92.5)
    assert set(logged["what"]) == {"B02.system", "B03.accountability"}
