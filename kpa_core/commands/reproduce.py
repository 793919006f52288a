"""``kpa reproduce``: rescore saved run parameters and prove the scores match, or show why not.

Exit status: 0 when every file reproduces ("reproduced / 已复现"), 1 when any differs (each
difference spelled out), 2 when a params file itself is invalid (missing or unknown field).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.reproduce import (
    Reproduction,
    params_files,
    report_text,
    reproduce_file,
    summary_line,
)

EXIT_DIFFERS = 1
EXIT_INPUT = 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="按保存的参数复现评分 / rescore from saved parameters and compare",
        description="按保存的运行参数（params/<年度>/<单位>.yaml）重新评分并与保存的得分比对；"
        "给出文件夹则逐个单位复现。 / Rescore from saved run parameters and compare with the "
        "saved scores; a folder (e.g. params/2013/) does every unit in it.",
    )
    p.add_argument("targets", nargs="+", metavar="PARAMS_OR_DIR",
                   help="参数文件或文件夹 / a params file or a folder of them")
    p.add_argument("--data", default=None,
                   help="数据文件夹（代替参数中 data/ 开头的路径） / data folder used for stored "
                        "paths under data/ (default: the project's)")
    p.add_argument("--html", default=None, metavar="DIR",
                   help="同时重新生成报告 HTML 到此文件夹 / also re-render the reports into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files: list[Path] = []
    missing = []
    for target in args.targets:
        if not Path(target).exists():
            missing.append(Problem("参数文件或文件夹不存在", "params file or folder not found",
                                   value=target, where=target))
            continue
        found = params_files(target)
        if not found:
            missing.append(Problem("文件夹中没有参数文件", "no params files in the folder",
                                   value=target, allowed_zh="*.yaml", allowed_en="*.yaml",
                                   where=target))
        files += found
    if missing:
        raise KpaInputError(missing)
    single = len(files) == 1
    if single:  # one file: schema problems are the whole answer (exit 2 via cli)
        results = [reproduce_file(files[0], data_dir=args.data)]
        invalid: list[KpaInputError] = []
    else:
        results, invalid = [], []
        for f in files:
            try:
                results.append(reproduce_file(f, data_dir=args.data))
            except KpaInputError as exc:
                invalid.append(exc)
                print(f"✘ 参数文件无效 invalid params  {f}", flush=True)
    if single:
        print(report_text(results[0]))
    else:
        for r in results:
            print(summary_line(r))
        failed = [r for r in results if not r.ok]
        for r in failed:
            print()
            print(report_text(r))
    for exc in invalid:
        print(exc.render(), file=sys.stderr)

    if args.html:
        render_html(results, Path(args.html), args.data)

    n_ok = sum(r.ok for r in results)
    total = len(results) + len(invalid)
    print()
    if n_ok == total:
        print(f"reproduced / 已复现 ({n_ok}/{total})")
        return 0
    print(f"未复现 / NOT reproduced: {total - n_ok} / {total} 份不符 differ")
    return EXIT_INPUT if invalid else EXIT_DIFFERS


def render_html(results: list[Reproduction], html_dir: Path, data_dir: str | None) -> None:
    """Re-render each reproduced unit's report through the report batch module, when present."""
    try:
        from kpa_core import report  # written in parallel; optional until it lands
    except ImportError as exc:
        raise KpaInputError([Problem("报告模块（kpa_core.report）尚不可用，无法生成 HTML",
                                     "the report module (kpa_core.report) is not available, "
                                     "so --html cannot re-render", field="--html",
                                     value=str(html_dir))]) from exc
    render = getattr(report, "render_from_params", None)
    if render is None:
        raise KpaInputError([Problem("报告模块没有 render_from_params，无法生成 HTML",
                                     "kpa_core.report has no render_from_params; --html "
                                     "cannot re-render", field="--html", value=str(html_dir))])
    for r in results:
        if r.record is None:
            continue
        out = render(r.params, html_dir, data_dir=data_dir)
        print(f"  报告 report: {out}")
