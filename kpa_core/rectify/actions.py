"""A unit's 整改报告 and the office's 核查: the two steps that move an item.

Each is one audit line written under the year's lock after the item's current status is
replayed from the chain, so two people acting at once cannot both move the same item. Who may
act is kpa.toml's people: a report by the unit's own contact or an assessor; a check by an
assessor or the head, never by a unit contact (a unit does not close its own items).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kpa_core.audit.log import append_audit, read_chain, recover, year_lock
from kpa_core.audit.people import Person, people_of, resolve_person
from kpa_core.audit.rectify_chain import CHECK, REPORT, RESULTS, STATUS, ItemState, replay
from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.citation import SHA256
from kpa_core.evidence.store import store_file, stored_status
from kpa_core.rectify.ledger import ledger_of, open_locked

MAX_TEXT = 4000  # characters of a report's text or a check's reason
RESULT_WORDS = {"通过": "pass", "pass": "pass", "不通过": "fail", "fail": "fail"}


def _text_problems(text: object, field: str, unit_id: str, item_id: str) -> list[Problem]:
    label = {"text": "整改情况", "why": "核查意见"}[field]
    if not isinstance(text, str) or not text.strip():
        return [Problem(f"须填写{label}", f"the {field} must be given", unit=unit_id,
                        field=field, value=text, allowed_zh="非空文字",
                        allowed_en="non-empty text", rule_id=item_id)]
    if len(text) > MAX_TEXT:
        return [Problem(f"{label}过长", f"the {field} is too long", unit=unit_id, field=field,
                        value=f"{len(text)} 字 / characters", allowed_zh=f"至多 {MAX_TEXT} 字",
                        allowed_en=f"at most {MAX_TEXT} characters", rule_id=item_id)]
    return []


def _item(data_dir: Path, year: int, unit_id: str, item_id: str) -> ItemState:
    """The item as the chain has it now (the caller holds the lock), or a refusal."""
    chain = read_chain(data_dir, year)
    ledger, _ = replay(chain, year)
    found = ledger.find(unit_id, item_id)
    if found is None:
        ids = "、".join(s.item.item_id for s in ledger.of_unit(unit_id)) or "（无 none）"
        raise KpaInputError([Problem(
            f"{unit_id} 在 {year} 年度整改台账中没有事项 {item_id}",
            f"{unit_id} has no item {item_id} in the {year} ledger", unit=unit_id,
            field="item", value=item_id, allowed_zh=ids, allowed_en=ids)])
    return found


def _after(data_dir: Path, year: int, unit_id: str, item_id: str) -> ItemState:
    found = ledger_of(data_dir, year).find(unit_id, item_id)
    assert found is not None  # it was there under the lock, and items are never removed
    return found


def report_item(data_dir: str | Path, year: int, unit_id: str, item_id: str, text: str, *,
                evidence: Sequence[str | Path] = (), stored: Sequence[str] = (),
                by: str | None,
                login: str | None = None, people: list[Person] | None = None,
                when: str | None = None) -> ItemState:
    """The unit's 整改报告 for one item: 未整改/整改中/逾期 → 已整改待核查.

    ``evidence`` are files to store in the year's evidence ledger; ``stored`` the sha256s of
    files already there (the app's upload stores first). Either way the line names hashes.
    """
    data_dir = Path(data_dir)
    problems = _text_problems(text, "text", unit_id, item_id)
    for sha in stored:
        why = stored_status(data_dir, year, sha) if SHA256.match(str(sha)) else (
            "sha256 不合法", "not a sha256")
        if why:
            problems.append(Problem(f"佐证材料{why[0]}", f"the evidence file: {why[1]}",
                                    unit=unit_id, rule_id=item_id, field="evidence",
                                    value=sha, allowed_zh="证据库中已存的文件",
                                    allowed_en="a file stored in the year's evidence ledger"))
    if problems:
        raise KpaInputError(problems)
    person = resolve_person(people if people is not None else people_of(data_dir), by,
                            roles=("contact", "assessor"), unit=unit_id,
                            action_zh="报送整改情况", action_en="report the rectification",
                            login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        open_locked(data_dir, year, person, when)  # a year published before ledgers
        state = _item(data_dir, year, unit_id, item_id)
        if state.status in ("closed", "awaiting_check"):
            raise KpaInputError([Problem(
                f"事项 {item_id} 为{state.status_zh}，不能再报送整改情况",
                f"item {item_id} is {state.status_en}: it takes no report now", unit=unit_id,
                field="item", value=item_id, rule_id=item_id,
                allowed_zh="未整改、整改中或逾期的事项", allowed_en="an item not started, in "
                "progress or overdue")])
        shas = [store_file(data_dir, year, f, who=person.name, unit=unit_id,
                           rule_id=item_id).sha256 for f in evidence]
        shas += [s for s in stored if s not in shas]
        append_audit(data_dir, year, who=person.name, why="报送整改情况 / rectification "
                     "reported", action=REPORT, unit_id=unit_id, unit=unit_id, what={},
                     when=when, extra={"item": item_id, "text": text.strip(), "evidence": shas,
                                       "by_role": person.role})
    return _after(data_dir, year, unit_id, item_id)


def check_item(data_dir: str | Path, year: int, unit_id: str, item_id: str, result: str,
               why: str, *, by: str | None, login: str | None = None,
               people: list[Person] | None = None, when: str | None = None) -> ItemState:
    """The office's 核查: 通过 → 已销号; 不通过 → 整改中 (the reason says what is missing)."""
    data_dir = Path(data_dir)
    problems = _text_problems(why, "why", unit_id, item_id)
    verdict = RESULT_WORDS.get(result.strip() if isinstance(result, str) else result)
    if verdict is None:
        problems.append(Problem("核查结果不合法", "unknown check result", unit=unit_id,
                                field="result", value=result, rule_id=item_id,
                                allowed_zh="通过、不通过", allowed_en="通过 (pass), 不通过 (fail)"))
    if problems:
        raise KpaInputError(problems)
    person = resolve_person(people if people is not None else people_of(data_dir), by,
                            roles=("assessor", "head"), unit=unit_id, action_zh="核查整改",
                            action_en="check a rectification", login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        open_locked(data_dir, year, person, when)  # a year published before ledgers
        state = _item(data_dir, year, unit_id, item_id)
        if state.status != "awaiting_check":
            raise KpaInputError([Problem(
                f"事项 {item_id} 为{state.status_zh}，没有待核查的整改报告",
                f"item {item_id} is {state.status_en}: there is no report to check",
                unit=unit_id, field="item", value=item_id, rule_id=item_id,
                allowed_zh=STATUS["awaiting_check"][0], allowed_en=STATUS["awaiting_check"][1])])
        append_audit(data_dir, year, who=person.name, why=f"核查整改：{RESULTS[verdict][0]} / "
                     f"rectification checked: {RESULTS[verdict][1]}", action=CHECK,
                     unit_id=unit_id, unit=unit_id, what={}, when=when,
                     extra={"item": item_id, "result": verdict, "why": why.strip(),
                            "by_role": person.role})
    return _after(data_dir, year, unit_id, item_id)
