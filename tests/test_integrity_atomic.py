"""Writes keep the file's nature: umask, mode, symlinks; special files and missing folders."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.store.atomic import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_honours_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert mode(atomic_write_text(tmp_path / "a.txt", "x")) == 0o644
        os.umask(0o002)
        assert mode(atomic_write_text(tmp_path / "b.txt", "x")) == 0o664
    finally:
        os.umask(old)


def test_an_overwrite_keeps_the_targets_mode(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    atomic_write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "new" and mode(path) == 0o640


def test_a_write_to_a_symlink_goes_to_its_target(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "arts.yaml"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "arts.yaml"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"
    assert not [p for p in shared.iterdir() if p.name.endswith(".tmp")]


def test_folders_devices_and_fifos_are_refused(tmp_path):
    fifo = tmp_path / "out.xlsx"
    os.mkfifo(fifo)
    for path in (tmp_path, fifo, Path("/dev/null")):
        with pytest.raises(KpaInputError) as info:
            atomic_write_text(path, "x")
        assert "not a regular file" in info.value.problems[0].problem_en
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # left as it was


def test_out_into_a_missing_folder_is_an_error_but_kpa_folders_are_made(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "template", "--year", "2014",
                           "--out", str(tmp_path / "nonexistent" / "dir" / "t.xlsx")],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "does not exist" in proc.stderr, proc.stderr
    assert not (tmp_path / "nonexistent").exists()
    made = atomic_write_text(tmp_path / "out" / "reports" / "2013" / "index.html", "x")
    assert made.read_text(encoding="utf-8") == "x"  # kpa's own layout may still be created


def test_a_read_only_folder_is_exit_2_naming_the_cause(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "template", "--year",
                               "2014", "--out", str(folder / "t.xlsx")], capture_output=True,
                              text=True, encoding="utf-8", cwd=ROOT, timeout=120)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_an_os_error_is_exit_2_naming_the_real_cause(tmp_path, monkeypatch, capsys):
    import errno

    import kpa_core.excel.template as excel_template
    from kpa_core.cli import main

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "t.xlsx"))

    monkeypatch.setattr(excel_template, "write_template", read_only)
    assert main(["template", "--year", "2014", "--out", str(tmp_path / "t.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "文件夹只读" in err and "read-only" in err and "t.xlsx" in err
