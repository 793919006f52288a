"""Record → score card; a year of records → one DataFrame. The document's two notes live here.

Note 1: in the basic part an item's deductions may exceed its points (its score goes negative),
but an area's score never goes below 0. Under ``cap_scope=subarea`` (default) the floor is at
each sub-area of A3 (and at A1, A2); under ``cap_scope=area`` at A3 as a whole.
Note 2: each special item's bonus is at most its points (S1 ≤ 5, S2 ≤ 5).

Two paths compute the same numbers: ``score_record`` for one record (plain Python, used by the
forms and the CLI), and ``score_year`` for a whole year at once (vectorised with pandas/numpy,
used by reports and rankings). A test checks they agree; a benchmark compares their speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: scoring one record needs neither (start-up time)
    import numpy as np
    import pandas as pd

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import Rubric, load_rubric
from kpa_core.rubric.rules import entry_amount
from kpa_core.scoring.record import Record

CAP_SCOPES = ("subarea", "area")
BREAKDOWN_COLUMNS = [
    "unit",
    "unit_id",
    "area",
    "item",
    "rule",
    "kind",
    "amount",
    "reason",
    "evidence",
]


DEFAULT_PREFIX = "default:"


def cap_scope_default(scope: str) -> str:
    """A cap scope that yields to a record's own ``options.cap_scope`` (kpa.toml's setting).

    Written as text (``default:area``) so it passes unchanged through every ``cap_scope``
    argument, including a report notebook's parameters, where an override would not do: an
    office default must never overrule what a record says for itself.
    """
    return f"{DEFAULT_PREFIX}{scope}"


def is_cap_scope_argument(value: object) -> bool:
    """Whether ``value`` may be passed as ``cap_scope``: None, a scope, or a default of one."""
    if value is None:
        return True
    text = str(value)
    return text.removeprefix(DEFAULT_PREFIX) in CAP_SCOPES


def resolve_cap_scope(record: Record, rubric: Rubric, override: str | None = None) -> str:
    """Command-line/parameter override first, then the record's own option, then a default
    (``cap_scope_default``, from kpa.toml), then the rubric's."""
    fallback = None
    if override and override.startswith(DEFAULT_PREFIX):
        override, fallback = None, override.removeprefix(DEFAULT_PREFIX)
    scope = (override or record.options.get("cap_scope") or fallback
             or rubric.option_default("cap_scope"))
    if scope not in CAP_SCOPES:
        raise KpaInputError(
            [
                Problem(
                    "选项取值不合法",
                    "option value not allowed",
                    unit=record.unit,
                    field="cap_scope",
                    value=scope,
                    allowed_zh="subarea|area",
                    allowed_en="subarea|area",
                )
            ]
        )
    return scope


def unit_key(record: Record) -> str:
    """The unit's id where the record has one (files of a year), else its name."""
    return record.unit_id or record.unit


