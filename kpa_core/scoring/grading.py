"""Optional grade bands (等级划分): 优秀/良好/合格/不合格 by rules an office sets, as data.

The 2013 document ranks units but sets no grades. An office that wants grades writes them as a
small YAML file — thresholds on the total, conditions that keep a unit out of a band ("no area
at 0"), and one-vote vetoes (一票否决, e.g. "any case under B16") — so that the rule is visible,
versioned by its sha256, stored in the run parameters and reproduced with the scores. Nothing
here is a default: without a bands file there are no grades.

Format (``kpa_bands: 1``)::

    id: office-example
    zh: 示例等级划分
    en: example bands
    grades:                       # best first; the first band a unit qualifies for is its grade
      - {grade: 优秀, en: excellent, min_total: 95, unless: [{kind: area_at_zero}]}
      - {grade: 良好, en: good, min_total: 85}
      - {grade: 合格, en: pass, min_total: 70}
      - {grade: 不合格, en: fail, min_total: 0}
    veto:                         # optional 一票否决: any condition → the veto grade
      grade: 不合格
      conditions: [{kind: cases_under, id: B16}]

Thresholds (``min_total``, ``score``) are finite numbers from 0 to 110 (100 basic + 10 bonus).
A unit below every band is left 未定级 / ungraded, with the reason — never silently given the
lowest grade; end the list with a band from 0 if every unit must get a grade.

Condition kinds (each describes something bad that *holds* for a unit):
``area_at_zero`` (optionally ``areas: [A1, …]``): an area's score is 0;
``cases_under`` with ``id`` an item (B16) or rule (B16.judicial): any deduction there;
``area_below`` with ``area`` and ``score``: the area scored less than ``score``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import Rubric, canonical_sha256, load_rubric
from kpa_core.scoring.record import Record, read_yaml
from kpa_core.scoring.score import ScoreCard, score_record
from kpa_core.store.schema import nonfinite_problems, schema_problems, unique_problems

BANDS_FORMAT = 1
# A total is at most 100 basic points plus the bonus items' caps: no threshold can lie above.
MAX_TOTAL = 110
UNGRADED = ("未定级", "ungraded")
CONDITION_KINDS = {
    "area_at_zero": ("某考核项目得分为0", "an area scored 0"),
    "cases_under": ("该条目/规则下有扣分（案件）", "a deduction (case) under this item or rule"),
    "area_below": ("考核项目得分低于下限", "an area scored below a floor"),
}

_CONDITION = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": list(CONDITION_KINDS)},
        "areas": {"type": "array", "items": {"type": "string"}},
        "id": {"type": "string"},
        "area": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 110},
        "zh": {"type": "string"},
        "en": {"type": "string"},
    },
}
BANDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kpa_bands", "id", "grades"],
    "properties": {
        "kpa_bands": {"const": BANDS_FORMAT},
        "id": {"type": "string", "minLength": 1},
        "zh": {"type": "string"},
        "en": {"type": "string"},
        "grades": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["grade", "en", "min_total"],
                "properties": {
                    "grade": {"type": "string", "minLength": 1},
                    "en": {"type": "string"},
                    "min_total": {"type": "number", "minimum": 0, "maximum": MAX_TOTAL},
                    "unless": {"type": "array", "items": _CONDITION},
                },
            },
        },
        "veto": {
            "type": "object",
            "additionalProperties": False,
            "required": ["grade", "conditions"],
            "properties": {
                "grade": {"type": "string"},
                "conditions": {"type": "array", "minItems": 1, "items": _CONDITION},
            },
        },
    },
}


@dataclass(frozen=True)
class Band:
    grade: str
    en: str
    min_total: float
    unless: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Bands:
    """Checked grade bands, best first; ``data`` is what params store, ``sha256`` pins it."""

    id: str
    bands: tuple[Band, ...]
    veto_grade: str | None
    veto: tuple[dict[str, Any], ...]
    data: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def sha256(self) -> str:
        return canonical_sha256(self.data)

    def english(self, grade: str) -> str:
        return next((b.en for b in self.bands if b.grade == grade), "")


@dataclass(frozen=True)
class GradeResult:
    grade: str
    grade_en: str
    vetoed_by: tuple[str, ...]  # text of each veto condition that held
    reasons: tuple[str, ...]    # why better bands were missed, bilingual

    @property
    def label(self) -> str:
        return f"{self.grade} {self.grade_en}".strip()


def _schema_problems(data: Any, where: str | None) -> list[Problem]:
    """Schema errors and non-finite numbers, each as a bilingual problem in words."""
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()  # e.g. in a report kernel: ~1-2 s of IRI grammar, never used
    import jsonschema  # here, not at the top: only grading needs it

    validator = jsonschema.Draft202012Validator(BANDS_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = unique_problems([p for e in errors for p in schema_problems(e, None, where)])
    return problems + nonfinite_problems(data, "", None, where) if isinstance(data, dict) \
        else problems


def _condition_problems(cond: dict[str, Any], rubric: Rubric, field_name: str,
                        where: str | None) -> list[Problem]:
    """Each condition's ids must exist in the rubric the bands are applied with."""
    if not isinstance(cond, dict) or cond.get("kind") not in CONDITION_KINDS:
        return []  # already a schema problem
    kind = cond["kind"]
    problems = []

    def bad(zh: str, en: str, key: str, value: Any, allowed: Sequence[str]) -> None:
        problems.append(Problem(zh, en, field=f"{field_name}.{key}", value=value,
                                allowed_zh="、".join(allowed), allowed_en=", ".join(allowed),
                                where=where))

    areas = [a.id for a in rubric.areas.values() if a.part == "basic"]
    needs = {"area_at_zero": (), "cases_under": ("id",), "area_below": ("area", "score")}[kind]
    for key in needs:
        if key not in cond:
            problems.append(Problem("条件缺少字段", "condition lacks a field",
                                    field=f"{field_name}.{key}", allowed_zh="、".join(needs),
                                    allowed_en=", ".join(needs), where=where))
    listed = cond.get("areas", [])
    for a in listed if isinstance(listed, list) else []:
        if isinstance(a, str) and a not in areas:
            bad("未知的考核项目", "unknown area", "areas", a, areas)
    if isinstance(cond.get("area"), str) and cond["area"] not in areas:
        bad("未知的考核项目", "unknown area", "area", cond["area"], areas)
    if (isinstance(cond.get("id"), str) and cond["id"] not in rubric.items
            and cond["id"] not in rubric.rules):
        bad("未知的条目或规则编号", "unknown item or rule id", "id", cond["id"],
            ["B01…B18（无B06）", "B16.judicial…"])
    return problems


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _rule_problems(data: dict[str, Any], rubric: Rubric, where: str | None) -> list[Problem]:
    """Checks beyond the schema (ids, order, veto grade), on whatever parts are well-formed.

    Run together with the schema so that a file's problems all appear in one round.
    """
    problems: list[Problem] = []
    grades = data.get("grades") if isinstance(data.get("grades"), list) else []
    grades = [g for g in grades if isinstance(g, dict)]
    for i, g in enumerate(grades):
        unless = g.get("unless", [])
        for j, cond in enumerate(unless if isinstance(unless, list) else []):
            problems += _condition_problems(cond, rubric, f"grades.{i}.unless.{j}", where)
    names = [g["grade"] for g in grades if isinstance(g.get("grade"), str)]
    if len(set(names)) != len(names):
        problems.append(Problem("等级名称重复", "grade names repeat", field="grades",
                                value=names, allowed_zh="各不相同的等级名称",
                                allowed_en="a different name for each grade", where=where))
    totals = [float(g["min_total"]) for g in grades if _is_number(g.get("min_total"))]
    if any(b >= a for a, b in zip(totals, totals[1:], strict=False)):
        problems.append(Problem("等级须由高到低排列，min_total 严格递减",
                                "grades must run best first with min_total strictly decreasing",
                                field="grades", value=totals,
                                allowed_zh="由高到低、严格递减的 min_total",
                                allowed_en="min_total strictly decreasing", where=where))
    veto = data.get("veto")
    if isinstance(veto, dict):
        if isinstance(veto.get("grade"), str) and veto["grade"] not in names:
            problems.append(Problem("否决等级须为已列出的等级",
                                    "the veto grade must be one of the grades",
                                    field="veto.grade", value=veto["grade"],
                                    allowed_zh="、".join(names), allowed_en=", ".join(names),
                                    where=where))
        conditions = veto.get("conditions")
        for j, cond in enumerate(conditions if isinstance(conditions, list) else []):
            problems += _condition_problems(cond, rubric, f"veto.conditions.{j}", where)
    return problems


