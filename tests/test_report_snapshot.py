"""Issue #24, defect 6: a report made during saves or imports renders what it hashed.

The batch reads the year once (``YearInputs``) and keeps the very bytes it read; its kernels
render from that snapshot (``open_report(snapshot=…)``), not from the disk, so a save between
planning and rendering changes neither the params' record and sha256 nor the HTML: all three
are the first version. A report started while an import holds the year's lock waits for it
instead of calling it "interrupted".
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from pathlib import Path

from kpa_core.audit.journal import pending_problems
from kpa_core.report.batch import write_snapshot
from kpa_core.report.context import open_report
from kpa_core.store.atomic import folder_lock
from kpa_core.year.inputs import read_year_inputs

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = "半年工作总结未按时报送", "（保存于报告进行中）另一版本的原因"


def test_the_kernel_renders_the_bytes_the_batch_hashed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "2013" / "chemical.yaml"
    first = path.read_bytes()
    inputs = read_year_inputs(data, 2013)  # what the batch plans, hashes and embeds
    assert inputs.assessor.sha256["chemical"] == hashlib.sha256(first).hexdigest()
    snapshot = write_snapshot(tmp_path, inputs)
    path.write_bytes(first.replace(OLD.encode(), NEW.encode()))  # a save mid-batch
    ctx = open_report(year=2013, unit="chemical", data_dir=str(data), snapshot=str(snapshot))
    assert ctx.record.entries["B01.docs"]["reason"] == OLD
    assert ctx.data_sha256["record"] == hashlib.sha256(first).hexdigest()
    # The year's other units come from the same snapshot: the rank is that of the first bytes.
    assert ctx.n_units == len(inputs.assessor.records)
    fresh = open_report(year=2013, unit="chemical", data_dir=str(data))  # by hand: the disk
    assert fresh.record.entries["B01.docs"]["reason"] == NEW
    assert fresh.data_sha256["record"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_report_during_a_running_import_waits_instead_of_refusing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    folder = data / "2013"
    staged = folder / ".chemical.yaml.staged"
    held, done = threading.Event(), []

    def running_import() -> None:  # what import_workbook does: staged files under the lock
        with folder_lock(folder):
            staged.write_bytes((folder / "chemical.yaml").read_bytes())
            held.set()
            time.sleep(1.0)
            staged.replace(folder / "chemical.yaml")
        done.append(time.monotonic())

    worker = threading.Thread(target=running_import)
    worker.start()
    held.wait(10)
    assert pending_problems(data, 2013) == []  # waited for the lock, then found nothing
    assert done  # the import had finished before the answer
    worker.join()
    staged.write_text("x: 1\n", encoding="utf-8")  # no lock held: a true leftover
    assert "kpa import --recover 2013" in str(pending_problems(data, 2013)[0])
