"""kpa.toml's ``[rectify]``: how long a unit has to rectify after the publication.

``deadline_months = 1`` (the default: 限期一个月) or ``deadline_days = N``; one of them, a whole
number from 1 to 24 months or 1 to 730 days. The deadline is fixed when the ledger opens and
written into its line, so a later change of kpa.toml never moves a published year's deadlines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.workspace import read_config, workspace_of

BOUNDS = {"deadline_months": (1, 24), "deadline_days": (1, 730)}


@dataclass(frozen=True)
class RectifySettings:
    months: int | None = 1
    days: int | None = None

    def deadline(self, published_on: dt.date) -> dt.date:
        """The publication's date plus the allowed time (a month end clamps: 1-31 → 2-28)."""
        if self.days is not None:
            return published_on + dt.timedelta(days=self.days)
        months = self.months or 1
        total = published_on.month - 1 + months
        year, month = published_on.year + total // 12, total % 12 + 1
        day = min(published_on.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    def describe(self) -> str:
        return (f"{self.days} 天 / days" if self.days is not None
                else f"{self.months} 个月 / month(s)")


def parse_settings(raw: object, where: str | None = None) -> RectifySettings:
    """Check ``[rectify]``; every problem at once."""
    if raw is None:
        return RectifySettings()
    problems = []
    if not isinstance(raw, dict):
        raise KpaInputError([Problem("[rectify] 须为表", "[rectify] must be a table",
                                     field="rectify", value=raw, where=where)])
    for key, value in raw.items():
        if key not in BOUNDS:
            problems.append(Problem("未知的整改设置", "unknown rectify setting", field=key,
                                    value=value, allowed_zh="、".join(BOUNDS),
                                    allowed_en=", ".join(BOUNDS), where=where))
            continue
        lo, hi = BOUNDS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            problems.append(Problem("整改期限须为整数", "the rectification period must be a "
                                    "whole number", field=f"rectify.{key}", value=value,
                                    allowed_zh=f"{lo}–{hi}", allowed_en=f"{lo}-{hi}",
                                    where=where))
    if "deadline_months" in raw and "deadline_days" in raw:
        problems.append(Problem("deadline_months 与 deadline_days 只能设其一", "set "
                                "deadline_months or deadline_days, not both", field="rectify",
                                value=dict(raw), where=where))
    if problems:
        raise KpaInputError(problems)
    if "deadline_days" in raw:
        return RectifySettings(months=None, days=int(raw["deadline_days"]))
    return RectifySettings(months=int(raw.get("deadline_months", 1)))


def settings_of(data_dir: str | Path) -> RectifySettings:
    """The settings of the workspace holding ``data_dir`` (the defaults without kpa.toml)."""
    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    if ws is None:
        return RectifySettings()
    return parse_settings(read_config(ws.root).get("rectify"), str(ws.config_path))


def timezone_of(data_dir: str | Path) -> str | None:
    """The office's time zone (kpa.toml), for the dates the ledger shows."""
    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    return ws.timezone if ws else None
