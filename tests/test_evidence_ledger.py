"""Entries cite evidence: the CLI stores, cites, audits; verify, check and reproduce see it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.errors import KpaInputError
from kpa_core.evidence.store import evidence_dir
from kpa_core.scoring.record import parse_record
from kpa_core.store.yaml_io import read_yaml

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    (tmp_path / "学习记录.pdf").write_bytes(PDF)
    return tmp_path


def _add(ws: Path, *extra: str):
    return run_kpa("evidence", "add", "--year", "2013", "--unit", "union", "--rule",
                   "B09.content", "--date", "2013-06-20", "--page", "4", "--who", "张三",
                   "--data", str(ws / "data"), *extra, cwd=ws)


def test_add_stores_cites_and_audits_in_one_step(ws: Path) -> None:
    record = ws / "data" / "2013" / "union.yaml"
    before = record.read_text(encoding="utf-8")
    done = _add(ws, str(ws / "学习记录.pdf"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (evidence_dir(ws / "data", 2013) / SHA).read_bytes() == PDF
    entry = read_yaml(record)["entries"]["B09.content"]
    assert entry["evidence_files"] == [{"sha256": SHA, "name": "学习记录.pdf", "page": "4"}]
    assert entry["reason"] == read_yaml_text(before)["entries"]["B09.content"]["reason"]
    assert record.read_text(encoding="utf-8").startswith("# 虚构示例数据")  # layout kept
    lines = [json.loads(raw) for raw in
             (ws / "data" / "2013" / "audit-log.jsonl").read_bytes().splitlines()]
    line = [x for x in lines if x["action"] != "done"][-1]  # a save ends with its done mark
    assert lines[-1]["action"] == "done"
    assert line["action"] == "save_record" and line["who"] == "张三"
    assert line["evidence_sha256"] == [SHA]
    assert line["sha256_after"] == hashlib.sha256(record.read_bytes()).hexdigest()
    assert run_kpa("verify", "--year", "2013", "--data", str(ws / "data"), "--params",
                   str(ws / "params")).returncode == 0


def read_yaml_text(text: str):
    from kpa_core.store.yaml_io import parse_yaml

    return parse_yaml(text)


def test_verify_fails_naming_record_rule_and_file_when_one_byte_changes(ws: Path) -> None:
    assert _add(ws, str(ws / "学习记录.pdf")).returncode == 0
    stored = evidence_dir(ws / "data", 2013) / SHA
    os.chmod(stored, 0o644)
    stored.write_bytes(PDF.replace(b"1.4", b"1.5"))
    done = run_kpa("verify", "--year", "2013", "--data", str(ws / "data"))
    assert done.returncode == 1
    assert "union.yaml" in done.stdout and "B09.content" in done.stdout
    assert "学习记录.pdf" in done.stdout and "内容已改变" in done.stdout
    stored.unlink()
    done = run_kpa("verify", "--year", "2013", "--data", str(ws / "data"))
    assert done.returncode == 1 and "文件缺失" in done.stdout and "B09.content" in done.stdout


def test_a_refused_file_stores_and_cites_nothing(ws: Path) -> None:
    exe = ws / "总结.pdf"
    exe.write_bytes(b"MZ" + b"\x00" * 100)
    record = ws / "data" / "2013" / "union.yaml"
    before = record.read_bytes()
    done = _add(ws, str(ws / "学习记录.pdf"), str(exe))
    assert done.returncode == 2 and "Windows 可执行程序" in done.stderr
    assert record.read_bytes() == before  # all or nothing: the good PDF is not cited either


def test_a_failed_save_leaves_no_citation_without_its_file(ws: Path, monkeypatch) -> None:
    import kpa_core.audit.log as log

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    record = ws / "data" / "2013" / "union.yaml"
    before = record.read_bytes()
    monkeypatch.setattr(log, "atomic_write_bytes", full)  # the record's write fails
    done = _add(ws, str(ws / "学习记录.pdf"))
    assert done.returncode == 2 and "保存失败" in done.stderr
    assert record.read_bytes() == before
    listed = run_kpa("evidence", "list", "--year", "2013", "--data", str(ws / "data"))
    assert "stored but cited nowhere: 1" in listed.stdout  # stored, and shown as uncited


def test_check_lists_the_sample_deductions_without_evidence(ws: Path) -> None:
    done = run_kpa("evidence", "check", "--year", "2013", "--data", str(ws / "data"))
    assert done.returncode == 0
    # academic-affairs deducts on B01.docs (cited in the sample), B04.losses, B05.relatives,
    # B16.unreported and B17.reflections (not cited): 4 missing
    block = done.stdout.split("教务处（academic-affairs）：")[1].split("\n（", 1)[0]
    assert block.startswith("缺 4 项")
    assert "B01.docs" not in block.split("招生")[0]
    for rid in ("B04.losses", "B05.relatives", "B16.unreported", "B17.reflections"):
        assert rid in block.split("招生")[0]
    assert "（考核方法：谈话、查文字材料）" in done.stdout


def test_list_shows_what_each_unit_cites(ws: Path) -> None:
    done = run_kpa("evidence", "list", "--year", "2013", "--unit", "arts", "--data",
                   str(ws / "data"))
    assert "艺术系（arts）：2 个引用" in done.stdout
    assert "B08.three_haves  宣传栏照片.png  2013-06-21" in done.stdout
    assert "stored but cited nowhere: 0" in done.stdout


def test_the_record_format_checks_every_citation(ws: Path) -> None:
    data = read_yaml(ws / "data" / "2013" / "union.yaml")
    data["entries"]["B09.content"]["evidence_files"] = [
        {"sha256": "abc", "name": ""}, {"sha256": SHA, "name": "a.pdf", "colour": 1}]
    with pytest.raises(KpaInputError) as exc:
        parse_record(data)
    fields = sorted(p.field for p in exc.value.problems)
    assert fields == ["evidence_files[1].name", "evidence_files[1].sha256",
                      "evidence_files[2].colour"]
    assert all(p.rule_id == "B09.content" for p in exc.value.problems)


def test_params_carry_the_hashes_and_reproduce_names_a_changed_citation(ws: Path) -> None:
    from kpa_core.reproduce.params import read_params

    saved = read_params(ws / "params" / "2013" / "arts.yaml")
    entries = saved["record"]["data"]["entries"]
    assert entries["B08.three_haves"]["evidence_files"][0]["name"] == "宣传栏照片.png"
    assert run_kpa("reproduce", str(ws / "params" / "2013" / "union.yaml"),
                   cwd=ws).returncode == 0
    assert _add(ws, str(ws / "学习记录.pdf")).returncode == 0
    done = run_kpa("reproduce", str(ws / "params" / "2013" / "union.yaml"), cwd=ws)
    assert done.returncode == 1
    assert "B09.content" in done.stdout and SHA in done.stdout


def test_the_form_keeps_citations_it_does_not_edit(ws: Path) -> None:
    """A save from the form after a CLI citation must not drop it (the working copy holds it)."""
    from kpa_core.entry.controller import AssessmentController

    assert _add(ws, str(ws / "学习记录.pdf")).returncode == 0
    c = AssessmentController(ws / "data", 2013, "union")
    c.set_reason("B09.content", "廉洁文化建设无实际内容（复核）")
    c.save("李四", "复核理由")
    entry = read_yaml(ws / "data" / "2013" / "union.yaml")["entries"]["B09.content"]
    assert entry["evidence_files"][0]["sha256"] == SHA


def test_evidence_added_after_a_report_changes_what_keys_its_re_render(ws: Path) -> None:
    from kpa_core.report.context import data_fingerprints

    before = data_fingerprints(ws / "data", 2013, "union", None, [], shared={})
    assert _add(ws, str(ws / "学习记录.pdf")).returncode == 0
    after = data_fingerprints(ws / "data", 2013, "union", None, [], shared={})
    assert before["record"] != after["record"]
    assert after["record"] == hashlib.sha256(
        (ws / "data" / "2013" / "union.yaml").read_bytes()).hexdigest()
