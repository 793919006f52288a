"""整改要求: which requirements a unit's notice lists, in the notice's order.

Why in the core: the notice prints these items and the ledger tracks the same items to
closure, so both must come from one derivation. The record's own ``rectification`` wins (one
text for the whole unit, a line per requirement; or rule/item id → text); otherwise each
deducted rule gives one item in its own reason's words. Items are named as the rubric names
them (第1项（…）), never by their code id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kpa_core.rubric.model import Rubric
from kpa_core.rubric.names import item_name
from kpa_core.rubric.rules import entry_amount
from kpa_core.scoring.record import Record


@dataclass(frozen=True)
class Deduction:
    """One deducted rule of a record, as the notice lists it (rubric order)."""

    rule_id: str
    item_id: str
    reason: str


@dataclass(frozen=True)
class Requirement:
    """One 整改要求: its text and the rule or item it is about (None: the whole unit)."""

    key: str | None
    text: str


def deductions_of(record: Record, rubric: Rubric) -> list[Deduction]:
    """The record's deducted rules (non-zero, not bonuses) in rubric order."""
    out = []
    for rule_id, rule in rubric.rules.items():
        entry = record.entries.get(rule_id)
        if entry is None or rule.is_bonus or entry_amount(rule, entry) == 0:
            continue
        out.append(Deduction(rule_id, rule.item_id, str(entry.get("reason") or "")))
    return out


def requirement_items(rubric: Rubric, rectification: str | dict[str, str] | None,
                      deductions: Iterable[Deduction]) -> list[Requirement]:
    """The notice's 整改要求, in order; see the module docstring."""
    if isinstance(rectification, str):
        return [Requirement(None, t.strip()) for t in rectification.splitlines() if t.strip()]
    given = rectification or {}

    def name(key: str) -> str:
        head = key.split(".")[0]
        return item_name(rubric, head) if head in rubric.items else key

    items: list[Requirement] = []
    seen: set[str] = set()
    for d in deductions:
        for key in (d.rule_id, d.item_id):
            if key in given:  # the record's own words, once per rule or item
                if key not in seen:
                    seen.add(key)
                    items.append(Requirement(key, f"{name(key)}：{given[key].strip()}"))
                break
        else:
            if d.rule_id not in seen:
                seen.add(d.rule_id)
                what = d.reason or rubric.rules[d.rule_id].zh
                items.append(Requirement(d.rule_id, f"{name(d.rule_id)}：{what.rstrip('。')}。"))
    items += [Requirement(k, f"{name(k)}：{v.strip()}") for k, v in given.items()
              if k not in seen]
    return items
