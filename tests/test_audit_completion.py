"""A save that finished is never called interrupted (issue #22, item 5).

The attack: right after a real save, copy the record's old file back. Before completion marks
it looked exactly like a save killed between its line and its record: ``kpa verify`` excused it
as "interrupted" and the next save of any unit voided the real save for good.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpa_core.audit.log import read_audit, read_chain
from kpa_core.audit.verify import verify_year
from kpa_core.entry.controller import AssessmentController

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def save_arts(data: Path, value: float = 1.0, who: str = "甲") -> None:
    ctl = AssessmentController(data, 2013, "arts")
    ctl.set_value("B02.system", value)
    ctl.set_reason("B02.system", "制度不健全")
    ctl.save(who, "补充")


def test_a_save_writes_line_record_then_its_mark(data):
    save_arts(data)
    last_two = read_chain(data, 2013).lines[-2:]
    assert [ln.data["action"] for ln in last_two] == ["save_record", "done"]
    assert last_two[1].data["completes"] == last_two[0].hash  # the mark names its save
    assert read_audit(data, 2013)[-1]["action"] == "save_record"  # history: no bookkeeping
    assert verify_year(data, 2013).failures == []


def test_an_old_copy_put_back_after_the_last_save_is_tampering_not_interrupted(data):
    path = data / "2013" / "arts.yaml"
    old = path.read_bytes()
    save_arts(data)
    path.write_bytes(old)  # the attack: the record's old file copied back
    verdict = verify_year(data, 2013)
    assert verdict.notes == []  # not excused as an interrupted save
    assert len(verdict.failures) == 1
    assert "arts.yaml" in verdict.failures[0] and "tampering" in verdict.failures[0]
    assert "篡改" in verdict.failures[0]
    n = len(read_chain(data, 2013).lines)
    ctl = AssessmentController(data, 2013, "chemical")  # the next save of another unit…
    ctl.set_value("B02.system", 1.0)
    ctl.set_reason("B02.system", "制度不健全")
    ctl.save("乙", "补充")
    actions = [ln.data["action"] for ln in read_chain(data, 2013).lines[n:]]
    assert actions == ["save_record", "done"]  # …voids nothing: the real save stands
    assert "tampering" in verify_year(data, 2013).failures[0]


def test_only_a_save_missing_its_mark_is_interrupted(data):
    script = textwrap.dedent(f"""
        import os
        from kpa_core.audit import log as audit_log
        from kpa_core.entry.controller import AssessmentController
        audit_log.atomic_write_bytes = lambda *a, **k: os._exit(9)  # killed before the record
        ctl = AssessmentController({str(data)!r}, 2013, "arts")
        ctl.set_value("B02.system", 1.0)
        ctl.set_reason("B02.system", "制度不健全")
        ctl.save("甲", "补充")
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120)
    assert proc.returncode == 9
    assert read_chain(data, 2013).lines[-1].data["action"] == "save_record"  # no mark
    verdict = verify_year(data, 2013)
    assert verdict.failures == [] and "interrupted" in verdict.notes[0]


def test_an_import_carries_one_mark_for_its_batch(data, tmp_path):
    from kpa_core.excel.importer import import_workbook
    from kpa_core.excel.template import write_export

    book = tmp_path / "kpa-2013.xlsx"
    write_export(data, 2013, book)
    (data / "2013" / "arts.yaml").unlink()  # deleted: the import writes it anew
    n = len(read_chain(data, 2013).lines)
    import_workbook(book, data, who="甲", why="导入")
    new = read_chain(data, 2013).lines[n:]
    imports = [ln for ln in new if ln.data["action"] == "import"]
    assert "arts" in {ln.data["unit_id"] for ln in imports}
    assert new[-1].data["action"] == "done"  # one mark, last, naming the import's batch
    assert new[-1].data["batch"] == imports[0].data["batch"]
    assert [ln.data["action"] for ln in new].count("done") == 1
