"""The form's upload in a real browser (Voila + Chromium): pick a file for a rule, see it
listed, save, and find it stored, cited and audited; the saved notebook state holds no bytes.

With ``KPA_SCREENSHOT_DIR=docs`` the rule's row is also kept as docs/evidence-upload.png.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from test_browser_assess import CHROMIUM, LONG, browser, open_page, show_rule  # noqa: F401
from voila_face import kpa_face

from kpa_core.audit.log import read_audit
from kpa_core.evidence.store import evidence_dir
from kpa_core.scoring.record import load_record

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing")]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"BROWSER-UPLOAD")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("evidence-app")
    with kpa_face(tmp_path, "app", "--year=2013", "--unit=arts") as url:
        yield url, tmp_path


def test_an_uploaded_file_is_stored_and_cited_when_saved(app, browser, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    url, root = app
    photo = tmp_path / "宣传栏第二张.png"
    photo.write_bytes(PNG)
    page = open_page(browser, url, {"width": 1366, "height": 900})
    try:
        show_rule(page, "B13-style")
        page.locator(".kpa-input-B13-style input[type=checkbox]").check()
        page.locator(".kpa-reason-B13-style input").fill("作风推诿")
        # ipywidgets 8 keeps the <input type=file> out of the page: the button opens it
        with page.expect_file_chooser() as chooser:
            page.locator(".kpa-evidence-upload-B13-style").click()
        chooser.value.set_files(str(photo))
        listing = page.locator(".kpa-evidence-files-B13-style")
        expect(listing).to_contain_text("宣传栏第二张.png", timeout=LONG)
        if folder := os.environ.get("KPA_SCREENSHOT_DIR"):
            page.locator(".kpa-rule-B13-style").screenshot(
                path=str(Path(folder) / "evidence-upload.png"))
        page.locator(".kpa-save-box .kpa-who input").fill("王分析")
        page.locator(".kpa-save-box .kpa-why input").fill("附作风问题照片")
        page.locator("button.kpa-save").click()
        expect(page.locator(".kpa-save-status")).to_contain_text("已保存")
    finally:
        page.close()
    sha = hashlib.sha256(PNG).hexdigest()
    assert (evidence_dir(root / "data", 2013) / sha).read_bytes() == PNG
    entry = load_record(root / "data" / "2013" / "arts.yaml").entries["B13.style"]
    assert entry["evidence_files"] == [{"sha256": sha, "name": "宣传栏第二张.png"}]
    cited = read_audit(root / "data", 2013)[-1]["evidence_sha256"]
    assert sha in cited and len(cited) == 3  # with the sample's two files of arts
