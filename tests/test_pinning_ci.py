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


def test_every_module_sharing_the_report_batch_is_one_xdist_group() -> None:
    """A module using the session's report batch but missing from conftest.XDIST_GROUPS would
    still pass, on whichever worker, but would run the batch a second time there."""
    from conftest import XDIST_GROUPS

    users = {f"tests/{p.name}" for p in (REPO / "tests").glob("test_*.py")
             if re.search(r"def \w+\([^)]*\breport_(run|data)\b", p.read_text(encoding="utf-8"))}
    assert users == {m for m, g in XDIST_GROUPS.items() if g == "report_run"}
    assert XDIST_GROUPS["tests/test_wheel.py"] == "wheel"  # its venv is a module fixture
    run = (REPO / "run").read_text(encoding="utf-8")
    assert "--dist loadgroup" in run.split("tests)", 1)[1].split(";;", 1)[0]