def parse_bands(data: Any, where: str | None = None, rubric: Rubric | None = None) -> Bands:
    """Validate bands data against the schema and the rubric; all problems at once."""
    problems = _schema_problems(data, where)
    if isinstance(data, dict):
        problems += _rule_problems(data, rubric or load_rubric(), where)
    if problems:
        raise KpaInputError(problems)
    grades, veto = data["grades"], data.get("veto")
    bands = tuple(Band(g["grade"], g["en"], float(g["min_total"]), tuple(g.get("unless", ())))
                  for g in grades)
    return Bands(id=data["id"], bands=bands, veto_grade=veto["grade"] if veto else None,
                 veto=tuple(veto["conditions"]) if veto else (), data=data)


def load_bands(path: str | Path, rubric: Rubric | None = None) -> Bands:
    """Read a bands YAML file (safe loader only) and check it.

    A file that is not a mapping at all (``--bands /etc/passwd``) is named by its shape only:
    its content is never echoed.
    """
    data = read_yaml(Path(path))
    if not isinstance(data, dict):
        shape = {list: ("列表", "a list"), str: ("一段文字", "text")}.get(
            type(data), ("单个值", "a single value"))
        raise KpaInputError([Problem(f"这不是等级划分文件：顶层须为键值表，而不是{shape[0]}",
                                     f"not a grade bands file: the top level must be a mapping, "
                                     f"not {shape[1]}", allowed_zh="id: …、grades: […]",
                                     allowed_en="id: …, grades: […]", where=str(path))])
    return parse_bands(data, where=str(path), rubric=rubric)


