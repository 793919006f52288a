"""Options that several ``kpa`` subcommands share, defined once so their wording stays the same.

Also where an option's default comes from the workspace (``data_dir_of``, ``cap_scope_of``), so
that every command resolves ``--data`` and ``--cap-scope`` the same way from any folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kpa_core.store.workspace import CAP_SCOPES, Workspace, WorkspaceNotFound, find_workspace

DATA_HELP = "数据文件夹（默认：工作区的 data/）/ data folder (default: the workspace's data/)"


def add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default=None, help=DATA_HELP)


def existing_data_dir(given: str | Path) -> Path:
    """A ``--data`` folder that must exist: a moved or mistyped folder is exit 2 for every
    command, never a warning followed by an answer computed from something else."""
    path = Path(given)
    if not path.is_dir():
        from kpa_core.errors import KpaInputError, Problem

        raise KpaInputError([Problem(
            "数据文件夹不存在" if not path.exists() else "--data 不是文件夹",
            "the data folder does not exist" if not path.exists() else "--data is not a folder",
            field="--data", value=str(given), allowed_zh="已有的数据文件夹（含 units.csv）",
            allowed_en="an existing data folder (holding units.csv)")])
    return path


def add_cap_scope_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cap-scope", choices=CAP_SCOPES, default=None,
                   help="注1封顶层级：subarea 或 area，对每份记录生效（默认：记录自身的 "
                        "options.cap_scope，否则工作区 kpa.toml 的 cap_scope，否则 subarea）/ "
                        "where Note 1 caps, for every record: subarea or area (default: the "
                        "record's own options.cap_scope, else the workspace's kpa.toml "
                        "cap_scope, else subarea)")


def add_csv_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--csv", action="store_true", help="输出 CSV / print CSV")


def add_year_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="年度 / assessment year")


def optional_workspace() -> Workspace | None:
    """The workspace if there is one; for commands that can also work without (``--data``)."""
    try:
        return find_workspace()
    except WorkspaceNotFound:
        return None


def data_dir_of(args: argparse.Namespace) -> Path:
    """``--data``, else the workspace's ``data/`` (no workspace: exit 2 saying where we looked)."""
    if getattr(args, "data", None):
        return existing_data_dir(args.data)
    return find_workspace().data_dir


def cap_scope_of(args: argparse.Namespace) -> str | None:
    """``--cap-scope`` (overrides every record), else the workspace's ``cap_scope`` setting as
    a default (a record's own ``options.cap_scope`` wins over it), else None (the rubric's)."""
    if getattr(args, "cap_scope", None):
        return args.cap_scope
    ws = optional_workspace()
    if not (ws and ws.cap_scope):
        return None
    from kpa_core.scoring.score import cap_scope_default  # only here: an unchanged batch rerun

    return cap_scope_default(ws.cap_scope)  # imports no scoring stack (report_quick)


def load_year_of(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """``--year`` read from ``--data`` (or the workspace's data/), the units of units.csv that
    have no record named on stderr so none vanishes silently; returns the year and the units.
    What every command that ranks a year starts with, resolved the same way."""
    from kpa_core.year.data import load_units, load_year

    data_dir = data_dir_of(args)
    units = load_units(data_dir)
    year = load_year(data_dir, args.year, units=units)
    if note := year.missing_note(units):
        print(note, file=sys.stderr)
    return year, units


def add_reading_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reading", action="append", metavar="OPTION=VALUE", default=None,
                   help="歧义条款的其他解读（可重复），见 kpa sensitivity / another reading of an "
                        "ambiguous clause, e.g. B17.threshold=strict (repeatable)")
