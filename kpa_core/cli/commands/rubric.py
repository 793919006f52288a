"""``kpa rubric``: show a rubric version — areas, items, rules, what may be entered."""

from __future__ import annotations

import argparse

from kpa_core.rubric.model import DEFAULT_RUBRIC_ID, available_rubrics, load_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.text.tables import render_table

DIFF_DESCRIPTION = ("比较两个考核细则版本：新增、删除和修改的规则（每个改动的分值与文字，"
                    "原 → 新）。 / Compare two rubrics: the rules added, removed and "
                    "changed (each changed number and text, old → new).")


def diff_parser() -> argparse.ArgumentParser:
    """``kpa rubric diff``'s own usage and help (the rubric parser takes "diff" as a word)."""
    p = argparse.ArgumentParser(prog="kpa rubric diff", description=DIFF_DESCRIPTION)
    p.add_argument("A", help="原版本：编号、文件或自带示例 / the old rubric: an id, a file or a "
                             "shipped example such as examples/example-revision")
    p.add_argument("B", help="新版本 / the new rubric (the same kinds of name)")
    return p


class _Help(argparse.Action):
    """``-h``: the diff's own help after ``kpa rubric diff``, else the rubric's."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        (diff_parser() if getattr(namespace, "rubric_id", None) == "diff" else parser).print_help()
        parser.exit()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rubric",
        help="查看考核细则 / show a rubric version",
        description="查看考核细则：考核项目、条目、规则及允许的取值。"
        " / Show a rubric: areas, items, rules and the values an entry may take.",
        add_help=False,
    )
    p.add_argument("-h", "--help", action=_Help, nargs=0, default=argparse.SUPPRESS,
                   help=argparse._("show this help message and exit"))  # noqa: SLF001
    p.add_argument("rubric_id", nargs="?", default=DEFAULT_RUBRIC_ID,
                   help=f"版本（默认：{DEFAULT_RUBRIC_ID}）/ rubric id (default: "
                   f"{DEFAULT_RUBRIC_ID}); "
                   "或 diff A B：比较两个版本或文件 / or: diff A B to compare two rubrics "
                   "(ids, files or shipped examples such as examples/example-revision)")
    p.add_argument("others", nargs="*", metavar="A B", help=argparse.SUPPRESS)
    p.add_argument("--list", action="store_true", help="列出全部版本 / list the versions")
    p.add_argument("--en", action="store_true", help="显示英文 / show the English reading")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.rubric_id == "diff" or args.others:
        return run_diff(args)
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


def run_diff(args: argparse.Namespace) -> int:
    """``kpa rubric diff A B``: rules added, removed and changed (numbers, text)."""
    from kpa_core.errors import KpaInputError, Problem
    from kpa_core.scoring.revision import diff_rubrics, resolve_rubric

    if args.rubric_id != "diff" or len(args.others) != 2:
        raise KpaInputError([Problem("用法：kpa rubric diff A B", "usage: kpa rubric diff A B",
                                     field="diff", value=[args.rubric_id, *args.others],
                                     allowed_zh="两个版本编号或文件",
                                     allowed_en="two ids or files")])
    old, new = (resolve_rubric(name) for name in args.others)
    diff = diff_rubrics(old, new)
    print(f"{old.id} → {new.id}\n{old.title['zh']}\n→ {new.title['zh']}\n")
    if diff.empty:
        print("规则无差异 / no differences in the rules")
        return 0
    labels = {"added": "新增 added", "removed": "删除 removed", "changed": "修改 changed"}
    counts = diff[diff["field"].isin(["rule"]) | (diff["change"] == "changed")]
    rules_changed = counts[(counts["change"] == "changed") & counts["id"].isin(new.rules)]
    print(f"规则新增 {int(((diff.change == 'added') & (diff.field == 'rule')).sum())}、"
          f"删除 {int(((diff.change == 'removed') & (diff.field == 'rule')).sum())}、"
          f"修改 {rules_changed['id'].nunique()} / rules added, removed, changed\n")

    def show(v: object) -> str:
        text = "" if v is None else str(v)
        return text[:70] + ("…" if len(text) > 70 else "")

    print(render_table(["变化 change", "编号 id", "字段 field", "原 old", "新 new"],
                       [[labels[r.change], r.id, r.field, show(r.old), show(r.new)]
                        for r in diff.itertuples()]))
    return 0
