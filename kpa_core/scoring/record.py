"""The assessment record: one unit, one year, the entries an assessor made against a rubric.

A record is parsed from plain data (YAML, or rows of a workbook converted to the same form)
and validated as a whole: every problem in the file is collected and raised together, each
naming the unit, the rule id, the value and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.citation import EVIDENCE_FIELD, check_citations
from kpa_core.rubric.model import Rubric, load_rubric, unknown_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.layout import UNIT_ID_PATTERN, check_unit_id  # noqa: F401 - re-exported
from kpa_core.store.yaml_io import read_yaml, read_yaml_hashed
from kpa_core.text.sanitize import invisible_in_name

TOP_FIELDS = ("rubric", "year", "unit", "unit_id", "role", "assessor", "options", "entries",
              "rectification")
REQUIRED_FIELDS = ("rubric", "year", "unit", "entries")
ROLES = {"assessor": ("考核组", "assessors"), "self": ("自评", "self-assessment")}
ITEM_OF_RULE = re.compile(r"^([A-Z]+\d+)\.")


@dataclass
class Record:
    """A validated assessment record."""

    rubric: str
    year: int
    unit: str
    entries: dict[str, dict[str, Any]]
    unit_id: str | None = None
    role: str = "assessor"
    assessor: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # where it was read from, for messages only
    # 整改要求 for the result notice: one text for the whole unit, or rule/item id → text
    rectification: str | dict[str, str] | None = None

    def to_data(self) -> dict[str, Any]:
        """The plain-data form, in the documented field order; optional fields only when set."""
        data: dict[str, Any] = {"rubric": self.rubric, "year": self.year, "unit": self.unit}
        if self.unit_id:
            data["unit_id"] = self.unit_id
        if self.role != "assessor":
            data["role"] = self.role
        if self.assessor:
            data["assessor"] = self.assessor
        if self.options:
            data["options"] = dict(self.options)
        data["entries"] = {rid: dict(e) for rid, e in self.entries.items()}
        if self.rectification:
            data["rectification"] = (dict(self.rectification) if isinstance(
                self.rectification, dict) else self.rectification)
        return data

    def to_yaml(self) -> str:
        return dump_yaml(self.to_data())

    def to_yaml_over(self, old_text: str | None) -> str:
        """The YAML to replace ``old_text`` with: its comments and spelling kept."""
        from kpa_core.store.yaml_write import updated_text

        return updated_text(old_text, self.to_data())


def dump_yaml(data: Any) -> str:
    """YAML that keeps Chinese readable and key order as given, for diff-friendly files."""
    return yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120
    )


def check_options(options: Any, rubric: Rubric) -> list[Problem]:
    """Options must be known to the rubric and take one of its allowed values."""
    if not isinstance(options, dict):
        return [
            Problem(
                "options 须为键值表",
                "options must be a mapping",
                field="options",
                value=options,
                allowed_zh="{cap_scope: subarea|area}",
                allowed_en="{cap_scope: subarea|area}",
            )
        ]
    problems = []
    for name, value in options.items():
        spec = rubric.options.get(name)
        if spec is None:
            problems.append(
                Problem(
                    "未知选项",
                    "unknown option",
                    field=f"options.{name}",
                    value=value,
                    allowed_zh="、".join(rubric.options),
                    allowed_en=", ".join(rubric.options),
                )
            )
        elif value not in spec["allowed"]:
            allowed = "|".join(spec["allowed"])
            problems.append(
                Problem(
                    "选项取值不合法",
                    "option value not allowed",
                    field=f"options.{name}",
                    value=value,
                    allowed_zh=allowed,
                    allowed_en=allowed,
                )
            )
    return problems


def check_entries(entries: Any, rubric: Rubric) -> list[Problem]:
    """Every entry against its rule; unknown item and rule ids are named precisely."""
    if not isinstance(entries, dict):
        return [
            Problem(
                "entries 须为键值表（规则编号 → 条目）",
                "entries must be a mapping of rule id to entry",
                field="entries",
                value=entries,
                allowed_zh="{B01.docs: {count: 1, reason: …}, …}",
                allowed_en="{B01.docs: {count: 1, reason: …}, …}",
            )
        ]
    if len(entries) > len(rubric.rules):  # each rule at most once: more is never a record
        return [Problem(f"条目过多（{len(entries)} 条，细则只有 {len(rubric.rules)} 条规则）",
                        f"too many entries ({len(entries)}; the rubric has "
                        f"{len(rubric.rules)} rules)", field="entries",
                        allowed_zh=f"每条规则至多一个条目（≤ {len(rubric.rules)}）",
                        allowed_en=f"at most one entry per rule (≤ {len(rubric.rules)})")]
    problems: list[Problem] = []
    for rule_id, entry in entries.items():
        rule = rubric.rules.get(rule_id) if isinstance(rule_id, str) else None
        if rule is not None:
            problems += check_entry(rubric, rule, entry)
            continue
        match = ITEM_OF_RULE.match(str(rule_id))
        item = rubric.items.get(match.group(1)) if match else None
        if item is not None:
            ids = [r.id for r in item.rules]
            hint_zh, hint_en = reading_hint(rubric.id, str(rule_id))
            problems.append(
                Problem(
                    f"第{item.number}条没有此规则{hint_zh}",
                    f"item {item.id} has no such rule{hint_en}",
                    rule_id=str(rule_id),
                    allowed_zh="、".join(ids),
                    allowed_en=", ".join(ids),
                )
            )
        else:
            numbers = "、".join(str(i.number) for i in rubric.basic_items)
            problems.append(
                Problem(
                    "未知的条目或规则编号（基本指标没有第6条）",
                    "unknown item or rule id (the basic part has no item 6)",
                    rule_id=str(rule_id),
                    allowed_zh=f"B01–B18 的规则（条目号：{numbers}）及 S1、S2 的规则",
                    allowed_en="rules of B01–B18 (no B06) and of S1, S2",
                )
            )
    return problems


def check_entry(rubric: Rubric, rule: Any, entry: Any) -> list[Problem]:
    """One entry against its rule, its optional facts (rubrics/readings/*.yaml) apart: a
    reading may need them (B01.meetings per semester), the released reading never does.
    Its ``evidence_files`` (the cited store files, ``kpa_core.evidence.citation``) are checked
    on their own, beside the kind's fields."""
    if isinstance(entry, dict) and EVIDENCE_FIELD in entry:
        own = {k: v for k, v in entry.items() if k != EVIDENCE_FIELD}
        return check_entry(rubric, rule, own) + [
            p.located(rule_id=rule.id) for p in check_citations(rule.id, entry[EVIDENCE_FIELD])]
    from kpa_core.rubric.readings import fact_problems, fact_specs

    kind = kind_of(rule)
    specs = fact_specs(rubric.id, rule.id) if isinstance(entry, dict) else {}
    if not specs:
        return kind.validate(rule, entry)
    rest = {k: v for k, v in entry.items() if k not in specs}
    return kind.validate(rule, rest) + fact_problems(rubric.id, rule.id, entry, kind.value_field)


def reading_hint(rubric_id: str, rule_id: str) -> tuple[str, str]:
    """For a rule only a reading adds (B08.orphan): the readings that would accept the entry."""
    from kpa_core.rubric.readings import readings_adding

    names = readings_adding(rubric_id, rule_id)
    if not names:
        return "", ""
    return (f"（此规则仅在解读 {'、'.join(names)} 下有效）",
            f" (this rule exists only under the reading {', '.join(names)})")


def complete_entries(entries: Any, rubric: Rubric) -> Any:
    """Entries with values derived from their facts (a year's meetings from its semesters)."""
    from kpa_core.rubric.readings import complete_facts

    if not isinstance(entries, dict):
        return entries
    out = {}
    for rid, e in entries.items():
        rule = rubric.rules.get(rid) if isinstance(rid, str) else None
        out[rid] = (complete_facts(rubric.id, rid, e, kind_of(rule).value_field)
                    if rule is not None and isinstance(e, dict) else e)
    return out


def check_rectification(value: Any, rubric: Rubric | None) -> list[Problem]:
    """``rectification:`` is text, or a mapping of rule or item ids (B16, B01.docs) to text."""
    allowed = ("文字，或 规则/条目编号 → 文字 的键值表",
               "text, or a mapping of rule or item id to text")
    if value is None or (isinstance(value, str) and value.strip()):
        return []
    if not isinstance(value, dict) or not value:
        return [Problem("整改要求须为文字或键值表", "rectification must be text or a mapping",
                        field="rectification", value=value, allowed_zh=allowed[0],
                        allowed_en=allowed[1])]
    problems = []
    for key, text in value.items():
        known = rubric is None or key in rubric.rules or key in rubric.items
        if not known or not isinstance(text, str) or not text.strip():
            problems.append(Problem("整改要求的编号未知或内容不是文字",
                                    "rectification: unknown rule/item id or text missing",
                                    field=f"rectification.{key}", value=text,
                                    allowed_zh=allowed[0], allowed_en=allowed[1]))
    return problems


def parse_record(data: Any, where: str | None = None, unit_id: str | None = None,
                 readings: dict[str, str] | None = None) -> Record:
    """Validate plain data as a record; raise ``KpaInputError`` with all problems at once.

    ``readings`` (option → value) checks the entries against the rubric under those readings
    of the draft, so an entry of a rule only a reading adds (B08.orphan=rule) is valid there.
    """
    if data is None:
        raise KpaInputError([Problem("文件为空", "the file is empty", unit=unit_id, where=where,
                                     allowed_zh="rubric、year、unit、entries 等字段",
                                     allowed_en="the fields rubric, year, unit, entries")])
    if not isinstance(data, dict):
        shape = {list: ("列表", "a list"), str: ("一段文字", "text")}.get(
            type(data), ("单个值", "a single value"))
        raise KpaInputError([Problem(f"考核记录须为键值表，而不是{shape[0]}",
                                     f"a record must be a mapping, not {shape[1]}",
                                     unit=unit_id, where=where,
                                     allowed_zh="rubric: …、year: …、unit: …、entries: …",
                                     allowed_en="rubric: …, year: …, unit: …, entries: …")])
    unit = data.get("unit")
    unit_label = unit if isinstance(unit, str) and unit.strip() else None
    problems: list[Problem] = []
    for key in data:
        if key not in TOP_FIELDS:
            problems.append(
                Problem(
                    "未知字段",
                    "unknown field",
                    field=str(key),
                    value=data[key],
                    allowed_zh="、".join(TOP_FIELDS),
                    allowed_en=", ".join(TOP_FIELDS),
                )
            )
    for key in REQUIRED_FIELDS:
        if key not in data:
            problems.append(
                Problem(
                    "缺少必填字段",
                    "required field missing",
                    field=key,
                    allowed_zh="、".join(REQUIRED_FIELDS),
                    allowed_en=", ".join(REQUIRED_FIELDS),
                )
            )
    if unit_label is not None and (hidden := invisible_in_name(unit_label)):
        problems.append(Problem(
            f"单位名称含不可见的控制或文字方向字符（{hidden}）",
            f"the unit name holds invisible control or text-direction characters ({hidden})",
            field="unit", value=unit_label, allowed_zh="不含控制字符的可见文字",
            allowed_en="visible text without control characters"))
    if "unit" in data and unit_label is None:
        problems.append(
            Problem(
                "单位名称须为非空文字",
                "unit must be non-empty text",
                field="unit",
                value=unit,
                allowed_zh="单位中文名称",
                allowed_en="the unit's name",
            )
        )
    year = data.get("year")
    if "year" in data and (
        isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100
    ):
        problems.append(
            Problem(
                "年度须为四位整数",
                "year must be a four-digit whole number",
                field="year",
                value=year,
                allowed_zh="2000–2100",
                allowed_en="2000–2100",
            )
        )
    role = data.get("role", "assessor")
    if role not in ROLES:
        problems.append(
            Problem(
                "未知的记录角色",
                "unknown record role",
                field="role",
                value=role,
                allowed_zh="assessor（考核组）、self（自评）",
                allowed_en="assessor, self",
            )
        )
    the_unit_id = data.get("unit_id", unit_id)
    if the_unit_id is not None:
        problems += check_unit_id(the_unit_id)
    assessor = data.get("assessor")
    if assessor is not None and not isinstance(assessor, str):
        problems.append(
            Problem(
                "考核人须为文字",
                "assessor must be text",
                field="assessor",
                value=assessor,
                allowed_zh="文字",
                allowed_en="text",
            )
        )

    rubric: Rubric | None = None
    rubric_id = data.get("rubric")
    if "rubric" in data:
        if isinstance(rubric_id, str):  # load_rubric is cached and names an unknown id itself;
            try:  # a year of 10⁴ records would otherwise list the rubric folder 10⁴ times
                rubric = load_rubric(rubric_id)
                if readings:
                    from kpa_core.rubric.readings import apply_readings

                    rubric = apply_readings(rubric, readings)[0]
            except KpaInputError as exc:
                problems += exc.problems
        else:
            problems.append(unknown_rubric(rubric_id))
    options = data.get("options") or {}
    entries = data.get("entries") or {}
    if rubric is not None:
        entries = complete_entries(entries, rubric)
        problems += check_options(options, rubric)
        if "entries" in data:
            problems += check_entries(entries, rubric)
    problems += check_rectification(data.get("rectification"), rubric)

    if problems:
        raise KpaInputError(p.located(unit=unit_label, where=where) for p in problems)
    return Record(
        rubric=rubric_id,
        year=year,
        unit=unit_label,
        entries={rid: dict(e) for rid, e in entries.items()},
        unit_id=the_unit_id,
        role=role,
        assessor=assessor,
        options=dict(options),
        source=where,
        rectification=data.get("rectification"),
    )


def load_record(path: str | Path, unit_id: str | None = None,
                hashes: dict[str, str] | None = None) -> Record:
    """Read and validate one record file; with ``hashes``, note its bytes' sha256 under the
    unit id (the year's loader keeps them, so nothing reads the file again to hash it)."""
    path = Path(path)
    data = (read_yaml(path) if hashes is None
            else read_yaml_hashed(path, hashes, unit_id or path.stem))
    return parse_record(data, where=str(path), unit_id=unit_id)


def save_record(record: Record, path: str | Path, layout_from: str | Path | None = None) -> Path:
    """Write a record atomically: a crash mid-write leaves the old file whole.

    The file it replaces (``layout_from``, default ``path`` itself) keeps its comments, key
    order and number spelling; unchanged entries keep their bytes (``kpa_core.store.yaml_write``).
    """
    from kpa_core.store.yaml_write import read_old

    parse_record(record.to_data(), where=str(path))  # never write what would not load back
    old = read_old(layout_from if layout_from is not None else path)
    return atomic_write_text(Path(path), record.to_yaml_over(old))
