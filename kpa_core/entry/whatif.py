"""What-if analysis: a unit's saved record (the baseline) against an adjusted one (the scenario).

Everything here is plain data in, plain data out — records, score cards, pandas frames — so the
widgets view only displays it and the tests check it with hand-worked numbers. Three questions:

1. ``compare``: by how much does every area, the basic and bonus parts and the total move, and
   what is the unit's rank in the year before and after (the other units kept as they are)?
2. ``single_changes``: which single change of one rule's entry is the smallest that would move
   the unit up a rank, and which the smallest that would move it down?
3. ``save_scenario``: keep a scenario as run parameters under ``params/<year>/scenarios/`` so
   that it reproduces later; it never touches the record itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import Rubric, Rule, load_rubric
from kpa_core.rubric.rules import STEP, as_int, kind_of
from kpa_core.scoring.record import Record, check_entry, check_unit_id
from kpa_core.scoring.score import ScoreCard, score_record, score_year, unit_key

EPS = 1e-9
WHATIF_REASON = "假设分析 / what-if"
COMPARE_COLUMNS = ["id", "label", "baseline", "scenario", "delta"]
CHANGE_COLUMNS = ["direction", "rule", "label", "from", "to", "delta", "total", "rank"]
DIRECTIONS = {"up": ("名次上升", "up a rank"), "down": ("名次下降", "down a rank")}


@dataclass
class Comparison:
    """Baseline and scenario side by side."""

    baseline: ScoreCard
    scenario: ScoreCard
    table: pd.DataFrame  # one row per area, S1/S2, basic, bonus, total: COMPARE_COLUMNS
    rank_baseline: int
    rank_scenario: int
    n_units: int  # units ranked, this one included

    @property
    def delta_total(self) -> float:
        return self.scenario.total - self.baseline.total


def rank_among(total: float, others: Iterable[float]) -> int:
    """Rank with ties sharing the better place (pandas ``method="min"``, as ``score_year``)."""
    return 1 + sum(1 for o in others if o > total + EPS)


def others_totals(records: Sequence[Record], unit_id: str, cap_scope: str | None = None,
                  rubric: Rubric | None = None) -> list[float]:
    """Totals of every other unit of the year, scored once; the unit itself is left out."""
    others = [r for r in records if unit_key(r) != unit_id]
    if not others:
        return []
    return [float(t) for t in score_year(others, cap_scope=cap_scope, rubric=rubric).table["total"]]


def adjust(record: Record, changes: dict[str, dict[str, Any] | None]) -> Record:
    """Baseline + adjustments: each rule id maps to a new entry, or None to drop the entry."""
    entries = {rid: dict(e) for rid, e in record.entries.items()}
    for rid, entry in changes.items():
        if entry is None:
            entries.pop(rid, None)
        else:
            entries[rid] = dict(entry)
    return replace(record, entries=entries)


def _score_rows(card: ScoreCard, rubric: Rubric) -> dict[str, float]:
    rows = dict(card.area_scores)
    rows.update(card.special)
    rows.update({"basic": card.basic, "bonus": card.bonus, "total": card.total})
    return rows


TOTAL_LABELS = {"basic": "基本指标 / basic", "bonus": "特色指标 / bonus", "total": "合计 / total"}


def row_label(row_id: str, rubric: Rubric) -> str:
    """Chinese label (English behind) of an area, a special item, or basic/bonus/total."""
    if row_id in TOTAL_LABELS:
        return TOTAL_LABELS[row_id]
    if row_id in rubric.items:
        item = rubric.items[row_id]
        return f"特色指标{item.number} / special {item.number}"
    area = rubric.areas[row_id]
    return f"{area.zh} / {area.en}"


def compare(baseline: Record, scenario: Record, others: Sequence[float],
            cap_scope: str | None = None, rubric: Rubric | None = None) -> Comparison:
    """Score both records and set them side by side, with the rank of each among ``others``."""
    rubric = rubric or load_rubric(baseline.rubric)
    base = score_record(baseline, cap_scope=cap_scope, rubric=rubric)
    scen = score_record(scenario, cap_scope=cap_scope, rubric=rubric)
    b, s = _score_rows(base, rubric), _score_rows(scen, rubric)
    table = pd.DataFrame(
        [(k, row_label(k, rubric), b[k], s[k], s[k] - b[k]) for k in b], columns=COMPARE_COLUMNS
    ).set_index("id", drop=False)
    return Comparison(base, scen, table, rank_among(base.total, others),
                      rank_among(scen.total, others), len(others) + 1)


# --- single changes -------------------------------------------------------------------------

def _steps(lo: float, hi: float) -> list[float]:
    n = int(round((hi - lo) / STEP))
    return [lo + i * STEP for i in range(n + 1)]


def candidate_values(rule: Rule, value: Any) -> list[Any]:
    """Every value one edit of this rule's entry could give, the current one excluded,
    numbers nearest first.

    One edit means: toggle a flag; any other count or number; add, remove or re-price one case;
    add, fix or break one study session; add or remove one honour.
    """
    kind, p = rule.kind, rule.params
    out: list[Any] = []
    if kind == "flag":
        out = [not value]
    elif kind in ("per_count", "bonus_per_count"):
        n = as_int(value) or 0
        hi = p.get("max_count", n + 10)
        out = list(range(0, hi + 1))
    elif kind == "shortfall":
        out = list(range(0, int(p["required"]) + 1))
    elif kind == "range":
        out = [0.0, *(x for x in _steps(float(p["lo"]), float(p["hi"])) if x != 0)]
    elif kind in ("range_per_case", "bonus_range_per_case"):
        cases = [float(v) for v in value]
        amounts = _steps(float(p["lo"]), float(p["hi"]))
        out = [cases[:i] + cases[i + 1:] for i in range(len(cases))]
        out += [[*cases, x] for x in amounts]
        out += [cases[:i] + [x] + cases[i + 1:] for i in range(len(cases)) for x in amounts]
    elif kind == "ratio":
        num, den = int(p["numerator"]), int(p["denominator"])
        sessions = [dict(s) for s in value]
        for i, s in enumerate(sessions):
            n = int(s["participants"])
            pass_at = math.ceil(n * num / den)  # fewest reflections that pass
            r = pass_at if int(s["reflections"]) < pass_at else pass_at - 1
            if 0 <= r <= n:
                fixed = {"participants": n, "reflections": r}
                out.append(sessions[:i] + [fixed] + sessions[i + 1:])
            out.append(sessions[:i] + sessions[i + 1:])
        out.append([*sessions, {"participants": den, "reflections": 0}])
    elif kind == "tier":
        levels = list(value)
        for lv in dict.fromkeys(levels):
            i = levels.index(lv)
            out.append(levels[:i] + levels[i + 1:])
        out += [[*levels, lv["id"]] for lv in p["levels"]]
    if kind in ("per_count", "bonus_per_count", "shortfall", "range"):
        # nearest first: when two edits change the total equally, the smaller edit is shown
        here = float(value) if isinstance(value, int | float) else 0.0
        out.sort(key=lambda x: abs(float(x) - here))
    unique: list[Any] = []
    for v in out:
        if v != value and v not in unique:
            unique.append(v)
    return unique


def describe_value(rule: Rule, value: Any) -> str:
    """A short Chinese-first text of an entry value, for tables and the audit log."""
    kind = rule.kind
    if kind == "flag":
        return "是 yes" if value else "否 no"
    if kind in ("range_per_case", "bonus_range_per_case"):
        return "[" + ", ".join(f"{float(v):g}" for v in value) + "]" if value else "无 none"
    if kind == "ratio":
        if not value:
            return "无 none"
        return "; ".join(f"{s['participants']}人/{s['reflections']}篇" for s in value)
    if kind == "tier":
        names = {lv["id"]: lv["zh"] for lv in rule.params["levels"]}
        return "、".join(names.get(v, str(v)) for v in value) if value else "无 none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def single_changes(record: Record, others: Sequence[float], cap_scope: str | None = None,
                   rubric: Rubric | None = None) -> pd.DataFrame:
    """For every rule, the smallest single edit that moves the unit up a rank and down a rank.

    "Smallest" is the edit with the least change of the total; a rule that cannot move the rank
    in a direction has no row for it. Rows are sorted: up first, then down, smallest first.
    """
    rubric = rubric or load_rubric(record.rubric)
    current = score_record(record, cap_scope=cap_scope, rubric=rubric)
    rank_now = rank_among(current.total, others)
    rows = []
    for rule in rubric.rules.values():
        kind = kind_of(rule)
        entry = record.entries.get(rule.id)
        value = entry[kind.value_field] if entry else kind.empty_value(rule)
        best: dict[str, tuple[float, Any, float, int]] = {}
        for candidate in candidate_values(rule, value):
            new_entry = {**(entry or {}), kind.value_field: candidate}
            if not (new_entry.get("reason") or "").strip():
                new_entry["reason"] = WHATIF_REASON
            if check_entry(rubric, rule, new_entry):  # as a record would check it (evidence, facts)
                continue
            total = score_record(adjust(record, {rule.id: new_entry}), cap_scope=cap_scope,
                                 rubric=rubric).total
            rank = rank_among(total, others)
            direction = "up" if rank < rank_now else "down" if rank > rank_now else None
            if direction is None:
                continue
            delta = total - current.total
            if direction not in best or abs(delta) < abs(best[direction][0]) - EPS:
                best[direction] = (delta, candidate, total, rank)
        for direction, (delta, candidate, total, rank) in best.items():
            rows.append((direction, rule.id, rule.zh, describe_value(rule, value),
                         describe_value(rule, candidate), delta, total, rank))
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["direction"].map({"up": 0, "down": 1})
    frame["_size"] = frame["delta"].abs()
    return (frame.sort_values(["_order", "_size", "rule"]).drop(columns=["_order", "_size"])
            .reset_index(drop=True))


# --- saving a scenario ----------------------------------------------------------------------

NAME_MAX = 48
NAME_ALLOWED_ZH = f"汉字、字母、数字、- 和 _，不超过 {NAME_MAX} 个字符（不含空格、点、斜杠）"
NAME_ALLOWED_EN = (f"letters (Chinese too), digits, - and _, at most {NAME_MAX} characters "
                   "(no spaces, dots or slashes)")


def sanitise_name(name: str) -> str:
    """A scenario name made safe for a file name: letters (Chinese too), digits, - and _."""
    text = "".join(ch if (ch.isalnum() or ch in "-_") else "-" for ch in str(name).strip())
    text = re.sub(r"-{2,}", "-", text).strip("-_")[:NAME_MAX]
    return text or "scenario"


def check_scenario_name(name: Any, unit: str | None = None) -> list[Problem]:
    """Problems of a scenario name: empty, or not already its own safe file name.

    The name *is* the file name, so it is refused rather than rewritten: rewriting ('..',
    '\\x00', 'a b' and 'a/b' all became one file) made different scenarios overwrite each other
    without anyone seeing it.
    """
    if not isinstance(name, str) or not name.strip():
        return [Problem("须填写方案名称", "the scenario needs a name", unit=unit, field="name",
                        value=name, allowed_zh=NAME_ALLOWED_ZH, allowed_en=NAME_ALLOWED_EN)]
    if sanitise_name(name) != name.strip():
        return [Problem("方案名称含不允许的字符或过长", "the scenario name has characters that "
                        "are not allowed, or is too long", unit=unit, field="name", value=name,
                        allowed_zh=NAME_ALLOWED_ZH, allowed_en=NAME_ALLOWED_EN)]
    return []


def scenario_path(params_dir: str | Path, year: int, unit_id: str, name: str) -> Path:
    """``params/<year>/scenarios/<unit id>-<name>.yaml``; the unit id and name are checked
    first, so that two different names never share one file."""
    problems = check_unit_id(unit_id) + check_scenario_name(name)
    if problems:
        raise KpaInputError(problems)
    return Path(params_dir) / str(int(year)) / "scenarios" / f"{unit_id}-{name.strip()}.yaml"


def existing_scenario_problems(path: Path, overwrite: bool, unit: str | None = None,
                               shown: str | None = None) -> list[Problem]:
    """A scenario file already of that name is kept unless the analyst asked to overwrite it
    (another analyst's 方案一 must not vanish under a second 方案一)."""
    if overwrite or not path.exists():
        return []
    return [Problem("已有同名方案，未覆盖", "a scenario of that name exists; not overwritten",
                    unit=unit, field="name", value=path.stem, where=shown or str(path),
                    allowed_zh="另取方案名，或勾选“覆盖同名方案”后再保存",
                    allowed_en="another name, or tick 'overwrite' and save again")]


def entry_changes(before: Record, after: Record) -> dict[str, dict[str, Any]]:
    """Rule id → {from, to} for every entry that differs (None where absent)."""
    ids = list(dict.fromkeys([*before.entries, *after.entries]))
    return {rid: {"from": before.entries.get(rid), "to": after.entries.get(rid)}
            for rid in ids if before.entries.get(rid) != after.entries.get(rid)}


def save_scenario(params_dir: str | Path, name: str, comparison: Comparison, baseline: Record,
                  scenario: Record, baseline_path: str | Path | None = None,
                  who: str | None = None, why: str | None = None,
                  overwrite: bool = False) -> Path:
    """Write the scenario as run parameters (kind ``scenario``); the record file is untouched.

    An existing scenario file of that name is refused unless ``overwrite`` is True.

    The params embed the scenario's entries and scores, so ``reproduce`` rescoring them gets
    the same numbers; the baseline's path and sha256 say which saved record it started from.
    """
    # Imported here, not at the top: params brings jsonschema, whose IRI grammar costs seconds
    # of start-up in the entry app's kernel, and only saving a scenario needs it.
    from kpa_core.reproduce.params import file_sha256, make_params, portable_path, write_params

    if not scenario.unit_id:
        raise KpaInputError([Problem("方案须属于一个有编号的单位", "a scenario needs a unit id",
                                     unit=scenario.unit, field="unit_id")])
    path = scenario_path(params_dir, scenario.year, scenario.unit_id, name)
    problems = existing_scenario_problems(path, overwrite, unit=scenario.unit)
    if problems:
        raise KpaInputError(problems)
    base_info: dict[str, Any] = {"total": comparison.baseline.total,
                                 "rank": comparison.rank_baseline}
    if baseline_path is not None and Path(baseline_path).exists():
        base_info = {"path": portable_path(baseline_path), "sha256": file_sha256(baseline_path),
                     **base_info}
    extra = {"scenario": {
        "name": str(name),
        "who": who,
        "why": why,
        "baseline": base_info,
        "changes": entry_changes(baseline, scenario),
        "rank": comparison.rank_scenario,
        "n_units": comparison.n_units,
        "delta_total": comparison.delta_total,
    }}
    params = make_params(scenario, comparison.scenario, kind="scenario", extra=extra)
    return write_params(path, params)
