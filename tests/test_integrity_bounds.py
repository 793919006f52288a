"""Every file kpa reads is bounded: special files, sizes, numbers, zip bombs, echoed values.

Each case runs the real ``kpa`` command in a subprocess with a timeout, and checks exit 2,
a bilingual message and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kpa_core.errors import Problem

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "2013" / "chemical.yaml"  # has B07.studies: {actual: 4, …}


def kpa(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
        timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpa_core.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, timeout=timeout,
                          env={**os.environ, **(env or {})})


def refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_a_device_and_a_fifo_are_refused_without_blocking(tmp_path):
    refused(kpa("score", "/dev/zero", timeout=20), "不是普通文件", "not a regular file")
    fifo = tmp_path / "unit.yaml"
    os.mkfifo(fifo)
    refused(kpa("score", str(fifo), timeout=20), "not a regular file")


def test_an_oversized_record_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(RECORD.read_bytes() + b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    start = time.perf_counter()
    refused(kpa("score", str(big)), "文件过大", "too large", "KPA_MAX_INPUT_MB")
    assert time.perf_counter() - start < 30  # (the process start is most of it)
    proc = kpa("score", str(big), env={"KPA_MAX_INPUT_MB": "6"})  # configured: accepted
    assert proc.returncode == 0, proc.stderr


def test_an_implausible_number_is_refused(tmp_path):
    path = tmp_path / "chemical.yaml"
    text = RECORD.read_text(encoding="utf-8")
    assert "B07.studies: {actual: 4," in text
    path.write_text(text.replace("B07.studies: {actual: 4,", "B07.studies: {actual: 1.0e+300,"),
                    encoding="utf-8")
    refused(kpa("score", str(path)), "B07.studies", "implausibly large (at most 1000)")


def test_a_value_is_never_echoed_whole():
    huge = "x" * 1_000_000
    text = str(Problem("太长", "too long", value=[huge] * 1000))
    assert len(text) < 400 and "..." in text


def test_bands_from_a_foreign_file_are_refused_without_echoing_it():
    proc = kpa("grade", "--year", "2013", "--bands", "/etc/passwd")
    refused(proc, "not a grade bands file")
    assert "root:" not in proc.stderr


def make_bomb(path: Path, unpacked_mb: int) -> None:
    """A real template with one extra part of zeros that compresses ~1000:1."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/bomb.bin", b"\0" * (unpacked_mb * 1024 * 1024))


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_openpyxl(tmp_path):
    book = tmp_path / "t.xlsx"
    proc = kpa("template", "--year", "2013", "--out", str(book))
    assert proc.returncode == 0, proc.stderr
    make_bomb(book, 8)
    assert book.stat().st_size < 1024 * 1024
    data = tmp_path / "data"
    data.mkdir()
    (data / "units.csv").write_bytes((ROOT / "data" / "units.csv").read_bytes())
    proc = kpa("import", str(book), "--data", str(data),
               env={"KPA_MAX_WORKBOOK_UNPACKED_MB": "5"})
    refused(proc, "解压后过大", "zip bomb")
    assert list(data.iterdir()) == [data / "units.csv"]


@pytest.mark.parametrize("where", ["record", "bands"])
def test_a_billion_laughs_is_refused_quickly(tmp_path, where):
    laughs = "\n".join(
        ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)])
    if where == "record":
        path = tmp_path / "chemical.yaml"
        path.write_text(RECORD.read_text(encoding="utf-8") + laughs + "\n", encoding="utf-8")
        proc = kpa("score", str(path), timeout=20)
    else:
        path = tmp_path / "bands.yaml"
        path.write_text("id: x\ngrades: []\n" + laughs + "\n", encoding="utf-8")
        proc = kpa("grade", "--year", "2013", "--bands", str(path), timeout=10)
    refused(proc)
    assert len(proc.stderr) < 5000


def test_a_record_with_more_entries_than_rules_is_one_short_problem(tmp_path):
    path = tmp_path / "chemical.yaml"
    extra = "".join(f"  Z{i}.x: {{count: 1}}\n" for i in range(5000))
    path.write_text(RECORD.read_text(encoding="utf-8") + extra, encoding="utf-8")
    proc = kpa("score", str(path))
    refused(proc, "too many entries")
    assert len(proc.stderr) < 2000  # not 5000 problems of a few hundred characters each
