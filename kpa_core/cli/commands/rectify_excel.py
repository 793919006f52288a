"""``kpa rectify export|import``: the rectification ledger as a workbook units fill in.

``export`` writes one row per item (``--unit`` for one unit's), the given columns grey and
locked, the two a unit fills yellow, and ``佐证材料/`` beside it for the files; ``import``
checks every filled row first and lists every problem at once, then records each row as a
report (the same step as ``kpa rectify report``), or nothing at all. The workbook code is the
excel face's (``kpa_core.excel.rectify_book``, ``rectify_import``).
"""

from __future__ import annotations

import argparse

from kpa_core.cli.commands.rectify import BY_HELP, add_as_of
from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of


def register_sub(rsub: argparse._SubParsersAction) -> None:
    e = rsub.add_parser("export", help="导出整改台账工作簿（供单位填写）/ export the ledger as a "
                                       "workbook for units to fill in",
                        description="每个整改事项一行；单位填写黄色两列（整改情况、佐证材料文件名），"
                                    "文件放在工作簿旁的 佐证材料 文件夹。 / One row per item; a "
                                    "unit fills the two yellow columns and puts the files in "
                                    "佐证材料/ beside the workbook.")
    add_year_option(e)
    e.add_argument("--unit", default=None, help="只导出该单位的事项 / only this unit's items")
    e.add_argument("--out", default=None, metavar="FILE.xlsx",
                   help="工作簿路径；若为已有文件夹，则写入其中的 整改台账-<年度>[-<单位>].xlsx "
                        "/ the workbook; an existing folder gets 整改台账-<year>[-<unit>].xlsx "
                        "(default: the workspace's out/)")
    add_as_of(e)
    add_data_option(e)
    e.set_defaults(func=run_export)
    i = rsub.add_parser("import", help="导入单位填写的整改台账工作簿 / import a filled ledger "
                                       "workbook",
                        description="逐行检查后报送每个填写了整改情况的事项；任何一行有问题则一行也"
                                    "不写入。 / Checks every row, then reports each filled one; "
                                    "writes nothing if any row is wrong.")
    i.add_argument("workbook", help="工作簿 / the filled workbook (.xlsx)")
    add_year_option(i)
    add_data_option(i)
    i.add_argument("--by", default=None, help=BY_HELP + "；单位联系人只能导入本单位的行 / a "
                   "contact imports their own unit's rows only")
    i.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    from kpa_core.cli.commands.excel import _shown, output_path
    from kpa_core.excel import write_rectify_book  # openpyxl: only when used

    name = f"整改台账-{int(args.year)}" + (f"-{args.unit}" if args.unit else "") + ".xlsx"
    data_dir = data_dir_of(args)
    if args.unit is not None:  # a unit id becomes part of a file name only once it is known
        from kpa_core.excel import check_rectify_unit
        from kpa_core.rectify.ledger import ledger_of

        check_rectify_unit(ledger_of(data_dir, args.year), args.unit)
    done = write_rectify_book(data_dir, args.year, output_path(args.out, name), args.unit,
                              as_of=args.as_of)
    print(f"已导出 exported: {done.path}（{done.rows} 项 items，可报送 {done.open_rows} 项 open to "
          "a report）")
    print(f"单位填写黄色两列，佐证材料文件放在 {done.path.parent / '佐证材料'}；然后 then: kpa "
          f"rectify import {_shown(done.path)} --year {args.year} --by 姓名")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from kpa_core.excel import import_rectify_book  # openpyxl: only when used
    from kpa_core.text.sanitize import terminal_safe

    done = import_rectify_book(args.workbook, data_dir_of(args), args.year, args.by)
    for row, s in done.reported:
        last = s.reports[-1]
        print(f"✔ 第{row}行 row {row}  {s.item.unit_id} {s.item.item_id}：{terminal_safe(s.label)}"
              f"（{terminal_safe(last.who)}，佐证 {len(last.evidence)} 件 files）")
    n = len(done.reported)
    print(f"已报送 {n} 项，未填写 {done.blank} 行 / {n} item(s) reported, {done.blank} row(s) "
          "left blank")
    if n:
        print(f"下一步 next: kpa rectify check --year {args.year} --unit … --item … --result "
              "通过|不通过 --why … --by 姓名")
    else:
        print("工作簿中没有填写整改情况的行，没有写入任何内容 / no row has 整改情况 filled; "
              "nothing was written")
    return 0
