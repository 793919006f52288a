"""``kpa report``: one HTML report per unit of a year, plus an index page to open."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from kpa_core.cli.options import (
    add_cap_scope_option,
    add_data_option,
    add_year_option,
    cap_scope_of,
)

if TYPE_CHECKING:
    from pathlib import Path

    from kpa_core.report import BatchResult, DocumentOptions
    from kpa_core.store.workspace import Workspace

EXIT_FAILED_UNITS = 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="生成各单位 HTML 报告 / per-unit HTML reports",
        description="为一个年度的每个单位执行报告笔记本（papermill）并导出 HTML（nbconvert），"
                    "并生成索引页。输入未变化的单位不重新生成。 / Run the report notebook for "
                    "every unit of a year and export HTML, with an index page. Units whose "
                    "inputs are unchanged are not re-rendered.")
    add_year_option(p)
    p.add_argument("--units", nargs="+", metavar="ID",
                   help="只生成这些单位（编号） / only these unit ids (default: all)")
    p.add_argument("--jobs", type=int, default=None,
                   help=f"并行数，默认 CPU 核数（{os.cpu_count()}） / parallel workers "
                        "(default: number of cores)")
    p.add_argument("--out", default=None,
                   help="输出文件夹 / output folder (default: the workspace's "
                        "out/reports/<year>)")
    p.add_argument("--force", action="store_true",
                   help="全部重新生成 / re-render even when the inputs are unchanged")
    add_data_option(p)
    p.add_argument("--params", default=None,
                   help="参数文件夹 / params folder (default: the workspace's params/)")
    add_cap_scope_option(p)
    p.add_argument("--engine", choices=("inprocess", "warm", "fresh"), default="inprocess",
                   help="inprocess：在工作进程自身的 IPython 中运行（默认，最快）；warm：每个进程"
                        "一个常驻内核；fresh：每个单位新内核 / inprocess: in the worker's own "
                        "IPython shell (default, fastest); warm: one kernel per worker, clean "
                        "namespace per unit; fresh: a new kernel per unit")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    add_document_options(p)
    p.set_defaults(func=run)


def add_document_options(p: argparse.ArgumentParser) -> None:
    """The printed documents: PDF, language, the notice's office and time zone, grades."""
    p.add_argument("--pdf", action="store_true",
                   help="同时生成 PDF（各单位及汇总表，需 Chromium） / also write PDFs of every "
                        "report and of the summary (needs Chromium)")
    p.add_argument("--docx", action="store_true",
                   help="同时生成 Word 文档（<单位>-通知书.docx 与 summary.docx） / also write "
                        "Word copies (<unit>-通知书.docx and summary.docx)")
    p.add_argument("--lang", choices=("zh", "zh-en"), default=None,
                   help="zh：仅中文；zh-en：中英对照；默认屏幕中英、打印与PDF仅中文 / zh: Chinese "
                        "only; zh-en: bilingual. Default: bilingual on screen, Chinese in print "
                        "and PDF")
    p.add_argument("--office", default=None,
                   help="通知书与汇总表的落款单位（默认 纪委办公室） / the issuing office on the "
                        "notice and summary (default 纪委办公室)")
    p.add_argument("--timezone", default=None,
                   help="日期所用时区（默认 Asia/Shanghai） / time zone of printed dates "
                        "(default Asia/Shanghai)")
    p.add_argument("--bands", default=None,
                   help="等次划分文件：通知书与汇总表显示等次 / grade bands file: the notice "
                        "and summary show each unit's grade")


def document_options(args: argparse.Namespace, ws: Workspace | None) -> DocumentOptions:
    """The notice's office, time zone and grade bands: the command line first, then kpa.toml.

    Why: an office sets its name and time zone once in its workspace; a one-off run may
    still override them. Without a workspace the documents' own defaults apply.
    """
    from pathlib import Path

    from kpa_core.report import DocumentOptions

    bands = Path(args.bands) if args.bands else (ws.bands if ws else None)
    return DocumentOptions(pdf=args.pdf, lang=args.lang,
                           office=args.office or (ws.office_name if ws else None),
                           timezone=args.timezone or (ws.timezone if ws else None),
                           jobs=args.jobs, bands=str(bands.resolve()) if bands else None,
                           notice_number=ws.notice_number if ws else None,
                           docx=getattr(args, "docx", False))


def unchanged_batch(args: argparse.Namespace, data: str | Path, out: str | Path,
                    params: str | Path, documents: DocumentOptions) -> BatchResult | None:
    """The batch's result when its stamps say it would change nothing (``report.quick``).

    Why: deciding that from content needs pandas and the scoring stack (~0.8 s of start-up
    for a batch that then does nothing); the stamps need only ``os.stat``.
    """
    from pathlib import Path

    from kpa_core.report import unchanged
    from kpa_core.store.paths import notebooks_dir

    return unchanged(args.year, args.units, Path(data), Path(out),
                     Path(params).resolve() / str(args.year), cap_scope_of(args), args.engine,
                     notebooks_dir() / "report.ipynb", documents)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.jobs is not None and args.jobs < 1:
        from kpa_core.errors import KpaInputError, Problem

        raise KpaInputError([Problem("并行数须为正整数", "--jobs must be a positive number",
                                     field="jobs", value=args.jobs, allowed_zh="≥ 1",
                                     allowed_en="≥ 1")])
    from kpa_core.store.workspace import find_workspace, workspace_of

    data, out, params = args.data, args.out, args.params
    if data is None or out is None or params is None:  # no command writes outside its workspace
        ws = find_workspace()
        data = data or ws.data_dir
        out = out or ws.out_dir / "reports" / str(args.year)
        params = params or ws.params_dir
    else:  # every folder given: the settings are those of the workspace holding the data
        ws = workspace_of(Path(data) / "units.csv")
    documents = document_options(args, ws)
    result = None if args.force else unchanged_batch(args, data, out, params, documents)
    if result is None:
        from kpa_core.report import run_batch

        result = run_batch(args.year, units=args.units, data_dir=data, out_dir=out,
                           params_dir=params, cap_scope=cap_scope_of(args), jobs=args.jobs,
                           force=args.force, engine=args.engine,
                           progress=not args.no_progress and sys.stderr.isatty(),
                           documents=documents)
    n_ok = sum(r.ok for r in result.rendered)
    print(f"生成 {n_ok} 份，未变化跳过 {len(result.skipped)} 份，失败 {len(result.failures)} 份"
          f"（{result.seconds:.1f} 秒） / rendered {n_ok}, unchanged and skipped "
          f"{len(result.skipped)}, failed {len(result.failures)} ({result.seconds:.1f} s)")
    if result.skipped and not result.rendered:
        print("输入未变化，未重新生成；如需重新生成请加 --force / inputs unchanged, nothing "
              "re-rendered; use --force to re-render")
    for uid, cause in sorted(result.failures.items()):
        print(f"失败 / FAILED {uid}:\n    " + cause.replace("\n", "\n    "), file=sys.stderr)
    for note in result.notes:
        print(note, file=sys.stderr)
    summary = result.out_dir / "summary.xlsx"
    if summary.is_file():
        print(f"汇总表 / summary: {summary}" + ("（及 PDF / and PDF）" if args.pdf else ""))
    print(f"打开 / open: {result.index_path}")
    print(f"    {result.index_path.as_uri()}")
    return EXIT_FAILED_UNITS if result.failures else 0
