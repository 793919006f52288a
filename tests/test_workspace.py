"""Workspaces: found like git finds a repository; outputs stay inside; answers the same anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_run import run_kpa

from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import make_params, write_params
from kpa_core.scoring.record import load_record
from kpa_core.scoring.score import score_record
from kpa_core.store.workspace import (
    CONFIG_NAME,
    ENV_LEGACY,
    ENV_WORKSPACE,
    WorkspaceNotFound,
    find_workspace,
    load_workspace,
)

REPO = Path(__file__).resolve().parents[1]


def kpa(*args: str, cwd: Path):
    """``kpa ARGS`` in-process (tests/cli_run.py) with no workspace variable set, so only the
    folder it runs in and kpa.toml can name a workspace. The wheel test runs the same commands
    as real processes from a subfolder and from outside."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv(ENV_WORKSPACE, raising=False)
        env.delenv(ENV_LEGACY, raising=False)
        return run_kpa(*args, cwd=cwd)


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(ENV_WORKSPACE, raising=False)
    monkeypatch.delenv(ENV_LEGACY, raising=False)


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory) -> Path:
    """``kpa init ws --sample`` in a folder outside the repository."""
    base = tmp_path_factory.mktemp("wsbase")
    made = kpa("init", "ws", "--sample", cwd=base)
    assert made.returncode == 0, made.stderr
    return base / "ws"


def test_found_by_flag_then_env_then_nearest_kpa_toml(tmp_path, no_env, monkeypatch):
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "a" / "b"
    inner.mkdir(parents=True)
    (outer / CONFIG_NAME).write_text('office = "某纪委"\ncap_scope = "area"\nout = "o"\n',
                                     encoding="utf-8")
    ws = find_workspace(start=inner)
    assert ws.root == outer.resolve() and ws.office_name == "某纪委"
    assert ws.timezone == "Asia/Shanghai" and ws.cap_scope == "area"  # default time zone
    assert ws.out_dir == outer.resolve() / "o" and ws.bands is None
    assert (ws.data_dir, ws.params_dir) == (outer.resolve() / "data", outer.resolve() / "params")
    assert ws.relative(inner / "x.yaml") == "a/b/x.yaml"
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv(ENV_WORKSPACE, str(other))
    assert find_workspace(start=inner).root == other.resolve()  # $KPA_WORKSPACE before kpa.toml
    assert find_workspace(outer, start=inner).root == outer.resolve()  # --workspace first
    monkeypatch.delenv(ENV_WORKSPACE)
    with pytest.raises(WorkspaceNotFound) as info:
        find_workspace(start=tmp_path)
    assert str(tmp_path) in str(info.value) and "kpa.toml" in str(info.value)
    assert "$KPA_WORKSPACE" in str(info.value) and "kpa init" in str(info.value)


def test_a_bad_kpa_toml_names_every_bad_setting(tmp_path):
    (tmp_path / CONFIG_NAME).write_text(
        'office = ""\ntimezone = "Mars/Olympus"\ncap_scope = "all"\nout = "../elsewhere"\n'
        'colour = "red"\n', encoding="utf-8")
    with pytest.raises(KpaInputError) as info:
        load_workspace(tmp_path)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["cap_scope", "colour", "office", "out", "timezone"]


def test_the_repository_is_a_workspace(no_env):
    ws = find_workspace(start=REPO / "kpa_core" / "commands")
    assert ws.root == REPO and ws.office_name == "纪委办公室"
    assert ws.bands == REPO / "kpa_core" / "templates" / "grade-bands.example.yaml"


def test_outside_any_workspace_a_command_exits_2_saying_where_it_looked(tmp_path):
    out = kpa("score", "--year", "2013", cwd=tmp_path)
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert "no workspace found" in out.stderr and str(tmp_path) in out.stderr
    assert "找不到工作区" in out.stderr and "kpa init" in out.stderr
    report = kpa("report", "--year", "2013", "--data", str(REPO / "data"), cwd=tmp_path)
    assert report.returncode == 2 and "no workspace found" in report.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written: no out/, params/


