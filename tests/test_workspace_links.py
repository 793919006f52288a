"""Issue #24: one symlink rule for every folder kpa writes into.

Before: a ``params/`` link out of the workspace was written through (kpa report wrote params
into /elsewhere), while an ``out/`` link was refused with a message blaming kpa.toml. Now each
kpa folder that links outside the workspace is refused the same way, naming the folder and its
target, before anything is written; a link that stays inside the workspace is followed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.errors import KpaInputError
from kpa_core.store.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("params", "out", "data/2013/evidence", "data/2013/self", "params/2013/scenarios",
           "out/reports/2013")


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copytree(ROOT / "data", root / "data")
    (root / "kpa.toml").write_text('office = "纪委办公室"\nout = "out"\n', encoding="utf-8")
    return root


def link_out(root: Path, folder: str, elsewhere: Path) -> Path:
    path = root / folder
    path.parent.mkdir(parents=True, exist_ok=True)
    target = elsewhere / folder.replace("/", "_")
    if path.is_dir():
        shutil.move(str(path), str(target))
    else:
        target.mkdir(parents=True)
    path.symlink_to(target, target_is_directory=True)
    return target


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_kpa_folder_linked_outside_is_refused_by_name(ws: Path, tmp_path: Path, folder: str):
    (tmp_path / "elsewhere").mkdir()
    target = link_out(ws, folder, tmp_path / "elsewhere")
    with pytest.raises(KpaInputError) as exc:
        load_workspace(ws)
    problem = exc.value.problems[0]
    assert problem.value == folder and str(target) in str(exc.value)
    assert "kpa.toml" not in problem.problem_zh  # the link is named, not the settings


def test_report_writes_nothing_through_a_params_link(ws: Path, tmp_path: Path):
    (tmp_path / "elsewhere").mkdir()
    target = link_out(ws, "params", tmp_path / "elsewhere")
    done = run_kpa("report", "--year", "2013", "--unit", "logistics", cwd=ws)
    assert done.returncode == 2 and "params" in done.stderr
    assert list(target.iterdir()) == [] and not (ws / "out").exists()


def test_a_link_inside_the_workspace_is_followed(ws: Path):
    (ws / "archive" / "params").mkdir(parents=True)
    (ws / "params").symlink_to(ws / "archive" / "params", target_is_directory=True)
    assert load_workspace(ws).params_dir == ws / "params"
