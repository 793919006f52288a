"""What CI installs decides which tests run: the Dask executor test must run there, not skip."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_test_command_installs_the_dask_extra() -> None:
    run = (REPO / "run").read_text(encoding="utf-8")
    tests_branch = run.split("tests)", 1)[1].split(";;", 1)[0]
    extras = re.search(r'install "([^"]*)"', tests_branch).group(1).split(",")
    assert {"dev", "dask"} <= set(extras)
    optional = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]
    assert any(d.startswith("distributed") for d in optional["dask"])
    # .ci/run ends in ./run tests, so CI has distributed and test_batch_on_a_dask_executor runs
    assert "exec ./run tests" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
