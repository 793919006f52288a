"""Load a versioned rubric from its YAML file, check it, and fingerprint it.

A rubric is data: the areas, items and scoring rules of one version of the document. Once a
version is released its file never changes; a correction is a new id beside it. The sha256 of
a canonical form of the parsed data (not of the file bytes, so a comment edit does not count)
identifies exactly which rules produced a score, years later.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.yaml_io import read_yaml

RUBRIC_DIR = Path(__file__).parent.parent / "rubrics"
DEFAULT_RUBRIC_ID = "kvtc-2013-draft"

# The numbers each rule kind needs; checked on load so a typo in the data fails loudly.
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "flag": ("amount",),
    "per_count": ("amount",),
    "shortfall": ("required", "amount"),
    "range": ("lo", "hi"),
    "range_per_case": ("lo", "hi"),
    "ratio": ("amount", "numerator", "denominator"),
    "tier": ("levels",),
    "bonus_per_count": ("amount",),
    "bonus_range_per_case": ("lo", "hi"),
}


@dataclass(frozen=True)
class Rule:
    """One scoring clause of an item."""

    id: str
    item_id: str
    kind: str
    zh: str
    en: str
    params: dict[str, Any]
    ambiguity: dict[str, str] | None = None

    @property
    def is_bonus(self) -> bool:
        return self.kind in ("tier", "bonus_per_count", "bonus_range_per_case")


@dataclass(frozen=True)
class Item:
    """A numbered item of the document (B01…B18 in the basic part, S1/S2 special)."""

    id: str
    number: int
    area_id: str
    points: float
    zh: str
    en: str
    evidence: dict[str, str]
    rules: tuple[Rule, ...]
    notes: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Area:
    """An assessment area (考核项目) or a sub-area of A3."""

    id: str
    part: str  # "basic" or "special"
    points: float
    zh: str
    en: str
    parent_id: str | None = None
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    """A checked rubric with lookups by id."""

    id: str
    year: int
    title: dict[str, str]
    sha256: str
    areas: dict[str, Area]
    items: dict[str, Item]
    rules: dict[str, Rule]
    options: dict[str, dict[str, Any]]
    notes: tuple[dict[str, str], ...]
    basic_points: float
    bonus_cap: float
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def basic_items(self) -> list[Item]:
        return [i for i in self.items.values() if self.areas[i.area_id].part == "basic"]

    @property
    def special_items(self) -> list[Item]:
        return [i for i in self.items.values() if self.areas[i.area_id].part == "special"]

    @property
    def top_areas(self) -> list[Area]:
        """Areas of the basic part at the top level: A1, A2, A3."""
        return [a for a in self.areas.values() if a.part == "basic" and a.parent_id is None]

    @property
    def leaf_areas(self) -> list[Area]:
        """Basic areas that hold items directly: A1, A2, A3.edu, A3.sys, A3.sup, A3.pun."""
        return [a for a in self.areas.values() if a.part == "basic" and not a.children]

    def capping_areas(self, cap_scope: str) -> list[Area]:
        """The areas at which Note 1 floors the score at 0, under the chosen cap scope."""
        if cap_scope == "area":
            return self.top_areas
        return self.leaf_areas

    def top_area_of(self, area_id: str) -> str:
        area = self.areas[area_id]
        return area.parent_id or area.id

    def option_default(self, name: str) -> Any:
        return self.options[name]["default"]

    def label(self, any_id: str) -> str:
        """Chinese label with the English one behind, for any area, item or rule id."""
        obj = self.areas.get(any_id) or self.items.get(any_id) or self.rules.get(any_id)
        if obj is None:
            return any_id
        return f"{obj.zh} / {obj.en}"


def canonical_sha256(data: Any) -> str:
    """sha256 of a canonical JSON form: key order and YAML layout do not change it."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def available_rubrics() -> list[str]:
    """Ids of the rubric versions shipped with this package."""
    return sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml"))


