"""What the rubric expects and what is missing: deductions and bonuses that cite no file.

Every item of the rubric says how it is assessed (查执行资料, 查阅支部学习记录 …): a score that
moves rests on something seen. A deduction without a cited file is allowed, but it is named,
so the office sees before publication which scores nobody could show the ground of next year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kpa_core.evidence.citation import EVIDENCE_FIELD, cited_hashes
from kpa_core.rubric.rules import kind_of

if TYPE_CHECKING:
    from kpa_core.rubric.model import Rubric


@dataclass(frozen=True)
class Missing:
    """One rule of one record that moves the score and cites no evidence file."""

    rule_id: str
    points: float  # signed: a deduction is negative
    method_zh: str  # the item's own method clause (查…)


def moves_score(rubric: Rubric, rule_id: str, entry: Any) -> float:
    """The signed points of one entry (0 when it changes nothing or cannot be read)."""
    rule = rubric.rules.get(rule_id)
    if rule is None or not isinstance(entry, dict):
        return 0.0
    kind = kind_of(rule)
    if kind.value_field not in entry or kind.check_value(rule, entry[kind.value_field]):
        return 0.0
    amount = kind.amount(rule, entry[kind.value_field])
    return amount if rule.is_bonus else -amount


def missing_evidence(entries: dict[str, Any], rubric: Rubric) -> list[Missing]:
    """The rules that deduct (or award a bonus) with no ``evidence_files``, in rubric order."""
    out = []
    for rule_id in rubric.rules:
        entry = entries.get(rule_id)
        points = moves_score(rubric, rule_id, entry)
        if points and not (isinstance(entry, dict) and entry.get(EVIDENCE_FIELD)):
            item = rubric.items.get(rubric.rules[rule_id].item_id)
            method = (item.evidence or {}).get("zh", "") if item is not None else ""
            out.append(Missing(rule_id, points, method))
    return out


def files_behind_deductions(entries: dict[str, Any], rubric: Rubric) -> int:
    """How many distinct files the deductions and bonuses rest on (for the notice)."""
    moving = {rid: e for rid, e in entries.items() if moves_score(rubric, rid, e)}
    return len(cited_hashes(moving))
