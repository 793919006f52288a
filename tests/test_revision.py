"""Rubric revisions: ``kpa rubric diff`` and ``kpa rescore`` with the shipped example revision
(which changes B07.studies 2 → 1.5 per study short, adds B18.website, removes B14.method)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_run import run_kpa

from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import RUBRIC_DIR, load_rubric
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.revision import diff_rubrics, load_rubric_file, rescore
from kpa_core.year.data import load_year

REPO = Path(__file__).parents[1]
EXAMPLE = RUBRIC_DIR / "examples" / "example-revision.yaml"
OLD = load_rubric("kvtc-2013-draft")


def test_the_example_is_labelled_as_not_the_colleges() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "NOT the College's" in text and "非学院" in text
    new = load_rubric_file(EXAMPLE)
    assert new.id == "example-revision-not-kvtc" and "示例修订稿" in new.title["zh"]
    assert "example-revision" not in " ".join(p.stem for p in RUBRIC_DIR.glob("*.yaml"))


def test_diff_names_the_added_removed_and_changed_rules() -> None:
    diff = diff_rubrics(OLD, load_rubric_file(EXAMPLE))
    rows = {(r.change, r.id, r.field): (r.old, r.new) for r in diff.itertuples()}
    assert rows[("changed", "B07.studies", "amount")] == (2, 1.5)
    assert rows[("changed", "B07.studies", "zh")] == ("专题学习每少1次，扣2 分",
                                                      "专题学习每少1次，扣1.5分（示例修订）")
    assert rows[("removed", "B14.method", "rule")] == ("未建立监督办法扣1分", None)
    assert rows[("added", "B18.website", "rule")][1].startswith("flag amount=1 未在学院网站")
    assert len(diff) == 5  # amount, en, zh of B07.studies; one rule removed; one added
    assert diff_rubrics(OLD, OLD).empty


def test_rescore_by_hand() -> None:
    new = load_rubric_file(EXAMPLE)
    rec = parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": "单位", "unit_id": "u",
                        "entries": {"B07.studies": {"actual": 2, "reason": "r"},
                                    "B14.method": {"applies": True, "reason": "无办法"}}})
    result = rescore([rec], new)
    row = result.table.iloc[0]
    # old: 4 short × 2 = −8, B14.method −1 → 91; new: 4 × 1.5 = −6, B14.method dropped → 94
    assert (row["old_total"], row["new_total"], row["change"]) == (91, 94, 3)
    assert result.dropped[["unit_id", "rule", "amount", "reason"]].values.tolist() == [
        ["u", "B14.method", -1.0, "无办法"]]


def test_rescore_the_sample_year() -> None:
    year = load_year(REPO / "data", 2013)
    result = rescore(year.records, load_rubric_file(EXAMPLE))
    t = result.table.set_index("unit_id")
    # party-office: B07.studies 3 held: −6 → −4.5; B14.method −1 dropped: 74.5 → 77, 23rd → 21st
    assert (t.at["party-office", "old_total"], t.at["party-office", "new_total"]) == (74.5, 77)
    assert (t.at["party-office", "old_rank"], t.at["party-office", "new_rank"]) == (23, 21)
    assert t.at["party-office", "rank_change"] == 2
    assert t.at["logistics", "change"] == 0  # neither rule concerns it
    assert sorted(result.dropped["unit_id"]) == ["chemical", "foundation", "new-energy",
                                                 "party-office", "student-affairs"]
    assert set(result.dropped["rule"]) == {"B14.method"}


def test_entries_invalid_under_the_revision_are_all_named(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["id"] = "narrower"
    for item in data["items"]:
        for rule in item["rules"]:
            if rule["id"] == "B10.missing":
                rule["hi"] = 2  # 3.0 entered for logistics is now out of range
    path = tmp_path / "narrower.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    year = load_year(REPO / "data", 2013)
    with pytest.raises(KpaInputError) as exc:
        rescore(year.records, load_rubric_file(path))
    text = exc.value.render()
    assert "后勤管理处" in text and "B10.missing" in text and "1–2" in text


def test_a_broken_revision_is_reported_whole(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["id"] = "kvtc-2013-draft"  # a shipped id with other content
    path = tmp_path / "same-id.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KpaInputError, match="修订稿须使用新的编号"):
        load_rubric_file(path)
    del data["items"][0]["rules"][0]["kind"]
    del data["bonus_cap"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_rubric_file(path)
    assert "bonus_cap" in exc.value.render() and "B01.docs" in exc.value.render()
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["items"][0]["points"] = "five"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KpaInputError, match="B01.points = 'five'：须为数字"):
        load_rubric_file(path)


def _revised(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "revision.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _rule(data: dict, rule_id: str) -> dict:
    return next(r for it in data["items"] for r in it["rules"] if r["id"] == rule_id)


def test_bad_numbers_are_all_refused_by_rule_and_field(tmp_path: Path) -> None:
    def change(data: dict) -> None:
        assert _rule(data, "B01.docs")["amount"] == 2
        _rule(data, "B01.docs")["amount"] = -2  # a deduction that would add 2 points
        _rule(data, "B07.studies")["amount"] = 0
        _rule(data, "B03.activity").update(lo=5, hi=2)
        data["items"][1]["points"] = -5
        data["areas"][0]["points"] = float("inf")
    with pytest.raises(KpaInputError) as exc:
        load_rubric_file(_revised(tmp_path, change))
    got = {(p.rule_id, p.field): (p.value, p.problem_en, p.allowed_en)
           for p in exc.value.problems}
    assert got == {
        ("B01.docs", "amount"): (-2, "must not be negative", "a finite number above 0"),
        ("B07.studies", "amount"): (0, "must not be 0", "a finite number above 0"),
        ("B03.activity", "lo"): (5, "lo is above hi", "at most hi (2)"),
        ("B02", "points"): (-5, "must not be negative", "a finite number of at least 0"),
        ("A1", "points"): (float("inf"), "a number must be finite (not .nan or .inf)",
                           "a finite number of at least 0"),
    }
    assert "B01.docs.amount = -2：不能为负数（允许：大于 0 的有限数字）" in exc.value.render()


def test_huge_points_give_bilingual_problems_not_a_nested_error(tmp_path: Path,
                                                                 capsys) -> None:
    path = _revised(tmp_path, lambda d: d["items"][0].update(points=1e300))
    assert main(["rubric", "diff", "kvtc-2013-draft", str(path)]) == 2
    err = capsys.readouterr().err
    assert "KpaInputError" not in err and "malformed" not in err
    assert "分值合计不符" in err and "points do not add up" in err and "A1" in err


def test_cli(capsys: pytest.CaptureFixture) -> None:
    assert main(["rubric", "diff", "kvtc-2013-draft", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "B18.website" in out and "删除 removed" in out and "1.5" in out
    assert main(["rescore", "--year", "2013", "--data", str(REPO / "data"),
                 "--rubric", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "5 entries dropped" in out and "party-office" in out and "74.5" in out
    assert main(["rescore", "--year", "2013", "--data", str(REPO / "data"),
                 "--rubric", "/nonexistent.yaml"]) == 2
    assert "找不到考核细则文件" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["examples/example-revision", "example-revision",
                                  "example-revision-not-kvtc", "examples/example-revision.yaml"])
def test_the_shipped_example_is_found_by_name_from_any_folder(name, tmp_path, monkeypatch,
                                                               capsys) -> None:
    """The README's commands, run outside the repository (as after ``pip install``)."""
    monkeypatch.chdir(tmp_path)
    assert main(["rubric", "diff", "kvtc-2013-draft", name]) == 0
    out = capsys.readouterr().out
    assert "B18.website" in out and "删除 removed" in out and "1.5" in out
    assert main(["rescore", "--year", "2013", "--data", str(REPO / "data"), "--rubric", name]) == 0
    assert "5 entries dropped" in capsys.readouterr().out


