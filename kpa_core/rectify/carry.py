"""Next year sees last year: 上年整改情况 and 重复扣分.

The report and notice of year Y show each item of the unit's Y−1 ledger and how it stands,
and mark a rule deducted in both years (重复扣分): the office's follow-up (回头看) looks first
at a problem that came back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kpa_core.audit.rectify_chain import ItemState
from kpa_core.errors import KpaInputError
from kpa_core.rectify.ledger import ledger_of, unit_items
from kpa_core.rectify.requirements import deductions_of
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import Record, load_record
from kpa_core.store.layout import record_path


def previous_year(data_dir: str | Path, year: int, unit_id: str, *,
                  as_of: dt.date | None = None) -> list[ItemState]:
    """The unit's items of year−1's ledger (published years only), in the notice's order."""
    return unit_items(ledger_of(data_dir, int(year) - 1, as_of=as_of), unit_id)


def deducted_rules(record: Record) -> set[str]:
    """The rule ids a record deducts (non-zero, not bonuses)."""
    rubric = load_rubric(record.rubric)
    return {d.rule_id for d in deductions_of(record, rubric)}


def repeated_rules(data_dir: str | Path, year: int, unit_id: str,
                   record: Record | None = None) -> set[str]:
    """Rules deducted in this year's record and in the unit's assessors' record of year−1.

    ``record`` is this year's record as the caller holds it (a report's snapshot); without it,
    the file on disk. A missing or unreadable record of year−1 gives no repeats.
    """
    path = record_path(data_dir, int(year) - 1, unit_id)
    if not path.is_file():
        return set()
    try:
        before = load_record(path, unit_id=unit_id)
        now = record if record is not None else load_record(
            record_path(data_dir, year, unit_id), unit_id=unit_id)
    except KpaInputError:
        return set()
    return deducted_rules(before) & deducted_rules(now)
