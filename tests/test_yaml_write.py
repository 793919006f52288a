"""Rewrites keep a human's layout: comments, number spelling; unchanged data changes no byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kpa_core.excel.importer import import_workbook
from kpa_core.excel.template import write_export
from kpa_core.reproduce.params import make_params, read_params, write_params
from kpa_core.scoring.record import load_record, save_record
from kpa_core.scoring.score import score_record
from kpa_core.store.yaml_write import same, updated_text

REPO = Path(__file__).resolve().parents[1]
RECORD = """\
# 复核记录 reviewed by 王分析 — keep this comment
rubric: kvtc-2013-draft
year: 2013
unit: 测试系
unit_id: testunit
entries:
  B03.activity: {points: 3.0, reason: 无总结材料}   # 3.0 as the office writes
  # the judicial cases were checked twice
  B16.judicial: {cases: [5.0, 4], reason: 司法查处}
"""


def test_export_then_import_of_an_unchanged_year_changes_no_byte(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    (data / "2013" / "arts.yaml").write_text(
        (data / "2013" / "arts.yaml").read_text("utf-8") + "# 备注 a note at the end\n", "utf-8")
    before = {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}
    book = write_export(data, 2013, tmp_path / "kpa-2013-export.xlsx")
    result = import_workbook(book, data)
    assert len(result.written) == 30
    after = {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}
    assert after == before  # 30 records "replaced" by themselves: not one byte differs


def test_a_changed_entry_keeps_comments_and_spelling_of_the_rest(tmp_path):
    path = tmp_path / "testunit.yaml"
    path.write_text(RECORD, encoding="utf-8")
    record = load_record(path)
    record.entries["B16.judicial"] = {"cases": [5.0, 4], "reason": "司法查处（已复核）"}
    record.entries = {"B01.docs": {"count": 1, "reason": "迟交"}, **record.entries}
    save_record(record, path)
    text = path.read_text("utf-8")
    assert text.startswith("# 复核记录 reviewed by 王分析 — keep this comment\n")
    assert "B03.activity: {points: 3.0, reason: 无总结材料}   # 3.0 as the office writes" in text
    assert "# the judicial cases were checked twice" in text
    assert "cases: [5.0, 4], reason: 司法查处（已复核）" in text
    assert "B01.docs: {count: 1, reason: 迟交}" in text
    assert load_record(path).entries == record.entries  # and it reads back as saved
    # the new entry is placed in the order given: before B03, as in the rubric
    assert text.index("B01.docs") < text.index("B03.activity")


def test_params_rewrite_keeps_a_comment(tmp_path):
    source = tmp_path / "r.yaml"
    source.write_text(RECORD, encoding="utf-8")
    record = load_record(source)
    path = tmp_path / "params.yaml"
    write_params(path, make_params(record, score_record(record)))
    path.write_text("# 2013 年度归档 archived\n" + path.read_text("utf-8"), encoding="utf-8")
    record.entries["B03.activity"] = {"points": 2.0, "reason": "无总结材料"}
    write_params(path, make_params(record, score_record(record)))
    assert path.read_text("utf-8").startswith("# 2013 年度归档 archived\n")
    assert read_params(path)["scores"]["total"] == score_record(record).total


def test_same_is_data_equality_not_layout():
    assert same({"a": 5.0, "b": [1, 2]}, {"b": [1.0, 2], "a": 5})
    assert not same(True, 1) and not same("5", 5) and not same([1], [1, 1])
    text = "b: 1\na: 2.0  # c\n"
    assert updated_text(text, {"a": 2, "b": 1}) == text
    assert yaml.safe_load(updated_text(text, {"a": 3, "b": 1})) == {"b": 1, "a": 3}
    assert "# c" in updated_text(text, {"a": 3, "b": 1})


def test_libyaml_and_pure_python_emitters_write_the_same_text():
    """dump_text uses libyaml's emitter for speed (#26); kept files must not change by it."""
    from kpa_core.store.yaml_io import parse_yaml
    from kpa_core.store.yaml_write import LIBYAML, WIDTH, dump_text

    if not LIBYAML:
        pytest.skip("PyYAML built without libyaml")
    tricky = {"long_zh": "中文理由" * 80, "long_en": "word " * 60, "lines": "一\n二\n",
              "looks_numeric": "5.0", "looks_bool": "yes", "quotes": "it's \"q\"",
              "colon": "a: b", "hash": "a # b", "lead": " 空格", "flow": [1, 2.5, "甲"],
              "nested": {"a": {"b": [1, {"c": None}]}}, "flag": True}
    files = sorted((REPO / "params" / "2013").glob("*.yaml")) + sorted(
        (REPO / "data" / "2013").glob("*.yaml"))
    assert len(files) >= 60
    for data in [tricky, *(parse_yaml(f.read_text(encoding="utf-8")) for f in files)]:
        pure = yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=None, width=WIDTH)
        assert dump_text(data) == pure
