"""Issue #24 defect 7: every read of audit-log.jsonl goes through the bounded reader.

Before: with the log a FIFO, `kpa verify` and a form save hung forever (the save holding the
year's lock, so every other save of the year waited too); as a symlink to /dev/zero, verify
died with a MemoryError traceback. Each case runs in a child process with a timeout, so a hang
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def hostile_log(data: Path, kind: str) -> Path:
    log = data / "2013" / "audit-log.jsonl"
    log.unlink()
    if kind == "fifo":
        os.mkfifo(log)
    else:
        log.symlink_to("/dev/zero")
    return log


def child(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_verify_names_a_hostile_log_without_hanging_or_a_traceback(data, kind):
    hostile_log(data, kind)
    done = child(f"from kpa_core.cli import main; raise SystemExit(main(['verify', '--year', "
                 f"'2013', '--data', {str(data)!r}]))")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "audit-log.jsonl" in done.stderr
    assert ("不是普通文件" in done.stderr and "not a regular file" in done.stderr), done.stderr


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_save_fails_at_once_and_leaves_the_year_lock_free(data, kind):
    hostile_log(data, kind)
    before = (data / "2013" / "arts.yaml").read_bytes()
    done = child(f"""
        from kpa_core.audit.log import SaveFailedError, year_lock
        from kpa_core.entry.controller import AssessmentController
        ctl = AssessmentController({str(data)!r}, 2013, "arts")
        ctl.set_value("B02.system", 1.0)
        ctl.set_reason("B02.system", "制度不健全")
        try:
            ctl.save("甲", "补充")
        except SaveFailedError as exc:
            print("REFUSED", exc.problems[0].problem_en)
        # the lock was released: a second writer gets it (flock would block otherwise)
        with year_lock({str(data)!r}, 2013):
            print("LOCK FREE")
    """)
    assert done.returncode == 0, done.stderr
    assert "REFUSED not a regular file" in done.stdout and "LOCK FREE" in done.stdout
    assert (data / "2013" / "arts.yaml").read_bytes() == before