def unknown_rubric(rubric_id: object) -> Problem:
    """The problem of naming a rubric version that is not shipped, with the ones that are."""
    return Problem(
        "未知的考核细则版本",
        "unknown rubric id",
        field="rubric",
        value=rubric_id,
        allowed_zh="、".join(available_rubrics()),
        allowed_en=", ".join(available_rubrics()),
    )


@cache
def load_rubric(rubric_id: str = DEFAULT_RUBRIC_ID) -> Rubric:
    """Load and check a shipped rubric by id; unknown ids name the ones that exist."""
    path = RUBRIC_DIR / f"{rubric_id}.yaml"
    if rubric_id not in available_rubrics():
        raise KpaInputError([unknown_rubric(rubric_id)])
    return build_rubric(read_yaml(path), where=str(path))


# Numbers a rule may carry → whether 0 is allowed (else it must be above 0). A deduction or bonus
# of zero or below would turn a deduction into points gained, or make a rule do nothing.
RULE_NUMBERS: dict[str, bool] = {
    "amount": False, "max_deduction": False, "required": False, "numerator": False,
    "denominator": False, "max_count": False, "lo": True, "hi": False,
}


def _number_problem(value: Any, zero_ok: bool, where: str, rule_id: str | None,
                    name: str) -> Problem | None:
    """The problem with one rubric number, if any: not a number, not finite, or too small."""
    allowed_zh = "不小于 0 的有限数字" if zero_ok else "大于 0 的有限数字"
    allowed_en = "a finite number of at least 0" if zero_ok else "a finite number above 0"
    if isinstance(value, bool) or not isinstance(value, int | float):
        zh, en = "须为数字", "must be a number"
    elif not math.isfinite(value):
        zh, en = ("数字须为有限值（不能是 .nan 或 .inf）",
                  "a number must be finite (not .nan or .inf)")
    elif value < 0 or (value == 0 and not zero_ok):
        zh, en = (("不能为负数", "must not be negative") if value < 0
                  else ("不能为 0", "must not be 0"))
    else:
        return None
    return Problem(zh, en, rule_id=rule_id, field=name, value=value, allowed_zh=allowed_zh,
                   allowed_en=allowed_en, where=where)


def number_problems(data: dict[str, Any], where: str) -> list[Problem]:
    """Every bad number in a rubric, at once: points, rule amounts, ranges and tier levels.

    A revision the office writes goes through this too, so ``amount: -2`` (a deduction that
    adds points), ``lo`` above ``hi`` or ``.inf`` points are refused before anything is scored.
    """
    found: list[Problem | None] = [
        _number_problem(data.get(k), True, where, None, k) for k in ("basic_points", "bonus_cap")]
    for a in data.get("areas") or ():
        for area in (a, *(a.get("subareas") or ())) if isinstance(a, dict) else ():
            if isinstance(area, dict):
                found.append(_number_problem(area.get("points"), True, where, area.get("id"),
                                             "points"))
    for it in data.get("items") or ():
        if not isinstance(it, dict):
            continue
        found.append(_number_problem(it.get("points"), True, where, it.get("id"), "points"))
        for r in it.get("rules") or ():
            if not isinstance(r, dict):
                continue
            rid = r.get("id")
            found += [_number_problem(r[k], zero_ok, where, rid, k)
                      for k, zero_ok in RULE_NUMBERS.items() if k in r]
            lo, hi = r.get("lo"), r.get("hi")
            if all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                   for v in (lo, hi)) and lo > hi:
                found.append(Problem("下限大于上限", "lo is above hi", rule_id=rid, field="lo",
                                     value=lo, allowed_zh=f"不大于 hi（{hi}）",
                                     allowed_en=f"at most hi ({hi})", where=where))
            for n, level in enumerate(r.get("levels") or ()):
                if isinstance(level, dict):
                    found.append(_number_problem(level.get("points"), False, where, rid,
                                                 f"levels[{n}].points"))
    return [p for p in found if p is not None]


