"""``kpa rubric``: show a rubric version — areas, items, rules, what may be entered."""

from __future__ import annotations

import argparse

from kpa_core.rubric import DEFAULT_RUBRIC_ID, available_rubrics, load_rubric
from kpa_core.rules import kind_of
from kpa_core.tables import render_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rubric",
        help="查看考核细则 / show a rubric version",
        description="查看考核细则：考核项目、条目、规则及允许的取值。"
        " / Show a rubric: areas, items, rules and the values an entry may take.",
    )
    p.add_argument("rubric_id", nargs="?", default=DEFAULT_RUBRIC_ID,
                   help=f"版本 / rubric id (default {DEFAULT_RUBRIC_ID})")
    p.add_argument("--list", action="store_true", help="列出全部版本 / list the versions")
    p.add_argument("--en", action="store_true", help="显示英文 / show the English reading")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        for rid in available_rubrics():
            r = load_rubric(rid)
            print(f"{rid}  sha256={r.sha256}  {r.title['zh']}")
        return 0
    rubric = load_rubric(args.rubric_id)
    print(f"{rubric.title['zh']}\n{rubric.title['en']}\n{rubric.id}  sha256={rubric.sha256}\n")
    for area in rubric.areas.values():
        items = [i for i in rubric.items.values() if i.area_id == area.id]
        if not items:
            continue
        print(f"== {area.id} {area.zh}（{area.points:g}分）/ {area.en}")
        rows = []
        for item in items:
            for rule in item.rules:
                allowed_zh, allowed_en = kind_of(rule).allowed(rule)
                text = rule.en if args.en else rule.zh
                rows.append([rule.id, rule.kind, allowed_en if args.en else allowed_zh,
                             text[:60] + ("…" if len(text) > 60 else "")])
        headers = ["规则 rule", "类型 kind", "允许取值 allowed", "评分标准 standard"]
        print(render_table(headers, rows))
        print()
    for note in rubric.notes:
        print(f"注 {note['zh']} / {note['en']}")
    return 0
