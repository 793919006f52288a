"""A report's params against the office's own settings: its cap scope and its grade bands.

Why: a params file carries its own bands (with their sha256) and its own options, so a forger
could change both and recompute the sha256: logistics graded 优秀 under bands of its own where
the office's bands say 不合格, or scored 57.5 under cap scope ``area`` instead of the published
59 — and ``kpa reproduce`` would agree with itself. Reproducing a *report* therefore also asks
what the workspace (``kpa.toml``: ``cap_scope``, ``bands``) gives for the same record. Scenario
params are what-ifs and are free to use any option or bands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import Rubric
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import score_record


def office_problems(params: dict[str, Any], record: Record, rubric: Rubric,
                    cap_scope: str | None, bands_path: Path | None) -> list[str]:
    """What differs between a report's params and the workspace's settings, in words."""
    if params.get("kind") != "report":
        return []
    found = []
    saved_scope = (params.get("options") or {}).get("cap_scope")
    try:
        office_scope = score_record(record, cap_scope=cap_scope, rubric=rubric).cap_scope
    except KpaInputError as exc:
        return [str(p) for p in exc.problems]
    if saved_scope != office_scope:
        found.append(f"封顶范围与本办设置不符 / the cap scope differs from the office's setting: "
                     f"参数 params {saved_scope!r}，本工作区 workspace {office_scope!r} "
                     "(kpa.toml cap_scope，或记录自身的选项 or the record's own option)")
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
