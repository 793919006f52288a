"""The rectification ledger (整改台账) as the year's chain holds it: items, reports, checks.

The ledger is not a file beside the records: it is three kinds of line in the published year's
own hash chain, so ``kpa verify`` and the seal cover it with everything else.

- ``rectify_open`` (one per year, after the publication): ``items`` lists every 整改要求 of
  every notice with its unit, item id (R1, R2, … in notice order), rule or item id, text and
  deadline; ``publication`` names the seal code it follows.
- ``rectify_report``: a unit's 整改报告 for one item (text, evidence sha256s).
- ``rectify_check``: the office's 核查 of a report: ``pass`` closes the item (已销号), ``fail``
  returns it to 整改中 with the reason.

An item's status is derived by replaying these lines, never stored::

    open (未整改) --report--> awaiting_check (已整改待核查) --pass--> closed (已销号)
                              awaiting_check --fail--> in_progress (整改中) --report--> …

and an item neither closed nor awaiting a check is 逾期 (overdue) once the office's date is past
its deadline. This module needs only the chain (the audit room): where items come from (the
notices) and the commands that write these lines are ``kpa_core.rectify``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kpa_core.audit.log import Chain, ChainLine
from kpa_core.text.dates import local

OPEN, REPORT, CHECK = "rectify_open", "rectify_report", "rectify_check"
ACTIONS = (OPEN, REPORT, CHECK)
STATUS = {
    "open": ("未整改", "not started"),
    "in_progress": ("整改中", "in progress"),
    "awaiting_check": ("已整改待核查", "reported, awaiting check"),
    "closed": ("已销号", "closed"),
    "overdue": ("逾期", "overdue"),
}
RESULTS = {"pass": ("通过", "passed"), "fail": ("不通过", "failed")}


@dataclass(frozen=True)
class RectifyItem:
    """One 整改要求 of one unit's notice, as the ledger opened it."""

    year: int
    unit_id: str
    item_id: str  # R1, R2, … in the notice's order
    rule_id: str | None  # the rule or item it is about; None for a whole-unit text
    text: str
    deadline: dt.date


@dataclass(frozen=True)
class Report:
    """The unit's 整改报告 for an item."""

    when: str
    who: str
    by_role: str
    text: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """The office's 核查 of the last report: ``pass`` or ``fail``, with why."""

    when: str
    who: str
    by_role: str
    result: str
    why: str

    @property
    def result_zh(self) -> str:
        return RESULTS.get(self.result, (self.result, self.result))[0]


