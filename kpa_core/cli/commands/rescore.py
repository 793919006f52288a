"""``kpa rescore``: a year's records under a rubric revision — old and new totals and ranks."""

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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rescore",
        help="按修订稿重新评分 / score a year under a rubric revision",
        description="按考核细则修订稿（YAML 文件，与已发布版本同样校验）为该年度全部记录重新评分，"
        "列出每个单位原/新合计与名次；修订稿没有的规则其条目列为“已舍弃”。"
        " / Score a year's records under a revision file (checked like the released rubric): "
        "each unit's old and new total and rank; entries for rules the revision lacks are "
        "listed as dropped.",
    )
    add_year_option(p)
    p.add_argument("--rubric", required=True, metavar="FILE",
                   help="修订稿文件，或内置版本/示例的名称（如 examples/example-revision） / "
                        "the revision's file, or a shipped id or example "
                        "(e.g. examples/example-revision)")
    add_data_option(p)
    add_cap_scope_option(p)
    p.add_argument("--csv", action="store_true", help="输出 CSV / print CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kpa_core.scoring.revision import rescore, resolve_rubric
    from kpa_core.text.tables import render_table

    new = resolve_rubric(args.rubric)
    year, _ = load_year_of(args)
    cap_scope = cap_scope_of(args)  # kpa.toml's cap_scope as a default
    result = rescore(year.records, new, cap_scope=cap_scope)
    if args.csv:
        write_csv(result.table, sys.stdout, index=False)  # no cell runs as a formula
        return 0
    print(f"{args.year} 年度按修订稿重新评分 / rescored under a revision: "
          f"{result.old_rubric.id} → {new.id}\n{new.title['zh']}\n")
    cols = ["new_rank", "unit_id", "unit", "old_total", "new_total", "change", "old_rank",
            "rank_change"]
    headers = ["新名次 new rank", "编号 id", "单位 unit", "原合计 old total", "新合计 new total",
               "变动 change", "原名次 old rank", "名次变动 rank move"]
    print(render_table(headers, result.table[cols].itertuples(index=False)))
    dropped = result.dropped
    print()
    if dropped.empty:
        print("没有舍弃的条目 / no entries dropped")
    else:
        print(f"修订稿没有以下规则，其 {len(dropped)} 个条目已舍弃 / {len(dropped)} entries "
              "dropped (their rules are not in the revision):")
        print(render_table(["编号 id", "单位 unit", "规则 rule", "原分值 points", "理由 reason"],
                           dropped.itertuples(index=False)))
    return 0
