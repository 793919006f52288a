"""Options that several ``kpa`` subcommands share, defined once so their wording stays the same."""

from __future__ import annotations

import argparse

from kpa_core.scoring import CAP_SCOPES


def add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default=None, help="数据文件夹 / data folder (default: ./data)")


def add_cap_scope_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cap-scope", choices=CAP_SCOPES, default=None,
                   help="注1封顶层级 / where Note 1 caps: subarea (default) or area")


def add_csv_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--csv", action="store_true", help="输出 CSV / print CSV")


def add_year_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="年度 / assessment year")


def add_reading_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reading", action="append", metavar="OPTION=VALUE", default=None,
                   help="歧义条款的其他解读（可重复），见 kpa sensitivity / another reading of an "
                        "ambiguous clause, e.g. B17.threshold=strict (repeatable)")
