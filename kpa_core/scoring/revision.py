"""Rubric revisions the office writes: load one from a file, compare two, rescore a year under one.

The draft will be revised. Before adopting a revision the office wants to see exactly what it
changes (rules added, removed, and changed in their numbers or text) and what it would do to
each unit's total and rank. A revision file is checked like the released rubric (points add up,
kinds have their numbers) plus its shape, every problem at once. Entries that name a rule the
revision lacks are listed as dropped — never silently ignored — and the remaining entries must
be valid under the revision's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import RUBRIC_DIR, Rubric, available_rubrics, build_rubric, load_rubric
from kpa_core.scoring.compare import signed_amount
from kpa_core.scoring.record import Record, check_entries
from kpa_core.scoring.score import score_year, unit_key
from kpa_core.store.yaml_io import read_yaml

TOP = ("id", "year", "title", "basic_points", "bonus_cap", "areas", "items")
ITEM_KEYS = ("id", "number", "area", "points", "zh", "en", "rules")
RULE_KEYS = ("id", "kind", "zh", "en")
TEXT_FIELDS = ("zh", "en")
DIFF_COLUMNS = ["change", "id", "field", "old", "new"]


def _shape_problems(data: Any, where: str) -> list[Problem]:
    """Missing fields that ``build_rubric`` would otherwise trip over one at a time."""
    if not isinstance(data, dict):
        return [Problem("考核细则文件须为键值表", "a rubric file must be a mapping", where=where,
                        allowed_zh="、".join(TOP), allowed_en=", ".join(TOP))]
    problems = [Problem("考核细则缺少字段", "rubric field missing", field=k, where=where,
                        allowed_zh="、".join(TOP), allowed_en=", ".join(TOP))
                for k in TOP if k not in data]
    for n, it in enumerate(data.get("items") or []):
        if not isinstance(it, dict):
            problems.append(Problem("条目须为键值表", "an item must be a mapping",
                                    field=f"items[{n}]", value=it, where=where))
            continue
        problems += [Problem("条目缺少字段", "item field missing", rule_id=it.get("id"),
                             field=k, where=where, allowed_zh="、".join(ITEM_KEYS),
                             allowed_en=", ".join(ITEM_KEYS)) for k in ITEM_KEYS if k not in it]
        for r in it.get("rules") or []:
            missing = [k for k in RULE_KEYS if not isinstance(r, dict) or k not in r]
            problems += [Problem("规则缺少字段", "rule field missing",
                                 rule_id=r.get("id") if isinstance(r, dict) else None, field=k,
                                 where=where, allowed_zh="、".join(RULE_KEYS),
                                 allowed_en=", ".join(RULE_KEYS)) for k in missing]
    return problems


def load_rubric_file(path: str | Path) -> Rubric:
    """A rubric from any YAML file (safe loader), checked like the released one.

    A revision must carry its own id: reusing a shipped id with other content would make two
    different rule sets answer to one name in the saved params.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise KpaInputError([Problem("找不到考核细则文件", "rubric file not found", field="rubric",
                                     value=where)])
    data = read_yaml(path)
    if problems := _shape_problems(data, where):
        raise KpaInputError(problems)
    try:
        rubric = build_rubric(data, where=where)
    except KpaInputError:
        raise  # already bilingual problems (bad numbers, sums): never wrapped as "malformed"
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a value of the wrong type
        raise KpaInputError([Problem("考核细则文件结构或取值有误", "rubric file malformed",
                                     value=f"{type(exc).__name__}: {exc}", where=where,
                                     allowed_zh="与 kvtc-2013-draft.yaml 相同的结构",
                                     allowed_en="the layout of kvtc-2013-draft.yaml")]) from None
    if rubric.id in available_rubrics() and load_rubric(rubric.id).sha256 != rubric.sha256:
        raise KpaInputError([Problem("修订稿须使用新的编号", "a revision needs a new id",
                                     field="id", value=rubric.id, where=where,
                                     allowed_zh="不同于已发布版本的编号",
                                     allowed_en="an id other than the released ones")])
    return rubric


def example_rubrics() -> dict[str, Path]:
    """Example revisions shipped with the package, by every name a user may give: the file's
    stem (``example-revision``), ``examples/<stem>`` and the ``id`` inside it.

    The README's commands name them this way, so they work from an installed wheel (where
    ``kpa_core/rubrics/examples/…`` is no path in the user's folder) as well as in the repo.
    """
    names: dict[str, Path] = {}
    for path in sorted((RUBRIC_DIR / "examples").glob("*.yaml")):
        names[path.stem] = names[f"examples/{path.stem}"] = path
        data = read_yaml(path)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            names[data["id"]] = path
    return names


def resolve_rubric(name: str) -> Rubric:
    """A shipped rubric id, a rubric file, or a shipped example revision's name."""
    if name in available_rubrics():
        return load_rubric(name)
    examples = example_rubrics()
    if not Path(name).is_file() and name.removesuffix(".yaml") in examples:
        return load_rubric_file(examples[name.removesuffix(".yaml")])
    if not Path(name).is_file():
        shipped = [*available_rubrics(), *(n for n in examples if "/" in n)]
        raise KpaInputError([Problem(
            "找不到考核细则文件或版本", "rubric file or id not found", field="rubric", value=name,
            allowed_zh="已有的 YAML 文件，或内置的 " + "、".join(shipped),
            allowed_en="an existing YAML file, or a shipped one: " + ", ".join(shipped))])
    return load_rubric_file(name)


