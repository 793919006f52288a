"""``kpa reproduce``: rescore saved run parameters and prove the scores match, or show why not.

Exit status: 0 when every file reproduces ("reproduced / 已复现"), 1 when any differs (each
difference spelled out), 2 when a params file itself is invalid (missing or unknown field).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.reproduce.replay import (
    Reproduction,
    _num,
    params_files,
    report_text,
    reproduce_file,
    summary_causes,
)
from kpa_core.text.tables import render_table

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
                   help="数据文件夹，代替参数中 data/ 开头的路径（默认：工作区的 data/）/ data "
                        "folder used for stored paths under data/ (default: the workspace's "
                        "data/)")
    p.add_argument("--html", default=None, metavar="DIR",
                   help="同时重新生成报告 HTML 到此文件夹（相对路径按当前文件夹解析，与其他命令的 "
                        "--out 相同） / also re-render the reports into DIR (a relative DIR is "
                        "taken from the current folder, like every command's --out)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.data:  # a moved archive that is not there: exit 2, not "reproduced" from copies
        from kpa_core.cli.options import existing_data_dir

        existing_data_dir(args.data)
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
        print(summary_table(results))
        for line in duplicate_warnings(results):
            print(line)
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
    alone = sum(r.ok and r.data_status == "missing" for r in results)
    if alone:  # said loudly: these rest on the params' own copy, not on any data file
        print(f"⚠ {alone} 份仅凭参数中嵌入的副本复现，数据文件不存在 / {alone} rest on the copy "
              "embedded in the params alone: their data file is absent")
    if n_ok == total:
        print(f"reproduced / 已复现 ({n_ok}/{total})")
        return 0
    print(f"未复现 / NOT reproduced: {total - n_ok} / {total} 份不符 differ")
    return EXIT_INPUT if invalid else EXIT_DIFFERS


def summary_table(results: list[Reproduction]) -> str:
    """A folder run, one aligned row per unit: status, id, unit, year, totals, causes."""
    rows = [["✔ 已复现 reproduced" if r.ok else "✘ 未复现 NOT reproduced", r.unit_id or "-",
             r.unit, r.year, _num(r.old_total), "" if r.ok else _num(r.new_total),
             "; ".join(summary_causes(r)) or ("仅版式改动 layout only" if r.layout_only else "")]
            for r in results]
    return render_table(["状态 status", "编号 id", "单位 unit", "年度 year", "合计 total",
                         "现 now", "原因 causes"], rows)


def duplicate_warnings(results: list[Reproduction]) -> list[str]:
    """One warning per unit and year whose report params appear in more than one file.

    A folder holds one report per unit; two files for one unit mean one of them is misnamed
    (each misnamed file is also a problem of its own, so the run exits 1).
    """
    seen: dict[tuple[int, str], list[str]] = {}
    for r in results:
        if r.params.get("kind") == "report":
            seen.setdefault((r.year, r.unit_id or r.unit), []).append(Path(r.path).name)
    return [f"⚠ 同一单位出现多次 the same unit appears more than once: {who} {year}: "
            f"{', '.join(names)}" for (year, who), names in seen.items() if len(names) > 1]


def render_html(results: list[Reproduction], html_dir: Path, data_dir: str | None) -> None:
    """Re-render each unit's report (HTML and executed notebook) into ``html_dir``.

    Runs the report notebook through the report face's public entry point
    (``kpa_core.report.render_unit``), as the batch does for each unit. The notebook reads the data
    folder, so a unit whose data file is gone (or no longer reproduces) is rendered from what is
    there now, and said so; scenarios (no data file) are skipped.
    """
    try:
        from kpa_core import report as report_render
    except ImportError as exc:  # the report face is optional for the scoring core
        raise KpaInputError([Problem("报告模块尚不可用，无法生成 HTML",
                                     "the report modules are not available, so --html cannot "
                                     "re-render", field="--html", value=str(html_dir))]) from exc
    from kpa_core.scoring.record import check_unit_id
    from kpa_core.store.paths import notebooks_dir

    html_dir.mkdir(parents=True, exist_ok=True)
    print()
    for r in results:
        if r.params.get("kind") != "report" or r.data_path is None:
            print(f"  跳过 skipped {r.unit_id or r.unit}: 没有数据文件的方案 / a scenario without "
                  "a data file")
            continue
        if r.data_status == "missing" or not r.unit_id or check_unit_id(r.unit_id):
            print(f"  跳过 skipped {r.unit_id or r.unit}: 数据文件已不存在 / data file is gone")
            continue
        if not r.ok:
            print(f"  注意 note {r.unit_id}: 未复现，报告按现有数据生成 / not reproduced; the "
                  "report shows the data as it is now")
        task = report_render.UnitTask(
            unit_id=r.unit_id, notebook=str(notebooks_dir() / "report.ipynb"),
            parameters={"year": r.year, "unit": r.unit_id,
                        "data_dir": str(Path(r.data_path).resolve().parents[1]),
                        "rubric": r.rubric_id, "cap_scope": r.params["options"].get("cap_scope")},
            html_path=str((html_dir / f"{r.unit_id}.html").resolve()),
            ipynb_path=str((html_dir / f"{r.unit_id}.ipynb").resolve()),
            title=f"{r.unit} {r.year} 年度考核报告 / assessment report")
        done = report_render.render_unit(task)
        if done.ok:
            print(f"  报告 report: {done.html_path}  ({done.seconds:.1f} s)")
        else:
            print(f"  ✘ 报告失败 report failed {r.unit_id}: {done.error}", file=sys.stderr)
