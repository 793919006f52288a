"""Saved run parameters: everything a rerun needs, and the scores it produced.

A params file is written by the report batch (one per unit) and by the what-if notebook (one
per scenario). It embeds the record's entries and names the data file with its sha256, pins
the rubric by id and content hash (with the numbers of every rule, so that a later change can
be named rule by rule), and keeps the resulting scores, so that years later ``kpa reproduce``
can rescore and show exactly what, if anything, changed.

Layout (``params/<year>/<unit id>.yaml``; the JSON schema is ``templates/params.schema.json``)::

    kpa_params: 1
    kind: report | scenario
    made: '2026-11-27T09:00:00+00:00'
    kpa_version: 0.1.0
    rubric: {id: kvtc-2013-draft, sha256: …, numbers: {areas: …, items: …, rules: …}}
    options: {cap_scope: subarea}
    year: 2013
    unit: 石油工程系
    unit_id: petroleum
    record: {path: data/2013/petroleum.yaml, sha256: …, data: {…the record…}}
    scores: {basic: …, bonus: …, total: …, areas: {…}, special: {…}, rules: {…}}
    grades: null            # or the grade bands used and the grade given (see grading)
    extra: {…}              # optional free-form context, e.g. a what-if scenario

Files are read with ``yaml.safe_load`` only and validated against the schema; a missing or
unknown field is reported by name, in Chinese and English, with every problem at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from kpa_core import __version__
from kpa_core.atomic import atomic_write_text
from kpa_core.errors import KpaInputError, Problem
from kpa_core.paths import PACKAGE_DIR, project_dir
from kpa_core.record import Record, check_unit_id, dump_yaml, read_yaml
from kpa_core.rubric import Rubric, load_rubric
from kpa_core.scoring import ScoreCard

PARAMS_FORMAT = 1
SCHEMA_PATH = PACKAGE_DIR / "templates" / "params.schema.json"
KINDS = ("report", "scenario")
# Fields that only say when and by what a file was written: they may differ between two runs
# that are otherwise the same, so "has anything changed?" ignores them.
VOLATILE_FIELDS = ("made", "kpa_version")


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (the data file a report read)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scores_of(card: ScoreCard) -> dict[str, Any]:
    """The scores kept in a params file: what a rerun must match, down to each rule's points."""
    return {"basic": card.basic, "bonus": card.bonus, "total": card.total,
            "areas": dict(card.area_scores), "special": dict(card.special),
            "rules": {rid: float(v) for rid, v in card.rule_amounts.items()}}


def rubric_numbers(rubric: Rubric) -> dict[str, Any]:
    """Every number of a rubric that a score depends on, keyed by id.

    Embedded in params so that, if the rubric file is ever altered, reproduce can say which
    rules changed and how (old → new), not merely that a hash differs.
    """
    rules: dict[str, Any] = {}
    for rid, rule in rubric.rules.items():
        entry: dict[str, Any] = {"kind": rule.kind}
        for key, value in rule.params.items():
            if key == "levels":  # tier levels: only their points matter to a score
                value = {lv["id"]: lv["points"] for lv in value}
            entry[key] = value
        rules[rid] = entry
    return {
        "areas": {a.id: a.points for a in rubric.areas.values()},
        "items": {i.id: {"area": i.area_id, "points": i.points} for i in rubric.items.values()},
        "rules": rules,
        "options": {name: spec.get("default") for name, spec in rubric.options.items()},
    }


def portable_path(path: str | Path) -> str:
    """A data path as stored: relative to the project root when inside it, POSIX slashes."""
    p = Path(path)
    absolute = p if p.is_absolute() else Path.cwd() / p
    if not absolute.exists() and not p.is_absolute():
        absolute = project_dir() / p
    absolute = absolute.resolve()
    try:
        return absolute.relative_to(project_dir()).as_posix()
    except ValueError:
        return absolute.as_posix()