def condition_holds(cond: dict[str, Any], card: ScoreCard) -> str | None:
    """Bilingual text saying why the condition holds for this card, or None when it does not."""
    kind = cond["kind"]
    if kind == "area_at_zero":
        areas = cond.get("areas") or list(card.area_scores)
        zero = [a for a in areas if card.area_scores.get(a, 1.0) <= 0]
        return f"考核项目得分为0 / area at 0: {', '.join(zero)}" if zero else None
    if kind == "cases_under":
        target = cond["id"]
        hits = [rid for rid, amount in card.rule_amounts.items()
                if amount and (rid == target or rid.split(".")[0] == target)]
        return f"{target} 下有扣分 / deduction under {target}: {', '.join(hits)}" if hits else None
    if kind == "area_below":
        score = card.area_scores.get(cond["area"], 0.0)
        if score < float(cond["score"]):
            return (f"{cond['area']} 得分 {score:g} 低于 {float(cond['score']):g} / "
                    f"{cond['area']} scored {score:g} < {float(cond['score']):g}")
        return None
    raise ValueError(kind)  # unreachable after parse_bands


def grade_card(card: ScoreCard, bands: Bands) -> GradeResult:
    """The grade of one scored record: vetoes first, then the first band it qualifies for."""
    vetoed = tuple(t for c in bands.veto if (t := condition_holds(c, card)))
    if vetoed and bands.veto_grade:
        return GradeResult(bands.veto_grade, bands.english(bands.veto_grade), vetoed,
                           ("一票否决 / one-vote veto",))
    reasons: list[str] = []
    for band in bands.bands:
        if card.total < band.min_total:
            reasons.append(f"{band.grade}：合计 {card.total:g} < {band.min_total:g} / "
                           f"{band.en}: total below threshold")
            continue
        blocked = [t for c in band.unless if (t := condition_holds(c, card))]
        if blocked:
            reasons += [f"{band.grade}：{t}" for t in blocked]
            continue
        return GradeResult(band.grade, band.en, (), tuple(reasons))
    # No band qualified: the unit is left ungraded, with the reasons, rather than silently
    # given the lowest listed band (bands from 90 and 80 must not make a 59 "good").
    lowest = bands.bands[-1]
    reasons.append(f"未达到任何等级（最低等级 {lowest.grade} 自 {lowest.min_total:g} 分起） / "
                   f"below every band (the lowest, {lowest.en}, starts at {lowest.min_total:g})")
    return GradeResult(UNGRADED[0], UNGRADED[1], (), tuple(reasons))


def grades_param(bands: Bands, card: ScoreCard) -> dict[str, Any]:
    """The ``grades`` entry of a params file: the bands as data, their hash, the grade given."""
    result = grade_card(card, bands)
    return {"bands": bands.data, "sha256": bands.sha256, "grade": result.grade,
            "grade_en": result.grade_en, "vetoed_by": list(result.vetoed_by)}


def grade_records(records: Sequence[Record], bands: Bands,
                  cap_scope: str | None = None) -> pd.DataFrame:
    """A year's grades: one row per unit, best total first."""
    rows = []
    for record in records:
        card = score_record(record, cap_scope=cap_scope)
        result = grade_card(card, bands)
        rows.append({"unit_id": record.unit_id, "unit": record.unit, "total": card.total,
                     "grade": result.grade, "grade_en": result.grade_en,
                     "veto": "; ".join(result.vetoed_by), "reasons": "; ".join(result.reasons)})
    frame = pd.DataFrame(rows, columns=["unit_id", "unit", "total", "grade", "grade_en", "veto",
                                        "reasons"])
    return frame.sort_values(["total", "unit_id"], ascending=[False, True], ignore_index=True)
