"""An office's first steps (issue #19): a whole sample, Jupyter in the workspace, empty and
missing things refused alike, and argparse speaking both languages. In-process and fast; the
same from the installed wheel is tests/test_readme.py."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.cli.commands.lab import workspace_options
from kpa_core.errors import Problem
from kpa_core.store.notebooks import STAMP, workspace_notebook

REPO = Path(__file__).resolve().parents[1]


def test_init_sample_is_whole_and_verifies(tmp_path: Path) -> None:
    done = run_kpa("init", "ws", "--sample", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ws = tmp_path / "ws"
    assert (ws / "data" / "2013" / "audit-log.jsonl").is_file()
    assert 'bands = "grade-bands.yaml"' in (ws / "kpa.toml").read_text(encoding="utf-8")
    assert (ws / "notebooks" / "assess.ipynb").read_bytes() == \
        (REPO / "notebooks" / "assess.ipynb").read_bytes()
    verify = run_kpa("verify", cwd=ws)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "✔ 2013" in verify.stdout and "✔ 2012" in verify.stdout
    grade = run_kpa("grade", "--year", "2013", cwd=ws)  # the bands named in kpa.toml
    assert grade.returncode == 0, grade.stderr


def test_init_without_sample_offers_the_example_bands(tmp_path: Path) -> None:
    assert run_kpa("init", "plain", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "plain" / "grade-bands.yaml").exists()
    assert '# bands = "grade-bands.yaml"' in (tmp_path / "plain" / "kpa.toml").read_text("utf-8")
    assert run_kpa("init", "banded", "--bands", "example", cwd=tmp_path).returncode == 0
    banded = tmp_path / "banded"
    assert (banded / "grade-bands.yaml").read_bytes() == \
        (REPO / "kpa_core" / "templates" / "grade-bands.example.yaml").read_bytes()
    assert '\nbands = "grade-bands.yaml"' in (banded / "kpa.toml").read_text("utf-8")
    assert "--workspace" not in run_kpa("init", "--help").stdout  # init makes one: no option


def test_notebook_copy_follows_kpa_until_edited(tmp_path: Path) -> None:
    shipped = tmp_path / "kpa"
    shipped.mkdir()
    (shipped / "assess.ipynb").write_text("v1", encoding="utf-8")
    ws = tmp_path / "ws"
    assert workspace_notebook(ws, "assess.ipynb", shipped).status == "created"
    copy = ws / "notebooks" / "assess.ipynb"
    assert copy.read_text("utf-8") == "v1"
    assert workspace_notebook(ws, "assess.ipynb", shipped).status == "same"
    (shipped / "assess.ipynb").write_text("v2", encoding="utf-8")  # a newer kpa
    assert workspace_notebook(ws, "assess.ipynb", shipped).status == "refreshed"
    assert copy.read_text("utf-8") == "v2"
    copy.write_text("mine", encoding="utf-8")  # the analyst edits it
    (shipped / "assess.ipynb").write_text("v3", encoding="utf-8")
    kept = workspace_notebook(ws, "assess.ipynb", shipped)
    assert kept.status == "edited" and copy.read_text("utf-8") == "mine"
    assert str(shipped / "assess.ipynb") in kept.note()
    assert json.loads((ws / "notebooks" / STAMP).read_text("utf-8")) == {
        "assess.ipynb": __import__("hashlib").sha256(b"v2").hexdigest()}
    assert (shipped / "assess.ipynb").read_text("utf-8") == "v3"  # kpa's own never touched
    # a checkout that is its own workspace: the copy is the source, nothing is written
    repo = workspace_notebook(REPO, "assess.ipynb", REPO / "notebooks")
    assert repo.status == "source" and not (REPO / "notebooks" / STAMP).exists()


def test_jupyter_root_is_the_workspace_and_checkpoints_leave_notebooks_alone(tmp_path: Path
                                                                          ) -> None:
    opts = workspace_options(tmp_path)
    assert opts == [f"--ServerApp.root_dir={tmp_path}",
                    f"--FileCheckpoints.checkpoint_dir={tmp_path / 'out' / '.ipynb_checkpoints'}"]
    assert (tmp_path / "out" / ".ipynb_checkpoints").is_dir()  # else Jupyter uses /tmp


def test_a_blank_workbook_makes_no_year_folder_and_an_empty_year_is_exit_2(tmp_path: Path
                                                                         ) -> None:
    run_kpa("init", "ws", "--sample", cwd=tmp_path)
    ws = tmp_path / "ws"
    template = run_kpa("template", "--year", "2014", cwd=ws)
    assert template.returncode == 0 and "下一步 / next" in template.stdout
    assert "kpa import out/kpa-2014.xlsx" in template.stdout
    imported = run_kpa("import", "out/kpa-2014.xlsx", "--who", "王分析", cwd=ws)
    assert imported.returncode == 0, imported.stderr
    assert "已导入 0 份记录" in imported.stdout and "下一步 / next" in imported.stdout
    assert not (ws / "data" / "2014").exists()
    (ws / "data" / "2014").mkdir()  # an empty year folder, however it got there
    for args in (("score", "--year", "2014"), ("report", "--year", "2014")):
        done = run_kpa(*args, cwd=ws)
        assert done.returncode == 2 and "no records to score" in done.stderr, args
    assert not (ws / "out" / "reports" / "2014" / "index.html").exists()
    from kpa_core.store.paths import empty_years_note, years_with_records

    assert years_with_records(ws / "data") == ([2012, 2013], [2014])
    assert "2014" in empty_years_note(ws / "data")


@pytest.mark.parametrize("args", [("score", "--year", "2013"), ("verify",),
                                  ("reproduce", "params"), ("template", "--year", "2013"),
                                  ("grade", "--year", "2013")])
def test_a_data_folder_that_does_not_exist_is_exit_2(tmp_path: Path, args) -> None:
    shutil.copytree(REPO / "params", tmp_path / "params")
    (tmp_path / "kpa.toml").write_text("", encoding="utf-8")
    done = run_kpa(*args, "--data", str(tmp_path / "archive"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "数据文件夹不存在" in done.stderr and "reproduced" not in done.stdout


def test_a_problem_about_no_unit_has_no_question_mark() -> None:
    assert str(Problem("端口已被占用", "the port is already in use", field="--port",
                       value=8866)) == "--port = 8866：端口已被占用 / the port is already in use"
    assert str(Problem("没有可评分的记录", "no records to score")) == \
        "没有可评分的记录 / no records to score"
    assert str(Problem("x", "y", unit="arts", field="year", value=1)) == "[arts].year = 1：x / y"
    done = run_kpa("score", "--year", "2013", cwd=Path("/"))
    assert "[?]" not in done.stderr and done.returncode == 2


def test_argparse_speaks_both_languages(tmp_path: Path) -> None:
    bare = run_kpa()
    assert bare.returncode == 2
    assert "用法 usage: kpa" in bare.stderr
    assert "缺少必需的参数 / the following arguments are required: COMMAND" in bare.stderr
    typo = run_kpa("scor")
    assert typo.returncode == 2 and "无效的选择 / invalid choice: 'scor'" in typo.stderr
    helped = run_kpa("score", "--help")
    assert "选项 / options:" in helped.stdout
    assert "显示本帮助并退出 / show this help message and exit" in helped.stdout
    assert "位置参数 / positional arguments:" in helped.stdout
    diff = run_kpa("rubric", "diff", "--help")
    assert diff.stdout.startswith("用法 usage: kpa rubric diff [-h] A B")
    assert run_kpa("rubric", "--help").stdout.startswith("用法 usage: kpa rubric [-h]")
    for face, port in (("app", "8866"), ("lab", "8888")):
        assert f"默认：{port}" in " ".join(run_kpa(face, "--help").stdout.split())
    # the translation lives only inside a kpa run: another program's argparse keeps English
    assert argparse._("usage: ") == "usage: "  # noqa: SLF001
    assert "usage: " in argparse.ArgumentParser(prog="x").format_usage()


def test_pdf_without_playwright_names_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpa_core.report import pdf

    monkeypatch.setattr(pdf, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    with pytest.raises(pdf.PlaywrightMissing) as exc:
        pdf.check_chromium()
    assert 'pip install "playwright>=1.45"' in exc.value.render()
    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    with pytest.raises(pdf.ChromiumMissing):
        pdf.check_chromium()


def test_import_says_which_units_it_left_out_and_how_to_keep_a_unit_without_deduction(
        tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from test_excel import SHEET_ENTRIES, fill

    run_kpa("init", "ws", "--sample", cwd=tmp_path)
    ws = tmp_path / "ws"
    run_kpa("template", "--year", "2014", cwd=ws)
    wb = load_workbook(ws / "out" / "kpa-2014.xlsx")
    fill(wb[SHEET_ENTRIES], "arts", "B03.activity", 0)  # 无扣分: one row with 0 keeps the unit
    wb.save(ws / "out" / "kpa-2014.xlsx")
    done = run_kpa("import", "out/kpa-2014.xlsx", "--who", "王分析", cwd=ws)
    assert done.returncode == 0, done.stderr
    assert (ws / "data" / "2014" / "arts.yaml").is_file()
    note = next(line for line in done.stdout.splitlines() if line.startswith("注意 / note"))
    assert "29 个单位没有记录" in note and "petroleum" in note and "arts" not in note
    assert "enter 0 or false on any one of its rows" in note
    assert done.stdout.rstrip().endswith("下一步 / next: kpa score --year 2014")
