"""A record with hundreds of thousands of entries is refused before parsing, not after.

Issue #9: a 4.8 MB record of 380,000 entries took 13 s to parse before any check could look
at it. The structure bound counts line breaks, commas and colons on the text first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.errors import KpaInputError
from kpa_core.store.yaml_io import MAX_SEPARATORS, parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def test_a_huge_record_is_refused_naming_the_bound(tmp_path: Path) -> None:
    record = tmp_path / "huge.yaml"
    lines = ["rubric: kvtc-2013-draft", "year: 2013", "unit: 工会", "entries:"]
    lines += [f"  X{i}.rule: {{count: 1}}" for i in range(150_000)]  # 4 MB, under the size cap
    record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_kpa("score", str(record), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "文件结构过大" in done.stderr and f"{MAX_SEPARATORS:,}" in done.stderr
    assert len(done.stderr) < 2000  # the file is named, never echoed


def test_the_bound_is_exact_and_kpa_s_own_files_are_far_below_it() -> None:
    at_limit = "\n" * MAX_SEPARATORS
    assert parse_yaml(at_limit) is None  # exactly at the bound: parsed (an empty document)
    with pytest.raises(KpaInputError):
        parse_yaml(at_limit + "\n")
    rubric = (ROOT / "kpa_core" / "rubrics" / "kvtc-2013-draft.yaml").read_text(encoding="utf-8")
    assert sum(rubric.count(c) for c in "\n,:") < MAX_SEPARATORS // 50
