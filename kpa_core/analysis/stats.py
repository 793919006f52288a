"""College-wide analysis of scored years: where points are lost, by whom, and what moved.

The discipline office asks questions of the whole year, not of one unit: which rules are broken
everywhere, how offices compare with teaching departments, who moved since last year and why,
and which units rate themselves far above the assessors. Each function here is pure: it takes
scored years (``scoring.YearScores``) or records and returns one DataFrame, so the explore
notebook, the static overview page and the benchmarks all read the same numbers.

Conventions: "points lost" are positive numbers (a deduction of 2 is 2 lost); signed amounts
(deductions negative, bonuses positive) are the scoring breakdown's own. Units are keyed by
their unit id; Chinese labels come from the rubric and ``units.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kpa_core.rubric.model import Rubric
from kpa_core.scoring.compare import signed_amount
from kpa_core.scoring.ordering import ranked
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import YearScores, score_year, unit_key

KIND_LABELS = {"office": "行政部门 / administrative office",
               "department": "教学系部 / teaching department"}


def _deductions(scores: YearScores) -> pd.DataFrame:
    """The breakdown rows that deduct (basic part), with points lost as positive numbers."""
    b = scores.breakdown
    bonus_rules = {r.id for r in scores.rubric.rules.values() if r.is_bonus}
    out = b[~b["rule"].isin(bonus_rules)].copy()
    out["lost"] = -out["amount"].astype(float)
    return out


def points_lost_matrix(scores: YearScores, all_rules: bool = False) -> pd.DataFrame:
    """Rules × units: the points each unit lost on each deducting rule (0 where none).

    Rows follow the rubric's order; by default only rules some unit lost points on are kept
    (``all_rules=True`` keeps every basic rule, for comparing years side by side). Columns are
    the year's units in ranking order (best first), so a heatmap reads from strong to weak.
    """
    rubric = scores.rubric
    ded = _deductions(scores)
    order = ranked(scores.table).index.tolist()
    rules = [r.id for r in rubric.rules.values() if not r.is_bonus]
    matrix = (ded.pivot_table(index="rule", columns="unit_id", values="lost", aggfunc="sum")
              .reindex(index=rules, columns=order).fillna(0.0).astype(float))
    if not all_rules:
        matrix = matrix[matrix.sum(axis=1) > 0]
    matrix.index.name, matrix.columns.name = "rule", "unit_id"
    return matrix


def reasons_matrix(scores: YearScores, matrix: pd.DataFrame | None = None) -> pd.DataFrame:
    """The stated reason behind each cell of ``points_lost_matrix`` ('' where nothing lost)."""
    matrix = points_lost_matrix(scores) if matrix is None else matrix
    ded = _deductions(scores)
    reasons = ded.set_index(["rule", "unit_id"])["reason"]
    out = pd.DataFrame("", index=matrix.index, columns=matrix.columns, dtype=object)
    for (rule, unit), reason in reasons.items():
        if rule in out.index and unit in out.columns:
            out.loc[rule, unit] = str(reason)
    return out


def most_deducted_rules(scores: YearScores) -> pd.DataFrame:
    """Deducting rules ranked by how many units lost points on them, then by points lost.

    Columns: rule, item, area, label (Chinese text of the rule), units (count of units that
    lost points), share (units / units scored), points (sum lost over the College), mean (per
    unit that lost points).
    """
    rubric = scores.rubric
    ded = _deductions(scores)
    n_units = len(scores.table)
    grouped = ded.groupby("rule").agg(units=("unit_id", "nunique"), points=("lost", "sum"))
    rows = []
    for rule_id, g in grouped.iterrows():
        rule = rubric.rules[rule_id]
        rows.append({"rule": rule_id, "item": rule.item_id,
                     "area": rubric.items[rule.item_id].area_id, "label": rule.zh,
                     "units": int(g["units"]), "share": g["units"] / n_units,
                     "points": float(g["points"]), "mean": float(g["points"]) / g["units"]})
    frame = pd.DataFrame(rows, columns=["rule", "item", "area", "label", "units", "share",
                                        "points", "mean"])
    return frame.sort_values(["units", "points", "rule"], ascending=[False, False, True],
                             ignore_index=True)


def totals_by_kind(scores: YearScores, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Administrative offices vs teaching departments: count, mean, median, min, max total,
    and the mean of each top area and of the bonus.

    ``kinds`` maps unit id → kind (``office`` or ``department``, as in units.csv); a unit not
    in it is counted under ``other``. The last row, ``all``, is the whole College.
    """
    table = scores.table.copy()
    table["kind"] = [kinds.get(u, "other") for u in table["unit_id"]]
    areas = [a.id for a in scores.rubric.top_areas]
    rows = []
    groups = [(k, table[table["kind"] == k]) for k in sorted(table["kind"].unique())]
    for kind, g in [*groups, ("all", table)]:
        row = {"kind": kind, "label": KIND_LABELS.get(kind, "全院 / College" if kind == "all"
                                                      else "其他 / other"),
               "units": len(g), "mean": g["total"].mean(), "median": g["total"].median(),
               "min": g["total"].min(), "max": g["total"].max()}
        row.update({f"mean_{a}": g[a].mean() for a in areas})
        row["mean_bonus"] = g["bonus"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def rule_amounts(scores: YearScores) -> pd.DataFrame:
    """Unit × rule signed amounts (deductions negative, bonuses positive; 0 where no entry)."""
    b = scores.breakdown
    return (b.pivot_table(index="unit_id", columns="rule", values="amount", aggfunc="sum")
            .reindex(index=scores.table.index).fillna(0.0))


def movers(before: YearScores, after: YearScores, top_rules: int = 3) -> pd.DataFrame:
    """Units scored in both years: total and rank then and now, and the rules that moved them.

    ``change`` is the new total minus the old; ``rank_change`` is old rank minus new rank, so a
    positive number is a move up. ``explained`` is the sum of the rules' signed changes; it
    differs from ``change`` only where Note 1's floors or Note 2's caps absorbed points
    (``absorbed`` = change − explained). ``rules`` names the ``top_rules`` largest rule changes,
    e.g. ``B07.studies −4; S1.honours +3``. Sorted by |change|, largest first.
    """
    common = [u for u in after.table.index if u in before.table.index]
    a0, a1 = rule_amounts(before), rule_amounts(after)
    rules = sorted(set(a0.columns) | set(a1.columns))
    a0 = a0.reindex(index=common, columns=rules, fill_value=0.0).fillna(0.0)
    a1 = a1.reindex(index=common, columns=rules, fill_value=0.0).fillna(0.0)
    delta = a1 - a0
    rows = []
    for u in common:
        t0, t1 = before.table.loc[u], after.table.loc[u]
        d = delta.loc[u]
        d = d[d != 0]
        ordered = d.reindex(d.abs().sort_values(ascending=False, kind="stable").index)
        named = "; ".join(f"{r} {v:+g}".replace("-", "−") for r, v in
                          ordered.head(top_rules).items())
        change = float(t1["total"] - t0["total"])
        explained = float(d.sum())
        rows.append({"unit_id": u, "unit": t1["unit"], "total_before": float(t0["total"]),
                     "total_after": float(t1["total"]), "change": change,
                     "rank_before": int(t0["rank"]), "rank_after": int(t1["rank"]),
                     "rank_change": int(t0["rank"]) - int(t1["rank"]),
                     "explained": explained, "absorbed": change - explained, "rules": named})
    frame = pd.DataFrame(rows, columns=["unit_id", "unit", "total_before", "total_after",
                                        "change", "rank_before", "rank_after", "rank_change",
                                        "explained", "absorbed", "rules"])
    order = frame["change"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def rule_changes(before: YearScores, after: YearScores) -> pd.DataFrame:
    """Long form of what ``movers`` summarises: unit, rule, signed amount then and now."""
    common = [u for u in after.table.index if u in before.table.index]
    a0, a1 = rule_amounts(before), rule_amounts(after)
    rules = sorted(set(a0.columns) | set(a1.columns))
    a0 = a0.reindex(index=common, columns=rules, fill_value=0.0).fillna(0.0)
    a1 = a1.reindex(index=common, columns=rules, fill_value=0.0).fillna(0.0)
    long = pd.DataFrame({"before": a0.stack(), "after": a1.stack()})
    long["change"] = long["after"] - long["before"]
    long = long[long["change"] != 0].reset_index()
    long.columns = ["unit_id", "rule", "before", "after", "change"]
    return long


def self_gap_rules(assessor: Sequence[Record], own: Sequence[Record],
                   rubric: Rubric) -> pd.DataFrame:
    """Long form: one row per (unit, rule) where the self-assessment and the assessors differ.

    Amounts are signed as in ``compare``; ``gap`` = self − assessors, so a positive gap means
    the unit rated itself higher. Units without a self-assessment are left out.
    """
    by_key = {unit_key(r): r for r in assessor}
    rows = []
    for s in own:
        a = by_key.get(unit_key(s)) or next((r for r in assessor if r.unit == s.unit), None)
        if a is None:
            continue
        for rule_id, rule in rubric.rules.items():
            ae, se = a.entries.get(rule_id), s.entries.get(rule_id)
            if ae is None and se is None:
                continue
            av, sv = signed_amount(rubric, rule_id, ae), signed_amount(rubric, rule_id, se)
            if av != sv:
                rows.append({"unit_id": unit_key(a), "unit": a.unit, "rule": rule_id,
                             "item": rule.item_id, "assessor": av, "self": sv, "gap": sv - av,
                             "assessor_reason": str((ae or {}).get("reason") or ""),
                             "self_reason": str((se or {}).get("reason") or "")})
    return pd.DataFrame(rows, columns=["unit_id", "unit", "rule", "item", "assessor", "self",
                                       "gap", "assessor_reason", "self_reason"])


def self_gaps_by_unit(assessor: Sequence[Record], own: Sequence[Record],
                      rubric: Rubric, cap_scope: str | None = None) -> pd.DataFrame:
    """Per unit with a self-assessment: both totals (scored alike), the gap, rules disputed.

    Totals are scored by the same vectorised path as the ranking, so Note 1 and Note 2 apply
    to both sides; ``gap`` = self total − assessors' total. Sorted by gap, largest first.
    """
    keys = {unit_key(s) for s in own}
    mine = [r for r in assessor if unit_key(r) in keys]
    if not mine:
        return pd.DataFrame(columns=["unit_id", "unit", "assessor_total", "self_total", "gap",
                                     "rules_disputed"])
    a_tab = score_year(mine, cap_scope=cap_scope, rubric=rubric).table
    s_tab = score_year([s for s in own if unit_key(s) in set(a_tab.index)], cap_scope=cap_scope,
                       rubric=rubric).table
    long = self_gap_rules(mine, own, rubric)
    disputed = long.groupby("unit_id")["rule"].count()
    frame = pd.DataFrame({"unit_id": a_tab.index, "unit": a_tab["unit"].to_numpy(),
                          "assessor_total": a_tab["total"].to_numpy(),
                          "self_total": s_tab["total"].reindex(a_tab.index).to_numpy()})
    frame["gap"] = frame["self_total"] - frame["assessor_total"]
    frame["rules_disputed"] = [int(disputed.get(u, 0)) for u in frame["unit_id"]]
    return frame.sort_values(["gap", "unit_id"], ascending=[False, True], ignore_index=True)


def self_gaps_by_rule(assessor: Sequence[Record], own: Sequence[Record],
                      rubric: Rubric) -> pd.DataFrame:
    """Per rule: how many units disagree with the assessors on it, and the summed gap."""
    long = self_gap_rules(assessor, own, rubric)
    if long.empty:
        return pd.DataFrame(columns=["rule", "label", "units", "gap", "mean_gap"])
    g = long.groupby("rule").agg(units=("unit_id", "nunique"), gap=("gap", "sum"))
    g["mean_gap"] = g["gap"] / g["units"]
    g["label"] = [rubric.rules[r].zh for r in g.index]
    g = g.reset_index()[["rule", "label", "units", "gap", "mean_gap"]]
    return g.sort_values(["gap", "rule"], ascending=[False, True], ignore_index=True)


def area_attainment(scores: YearScores) -> pd.DataFrame:
    """Each area (and sub-area of A3, and each special item): how much of its points the
    College attains.

    Columns: area, label, points, mean (score), attainment (mean / points), min, full (units at
    full points), zero (units at 0 or below). Sub-area scores under ``cap_scope=area`` are
    not floored (Note 1 then caps A3 as a whole), so their minimum may be negative.
    """
    rubric = scores.rubric
    table = scores.table
    ids = [a.id for a in rubric.areas.values() if a.part == "basic"]
    ids += [i.id for i in rubric.special_items]
    rows = []
    for aid in ids:
        obj = rubric.areas.get(aid) or rubric.items[aid]
        col = table[aid].astype(float)
        rows.append({"area": aid, "label": obj.zh, "points": obj.points, "mean": col.mean(),
                     "attainment": col.mean() / obj.points if obj.points else np.nan,
                     "min": col.min(), "full": int((col >= obj.points).sum()),
                     "zero": int((col <= 0).sum())})
    return pd.DataFrame(rows)
