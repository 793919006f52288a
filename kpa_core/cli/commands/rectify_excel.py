"""``kpa rectify export|import``: the rectification ledger as a workbook units fill in.

``export`` writes one row per item (``--unit`` for one unit's), the two columns a unit fills
in yellow; ``import`` checks every filled row first and lists every problem at once, then
records each as a report (the same step as ``kpa rectify report``), or nothing at all.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of


def register_sub(rsub: argparse._SubParsersAction) -> None:
    e = rsub.add_parser("export", help="导出整改台账工作簿（供单位填写）/ export the ledger as a "
                                       "workbook for units to fill in")
    add_year_option(e)
    e.add_argument("--unit", default=None, help="只导出该单位 / only this unit")
    e.add_argument("--out", default=None, metavar="FILE.xlsx",
                   help="工作簿路径（默认 整改台账-<年度>.xlsx）/ the workbook (default "
                        "整改台账-<year>.xlsx)")
    add_data_option(e)
    e.set_defaults(func=run_export)
    i = rsub.add_parser("import", help="导入单位填写的整改台账工作簿 / import a filled ledger "
                                       "workbook")
    i.add_argument("workbook", help="工作簿 / the filled workbook (.xlsx)")
    add_year_option(i)
    add_data_option(i)
    i.add_argument("--by", default=None, help="报送人（kpa.toml 中的单位联系人或考核组成员）/ who "
                                              "reports (a unit contact or an assessor)")
    i.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    from kpa_core.cli.commands.rectify import unit_names
    from kpa_core.errors import KpaInputError
    from kpa_core.excel import write_ledger_book
    from kpa_core.rectify.ledger import ledger_of, not_published

    data_dir = data_dir_of(args)
    ledger = ledger_of(data_dir, args.year)
    if ledger.published_on is None:
        raise KpaInputError([not_published(args.year)])
    out = Path(args.out) if args.out else Path(f"整改台账-{int(args.year)}.xlsx")
    n = write_ledger_book(out, ledger, unit_names(data_dir), args.unit)
    print(f"已导出 exported: {out}（{n} 项 items）")
    print(f"单位填写黄色两列，佐证材料文件放在 {out.parent / '佐证材料'}；然后：kpa rectify import "
          f"{out} --year {args.year} --by 姓名 / units fill the yellow columns, then import")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from kpa_core.excel import import_ledger_book
    from kpa_core.text.sanitize import terminal_safe

    done = import_ledger_book(Path(args.workbook), data_dir_of(args), args.year, args.by)
    for s in done:
        print(f"✔ {s.item.unit_id} {s.item.item_id}：{terminal_safe(s.label)}（佐证 "
              f"{len(s.reports[-1].evidence)} 件）")
    print(f"已报送 {len(done)} 项 / {len(done)} items reported")
    return 0
