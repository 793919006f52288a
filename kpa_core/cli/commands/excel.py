"""``kpa template``, ``kpa import``, ``kpa export``: the Excel entry route.

Three subcommands in one module because they share one workbook layout
(``kpa_core.excel.template``); the YAML records under ``data/`` stay the source of truth.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.cli.options import DATA_HELP, add_year_option, data_dir_of, optional_workspace
from kpa_core.rubric.model import DEFAULT_RUBRIC_ID, available_rubrics
from kpa_core.scoring.record import ROLES
from kpa_core.store.layout import is_year_folder

ROLE_HELP = ("记录角色：assessor 考核组或 self 自评（默认：assessor）/ record role: assessor or "
             "self (default: assessor)")


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("template", help="生成 Excel 填报模板 / write an empty Excel workbook",
                       description="为 units.csv 的每个单位和细则的每条规则各写一行的空白工作簿。"
                                   " / An empty workbook: one row per unit and rule.")
    add_year_option(t)
    t.add_argument("--data", default=None, help=DATA_HELP)
    t.add_argument("--out", default=None, help="输出文件；若为已有文件夹，则写入其中的 "
                                                "kpa-<年度>.xlsx / output file; an existing "
                                                "folder gets kpa-<year>.xlsx inside it (default: "
                                                "the workspace's out/kpa-<year>.xlsx)")
    t.add_argument("--rubric", default=DEFAULT_RUBRIC_ID, choices=available_rubrics(),
                   help="考核细则版本 / rubric id")
    t.add_argument("--role", default="assessor", choices=list(ROLES), help=ROLE_HELP)
    t.set_defaults(func=run_template)

    i = sub.add_parser("import", help="导入已填写的工作簿为考核记录 / import a filled workbook",
                       description="把已填写的工作簿转为 data/<年度>/<单位编号>.yaml；有任何问题则"
                                   "一个文件也不写；一行也没填的单位跳过，其已有记录保持不变。"
                                   " / Turn a filled workbook into records; writes nothing if "
                                   "anything is wrong; a unit with no filled row is skipped and "
                                   "its existing record left unchanged.")
    i.add_argument("workbook", nargs="?", help="工作簿 .xlsx / the filled workbook")
    i.add_argument("--data", default=None, help=DATA_HELP)
    i.add_argument("--recover", type=int, metavar="YEAR", default=None,
                   help="完成或撤销该年度被中断的导入 / finish or roll back an interrupted "
                        "import of YEAR")
    i.add_argument("--who", default=None, help="导入人（写入审计日志）/ who imports (audit log)")
    i.add_argument("--why", default=None, help="导入原因 / why (audit log)")
    i.set_defaults(func=run_import)

    e = sub.add_parser("export", help="把一年的记录导出为工作簿 / export a year to Excel",
                       description="把一年的考核记录写成与模板相同格式的工作簿。 / Write a "
                                   "year's records in the template layout, filled.")
    add_year_option(e)
    e.add_argument("--data", default=None, help=DATA_HELP)
    e.add_argument("--out", default=None, help="输出文件；若为已有文件夹，则写入其中的 "
                                                "kpa-<年度>-export.xlsx / output file; an "
                                                "existing folder gets kpa-<year>-export.xlsx "
                                                "inside it (default: the workspace's "
                                                "out/kpa-<year>-export.xlsx)")
    e.add_argument("--role", default="assessor", choices=list(ROLES), help=ROLE_HELP)
    e.set_defaults(func=run_export)


def output_path(out: str | None, default_name: str) -> Path:
    """``--out``: a file path, or an existing folder that gets the default file name inside.

    Analysts often pass the folder they keep workbooks in; writing there beats refusing.
    Without ``--out`` the workbook goes to the workspace's output folder (never untracked into
    a repository's root), or the current folder when there is no workspace.
    """
    if out is None:
        ws = optional_workspace()
        if ws is None:
            return Path(default_name)
        ws.out_dir.mkdir(parents=True, exist_ok=True)
        return ws.out_dir / default_name
    path = Path(out)
    return path / default_name if path.is_dir() else path


def run_template(args: argparse.Namespace) -> int:
    from kpa_core.excel import write_template  # openpyxl: only when used

    out = output_path(args.out, f"kpa-{args.year}.xlsx")
    path = write_template(data_dir_of(args), args.year, out, args.rubric, args.role)
    print(f"已写入模板 / template written: {path}")
    print(f"下一步 / next: 填写后导入 fill it in, then: kpa import {_shown(path)}"
          " --who <姓名 name>")
    return 0


def _shown(path: Path) -> str:
    """A path as the analyst would type it from the current folder (relative when inside)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def run_import(args: argparse.Namespace) -> int:
    from kpa_core.audit.journal import recover_import
    from kpa_core.excel import import_workbook  # openpyxl: only when used

    data_dir = data_dir_of(args)
    if args.recover is not None:
        done = recover_import(data_dir, args.recover)
        print({"finished": f"{args.recover} 年度被中断的导入已完成 / the interrupted import "
                           "was finished",
               "rolled back": f"{args.recover} 年度被中断的导入已撤销 / the interrupted import "
                              "was rolled back",
               None: f"{args.recover} 年度没有被中断的导入 / no interrupted import"}[done])
        if args.workbook is None:
            return 0
    if args.workbook is None:
        from kpa_core.errors import KpaInputError, Problem

        raise KpaInputError([Problem("须给出工作簿或 --recover 年度", "give a workbook or "
                                     "--recover YEAR", field="workbook",
                                     allowed_zh="kpa import 文件.xlsx",
                                     allowed_en="kpa import FILE.xlsx")])
    who = _who(data_dir, args.who, args.workbook)
    result = import_workbook(args.workbook, data_dir, who=who, why=args.why)
    written = result.written
    replaced = sum(1 for _, was_there in written if was_there)
    print(f"已导入 {len(written)} 份记录（新建 {len(written) - replaced}，替换 {replaced}），"
          f"跳过 {len(result.skipped)} 个未填写的单位 / {len(written)} record(s) imported "
          f"({len(written) - replaced} new, {replaced} replaced), {len(result.skipped)} "
          "unit(s) with nothing filled skipped:")
    for path, was_there in written:
        print(f"  {'替换 replaced' if was_there else '新建 new     '}  {path}")
    for unit_id, path, exists in result.skipped:
        if exists:
            print(f"  跳过 skipped   {unit_id}: 未填写，保留原记录 / nothing filled: left "
                  f"unchanged ({path})")
        else:
            print(f"  跳过 skipped   {unit_id}: 未填写，不新建记录 / nothing filled: no record "
                  "created")
    left_out = [uid for uid, _, exists in result.skipped if not exists]
    if written and left_out:  # said plainly: these units will not be scored or ranked
        names = "、".join(left_out)
        print(f"注意 / note: {len(left_out)} 个单位没有记录，不参加评分排名：{names}。"
              "某单位确无扣分时，在它的任一行填 0 或 false 后重新导入"
              f" / {len(left_out)} unit(s) have no record and will not be ranked: "
              f"{', '.join(left_out)}. A unit with no deduction: enter 0 or false on any one "
              "of its rows and import again.")
    if written:
        year = next(part for part in reversed(Path(written[0][0]).parts)
                    if is_year_folder(part))
        print(f"下一步 / next: kpa score --year {year}")
    else:
        print("下一步 / next: 工作簿中没有填写的行，没有写入任何记录；填写后重新导入 / the "
              "workbook has no filled row, so nothing was written: fill it in and import it again")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from kpa_core.excel import write_export  # openpyxl: only when used

    out = output_path(args.out, f"kpa-{args.year}-export.xlsx")
    path = write_export(data_dir_of(args), args.year, out, args.role)
    print(f"已导出 / exported: {path}")
    return 0


def _who(data_dir: Path, who: str | None, workbook: str) -> str:
    """The importer: kpa.toml's person for this login, else ``--who`` (asked for, never `root`).

    Without one, the workbook is still checked, so its problems and this one come together.
    """
    from kpa_core.audit.people import resolve_who
    from kpa_core.errors import KpaInputError

    try:
        return _who_or_refuse(resolve_who(data_dir, who))
    except KpaInputError as exc:
        from kpa_core.excel import read_workbook

        try:
            read_workbook(workbook, data_dir)
        except KpaInputError as bad:
            raise KpaInputError(bad.problems + exc.problems) from bad
        raise


def _who_or_refuse(who: str | None) -> str:
    from kpa_core.errors import KpaInputError, Problem

    if not who or not who.strip():
        raise KpaInputError([Problem("须用 --who 姓名 指明导入人（写入审计日志）", "name who "
                                     "imports with --who NAME (it goes into the audit log)",
                                     field="who", allowed_zh="kpa import 文件.xlsx --who 姓名",
                                     allowed_en="kpa import FILE.xlsx --who NAME")])
    return who
