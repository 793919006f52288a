"""The project installs from its own files: pyproject.toml and environment.yml agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).parents[1]


def names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", s, maxsplit=1)[0].lower() for s in specs}


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    """Both directions, every extra included (dask too): a conda user gets what pip gets."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = names(project["dependencies"])
    for extra in ("dev", "dask"):
        assert extra in project["optional-dependencies"]
    for specs in project["optional-dependencies"].values():
        wanted |= names(specs)
    assert "distributed" in wanted and "ruamel.yaml" in wanted
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = names([d for d in env["dependencies"] if isinstance(d, str)]) - {"python", "pip"}
    assert sorted(wanted - conda) == [], "in pyproject.toml but not environment.yml"
    assert sorted(conda - wanted) == [], "in environment.yml but not pyproject.toml"
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part


def test_console_script_and_rubric_data_are_packaged() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["kpa"] == "kpa_core.cli:main"
    assert "rubrics/*.yaml" in project["tool"]["setuptools"]["package-data"]["kpa_core"]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "./run tests" in readme
    assert "exec ./run tests" in ci
