"""Params cannot be forged into a pass; an absent data file is said loudly.

The forgery from the issue: ``record.path`` pointed at a folder, three entries dropped from the
embedded record and the scores recomputed to match. The real record (petroleum, 88) sits in
the data folder; reproduce must not say "reproduced".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kpa_core.cli import main
from kpa_core.reproduce.params import make_params, write_params
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("KPA_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    return tmp_path


def forge(project: Path, path_value: str) -> Path:
    """Params of petroleum with three entries dropped, scores recomputed, path elsewhere."""
    file = project / "params" / "2013" / "petroleum.yaml"
    params = yaml.safe_load(file.read_text(encoding="utf-8"))
    data = params["record"]["data"]
    for rid in list(data["entries"])[:3]:
        del data["entries"][rid]
    record = parse_record(data)
    forged = make_params(record, score_record(record), record_path=project / "data" / "2013"
                         / "petroleum.yaml")
    forged["record"]["path"] = path_value
    write_params(file, forged)
    assert forged["scores"]["total"] != 88  # the forgery scores differently from the record
    return file


@pytest.mark.parametrize("path_value", ["data/2013", "."])
def test_a_record_path_pointing_at_a_folder_is_not_a_pass(project, capsys, path_value):
    file = forge(project, path_value)
    status = main(["reproduce", str(file)])
    out = capsys.readouterr().out
    assert status != 0 and "✔ 已复现" not in out


def test_an_absent_data_file_is_said_loudly(project, capsys):
    (project / "data" / "2013" / "petroleum.yaml").unlink()
    file = project / "params" / "2013" / "petroleum.yaml"
    assert main(["reproduce", str(file)]) == 0
    out = capsys.readouterr().out
    assert "ON THE EMBEDDED COPY ALONE" in out and "rests on the copy embedded" in out
    assert main(["reproduce", str(file.parent)]) == 0
    out = capsys.readouterr().out
    assert "1 rest on the copy embedded in the params alone" in out


def test_a_nul_in_the_saved_path_is_exit_2_not_a_traceback(project, capsys):
    file = project / "params" / "2013" / "arts.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace(
        "  path: data/2013/arts.yaml", '  path: "data/2013/ar\\0ts.yaml"'), encoding="utf-8")
    assert main(["reproduce", str(file)]) == 2  # refused by the path rule or as a NUL
    assert "record.path" in capsys.readouterr().err
