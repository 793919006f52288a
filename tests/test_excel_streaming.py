"""Issue #24, defect 5: a tiny workbook no longer takes minutes and gigabytes.

An export with one " " cell added at row 1,048,576 (the last row Excel has) is 1 MB
unpacked; opened without ``read_only`` and walked with ``ws.cell()`` up to ``max_row`` it took
4 min 28 s and 3.0 GB. It is streamed now: the test imports it in a process whose data
segment is capped at 1 GB, and it reads exactly the records of the untouched export. A sheet
beyond the row bound is refused naming the sheet.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpa_core.errors import KpaInputError
from kpa_core.excel import reader
from kpa_core.excel.reader import read_workbook
from kpa_core.excel.template import SHEET_ENTRIES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def export(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    book = tmp_path / "kpa-2013.xlsx"
    proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "export", "--year", "2013",
                           "--data", str(data), "--out", str(book)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return data, book


def test_a_space_in_the_last_row_costs_nothing(export, tmp_path):
    data, book = export
    far = tmp_path / "far.xlsx"
    wb = load_workbook(book)
    wb[SHEET_ENTRIES].cell(row=1_048_576, column=1, value=" ")
    wb.save(far)
    assert far.stat().st_size < 400_000
    script = textwrap.dedent(f"""
        import resource, json
        resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, 1 << 30))  # 1 GB; it took 3.0 GB
        from kpa_core.excel.reader import read_workbook
        result = read_workbook({str(far)!r}, {str(data)!r})
        print(json.dumps(sorted((u, r.to_yaml()) for u, r in result.records.items()),
                         ensure_ascii=False))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    plain = read_workbook(book, data)
    import json

    got = json.loads(proc.stdout)
    assert len(got) == 30
    assert got == json.loads(json.dumps(sorted((u, r.to_yaml())
                                               for u, r in plain.records.items()),
                                        ensure_ascii=False))


def test_a_sheet_beyond_the_row_bound_is_refused(export, monkeypatch):
    data, book = export
    monkeypatch.setattr(reader, "MAX_SHEET_ROWS", 100)  # the export has ~1,400 entry rows
    with pytest.raises(KpaInputError) as info:
        read_workbook(book, data)
    message = info.value.render()
    assert SHEET_ENTRIES in message and "more than 100 non-blank rows" in message
