"""Alternative readings of a rubric's ambiguous clauses, chosen at scoring time.

The 2013 rubric is a draft: a few clauses can be read more than one way (``shared/RUBRIC.md``
§4). The released rubric encodes one reading and is pinned by its sha256, so the others live in
a data file beside it, ``rubrics/readings/<rubric id>.yaml``: each option has a default (the
released reading) and named values, each value the rule parameters it changes (``set``) or the
rule it adds (``add``), or the parameters of every rule of a kind (``set_kinds``). The file
also declares the optional facts of an entry a reading needs (``facts:``, checked by
``fact_problems``) and the clauses read one way with no alternative (``fixed:``).
``apply_readings`` turns a choice of values into a derived rubric (same
id, its own content sha256) that both scoring paths use unchanged; the engine option
``cap_scope`` is passed through as the scoring cap scope.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import RUBRIC_DIR, Rubric, build_rubric
from kpa_core.store.yaml_io import read_yaml

READINGS_DIR = RUBRIC_DIR / "readings"


@dataclass(frozen=True)
class ReadingOption:
    """One open question: its allowed values, the default, and what each value changes."""

    name: str
    zh: str
    en: str
    default: str
    values: dict[str, dict[str, Any]]  # value → {zh, en, set?, add?}
    engine: str | None = None  # "cap_scope": chosen by the engine, not by rule parameters
    clause: str | None = None  # the source's clause, character for character

    @property
    def allowed(self) -> list[str]:
        return list(self.values)

    def label(self, value: str) -> str:
        v = self.values[value]
        return f"{v['zh']} / {v['en']}"


def readings_path(rubric_id: str):
    return READINGS_DIR / f"{rubric_id}.yaml"


@cache
def load_readings(rubric_id: str) -> dict[str, ReadingOption]:
    """The reading options of a rubric (empty when it has no readings file)."""
    path = readings_path(rubric_id)
    if not path.is_file():
        return {}
    data = read_yaml(path)
    problems: list[Problem] = []
    if data.get("rubric") != rubric_id:
        problems.append(Problem("解读文件所属细则不符", "readings file names another rubric",
                                field="rubric", value=data.get("rubric"), allowed_zh=rubric_id,
                                allowed_en=rubric_id, where=str(path)))
    options = {}
    for name, o in (data.get("options") or {}).items():
        values = {str(k): (v or {}) for k, v in (o.get("values") or {}).items()}
        if o.get("default") not in values:
            problems.append(Problem("解读选项的默认值不在取值中", "default not among the values",
                                    field=name, value=o.get("default"),
                                    allowed_zh="、".join(values), allowed_en=", ".join(values),
                                    where=str(path)))
        options[name] = ReadingOption(name, o.get("zh", name), o.get("en", name),
                                      str(o.get("default")), values, o.get("engine"),
                                      o.get("clause"))
    if problems:
        raise KpaInputError(problems)
    return options


def check_choices(rubric_id: str, choices: Mapping[str, str]) -> dict[str, str]:
    """Every named option known and every value allowed; all problems named at once."""
    options = load_readings(rubric_id)
    problems = []
    for name, value in choices.items():
        if name not in options:
            problems.append(Problem("未知的解读选项", "unknown reading option", field=name,
                                    value=value, allowed_zh="、".join(options) or "（无）",
                                    allowed_en=", ".join(options) or "(none)"))
        elif value not in options[name].values:
            allowed = options[name].allowed
            problems.append(Problem("解读选项取值不合法", "reading value not allowed",
                                    field=name, value=value, allowed_zh="|".join(allowed),
                                    allowed_en="|".join(allowed)))
    if problems:
        raise KpaInputError(problems)
    return dict(choices)


def parse_choice_args(pairs: list[str] | None) -> dict[str, str]:
    """``["cap_scope=area", "B17.threshold=strict"]`` → a dict (command-line ``--reading``)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise KpaInputError([Problem("解读选项须写作 名称=取值", "a reading is NAME=VALUE",
                                         field="reading", value=pair,
                                         allowed_zh="名称=取值", allowed_en="NAME=VALUE")])
        out[name.strip()] = value.strip()
    return out


