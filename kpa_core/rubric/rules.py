"""One small class per rule kind: what an assessor enters, what is allowed, what it is worth.

Each kind validates an entry (returning every problem, never raising on the first) and turns
a valid entry into a non-negative amount. Whether the amount is deducted or added is the
rule's ``is_bonus``; the capping of the document's two notes belongs to ``scoring``, not here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from kpa_core.errors import Problem
from kpa_core.rubric.model import Rule

STEP = 0.5  # the document's ranges are read in half points
# No unit has more than this many cases of one rule (or honours, sessions…) in a year: a larger
# number is a typing error, and an unbounded count (10**400) would overflow the float scores.
MAX_PLAUSIBLE = 100
MAX_ACTUAL = 1000  # the number held, for shortfall rules (meetings, studies, articles)
MAX_PARTICIPANTS = 10000  # people at one study session (the College has a few thousand)
COMMON_FIELDS = ("reason", "evidence")


def _problem(
    rule: Rule, field: str, value: Any, zh: str, en: str, allowed: tuple[str, str]
) -> Problem:
    return Problem(
        zh,
        en,
        rule_id=rule.id,
        field=field,
        value=value,
        allowed_zh=allowed[0],
        allowed_en=allowed[1],
    )


def _fmt(x: float) -> str:
    return f"{x:g}"


def as_int(value: Any) -> int | None:
    """An integer, or an integral float such as Excel's 2.0; anything else (bools too) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_number(value: Any) -> float | None:
    """A finite real number; bools and strings are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def on_step(x: float) -> bool:
    return abs(x / STEP - round(x / STEP)) < 1e-9


def whole_points(params: dict[str, Any], x: float) -> float:
    """A half point rounded up or down when a reading (``whole: up|down``) asks for whole points."""
    how = params.get("whole")
    return float(math.ceil(x)) if how == "up" else float(math.floor(x)) if how == "down" else x


@dataclass(frozen=True)
class RuleKind:
    """Base class: a rule kind names its entry fields and knows its allowed values."""

    name: ClassVar[str]
    value_field: ClassVar[str]

    def allowed(self, rule: Rule) -> tuple[str, str]:
        """What may be entered, in Chinese and English."""
        raise NotImplementedError

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        raise NotImplementedError

    def amount(self, rule: Rule, value: Any) -> float:
        """The points this (already valid) value deducts or adds, always ≥ 0."""
        raise NotImplementedError

    def empty_value(self, rule: Rule) -> Any:
        """The value that changes nothing; used by forms and templates."""
        raise NotImplementedError

    def entry_amount(self, rule: Rule, entry: dict[str, Any]) -> float:
        """The amount of a whole entry: a reading may price the entry's optional facts."""
        return self.amount(rule, entry[self.value_field])

    def undetermined(self, rule: Rule, entry: dict[str, Any]) -> str | None:
        """Why this rule's reading cannot price the entry (its facts are missing), or None.

        The amount then stays the released reading's, never zero; callers name the unit.
        """
        return None

    def problem(
        self, rule: Rule, value: Any, zh: str, en: str, field: str | None = None
    ) -> Problem:
        """A problem with this kind's value (or a part of it), naming what the rule allows."""
        return _problem(rule, field or self.value_field, value, zh, en, self.allowed(rule))

    def list_shape(self, rule: Rule, value: Any) -> list[Problem]:
        """A list kind's value must be a list of at most ``MAX_PLAUSIBLE`` elements."""
        if not isinstance(value, list):
            return [self.problem(rule, value, "须为列表", "must be a list")]
        if len(value) > MAX_PLAUSIBLE:
            return [
                self.problem(
                    rule,
                    f"{len(value)} 项 / items",
                    f"列表过长（最多 {MAX_PLAUSIBLE} 项）",
                    f"list too long (at most {MAX_PLAUSIBLE} items)",
                )
            ]
        return []

    def validate(self, rule: Rule, entry: Any) -> list[Problem]:
        """Every problem of one entry: shape, unknown fields, the value, a missing reason."""
        if not isinstance(entry, dict):
            return [
                _problem(
                    rule,
                    "",
                    entry,
                    "条目须为键值表",
                    "an entry must be a mapping",
                    (f"{{{self.value_field}: …, reason: …}}",) * 2,
                )
            ]
        problems: list[Problem] = []
        known = (self.value_field, *COMMON_FIELDS)
        for key in entry:
            if key not in known:
                problems.append(
                    _problem(
                        rule,
                        str(key),
                        entry[key],
                        "未知字段",
                        "unknown field",
                        ("、".join(known), ", ".join(known)),
                    )
                )
        if self.value_field not in entry:
            problems.append(self.problem(rule, None, "缺少取值", "value missing"))
            return problems
        value_problems = self.check_value(rule, entry[self.value_field])
        problems += value_problems
        for key in COMMON_FIELDS:
            if key in entry and entry[key] is not None and not isinstance(entry[key], str):
                problems.append(
                    _problem(rule, key, entry[key], "须为文字", "must be text", ("文字", "text"))
                )
        if not value_problems and self.amount(rule, entry[self.value_field]) != 0:
            reason = entry.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                verb = ("加分", "a bonus") if rule.is_bonus else ("扣分", "a deduction")
                problems.append(
                    _problem(
                        rule,
                        "reason",
                        reason,
                        f"{verb[0]}须注明原因",
                        f"{verb[1]} needs a stated reason",
                        ("非空文字", "non-empty text"),
                    )
                )
        return problems


