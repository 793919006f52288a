"""Injection outside HTML: spreadsheet formulas in CSV, terminal escapes on the console."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kpa_core.text.sanitize import csv_cell, terminal_safe

ROOT = Path(__file__).resolve().parents[1]
FORMULA = '=HYPERLINK("http://evil.example/x")'
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[H"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Arts renamed to a formula; its first reason retitles and clears the terminal."""
    root = tmp_path_factory.mktemp("inject") / "data"
    shutil.copytree(ROOT / "data", root)
    rows = list(csv.reader(io.StringIO((root / "units.csv").read_text(encoding="utf-8"))))
    for row in rows:
        if row[0] == "arts":
            row[1] = FORMULA
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (root / "units.csv").write_text(buf.getvalue(), encoding="utf-8")
    quoted = FORMULA.replace('"', '\\"')
    for path in (root / "2013" / "arts.yaml", root / "2013" / "self" / "arts.yaml"):
        text = path.read_text(encoding="utf-8").replace("unit: 艺术系", f'unit: "{quoted}"')
        path.write_text(text.replace("reason: 岗位廉政责任未分解到人",
                                     'reason: "\\e]0;pwned\\a\\e[2J\\e[H岗位廉政责任未分解到人"'),
                        encoding="utf-8")
    return root


def kpa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpa_core.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=120)


@pytest.mark.parametrize("command", [
    ("score", "--year", "2013", "--csv"),
    ("diff", "--year", "2013", "--csv"),
    ("grade", "--year", "2013", "--csv", "--bands",
     str(ROOT / "kpa_core" / "templates" / "grade-bands.example.yaml")),
])
def test_csv_never_holds_a_live_formula(data, command):
    proc = kpa(*command, "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    cells = [c for row in csv.reader(io.StringIO(proc.stdout)) for c in row]
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]


def test_a_reason_cannot_drive_the_terminal(data):
    proc = kpa("diff", "--year", "2013", "--unit", "arts", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    assert "岗位" in proc.stdout  # the reason is shown (wrapped in its column)
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "pwned" not in proc.stdout


def test_the_helpers_follow_owasp_and_keep_plain_text():
    assert [csv_cell(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", 3, -2.5)
            ] == ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "a=b", 3, -2.5]
    assert terminal_safe(f"a{ESCAPES}b\n\tc\x9bd") == "ab\n\tcd"
