"""``kpa rectify list|report|check``: the rectification ledger (整改台账) from the terminal.

``list`` shows a published year's items with their status (逾期 as of the office's date, or
``--as-of``); ``report`` records a unit's 整改报告 (text and evidence files); ``check`` records
the office's 核查 (通过 closes the item, 不通过 returns it to 整改中). Every step names a person
listed in kpa.toml (``--by``). The 督办 sheet and the workbook round trip are subcommands added
by their own modules (``register_sub``), so each face of the ledger stays in one file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
from typing import Any

from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of
from kpa_core.errors import KpaInputError, Problem
from kpa_core.text.sanitize import terminal_safe

BY_HELP = "操作人（kpa.toml 中列出的人员）/ who acts (a person listed in kpa.toml)"


def as_of_date(value: str) -> dt.date:
    """``--as-of 2013-02-11``: the office's date the statuses are computed for."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式须为 YYYY-MM-DD / a date YYYY-MM-DD: "
                                         f"{value!r}") from None


def add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=as_of_date, default=None, metavar="YYYY-MM-DD",
                   help="按该日判断逾期（默认：今天，北京时间）/ the date overdue is judged on "
                        "(default: today in the office's time zone)")


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("rectify", help="整改台账 / the rectification ledger",
                       description="签发后的整改台账：每项整改要求的报送、核查与销号 / the "
                       "ledger of a published year: each 整改要求 reported, checked, closed.")
    rsub = r.add_subparsers(dest="rectify_step", metavar="list|report|check|…", required=True)
    lp = rsub.add_parser("list", help="列出整改事项及状态 / list the items and their status")
    add_year_option(lp)
    lp.add_argument("--unit", default=None, help="只列该单位 / only this unit")
    lp.add_argument("--overdue", action="store_true", help="只列逾期事项 / only overdue items")
    lp.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON")
    add_as_of(lp)
    add_data_option(lp)
    lp.set_defaults(func=run_list)
    rp = rsub.add_parser("report", help="报送整改情况（单位联系人或考核组）/ report a "
                                        "rectification (the unit's contact or an assessor)")
    _item_options(rp)
    rp.add_argument("--text", required=True, help="整改情况 / what was done")
    rp.add_argument("--evidence", nargs="*", default=[], metavar="FILE",
                    help="佐证材料文件 / evidence files (stored in the year's evidence ledger)")
    rp.set_defaults(func=run_report)
    cp = rsub.add_parser("check", help="核查整改（考核组或纪委负责人）/ check a rectification "
                                       "(assessor or head)")
    _item_options(cp)
    cp.add_argument("--result", required=True, help="通过 或 不通过 / 通过 (pass) or 不通过 "
                                                    "(fail)")
    cp.add_argument("--why", required=True, help="核查意见 / the finding")
    cp.set_defaults(func=run_check)
    from kpa_core.cli.program import SUBCOMMAND_MODULES

    for name in SUBCOMMAND_MODULES["rectify"]:  # sheet, export, import: each in its module
        importlib.import_module(f"kpa_core.cli.commands.{name}").register_sub(rsub)


def _item_options(p: argparse.ArgumentParser) -> None:
    add_year_option(p)
    p.add_argument("--unit", required=True, help="单位代码 / unit id")
    p.add_argument("--item", required=True, help="事项编号，如 R1 / item id, e.g. R1")
    add_data_option(p)
    p.add_argument("--by", default=None, help=BY_HELP)


def unit_names(data_dir: Any) -> dict[str, str]:
    from kpa_core.year.data import load_units

    try:
        return {u: unit.name_zh for u, unit in load_units(data_dir).items()}
    except KpaInputError:
        return {}


def item_json(state: Any) -> dict[str, Any]:
    it = state.item
    return {"unit": it.unit_id, "item": it.item_id, "rule": it.rule_id, "text": it.text,
            "deadline": it.deadline.isoformat(), "status": state.status,
            "status_zh": state.status_zh,
            "closed_on": state.closed_on.isoformat() if state.closed_on else None,
            "reports": [vars(r) | {"evidence": list(r.evidence)} for r in state.reports],
            "checks": [vars(c) for c in state.checks]}


def run_list(args: argparse.Namespace) -> int:
    from kpa_core.audit.rectify_chain import STATUS
    from kpa_core.rectify.ledger import ledger_of, not_published, unit_items

    data_dir = data_dir_of(args)
    ledger = ledger_of(data_dir, args.year, as_of=args.as_of)
    if ledger.published_on is None:
        raise KpaInputError([not_published(args.year)])
    names = unit_names(data_dir)
    if args.unit is not None and args.unit not in names and not ledger.of_unit(args.unit):
        raise KpaInputError([Problem("单位不在单位表中", "unit not in units.csv", unit=args.unit,
                                     field="unit", value=args.unit,
                                     allowed_zh="units.csv 中的单位代码",
                                     allowed_en="a unit id of units.csv")])
    units = [args.unit] if args.unit else sorted({s.item.unit_id for s in ledger.items})
    chosen = [s for u in units for s in unit_items(ledger, u)
              if not args.overdue or s.status == "overdue"]
    if args.json:
        print(json.dumps({"year": args.year, "opened": ledger.opened,
                          "published_on": ledger.published_on.isoformat(),
                          "items": [item_json(s) for s in chosen]}, ensure_ascii=False,
                         indent=1))
        return 0
    if not ledger.opened:
        print("注意：整改台账尚未开立，下列为签发的整改要求（首次报送或核查时开立）/ note: the "
              "ledger is not opened yet; these are the published requirements (opened by the "
              "first report or check)")
    counts = ledger.counts()
    print(f"{args.year} 年度整改台账 / rectification ledger（{len(ledger.items)} 项 items）："
          + "、".join(f"{STATUS[k][0]} {n}" for k, n in counts.items()))
    current = None
    for s in chosen:
        if s.item.unit_id != current:
            current = s.item.unit_id
            print(f"\n{terminal_safe(names.get(current, current))}（{current}）")
        print(f"  {s.item.item_id:<4} {s.status_zh:<7} 期限 {s.item.deadline}  "
              f"{terminal_safe(s.item.text)}")
        if s.checks and s.status != "closed":
            last = s.checks[-1]
            print(f"       核查 {last.result_zh}（{terminal_safe(last.who)}）："
                  f"{terminal_safe(last.why)}")
    if not chosen:
        print("（无事项 no items）")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from kpa_core.rectify.actions import report_item

    s = report_item(data_dir_of(args), args.year, args.unit, args.item, args.text,
                    evidence=args.evidence, by=args.by)
    last = s.reports[-1]
    print(f"✔ {args.unit} {args.item} 已报送整改情况（{terminal_safe(last.who)}，佐证 "
          f"{len(last.evidence)} 件），状态：{s.label}")
    print(f"下一步 next: kpa rectify check --year {args.year} --unit {args.unit} --item "
          f"{args.item} --result 通过|不通过 --why … --by 姓名")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from kpa_core.rectify.actions import check_item

    s = check_item(data_dir_of(args), args.year, args.unit, args.item, args.result, args.why,
                   by=args.by)
    print(f"✔ {args.unit} {args.item} 核查{s.checks[-1].result_zh}"
          f"（{terminal_safe(s.checks[-1].who)}），状态：{s.label}")
    return 0
