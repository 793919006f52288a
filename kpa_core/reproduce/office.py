"""A report's params against the office's own grade bands (``kpa.toml`` ``bands``).

Why: a params file carries its own bands with their sha256, so a forger could write lenient
bands, recompute the sha256 and grade logistics 优秀 where the office's bands say 不合格 — and
``kpa reproduce`` would agree with itself. Reproducing a *report* therefore also checks its
bands against the workspace's bands file. Scenario params are what-ifs and may use any bands.
The cap scope is not checked here: ``kpa report --cap-scope`` is a documented override, and a
cap scope forged into the params shows as changed options of the embedded record (always
compared with the data file, ``replay``) or as changed scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import Rubric


def office_problems(params: dict[str, Any], rubric: Rubric,
                    bands_path: Path | None) -> list[str]:
    """What differs between a report's params and the workspace's settings, in words."""
    if params.get("kind") != "report":
        return []
    found: list[str] = []
    grades = params.get("grades")
    if grades and bands_path is not None:
        found += _band_problems(grades, rubric, bands_path)
    return found


def _band_problems(grades: dict[str, Any], rubric: Rubric, bands_path: Path) -> list[str]:
    from kpa_core.scoring.grading import load_bands

    if not bands_path.is_file():
        return [f"参数含等级划分，但本工作区的等级文件不存在 / the params hold grade bands but "
                f"the workspace's bands file is missing: {bands_path}"]
    try:
        office = load_bands(bands_path, rubric)
    except KpaInputError as exc:
        return [f"本工作区的等级文件无效 / the workspace's bands file is invalid: {p}"
                for p in exc.problems]
    if office.sha256 != grades.get("sha256"):
        return [f"等级划分与本办的等级文件不符 / the grade bands differ from the office's bands "
                f"file {bands_path.name} (sha256 {str(grades.get('sha256'))[:12]}… in the "
                f"params, {office.sha256[:12]}… in the workspace)"]
    return []