def build_rubric(data: dict[str, Any], where: str = "<rubric>") -> Rubric:
    """Turn parsed rubric data into a checked ``Rubric``; every inconsistency is reported."""
    if problems := number_problems(data, where):
        raise KpaInputError(problems)  # sums of bad numbers would only add noise
    problems = []

    def bad(zh: str, en: str, **kw: Any) -> None:
        problems.append(Problem(zh, en, where=where, **kw))

    areas: dict[str, Area] = {}
    for a in data["areas"]:
        children = tuple(s["id"] for s in a.get("subareas", ()))
        areas[a["id"]] = Area(
            a["id"], a["part"], float(a["points"]), a["zh"], a["en"], None, children
        )
        for s in a.get("subareas", ()):
            areas[s["id"]] = Area(s["id"], a["part"], float(s["points"]), s["zh"], s["en"], a["id"])

    items: dict[str, Item] = {}
    rules: dict[str, Rule] = {}
    for it in data["items"]:
        item_rules = []
        for r in it["rules"]:
            params = {
                k: v for k, v in r.items() if k not in ("id", "kind", "zh", "en", "ambiguity")
            }
            rule = Rule(r["id"], it["id"], r["kind"], r["zh"], r["en"], params, r.get("ambiguity"))
            if rule.id in rules:
                bad("规则编号重复", "duplicated rule id", rule_id=rule.id)
            if not rule.id.startswith(it["id"] + "."):
                bad(
                    "规则编号须以条目编号开头",
                    "rule id must start with its item id",
                    rule_id=rule.id,
                )
            missing = [p for p in KIND_PARAMS.get(rule.kind, ()) if p not in params]
            if rule.kind not in KIND_PARAMS:
                bad(
                    "未知的规则类型",
                    "unknown rule kind",
                    rule_id=rule.id,
                    value=rule.kind,
                    allowed_zh="、".join(KIND_PARAMS),
                    allowed_en=", ".join(KIND_PARAMS),
                )
            elif missing:
                bad("规则缺少参数", "rule lacks parameters", rule_id=rule.id, value=missing)
            rules[rule.id] = rule
            item_rules.append(rule)
        if it["area"] not in areas or areas[it["area"]].children:
            bad(
                "条目所属考核项目不存在或不是末级",
                "item's area is unknown or not a leaf",
                rule_id=it["id"],
                value=it["area"],
            )
        items[it["id"]] = Item(
            it["id"],
            int(it["number"]),
            it["area"],
            float(it["points"]),
            it["zh"],
            it["en"],
            it.get("evidence", {}),
            tuple(item_rules),
            tuple(it.get("notes", ())),
        )

    # Points must add up: items to their area, sub-areas to A3, basic areas to 100.
    for area in areas.values():
        if area.children:
            total = sum(areas[c].points for c in area.children)
        else:
            total = sum(i.points for i in items.values() if i.area_id == area.id)
        if total != area.points:
            bad(
                "分值合计不符",
                "points do not add up",
                rule_id=area.id,
                value=total,
                allowed_zh=f"{area.points:g}",
                allowed_en=f"{area.points:g}",
            )
    basic_total = sum(a.points for a in areas.values() if a.part == "basic" and a.parent_id is None)
    if basic_total != float(data["basic_points"]):
        bad(
            "基本指标合计不符",
            "basic areas do not add up",
            value=basic_total,
            allowed_zh=str(data["basic_points"]),
            allowed_en=str(data["basic_points"]),
        )
    special_total = sum(a.points for a in areas.values() if a.part == "special")
    if special_total != float(data["bonus_cap"]):
        bad(
            "特色指标合计不符",
            "special areas do not add up to the bonus cap",
            value=special_total,
            allowed_zh=str(data["bonus_cap"]),
            allowed_en=str(data["bonus_cap"]),
        )
    if problems:
        raise KpaInputError(problems)

    return Rubric(
        id=data["id"],
        year=int(data["year"]),
        title=data["title"],
        sha256=canonical_sha256(data),
        areas=areas,
        items=items,
        rules=rules,
        options=data.get("options", {}),
        notes=tuple(data.get("notes", ())),
        basic_points=float(data["basic_points"]),
        bonus_cap=float(data["bonus_cap"]),
        raw=data,
    )