def test_init_empty_and_sample(tmp_path, sample_ws):
    made = kpa("init", "empty", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "empty" / "data" / "units.csv").read_text("utf-8") == (
        "unit_id,name_zh,name_en,kind\n")
    assert "units.csv" in made.stdout and "kpa template" in made.stdout  # what to do next
    empty = tmp_path / "empty"
    report = kpa("report", "--year", "2013", cwd=empty)  # no units yet: a clean exit 2
    assert report.returncode == 2 and "Traceback" not in report.stderr, report.stderr
    assert "units.csv 中没有单位" in report.stderr and "no units in units.csv" in report.stderr
    assert str((empty / "data" / "units.csv").resolve()) in report.stderr
    assert not (empty / "out").exists()
    again = kpa("init", "empty", cwd=tmp_path)
    assert again.returncode == 2 and "already a workspace" in again.stderr
    ws = load_workspace(sample_ws)
    assert ws.bands == sample_ws.resolve() / "grade-bands.yaml" and ws.bands.is_file()
    assert len(list((sample_ws / "data" / "2013").glob("*.yaml"))) == 30


def test_score_from_a_subfolder_is_the_workspace_ranking(sample_ws):
    sub = kpa("score", "--year", "2013", "--csv", cwd=sample_ws / "data" / "2013")
    here = kpa("score", "--year", "2013", "--csv", "--data", str(REPO / "data"), cwd=REPO)
    assert sub.returncode == 0, sub.stderr
    assert sub.stdout == here.stdout and sub.stdout.startswith("rank,unit_id,unit")
    grade = kpa("grade", "--year", "2013", cwd=sample_ws / "data")  # bands from kpa.toml
    assert grade.returncode == 0, grade.stderr
    assert "优秀" in grade.stdout


def _save_params(ws: Path, *units: str) -> None:
    for uid in units:
        path = ws / "data" / "2013" / f"{uid}.yaml"
        record = load_record(path, unit_id=uid)
        params = make_params(record, score_record(record), record_path=path,
                             data_dir=ws / "data")
        write_params(ws / "params" / "2013" / f"{uid}.yaml", params)


def test_reproduce_gives_the_same_answer_from_three_folders(tmp_path, no_env):
    base = tmp_path / "base"
    base.mkdir()
    assert kpa("init", "ws", "--sample", cwd=base).returncode == 0
    ws = base / "ws"
    _save_params(ws, "arts", "petroleum")
    text = yaml.safe_load((ws / "params" / "2013" / "arts.yaml").read_text("utf-8"))
    assert text["record"]["path"] == "data/2013/arts.yaml"  # workspace-relative, portable
    assert str(tmp_path) not in (ws / "params" / "2013" / "arts.yaml").read_text("utf-8")
    arts = ws / "data" / "2013" / "arts.yaml"
    arts.write_text(arts.read_text("utf-8").replace("entries:\n", "entries:\n  B01.docs: "
                                                    "{count: 1, reason: 迟交}\n", 1), "utf-8")
    answers = []
    for cwd, target in ((ws, "params/2013/"), (ws / "data", "../params/2013/"),
                        (base, "ws/params/2013/")):
        out = kpa("reproduce", target, cwd=cwd)
        answers.append((out.returncode, out.stdout))
    assert answers[0] == answers[1] == answers[2], answers
    code, text_out = answers[0]
    assert code == 1 and "NOT reproduced: 1 / 2" in text_out
    assert "B01.docs" in text_out and "data/2013/arts.yaml" in text_out
    assert str(tmp_path) not in text_out  # no absolute path of this machine in the answer


@pytest.mark.parametrize("bad", ["data/2013", "data/2013/petroleum.yaml", "data/2012/arts.yaml",
                                 "data/2013/self/arts.yaml"])
def test_a_record_path_that_is_not_the_units_file_makes_the_params_invalid(tmp_path, bad):
    base = tmp_path / "base"
    base.mkdir()
    assert kpa("init", "ws", "--sample", cwd=base).returncode == 0
    ws = base / "ws"
    _save_params(ws, "arts")
    params = ws / "params" / "2013" / "arts.yaml"
    params.write_text(params.read_text("utf-8").replace("path: data/2013/arts.yaml",
                                                        f"path: {bad}"), "utf-8")
    out = kpa("reproduce", str(params), cwd=tmp_path)
    assert out.returncode == 2 and "gone" not in out.stdout + out.stderr
    assert f"record.path = '{bad}'" in out.stderr
    assert "data/2013/arts.yaml" in out.stderr  # what is allowed


def test_the_workspace_knows_the_same_cap_scopes_as_scoring():
    from kpa_core.scoring import score as scoring
    from kpa_core.store import workspace

    assert workspace.CAP_SCOPES == scoring.CAP_SCOPES  # kept apart only for start-up time


