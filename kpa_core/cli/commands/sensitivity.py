"""``kpa sensitivity``: which of the draft's open questions would change a total or a rank."""

from __future__ import annotations

import argparse
import sys

from kpa_core.cli.options import (
    add_cap_scope_option,
    add_data_option,
    add_year_option,
    cap_scope_of,
    load_year_of,
)
from kpa_core.text.sanitize import write_csv

HEADERS = ["解读 reading", "说明 meaning", "变动单位 units", "最大变动 max change",
           "最大名次变动 rank move", "前三变 top 3", "后三变 bottom 3"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="初稿歧义条款的敏感性 / does another reading of the draft change anyone's rank?",
        description="按考核细则中每个歧义条款的其他解读重新评分该年度，列出受影响的单位数、最大分差、"
        "最大名次变动以及前三名/后三名是否变化。 / Rescore the year under each alternative reading "
        "of the draft's ambiguous clauses (and their combinations, where few): units changed, "
        "largest change, largest rank move, whether the top or bottom three change.",
    )
    add_year_option(p)
    add_data_option(p)
    add_cap_scope_option(p)
    p.add_argument("--html", metavar="FILE", default=None,
                   help="另存为网页（含图表）/ also write an offline HTML page with a chart")
    p.add_argument("--singles", action="store_true",
                   help="只逐项评分，不评组合 / one reading at a time, no combinations")
    p.add_argument("--csv", action="store_true", help="输出 CSV / print CSV")
    p.set_defaults(func=run)


def yes(flag: bool) -> str:
    return "是 yes" if flag else "否 no"


def run(args: argparse.Namespace) -> int:
    from kpa_core.analysis import sensitivity_chart_text as text_chart
    from kpa_core.analysis import sensitivity_lines as summary_lines
    from kpa_core.analysis import year_sensitivity as sensitivity
    from kpa_core.rubric.readings import load_readings
    from kpa_core.text.tables import render_table

    year, units = load_year_of(args)
    cap_scope = cap_scope_of(args)  # kpa.toml's cap_scope as a default
    frame = sensitivity(year.records, cap_scope=cap_scope, combinations=not args.singles)
    if args.csv:
        write_csv(frame, sys.stdout, index=False)  # no cell runs as a formula
        return 0
    rubric_id = year.records[0].rubric
    print(f"{args.year} 年度歧义条款敏感性 / sensitivity to the draft's open questions "
          f"({rubric_id}, {len(year.records)} 个单位 units)\n")
    options = load_readings(rubric_id)
    print(render_table(["选项 option", "默认 default", "可选 allowed", "问题 question"],
                       [[n, o.default, "|".join(o.allowed), o.zh] for n, o in options.items()]))
    print()
    singles = frame[frame["options"] == 1]
    print(render_table(HEADERS, [
        [r.reading, r.label.split(" / ")[0], r.units_changed, r.max_change,
         f"{r.rank_move:+d} {r.rank_move_unit}".strip(), yes(r.top3_changed),
         yes(r.bottom3_changed)] for r in singles.itertuples()]))
    print("\n各解读下总分变动的单位数 / units whose total changes, per reading:")
    for line in text_chart(frame):
        print("  " + line)
    print()
    for r in singles.itertuples():
        if r.changes:
            print(f"  {r.reading}: {r.changes}")
    for r in singles.itertuples():  # a reading whose facts a record lacks says so per unit
        if getattr(r, "undetermined", ""):
            print(f"  {r.reading} 无法判定 / undetermined: {r.undetermined}")
    combos = frame[frame["options"] >= 2]
    if not combos.empty:
        print()
        for line in summary_lines(frame):
            print(line)
        top = combos.sort_values(["units_changed", "rank_move"], ascending=False,
                                 key=lambda s: s.abs()).head(5)
        print(render_table(HEADERS, [
            [r.reading, "", r.units_changed, r.max_change,
             f"{r.rank_move:+d} {r.rank_move_unit}".strip(), yes(r.top3_changed),
             yes(r.bottom3_changed)] for r in top.itertuples()]))
    from kpa_core.analysis import sensitivity_listing as listing_lines  # and the fixed ones

    print("\n" + "\n".join(listing_lines(rubric_id)))
    if args.html:
        from pathlib import Path

        from kpa_core.analysis import write_sensitivity_page

        path = write_sensitivity_page(Path(args.html), args.year, rubric_id, frame, units)
        print(f"\n已写入 / written: {path}")
    return 0
