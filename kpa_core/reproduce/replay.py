"""Rescore a past assessment from its saved parameters and prove it matches — or say what changed.

Years after a report, an inspector may ask whether the same rules and the same entries still
give the same score. ``reproduce`` reads a params file, rescores the record with the rubric of
the same id, and compares every saved score. When something differs it names the cause, not
just the symptom:

* the rubric's content hash changed → which rules (or item/area points) changed, old → new,
  from the rule numbers embedded in the params (a released rubric must never change);
* the data file's hash changed → which entries changed, old → new value and points;
* the record embedded in the params no longer matches the file it names → the same, per entry;
* and always the old and new area, bonus and total scores.

When the data file is gone, the record embedded in the params is rescored instead, so an old
assessment stays reproducible after the data folder is archived.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError
from kpa_core.reproduce.params import (
    check_record_path,
    file_sha256,
    read_params,
    resolve_data_path,
    rubric_numbers,
)
from kpa_core.rubric.model import Rubric, available_rubrics, load_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import Record, load_record, parse_record
from kpa_core.scoring.score import ScoreCard, score_record
from kpa_core.store.layout import is_year_folder
from kpa_core.text.tables import fmt_number, render_table

TOLERANCE = 1e-9  # scores are sums of half points; anything beyond float noise is a change


@dataclass(frozen=True)
class RuleChange:
    """One number of the rubric that differs from the one the params were made with."""

    rule_id: str  # a rule id, or an item/area id for points
    field: str    # kind, amount, lo, hi, …; "points"; or "(rule)" when added/removed
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryChange:
    """One entry that differs between the saved record and the one rescored now."""

    rule_id: str
    fields: tuple[str, ...]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    old_points: float | None  # signed: deductions negative, bonuses positive
    new_points: float | None


@dataclass(frozen=True)
class FieldChange:
    """One record field outside the entries (assessor, options, rectification, unit, …) that
    differs between the record embedded in the params and the data file now."""

    field: str
    old: Any  # None when the field is absent (or empty, which the record never keeps)
    new: Any


@dataclass(frozen=True)
class ScoreChange:
    key: str  # basic, bonus, total, an area id, a special item id, or "rule B01.docs"
    old: float | None
    new: float | None


@dataclass
class Reproduction:
    """Everything one reproduction found; ``ok`` is True only when nothing at all differs."""

    path: str
    unit: str
    unit_id: str | None
    year: int
    rubric_id: str
    old_total: float
    new_total: float | None = None
    rubric_changed: bool = False
    rubric_sha: tuple[str, str | None] = ("", None)
    rule_changes: list[RuleChange] = field(default_factory=list)
    data_status: str = "embedded"  # same | changed | missing | embedded
    data_path: str | None = None
    data_shown: str | None = None  # as the params name it (workspace-relative)
    data_sha: tuple[str | None, str | None] = (None, None)
    entry_source: str = ""  # "file" or "embedded": which record was rescored
    layout_only: bool = False  # the data file changed, its parsed record did not
    entry_changes: list[EntryChange] = field(default_factory=list)
    field_changes: list[FieldChange] = field(default_factory=list)
    score_changes: list[ScoreChange] = field(default_factory=list)
    grade: tuple[str, str] | None = None  # (old, new)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    card: ScoreCard | None = None
    record: Record | None = None
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        grade_same = self.grade is None or self.grade[0] == self.grade[1]
        data_ok = self.data_status in ("same", "missing", "embedded") or self.layout_only
        return (not self.problems and not self.rubric_changed and not self.rule_changes
                and data_ok
                and not self.entry_changes and not self.field_changes
                and not self.score_changes and grade_same)


def diff_numbers(old: dict[str, Any], new: dict[str, Any]) -> list[RuleChange]:
    """Rule by rule (then item and area points), what differs between two rubric number sets."""
    changes: list[RuleChange] = []
    old_rules, new_rules = old.get("rules", {}), new.get("rules", {})
    for rid in [*old_rules, *(r for r in new_rules if r not in old_rules)]:
        a, b = old_rules.get(rid), new_rules.get(rid)
        if a is None or b is None:
            changes.append(RuleChange(rid, "(rule)", "—" if a is None else "存在 present",
                                      "—" if b is None else "存在 present"))
            continue
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                changes.append(RuleChange(rid, key, a.get(key), b.get(key)))
    for group in ("items", "areas"):
        o, n = old.get(group, {}), new.get(group, {})
        for gid in [*o, *(k for k in n if k not in o)]:
            if o.get(gid) != n.get(gid):
                ov, nv = o.get(gid), n.get(gid)
                if isinstance(ov, dict) and isinstance(nv, dict):
                    for key in ov:
                        if ov.get(key) != nv.get(key):
                            changes.append(RuleChange(gid, key, ov.get(key), nv.get(key)))
                else:
                    changes.append(RuleChange(gid, "points", ov, nv))
    o_opt, n_opt = old.get("options") or {}, new.get("options") or {}
    for name in sorted(set(o_opt) | set(n_opt)):
        if o_opt.get(name) != n_opt.get(name):
            changes.append(RuleChange(f"options.{name}", "default", o_opt.get(name),
                                      n_opt.get(name)))
    return changes


def _signed(rubric: Rubric | None, rule_id: str, amount: float | None) -> float | None:
    if amount is None:
        return None
    rule = rubric.rules.get(rule_id) if rubric else None
    return amount if rule is not None and rule.is_bonus else -amount


def diff_entries(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]],
                 old_amounts: dict[str, float], new_amounts: dict[str, float],
                 rubric: Rubric | None) -> list[EntryChange]:
    """Entries added, removed or altered (value, reason or evidence), in rubric order."""
    order = list(rubric.rules) if rubric else []
    ids = [r for r in order if r in old or r in new]
    ids += sorted(r for r in {*old, *new} if r not in ids)
    changes = []
    for rid in ids:
        a, b = old.get(rid), new.get(rid)
        if a == b:
            continue
        keys = sorted({*(a or {}), *(b or {})}, key=lambda k: (k in ("reason", "evidence"), k))
        differing = tuple(k for k in keys if (a or {}).get(k) != (b or {}).get(k))
        old_pts = None if a is None else _signed(rubric, rid, old_amounts.get(rid, 0.0))
        new_pts = None if b is None else _signed(rubric, rid, new_amounts.get(rid, 0.0))
        changes.append(EntryChange(rid, differing, a, b, old_pts, new_pts))
    return changes


def diff_record_fields(old: Record, new: Record) -> list[FieldChange]:
    """Every record field but the entries that differs, compared as parsed (``to_data``).

    ``to_data`` leaves out a field that is absent or empty (no ``rectification``, no
    ``options``), so params written before a field existed compare equal to a file without
    it, while any text the report prints (assessor, rectification, unit name) is a change.
    """
    a, b = old.to_data(), new.to_data()
    keys = [k for k in (*a, *(k for k in b if k not in a)) if k != "entries"]
    return [FieldChange(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def _differs(old: Any, new: Any) -> bool:
    """Whether two scores differ; a missing, NaN or infinite one always differs.

    ``abs(o - n) > tol`` alone is False for NaN, which would let ``total: .nan`` "reproduce".
    """
    if old is None or new is None:
        return True
    o, n = float(old), float(new)
    if not (math.isfinite(o) and math.isfinite(n)):
        return True
    return abs(o - n) > TOLERANCE


def diff_scores(saved: dict[str, Any], card: ScoreCard) -> list[ScoreChange]:
    """Every saved score against the rescored one; a key missing on either side is a change."""
    now = {"areas": card.area_scores, "special": card.special}
    changes = []
    for group in ("areas", "special"):
        old, new = saved.get(group, {}), now[group]
        for key in [*old, *(k for k in new if k not in old)]:
            o, n = old.get(key), new.get(key)
            if _differs(o, n):
                changes.append(ScoreChange(key, o, n))
    if "rules" in saved:
        old_r, new_r = saved["rules"], card.rule_amounts
        for rid in [*old_r, *(k for k in new_r if k not in old_r)]:
            o, n = old_r.get(rid), new_r.get(rid)
            if _differs(o, n):
                changes.append(ScoreChange(f"rule {rid}", o, n))
    for key in ("basic", "bonus", "total"):
        o, n = saved.get(key), getattr(card, key)
        if _differs(o, n):
            changes.append(ScoreChange(key, o, n))
    return changes


def name_problems(params: dict[str, Any], path: str) -> list[str]:
    """A report's params file must be ``<year>/<unit id>.yaml`` of the unit and year inside.

    Otherwise ``chemical.yaml`` holding petroleum's params "reproduces" petroleum while the
    office believes chemical was checked. Scenarios are named freely and are not checked.
    """
    if params.get("kind") != "report" or path.startswith("<"):
        return []
    p, found = Path(path), []
    uid = params.get("unit_id")
    if uid and p.stem != uid:
        found.append(f"文件名与单位不符 / the file name does not match the unit: {p.name} 中是 "
                     f"{uid}（{params['unit']}）的参数 / holds the params of {uid}; "
                     f"应为 should be {uid}.yaml")
    if is_year_folder(p.parent.name) and int(p.parent.name) != params["year"]:
        found.append(f"文件夹年度与参数年度不符 / the folder's year does not match the params: "
                     f"{p.parent.name} ≠ {params['year']}")
    return found


def _record_from(data: dict[str, Any], unit_id: str | None, where: str) -> Record:
    return parse_record(data, where=where, unit_id=unit_id)


def reproduce_params(params: dict[str, Any], path: str = "<params>",
                     data_dir: str | Path | None = None,
                     root: str | Path | None = None,
                     office_bands: Path | None = None) -> Reproduction:
    """Rescore one validated params mapping and compare; never raises on a difference.

    ``root`` is the workspace the saved paths are relative to (default: the current one).
    A ``record.path`` that is not exactly the unit's record file raises ``KpaInputError``,
    and so does a report's params without ``record.path`` and ``record.sha256`` (nothing to
    check its embedded record against). ``office_bands`` is the workspace's bands file: a
    report's bands must be those (``reproduce.office``).
    """
    check_record_path(params, where=path)
    refuse_unanchored(params, path)
    rub, rec, saved = params["rubric"], params["record"], params["scores"]
    result = Reproduction(path=path, unit=params["unit"], unit_id=params.get("unit_id"),
                          year=params["year"], rubric_id=rub["id"],
                          old_total=float(saved["total"]), params=params)

    # 1. The rubric: same id, same content?
    rubric: Rubric | None = None
    if rub["id"] not in available_rubrics():
        result.problems.append(f"考核细则 {rub['id']} 已不存在 / rubric {rub['id']} no longer "
                               f"exists (available: {', '.join(available_rubrics())})")
    else:
        rubric = load_rubric(rub["id"])
        result.rubric_sha = (rub["sha256"], rubric.sha256)
        if rubric.sha256 != rub["sha256"]:
            result.rubric_changed = True
            if "numbers" in rub:
                result.rule_changes = diff_numbers(rub["numbers"], rubric_numbers(rubric))
                if not result.rule_changes:
                    result.notes.append("考核细则的分值未变，仅文字改动 / the rubric's numbers are "
                                        "unchanged; only its text differs")
            else:
                result.notes.append("参数未嵌入细则分值，无法逐条列出 / the params do not embed "
                                    "the rubric's numbers, so the changed rules cannot be named")
        elif "numbers" in rub:
            # Same rubric file, so the saved numbers must be its numbers: a difference means
            # the params were edited (a rule deleted, 2 → 3, 2 → "two"), and is shown rule by rule.
            result.rule_changes = diff_numbers(rub["numbers"], rubric_numbers(rubric))
            if result.rule_changes:
                result.problems.append(
                    f"参数中保存的细则分值与细则 {rub['id']} 不符（参数被改动？） / the rubric "
                    f"numbers saved in the params differ from rubric {rub['id']} (edited params?)"
                    f": {len(result.rule_changes)} 处 differences")

    # 1b. The file's name and folder must be the unit and year it holds (params/<year>/<id>).
    result.problems += name_problems(params, path)

    # 2. The record: the file it names (if still there) against the one embedded.
    unit_id = params.get("unit_id")
    try:
        saved_record = _record_from(rec["data"], unit_id, f"{path} (record.data)")
    except KpaInputError as exc:
        result.problems += [f"参数中嵌入的记录无效 / embedded record invalid: {p}"
                            for p in exc.problems]
        return result
    record = saved_record
    result.entry_source = "embedded"
    if "path" in rec:
        try:
            file = resolve_data_path(rec["path"], data_dir, root)
        except KpaInputError as exc:
            raise KpaInputError([p.located(unit=params["unit"], where=path)
                                 for p in exc.problems]) from exc
        result.data_path = str(file)
        result.data_shown = rec["path"] if data_dir is None else str(file)
        if file.exists() and not file.is_file():  # a folder ('data/2013', '.') is not "gone"
            result.problems.append(f"record.path 不是记录文件（是文件夹或特殊文件）/ record.path "
                                   "is not a record file (a folder or special file): "
                                   f"{rec['path']}")
            return result
        if not file.is_file():
            result.data_status = "missing"
            result.notes.append(f"数据文件已不存在，使用参数中嵌入的记录 / data file {rec['path']} "
                                "is gone; rescored the record embedded in the params")
        else:
            new_sha = file_sha256(file)
            result.data_sha = (rec["sha256"], new_sha)
            result.data_status = "same" if new_sha == rec["sha256"] else "changed"
            try:
                record = load_record(file, unit_id=unit_id)
                result.entry_source = "file"
            except KpaInputError as exc:
                result.problems += [f"数据文件现已无效 / the data file no longer loads: {p}"
                                    for p in exc.problems]
                return result
    for name, old, new in (("unit", params["unit"], record.unit), ("year", params["year"],
                                                                   record.year),
                           ("rubric", rub["id"], record.rubric)):
        if old != new:
            result.problems.append(f"记录的 {name} 与参数不符 / the record's {name} differs from "
                                   f"the params: {old!r} → {new!r}")
    result.record = record

    # 3. Rescore with the options saved, and compare every number.
    if rubric is None:
        return result
    try:
        card = score_record(record, cap_scope=params["options"].get("cap_scope"), rubric=rubric)
    except KpaInputError as exc:
        result.problems += [str(p) for p in exc.problems]
        return result
    result.card = card
    result.new_total = card.total
    old_amounts = saved.get("rules") or {}
    if not old_amounts:  # older params: price the saved entries with today's rubric
        old_amounts = {rid: float(kind_of(rubric.rules[rid]).amount(
            rubric.rules[rid], e[kind_of(rubric.rules[rid]).value_field]))
            for rid, e in saved_record.entries.items() if rid in rubric.rules}
    result.entry_changes = diff_entries(saved_record.entries, record.entries, old_amounts,
                                        card.rule_amounts, rubric)
    if result.data_status == "same" and result.entry_changes:
        result.notes.append("参数中嵌入的记录与数据文件不一致（参数被改动？） / the record "
                            "embedded in the params differs from the data file (edited params?)")
    if result.entry_source == "file":  # always: a forger keeps the file's sha256
        result.field_changes = diff_record_fields(saved_record, record)
    if result.data_status == "same" and result.field_changes:
        result.problems.append("参数中嵌入的记录与数据文件不一致，而 sha256 相同（参数被改动） / "
                               "the record embedded in the params differs from the data file "
                               "whose sha256 it names (the params were edited)")
    if office_bands is not None:
        from kpa_core.reproduce.office import office_problems
        result.problems += office_problems(params, rubric, office_bands)
    if result.data_status == "changed" and not result.entry_changes \
            and not result.field_changes:
        result.layout_only = True
        result.notes.append("仅版式改动：数据文件已改动，但记录内容相同（注释或格式） / layout "
                            "only: the data file changed but its record is the same (comments "
                            "or layout)")
    result.score_changes = diff_scores(saved, card)

    # 4. Grades, when the run used bands.
    grades = params.get("grades")
    if grades:
        from kpa_core.scoring.grading import grade_card, parse_bands
        try:
            bands = parse_bands(grades["bands"], where=f"{path} (grades.bands)", rubric=rubric)
        except KpaInputError as exc:
            result.problems += [str(p) for p in exc.problems]
            return result
        if bands.sha256 != grades["sha256"]:
            result.problems.append("等级划分已被改动（sha256 不符） / the grade bands were altered "
                                   f"(sha256 {grades['sha256'][:12]}… → {bands.sha256[:12]}…)")
        result.grade = (grades["grade"], grade_card(card, bands).grade)
    if params.get("kpa_version") and params["kpa_version"] != _version():
        result.notes.append(f"kpa 版本 {params['kpa_version']} → {_version()} / "
                            "kpa version changed")
    return result


def _version() -> str:
    from kpa_core import __version__
    return __version__


def reproduce_file(path: str | Path, data_dir: str | Path | None = None) -> Reproduction:
    """Read, validate and reproduce one params file (schema errors raise ``KpaInputError``).

    Saved paths are resolved against the params file's own workspace (the nearest
    ``kpa.toml`` above it), else the current one, so the answer is the same from any folder.
    """
    from kpa_core.store.workspace import WorkspaceNotFound, find_workspace, workspace_of

    ws = workspace_of(path)
    if ws is None:
        try:
            ws = find_workspace()
        except WorkspaceNotFound:
            if data_dir is None:
                raise
    return reproduce_params(read_params(path), path=shown_path(path, ws), data_dir=data_dir,
                            root=ws.root if ws else None,
                            office_bands=ws.bands if ws else None)


def refuse_unanchored(params: dict[str, Any], path: str) -> None:
    """A report's params must name the record file and its sha256 (exit 2 otherwise).

    Why: without them the embedded record is compared with nothing; entries edited from a
    total of 88 to 97 "reproduced" with exit 0.
    """
    rec = params.get("record") or {}
    if params.get("kind") != "report" or (rec.get("path") and rec.get("sha256")):
        return
    from kpa_core.errors import Problem
    raise KpaInputError([Problem(
        "报告参数缺少 record.path 或 record.sha256，无法与数据文件核对",
        "a report's params lack record.path or record.sha256: they cannot be checked "
        "against the data file", unit=params.get("unit"), field="record.path",
        allowed_zh="kpa report 写出的参数（含记录路径与 sha256）",
        allowed_en="params as kpa report writes them (with the record's path and sha256)",
        where=path)])


def shown_path(path: str | Path, ws: Any) -> str:
    """A params file as messages name it: workspace-relative when inside the workspace."""
    if ws is not None and ws.contains(path):
        return ws.relative(path)
    return str(path)


def params_files(target: str | Path) -> list[Path]:
    """A params file, or every ``*.yaml`` directly in a folder (e.g. params/2013/), sorted."""
    target = Path(target)
    if target.is_dir():
        return sorted(target.glob("*.yaml"))
    return [target]


# --- rendering --------------------------------------------------------------------------------

def _num(x: float | None) -> str:
    return "—" if x is None else fmt_number(float(x))


def _signed_text(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:+g}" if x else "0"


def _entry_text(entry: dict[str, Any] | None, fields: tuple[str, ...]) -> str:
    if entry is None:
        return "（无 none）"
    shown = [f"{k}={entry[k]}" for k in fields if k in entry]
    return ", ".join(shown) or "（无 none）"


EMBEDDED_ALONE = ("⚠ 仅凭参数中嵌入的副本（数据文件不存在）/ ON THE EMBEDDED COPY ALONE "
                  "(data file absent)")


def summary_line(r: Reproduction) -> str:
    """One line per unit (the head of a unit's full account)."""
    who = f"{r.unit_id or '-'} {r.unit} {r.year}"
    if r.ok:
        layout = "  （仅版式改动 layout only）" if r.layout_only else ""
        alone = f"  {EMBEDDED_ALONE}" if r.data_status == "missing" else ""
        return f"✔ 已复现 reproduced   {who}  合计 total {_num(r.old_total)}{layout}{alone}"
    return (f"✘ 未复现 NOT reproduced {who}  合计 total {_num(r.old_total)} → "
            f"{_num(r.new_total)}  [{'; '.join(summary_causes(r))}]")


def summary_causes(r: Reproduction) -> list[str]:
    """Why a reproduction failed, in a few words each (empty when it reproduced)."""
    if r.ok:
        return []
    causes = []
    if r.problems:
        causes.append(f"问题 problems {len(r.problems)}")
    if r.rubric_changed:
        causes.append(f"细则改动 rubric changed ({len(r.rule_changes)} 项 changes)")
    elif r.rule_changes:
        causes.append(f"保存的细则分值不符 saved rubric numbers differ ({len(r.rule_changes)} 项)")
    if r.data_status == "changed" and not r.layout_only:
        causes.append("数据文件改动 data file changed")
    if r.entry_changes:
        causes.append(f"条目变化 entries {len(r.entry_changes)}")
    if r.field_changes:
        causes.append("记录字段变化 record fields: " + ", ".join(c.field for c in r.field_changes))
    if r.score_changes:
        causes.append(f"得分不同 scores differ ({len(r.score_changes)} 项)")
    if r.grade and r.grade[0] != r.grade[1]:
        causes.append(f"等级 grade {r.grade[0]} → {r.grade[1]}")
    if not causes:  # every failing case above has a cause; keep the line honest if not
        causes.append("见下文 see below")
    return causes


def report_text(r: Reproduction) -> str:
    """The full account of one reproduction, Chinese first."""
    lines = [summary_line(r), f"  参数文件 params: {r.path}"]
    if r.data_status == "missing":
        lines.append(f"  ⚠ 数据文件 {r.data_path} 不存在：本结果仅依据参数中嵌入的记录副本，"
                     "未能与数据核对 / WARNING: the data file is absent; this result rests on "
                     "the copy embedded in the params alone and was not checked against any data")
    if r.rubric_changed:
        old, new = r.rubric_sha
        lines.append(f"  考核细则已改动 rubric changed: {r.rubric_id} sha256 {old[:12]}… → "
                     f"{(new or '')[:12]}…")
    elif r.rule_changes:
        lines.append(f"  参数中保存的细则分值与细则不符 saved rubric numbers differ from "
                     f"{r.rubric_id} (原 = 参数中保存的 saved, 现 = 细则 rubric):")
    if r.rule_changes:
        rows = [[c.rule_id, c.field, _fmt_any(c.old), _fmt_any(c.new)] for c in r.rule_changes]
        lines.append(_indent(render_table(["规则 rule", "字段 field", "原值 old", "现值 new"],
                                          rows)))
    if r.data_status == "changed" and not r.layout_only:
        old, new = r.data_sha
        lines.append(f"  数据文件已改动 data file changed: {r.data_shown or r.data_path} sha256 "
                     f"{(old or '')[:12]}… → {(new or '')[:12]}…")
    if r.entry_changes:
        lines.append("  条目变化 entry changes (原 = 参数中保存的 saved, "
                     "现 = 现在评分的 rescored):")
        rows = [[c.rule_id, _entry_text(c.old, c.fields), _entry_text(c.new, c.fields),
                 _signed_text(c.old_points), _signed_text(c.new_points)] for c in r.entry_changes]
        lines.append(_indent(render_table(["规则 rule", "原条目 old entry", "现条目 new entry",
                                           "原分 old pts", "现分 new pts"], rows)))
    if r.field_changes:
        lines.append("  记录字段变化 record field changes (原 = 参数中保存的 saved, "
                     "现 = 数据文件 data file):")
        rows = [[c.field, *("（无）none" if v is None else _fmt_any(v) for v in (c.old, c.new))]
                for c in r.field_changes]
        lines.append(_indent(render_table(["字段 field", "原值 old", "现值 new"], rows)))
    if r.score_changes:
        lines.append("  得分变化 score changes:")
        rows = [[c.key, _num(c.old), _num(c.new),
                 _signed_text(None if c.old is None or c.new is None else c.new - c.old)]
                for c in r.score_changes]
        lines.append(_indent(render_table(["得分 score", "原 old", "现 new", "差 change"], rows)))
    if r.grade and r.grade[0] != r.grade[1]:
        lines.append(f"  等级变化 grade changed: {r.grade[0]} → {r.grade[1]}")
    lines += [f"  问题 problem: {p}" for p in r.problems]
    lines += [f"  注 note: {n}" for n in r.notes]
    return "\n".join(lines)


def _fmt_any(x: Any) -> str:
    if isinstance(x, float | int) and not isinstance(x, bool):
        return fmt_number(x)
    return str(x)


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines())
