"""The bundled sample data is what its seeded generator makes, and is marked fictional."""

from __future__ import annotations

import filecmp
import runpy
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def test_generator_reproduces_the_committed_sample(tmp_path: Path, monkeypatch) -> None:
    tmp_path = tmp_path / "data"  # audit lines name paths as data/<year>/…
    monkeypatch.setattr(sys, "argv", ["make_sample_data.py", str(tmp_path)])
    runpy.run_path(str(REPO / "scripts" / "make_sample_data.py"), run_name="__main__")
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made, "the generator wrote nothing"
    for rel in made:
        assert filecmp.cmp(tmp_path / rel, REPO / "data" / rel, shallow=False), rel


def test_every_sample_record_says_it_is_fictional() -> None:
    for path in (REPO / "data").rglob("*.yaml"):
        head = path.read_text(encoding="utf-8")[:40]
        assert head.startswith("# 虚构示例数据 FICTIONAL SAMPLE DATA"), path