def test_the_readme_names_the_example_by_name_not_by_repository_path() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "kpa rubric diff kvtc-2013-draft examples/example-revision\n" in readme
    assert "kpa rescore --year 2013 --rubric examples/example-revision\n" in readme
    assert "--rubric kpa_core/rubrics" not in readme


def test_an_unknown_rubric_name_lists_the_shipped_ones(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["rubric", "diff", "kvtc-2013-draft", "example-revisoin"]) == 2
    err = capsys.readouterr().err
    assert "rubric file or id not found" in err and "examples/example-revision" in err


def test_diff_names_areas_added_removed_and_changed_and_the_totals() -> None:
    """A revision that merges A3's sub-areas into one (A3.sup and A3.pun gone, A3.watch new at
    35 = 15 + 20), renames A2 and lowers the bonus cap 10 → 5: every one of those is a row."""
    from dataclasses import replace

    areas = {k: v for k, v in OLD.areas.items() if k not in ("A3.sup", "A3.pun")}
    areas["A2"] = replace(OLD.areas["A2"], zh="二、遵守纪律情况")
    areas["A3.watch"] = replace(OLD.areas["A3.sup"], id="A3.watch", points=35.0, zh="监督惩处指标")
    new = replace(OLD, areas=areas, bonus_cap=5.0)
    rows = {(r.change, r.id, r.field): (r.old, r.new) for r in diff_rubrics(OLD, new).itertuples()}
    assert rows == {
        ("changed", "kvtc-2013-draft", "bonus_cap"): (10.0, 5.0),
        ("changed", "A2", "zh"): ("二、部门负责人遵守党纪政纪和廉洁从政（业）规定情况",
                                  "二、遵守纪律情况"),
        ("removed", "A3.sup", "area"): ("监督指标", None),
        ("removed", "A3.pun", "area"): ("惩处指标", None),
        ("added", "A3.watch", "area"): (None, "35 监督惩处指标"),
    }


def test_rescore_and_sensitivity_take_kpa_toml_cap_scope_as_the_default(tmp_path) -> None:
    """As ``kpa score`` does: logistics is 59 under the default sub-area caps and 57.5 when
    A3 is floored as a whole (worked out in test_workspace), so kpa.toml's ``cap_scope = "area"``
    must reach ``kpa rescore`` (the example revision leaves logistics unchanged)."""
    assert run_kpa("init", "ws", "--sample", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    toml = ws / "kpa.toml"
    toml.write_text(toml.read_text("utf-8").replace('# cap_scope = "subarea"',
                                                    'cap_scope = "area"'), "utf-8")
    out = run_kpa("rescore", "--year", "2013", "--rubric", "examples/example-revision", "--csv",
                  cwd=ws)
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if line.startswith("logistics,"))
    assert row.split(",")[2:4] == ["57.5", "57.5"]
    out = run_kpa("sensitivity", "--year", "2013", "--csv", "--singles", cwd=ws)
    assert out.returncode == 0, out.stderr
    # the baseline is already "area": reading cap_scope=area changes no unit
    row = next(line for line in out.stdout.splitlines() if line.startswith("cap_scope=area,"))
    assert row.split(",")[3] == "0"