def make_params(record: Record, card: ScoreCard, kind: str = "report",
                record_path: str | Path | None = None, grades: dict[str, Any] | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the params mapping for one scored record.

    ``record_path`` (the data file read) is stored relative to the project root when it lies
    inside it. ``extra`` keys that are fields of the format (e.g. ``made``) replace them; any
    other keys are kept under ``extra`` so the file still validates.
    """
    rec: dict[str, Any] = {"data": record.to_data()}
    if record_path is not None:
        stored = portable_path(record_path)
        rec = {"path": stored, "sha256": file_sha256(resolve_data_path(stored)), **rec}
    rubric = load_rubric(card.rubric_id)
    numbers = rubric_numbers(rubric) if rubric.sha256 == card.rubric_sha256 else None
    rubric_entry: dict[str, Any] = {"id": card.rubric_id, "sha256": card.rubric_sha256}
    if numbers is not None:
        rubric_entry["numbers"] = numbers
    params: dict[str, Any] = {
        "kpa_params": PARAMS_FORMAT,
        "kind": kind,
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kpa_version": __version__,
        "rubric": rubric_entry,
        "options": {"cap_scope": card.cap_scope},
        "year": record.year,
        "unit": record.unit,
        "unit_id": record.unit_id,
        "record": rec,
        "scores": scores_of(card),
        "grades": grades,
    }
    if extra:
        known = set(schema()["properties"])
        params.update({k: v for k, v in extra.items() if k in known and k != "extra"})
        rest = {k: v for k, v in extra.items() if k not in known}
        rest.update(extra.get("extra") or {})
        if rest:
            params["extra"] = rest
    return params


def resolve_data_path(path: str | Path, data_dir: str | Path | None = None) -> Path:
    """Where a stored data path points now.

    Absolute paths are used as they are. Relative ones are relative to the project root
    (``$KPA_HOME`` or the current folder); when ``data_dir`` is given, a path under ``data/``
    is looked up in that folder instead, so a moved data folder can still be checked.
    """
    p = Path(path)
    if p.is_absolute():
        return p
    if data_dir is not None and p.parts and p.parts[0] == "data":
        return Path(data_dir).joinpath(*p.parts[1:])
    return project_dir() / p


def params_path(params_dir: str | Path, year: int, unit_id: str) -> Path:
    """``params/<year>/<unit id>.yaml``; the id is checked so it can never escape the folder."""
    problems = check_unit_id(unit_id)
    if problems:
        raise KpaInputError(problems)
    return Path(params_dir) / str(year) / f"{unit_id}.yaml"


def write_params(path: str | Path, params: dict[str, Any]) -> Path:
    """Write a params file atomically; refuse one that would not read back."""
    validate_params(params, where=str(path))
    return atomic_write_text(Path(path), dump_yaml(params))


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two params say the same thing apart from when and by which version they were made."""
    def strip(p: dict[str, Any]) -> str:
        kept = {k: v for k, v in p.items() if k not in VOLATILE_FIELDS}
        return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return strip(a) == strip(b)


def write_params_if_changed(path: str | Path, params: dict[str, Any]) -> bool:
    """Write only when the content (other than ``made``/``kpa_version``) differs; True if written.

    Keeps params/ diffs in git meaningful: rerunning a batch does not touch unchanged units.
    """
    path = Path(path)
    if path.exists():
        try:
            if same_content(read_params(path), params):
                return False
        except KpaInputError:
            pass  # an unreadable old file is replaced
    write_params(path, params)
    return True


@cache
def schema() -> dict[str, Any]:
    """The JSON schema of format 1 (shipped as package data)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _allowed(schema_node: dict[str, Any]) -> str:
    if "enum" in schema_node:
        return "|".join(map(str, schema_node["enum"]))
    if "const" in schema_node:
        return str(schema_node["const"])
    if "pattern" in schema_node:
        return f"pattern {schema_node['pattern']}"
    kind = schema_node.get("type")
    if kind:
        return kind if isinstance(kind, str) else "|".join(kind)
    return ""


TYPE_ZH = {"string": "文字", "integer": "整数", "number": "数字", "object": "键值表",
           "array": "列表", "null": "空", "boolean": "是/否"}


def _problems_of(error: jsonschema.ValidationError, unit: str | None,
                 where: str | None) -> list[Problem]:
    """One schema error → bilingual problems naming the field (all missing/unknown ones)."""
    base = ".".join(str(p) for p in error.absolute_path)

    def field(name: str) -> str:
        return f"{base}.{name}" if base else name

    props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    if error.validator == "required":
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
    allowed = _allowed(error.schema) if isinstance(error.schema, dict) else ""
    allowed_zh = TYPE_ZH.get(allowed, allowed)
    return [Problem("字段取值不合法", "value not allowed", unit=unit, field=base or None,
                    value=error.instance, allowed_zh=allowed_zh, allowed_en=allowed, where=where)]


def validate_params(data: Any, where: str | None = None) -> dict[str, Any]:
    """Check plain data against the schema; raise ``KpaInputError`` naming every bad field."""
    if not isinstance(data, dict):
        raise KpaInputError([Problem("参数文件须为键值表", "a params file must be a mapping",
                                     value=type(data).__name__, where=where)])
    unit = data.get("unit") if isinstance(data.get("unit"), str) else None
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [p for e in errors for p in _problems_of(e, unit, where)]
    if problems:
        raise KpaInputError(problems)
    return data


def read_params(path: str | Path) -> dict[str, Any]:
    """Safe-load and validate one params file."""
    path = Path(path)
    data = read_yaml(path)
    if isinstance(data, dict) and isinstance(data.get("made"), dt.date | dt.datetime):
        data["made"] = data["made"].isoformat()  # an unquoted timestamp typed by hand
    return validate_params(data, where=str(path))