@dataclass
class ScoreCard:
    """All the numbers of one record's assessment, ready for JSON, tables and reports."""

    unit: str
    unit_id: str | None
    year: int
    role: str
    rubric_id: str
    rubric_sha256: str
    cap_scope: str
    rule_amounts: dict[str, float]
    item_deductions: dict[str, float]
    item_scores: dict[str, float]
    area_deductions: dict[str, float]
    area_scores: dict[str, float]
    capped: dict[str, float]  # area id → points of deduction that Note 1 cut off
    special_raw: dict[str, float]
    special: dict[str, float]
    basic: float
    bonus: float
    total: float
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``kpa score --json`` object."""
        return {
            "unit": self.unit,
            "year": self.year,
            "rubric": self.rubric_id,
            "rubric_sha256": self.rubric_sha256,
            "cap_scope": self.cap_scope,
            "basic": self.basic,
            "bonus": self.bonus,
            "total": self.total,
            "areas": dict(self.area_scores),
            "items": {
                i: {"deduction": self.item_deductions[i], "score": self.item_scores[i]}
                for i in self.item_deductions
            },
            "special": dict(self.special),
        }

    def row(self) -> dict[str, Any]:
        """One row of a year table (the same columns ``score_year`` produces)."""
        return {
            "unit": self.unit,
            "unit_id": self.unit_id,
            **self.area_scores,
            **self.special,
            "basic": self.basic,
            "bonus": self.bonus,
            "total": self.total,
        }


def with_readings(
    rubric: Rubric, cap_scope: str | None, readings: Mapping[str, str] | None
) -> tuple[Rubric, str | None]:
    """The rubric and cap scope under chosen readings of its open questions (``readings``)."""
    if not readings:
        return rubric, cap_scope
    from kpa_core.rubric.readings import apply_readings

    derived, scope = apply_readings(rubric, readings)
    return derived, scope or cap_scope


def score_record(
    record: Record,
    cap_scope: str | None = None,
    rubric: Rubric | None = None,
    readings: Mapping[str, str] | None = None,
) -> ScoreCard:
    """Score one validated record (under ``readings`` of the draft's open questions, if given)."""
    rubric, cap_scope = with_readings(rubric or load_rubric(record.rubric), cap_scope, readings)
    scope = resolve_cap_scope(record, rubric, cap_scope)
    amounts = {rid: entry_amount(rubric.rules[rid], e) for rid, e in record.entries.items()}

    item_ded = {i.id: 0.0 for i in rubric.basic_items}
    special_raw = {i.id: 0.0 for i in rubric.special_items}
    for rid, amount in amounts.items():
        item_id = rubric.rules[rid].item_id
        if item_id in item_ded:
            item_ded[item_id] += amount
        else:
            special_raw[item_id] += amount
    item_scores = {i: rubric.items[i].points - d for i, d in item_ded.items()}

    area_ded: dict[str, float] = {}
    for leaf in rubric.leaf_areas:
        area_ded[leaf.id] = sum(
            d for i, d in item_ded.items() if rubric.items[i].area_id == leaf.id
        )
    for top in rubric.top_areas:
        if top.children:
            area_ded[top.id] = sum(area_ded[c] for c in top.children)

    scores: dict[str, float] = {}
    capped: dict[str, float] = {}
    capping = {a.id for a in rubric.capping_areas(scope)}
    for area_id, ded in area_ded.items():
        points = rubric.areas[area_id].points
        if area_id in capping:
            scores[area_id] = max(0.0, points - ded)
            if ded > points:
                capped[area_id] = ded - points
        else:
            scores[area_id] = points - ded  # informational under this scope; not floored
    if scope == "subarea":  # A3 is the sum of its (floored) sub-areas
        for top in rubric.top_areas:
            if top.children:
                scores[top.id] = sum(scores[c] for c in top.children)

    special = {i: min(v, rubric.items[i].points) for i, v in special_raw.items()}
    basic = sum(scores[a.id] for a in rubric.top_areas)
    bonus = sum(special.values())
    ordered = [a.id for a in rubric.areas.values() if a.part == "basic"]
    return ScoreCard(
        unit=record.unit,
        unit_id=record.unit_id,
        year=record.year,
        role=record.role,
        rubric_id=rubric.id,
        rubric_sha256=rubric.sha256,
        cap_scope=scope,
        rule_amounts=amounts,
        item_deductions=item_ded,
        item_scores=item_scores,
        area_deductions={a: area_ded[a] for a in ordered},
        area_scores={a: scores[a] for a in ordered},
        capped=capped,
        special_raw=special_raw,
        special=special,
        basic=basic,
        bonus=bonus,
        total=basic + bonus,
    )


@dataclass
class YearScores:
    """A year's scores: one row per unit, and the long breakdown a report can slice."""

    table: pd.DataFrame
    breakdown: pd.DataFrame
    rubric: Rubric

    def unit_row(self, key: str) -> pd.Series:
        return self.table.loc[key]


def check_unique_units(records: Sequence[Record]) -> None:
    """A unit may appear once per year (and role); duplicates are all named together."""
    problems = []
    seen: dict[str, str | None] = {}
    for r in records:
        for key in {r.unit, unit_key(r)}:
            if key in seen:
                problems.append(
                    Problem(
                        "同一年度单位重复",
                        "unit appears twice in one year",
                        unit=r.unit,
                        field="unit",
                        value=key,
                        allowed_zh="每个单位每年一份记录",
                        allowed_en="one record per unit and year",
                        where=f"{seen[key]} ~ {r.source}",
                    )
                )
            seen[key] = r.source
    if problems:
        raise KpaInputError(problems)


def breakdown_frame(records: Iterable[Record], rubric: Rubric) -> pd.DataFrame:
    """One row per rule applied: signed amount (deductions negative, bonuses positive)."""
    import pandas as pd

    rows = []
    for r in records:
        key = unit_key(r)
        for rid, entry in r.entries.items():
            rule = rubric.rules[rid]
            amount = entry_amount(rule, entry)
            if amount == 0:
                continue
            rows.append(
                (
                    r.unit,
                    key,
                    rubric.items[rule.item_id].area_id,
                    rule.item_id,
                    rid,
                    rule.kind,
                    amount if rule.is_bonus else -amount,
                    entry.get("reason") or "",
                    entry.get("evidence") or "",
                )
            )
    return pd.DataFrame.from_records(rows, columns=BREAKDOWN_COLUMNS)


def score_year(
    records: Sequence[Record],
    cap_scope: str | None = None,
    rubric: Rubric | None = None,
    readings: Mapping[str, str] | None = None,
) -> YearScores:
    """Score many records at once, vectorised over units.

    The per-entry amounts are computed once; everything after (sums per item and area, the
    floors of Note 1 under either scope, the caps of Note 2, totals and ranks) is array work.
    ``readings`` (option → value, see ``kpa_core.rubric.readings``) scores under other readings
    of the draft's open questions: a derived rubric with the same id, so the records still match it.
    """
    import numpy as np
    import pandas as pd

    if not records:
        raise KpaInputError([Problem("没有可评分的记录", "no records to score")])
    rubric, cap_scope = with_readings(rubric or load_rubric(records[0].rubric), cap_scope,
                                      readings)
    mixed = {r.rubric for r in records} - {rubric.id}
    if mixed:
        raise KpaInputError(
            [
                Problem(
                    "同一批记录须使用同一考核细则",
                    "records use different rubrics",
                    field="rubric",
                    value=sorted(mixed),
                    allowed_zh=rubric.id,
                    allowed_en=rubric.id,
                )
            ]
        )
    check_unique_units(records)
    keys = [unit_key(r) for r in records]
    breakdown = breakdown_frame(records, rubric)

    items = [i.id for i in rubric.basic_items] + [i.id for i in rubric.special_items]
    per_item = (
        breakdown.groupby(["unit_id", "item"], sort=False)["amount"]
        .sum()
        .abs()
        .unstack(fill_value=0.0)
        .reindex(index=keys, columns=items, fill_value=0.0)
    )
    ded = per_item.to_numpy(dtype=float)
    col = {item: j for j, item in enumerate(items)}

    def area_sum(area_id: str) -> np.ndarray:
        cols = [col[i.id] for i in rubric.basic_items if i.area_id == area_id]
        return ded[:, cols].sum(axis=1)

    leaf_ded = {a.id: area_sum(a.id) for a in rubric.leaf_areas}
    scopes = np.array([resolve_cap_scope(r, rubric, cap_scope) for r in records])
    by_area = scopes == "area"
    out: dict[str, np.ndarray] = {}
    for top in rubric.top_areas:
        if not top.children:
            out[top.id] = np.maximum(0.0, top.points - leaf_ded[top.id])
            continue
        subs = {c: rubric.areas[c].points - leaf_ded[c] for c in top.children}
        floored = {c: np.maximum(0.0, v) for c, v in subs.items()}
        for c in top.children:
            out[c] = np.where(by_area, subs[c], floored[c])
        whole = np.maximum(0.0, top.points - sum(leaf_ded[c] for c in top.children))
        out[top.id] = np.where(by_area, whole, sum(floored.values()))
    special = {i.id: np.minimum(ded[:, col[i.id]], i.points) for i in rubric.special_items}
    basic = sum(out[a.id] for a in rubric.top_areas)
    bonus = sum(special.values())

    ordered = [a.id for a in rubric.areas.values() if a.part == "basic"]
    table = pd.DataFrame(
        {
            "unit": [r.unit for r in records],
            "unit_id": keys,
            **{a: out[a] for a in ordered},
            **special,
            "basic": basic,
            "bonus": bonus,
            "total": basic + bonus,
            "cap_scope": scopes,
        },
        index=pd.Index(keys, name="key"),
    )
    table["rank"] = table["total"].rank(ascending=False, method="min").astype(int)
    return YearScores(table=table, breakdown=breakdown, rubric=rubric)
