"""``kpa verify``: check the audit chain of each year against its records and params.

Exit 0 when every record and params file is explained by the chain, 1 when anything is not
(each named), 2 for unusable input. ``--attest`` brings records that reached the folder some
other way into the chain, with who accepted them and why.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.audit.log import check_who_why
from kpa_core.audit.people import resolve_who
from kpa_core.audit.verify import attest_year, verify_year
from kpa_core.cli.options import add_data_option, existing_data_dir
from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.paths import default_data_dir, default_params_dir
from kpa_core.text.sanitize import terminal_safe
from kpa_core.year.data import available_years


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="核对审计链、记录与参数 / check the audit chain against records and params",
        description="逐年核对审计日志的哈希链、磁盘上的记录与保存的参数；"
        "退出码 0 表示一致，1 表示有不一致（逐项列出）。"
        " / Walk each year's audit hash chain against the records on disk and the params; "
        "exit 0 when they agree, 1 naming every disagreement.",
    )
    p.add_argument("--year", type=int, default=None, help="年度（默认全部）/ year (default: all)")
    add_data_option(p)
    p.add_argument("--params", default=None,
                   help="参数文件夹（默认：工作区的 params/）/ params folder (default: the "
                        "workspace's params/)")
    p.add_argument("--attest", action="store_true",
                   help="将链中没有说明的现有记录纳入审计链（须 --who 与 --why）/ attest the "
                        "records no line explains (needs --who and --why)")
    p.add_argument("--who", default=None, help="确认人 / who attests")
    p.add_argument("--why", default=None, help="确认原因 / why")
    p.add_argument("--seal", default=None, metavar="CODE",
                   help="核对盖章纸面上的封存码（须 --year）/ check the seal code printed on the "
                        "stamped notice (needs --year)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir = existing_data_dir(args.data) if args.data else default_data_dir()
    params_dir = Path(args.params) if args.params else default_params_dir()
    if not (data_dir / "units.csv").is_file():
        raise KpaInputError([Problem("数据文件夹不存在或缺少 units.csv",
                                     "data folder missing or without units.csv",
                                     field="data", value=str(data_dir),
                                     allowed_zh="含 units.csv 的文件夹",
                                     allowed_en="a folder holding units.csv")])
    years = [args.year] if args.year is not None else available_years(data_dir)
    if args.year is not None and not (data_dir / str(args.year)).is_dir():
        raise KpaInputError([Problem("没有该年度的数据", "no data for that year", field="year",
                                     value=args.year,
                                     allowed_zh="、".join(map(str, available_years(data_dir))),
                                     allowed_en=", ".join(map(str, available_years(data_dir))))])
    if args.seal is not None and args.year is None:
        raise KpaInputError([Problem("--seal 须与 --year 一起使用", "--seal needs --year",
                                     field="seal", value=args.seal)])
    if args.attest:
        args.who = resolve_who(data_dir, args.who)  # a listed person when kpa.toml has people
        if problems := check_who_why(args.who, args.why):
            raise KpaInputError(problems)
        for year in years:
            for path in attest_year(data_dir, year, args.who, args.why):
                print(f"已确认 attested: {path}")
    status = 0
    for year in years:
        verdict = verify_year(data_dir, year, params_dir)
        for note in verdict.notes:
            print(f"  注意 note: {terminal_safe(note)}")
        for failure in verdict.failures:
            print(f"  ✘ {terminal_safe(failure)}")
        if verdict.failures:
            status = 1
            print(f"✘ {year}: {len(verdict.failures)} 处不一致 / disagreement(s) "
                  f"({verdict.checked} 份记录 records, {verdict.lines} 行 lines)")
        else:
            print(f"✔ {year}: 审计链与 {verdict.checked} 份记录、参数一致 / the chain "
                  f"({verdict.lines} lines) explains all {verdict.checked} records and the params")
    if args.seal is not None:
        status = max(status, _check_seal(data_dir, args.year, args.seal))
    return status


def _check_seal(data_dir: Path, year: int, code: str) -> int:
    """``--seal``: the chain up to the publication line against the code on the paper."""
    from kpa_core.audit.seal import verify_seal

    verdict = verify_seal(data_dir, year, code)
    for note in verdict.notes:
        print(f"  注意 note: {terminal_safe(note)}")
    for failure in verdict.failures:
        print(f"  ✘ {terminal_safe(failure)}")
    if verdict.failures:
        print(f"✘ {year}: 封存码 {verdict.code} 核对不通过 / the seal {verdict.code} does not "
              "hold")
        return 1
    pub = verdict.publication
    assert pub is not None
    print(f"✔ {year}: 封存码 {verdict.code} 与审计链及记录一致（{pub.describe()}）/ the seal "
          "holds: the chain up to the publication and the sealed records match")
    return 0
