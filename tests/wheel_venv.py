"""This checkout's wheel installed into a fresh virtual environment, once per test process.

Shared by tests/test_wheel.py and tests/test_readme.py (one xdist group, "wheel", in
tests/conftest.py), so the ~80 s of building and installing is paid once, not per module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_BUILT: dict[str, tuple[Path, dict[str, str]]] = {}


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 900
        ) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv (no system site packages) with the wheel built from this checkout.

    Two shortcuts that change nothing the tests prove: the venv gets no pip of its own
    (``--without-pip``; this interpreter's pip installs into it with ``--python``, saving the
    ensurepip step), and pip does not byte-compile the ~6,500 installed modules
    (``--no-compile``, about 20 s of CPU; Python compiles the few a command imports).
    Returns (a temp folder to work in, the environment whose PATH starts with the venv)."""
    if "venv" in _BUILT:
        return _BUILT["venv"]
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "KPA_WORKSPACE", "KPA_HOME", "PYTHONHOME")}
    built = run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w",
                 str(base / "dist")], cwd=base, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (base / "dist").glob("kpa-*.whl")
    venv = base / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base, env=env)
    assert made.returncode == 0, made.stderr
    installed = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                     "install", "--quiet", "--no-compile", str(wheel)], cwd=base, env=env,
                    timeout=1800)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["KPA_TEST_WHEEL"] = str(wheel)
    _BUILT["venv"] = (base, env)
    return base, env