class Flag(RuleKind):
    name = "flag"
    value_field = "applies"

    def allowed(self, rule: Rule) -> tuple[str, str]:
        return (
            f"true/false（适用时扣{_fmt(rule.params['amount'])}分）",
            f"true/false (−{_fmt(rule.params['amount'])} when it applies)",
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        if isinstance(value, bool):
            return []
        return [self.problem(rule, value, "须为是/否", "must be true or false")]

    def amount(self, rule: Rule, value: Any) -> float:
        return float(rule.params["amount"]) if value else 0.0

    def empty_value(self, rule: Rule) -> Any:
        return False


class PerCount(RuleKind):
    name = "per_count"
    value_field = "count"

    def _max(self, rule: Rule) -> int:
        return int(rule.params.get("max_count", MAX_PLAUSIBLE))

    def allowed(self, rule: Rule) -> tuple[str, str]:
        hi = self._max(rule)
        each = _fmt(rule.params["amount"])
        sign = ("加", "+") if rule.is_bonus else ("扣", "−")
        return (
            f"0–{hi} 的整数（每次{sign[0]}{each}分）",
            f"a whole number 0–{hi} ({sign[1]}{each} each)",
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        n = as_int(value)
        hi = self._max(rule)
        if n is None:
            return [self.problem(rule, value, "须为整数", "must be a whole number")]
        if not 0 <= n <= hi:
            return [self.problem(rule, value, "超出允许范围", "out of range")]
        return []

    def amount(self, rule: Rule, value: Any) -> float:
        # ``max_deduction`` (optional) caps the rule as a whole, e.g. B12.training read "once".
        total = float(rule.params["amount"]) * as_int(value)
        return min(total, float(rule.params["max_deduction"])) if "max_deduction" in rule.params \
            else total

    def empty_value(self, rule: Rule) -> Any:
        return 0


class BonusPerCount(PerCount):
    name = "bonus_per_count"


class Shortfall(RuleKind):
    name = "shortfall"
    value_field = "actual"

    def allowed(self, rule: Rule) -> tuple[str, str]:
        p = rule.params
        cap_zh = f"，最多扣{_fmt(p['max_deduction'])}分" if "max_deduction" in p else ""
        cap_en = f", at most −{_fmt(p['max_deduction'])}" if "max_deduction" in p else ""
        return (
            f"实际次数，0–{MAX_ACTUAL} 的整数（应达{p['required']}，每少1扣{_fmt(p['amount'])}分"
            f"{cap_zh}）",
            f"the actual number, a whole number 0–{MAX_ACTUAL} (required {p['required']}, "
            f"−{_fmt(p['amount'])} each short{cap_en})",
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        n = as_int(value)
        if n is None or n < 0:
            return [self.problem(rule, value, "须为≥0的整数", "must be a whole number ≥ 0")]
        if n > MAX_ACTUAL:  # 1.0e+300 is "integral" too: a typing error, not a count
            return [self.problem(rule, value, f"不可能这么多（最多 {MAX_ACTUAL}）",
                                 f"implausibly large (at most {MAX_ACTUAL})")]
        return []

    def amount(self, rule: Rule, value: Any) -> float:
        p = rule.params
        short = max(0, int(p["required"]) - as_int(value))
        deduction = float(p["amount"]) * short
        return min(deduction, float(p["max_deduction"])) if "max_deduction" in p else deduction

    def entry_amount(self, rule: Rule, entry: dict[str, Any]) -> float:
        # ``semester_required`` (optional): B01.meetings read per semester — each semester of
        # the entry's ``semesters`` [第一学期, 第二学期] below it loses ``amount``.
        p = rule.params
        if "semester_required" in p and isinstance(entry.get("semesters"), list):
            short = sum(1 for n in entry["semesters"] if as_int(n) < int(p["semester_required"]))
            deduction = float(p["amount"]) * short
            return min(deduction, float(p["max_deduction"])) if "max_deduction" in p \
                else deduction
        return self.amount(rule, entry[self.value_field])

    def undetermined(self, rule: Rule, entry: dict[str, Any]) -> str | None:
        if "semester_required" in rule.params and not isinstance(entry.get("semesters"), list):
            return "无法判定：记录未分学期 / cannot tell: the record has no per-semester counts"
        return None

    def empty_value(self, rule: Rule) -> Any:
        return int(rule.params["required"])


class Range(RuleKind):
    """An amount in [lo, hi] in half points; 0 means the clause does not apply."""

    name = "range"
    value_field = "points"

    def allowed(self, rule: Rule) -> tuple[str, str]:
        lo, hi = _fmt(rule.params["lo"]), _fmt(rule.params["hi"])
        zero_zh = "" if rule.params["lo"] == 0 else "0（不适用）或 "
        zero_en = "" if rule.params["lo"] == 0 else "0 (does not apply) or "
        return (f"{zero_zh}{lo}–{hi}，步长0.5", f"{zero_en}{lo}–{hi} in steps of 0.5")

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        x = as_number(value)
        lo, hi = float(rule.params["lo"]), float(rule.params["hi"])
        if x is None:
            return [self.problem(rule, value, "须为数字", "must be a number")]
        if x != 0 and not lo <= x <= hi:
            return [self.problem(rule, value, "超出允许范围", "out of range")]
        if not on_step(x):
            return [self.problem(rule, value, "须为0.5的整数倍", "must be a multiple of 0.5")]
        return []

    def amount(self, rule: Rule, value: Any) -> float:
        # Optional parameters, each set only by a reading (rubrics/readings/*.yaml):
        # ``max_deduction`` caps what a held-but-imperfect entry costs, and ``full_at_hi`` keeps
        # the top value (a wholly missing B03 活动月, entered as 3) at its full cost;
        # ``min_amount`` raises any deduction to at least that (B03 read as 扣2-3分);
        # ``all_or_nothing`` makes any shortfall cost ``hi`` (B02.system's 满分2分);
        # ``whole`` rounds half points up or down (ranges read in whole points).
        p, x = rule.params, float(value)
        if x == 0:
            return 0.0
        x = whole_points(p, x)
        if p.get("all_or_nothing"):
            return float(p["hi"])
        if "max_deduction" in p and not (p.get("full_at_hi") and x >= float(p["hi"])):
            x = min(x, float(p["max_deduction"]))
        if "min_amount" in p:
            x = max(x, float(p["min_amount"]))
        return x

    def entry_amount(self, rule: Rule, entry: dict[str, Any]) -> float:
        # ``per_missing`` (optional): B08's "三有" read as so much per missing 有, from the
        # entry's ``missing`` (which of plan/theme/content are missing).
        p = rule.params
        if "per_missing" in p and isinstance(entry.get("missing"), list):
            return float(p["per_missing"]) * len(set(entry["missing"]))
        return self.amount(rule, entry[self.value_field])

    def undetermined(self, rule: Rule, entry: dict[str, Any]) -> str | None:
        if "per_missing" in rule.params and not isinstance(entry.get("missing"), list) \
                and entry.get(self.value_field):
            return ("无法判定：记录未写缺哪几个“有” / cannot tell: the record does not say "
                    "which of the three haves are missing")
        return None

    def empty_value(self, rule: Rule) -> Any:
        return 0


class RangePerCase(RuleKind):
    """One amount in [lo, hi] (half points) for each case."""

    name = "range_per_case"
    value_field = "cases"

    def allowed(self, rule: Rule) -> tuple[str, str]:
        lo, hi = _fmt(rule.params["lo"]), _fmt(rule.params["hi"])
        return (
            f"每件一个分值的列表，每个 {lo}–{hi}，步长0.5",
            f"a list with one amount per case, each {lo}–{hi} in steps of 0.5",
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        if problems := self.list_shape(rule, value):
            return problems
        lo, hi = float(rule.params["lo"]), float(rule.params["hi"])
        problems = []
        for i, v in enumerate(value):
            x = as_number(v)
            field = f"{self.value_field}[{i}]"
            if x is None or not lo <= x <= hi:
                problems.append(
                    self.problem(
                        rule,
                        v,
                        "超出允许范围或不是数字",
                        "out of range or not a number",
                        field=field,
                    )
                )
            elif not on_step(x):
                problems.append(
                    self.problem(
                        rule, v, "须为0.5的整数倍", "must be a multiple of 0.5", field=field
                    )
                )
        return problems

    def amount(self, rule: Rule, value: Any) -> float:
        return float(sum(whole_points(rule.params, float(v)) for v in value))

    def entry_amount(self, rule: Rule, entry: dict[str, Any]) -> float:
        # ``per_person`` (optional): B16's "扣4-5分/件人" read per person — each case's amount
        # times the persons of the entry's ``persons`` (one count per case).
        cases, persons = entry[self.value_field], entry.get("persons")
        if rule.params.get("per_person") and isinstance(persons, list) \
                and len(persons) == len(cases):
            return float(sum(whole_points(rule.params, float(v)) * as_int(n)
                             for v, n in zip(cases, persons, strict=True)))
        return self.amount(rule, cases)

    def undetermined(self, rule: Rule, entry: dict[str, Any]) -> str | None:
        if rule.params.get("per_person") and entry.get(self.value_field) \
                and not isinstance(entry.get("persons"), list):
            return ("无法判定：记录未写每件涉案人数 / cannot tell: the record does not give the "
                    "persons of each case")
        return None

    def empty_value(self, rule: Rule) -> Any:
        return []


class BonusRangePerCase(RangePerCase):
    name = "bonus_range_per_case"


class Ratio(RuleKind):
    """Study sessions where fewer than numerator/denominator of participants wrote reflections."""

    name = "ratio"
    value_field = "sessions"

    def allowed(self, rule: Rule) -> tuple[str, str]:
        p = rule.params
        frac = f"{p['numerator']}/{p['denominator']}"
        return (
            f"每次学习 {{participants: 1–{MAX_PARTICIPANTS} 的整数, reflections: 0–participants}}；"
            f"写心得者少于{frac}的每次扣{_fmt(p['amount'])}分",
            f"per session {{participants: whole number 1–{MAX_PARTICIPANTS}, "
            "reflections: 0–participants}; "
            f"each session under {frac} −{_fmt(p['amount'])}",
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        if problems := self.list_shape(rule, value):
            return problems
        problems = []
        for i, s in enumerate(value):
            field = f"{self.value_field}[{i}]"
            if not isinstance(s, dict) or set(s) != {"participants", "reflections"}:
                problems.append(
                    self.problem(
                        rule,
                        s,
                        "须含 participants 与 reflections 两项",
                        "needs exactly participants and reflections",
                        field=field,
                    )
                )
                continue
            n, r = as_int(s["participants"]), as_int(s["reflections"])
            if n is not None and n > MAX_PARTICIPANTS:
                problems.append(self.problem(
                    rule, s["participants"], f"参加人数不可能这么多（最多 {MAX_PARTICIPANTS}）",
                    f"implausibly many participants (at most {MAX_PARTICIPANTS})",
                    field=f"{field}.participants"))
            elif n is None or n < 1:
                problems.append(
                    self.problem(
                        rule,
                        s["participants"],
                        "参加人数须为≥1的整数",
                        "participants must be a whole number ≥ 1",
                        field=f"{field}.participants",
                    )
                )
            elif r is None or not 0 <= r <= n:
                problems.append(
                    self.problem(
                        rule,
                        s["reflections"],
                        "心得篇数须为0到参加人数之间的整数",
                        "reflections must be a whole number from 0 to participants",
                        field=f"{field}.reflections",
                    )
                )
        return problems

    def failing_sessions(self, rule: Rule, value: Any) -> int:
        num, den = int(rule.params["numerator"]), int(rule.params["denominator"])
        # Integer arithmetic, no float rounding at the boundary. By default exactly 1/3 passes;
        # ``exact: fail`` (optional) is the strict reading, where a session must exceed it.
        if rule.params.get("exact", "pass") == "fail":
            return sum(1 for s in value
                       if as_int(s["reflections"]) * den <= as_int(s["participants"]) * num)
        return sum(
            1 for s in value if as_int(s["reflections"]) * den < as_int(s["participants"]) * num
        )

    def amount(self, rule: Rule, value: Any) -> float:
        # ``max_deduction`` (optional, a reading of B17's amount, which the draft never gives)
        total = float(rule.params["amount"]) * self.failing_sessions(rule, value)
        return min(total, float(rule.params["max_deduction"])) if "max_deduction" in \
            rule.params else total

    def empty_value(self, rule: Rule) -> Any:
        return []


class Tier(RuleKind):
    """Honours by level; each honour adds its level's points."""

    name = "tier"
    value_field = "levels"

    def level_points(self, rule: Rule) -> dict[str, float]:
        return {lv["id"]: float(lv["points"]) for lv in rule.params["levels"]}

    def allowed(self, rule: Rule) -> tuple[str, str]:
        lvs = rule.params["levels"]
        return (
            "、".join(f"{lv['id']}（{lv['zh']} +{_fmt(lv['points'])}）" for lv in lvs) + " 的列表",
            "a list of "
            + ", ".join(f"{lv['id']} ({lv['en']} +{_fmt(lv['points'])})" for lv in lvs),
        )

    def check_value(self, rule: Rule, value: Any) -> list[Problem]:
        if problems := self.list_shape(rule, value):
            return problems
        known = self.level_points(rule)
        return [
            self.problem(
                rule, v, "未知的荣誉级别", "unknown honour level", field=f"{self.value_field}[{i}]"
            )
            for i, v in enumerate(value)
            if not isinstance(v, str) or v not in known
        ]

    def amount(self, rule: Rule, value: Any) -> float:
        # ``combine: highest`` (optional, a reading of S1): only the highest honour counts.
        points = self.level_points(rule)
        if rule.params.get("combine") == "highest":
            return max((points[v] for v in value), default=0.0)
        return float(sum(points[v] for v in value))

    def empty_value(self, rule: Rule) -> Any:
        return []


KINDS: dict[str, RuleKind] = {
    k.name: k()
    for k in (
        Flag,
        PerCount,
        BonusPerCount,
        Shortfall,
        Range,
        RangePerCase,
        BonusRangePerCase,
        Ratio,
        Tier,
    )
}


def kind_of(rule: Rule) -> RuleKind:
    """The kind object that validates and prices entries for this rule."""
    return KINDS[rule.kind]


def entry_amount(rule: Rule, entry: dict[str, Any]) -> float:
    """The non-negative points a valid entry is worth under its rule."""
    return kind_of(rule).entry_amount(rule, entry)
