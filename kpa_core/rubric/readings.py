"""Alternative readings of a rubric's ambiguous clauses, chosen at scoring time.

The 2013 rubric is a draft: a few clauses can be read more than one way (``shared/RUBRIC.md``
§4). The released rubric encodes one reading and is pinned by its sha256, so the others live in
a data file beside it, ``rubrics/readings/<rubric id>.yaml``: each option has a default (the
released reading) and named values, each value the rule parameters it changes (``set``) or the
rule it adds (``add``). ``apply_readings`` turns a choice of values into a derived rubric (same
id, its own content sha256) that both scoring paths use unchanged; the engine option
``cap_scope`` is passed through as the scoring cap scope.
"""

from __future__ import annotations

import copy
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
                                      str(o.get("default")), values, o.get("engine"))
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
    return _DERIVED[key]


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
    if not any(c.get("set") or c.get("add") for c in changes):
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
    return build_rubric(data, where=f"{readings_path(rubric_id)} {dict(key)}"), cap_scope


def default_choices(rubric_id: str) -> dict[str, str]:
    return {name: o.default for name, o in load_readings(rubric_id).items()}
