"""Issue #24 defect 4: forged params do not reproduce, and `kpa verify` names an edited one.

Each forgery keeps the data file's sha256 (the record on disk is untouched), which is why it
used to pass: the embedded record was compared only when that hash differed, the params' own
bands and options were trusted, and a params file without record.path was rescored alone.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.reproduce.params import read_params, write_params
from kpa_core.scoring.grading import grade_card, parse_bands
from kpa_core.scoring.record import load_record
from kpa_core.scoring.score import score_record

ROOT = Path(__file__).resolve().parents[1]
BANDS = "kpa_core/templates/grade-bands.example.yaml"


@pytest.fixture()
def ws(tmp_path: Path, monkeypatch) -> Path:
    """A workspace copy: data, params, kpa.toml (bands = the example bands file)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "params", tmp_path / "params")
    shutil.copy(ROOT / "kpa.toml", tmp_path / "kpa.toml")
    (tmp_path / BANDS).parent.mkdir(parents=True)
    shutil.copy(ROOT / BANDS, tmp_path / BANDS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPA_WORKSPACE", raising=False)
    return tmp_path


def params_file(ws: Path, uid: str = "logistics") -> Path:
    return ws / "params" / "2013" / f"{uid}.yaml"


def reproduce(ws: Path, uid: str = "logistics"):
    return run_kpa("reproduce", str(params_file(ws, uid)), cwd=ws)


def test_the_untouched_sample_still_reproduces(ws):
    done = reproduce(ws)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_embedded_record_edited_behind_the_same_sha256_is_named(ws):
    path = params_file(ws)
    params = read_params(path)
    params["record"]["data"]["assessor"] = "王分析"  # the record file still says otherwise
    write_params(path, params)
    done = reproduce(ws)
    assert done.returncode == 1, done.stdout
    assert "assessor" in done.stdout and "王分析" in done.stdout
    assert "params were edited" in done.stdout


def test_own_grade_bands_with_a_recomputed_sha256_are_not_the_offices(ws):
    path = params_file(ws)
    params = read_params(path)
    record = load_record(ws / "data" / "2013" / "logistics.yaml", unit_id="logistics")
    card = score_record(record)
    lenient = {"kpa_bands": 1, "id": "forged", "zh": "伪造", "en": "forged",
               "grades": [{"grade": "优秀", "en": "excellent", "min_total": 0}]}
    bands = parse_bands(lenient)
    params["grades"] = {"bands": lenient, "sha256": bands.sha256,
                        "grade": grade_card(card, bands).grade}
    assert params["grades"]["grade"] == "优秀"
    write_params(path, params)
    done = reproduce(ws)
    assert done.returncode == 1, done.stdout
    assert "differ from the office's bands" in done.stdout


def test_a_report_without_record_path_is_refused_exit_2(ws):
    path = params_file(ws)
    params = read_params(path)
    forged = copy.deepcopy(params)
    del forged["record"]["path"], forged["record"]["sha256"]
    write_params(path, forged)
    done = reproduce(ws)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "record.path" in done.stderr and "cannot be checked" in done.stderr


def test_verify_names_a_params_file_edited_after_the_batch(ws):
    # the batch chains the params files it writes (not those it leaves as they are: the
    # sample stays byte for byte), so arts' file is made anew here
    params_file(ws, "arts").unlink()
    done = run_kpa("report", "--year", "2013", "--units", "arts", "--no-progress",
                   "--out", str(ws / "out"), cwd=ws)
    assert done.returncode == 0, done.stdout + done.stderr
    chain = (ws / "data" / "2013" / "audit-log.jsonl").read_text(encoding="utf-8")
    assert '"action": "params"' in chain and '"arts.yaml"' in chain
    verified = run_kpa("verify", "--year", "2013", "--data", str(ws / "data"),
                       "--params", str(ws / "params"), cwd=ws)
    assert verified.returncode == 0, verified.stdout
    path = params_file(ws, "arts")
    path.write_text(path.read_text(encoding="utf-8").replace("grades: null",
                                                             "grades: null\n# edited"),
                    encoding="utf-8")
    verified = run_kpa("verify", "--year", "2013", "--data", str(ws / "data"),
                       "--params", str(ws / "params"), cwd=ws)
    assert verified.returncode == 1
    assert "arts.yaml" in verified.stdout and "changed after kpa report wrote it" in \
        verified.stdout
