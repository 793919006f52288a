"""The assessment year as a process: each record's state, the publication, the lock, 复核.

A unit's 自评 goes 草稿 draft → 已提交 submitted; the assessors' record goes 草稿 draft →
已审核 reviewed → 已签发 published. Every change of state is a line of the year's audit chain
(who, when, the record's sha256 at that moment), so the state is *derived* from the chain, never
stored beside it: a state holds only while the record still has the sha256 it was given at —
a material change after approval puts the record back to draft, and needs a new approval.

``publish`` (the head) needs every assessors' record reviewed and writes one ``publish`` line
naming every record's sha256 and the 文号; its seal code (``seal_code``) is printed on the
notices, so the stamped paper anchors the chain (``audit.seal`` checks it). A published year
refuses every write (``refuse_if_locked``) except through a 复核: ``review_open`` for one unit,
its edits recorded as usual, then ``review_close`` (the head) republishes that unit with a
revision number and a new seal code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpa_core.audit.log import (
    RECORD_ACTIONS,
    Chain,
    ChainLine,
    append_audit,
    line_record_path,
    pending_intents,
    read_chain,
    record_key,
    recover,
    sha256_file,
    year_lock,
)
from kpa_core.audit.people import Person, people_of, resolve_person
from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.layout import ROLE_FOLDERS, year_dir
from kpa_core.store.workspace import read_config, workspace_of

Key = tuple[str, str]  # (unit id, role)
STATES = {
    "absent": ("未录入", "no record"),
    "draft": ("草稿", "draft"),
    "submitted": ("已提交", "submitted"),
    "reviewed": ("已审核", "reviewed"),
    "published": ("已签发", "published"),
}


def seal_code(line_hash: str) -> str:
    """A short readable digest of a publication line: ``7F3A-91C2-0B44`` (48 bits).

    The publication line holds the sha256 of the line before it (the chain's head) and of
    every record it publishes, so its own sha256 stands for the chain up to it.
    """
    head = line_hash[:12].upper()
    return "-".join(head[i:i + 4] for i in range(0, 12, 4))


@dataclass
class RecordState:
    """Where one record stands: its state, and who moved it there when."""

    unit_id: str
    role: str
    state: str = "absent"
    who: str | None = None
    when: str | None = None
    sha: str | None = None  # the record's sha256 as the chain has it

    @property
    def state_zh(self) -> str:
        return STATES[self.state][0]


@dataclass
class Publication:
    """A ``publish`` line: the whole year, or one unit republished after its 复核."""

    line: ChainLine

    @property
    def data(self) -> dict[str, Any]:
        return self.line.data

    @property
    def code(self) -> str:
        return seal_code(self.line.hash)

    @property
    def unit(self) -> str | None:
        return self.data.get("scope_unit")

    @property
    def revision(self) -> int:
        return int(self.data.get("revision") or 0)

    def covers(self, unit_id: str) -> bool:
        return unit_id in (self.data.get("records") or {})

    def describe(self) -> str:
        d = self.data
        return (f"{d.get('who')} 于 {d.get('when')} 签发，文号 {d.get('doc_no') or '（无 none）'}，"
                f"封存码 {self.code}")


@dataclass
class YearProcess:
    """The year's process as the chain tells it."""

    year: int
    records: dict[Key, RecordState] = field(default_factory=dict)
    publications: list[Publication] = field(default_factory=list)
    open_reviews: dict[str, ChainLine] = field(default_factory=dict)  # unit id → its open line

    def publication_of(self, unit_id: str) -> Publication | None:
        """The latest publication covering a unit (its current seal)."""
        return next((p for p in reversed(self.publications) if p.covers(unit_id)), None)

    def locked_by(self, unit_id: str) -> Publication | None:
        """The publication that locks a unit's records, None when writes are allowed."""
        if unit_id in self.open_reviews:
            return None
        return self.publication_of(unit_id)

    @property
    def published(self) -> bool:
        return any(p.unit is None for p in self.publications)


def _record_files(data_dir: Path, year: int) -> dict[Key, Path]:
    files: dict[Key, Path] = {}
    for role in ROLE_FOLDERS:
        folder = year_dir(data_dir, year, role)
        if folder.is_dir():
            files.update({(p.stem, role): p for p in sorted(folder.glob("*.yaml"))})
    return files


def year_process(data_dir: str | Path, year: int, chain: Chain | None = None) -> YearProcess:
    """Replay the chain: each record's sha256, its last state line, the publications."""
    data_dir = Path(data_dir)
    chain = chain if chain is not None else read_chain(data_dir, year)
    skip = {ln.data.get("voids") for ln in chain.lines if ln.data.get("action") == "void"}
    skip |= {ln.hash for ln in pending_intents(chain, data_dir)}
    proc = YearProcess(int(year))
    sha: dict[Key, str | None] = {}
    last_state: dict[Key, dict[str, Any]] = {}
    for ln in chain.lines:
        d, action = ln.data, ln.data.get("action")
        if action in RECORD_ACTIONS and ln.hash not in skip:
            sha[record_key(d)] = d.get("sha256_after")
        elif action == "state":
            last_state[(str(d.get("unit_id")), str(d.get("role")))] = d
        elif action == "publish":
            pub = Publication(ln)
            proc.publications.append(pub)
            for unit_id in d.get("records") or {}:
                proc.open_reviews.pop(unit_id, None)
        elif action == "review_open":
            proc.open_reviews[str(d.get("unit_id"))] = ln
    for key in set(sha) | set(_record_files(data_dir, year)):
        proc.records[key] = _state_of(key, sha.get(key), last_state.get(key), proc)
    return proc


def _state_of(key: Key, sha: str | None, line: dict[str, Any] | None,
              proc: YearProcess) -> RecordState:
    unit_id, role = key
    rs = RecordState(unit_id, role, "absent" if sha is None else "draft", sha=sha)
    if sha is None:
        return rs
    pub = proc.publication_of(unit_id)
    sealed = (pub.data.get("records" if role == "assessor" else "self_records") or {}
              ).get(unit_id) if pub else None
    if role == "assessor" and pub is not None and sealed == sha:
        rs.state, rs.who, rs.when = "published", pub.data.get("who"), pub.data.get("when")
    elif line is not None and line.get("sha256") == sha:
        rs.state, rs.who, rs.when = line.get("state", "draft"), line.get("who"), line.get("when")
    return rs


# --- deadlines ----------------------------------------------------------------------------


def deadlines_of(data_dir: str | Path, year: int) -> dict[str, dt.date]:
    """``kpa.toml``'s ``[deadlines.<year>]``: ``self`` (自评截止) and ``review`` (审核截止)."""
    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    if ws is None:
        return {}
    raw = read_config(ws.root).get("deadlines") or {}
    entry = raw.get(str(int(year))) if isinstance(raw, dict) else None
    out: dict[str, dt.date] = {}
    problems = []
    for key, value in (entry or {}).items() if isinstance(entry, dict) else ():
        if key not in ("self", "review"):
            problems.append(Problem("未知的截止项", "unknown deadline", field=key, value=value,
                                    allowed_zh="self（自评截止）、review（审核截止）",
                                    allowed_en="self, review", where=str(ws.config_path)))
            continue
        try:
            out[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(Problem("截止日期格式错误", "a deadline must be a date", field=key,
                                    value=value, allowed_zh="如 2013-12-20",
                                    allowed_en="e.g. 2013-12-20", where=str(ws.config_path)))
    if problems:
        raise KpaInputError(problems)
    return out


def office_today(data_dir: str | Path) -> dt.date:
    """Today in the office's time zone (Beijing time unless kpa.toml says otherwise)."""
    from zoneinfo import ZoneInfo

    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    return dt.datetime.now(ZoneInfo(ws.timezone if ws else "Asia/Shanghai")).date()


def overdue(rs: RecordState, deadlines: dict[str, dt.date], today: dt.date) -> bool:
    """A 自评 not submitted after 自评截止, an assessors' record not reviewed after 审核截止."""
    if rs.role == "self":
        return "self" in deadlines and today > deadlines["self"] and rs.state != "submitted"
    return ("review" in deadlines and today > deadlines["review"]
            and rs.state not in ("reviewed", "published"))


# --- refusals -----------------------------------------------------------------------------


def _route(year: int, unit_id: str) -> str:
    return f"kpa review open --year {year} --unit {unit_id} --why 原因 --by 姓名"


def locked_problem(proc: YearProcess, unit_id: str, what_zh: str = "修改",
                   what_en: str = "change") -> Problem | None:
    """The refusal of a write to a published unit, naming the publication and the one route."""
    pub = proc.locked_by(unit_id)
    if pub is None:
        return None
    d = pub.data
    return Problem(
        f"{proc.year} 年度已签发（{pub.describe()}），不能{what_zh}；唯一途径是复核："
        f"{_route(proc.year, unit_id)}",
        f"{proc.year} is published ({d.get('who')}, {d.get('when')}, 文号 "
        f"{d.get('doc_no') or '-'}, seal {pub.code}): its records cannot {what_en}; the one "
        f"route is a review: {_route(proc.year, unit_id)}", unit=unit_id)


def refuse_if_locked(data_dir: str | Path, year: int, unit_ids: list[str] | str,
                     what_zh: str = "修改", what_en: str = "be changed") -> None:
    """Raise for every unit of ``unit_ids`` whose records a publication locks."""
    ids = [unit_ids] if isinstance(unit_ids, str) else list(unit_ids)
    chain = read_chain(data_dir, year)
    if not any(ln.data.get("action") == "publish" for ln in chain.lines):
        return  # the common case: nothing published, nothing more to read
    proc = year_process(data_dir, year, chain)
    problems = [p for u in ids if (p := locked_problem(proc, u, what_zh, what_en))]
    if problems:
        raise KpaInputError(problems)


# --- transitions --------------------------------------------------------------------------


def _people(data_dir: Path, people: list[Person] | None) -> list[Person]:
    """kpa.toml's people, unless the caller brings its own (the sample generator)."""
    return people if people is not None else people_of(data_dir)


def _current(data_dir: Path, year: int, unit_id: str, role: str,
             proc: YearProcess) -> RecordState:
    """The record's state, refused when it is missing or its file disagrees with the chain."""
    rs = proc.records.get((unit_id, role))
    label = "自评" if role == "self" else "考核组记录"
    if rs is None or rs.sha is None:
        raise KpaInputError([Problem(f"{unit_id} 没有{label}（或其未纳入审计链）",
                                     f"{unit_id} has no {role} record in the chain",
                                     unit=unit_id, field="unit", value=unit_id)])
    path = line_record_path(data_dir, {"year": year, "unit_id": unit_id, "role": role})
    if path is None or sha256_file(path) != rs.sha:
        raise KpaInputError([Problem(
            f"{label}文件与审计链不符（在 kpa 之外被改动），先运行 kpa verify --year {year}",
            f"the {role} record on disk is not the one the chain has (changed outside kpa); "
            f"run kpa verify --year {year} first", unit=unit_id)])
    return rs


def _state_line(data_dir: Path, year: int, person: Person, rs: RecordState, state: str,
                why: str, when: str | None) -> dict[str, Any]:
    return append_audit(data_dir, year, who=person.name, why=why, action="state",
                        unit_id=rs.unit_id, unit=rs.unit_id, what={}, when=when,
                        extra={"role": rs.role, "state": state, "by_role": person.role,
                               "sha256": rs.sha})


def submit(data_dir: str | Path, year: int, unit_id: str, by: str | None, *,
           today: dt.date | None = None, login: str | None = None,
           people: list[Person] | None = None,
           when: str | None = None) -> dict[str, Any]:
    """A unit's 自评 draft → submitted, by its contact (or an assessor), before 自评截止."""
    data_dir = Path(data_dir)
    person = resolve_person(_people(data_dir, people), by, roles=("contact", "assessor"),
                            unit=unit_id, action_zh="提交自评", action_en="submit the "
                            "self-assessment", login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        proc = year_process(data_dir, year)
        if problem := locked_problem(proc, unit_id, "提交自评", "be submitted"):
            raise KpaInputError([problem])
        rs = _current(data_dir, year, unit_id, "self", proc)
        if rs.state == "submitted":
            raise KpaInputError([Problem(f"自评已由 {rs.who} 于 {rs.when} 提交",
                                         f"already submitted by {rs.who} at {rs.when}",
                                         unit=unit_id)])
        deadline = deadlines_of(data_dir, year).get("self")
        today = today or office_today(data_dir)
        if deadline is not None and today > deadline:
            raise KpaInputError([Problem(
                f"自评截止日期 {deadline} 已过（今天 {today}），不能再提交", f"the "
                f"self-assessment deadline {deadline} has passed (today {today})",
                unit=unit_id, field="deadlines.self", value=str(deadline))])
        return _state_line(data_dir, year, person, rs, "submitted", "提交自评 / submitted",
                           when)


def approve(data_dir: str | Path, year: int, unit_id: str, by: str | None, *,
            login: str | None = None,
            people: list[Person] | None = None, when: str | None = None) -> dict[str, Any]:
    """The assessors' record draft → reviewed (已审核), by an assessor or the head."""
    data_dir = Path(data_dir)
    person = resolve_person(_people(data_dir, people), by, roles=("assessor", "head"), unit=unit_id,
                            action_zh="审核", action_en="review the record", login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        proc = year_process(data_dir, year)
        if problem := locked_problem(proc, unit_id, "审核", "be reviewed"):
            raise KpaInputError([problem])
        rs = _current(data_dir, year, unit_id, "assessor", proc)
        if rs.state in ("reviewed", "published"):
            raise KpaInputError([Problem(f"该记录已于 {rs.when} 由 {rs.who} {rs.state_zh}",
                                         f"already {rs.state} by {rs.who} at {rs.when}",
                                         unit=unit_id)])
        return _state_line(data_dir, year, person, rs, "reviewed", "审核通过 / reviewed", when)


def _self_shas(proc: YearProcess, units: list[str]) -> dict[str, str]:
    return {u: rs.sha for (u, role), rs in sorted(proc.records.items())
            if role == "self" and u in units and rs.sha}


def publish(data_dir: str | Path, year: int, by: str | None, doc_no: str | None = None, *,
            login: str | None = None,
            people: list[Person] | None = None, when: str | None = None) -> Publication:
    """Publish and seal the year (the head): every assessors' record must be reviewed."""
    data_dir = Path(data_dir)
    person = resolve_person(_people(data_dir, people), by, roles=("head",), action_zh="签发公布",
                            action_en="publish the year", login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        proc = year_process(data_dir, year)
        if proc.published:
            first = next(p for p in proc.publications if p.unit is None)
            raise KpaInputError([Problem(f"{year} 年度已签发：{first.describe()}",
                                         f"{year} is already published", field="year",
                                         value=year)])
        assessors = {u: rs for (u, role), rs in proc.records.items() if role == "assessor"}
        if not assessors:
            raise KpaInputError([Problem("该年度没有考核组记录", "the year has no assessors' "
                                         "records", field="year", value=year)])
        problems = [Problem(f"考核组记录为{rs.state_zh}，须先审核：kpa approve --year {year} "
                            f"--unit {u} --by 姓名", f"the assessors' record is {rs.state}, "
                            "not reviewed", unit=u)
                    for u, rs in sorted(assessors.items()) if rs.state != "reviewed"]
        for u in sorted(assessors):
            if not problems:
                _current(data_dir, year, u, "assessor", proc)  # files agree with the chain
        if problems:
            raise KpaInputError(problems)
        units = sorted(assessors)
        line = append_audit(data_dir, year, who=person.name, why="签发公布 / published",
                            action="publish", unit_id="", unit="", what={}, when=when,
                            extra={"doc_no": doc_no, "by_role": person.role, "revision": 0,
                                   "scope_unit": None,
                                   "records": {u: assessors[u].sha for u in units},
                                   "self_records": _self_shas(proc, units)})
        return _publication_of_line(data_dir, year, line)


def _publication_of_line(data_dir: Path, year: int, line: dict[str, Any]) -> Publication:
    """The line just appended, as read back (the caller still holds the year lock)."""
    found = next(ln for ln in reversed(read_chain(data_dir, year).lines) if ln.data == line)
    return Publication(found)


def review_open(data_dir: str | Path, year: int, unit_id: str, why: str | None,
                by: str | None, *, login: str | None = None, people: list[Person] | None = None,
                when: str | None = None) -> dict[str, Any]:
    """Open a 复核 of one published unit (an assessor or the head): its records unlock."""
    data_dir = Path(data_dir)
    person = resolve_person(_people(data_dir, people), by, roles=("assessor", "head"), unit=unit_id,
                            action_zh="开启复核", action_en="open a review", login=login)
    if not isinstance(why, str) or not why.strip():
        raise KpaInputError([Problem("须用 --why 写明复核原因（如单位的复核申请）", "give the "
                                     "reason for the review with --why", field="why",
                                     unit=unit_id)])
    with year_lock(data_dir, year):
        recover(data_dir, year)
        proc = year_process(data_dir, year)
        if unit_id in proc.open_reviews:
            opened = proc.open_reviews[unit_id].data
            raise KpaInputError([Problem(f"复核已于 {opened.get('when')} 由 {opened.get('who')} "
                                         "开启", "a review of this unit is already open",
                                         unit=unit_id)])
        if proc.publication_of(unit_id) is None:
            raise KpaInputError([Problem("该单位尚未签发，不需要复核，可直接修改", "the unit is "
                                         "not published: no review is needed", unit=unit_id)])
        return append_audit(data_dir, year, who=person.name, why=why, action="review_open",
                            unit_id=unit_id, unit=unit_id, what={}, when=when,
                            extra={"by_role": person.role})


def review_close(data_dir: str | Path, year: int, unit_id: str, by: str | None, *,
                 login: str | None = None, people: list[Person] | None = None,
                 when: str | None = None) -> Publication:
    """Close a 复核 (the head): the unit is republished, same 文号, next revision, new seal."""
    data_dir = Path(data_dir)
    person = resolve_person(_people(data_dir, people), by, roles=("head",), unit=unit_id,
                            action_zh="结束复核并重新签发", action_en="close the review",
                            login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        proc = year_process(data_dir, year)
        if unit_id not in proc.open_reviews:
            raise KpaInputError([Problem("该单位没有进行中的复核", "no review of this unit is "
                                         f"open: {_route(year, unit_id)}", unit=unit_id)])
        rs = _current(data_dir, year, unit_id, "assessor", proc)
        if rs.state not in ("reviewed", "published"):  # published: the review changed nothing
            raise KpaInputError([Problem(
                f"复核后的考核组记录为{rs.state_zh}，须先审核：kpa approve --year {year} --unit "
                f"{unit_id} --by 姓名", f"the record after review is {rs.state}; an assessor "
                "must review it first", unit=unit_id)])
        before = proc.publication_of(unit_id)
        assert before is not None  # an open review always follows a publication
        line = append_audit(data_dir, year, who=person.name,
                            why="复核后重新签发 / republished after review", action="publish",
                            unit_id=unit_id, unit=unit_id, what={}, when=when,
                            extra={"doc_no": before.data.get("doc_no"), "by_role": person.role,
                                   "revision": before.revision + 1, "scope_unit": unit_id,
                                   "review_line": proc.open_reviews[unit_id].number,
                                   "records": {unit_id: rs.sha},
                                   "self_records": _self_shas(proc, [unit_id])})
        return _publication_of_line(data_dir, year, line)


def seal_of(data_dir: str | Path, year: int, unit_id: str) -> Publication | None:
    """The publication whose seal code a unit's notice carries (None before publication)."""
    chain = read_chain(data_dir, year)
    if not any(ln.data.get("action") == "publish" for ln in chain.lines):
        return None
    return year_process(data_dir, year, chain).publication_of(unit_id)


def revision_mark(pub: Publication) -> str:
    """The 文号's revision mark after a 复核: ``（复核修订1）``; empty for the first issue."""
    return f"（复核修订{pub.revision}）" if pub.revision else ""


def year_seal(data_dir: str | Path, year: int, chain: Chain | None = None) -> Publication | None:
    """The whole year's publication (its 文号 and seal code, for the 公示 summary and the
    rectification ledger), or None; ``chain``: the year's chain when the caller has read it."""
    chain = chain if chain is not None else read_chain(data_dir, year)
    first = next((ln for ln in chain.lines if ln.data.get("action") == "publish"
                  and ln.data.get("scope_unit") is None), None)
    return Publication(first) if first is not None else None
