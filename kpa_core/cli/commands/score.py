"""``kpa score``: score one record file, or rank every unit of a year."""

from __future__ import annotations

import argparse
import json
import sys

from kpa_core.cli.options import (
    add_cap_scope_option,
    add_data_option,
    add_reading_option,
    cap_scope_of,
    load_year_of,
)
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import load_record
from kpa_core.scoring.score import ScoreCard, score_record, score_year
from kpa_core.text.sanitize import write_csv
from kpa_core.text.tables import render_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="评分：一份记录或一整年 / score a record or a whole year",
        description="评分：一份记录（RECORD.yaml）或一整年的排名（--year）。"
        " / Score one record, or rank every unit of a year.",
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("record", nargs="?", help="考核记录 YAML / a record file")
    target.add_argument(
        "--year", type=int, help="年度：为该年全部单位评分并排名 / rank a whole year"
    )
    add_data_option(p)
    add_cap_scope_option(p)
    add_reading_option(p)
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    p.add_argument("--csv", action="store_true", help="年度排名输出 CSV / print the ranking as CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kpa_core.rubric.readings import parse_choice_args

    readings = parse_choice_args(args.reading)
    if args.record:
        card = score_record(load_record(args.record), cap_scope=cap_scope_of(args),
                            readings=readings)
        if args.json:
            print(json.dumps(card.to_json(), ensure_ascii=False))
        else:
            print(card_text(card))
        return 0
    year, _ = load_year_of(args)
    cap_scope = cap_scope_of(args)  # kpa.toml's cap_scope as a default
    scores = score_year(year.records, cap_scope=cap_scope, readings=readings)
    table = scores.table.sort_values(["rank", "unit_id"])
    cols = ["rank", "unit_id", "unit", "A1", "A2", "A3", "basic", "bonus", "total"]
    if args.csv:
        write_csv(table[cols], sys.stdout, index=False)  # no cell runs as a formula
    elif args.json:
        print(table[cols].to_json(orient="records", force_ascii=False))
    else:
        headers = [
            "名次 rank",
            "编号 id",
            "单位 unit",
            "一 A1",
            "二 A2",
            "三 A3",
            "基本 basic",
            "特色 bonus",
            "合计 total",
        ]
        scopes = ",".join(sorted(set(scores.table["cap_scope"])))
        shown = "".join(f", {k}={v}" for k, v in readings.items() if k != "cap_scope")
        print(f"{args.year} 年度排名 / ranking ({scores.rubric.id}, cap_scope={scopes}{shown})")
        print(render_table(headers, table[cols].itertuples(index=False)))
    return 0


def minus(points: float) -> str:
    """A deduction as negative points (-6), the one sign convention of every output."""
    return f"{-points:g}" if points else "0"


def card_text(card: ScoreCard) -> str:
    """A readable Chinese-first score card for the terminal."""
    rubric = load_rubric(card.rubric_id)
    lines = [f"{card.unit}  {card.year} 年度  ({card.rubric_id}, cap_scope={card.cap_scope})", ""]
    rows = []
    for area_id, score in card.area_scores.items():
        area = rubric.areas[area_id]
        mark = "← 注1封顶 capped" if area_id in card.capped else ""
        rows.append(
            [area_id, area.zh, area.points, minus(card.area_deductions[area_id]), score, mark]
        )
    lines.append(
        render_table(
            ["编号 id", "考核项目 area", "分值 points", "扣分 deducted", "得分 score", "注 note"],
            rows,
        )
    )
    lines.append("")
    item_rows = [
        [i, rubric.items[i].points, minus(d), card.item_scores[i]]
        for i, d in card.item_deductions.items()
        if d
    ]
    if item_rows:
        lines.append(
            render_table(["条目 item", "赋分 points", "扣分 deducted", "得分 score"], item_rows)
        )
        lines.append("")
    for sid, v in card.special.items():
        raw = card.special_raw[sid]
        note = f"（原始 raw {raw:g}，注2封顶 capped）" if raw > v else ""
        lines.append(f"{sid} {rubric.items[sid].zh[:16]}…  +{v:g}{note}")
    lines.append("")
    lines.append(
        f"基本指标 basic {card.basic:g} + 特色指标 bonus {card.bonus:g} = 合计 total {card.total:g}"
    )
    return "\n".join(lines)
