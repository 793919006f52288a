"""Issue #24: nothing kpa writes exceeds what it can read back.

Before: a record near the input bound was saved, and its params file (the record embedded,
plus the rubric's numbers) was written past the bound, so kpa then refused its own file. Now a
save or a params write over ``KPA_MAX_INPUT_MB`` is refused, naming the unit and the size, and
nothing is written. Here the bound is set to 0.05 MB (52,428 bytes).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpa_core.audit.log import read_chain
from kpa_core.entry.controller import AssessmentController
from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import make_params, write_params
from kpa_core.scoring.record import load_record
from kpa_core.scoring.score import score_record

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    monkeypatch.setenv("KPA_MAX_INPUT_MB", "0.05")
    return tmp_path / "data"


def test_a_record_save_over_the_bound_is_refused_and_nothing_changes(data: Path):
    path = data / "2013" / "arts.yaml"
    before, lines = path.read_bytes(), len(read_chain(data, 2013).lines)
    ctl = AssessmentController(data, 2013, "arts")
    ctl.set_value("B14.method", True)
    ctl.set_reason("B14.method", "理" * 20_000)  # 60,000 bytes of UTF-8: over 52,428
    with pytest.raises(KpaInputError) as exc:
        ctl.save("王明", "补充")
    assert exc.value.problems[0].unit == "艺术系" and "无法读回" in str(exc.value)
    assert path.read_bytes() == before and len(read_chain(data, 2013).lines) == lines
    ctl.set_reason("B14.method", "理" * 1_000)  # 3,000 bytes: saved
    ctl.save("王明", "补充")
    assert "理" * 1_000 in path.read_text(encoding="utf-8")


def test_params_over_the_bound_are_refused(data: Path, tmp_path: Path):
    record = load_record(data / "2013" / "logistics.yaml", unit_id="logistics")
    big = record.entries["B01.docs"] | {"reason": "长" * 18_000}  # 54,000 bytes
    record.entries["B01.docs"] = big
    params = make_params(record, score_record(record),
                         record_path=data / "2013" / "logistics.yaml", data_dir=data)
    target = tmp_path / "params" / "2013" / "logistics.yaml"
    target.parent.mkdir(parents=True)
    with pytest.raises(KpaInputError, match="无法读回"):
        write_params(target, params)
    assert not target.exists()
