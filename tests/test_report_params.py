"""Report parameters and the report's numbers, without a kernel (fast)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpa_core.report import charts
from kpa_core.report.context import build_context, open_report
from kpa_core.report.notebook_params import ReportParamError, check_report_params

DATA = Path(__file__).resolve().parent.parent / "data"
GLYPH_DEF = re.compile(r'<path id="[A-Za-z]+[^"]*-[0-9a-f]+"')


def problems_of(**given):
    with pytest.raises(ReportParamError) as info:
        check_report_params(**given)
    return info.value


def test_valid_parameters_resolve_the_data_folder():
    p = check_report_params(year=2013, unit="petroleum", data_dir=str(DATA), cap_scope="area")
    assert (p.year, p.unit, p.cap_scope, p.rubric) == (2013, "petroleum", "area", None)
    assert Path(p.data_dir).is_absolute() and Path(p.data_dir) == DATA


def test_unknown_unit_names_the_value_and_the_allowed_ids():
    err = problems_of(year=2013, unit="petrolium", data_dir=str(DATA))
    text = err.render()
    assert "petrolium" in text and "单位不在单位表中" in text and "unit not in units.csv" in text
    assert "petroleum" in text and "new-energy" in text  # allowed ids listed


def test_unknown_year_and_option_all_at_once():
    err = problems_of(year=1999, unit="petroleum", data_dir=str(DATA), cap_scope="whole",
                      cap_scop="area")
    fields = sorted(p.field for p in err.problems)
    assert fields == ["cap_scop", "cap_scope", "year"]
    text = err.render()
    assert "2012、2013" in text and "2012, 2013" in text  # the years there are
    assert "subarea|area" in text
    assert "year、unit、data_dir、rubric、cap_scope" in text  # the parameter names there are


def test_missing_data_folder(tmp_path):
    err = problems_of(year=2013, unit="petroleum", data_dir=str(tmp_path / "nowhere"))
    assert err.problems[0].field == "data_dir" and "units.csv" in err.problems[0].allowed_en


def test_error_renders_without_a_traceback_in_ipython():
    err = problems_of(year=2013, unit="nope", data_dir=str(DATA))
    lines = err._render_traceback_()
    assert lines[0].startswith("发现 1 个输入问题 / 1 input problem(s) found")
    assert not any("Traceback" in line or 'File "' in line for line in lines)


def test_broken_record_becomes_a_parameter_error(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "2013" / "union.yaml").write_text("rubric: kvtc-2013-draft\nyear: 2013\n",
                                              encoding="utf-8")
    with pytest.raises(ReportParamError) as info:
        open_report(year=2013, unit="union", data_dir=str(data))
    assert any(p.field == "unit" for p in info.value.problems)  # "unit" is required


def test_context_numbers():
    ctx = build_context(check_report_params(year=2013, unit="assets", data_dir=str(DATA)))
    assert ctx.card.area_scores["A2"] == 0.0 and ctx.card.capped == {"A2": 4.0}
    assert (ctx.card.basic, ctx.card.bonus, ctx.card.total) == (80.0, 5.0, 85.0)
    assert ctx.rank == 16 and ctx.n_units == 30
    assert ctx.median() == 85.25  # 15th and 16th best of 30: (85.5 + 85) / 2
    assert [h.year for h in ctx.history] == [2012, 2013]
    bd = ctx.unit_breakdown()
    assert list(bd["rule"])[:3] == ["B02.system", "B02.responsibility", "B05.integrity"]
    assert float(bd.loc[bd["rule"] == "B05.integrity", "amount"].iloc[0]) == -6.0  # 2 × 3


def test_cap_scope_area_changes_the_numbers():
    sub = build_context(check_report_params(year=2013, unit="logistics", data_dir=str(DATA)))
    whole = build_context(check_report_params(year=2013, unit="logistics", data_dir=str(DATA),
                                              cap_scope="area"))
    # A3.pun deductions 21.5 of 20: floored at the sub-area (cut 1.5), not under A3 as a whole
    assert sub.card.capped == {"A3.pun": 1.5} and whole.card.capped == {}
    assert whole.card.area_scores["A3"] == sub.card.area_scores["A3"] - 1.5


def test_chart_svg_keeps_chinese_as_text_with_a_cjk_font_stack():
    svg = charts.attainment_chart(["教育指标 A3.edu", "特色指标 S"], [80.0, 40.0], [90.0, 20.0],
                                  "石油工程系", 2013)
    assert svg.startswith("<svg") and "<?xml" not in svg and "<metadata>" not in svg
    # a label's English rides in a <tspan class="en"> (hidden on paper and under --lang zh)
    texts = [re.sub(r"<[^>]+>", "", x) for x in re.findall(r"<text\b[^>]*>(.*?)</text>", svg)]
    assert "教育指标 A3.edu" in texts and "石油工程系 / unit" in texts
    families = set(re.findall(r"font-family: ([^;\"]*)", svg))
    assert families == {charts.CSS_FONT_STACK}
    assert charts.CSS_FONT_STACK.startswith("'Noto Sans CJK SC', 'Microsoft YaHei', "
                                            "'PingFang SC', 'SimHei'")
    # no glyph outlines (what svg.fonttype='path' would embed, and what the regex does catch)
    assert not GLYPH_DEF.search(svg)
    import io

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "path"}):
        fig, buf = Figure(), io.StringIO()
        fig.add_subplot().set_title("A3")
        fig.savefig(buf, format="svg")
    assert GLYPH_DEF.search(buf.getvalue())


def test_no_font_file_is_shipped():
    package = Path(charts.__file__).parent
    fonts = [p for ext in ("ttf", "otf", "ttc", "woff", "woff2") for p in package.rglob(f"*.{ext}")]
    assert fonts == []


def test_year_cache_sees_every_edit(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    first = open_report(year=2013, unit="union", data_dir=str(data))
    assert first.card.total == 99.0
    again = open_report(year=2013, unit="union", data_dir=str(data))
    assert again.year_scores.table is not None and again.card.total == 99.0
    # union held 3 of 4 news articles (−1); with 4 the deduction goes: 100 in all
    path = data / "2013" / "union.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("actual: 3", "actual: 4", 1),
                    encoding="utf-8")
    edited = open_report(year=2013, unit="union", data_dir=str(data))
    assert edited.card.total == 100.0
    assert float(edited.table.loc["union", "total"]) == 100.0  # the year table too


def test_the_notebook_declares_every_parameter_the_batch_passes():
    """papermill warns "Passed unknown parameter" once per unit for a name the parameters cell
    lacks (notice_number did, 30 lines of noise on the main job's console)."""
    import papermill as pm

    from kpa_core.report.notebook_params import PARAM_NAMES

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "report.ipynb"
    declared = set(pm.inspect_notebook(str(notebook)))
    assert set(PARAM_NAMES) | {"snapshot"} <= declared, set(PARAM_NAMES) - declared
