"""``./run`` guards itself: Python version first, a .venv of another Python rebuilt, --help."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A stand-in interpreter: answers run's version and identity probes, fakes venv and pip.
FAKE_PYTHON = """#!/usr/bin/env bash
case "$*" in
  *"sys.exit(sys.version_info"*) exit {ok};;
  *"sys.version.split"*) echo "{version}";;
  *"sys.base_prefix"*) echo "{version} {prefix}";;
  "-m venv "*) mkdir -p "$3/bin"; cp "$0" "$3/bin/python"
               printf '#!/bin/sh\\necho kpa-ran "$@"\\n' > "$3/bin/kpa"; chmod +x "$3/bin/kpa";;
  "-m pip "*) exit 0;;
esac
"""


def fake_python(path: Path, version: str, prefix: str, ok: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_PYTHON.format(ok=0 if ok else 1, version=version, prefix=prefix),
                    encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def run_script(folder: Path, *args: str, python: Path | None = None
               ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHON")}
    if python is not None:
        env["PYTHON"] = str(python)
    return subprocess.run(["bash", str(folder / "run"), *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60)


def copy_of_run(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    shutil.copy(REPO / "run", folder / "run")
    shutil.copy(REPO / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_help_prints_the_two_commands() -> None:
    out = run_script(REPO, "--help")
    assert out.returncode == 0
    assert "./run            主任务" in out.stdout and "./run tests" in out.stdout


def test_an_old_python_gets_one_clear_line_before_anything_happens(tmp_path) -> None:
    folder = copy_of_run(tmp_path)
    old = fake_python(tmp_path / "py310" / "python3.10", "3.10.12", "/old", ok=False)
    out = run_script(folder, python=old)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        f"✘ kpa 需要 Python 3.11 或更新版本 / kpa needs Python 3.11 or newer: {old} is 3.10.12 "
        "(set PYTHON=python3.11 or newer)"]
    assert not (folder / ".venv").exists()


def test_a_venv_made_by_another_python_is_rebuilt(tmp_path) -> None:
    folder = copy_of_run(tmp_path)
    fake_python(folder / ".venv" / "bin" / "python", "3.10.12", "/old")  # left by python3.10
    new = fake_python(tmp_path / "py311" / "python3", "3.11.9", "/new")
    out = run_script(folder, python=new)
    assert out.returncode == 0, out.stderr
    assert "made by another Python; rebuilding" in out.stdout
    assert "kpa-ran --workspace . report --year 2013" in out.stdout
    again = run_script(folder, python=new)  # now it is ours: kept
    assert "rebuilding" not in again.stdout and again.returncode == 0