def test_every_command_module_is_in_the_light_table():
    """A module missing from cli.COMMANDS still works but is imported by every `kpa` run."""
    import pkgutil

    from kpa_core.cli import commands
    from kpa_core.cli import program as cli

    modules = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    # the rest add subcommands to a command's module (kpa rectify sheet, export, import)
    subcommand_modules = {m for subs in cli.SUBCOMMAND_MODULES.values() for m in subs}
    assert modules == {module for module, _ in cli.COMMANDS.values()} | subcommand_modules
    assert cli._modules_outside_table() == []
    for sub in ("sheet", "export", "import"):  # each is reached through its command
        with pytest.raises(SystemExit) as exc:
            cli.main(["rectify", sub, "--help"])
        assert exc.value.code == 0


def test_kept_notebook_holds_no_absolute_path(tmp_path):
    """The executed .ipynb kept beside a report is shared for years: its injected parameters
    and papermill metadata name data/ and grade-bands.yaml relative to the workspace."""
    import nbformat

    made = kpa("init", "ws", "--sample", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    ws = (tmp_path / "ws").resolve()
    done = kpa("report", "--year", "2013", "--units", "union", cwd=ws / "data")
    assert done.returncode == 0, done.stderr
    kept = ws / "out" / "reports" / "2013" / "union.ipynb"
    text = kept.read_text(encoding="utf-8")
    assert str(ws) not in text and str(tmp_path) not in text
    nb = nbformat.reads(text, as_version=4)
    assert {k: nb.metadata.papermill.parameters[k] for k in ("data_dir", "bands")} == {
        "data_dir": "data", "bands": "grade-bands.yaml"}
    assert nb.metadata.papermill.input_path == "report.ipynb"  # the template's name, not a copy
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'data_dir = "data"' in injected[0].source
    assert 'bands = "grade-bands.yaml"' in injected[0].source
    assert 'unit = "union"' in injected[0].source
    assert "工会" in (kept.with_suffix(".html")).read_text(encoding="utf-8")  # the run itself


def test_init_where_data_or_params_is_a_file_names_the_path(tmp_path):
    for name in ("data", "params"):
        ws = tmp_path / f"with-{name}-file"
        ws.mkdir()
        (ws / name).write_text("x\n", encoding="utf-8")
        out = kpa("init", ws.name, cwd=tmp_path)
        assert out.returncode == 2, out.stderr
        assert "Traceback" not in out.stderr
        assert "不是文件夹" in out.stderr and "exists but is not a folder" in out.stderr
        assert str(Path(ws.name) / name) in out.stderr
        assert not (ws / "kpa.toml").exists()


def test_kpa_toml_cap_scope_is_a_default_a_record_and_the_command_line_win(tmp_path):
    """logistics worked by hand: A3 sub-areas floored each give 38, A3 floored whole 36.5, so
    59 under its own ``cap_scope: subarea`` and 57.5 only when --cap-scope area is typed."""
    assert kpa("init", "ws", "--sample", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    toml = ws / "kpa.toml"
    toml.write_text(toml.read_text("utf-8").replace('# cap_scope = "subarea"',
                                                    'cap_scope = "area"'), "utf-8")

    def totals(*extra: str) -> dict[str, str]:
        out = kpa("score", "--year", "2013", "--csv", *extra, cwd=ws)
        assert out.returncode == 0, out.stderr
        rows = [line.split(",") for line in out.stdout.splitlines()[1:]]
        return {row[1]: row[-1] for row in rows}

    assert totals()["logistics"] == "57.5"  # no cap_scope of its own: kpa.toml's applies
    record = ws / "data" / "2013" / "logistics.yaml"
    record.write_text(record.read_text("utf-8") + "options:\n  cap_scope: subarea\n", "utf-8")
    assert totals()["logistics"] == "59.0"  # its own cap_scope, not kpa.toml's
    assert totals("--cap-scope", "area")["logistics"] == "57.5"  # the command line wins
    grade = kpa("grade", "--year", "2013", cwd=ws)
    assert grade.returncode == 0, grade.stderr
    line = next(x for x in grade.stdout.splitlines() if x.startswith("logistics"))
    assert " 59 " in line
    report = kpa("report", "--year", "2013", "--units", "logistics", cwd=ws)
    assert report.returncode == 0, report.stderr
    saved = yaml.safe_load((ws / "params" / "2013" / "logistics.yaml").read_text("utf-8"))
    assert saved["options"] == {"cap_scope": "subarea"} and saved["scores"]["total"] == 59.0