def apply_readings(rubric: Rubric, choices: Mapping[str, str]) -> tuple[Rubric, str | None]:
    """The rubric under the chosen readings, and the cap scope they choose (or None).

    Default values change nothing, so choosing only defaults returns the rubric itself.
    """
    check_choices(rubric.id, choices)
    key = (rubric.id, rubric.sha256, tuple(sorted(choices.items())))
    if key not in _DERIVED:
        _DERIVED[key] = _derive(rubric, key[2])
    derived, cap_scope = _DERIVED[key]
    # unchanged: the caller's own object, not an equal one cached from another load
    return (rubric if derived.sha256 == rubric.sha256 else derived), cap_scope


_DERIVED: dict[tuple[Any, ...], tuple[Rubric, str | None]] = {}


def _derive(base: Rubric, key: tuple[tuple[str, str], ...]) -> tuple[Rubric, str | None]:
    rubric_id = base.id
    options = load_readings(rubric_id)
    cap_scope = None
    changes: list[dict[str, Any]] = []
    for name, value in key:
        opt = options[name]
        if opt.engine == "cap_scope":
            cap_scope = value
        if value != opt.default:
            changes.append(opt.values[value])
    if not any(c.get("set") or c.get("add") or c.get("set_kinds") for c in changes):
        return base, cap_scope
    data = copy.deepcopy(base.raw)
    items = {it["id"]: it for it in data["items"]}
    rules = {r["id"]: r for it in data["items"] for r in it["rules"]}
    for change in changes:
        for rule_id, params in (change.get("set") or {}).items():
            if rule_id not in rules:
                raise KpaInputError([Problem("解读引用了不存在的规则",
                                             "reading names an unknown rule", rule_id=rule_id,
                                             where=str(readings_path(rubric_id)))])
            rules[rule_id].update(params)
        for added in change.get("add") or []:
            items[added["item"]]["rules"].append(dict(added["rule"]))
        for kind, params in (change.get("set_kinds") or {}).items():  # e.g. every range rule
            for rule in rules.values():
                if rule["kind"] == kind:
                    rule.update(params)
    return build_rubric(data, where=f"{readings_path(rubric_id)} {dict(key)}"), cap_scope


def default_choices(rubric_id: str) -> dict[str, str]:
    return {name: o.default for name, o in load_readings(rubric_id).items()}


@cache
def _data(rubric_id: str) -> dict[str, Any]:
    path = readings_path(rubric_id)
    return read_yaml(path) if path.is_file() else {}


def readings_adding(rubric_id: str, rule_id: str) -> list[str]:
    """``name=value`` of every reading that adds ``rule_id`` (a rule the released rubric lacks).

    A record's refusal names them, so an assessor knows which reading would accept the entry.
    """
    return [f"{name}={value}" for name, o in load_readings(rubric_id).items()
            for value, v in o.values.items()
            if any(a["rule"]["id"] == rule_id for a in v.get("add") or [])]


def fact_specs(rubric_id: str, rule_id: str) -> dict[str, dict[str, Any]]:
    """The optional facts an entry of ``rule_id`` may hold (field → spec), for the readings."""
    return dict((_data(rubric_id).get("facts") or {}).get(rule_id) or {})


def fixed_clauses(rubric_id: str) -> list[dict[str, str]]:
    """The clauses read one way with no alternative, and why (``fixed:`` of the readings file)."""
    return [dict(c) for c in _data(rubric_id).get("fixed") or []]


