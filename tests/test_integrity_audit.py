"""A save and its audit line agree whatever fails; ``kpa verify`` names what is unexplained.

Faults are injected at the system-call level: ``os.write`` that writes part of its buffer and
then fails with ENOSPC (a full disk), a log that is a folder, a process killed between the audit
line and the record. Each case checks both the record bytes and the log bytes afterwards.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpa_core.audit import log as audit_log
from kpa_core.audit.log import SaveFailedError, audit_path, read_audit, read_chain
from kpa_core.audit.verify import verify_year
from kpa_core.cli import main
from kpa_core.entry.controller import AssessmentController

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    return tmp_path / "data"


def edit(ctl: AssessmentController, value: float = 1.0) -> None:
    ctl.set_value("B02.system", value)
    ctl.set_reason("B02.system", "制度不健全")


def disk_full_after(monkeypatch, budget: int, only: str | None = None) -> None:
    """``os.write`` that writes ``budget`` bytes in all, then fails like a full disk."""
    real = os.write
    left = [budget]

    def write(fd: int, data) -> int:
        if only and only not in os.readlink(f"/proc/self/fd/{fd}"):
            return real(fd, data)
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data[: left[0]]))
        left[0] -= n
        return n

    monkeypatch.setattr(os, "write", write)


def test_sample_verifies_and_an_edit_behind_kpas_back_is_named(data, capsys):
    assert main(["verify", "--data", str(data), "--params", str(data.parent / "params")]) == 0
    assert "✔ 2013" in capsys.readouterr().out
    path = data / "2013" / "arts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert main(["verify", "--year", "2013", "--data", str(data),
                 "--params", str(data.parent / "params")]) == 1
    out = capsys.readouterr().out
    assert "arts.yaml" in out and "changed outside kpa" in out
    assert "academic-affairs.yaml" not in out  # only the edited record is named


def test_full_disk_while_logging_changes_neither_record_nor_log(data, monkeypatch):
    path, log = data / "2013" / "arts.yaml", audit_path(data, 2013)
    record_before, log_before = path.read_bytes(), log.read_bytes()
    ctl = AssessmentController(data, 2013, "arts")
    edit(ctl)
    disk_full_after(monkeypatch, 100, only="audit-log")  # the line is cut after 100 bytes
    with pytest.raises(SaveFailedError) as info:
        ctl.save("甲", "补充")
    assert "磁盘已满" in info.value.problems[0].problem_zh
    assert path.read_bytes() == record_before and log.read_bytes() == log_before
    monkeypatch.undo()
    ctl.save("甲", "补充")  # not refused as stale: nothing had changed
    assert verify_year(data, 2013).failures == []


def test_full_disk_while_writing_the_record_takes_the_line_back(data, monkeypatch):
    path, log = data / "2013" / "arts.yaml", audit_path(data, 2013)
    record_before, log_before = path.read_bytes(), log.read_bytes()
    ctl = AssessmentController(data, 2013, "arts")
    edit(ctl)
    disk_full_after(monkeypatch, 10, only="arts.yaml")
    with pytest.raises(SaveFailedError):
        ctl.save("甲", "补充")
    assert path.read_bytes() == record_before and log.read_bytes() == log_before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_log_that_is_a_folder_refuses_the_save_and_changes_nothing(data):
    path, log = data / "2013" / "arts.yaml", audit_path(data, 2013)
    before = path.read_bytes()
    log.unlink()
    log.mkdir()
    ctl = AssessmentController(data, 2013, "arts")
    edit(ctl)
    with pytest.raises(SaveFailedError) as info:
        ctl.save("甲", "补充")
    assert "folder" in info.value.problems[0].problem_en
    assert path.read_bytes() == before
    log.rmdir()
    ctl.save("甲", "补充")  # the next save is not refused as stale
    assert [x["who"] for x in read_audit(data, 2013)] == ["甲"]


def test_a_torn_last_line_is_named_skipped_and_cut_off_by_the_next_save(data):
    log = audit_path(data, 2013)
    n = len(read_audit(data, 2013))
    with log.open("ab") as fh:  # a line cut mid-UTF-8 by a crash
        fh.write('{"prev": "x", "who": "王'.encode()[:-1])
    with pytest.warns(UserWarning, match="torn"):
        assert len(read_audit(data, 2013)) == n
    verdict = verify_year(data, 2013)
    assert verdict.failures == [] and "torn" in verdict.notes[0]
    ctl = AssessmentController(data, 2013, "arts")
    edit(ctl)
    ctl.save("甲", "补充")
    assert read_chain(data, 2013).torn is None and len(read_audit(data, 2013)) == n + 1
    assert verify_year(data, 2013).failures == []


def test_a_kill_between_line_and_record_is_voided_by_the_next_save(data):
    script = textwrap.dedent(f"""
        import os
        from kpa_core.audit import log as audit_log
        from kpa_core.entry.controller import AssessmentController
        audit_log.atomic_write_bytes = lambda *a, **k: os._exit(9)  # killed right here
        ctl = AssessmentController({str(data)!r}, 2013, "arts")
        ctl.set_value("B02.system", 1.0)
        ctl.set_reason("B02.system", "制度不健全")
        ctl.save("甲", "补充")
    """)
    before = (data / "2013" / "arts.yaml").read_bytes()
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120)
    assert proc.returncode == 9
    assert (data / "2013" / "arts.yaml").read_bytes() == before
    assert read_audit(data, 2013)[-1]["who"] == "甲"  # the intent line is there…
    verdict = verify_year(data, 2013)
    assert verdict.failures == [] and "interrupted" in verdict.notes[0]  # …and not applied
    ctl = AssessmentController(data, 2013, "arts")
    edit(ctl, 2.0)
    ctl.save("乙", "重做")
    actions = [x["action"] for x in read_audit(data, 2013)[-3:]]
    assert actions == ["save_record", "void", "save_record"]
    assert verify_year(data, 2013).failures == []


def test_the_chain_names_an_altered_line_and_a_forged_params_record(data):
    params = data.parent / "params"
    log = audit_path(data, 2013)
    lines = log.read_bytes().split(b"\n")
    fifth = json.loads(lines[4])
    fifth["who"] = "someone else"
    lines[4] = json.dumps(fifth, ensure_ascii=False).encode()
    log.write_bytes(b"\n".join(lines))
    failures = verify_year(data, 2013, params).failures
    assert any("line 6" in f and "breaks" in f for f in failures)  # the link after it

    shutil.copytree(ROOT / "data" / "2013", data / "2013", dirs_exist_ok=True)  # log restored
    p = params / "2013" / "arts.yaml"
    text = p.read_text(encoding="utf-8")
    at = text.index("\nrecord:")
    p.write_text(text[:at] + text[at:].replace("  sha256: ", "  sha256: 0000", 1),
                 encoding="utf-8")
    failures = verify_year(data, 2013, params).failures
    assert len(failures) == 1 and "arts.yaml" in failures[0] and "nowhere" in failures[0]


def test_attest_brings_a_hand_edit_into_the_chain(data, capsys):
    path = data / "2013" / "arts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# 手工修订\n", encoding="utf-8")
    assert main(["verify", "--year", "2013", "--data", str(data), "--attest"]) == 2
    assert main(["verify", "--year", "2013", "--data", str(data), "--attest",
                 "--who", "王分析", "--why", "手工修订已核对"]) == 0
    assert "attested" in capsys.readouterr().out
    assert read_audit(data, 2013)[-1]["action"] == "attest"
    assert audit_log.sha256_file(path) == read_audit(data, 2013)[-1]["sha256_after"]


def test_an_old_version_restored_behind_kpas_back_is_a_change_not_an_interruption(data):
    path = data / "2013" / "arts.yaml"
    old = path.read_bytes()
    arts = AssessmentController(data, 2013, "arts")
    edit(arts)
    arts.save("甲", "补充")
    chemical = AssessmentController(data, 2013, "chemical")
    edit(chemical)
    chemical.save("甲", "补充")  # arts' line is no longer the last: it cannot be unapplied
    path.write_bytes(old)  # e.g. `git checkout` of the file
    verdict = verify_year(data, 2013)
    assert verdict.notes == []
    assert len(verdict.failures) == 1 and "arts.yaml" in verdict.failures[0]
    assert "changed outside kpa" in verdict.failures[0]
