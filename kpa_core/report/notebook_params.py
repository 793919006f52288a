"""The report notebook's parameters, checked on entry.

The report notebook is run by papermill (the batch) and by hand in Jupyter. Either way a wrong
parameter must end in one clear bilingual message that names the value and what is allowed —
never a Python traceback that an analyst cannot read. ``ReportParamError`` therefore carries an
IPython ``_render_traceback_`` hook: in a notebook the error shows as the message alone.

The batch calls ``check_report_params`` too, before starting a kernel, so a typo on the command
line fails in milliseconds instead of once per unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import available_rubrics, unknown_rubric
from kpa_core.scoring.score import CAP_SCOPES, is_cap_scope_argument
from kpa_core.store.layout import is_year_folder
from kpa_core.store.paths import default_data_dir
from kpa_core.year.data import available_years, load_units_cached

PARAM_NAMES = ("year", "unit", "data_dir", "rubric", "cap_scope", "lang", "office", "timezone",
               "bands", "notice_number")
# zh: Chinese only (the form an office files); zh-en: Chinese with English beside (screen).
# None: bilingual on screen, Chinese only when printed.
LANGS = ("zh", "zh-en")


class ReportParamError(KpaInputError):
    """Bad report parameters; renders without a traceback inside IPython."""

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of printing a traceback
        return self.render().splitlines()


@dataclass(frozen=True)
class ReportParams:
    """Checked parameters of one report: absolute data folder, known year and unit."""

    year: int
    unit: str
    data_dir: str
    rubric: str | None = None
    cap_scope: str | None = None
    lang: str | None = None
    office: str | None = None  # the notice's issuing office (workspace setting)
    timezone: str | None = None  # dates a person reads (default Asia/Shanghai)
    bands: str | None = None  # optional grade bands file: the notice shows the grade
    notice_number: str | None = None  # the notice's 文号, given by the batch (kept in params)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """The data folder: as given, else the workspace's data/ (found from any folder in it)."""
    if data_dir not in (None, ""):
        return Path(data_dir).expanduser().resolve()
    return default_data_dir()


def check_report_params(**given: Any) -> ReportParams:
    """Validate the parameters by name; every problem is reported at once.

    Unknown names are rejected too (a misspelt ``cap_scop`` would otherwise be silently
    ignored and the report would use the default).
    """
    problems: list[Problem] = []
    for name in sorted(set(given) - set(PARAM_NAMES)):
        problems.append(Problem("未知的报告参数", "unknown report parameter", field=name,
                                value=given[name], allowed_zh="、".join(PARAM_NAMES),
                                allowed_en=", ".join(PARAM_NAMES)))
    data_dir = resolve_data_dir(given.get("data_dir"))
    units: dict[str, Any] = {}
    years: list[int] = []
    if not (data_dir / "units.csv").is_file():
        problems.append(Problem("数据文件夹不存在或缺少 units.csv",
                                "data folder missing or without units.csv", field="data_dir",
                                value=str(data_dir), allowed_zh="含 units.csv 的文件夹",
                                allowed_en="a folder holding units.csv"))
    else:
        try:
            units = load_units_cached(data_dir)  # once per kernel, not per unit
        except KpaInputError as exc:
            problems += exc.problems
        years = available_years(data_dir)

    year = given.get("year")
    if isinstance(year, str) and is_year_folder(year.strip()):  # 4 ASCII digits, not "²"
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or (years and year not in years):
        problems.append(Problem("没有该年度的数据", "no data for that year", field="year",
                                value=given.get("year"),
                                allowed_zh="、".join(map(str, years)) or "（无 / none）",
                                allowed_en=", ".join(map(str, years)) or "(none)"))
    unit = given.get("unit")
    if units and unit not in units:
        problems.append(Problem("单位不在单位表中", "unit not in units.csv", field="unit",
                                value=unit, allowed_zh="、".join(units),
                                allowed_en=", ".join(units)))
    rubric = given.get("rubric")
    if rubric not in (None, "") and rubric not in available_rubrics():
        problems.append(unknown_rubric(rubric))
    cap_scope = given.get("cap_scope")
    if cap_scope not in (None, "") and not is_cap_scope_argument(cap_scope):
        problems.append(Problem("选项取值不合法", "option value not allowed", field="cap_scope",
                                value=cap_scope, allowed_zh="|".join(CAP_SCOPES),
                                allowed_en="|".join(CAP_SCOPES)))
    problems += document_problems(given)
    if problems:
        raise ReportParamError(p.located(unit=str(unit)) for p in problems)
    bands = given.get("bands")
    return ReportParams(year=year, unit=unit, data_dir=str(data_dir), rubric=rubric or None,
                        cap_scope=cap_scope or None, lang=given.get("lang") or None,
                        office=given.get("office") or None,
                        timezone=given.get("timezone") or None,
                        bands=str(Path(bands).expanduser().resolve()) if bands else None,
                        notice_number=str(given["notice_number"]) if given.get(
                            "notice_number") else None)


def document_problems(given: dict[str, Any]) -> list[Problem]:
    """The printed documents' parameters: language, office name, time zone, grade bands."""
    from kpa_core.text.dates import zone

    problems: list[Problem] = []
    lang = given.get("lang")
    if lang not in (None, "") and lang not in LANGS:
        problems.append(Problem("语言取值不合法", "language not allowed", field="lang",
                                value=lang, allowed_zh="zh（仅中文）| zh-en（中英对照）",
                                allowed_en="zh (Chinese only) | zh-en (bilingual)"))
    office = given.get("office")
    if office not in (None, "") and not isinstance(office, str):
        problems.append(Problem("办公室名称须为文字", "office must be text", field="office",
                                value=office, allowed_zh="文字", allowed_en="text"))
    try:
        zone(given.get("timezone") or None)
    except KpaInputError as exc:
        problems += exc.problems
    bands = given.get("bands")
    if bands not in (None, "") and not Path(str(bands)).expanduser().is_file():
        problems.append(Problem("等次划分文件不存在", "grade bands file not found", field="bands",
                                value=bands, allowed_zh="等次划分 YAML 文件的路径",
                                allowed_en="the path of a grade bands YAML file"))
    return problems