def diff_rubrics(old: Rubric, new: Rubric) -> pd.DataFrame:
    """What a revision changes: one row per rule added or removed, and per changed field of a
    rule (its numbers, kind, item or text), of an item (points, area, text), of an area (points,
    part, parent, text; areas added or removed too) and of the totals (basic points, bonus cap):
    an office adopting a revision must see a whole area dropped, not only its items.

    Columns: change (added | removed | changed), id, field, old, new. Rubric order, old first.
    """
    rows: list[dict[str, Any]] = []

    def changed(obj_id: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        for key in sorted(set(a) | set(b), key=lambda k: (k not in a, str(k))):
            if a.get(key) != b.get(key):
                rows.append({"change": "changed", "id": obj_id, "field": key,
                             "old": a.get(key), "new": b.get(key)})

    changed(old.id, {"basic_points": old.basic_points, "bonus_cap": old.bonus_cap},
            {"basic_points": new.basic_points, "bonus_cap": new.bonus_cap})
    for aid, area in old.areas.items():
        if aid not in new.areas:
            rows.append({"change": "removed", "id": aid, "field": "area", "old": area.zh,
                         "new": None})
            continue
        changed(aid, _area_fields(area), _area_fields(new.areas[aid]))
    for aid, area in new.areas.items():
        if aid not in old.areas:
            rows.append({"change": "added", "id": aid, "field": "area", "old": None,
                         "new": f"{area.points:g} {area.zh}"})
    for iid, item in old.items.items():
        if iid not in new.items:
            rows.append({"change": "removed", "id": iid, "field": "item", "old": item.zh,
                         "new": None})
            continue
        other = new.items[iid]
        changed(iid, {"points": item.points, "area": item.area_id, "zh": item.zh, "en": item.en},
                {"points": other.points, "area": other.area_id, "zh": other.zh, "en": other.en})
    for iid, item in new.items.items():
        if iid not in old.items:
            rows.append({"change": "added", "id": iid, "field": "item", "old": None,
                         "new": item.zh})
    for rid, rule in old.rules.items():
        if rid not in new.rules:
            rows.append({"change": "removed", "id": rid, "field": "rule", "old": rule.zh,
                         "new": None})
            continue
        other = new.rules[rid]
        changed(rid, _rule_fields(rule), _rule_fields(other))
    for rid, rule in new.rules.items():
        if rid not in old.rules:
            rows.append({"change": "added", "id": rid, "field": "rule", "old": None,
                         "new": f"{rule.kind} {_numbers(rule.params)} {rule.zh}"})
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def _area_fields(area: Any) -> dict[str, Any]:
    return {"points": area.points, "part": area.part, "parent": area.parent_id, "zh": area.zh,
            "en": area.en}


def _rule_fields(rule: Any) -> dict[str, Any]:
    return {"kind": rule.kind, "item": rule.item_id, **rule.params, "zh": rule.zh, "en": rule.en}


def _numbers(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if k != "levels") or ""


@dataclass
class Rescored:
    """A year under a revision: per unit old and new total and rank; the entries dropped."""

    table: pd.DataFrame
    dropped: pd.DataFrame
    old_rubric: Rubric
    new_rubric: Rubric


def rescore(records: Sequence[Record], new: Rubric, cap_scope: str | None = None) -> Rescored:
    """Score the year's records under both their own rubric and the revision ``new``.

    Entries for rules the revision lacks are dropped and listed (unit, rule, the points they
    were worth, the reason). Every remaining entry must be valid under the revision; if any is
    not, all such problems are raised together, each naming the unit.
    """
    old = load_rubric(records[0].rubric)
    before = score_year(records, cap_scope=cap_scope, rubric=old).table
    dropped_rows, kept, problems = [], [], []
    for r in records:
        entries = {}
        for rid, entry in r.entries.items():
            if rid in new.rules:
                entries[rid] = entry
                continue
            amount = signed_amount(old, rid, entry)
            dropped_rows.append({"unit_id": unit_key(r), "unit": r.unit, "rule": rid,
                                 "amount": amount, "reason": str(entry.get("reason") or "")})
        problems += [p.located(unit=r.unit, where=r.source) for p in check_entries(entries, new)]
        kept.append(replace(r, rubric=new.id, entries=entries))
    if problems:
        raise KpaInputError(problems)
    after = score_year(kept, cap_scope=cap_scope, rubric=new).table
    table = pd.DataFrame({"unit_id": before.index, "unit": before["unit"].to_numpy(),
                          "old_total": before["total"].to_numpy(),
                          "new_total": after["total"].reindex(before.index).to_numpy(),
                          "old_rank": before["rank"].to_numpy(),
                          "new_rank": after["rank"].reindex(before.index).to_numpy()})
    table["change"] = table["new_total"] - table["old_total"]
    table["rank_change"] = table["old_rank"] - table["new_rank"]
    table = table.sort_values(["new_rank", "unit_id"], ignore_index=True)
    dropped = pd.DataFrame(dropped_rows, columns=["unit_id", "unit", "rule", "amount", "reason"])
    return Rescored(table, dropped, old, new)
