"""``kpa grade``: grade a year with an office's bands (优秀/良好/合格/不合格, 一票否决).

The document sets no grades, so there is no default: the bands file is required and its id and
sha256 are printed, so the grading can be reproduced and cited.
"""

from __future__ import annotations

import argparse
import sys

from kpa_core.cli.options import (
    add_cap_scope_option,
    add_csv_option,
    add_data_option,
    add_year_option,
    cap_scope_of,
    data_dir_of,
    optional_workspace,
)
from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.grading import UNGRADED, grade_records, load_bands
from kpa_core.text.sanitize import write_csv
from kpa_core.text.tables import render_table
from kpa_core.year.data import load_year


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade",
        help="按等级划分评定一年的等级 / grade a year with grade bands",
        description="按单位自定的等级划分（YAML）评定：优秀/良好/合格/不合格，含一票否决。"
        " / Grade every unit of a year with an office's bands, vetoes included.",
    )
    add_year_option(p)
    p.add_argument("--bands", default=None,
                   help="等级划分 YAML（默认：工作区 kpa.toml 的 bands）/ grade bands file "
                        "(default: the workspace's kpa.toml bands; `kpa init --sample` writes "
                        "the example as grade-bands.yaml)")
    add_data_option(p)
    add_cap_scope_option(p)
    add_csv_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    bands_path = args.bands or bands_of_workspace()
    year = load_year(data_dir, args.year)
    rubric = load_rubric(year.records[0].rubric) if year.records else None
    bands = load_bands(bands_path, rubric=rubric)
    frame = grade_records(year.records, bands, cap_scope=cap_scope_of(args))
    if args.csv:
        write_csv(frame, sys.stdout, index=False)  # no cell runs as a formula
        return 0
    print(f"{args.year} 年度等级 / grades — 等级划分 bands {bands.id} "
          f"(sha256 {bands.sha256[:12]}…)")
    rows = [[r.unit_id, r.unit, r.total, f"{r.grade} {r.grade_en}", r.veto or "—",
             r.reasons.split("; ")[-1] if r.grade == UNGRADED[0] else ""]
            for r in frame.itertuples(index=False)]
    print(render_table(["编号 id", "单位 unit", "合计 total", "等级 grade",
                        "一票否决 veto", "说明 note"], rows))
    counts = frame["grade"].value_counts()
    print()
    tally = [f"{b.grade} {b.en}: {int(counts.get(b.grade, 0))}" for b in bands.bands]
    ungraded = int(counts.get(UNGRADED[0], 0))
    if ungraded:  # below every band: named, never folded into the lowest grade
        tally.append(f"{UNGRADED[0]} {UNGRADED[1]}: {ungraded}（低于所有等级 / below every band）")
    print("  ".join(tally))
    return 0


def bands_of_workspace() -> str:
    """The workspace's ``bands`` setting; without one the bands must be named (no default)."""
    ws = optional_workspace()
    if ws is not None and ws.bands is not None:
        return str(ws.bands)
    raise KpaInputError([Problem(
        "未指定等级划分文件", "no grade bands given", field="--bands",
        allowed_zh="--bands 文件，或在 kpa.toml 中设置 bands = \"grade-bands.yaml\"",
        allowed_en="--bands FILE, or bands = \"grade-bands.yaml\" in kpa.toml")])
