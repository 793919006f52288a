"""The form's route in: a FileUpload per rule stores the file, the save cites and audits it,
and the upload's bytes never stay in the widget state a notebook saves (ipywidgets #2799)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kpa_core.audit.log import read_audit
from kpa_core.entry.view import AssessView
from kpa_core.evidence.store import evidence_dir
from kpa_core.scoring.record import load_record

ROOT = Path(__file__).resolve().parents[1]
PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"FORM-UPLOAD-BYTES")
SHA = hashlib.sha256(PNG).hexdigest()


@pytest.fixture()
def view(tmp_path: Path) -> AssessView:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return AssessView(tmp_path / "data", tmp_path / "params", 2013, "union")


def _upload(view: AssessView, rule_id: str, name: str, content: bytes) -> None:
    view.controls[rule_id].files.upload.value = ({
        "name": name, "type": "image/png", "size": len(content), "content": memoryview(content),
        "last_modified": dt.datetime(2013, 6, 20, tzinfo=dt.UTC)},)


def test_an_upload_is_stored_shown_and_cited_by_the_save(view: AssessView, tmp_path: Path):
    view.who.value, view.why.value = "王分析", "附宣传栏照片"
    _upload(view, "B09.content", "宣传栏.png", PNG)
    row = view.controls["B09.content"].files
    assert (evidence_dir(tmp_path / "data", 2013) / SHA).read_bytes() == PNG
    assert row.upload.value == ()  # emptied at once
    assert "FORM-UPLOAD-BYTES" not in json.dumps(row.upload.get_state(), default=str)
    assert "宣传栏.png" in row.listing.value and SHA[:8] in row.listing.value
    record = tmp_path / "data" / "2013" / "union.yaml"
    assert "evidence_files" not in record.read_text(encoding="utf-8")  # not before 保存
    view.save.click()
    assert "已保存" in view.save_status.value
    entry = load_record(record).entries["B09.content"]
    assert entry["evidence_files"] == [{"sha256": SHA, "name": "宣传栏.png"}]
    assert entry["reason"] == "廉洁文化建设无实际内容"
    line = read_audit(tmp_path / "data", 2013)[-1]
    assert line["who"] == "王分析" and line["evidence_sha256"] == [SHA]


def test_a_refused_upload_is_named_and_cites_nothing(view: AssessView, tmp_path: Path):
    folder = evidence_dir(tmp_path / "data", 2013)
    before = sorted(p.name for p in folder.iterdir())  # the sample's own evidence
    _upload(view, "B09.content", "../../报告.png", PNG)
    assert "文件名含路径" in view.status.value
    _upload(view, "B09.content", "setup.png", b"MZ" + b"\x00" * 64)
    assert "Windows 可执行程序" in view.status.value
    assert view.controller.evidence_files("B09.content") == []
    assert view.controls["B09.content"].files.upload.value == ()
    assert sorted(p.name for p in folder.iterdir()) == before
