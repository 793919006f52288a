"""JSON Schema errors as bilingual problems: what every schema-checked file says when wrong.

Params files and grade bands are both checked against a JSON Schema. An analyst must never
read an English-only jsonschema message (or a regex), so each error becomes a ``Problem``
naming the field, the value and what is allowed, in Chinese and English. It lives at the
ground because the scoring core (grade bands) and the params files (reproduce) both need it.

Imports: ``errors`` only (jsonschema where used).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: a batch rerun needs no schema library
    import jsonschema

from kpa_core.errors import Problem

TYPE_WORDS = {"string": ("文字", "text"), "integer": ("整数", "a whole number"),
              "number": ("数字", "a number"), "object": ("键值表", "a mapping"),
              "array": ("列表", "a list"), "null": ("空", "null"),
              "boolean": ("是/否", "true/false")}
# jsonschema validator → (problem zh, problem en); anything else is "value not allowed".
VALIDATOR_WORDS = {
    "type": ("类型不对", "wrong type"),
    "enum": ("不是允许的取值", "not one of the allowed values"),
    "const": ("不是允许的取值", "not the allowed value"),
    "pattern": ("格式不对", "wrong format"),
    "minimum": ("超出允许范围", "out of the allowed range"),
    "maximum": ("超出允许范围", "out of the allowed range"),
    "exclusiveMinimum": ("超出允许范围", "out of the allowed range"),
    "exclusiveMaximum": ("超出允许范围", "out of the allowed range"),
    "minLength": ("不能为空", "must not be empty"),
    "minItems": ("项数太少", "too few items"),
}


def describe_allowed(node: dict[str, Any]) -> tuple[str, str]:
    """What a schema node allows, in words (Chinese, English) — never a regex.

    Analysts read these messages, so a pattern is described by the node's own
    ``x-allowed-zh``/``x-allowed-en`` words and a range is spelled out ("2000–2100 的整数").
    """
    if "x-allowed-zh" in node:
        return node["x-allowed-zh"], node.get("x-allowed-en", "")
    if "enum" in node:
        return "|".join(map(str, node["enum"])), "|".join(map(str, node["enum"]))
    if "const" in node:
        return str(node["const"]), str(node["const"])
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    zh = "或".join(TYPE_WORDS.get(k, (k, k))[0] for k in kinds)
    en = " or ".join(TYPE_WORDS.get(k, (k, k))[1] for k in kinds)
    lo = node.get("minimum", node.get("exclusiveMinimum"))
    hi = node.get("maximum", node.get("exclusiveMaximum"))
    if lo is not None and hi is not None:
        zh, en = f"{lo}–{hi} 之间的{zh or '数'}", f"{en or 'a number'} from {lo} to {hi}"
    elif lo is not None:
        zh, en = f"不小于 {lo} 的{zh or '数'}", f"{en or 'a number'} of at least {lo}"
    elif hi is not None:
        zh, en = f"不大于 {hi} 的{zh or '数'}", f"{en or 'a number'} of at most {hi}"
    if node.get("minLength"):
        zh, en = f"非空{zh}", f"non-empty {en}"
    if node.get("minItems"):
        zh, en = f"至少 {node['minItems']} 项的{zh}", f"{en} of at least {node['minItems']} items"
    return zh, en


def _branch_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For a failed oneOf/anyOf: the errors of the branch whose type fits the value, if any."""
    import jsonschema

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER
    for i, branch in enumerate(error.validator_value):
        kind = branch.get("type") if isinstance(branch, dict) else None
        if isinstance(kind, str) and checker.is_type(error.instance, kind):
            return [e for e in error.context or [] if e.relative_schema_path[0] == i]
    return []


def schema_problems(error: jsonschema.ValidationError, unit: str | None,
                    where: str | None) -> list[Problem]:
    """One schema error → bilingual problems naming the field, the value and what is allowed.

    Shared by params and grade bands so that no English-only jsonschema message (or a regex)
    ever reaches an analyst.
    """
    base = ".".join(str(p) for p in error.absolute_path)

    def field(name: str) -> str:
        return f"{base}.{name}" if base else name

    props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        if not isinstance(error.instance, dict):
            return []
        missing = [k for k in error.validator_value if k not in error.instance]
        return [Problem("缺少必填字段", "required field missing", unit=unit, field=field(k),
                        allowed_zh="、".join(error.validator_value),
                        allowed_en=", ".join(error.validator_value), where=where)
                for k in missing]
    if error.validator == "additionalProperties" and props:
        unknown = [k for k in error.instance if k not in props]
        return [Problem("未知字段", "unknown field", unit=unit, field=field(str(k)),
                        value=error.instance[k], allowed_zh="、".join(props),
                        allowed_en=", ".join(props), where=where) for k in unknown]
    if error.validator == "dependentRequired":
        return [Problem(f"缺少必填字段（有 {k} 时必填）",
                        f"required field missing (needed with {k})", unit=unit, field=field(dep),
                        allowed_zh=f"{k} 与 {dep} 同时给出",
                        allowed_en=f"{k} and {dep} together", where=where)
                for k, deps in error.validator_value.items() if k in error.instance
                for dep in deps if dep not in error.instance]
    if error.validator in ("oneOf", "anyOf"):
        inner = _branch_errors(error)
        if inner:
            return [p for e in inner for p in schema_problems(e, unit, where)]
        words = [describe_allowed(b) for b in error.validator_value if isinstance(b, dict)]
        return [Problem("类型不对", "wrong type", unit=unit, field=base or None,
                        value=error.instance, allowed_zh="或".join(w[0] for w in words),
                        allowed_en=" or ".join(w[1] for w in words), where=where)]
    node = error.schema if isinstance(error.schema, dict) else {}
    zh, en = VALIDATOR_WORDS.get(str(error.validator), ("字段取值不合法", "value not allowed"))
    allowed_zh, allowed_en = describe_allowed(node)
    return [Problem(zh, en, unit=unit, field=base or None, value=error.instance,
                    allowed_zh=allowed_zh, allowed_en=allowed_en, where=where)]


def nonfinite_problems(data: Any, base: str, unit: str | None,
                       where: str | None) -> list[Problem]:
    """Every NaN or ±inf under ``data``, by field: such a number can never be compared.

    ``abs(old - new) > tol`` is False for NaN, so one ``.nan`` score would otherwise
    "reproduce" whatever the rescore gives.
    """
    if isinstance(data, dict):
        return [p for k, v in data.items()
                for p in nonfinite_problems(v, f"{base}.{k}" if base else str(k), unit, where)]
    if isinstance(data, list):
        return [p for i, v in enumerate(data)
                for p in nonfinite_problems(v, f"{base}.{i}" if base else str(i), unit, where)]
    if isinstance(data, float) and not math.isfinite(data):
        return [Problem("数字须为有限值（不能是 .nan 或 .inf）",
                        "a number must be finite (not .nan or .inf)", unit=unit, field=base,
                        value=data, allowed_zh="有限的数字", allowed_en="a finite number",
                        where=where)]
    return []


def unique_problems(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in first-seen order.

    jsonschema raises one ``required`` error per missing field, and each is turned into a
    problem for every missing field of that mapping; without this a file missing ten fields
    would list each of them ten times.
    """
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            kept.append(problem)
    return kept
