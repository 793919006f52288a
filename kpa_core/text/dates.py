"""Dates as an office writes them: in the workspace's time zone, ``2013年12月20日``.

Why: reports used to print UTC ISO stamps (``2026-11-27T23:17:38+00:00``), which is the
previous day for an office in Karamay for eight hours of every day. Everything a person
reads goes through here; machine files (params, manifests) keep their UTC ISO stamps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kpa_core.errors import KpaInputError, Problem

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone (default Asia/Shanghai); an unknown name is an input problem."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise KpaInputError([Problem("未知的时区", "unknown time zone", field="timezone",
                                     value=name, allowed_zh="IANA 时区名，如 Asia/Shanghai",
                                     allowed_en="an IANA zone name such as Asia/Shanghai")]
                            ) from None


def local(when: str | datetime | None, tz: str | None = None) -> datetime:
    """``when`` (an ISO stamp or datetime; naive means UTC; None means now) in the zone."""
    if when is None:
        moment = datetime.now(UTC)
    elif isinstance(when, datetime):
        moment = when
    else:
        moment = datetime.fromisoformat(when)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(tz))


def zh_date(when: str | datetime | None, tz: str | None = None) -> str:
    """``2013年12月20日`` — no leading zeros, as on a printed notice."""
    d = local(when, tz)
    return f"{d.year}年{d.month}月{d.day}日"


def zh_datetime(when: str | datetime | None, tz: str | None = None) -> str:
    """``2013年12月20日 09:05`` with the zone's name after it (北京时间 for Shanghai)."""
    d = local(when, tz)
    tz_name = tz or DEFAULT_TIMEZONE
    name = "北京时间" if tz_name == DEFAULT_TIMEZONE else tz_name
    return f"{zh_date(d, tz)} {d:%H:%M}（{name}）"
