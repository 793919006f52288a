"""Issue #24, defects 2 and 3: the import journal cannot be steered, and recovery never
finishes an import half-done.

- A planted ``data/2013/.kpa-import.journal`` whose target lies outside the year (the attack:
  ``/tmp/…/victim.conf`` beside a staged file) is refused by ``kpa import --recover`` and the
  victim keeps its bytes; the journal is read bounded (a FIFO does not hang recovery).
- An import with a relative ``--data data``, killed after 3 of 30 renames and recovered from
  inside ``data/`` (``--data .``), leaves every record the workbook's; a staged file that went
  missing or changed makes recovery refuse, name the unit, and change nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpa_core.audit.journal import JOURNAL_NAME, recover_import
from kpa_core.errors import KpaInputError

ROOT = Path(__file__).resolve().parents[1]


def kpa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpa_core.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, timeout=300)


@pytest.fixture
def year(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    book = tmp_path / "kpa-2013.xlsx"
    proc = kpa("export", "--year", "2013", "--data", str(data), "--out", str(book))
    assert proc.returncode == 0, proc.stderr
    revise(book)
    return data, book


def revise(book: Path) -> None:
    """Every unit's reasons edited in the workbook, so the import changes all 30 records."""
    from openpyxl import load_workbook

    from kpa_core.excel.template import ENTRY_COLUMNS, SHEET_ENTRIES

    wb = load_workbook(book)
    ws = wb[SHEET_ENTRIES]
    column = 1 + [c.key for c in ENTRY_COLUMNS].index("reason")
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=column)
        if isinstance(cell.value, str) and cell.value.strip():
            cell.value += "（复核）"
    wb.save(book)


def records(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data / "2013").glob("*.yaml"))}


def plant(data: Path, victim: Path, journal: dict) -> None:
    """The attack of the issue: a staged file in the year and a journal naming the victim."""
    folder = data / "2013"
    (folder / ".petroleum.yaml.staged").write_text("owned: true\n", encoding="utf-8")
    (folder / JOURNAL_NAME).write_text(json.dumps(journal), encoding="utf-8")


@pytest.mark.parametrize("form", ["old", "new"])
def test_a_planted_journal_cannot_replace_a_file_outside_the_year(year, tmp_path, form):
    data, _ = year
    victim = tmp_path / "victim.conf"
    victim.write_text("secret = 1\n", encoding="utf-8")
    staged = str(data / "2013" / ".petroleum.yaml.staged")
    entry = {"staged": staged, "target": str(victim)}
    if form == "new":  # today's fields, hash of the staged bytes and all: still refused
        import hashlib
        entry |= {"unit_id": "petroleum", "role": "assessor",
                  "sha256": hashlib.sha256(b"owned: true\n").hexdigest()}
    plant(data, victim, {"format": 2, "year": 2013, "staged": [entry]} if form == "new"
          else {"staged": [entry]})
    before = records(data)
    proc = kpa("import", "--recover", "2013", "--data", str(data))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "导入日志" in proc.stderr and "nothing was changed" in proc.stderr
    assert victim.read_text(encoding="utf-8") == "secret = 1\n"
    assert records(data) == before
    assert (data / "2013" / JOURNAL_NAME).exists()  # the evidence stays for a person to see


def test_the_journal_is_read_bounded(year):
    data, _ = year
    folder = data / "2013"
    (folder / ".petroleum.yaml.staged").write_text("x: 1\n", encoding="utf-8")
    os.mkfifo(folder / JOURNAL_NAME)  # reading a FIFO blocks forever; a bounded read refuses
    with pytest.raises(KpaInputError) as info:
        recover_import(data, 2013)
    assert "not a regular file" in info.value.render()
    os.unlink(folder / JOURNAL_NAME)
    big = {"format": 2, "year": 2013, "staged": [], "pad": "x" * (2 * 1024 * 1024)}
    (folder / JOURNAL_NAME).write_text(json.dumps(big), encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        recover_import(data, 2013)
    assert "too large" in info.value.render()


KILL_AFTER_3_RENAMES = """
    import os
    real, n = os.replace, [0]
    def replace(src, dst, *a, **k):
        if str(src).endswith(".staged"):
            n[0] += 1
            if n[0] > 3:
                os._exit(9)
        return real(src, dst, *a, **k)
    os.replace = replace
    from kpa_core.excel.importer import import_workbook
    import_workbook("kpa-2013.xlsx", "data", who="甲", why="导入")
"""


def killed_relative_import(tmp_path: Path) -> None:
    """``kpa import`` with a relative ``--data data`` (run from the workspace), killed."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(KILL_AFTER_3_RENAMES)],
                          cwd=tmp_path, timeout=300, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr


def clean_import(tmp_path: Path, book: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean" / "data"
    shutil.copytree(ROOT / "data", clean)
    assert kpa("import", str(book), "--data", str(clean), "--who", "测试员").returncode == 0
    return records(clean)


def test_recovery_from_another_folder_finishes_every_record(year, tmp_path):
    data, book = year
    before = records(data)
    killed_relative_import(tmp_path)
    staged = [p for p in (data / "2013").iterdir() if p.name.endswith(".staged")]
    assert len(staged) == 27  # 30 records, 3 renamed before the kill
    proc = kpa("import", "--recover", "2013", "--data", ".", cwd=data)  # from inside data/
    assert proc.returncode == 0 and "finished" in proc.stdout, proc.stderr
    after = records(data)
    assert after == clean_import(tmp_path, book)  # all 30, not 3
    assert sum(after[name] != before[name] for name in before) == 30
    assert not [p for p in (data / "2013").iterdir() if p.name.endswith((".staged", ".backup"))]
    proc = kpa("verify", "--year", "2013", "--data", str(data), "--params", str(data / "none"))
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_recovery_refuses_when_a_staged_file_is_not_what_was_journaled(year, tmp_path, damage):
    data, _ = year
    killed_relative_import(tmp_path)
    folder = data / "2013"
    victim = sorted(p for p in folder.iterdir() if p.name.endswith(".staged"))[0]
    unit_id = victim.name[1:-len(".yaml.staged")]
    if damage == "missing":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes() + b"# edited\n")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    proc = kpa("import", "--recover", "2013", "--data", str(data))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "无法完成被中断的导入" in proc.stderr and unit_id in proc.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert kpa("score", "--year", "2013", "--data", str(data)).returncode == 2  # still refused
