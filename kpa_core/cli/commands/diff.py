"""``kpa diff``: a unit's self-assessment (自评) beside the assessors' record (考核组), by rule.

Without ``--unit`` it lists every unit of the year that filed a self-assessment, with both
totals and how many rules disagree, so the office sees where to start.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from kpa_core.cli.options import (
    add_cap_scope_option,
    add_csv_option,
    add_data_option,
    add_year_option,
    cap_scope_of,
    data_dir_of,
)
from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.compare import compare_records
from kpa_core.scoring.record import load_record
from kpa_core.text.sanitize import write_csv
from kpa_core.text.tables import render_table
from kpa_core.year.data import available_years, load_year, record_path, year_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="自评与考核组评分逐条对比 / self-assessment vs assessors, rule by rule",
        description="对比单位自评（data/<年度>/self/）与考核组记录，列出每条不一致的规则。"
        " / Compare a unit's self-assessment with the assessors' record, rule by rule.",
    )
    add_year_option(p)
    p.add_argument("--unit", default=None, help="单位编号 / unit id (omit to list all units)")
    add_data_option(p)
    add_cap_scope_option(p)
    add_csv_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    args.cap_scope = cap_scope_of(args)
    if args.unit is None:
        return run_year(args, data_dir)
    self_path = record_path(data_dir, args.year, args.unit, "self")
    own_path = record_path(data_dir, args.year, args.unit, "assessor")
    if not self_path.is_file():
        load_year(data_dir, args.year)  # a year without any data says so first
        check_self_year(data_dir, args.year)
        have = sorted(p.stem for p in year_dir(data_dir, args.year, "self").glob("*.yaml"))
        raise KpaInputError([Problem("该单位没有自评记录", "no self-assessment for this unit",
                                     unit=args.unit, field="unit", value=args.unit,
                                     allowed_zh="、".join(have) or "（无 none）",
                                     allowed_en=", ".join(have) or "(none)",
                                     where=str(self_path))])
    assessor = load_record(own_path, unit_id=args.unit)
    own = load_record(self_path, unit_id=args.unit)
    frame = compare_records(assessor, own, cap_scope=args.cap_scope)
    if args.csv:
        write_csv(frame, sys.stdout, index=False)  # no cell runs as a formula
        return 0
    rubric = load_rubric(assessor.rubric)
    print(f"{assessor.unit}（{args.unit}）{args.year} 年度 自评与考核组对比 / self-assessment vs "
          "assessors")
    print(f"({rubric.id}, cap_scope={frame.attrs['cap_scope']})")
    print(f"合计 total: 考核组 assessors {frame.attrs['assessor_total']:g} · 自评 self "
          f"{frame.attrs['self_total']:g} · 差 difference "
          f"{frame.attrs['self_total'] - frame.attrs['assessor_total']:+g}")
    print()
    if frame.empty:
        print("逐条一致 / the two records agree on every rule")
        return 0
    print(unit_table(frame, rubric))
    print()
    print(f"{len(frame)} 条规则不一致 / rules disagree")
    print("差额 = 自评 − 考核组；正数表示自评更高")
    print("difference = self − assessors; positive: the unit scored itself higher")
    return 0


# Two-line headers and wrapped text keep the rule-by-rule table within 100 columns.
UNIT_HEADERS = ["规则\nrule", "规则内容\nclause", "条目\nitem", "考核组\nassessors",
                "自评\nself", "差额\ndiff", "考核组理由\nassessors' reason",
                "自评理由\nself reason"]
UNIT_WRAP = {1: 16, 6: 17, 7: 14}
CLAUSE_CHARS = 15  # two wrapped lines of the rule's Chinese text; the full text is in the rubric


def unit_table(frame, rubric) -> str:
    """The rule-by-rule table: signed points (deductions negative), long text wrapped."""
    rows = [[rec.rule, _short(rubric.rules[rec.rule].zh), rec.item, signed(rec.assessor_amount),
             signed(rec.self_amount), signed(rec.difference), rec.assessor_reason or "—",
             rec.self_reason or "—"] for rec in frame.itertuples(index=False)]
    return render_table(UNIT_HEADERS, rows, wrap=UNIT_WRAP)


def _short(text: str) -> str:
    return text if len(text) <= CLAUSE_CHARS else text[:CLAUSE_CHARS - 1] + "…"


def signed(x: float) -> str:
    """+2 / −3 / 0: the sign says bonus or deduction at a glance."""
    return f"{x:+g}" if x else "0"


def check_self_year(data_dir, year: int) -> None:
    """The year has assessors' data; refuse it by name when it has no self-assessments.

    Without this the self folder's absence reads as "no data for that year (allowed: 2012,
    2013)" for 2012 itself, which sends the analyst looking for the wrong problem.
    """
    self_dir = year_dir(data_dir, year, "self")
    if self_dir.is_dir() and any(self_dir.glob("*.yaml")):
        return
    have = [y for y in available_years(data_dir)
            if any(year_dir(data_dir, y, "self").glob("*.yaml"))]
    raise KpaInputError([Problem(
        "该年度没有单位自评记录", "no self-assessments for that year", field="year",
        value=year, allowed_zh="有自评记录的年度：" + ("、".join(map(str, have)) or "（无）"),
        allowed_en="a year with self-assessments: " + (", ".join(map(str, have)) or "(none)"),
        where=str(self_dir))])


def run_year(args: argparse.Namespace, data_dir) -> int:
    """Every unit with a self-assessment: both totals and the number of disagreeing rules."""
    assessors = {r.unit_id: r for r in load_year(data_dir, args.year).records}
    check_self_year(data_dir, args.year)
    own = load_year(data_dir, args.year, role="self").records
    rows = []
    for rec in own:
        if rec.unit_id not in assessors:
            continue
        frame = compare_records(assessors[rec.unit_id], rec, cap_scope=args.cap_scope)
        rows.append([rec.unit_id, rec.unit, frame.attrs["assessor_total"],
                     frame.attrs["self_total"],
                     frame.attrs["self_total"] - frame.attrs["assessor_total"], len(frame)])
    if args.csv:
        columns = ["unit_id", "unit", "assessor_total", "self_total", "difference",
                   "rules_differ"]  # quoted and neutralised like every kpa CSV
        write_csv(pd.DataFrame(rows, columns=columns), sys.stdout, index=False)
        return 0
    print(f"{args.year} 年度 自评与考核组对比 / self-assessment vs assessors")
    print(render_table(["编号\nid", "单位\nunit", "考核组\nassessors", "自评\nself",
                        "差\ndifference", "不一致规则\nrules differ"],
                       [[*r[:4], signed(r[4]), r[5]] for r in rows]))
    print()
    print("逐条查看 / rule by rule: kpa diff --year "
          f"{args.year} --unit <编号 id>")
    return 0
