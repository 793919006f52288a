"""The assessment form's logic, without any widget: what the form holds, checks, scores, saves.

The widgets view (``entry.view``) only mirrors this controller; every rule about values,
problems, scores, what-if and saving lives here so that tests drive it from plain Python.

A controller holds one unit's record for one year: the *baseline* (the record as loaded from
disk, with the sha256 of its bytes) and the *working* entries (one value, reason and evidence
per rule of the rubric). Every change is checked at once by the rule kinds of ``rules``; a
value that fails its check is shown with its problem and left out of the live score; nothing
with a problem is ever written. Saving refuses to overwrite a file that changed on disk since
it was loaded (another analyst saved first) and appends who/when/what/why to the audit log.

Two modes, each with its own working copy: ``entry`` (filling in the record) and ``whatif``
(a scenario tried against the saved record). An edit made in one mode never shows in the other:
back in entry mode the analyst sees the entry values as they were, ``save`` writes only the
entry copy, and the one route from a scenario to the record is ``save_scenario_as_record`` with
the analyst's explicit confirmation (its audit line says so). Both routes write through
``_write_record``, the single place that touches the record file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from kpa_core.audit.log import (
    SaveFailedError,
    append_audit,
    check_who_why,
    save_with_audit,
    sha256_file,
    year_lock,
)
from kpa_core.audit.people import resolve_who
from kpa_core.audit.states import refuse_if_locked
from kpa_core.entry import whatif
from kpa_core.entry.evidence_files import EvidenceCitations
from kpa_core.entry.facts import EntryFacts
from kpa_core.entry.whatif_copy import WhatifQueries
from kpa_core.entry.working_copy import (  # noqa: F401 - re-exported
    Fingerprint,
    WorkingCopy,
    check_value_problems,
    fingerprint,
    parse_amounts,
)
from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.citation import EVIDENCE_FIELD, cited_hashes
from kpa_core.rubric.model import DEFAULT_RUBRIC_ID, Item, Rubric, Rule, load_rubric
from kpa_core.rubric.readings import fact_specs
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import Record, check_entry, parse_record
from kpa_core.scoring.score import ScoreCard, score_record
from kpa_core.store.atomic import atomic_write_bytes
from kpa_core.store.bounded_read import read_bytes_bounded
from kpa_core.store.yaml_io import parse_yaml, read_text_utf8
from kpa_core.year.data import Unit, load_units, record_path

MODES = ("entry", "whatif")
ROLES_ZH = {"assessor": "考核组记录", "self": "自评记录"}
# The words the analyst ticks to turn a scenario into the record; the audit line repeats them.
CONFIRM_SCENARIO_AS_RECORD = "我确认把此方案存为考核记录"
# Environment variables through which `kpa lab` / `kpa app` tell the notebook's kernel what to
# open (the kernel runs in the notebook's folder, not the analyst's).
ENV_DATA, ENV_PARAMS, ENV_YEAR, ENV_UNIT = "KPA_DATA", "KPA_PARAMS", "KPA_YEAR", "KPA_UNIT"
ENV_ROLE = "KPA_ROLE"


class StaleRecordError(KpaInputError):
    """The record file changed on disk after it was loaded: saving would lose someone's work."""


@contextmanager
def _unlink_on_failure(path: Path, previous: bytes | None = None) -> Iterator[None]:
    """A scenario whose audit line cannot be written is removed again: both or neither.

    ``previous`` is the file it overwrote (覆盖同名方案), put back instead of removed.
    """
    try:
        yield
    except SaveFailedError:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write_bytes(path, previous)
        raise