def _count(value: Any, lo: int, hi: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and lo <= value <= hi


def fact_problems(rubric_id: str, rule_id: str, entry: Mapping[str, Any],
                  value_field: str) -> list[Problem]:
    """Every problem of an entry's optional facts, checked against its own value."""
    problems = []
    for name, spec in fact_specs(rubric_id, rule_id).items():
        if name not in entry or entry[name] is None:
            continue
        v, shape = entry[name], spec.get("shape")
        bad = None
        if shape == "semester_counts":
            if not (isinstance(v, list) and len(v) == 2 and all(_count(n, 0, 1000) for n in v)):
                bad = ("须为两个≥0的整数 [第一学期, 第二学期]",
                       "must be two whole numbers ≥ 0 [first, second semester]")
            elif isinstance(entry.get(value_field), int) and sum(v) != entry[value_field]:
                bad = (f"两学期次数之和（{sum(v)}）与全年次数（{entry[value_field]}）不符",
                       f"the semesters' sum ({sum(v)}) differs from the year's count "
                       f"({entry[value_field]})")
        elif shape == "per_case_counts":
            cases = entry.get(value_field)
            if not (isinstance(v, list) and all(_count(n, 1, 1000) for n in v)):
                bad = ("须为每件一个≥1的整数", "must be one whole number ≥ 1 per case")
            elif isinstance(cases, list) and len(v) != len(cases):
                bad = (f"人数个数（{len(v)}）与件数（{len(cases)}）不符",
                       f"{len(v)} person counts for {len(cases)} cases")
        elif shape == "subset":
            allowed = spec.get("of", [])
            if not (isinstance(v, list) and all(isinstance(x, str) and x in allowed for x in v)
                    and len(set(v)) == len(v)):
                bad = (f"须为 {'、'.join(allowed)} 中不重复的若干项",
                       f"must be distinct items of {', '.join(allowed)}")
        if bad:
            problems.append(Problem(bad[0], bad[1], rule_id=rule_id, field=name, value=v,
                                    allowed_zh=spec.get("zh", name),
                                    allowed_en=spec.get("en", name)))
    return problems


def complete_facts(rubric_id: str, rule_id: str, entry: dict[str, Any],
                   value_field: str) -> dict[str, Any]:
    """The entry with its value derived from its facts where only the facts were given
    (B01.meetings: the year's count is the sum of the two semesters)."""
    for name, spec in fact_specs(rubric_id, rule_id).items():
        if spec.get("shape") == "semester_counts" and value_field not in entry \
                and isinstance(entry.get(name), list) and all(_count(n, 0, 1000)
                                                             for n in entry[name]):
            return {**entry, value_field: sum(entry[name])}
    return entry


FACT_SPLIT = re.compile(r"[,，、;；\s]+")
HAVES_ZH = {"有计划": "plan", "有主题": "theme", "有内容": "content", "计划": "plan",
            "主题": "theme", "内容": "content"}


def parse_fact(spec: Mapping[str, Any], text: Any) -> Any:
    """A fact typed as an analyst would (``1, 2``; ``plan, theme`` or 有计划、有主题) as the
    record holds it; None when empty. Parts that are not numbers stay text, so that
    ``fact_problems`` names them instead of them vanishing (the form and the Excel route)."""
    parts = [p for p in FACT_SPLIT.split(str(text or "").strip()) if p]
    if not parts:
        return None
    if spec.get("shape") == "subset":
        return [HAVES_ZH.get(p, p) for p in parts]
    return [int(p) if p.isascii() and p.isdigit() else p for p in parts]


def fact_text(value: Any) -> str:
    """A fact as the form and the workbook show it: ``1, 2`` or ``plan, theme``."""
    if value is None:
        return ""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def facts_cell_text(rubric_id: str, rule_id: str, entry: Mapping[str, Any]) -> str | None:
    """The workbook's 补充事实 cell of an entry: ``name: 1, 2`` per fact, ``; `` between."""
    parts = [f"{name}: {fact_text(entry[name])}" for name in fact_specs(rubric_id, rule_id)
             if entry.get(name) is not None]
    return "; ".join(parts) or None


def parse_facts_cell(rubric_id: str, rule_id: str, text: Any) -> tuple[dict[str, Any], str | None]:
    """The 补充事实 cell back as facts; a rule with one fact may omit ``name:``. Returns
    (facts, why-not) — why-not names what the rule takes when the cell cannot be read."""
    specs = fact_specs(rubric_id, rule_id)
    raw = str(text or "").strip()
    if not raw:
        return {}, None
    if not specs:
        return {}, "该规则没有补充事实 / the rule takes no facts"
    out: dict[str, Any] = {}
    for part in [p for p in re.split(r"[;；]", raw) if p.strip()]:
        name, sep, rest = part.partition(":") if ":" in part else part.partition("：")
        if not sep:
            if len(specs) != 1:
                return {}, "须写明事实名，如 semesters: 1, 1 / name the fact"
            name, rest = next(iter(specs)), part
        name = name.strip()
        if name not in specs:
            return {}, f"未知的补充事实 {name}，可填：{'、'.join(specs)} / unknown fact"
        out[name] = parse_fact(specs[name], rest)
    return out, None
