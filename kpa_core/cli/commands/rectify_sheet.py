"""``kpa rectify sheet --year Y``: the 督办单, items not yet closed per unit (HTML, PDF, DOCX).

Written to the workspace's ``out/reports/<year>/`` beside the year's other documents (or
``--out DIR``). ``--as-of`` fixes the date the statuses (逾期) and the page's date are for.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of


def register_sub(rsub: argparse._SubParsersAction) -> None:
    from kpa_core.cli.commands.rectify import add_as_of

    p = rsub.add_parser("sheet", help="督办单：未销号事项（HTML、PDF、DOCX）/ the 督办 list of "
                                      "items not yet closed (HTML, PDF, DOCX)")
    add_year_option(p)
    add_as_of(p)
    add_data_option(p)
    p.add_argument("--doc-no", default=None, help="文号（可选）/ document number (optional)")
    p.add_argument("--out", default=None, help="输出文件夹（默认 out/reports/<年度>/）/ output "
                                               "folder (default out/reports/<year>/)")
    p.add_argument("--no-pdf", action="store_true", help="不打印 PDF（无需 Chromium）/ skip "
                                                         "the PDF (no Chromium needed)")
    p.set_defaults(func=run_sheet)


def run_sheet(args: argparse.Namespace) -> int:
    from kpa_core.audit.states import office_today
    from kpa_core.cli.commands.rectify import unit_names
    from kpa_core.errors import KpaInputError
    from kpa_core.rectify.ledger import ledger_of, not_published
    from kpa_core.report import write_sheet
    from kpa_core.store.paths import reports_dir_for
    from kpa_core.store.workspace import DEFAULT_OFFICE, workspace_of

    data_dir = data_dir_of(args)
    as_of = args.as_of or office_today(data_dir)
    ledger = ledger_of(data_dir, args.year, as_of=as_of)
    if ledger.published_on is None:
        raise KpaInputError([not_published(args.year)])
    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    office = ws.office_name if ws is not None else DEFAULT_OFFICE  # kpa.toml's, else 纪委办公室
    out = Path(args.out) if args.out else reports_dir_for(data_dir) / str(int(args.year))
    for path in write_sheet(out, ledger, unit_names(data_dir), office, as_of, args.doc_no,
                            pdf=not args.no_pdf):
        print(f"已写出 written: {path}")
    open_items = sum(s.status != "closed" for s in ledger.items)
    print(f"督办事项 {open_items} 项（截至 {as_of}）/ {open_items} items not closed as of {as_of}")
    return 0