class AssessmentController(WhatifQueries, EvidenceCitations, EntryFacts):
    """One unit, one year: load, edit rule by rule, score live, compare, save."""

    def __init__(self, data_dir: str | Path, year: int, unit_id: str,
                 params_dir: str | Path | None = None, role: str = "assessor",
                 rubric_id: str = DEFAULT_RUBRIC_ID, units: dict[str, Unit] | None = None):
        self.data_dir = Path(data_dir)
        self.params_dir = Path(params_dir) if params_dir else self.data_dir.parent / "params"
        self.year = int(year)
        self.role = role
        self.units = units if units is not None else load_units(self.data_dir)
        if unit_id not in self.units:
            raise KpaInputError([Problem("单位不在单位表中", "unit not in units.csv", unit=unit_id,
                                         field="unit_id", value=unit_id,
                                         allowed_zh="、".join(self.units),
                                         allowed_en=", ".join(self.units))])
        self.unit = self.units[unit_id]
        self.path = record_path(self.data_dir, self.year, unit_id, role)
        self.default_rubric_id = rubric_id
        self.mode = "entry"
        self._copies: dict[str, WorkingCopy] = {}
        self._scenario_saved: Any = None  # the scenario as last kept under params/
        self._others: list[float] | None = None
        self.load()

    # The form of the current mode: every editing and scoring method reads these.
    @property
    def values(self) -> dict[str, Any]:
        return self._copies[self.mode].values

    @property
    def last_valid(self) -> dict[str, Any]:
        return self._copies[self.mode].last_valid

    @property
    def reasons(self) -> dict[str, str]:
        return self._copies[self.mode].reasons

    @property
    def evidence(self) -> dict[str, str]:
        return self._copies[self.mode].evidence

    @property
    def options(self) -> dict[str, Any]:
        return self._copies[self.mode].options

    @contextmanager
    def _using(self, mode: str) -> Iterator[None]:
        """Read or change one mode's working copy whatever mode is shown."""
        shown = self.mode
        self.mode = mode
        try:
            yield
        finally:
            self.mode = shown

    # --- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        """(Re)read the record from disk; a unit without one starts from an empty record."""
        # bounded: a FIFO or device named as a record is refused, never read forever
        raw = read_bytes_bounded(self.path) if self.path.exists() else None
        self.loaded = (Fingerprint(hashlib.sha256(raw).hexdigest(), self.path.stat().st_mtime_ns)
                       if raw is not None else Fingerprint(None, None))
        if raw is None:
            record = Record(rubric=self.default_rubric_id, year=self.year, unit=self.unit.name_zh,
                            entries={}, unit_id=self.unit.unit_id, role=self.role)
        else:
            try:  # from the very bytes fingerprinted above, so the stale check is exact
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = read_text_utf8(self.path)  # raises the located "not UTF-8" problem
            try:
                data = parse_yaml(text, where=str(self.path))
            except KpaInputError as exc:
                named = [p.located(unit=self.unit.name_zh) for p in exc.problems]
                raise KpaInputError(named) from exc
            record = parse_record(data, where=str(self.path), unit_id=self.unit.unit_id)
            if record.year != self.year:
                raise KpaInputError([Problem("记录年度与文件夹不符",
                                             "record year differs from its folder",
                                             unit=record.unit, field="year", value=record.year,
                                             allowed_zh=str(self.year), allowed_en=str(self.year),
                                             where=str(self.path))])
        self.baseline = record
        self.rubric: Rubric = load_rubric(record.rubric)
        self._scenario_saved = None
        for mode in MODES:
            self.reset(mode)

    @property
    def is_new(self) -> bool:
        """True when the unit has no saved record for this year yet."""
        return self.loaded.sha256 is None

    def reset(self, mode: str | None = None) -> None:
        """One mode's copy (default: the mode shown) back to the saved record: every rule's
        value, reason and evidence, and the options. The other mode's copy is left alone."""
        copy = WorkingCopy(options=dict(self.baseline.options))
        for rule in self.rubric.rules.values():
            kind = kind_of(rule)
            entry = self.baseline.entries.get(rule.id, {})
            copy.values[rule.id] = entry.get(kind.value_field, kind.empty_value(rule))
            copy.last_valid[rule.id] = copy.values[rule.id]
            copy.reasons[rule.id] = entry.get("reason") or ""
            copy.evidence[rule.id] = entry.get("evidence") or ""
            copy.files[rule.id] = [dict(f) for f in entry.get(EVIDENCE_FIELD) or []]
            copy.facts[rule.id] = {k: entry[k] for k in fact_specs(self.rubric.id, rule.id)
                                   if entry.get(k) is not None}
        self._copies[mode or self.mode] = copy

    # --- options of the record (Note 1's cap scope) -------------------------------------------

    def cap_scope(self) -> str:
        """The cap scope this copy scores with: its own option, else the rubric's default."""
        return str(self.options.get("cap_scope") or self.rubric.option_default("cap_scope"))

    def cap_scope_choices(self) -> list[str]:
        return list(self.rubric.options["cap_scope"]["allowed"])

    def set_cap_scope(self, scope: str) -> None:
        """Set Note 1's cap scope for this record; the rubric's default is stored as absent,
        so that merely looking at the option never makes the record differ from disk."""
        allowed = self.cap_scope_choices()
        if scope not in allowed:
            raise KpaInputError([Problem("未知的注1封顶层级", "unknown cap scope",
                                         unit=self.unit.name_zh, field="options.cap_scope",
                                         value=scope, allowed_zh="、".join(allowed),
                                         allowed_en=", ".join(allowed))])
        if scope == self.rubric.option_default("cap_scope") and \
                "cap_scope" not in self.baseline.options:
            self.options.pop("cap_scope", None)
        else:
            self.options["cap_scope"] = scope

    # --- the form's structure, from the rubric ------------------------------------------------

    def sections(self) -> list[tuple[Any, list[tuple[Any, list[Item]]]]]:
        """Areas in document order, each with its sub-areas (or itself) and their items."""
        out = []
        for area in self.rubric.areas.values():
            if area.parent_id is not None:
                continue
            groups = [self.rubric.areas[c] for c in area.children] or [area]
            out.append((area, [(g, [i for i in self.rubric.items.values() if i.area_id == g.id])
                               for g in groups]))
        return out

    def rule(self, rule_id: str) -> Rule:
        return self.rubric.rules[rule_id]

    def allowed(self, rule_id: str) -> tuple[str, str]:
        rule = self.rule(rule_id)
        return kind_of(rule).allowed(rule)

    # --- editing ------------------------------------------------------------------------------

    def set_value(self, rule_id: str, value: Any) -> list[Problem]:
        """Set a rule's value; returns that rule's problems now (empty when all is well)."""
        rule = self.rule(rule_id)  # KeyError for an unknown rule: a programming error
        self.values[rule_id] = value
        if not check_value_problems(rule, value):
            self.last_valid[rule_id] = value
        return self.rule_problems(rule_id)

    def set_reason(self, rule_id: str, text: str) -> list[Problem]:
        self.rule(rule_id)
        self.reasons[rule_id] = text or ""
        return self.rule_problems(rule_id)

    def set_evidence(self, rule_id: str, text: str) -> list[Problem]:
        self.rule(rule_id)
        self.evidence[rule_id] = text or ""
        return self.rule_problems(rule_id)

    def set_cases_text(self, rule_id: str, text: str) -> list[Problem]:
        """Per-case amounts typed as '4, 4.5' (Chinese commas too)."""
        return self.set_value(rule_id, parse_amounts(text))

    def cases_text(self, rule_id: str) -> str:
        value = self.values[rule_id]
        if not isinstance(value, list):
            return str(value)
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)

    def set_range(self, rule_id: str, applies: bool, points: float) -> list[Problem]:
        """A range rule whose lowest deduction is above 0: 'does not apply' is the value 0."""
        return self.set_value(rule_id, float(points) if applies else 0)

    def tier_counts(self, rule_id: str) -> dict[str, int]:
        """Honours per level; a unit may hold two honours of the same level, so counts."""
        rule = self.rule(rule_id)
        value = self.values[rule_id] if isinstance(self.values[rule_id], list) else []
        return {lv["id"]: sum(1 for v in value if v == lv["id"]) for lv in rule.params["levels"]}

    def set_tier_counts(self, rule_id: str, counts: dict[str, Any]) -> list[Problem]:
        """Counts per level → the list of levels the rule stores; a bad count is a problem."""
        rule = self.rule(rule_id)
        levels: list[Any] = []
        bad = []
        for lv in rule.params["levels"]:
            n = counts.get(lv["id"], 0)
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                bad.append(Problem("荣誉数须为≥0的整数", "honours must be a whole number ≥ 0",
                                   unit=self.unit.name_zh, rule_id=rule_id,
                                   field=f"levels.{lv['id']}", value=n,
                                   allowed_zh="≥0 的整数", allowed_en="a whole number ≥ 0"))
                continue
            levels += [lv["id"]] * n
        if bad:
            return bad
        return self.set_value(rule_id, levels)

    # --- entries, problems, scores ------------------------------------------------------------

    def entry(self, rule_id: str) -> dict[str, Any]:
        """The entry the record would hold for this rule."""
        rule = self.rule(rule_id)
        entry: dict[str, Any] = {kind_of(rule).value_field: self.values[rule_id]}
        if self.reasons[rule_id].strip():
            entry["reason"] = self.reasons[rule_id].strip()
        if self.evidence[rule_id].strip():
            entry["evidence"] = self.evidence[rule_id].strip()
        if self.evidence_files(rule_id):
            entry[EVIDENCE_FIELD] = [dict(f) for f in self.evidence_files(rule_id)]
        entry.update(self.facts(rule_id))  # the optional facts the readings need (#25)
        return entry

    def is_set(self, rule_id: str) -> bool:
        """Whether the rule has anything to save: a non-empty value, a reason or evidence."""
        rule = self.rule(rule_id)
        return (self.values[rule_id] != kind_of(rule).empty_value(rule)
                or bool(self.reasons[rule_id].strip()) or bool(self.evidence[rule_id].strip())
                or bool(self.evidence_files(rule_id)) or bool(self.facts(rule_id)))

    def entries(self) -> dict[str, dict[str, Any]]:
        """The record's entries in rubric order; rules left at their empty value are omitted."""
        return {rid: self.entry(rid) for rid in self.rubric.rules if self.is_set(rid)}

    def rule_problems(self, rule_id: str) -> list[Problem]:
        """Every problem of one rule's entry (value, and the reason a changed score needs)."""
        if not self.is_set(rule_id):
            return []
        rule = self.rule(rule_id)
        return [p.located(unit=self.unit.name_zh)
                for p in check_entry(self.rubric, rule, self.entry(rule_id))]

    def problems(self) -> dict[str, list[Problem]]:
        """Rule id → problems, only for rules that have some."""
        out = {}
        for rid in self.rubric.rules:
            ps = self.rule_problems(rid)
            if ps:
                out[rid] = ps
        return out

    def counted_entries(self) -> dict[str, dict[str, Any]]:
        """The entries the live score uses. A bad value is replaced by the rule's last valid
        one, so that a typo neither saves nor makes the score jump (a deduction does not
        vanish while '1,5' is being corrected). A missing reason does not stop the score from
        showing; it only stops saving."""
        out = {}
        for rid in self.rubric.rules:
            rule = self.rule(rid)
            if not check_value_problems(rule, self.values[rid]):
                if self.is_set(rid):
                    out[rid] = self.entry(rid)
            elif self.last_valid[rid] != kind_of(rule).empty_value(rule):
                out[rid] = {**self.entry(rid), kind_of(rule).value_field: self.last_valid[rid]}
        return out

    def working_record(self, counted_only: bool = True) -> Record:
        """The form as a record (unvalidated as a whole); ``counted_only`` drops bad values.

        Built from the loaded record with ``dataclasses.replace``, so that every record-level
        field the form does not edit (``rectification``, ``assessor``, and any added later)
        survives a save instead of being dropped by a freshly built ``Record``.
        """
        rectification = self.baseline.rectification
        return replace(self.baseline, year=self.year, unit=self.unit.name_zh,
                       entries=self.counted_entries() if counted_only else self.entries(),
                       unit_id=self.unit.unit_id, role=self.role, options=dict(self.options),
                       rectification=(dict(rectification) if isinstance(rectification, dict)
                                      else rectification))

    def card(self) -> ScoreCard:
        """Live scores of the form as it stands (values with problems left out)."""
        return score_record(self.working_record(), rubric=self.rubric)

    def baseline_card(self) -> ScoreCard:
        return score_record(self.baseline, rubric=self.rubric)

    def uncounted(self) -> list[str]:
        """Rules whose value has a problem: the live score uses their last valid value."""
        return [rid for rid in self.rubric.rules
                if check_value_problems(self.rule(rid), self.values[rid])]

    def rule_amount(self, rule_id: str) -> float | None:
        """Signed points of one rule now (deductions negative), None if its value is bad."""
        rule = self.rule(rule_id)
        if check_value_problems(rule, self.values[rule_id]):
            return None
        amount = kind_of(rule).amount(rule, self.values[rule_id])
        return amount if rule.is_bonus else -amount

    # --- changes and saving -------------------------------------------------------------------

    def copy_differs(self, mode: str | None = None) -> bool:
        """Whether one mode's copy (default: the mode shown) differs from the saved record."""
        with self._using(mode or self.mode):
            return (self.entries() != self.baseline.entries
                    or self.options != self.baseline.options)

    @property
    def dirty(self) -> bool:
        """Unsaved edits to the record: the entry copy differs from what is on disk."""
        return self.copy_differs("entry")

    @property
    def scenario_unsaved(self) -> bool:
        """The scenario differs from the record and has changed since it was last kept."""
        with self._using("whatif"):
            now = (self.entries(), dict(self.options))
        return self.copy_differs("whatif") and now != self._scenario_saved

    def unsaved(self) -> dict[str, int]:
        """What a switch of unit, year or role would lose: changed rules per mode."""
        out = {}
        if self.dirty:
            with self._using("entry"):
                out["entry"] = max(1, len(self.changes()))
        if self.scenario_unsaved:
            with self._using("whatif"):
                out["whatif"] = max(1, len(self.changes()))
        return out

    def changes(self) -> dict[str, dict[str, Any]]:
        """Rule id → {from, to} between the saved record and the form."""
        return whatif.entry_changes(self.baseline, self.working_record(counted_only=False))

    def record(self) -> Record:
        """The form as a fully validated record; raises every problem at once."""
        record = self.working_record(counted_only=False)
        return parse_record(record.to_data(), where=str(self.path), unit_id=self.unit.unit_id)

    def set_mode(self, mode: str) -> None:
        """Show the other working copy; neither copy changes."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode

    def save(self, who: str, why: str) -> Path:
        """Save the entry form as the record: only the entry copy, never the scenario.

        Refused in what-if mode, where the only way to the record is
        ``save_scenario_as_record`` with its confirmation.
        """
        if self.mode == "whatif":
            raise KpaInputError([Problem(
                "假设分析模式下不会覆盖考核记录；如确要把方案存为记录，请勾选“"
                + CONFIRM_SCENARIO_AS_RECORD + "”后点“存为考核记录”",
                "what-if mode never overwrites the record; to keep the scenario as the record "
                "tick the confirmation and use 'save as record'", unit=self.unit.name_zh,
                field="mode", value="假设分析 what-if", allowed_zh="录入模式下保存",
                allowed_en="save in entry mode")])
        untouched = not self.copy_differs("whatif")
        with self._using("entry"):
            path = self._save_copy(who, why, route="entry")
        if untouched:  # a scenario never begun follows the record; a begun one is kept
            self.reset("whatif")
        return path

    def save_scenario_as_record(self, who: str, why: str, confirmed: bool) -> Path:
        """The one route from a scenario to the record: needs the analyst's tick.

        Refused while the entry form has unsaved edits (they would be silently replaced).
        Afterwards both copies show the new record.
        """
        problems = []
        if confirmed is not True:
            problems.append(Problem(
                "须先勾选“" + CONFIRM_SCENARIO_AS_RECORD + "”", "tick the confirmation first",
                unit=self.unit.name_zh, field="confirm", value="未勾选 not ticked",
                allowed_zh=CONFIRM_SCENARIO_AS_RECORD, allowed_en="confirmed"))
        if self.dirty:
            problems.append(Problem(
                "录入模式有未保存的修改，请先在录入模式保存或放弃，再把方案存为记录",
                "the entry form has unsaved edits: save or discard them in entry mode first",
                unit=self.unit.name_zh, field="mode", value="录入 entry",
                allowed_zh="录入模式无未保存的修改", allowed_en="no unsaved entry edits"))
        if problems:
            problems += check_who_why(who, why, self.unit.name_zh)
            raise KpaInputError(problems)
        with self._using("whatif"):
            path = self._save_copy(who, why, route="scenario")
        self.reset("entry")
        return path

    def _save_copy(self, who: str, why: str, route: str) -> Path:
        """Check the current copy as a record, then write it (``_write_record``)."""
        problems = check_who_why(who, why, self.unit.name_zh)
        for ps in self.problems().values():
            problems += ps
        if problems:
            raise KpaInputError(problems)
        return self._write_record(self.record(), self.changes(), who, why, route)

    def _write_record(self, record: Record, changes: dict[str, Any], who: str, why: str,
                      route: str) -> Path:
        """The only place that writes the record file: stale check, audit line, atomic write.

        ``route`` is ``entry`` (the entry form) or ``scenario`` (a what-if scenario the analyst
        confirmed as the record); the audit line names it.
        """
        extra: dict[str, Any] = {"mode": "whatif" if route == "scenario" else "entry",
                                 "route": route}
        if route == "scenario":
            extra["confirmed"] = CONFIRM_SCENARIO_AS_RECORD

        def refuse_if_stale(now_sha256: str | None) -> None:  # called under the year lock
            # a published year changes only through a review (audit.states)
            refuse_if_locked(self.data_dir, self.year, self.unit.unit_id, "保存", "be saved")
            if now_sha256 != self.loaded.sha256:
                raise StaleRecordError([Problem(
                    "文件在载入后已被修改（可能另一位分析员已保存），为免覆盖他人工作，拒绝保存",
                    "the file changed on disk since it was loaded (another analyst may have "
                    "saved); refusing to overwrite their work", unit=self.unit.name_zh,
                    field="sha256", value=now_sha256, where=str(self.path),
                    allowed_zh=f"载入时的版本 {self.loaded.sha256 or '（文件不存在）'}；"
                               "请重新载入后再改",
                    allowed_en=f"the version loaded, {self.loaded.sha256 or '(no file)'}; "
                               "reload and redo the change")])

        parse_record(record.to_data(), where=str(self.path))  # never write what would not load
        # Written over the file it replaces: a human's comments and number spelling survive.
        from kpa_core.store.yaml_write import read_old

        content = record.to_yaml_over(read_old(self.path)).encode("utf-8")
        who = resolve_who(self.data_dir, who) or who  # a listed person when kpa.toml has people
        # the audit line first, then the record; either both change or neither (audit.log)
        save_with_audit(self.data_dir, self.year, self.path, content,
                        check=refuse_if_stale, who=who, why=why, unit_id=self.unit.unit_id,
                        unit=self.unit.name_zh, what=changes, rel_path=self._rel(self.path),
                        extra={"role": self.role,
                               "total": score_record(record, rubric=self.rubric).total,
                               "evidence_sha256": cited_hashes(record.entries), **extra})
        after = fingerprint(self.path)
        self.baseline = record
        self.loaded = after
        self._others = None
        return self.path

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.data_dir.parent))
        except ValueError:
            return str(path)

    # --- what-if ------------------------------------------------------------------------------

    def save_scenario(self, name: str, who: str, why: str, overwrite: bool = False) -> Path:
        """Keep the scenario as params under params/<year>/scenarios/; the record is untouched.

        The name is the file name and is refused, not rewritten, when it is not one already
        (``whatif.check_scenario_name``); a scenario file of that name, maybe another
        analyst's, is kept unless ``overwrite`` is True (the view's 覆盖同名方案 box). A numbered
        suffix was not chosen: the analyst would believe the scenario saved under the name they
        typed, and later find someone else's under it.
        """
        with self._using("whatif"):
            path = self._save_scenario(name, who, why, overwrite)
            self._scenario_saved = (self.entries(), dict(self.options))
        return path

    def _save_scenario(self, name: str, who: str, why: str, overwrite: bool) -> Path:
        problems = check_who_why(who, why, self.unit.name_zh)
        name_problems = whatif.check_scenario_name(name, self.unit.name_zh)
        problems += name_problems
        if not name_problems:
            target = whatif.scenario_path(self.params_dir, self.year, self.unit.unit_id, name)
            problems += whatif.existing_scenario_problems(target, overwrite, self.unit.name_zh,
                                                          shown=self._rel(target))
        for ps in self.problems().values():
            problems += [p for p in ps if p.field != "reason"]
        if problems:
            raise KpaInputError(problems)
        scenario = self.scenario_record()
        comparison = whatif.compare(self.baseline, scenario, self.others(), rubric=self.rubric)
        target = whatif.scenario_path(self.params_dir, self.year, self.unit.unit_id, name)
        # the exists check, the write and the audit line as one: both or neither
        with year_lock(self.data_dir, self.year):
            previous = target.read_bytes() if overwrite and target.exists() else None
            path = whatif.save_scenario(self.params_dir, name, comparison, self.baseline,
                                        scenario,
                                        baseline_path=self.path if self.path.exists() else None,
                                        who=who, why=why, overwrite=overwrite)
            with _unlink_on_failure(path, previous):
                append_audit(self.data_dir, self.year, who=who, why=why,
                             action="save_scenario", unit_id=self.unit.unit_id,
                             unit=self.unit.name_zh,
                             what=whatif.entry_changes(self.baseline, scenario),
                             extra={"path": self._rel(path), "scenario": name,
                                    "total": comparison.scenario.total,
                                    "sha256": sha256_file(path)})  # verify checks it
        return path
