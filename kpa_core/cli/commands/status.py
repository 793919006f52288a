"""``kpa status --year Y``: every unit's 自评 and assessors' record state, who, when, overdue.

The state is what the audit chain says (``audit.states``): a state line holds only while the
record still has the sha256 it was given at. Deadlines come from ``kpa.toml``'s
``[deadlines.<year>]`` (``self`` = 自评截止, ``review`` = 审核截止); today is the office's date.
"""

from __future__ import annotations

import argparse
import datetime as dt

from kpa_core.audit.states import deadlines_of, office_today, overdue, year_process
from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of
from kpa_core.errors import KpaInputError, Problem
from kpa_core.text.tables import render_table
from kpa_core.year.data import load_units


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "status", help="年度流程状态：提交、审核、签发与逾期 / the year's process: states, "
                       "deadlines, overdue",
        description="列出每个单位的自评与考核组记录状态（草稿、已提交、已审核、已签发）、"
        "操作人与时间、截止日期及逾期情况 / every unit's self-assessment and assessors' "
        "record state, who and when, the deadlines and what is overdue.")
    add_year_option(p)
    add_data_option(p)
    p.add_argument("--today", default=None, help=argparse.SUPPRESS)  # tests: a fixed date
    p.set_defaults(func=run)


def _cell(rs, late: bool) -> str:  # noqa: ANN001
    if rs is None or rs.state == "absent":
        return "未录入 none" + (" ⚠逾期 overdue" if late else "")
    who = f" {rs.who} {(rs.when or '')[:10]}" if rs.who else ""
    return f"{rs.state_zh}{who}" + (" ⚠逾期 overdue" if late else "")


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    if not (data_dir / str(args.year)).is_dir():
        raise KpaInputError([Problem("没有该年度的数据", "no data for that year", field="year",
                                     value=args.year)])
    units = load_units(data_dir)
    proc = year_process(data_dir, args.year)
    deadlines = deadlines_of(data_dir, args.year)
    today = dt.date.fromisoformat(args.today) if args.today else office_today(data_dir)
    rows, late_count = [], 0
    from kpa_core.audit.states import RecordState

    for uid, unit in units.items():
        cells = []
        for role in ("self", "assessor"):
            rs = proc.records.get((uid, role)) or RecordState(uid, role)
            late = overdue(rs, deadlines, today)
            late_count += late
            cells.append(_cell(rs, late))
        review = " 复核中 under review" if uid in proc.open_reviews else ""
        rows.append([uid, unit.name_zh, *cells, review.strip()])
    print(f"{args.year} 年度流程 / process of {args.year}  （今天 today {today}）")
    print(f"  自评截止 self-assessment deadline: {deadlines.get('self', '未设 not set')}    "
          f"审核截止 review deadline: {deadlines.get('review', '未设 not set')}")
    for pub in proc.publications:
        what = f"复核后重新签发 {pub.unit}" if pub.unit else "签发 published"
        print(f"  {what}: {pub.describe()}")
    print(render_table(["单位代码\nunit", "单位\nname", "自评\nself-assessment",
                        "考核组记录\nassessors' record", "复核\nreview"], rows))
    print(f"共 {len(rows)} 个单位，逾期 {late_count} 项 / {len(rows)} units, {late_count} "
          "overdue")
    return 0
