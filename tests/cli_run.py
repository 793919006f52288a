"""Run the ``kpa`` command in this process, the way a subprocess would see it, but ~1 s faster.

Most command tests check what the command prints and returns, which ``kpa_core.cli.main``
gives directly; starting ``python -m kpa_core.cli`` for each one cost most of the suite's
time on a busy 2-core machine. A few tests keep a true subprocess on purpose (the console
script, exit statuses seen by a shell): see test_cli_score.py.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from kpa_core.cli import main


@dataclass
class Done:
    """The same three fields a ``subprocess.CompletedProcess`` gives the tests."""

    returncode: int
    stdout: str
    stderr: str


def run_kpa(*args: str, cwd: str | Path | None = None) -> Done:
    """``kpa ARGS`` in-process with captured stdout/stderr (and cwd, restored afterwards)."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(before)
    return Done(code, out.getvalue(), err.getvalue())