@dataclass(frozen=True)
class ItemState:
    """An item and what happened to it, replayed from the chain."""

    item: RectifyItem
    status: str
    reports: tuple[Report, ...] = ()
    checks: tuple[Check, ...] = ()
    closed_on: dt.date | None = None

    @property
    def status_zh(self) -> str:
        return STATUS[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS[self.status][1]

    @property
    def label(self) -> str:
        """``已销号 / closed``: how lists and documents name the status."""
        return f"{self.status_zh} / {self.status_en}"


@dataclass(frozen=True)
class Ledger:
    """A year's ledger: ``opened`` once its ``rectify_open`` line is in the chain."""

    year: int
    opened: bool
    published_on: dt.date | None
    items: tuple[ItemState, ...] = ()
    publication: str | None = None  # the seal code of the publication it follows

    def of_unit(self, unit_id: str) -> list[ItemState]:
        return [s for s in self.items if s.item.unit_id == unit_id]

    def find(self, unit_id: str, item_id: str) -> ItemState | None:
        return next((s for s in self.items
                     if s.item.unit_id == unit_id and s.item.item_id == item_id), None)

    def counts(self) -> dict[str, int]:
        """status → number of items, every status present (0 when none)."""
        out = dict.fromkeys(STATUS, 0)
        for s in self.items:
            out[s.status] += 1
        return out

    def still_open(self, unit_id: str | None = None) -> list[ItemState]:
        """Items not yet 已销号 (of one unit, or all)."""
        return [s for s in self.items if s.status != "closed"
                and (unit_id is None or s.item.unit_id == unit_id)]


def base_status(reports: int, checks: list[Check]) -> str:
    """The status before the deadline is considered: from the order of reports and checks."""
    if checks and len(checks) >= reports:
        return "closed" if checks[-1].result == "pass" else "in_progress"
    return "awaiting_check" if reports else "open"


def with_deadline(status: str, deadline: dt.date, as_of: dt.date | None) -> str:
    """逾期 when nothing is waiting on the office and the office's date is past the deadline."""
    if as_of is not None and status in ("open", "in_progress") and as_of > deadline:
        return "overdue"
    return status


def item_of(year: int, raw: dict[str, Any]) -> RectifyItem:
    return RectifyItem(int(year), str(raw["unit"]), str(raw["item"]),
                       raw.get("rule") if isinstance(raw.get("rule"), str) else None,
                       str(raw["text"]), dt.date.fromisoformat(str(raw["deadline"])))


def office_date(when: str | None, tz: str | None = None) -> dt.date | None:
    """A line's time as the office's calendar date (Beijing unless told otherwise)."""
    if not when:
        return None
    try:
        return local(when, tz).date()
    except (ValueError, TypeError):
        return None


def replay(chain: Chain, year: int, *, as_of: dt.date | None = None,
           tz: str | None = None) -> tuple[Ledger, list[str]]:
    """The ledger the chain holds, and every line that breaks its rules (for ``kpa verify``).

    A line that breaks the rules (an unknown item, a report on a closed item, a check with
    nothing to check) is named and left out of the states, so the states shown are always
    ones the rules allow.
    """
    problems: list[str] = []
    opened: ChainLine | None = None
    publish_when: str | None = None
    items: dict[tuple[str, str], RectifyItem] = {}
    reports: dict[tuple[str, str], list[Report]] = {}
    checks: dict[tuple[str, str], list[Check]] = {}
    for ln in chain.lines:
        d, action = ln.data, ln.data.get("action")
        if action == "publish" and d.get("scope_unit") is None and publish_when is None:
            publish_when = d.get("when")
        if action not in ACTIONS:
            continue
        if action == OPEN:
            if opened is not None:
                problems.append(f"第 {ln.number} 行：整改台账重复开立 / line {ln.number}: the "
                                f"ledger is opened a second time (first at line {opened.number})")
                continue
            if publish_when is None:
                problems.append(f"第 {ln.number} 行：年度未签发即开立整改台账 / line {ln.number}: "
                                "a ledger opened before the year was published")
                continue
            opened = ln
            for raw in d.get("items") or []:
                try:
                    it = item_of(year, raw)
                except (KeyError, TypeError, ValueError):
                    problems.append(f"第 {ln.number} 行：整改事项不完整 / line {ln.number}: an "
                                    f"item lacks unit, item, text or deadline: {raw!r:.120}")
                    continue
                items[(it.unit_id, it.item_id)] = it
            continue
        key = (str(d.get("unit_id")), str(d.get("item")))
        where = f"第 {ln.number} 行（{key[0]} {key[1]}）/ line {ln.number} ({key[0]} {key[1]})"
        if key not in items:
            problems.append(f"{where}：台账中没有该整改事项 / no such item in the ledger")
            continue
        status = base_status(len(reports.get(key, [])), checks.get(key, []))
        if action == REPORT:
            if status in ("closed", "awaiting_check"):
                problems.append(f"{where}：事项{STATUS[status][0]}，不能再报送整改情况 / a "
                                f"report on an item that is {STATUS[status][1]}")
                continue
            ev = d.get("evidence") or []
            reports.setdefault(key, []).append(Report(
                str(d.get("when")), str(d.get("who")), str(d.get("by_role") or ""),
                str(d.get("text") or ""), tuple(str(x) for x in ev)))
        else:
            if status != "awaiting_check" or d.get("result") not in RESULTS:
                problems.append(f"{where}：没有待核查的整改报告或结果不合法 / a check with no "
                                f"report awaiting it, or an unknown result {d.get('result')!r}")
                continue
            checks.setdefault(key, []).append(Check(
                str(d.get("when")), str(d.get("who")), str(d.get("by_role") or ""),
                str(d.get("result")), str(d.get("why") or "")))
    states = []
    for key, it in items.items():
        done = checks.get(key, [])
        status = base_status(len(reports.get(key, [])), done)
        closed_on = office_date(done[-1].when, tz) if status == "closed" else None
        states.append(ItemState(it, with_deadline(status, it.deadline, as_of),
                                tuple(reports.get(key, [])), tuple(done), closed_on))
    ledger = Ledger(int(year), opened is not None, office_date(publish_when, tz), tuple(states),
                    (opened.data.get("publication") if opened is not None else None))
    return ledger, problems


def evidence_of(ledger: Ledger) -> list[tuple[ItemState, str]]:
    """Every (item, sha256) a report cites: ``kpa verify`` checks each file is stored whole."""
    return [(s, sha) for s in ledger.items for r in s.reports for sha in r.evidence]
