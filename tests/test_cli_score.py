"""The ``kpa score`` command: JSON contract, readable table, ranking, and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_run import run_kpa

REPO = Path(__file__).parents[1]
EXAMPLE = """\
rubric: kvtc-2013-draft
year: 2013
unit: 石油工程系
assessor: 纪委办公室
options: {cap_scope: subarea}
entries:
  B01.docs: {count: 1, reason: 半年工作总结未按时报送}
  B07.studies: {actual: 4, reason: 全年专题学习4次}
  B02.responsibility: {applies: true, reason: 责任未落实}
  B09.activities: {points: 2, reason: 活动未开展}
  B16.judicial: {cases: [5, 4], reason: 司法查处}
  B17.reflections: {sessions: [{participants: 12, reflections: 3}], reason: 心得不足}
  S1.honours: {levels: [national, region, city], reason: 荣誉}
"""


def kpa(*args: str, cwd: Path = REPO):
    """In-process (fast); the tests that need a real process use ``kpa_process``."""
    return run_kpa(*args, cwd=cwd)


def kpa_process(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """A real ``python -m kpa_core.cli`` process: exit statuses and streams as a shell sees them."""
    return subprocess.run(
        [sys.executable, "-m", "kpa_core.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


def test_score_json_is_one_object_with_the_documented_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    out = kpa("score", str(path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {
        "unit",
        "year",
        "rubric",
        "rubric_sha256",
        "basic",
        "bonus",
        "total",
        "areas",
        "items",
        "special",
    }
    assert set(data["areas"]) == {"A1", "A2", "A3", "A3.edu", "A3.sys", "A3.sup", "A3.pun"}
    assert len(data["items"]) == 17 and "B06" not in data["items"]
    assert data["items"]["B16"] == {"deduction": 9, "score": 1}
    assert (data["basic"], data["bonus"], data["total"]) == (80, 5, 85)
    assert data["special"] == {"S1": 5, "S2": 0}
    area = kpa("score", str(path), "--json", "--cap-scope", "area")
    assert json.loads(area.stdout)["areas"]["A3"] == 54  # 70 − 16, no sub-area overflow here


def test_score_table_is_chinese_first(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    out = kpa("score", str(path))
    assert out.returncode == 0
    assert "合计 total 85" in out.stdout and "惩防腐败体系建设任务落实情况" in out.stdout


def test_bad_record_exits_2_with_all_errors_on_stderr_and_nothing_on_stdout(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        EXAMPLE.replace("count: 1,", "count: 7,").replace("national, region", "national, planet"),
        encoding="utf-8",
    )
    out = kpa_process("score", str(path), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    assert "B01.docs" in out.stderr and "0–3" in out.stderr and "石油工程系" in out.stderr
    assert "S1.honours" in out.stderr and "planet" in out.stderr
    assert "发现 2 个输入问题" in out.stderr


def test_year_ranking_csv() -> None:
    out = kpa("score", "--year", "2013", "--csv", "--data", str(REPO / "data"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "rank,unit_id,unit,A1,A2,A3,basic,bonus,total"
    assert len(lines) == 31
    ranks = [int(line.split(",")[0]) for line in lines[1:]]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_unknown_year_names_the_years_there_are() -> None:
    out = kpa("score", "--year", "1999", "--data", str(REPO / "data"))
    assert out.returncode == 2 and "1999" in out.stderr and "2013" in out.stderr


def test_year_ranking_names_units_without_a_record(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "2013" / "arts.yaml").unlink()
    out = kpa("score", "--year", "2013", "--csv", "--data", str(data))
    assert out.returncode == 0
    assert "艺术系（arts）" in out.stderr and "not ranked: arts" in out.stderr
    assert len(out.stdout.strip().splitlines()) == 30  # header + 29 units


def test_a_record_saved_as_yml_is_an_error_not_ignored(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "2013" / "arts.yaml").rename(data / "2013" / "arts.yml")
    out = kpa("score", "--year", "2013", "--data", str(data))
    assert out.returncode == 2 and "arts.yml" in out.stderr and "must end in .yaml" in out.stderr


def test_report_into_an_existing_file_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("x", encoding="utf-8")
    out = kpa("report", "--year", "2013", "--units", "arts", "--out", str(target),
              "--data", str(REPO / "data"), "--params", str(tmp_path / "params"))
    assert out.returncode == 2 and "not a folder" in out.stderr and "Traceback" not in out.stderr
    assert target.read_text(encoding="utf-8") == "x"


def test_the_console_script_runs_as_a_process() -> None:
    """The installed ``kpa`` entry point (pyproject [project.scripts]) reaches the same main."""
    import shutil

    script = shutil.which("kpa", path=str(Path(sys.executable).parent))
    if script is None:  # not installed into this environment: the module entry point then
        out = kpa_process("--version")
    else:
        out = subprocess.run([script, "--version"], capture_output=True, text=True,
                             encoding="utf-8")
    from kpa_core import __version__

    assert out.returncode == 0 and out.stdout.strip() == f"kpa {__version__}"
