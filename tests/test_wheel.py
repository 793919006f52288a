"""The wheel is complete: installed into a fresh virtual environment, kpa works on a workspace.

What this proves, as a new office would use kpa: the wheel carries the notebooks, templates,
rubrics, sample data and example bands; its metadata names every dependency (the venv is
created without ``--system-site-packages`` and pip resolves the wheel's own requirements, so
a missing dependency fails here — pip's cache only saves downloads); and commands find their
workspace from a subfolder and from outside it. Slow (pip fetches ~100 packages from the
index, 40–90 s, then a 30-unit report): under ``./run tests`` it runs on one xdist worker
while the other runs the rest (tests/conftest.py XDIST_GROUPS); deselect with
``-m "not wheel"`` while iterating; CI runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wheel_venv import installed_wheel, run

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The fresh venv with this checkout's wheel (tests/wheel_venv.py: built once a process,
    shared with the README test)."""
    return installed_wheel(tmp_path_factory)


def test_the_wheel_carries_its_data_files(installed):
    base, env = installed
    probe = run(["python", "-c", "import kpa_core, kpa_core.store.paths as p;"
                 "print(kpa_core.__file__);"
                 "print(p.notebooks_dir()); print(p.sample_data_dir())"], cwd=base, env=env)
    assert probe.returncode == 0, probe.stderr
    module, notebooks, sample = map(Path, probe.stdout.split())
    assert REPO not in module.parents  # the installed copy, not this checkout
    assert {"report.ipynb", "assess.ipynb"} <= {p.name for p in notebooks.iterdir()}
    assert (sample / "units.csv").is_file() and len(list((sample / "2013").glob("*.yaml"))) == 30


def test_init_report_score_reproduce_from_anywhere(installed):
    base, env = installed
    init = run(["kpa", "init", "ws", "--sample"], cwd=base, env=env)
    assert init.returncode == 0, init.stderr
    ws = base / "ws"
    # the sample is whole: its audit logs explain every record, its bands are named
    verify = run(["kpa", "verify"], cwd=ws, env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "✔ 2012" in verify.stdout and "✔ 2013" in verify.stdout
    assert 'bands = "grade-bands.yaml"' in (ws / "kpa.toml").read_text(encoding="utf-8")
    assert {"assess.ipynb", "explore.ipynb"} <= {p.name for p in (ws / "notebooks").iterdir()}

    report = run(["kpa", "report", "--year", "2013", "--jobs", "2", "--no-progress"], cwd=ws,
                 env=env)
    assert report.returncode == 0, report.stdout + report.stderr
    assert "rendered 30" in report.stdout
    assert (ws / "out" / "reports" / "2013" / "index.html").is_file()
    assert len(list((ws / "params" / "2013").glob("*.yaml"))) == 30
    petroleum = (ws / "out" / "reports" / "2013" / "petroleum.html").read_text("utf-8")
    assert "data/2013/petroleum.yaml" in petroleum and str(base) not in petroleum
    assert "Glyph" not in report.stderr  # no font warnings on this machine's CJK fonts

    score = run(["kpa", "score", "--year", "2013", "--csv"], cwd=ws / "data", env=env)
    assert score.returncode == 0, score.stderr
    lines = score.stdout.splitlines()
    assert lines[0].startswith("rank,unit_id,unit") and len(lines) == 31
    assert not (ws / "data" / "params").exists() and not (ws / "data" / "out").exists()

    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    again = run(["kpa", "reproduce", str(ws / "params" / "2013")], cwd=elsewhere, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reproduced / 已复现 (30/30)" in again.stdout

    grade = run(["kpa", "grade", "--year", "2013", "--bands", "grade-bands.yaml"], cwd=ws,
                env=env)
    assert grade.returncode == 0, grade.stderr
    by_toml = run(["kpa", "grade", "--year", "2013"], cwd=ws, env=env)  # kpa.toml's bands
    assert by_toml.returncode == 0 and by_toml.stdout == grade.stdout, by_toml.stderr

    # the README's rubric-revision commands, as written there
    diff = run(["kpa", "rubric", "diff", "kvtc-2013-draft", "examples/example-revision"], cwd=ws,
               env=env)
    assert diff.returncode == 0 and "B18.website" in diff.stdout, diff.stderr
    rescored = run(["kpa", "rescore", "--year", "2013", "--rubric", "examples/example-revision"],
                   cwd=ws, env=env)
    assert rescored.returncode == 0 and "5 entries dropped" in rescored.stdout, rescored.stderr

    empty = base / "empty"
    empty.mkdir()
    lost = run(["kpa", "score", "--year", "2013"], cwd=empty, env=env)
    assert lost.returncode == 2 and "no workspace found" in lost.stderr
    assert "Traceback" not in lost.stderr and list(empty.iterdir()) == []
