"""Self-assessment (自评) beside the assessors' record (考核组), rule by rule.

A unit files its own record and the discipline-inspection office files another; the office
needs to see exactly where they disagree, with both stated reasons side by side, so that the
conversation with the unit starts from the rule and not from the total. Amounts come from the
same rule kinds that score (``rules.entry_amount``), so a comparison can never drift from the
scores it explains.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import Rubric, load_rubric
from kpa_core.rubric.rules import entry_amount
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import CAP_SCOPES, is_cap_scope_argument, score_record

COMPARE_COLUMNS = ["rule", "item", "assessor_amount", "self_amount", "difference",
                   "assessor_reason", "self_reason"]
# Chinese-first headers for tables shown to analysts (CLI, report).
COMPARE_HEADERS = {
    "rule": "规则 rule",
    "item": "条目 item",
    "assessor_amount": "考核组 assessors",
    "self_amount": "自评 self",
    "difference": "差额 difference (自评−考核组)",
    "assessor_reason": "考核组理由 assessors' reason",
    "self_reason": "自评理由 self reason",
}


def signed_amount(rubric: Rubric, rule_id: str, entry: dict[str, Any] | None) -> float:
    """Points a rule moves the score: deductions negative, bonuses positive, 0 when no entry."""
    if entry is None:
        return 0.0
    rule = rubric.rules[rule_id]
    amount = float(entry_amount(rule, entry))
    return amount if rule.is_bonus else -amount


def _reason(entry: dict[str, Any] | None) -> str:
    return str((entry or {}).get("reason") or "")


def check_comparable(assessor: Record, own: Record) -> None:
    """Both records must be of one unit, one year and one rubric, or the rows mean nothing."""
    problems = []
    for name, a, b in (("rubric", assessor.rubric, own.rubric), ("year", assessor.year, own.year),
                       ("unit", assessor.unit, own.unit)):
        if a != b:
            problems.append(Problem("考核组记录与自评记录不一致，无法对比",
                                    "the assessors' record and the self-assessment differ, "
                                    "cannot compare", unit=assessor.unit, field=name, value=b,
                                    allowed_zh=str(a), allowed_en=str(a),
                                    where=f"{assessor.source} ~ {own.source}"))
    if problems:
        raise KpaInputError(problems)


def compare_records(assessor: Record, own: Record, cap_scope: str | None = None) -> pd.DataFrame:
    """One row per rule on which the assessors and the unit's own record give different points.

    Amounts are signed (a deduction of 2 is −2, a bonus of 3 is +3); ``difference`` is
    self − assessor, so a positive difference means the unit scored itself higher on that rule.
    Rows follow the rubric's order of items and rules (B01 … B18, S1, S2). The frame's
    ``attrs`` carry both totals under the chosen cap scope (``assessor_total``, ``self_total``,
    ``cap_scope``, ``rubric``) so a caller can show the headline without rescoring.
    """
    check_comparable(assessor, own)
    if not is_cap_scope_argument(cap_scope):
        raise KpaInputError([Problem("选项取值不合法", "option value not allowed",
                                     unit=assessor.unit, field="cap_scope", value=cap_scope,
                                     allowed_zh="|".join(CAP_SCOPES),
                                     allowed_en="|".join(CAP_SCOPES))])
    rubric = load_rubric(assessor.rubric)
    rows = []
    for rule_id, rule in rubric.rules.items():  # rubric order is item order
        a_entry, s_entry = assessor.entries.get(rule_id), own.entries.get(rule_id)
        if a_entry is None and s_entry is None:
            continue
        a_amt = signed_amount(rubric, rule_id, a_entry)
        s_amt = signed_amount(rubric, rule_id, s_entry)
        if a_amt == s_amt:
            continue
        rows.append({"rule": rule_id, "item": rule.item_id, "assessor_amount": a_amt,
                     "self_amount": s_amt, "difference": s_amt - a_amt,
                     "assessor_reason": _reason(a_entry), "self_reason": _reason(s_entry)})
    frame = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    for col in ("assessor_amount", "self_amount", "difference"):
        frame[col] = frame[col].astype(float)
    a_card = score_record(assessor, cap_scope=cap_scope, rubric=rubric)
    s_card = score_record(own, cap_scope=cap_scope, rubric=rubric)
    frame.attrs.update({"assessor_total": a_card.total, "self_total": s_card.total,
                        "cap_scope": a_card.cap_scope, "rubric": rubric.id})
    return frame
