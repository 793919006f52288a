"""Open a published year's ledger and read it back.

``ledger_of`` only reads: a published year whose ledger is not open yet (published before
kpa kept ledgers, or a crash between the publication and its ledger line) shows the items its
opening would hold, with ``opened=False``. ``ensure_opened`` writes the ``rectify_open`` line,
under the year's lock, once: from each published unit's record as sealed (the publication
names its sha256, and a record that no longer matches is refused, not tracked).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kpa_core.audit.log import (
    Chain,
    ChainLine,
    append_audit,
    read_chain,
    recover,
    sha256_file,
    year_lock,
)
from kpa_core.audit.people import Person, people_of, resolve_person
from kpa_core.audit.rectify_chain import OPEN, ItemState, Ledger, office_date, replay
from kpa_core.audit.states import Publication, office_today, publish, year_seal
from kpa_core.errors import KpaInputError, Problem
from kpa_core.rectify.requirements import deductions_of, requirement_items
from kpa_core.rectify.settings import settings_of, timezone_of
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import load_record
from kpa_core.store.layout import record_path


def not_published(year: int) -> Problem:
    return Problem(f"{year} 年度尚未签发，没有整改台账（签发：kpa publish --year {year}）",
                   f"{year} is not published, so it has no rectification ledger (publish it "
                   f"first: kpa publish --year {year})", field="year", value=year)


def opening_items(data_dir: Path, year: int, pub: Publication) -> list[dict[str, Any]]:
    """Every 整改要求 of every published notice, as the ``rectify_open`` line lists them."""
    tz = timezone_of(data_dir)
    published_on = office_date(pub.data.get("when"), tz) or dt.date.today()
    deadline = settings_of(data_dir).deadline(published_on).isoformat()
    items, problems = [], []
    for unit_id, sealed in sorted((pub.data.get("records") or {}).items()):
        path = record_path(data_dir, year, unit_id)
        if not path.is_file() or sha256_file(path) != sealed:
            problems.append(Problem(
                "已签发的记录与封存不符，无法据此开立整改台账；先运行 kpa verify --year "
                f"{year}", "the published record is not the one sealed; the ledger cannot be "
                f"opened from it (run kpa verify --year {year})", unit=unit_id,
                value=str(path)))
            continue
        record = load_record(path, unit_id=unit_id)
        rubric = load_rubric(record.rubric)
        reqs = requirement_items(rubric, record.rectification, deductions_of(record, rubric))
        items += [{"unit": unit_id, "item": f"R{n}", "rule": r.key, "text": r.text,
                   "deadline": deadline} for n, r in enumerate(reqs, start=1)]
    if problems:
        raise KpaInputError(problems)
    return items


def ledger_of(data_dir: str | Path, year: int, *, as_of: dt.date | None = None,
              chain: Chain | None = None) -> Ledger:
    """The year's ledger as of the office's date ``as_of`` (default today); read-only."""
    data_dir = Path(data_dir)
    if not (data_dir / str(int(year))).is_dir():
        return Ledger(int(year), False, None)
    chain = chain if chain is not None else read_chain(data_dir, year)
    as_of = as_of or office_today(data_dir)
    tz = timezone_of(data_dir)
    ledger, _ = replay(chain, year, as_of=as_of, tz=tz)
    if ledger.opened:
        return ledger
    pub = year_seal(data_dir, year, chain)
    if pub is None:
        return ledger
    # the opening as it would be written, replayed after the chain (nothing is written)
    raw = {"action": OPEN, "items": opening_items(data_dir, year, pub), "publication": pub.code}
    fake = Chain(chain.path, [*chain.lines, ChainLine(len(chain.lines) + 1, b"", raw)])
    derived, _ = replay(fake, year, as_of=as_of, tz=tz)
    return Ledger(derived.year, False, derived.published_on, derived.items, pub.code)


def ledger_in_view(data_dir: str | Path, year: int, *, as_of: dt.date | None = None) -> Ledger:
    """The ledger to show while ``year`` is chosen: its own once published, else the year
    before's — while a year is assessed, last year's items are the ones being rectified (the
    app's 整改 tab and explore's 整改进度 alike)."""
    ledger = ledger_of(data_dir, year, as_of=as_of)
    return ledger if ledger.published_on else ledger_of(data_dir, int(year) - 1, as_of=as_of)


def open_locked(data_dir: Path, year: int, person: Person, when: str | None) -> None:
    """Append the ``rectify_open`` line if the chain has none (the caller holds the lock)."""
    chain = read_chain(data_dir, year)
    if replay(chain, year)[0].opened:
        return
    pub = year_seal(data_dir, year, chain)
    if pub is None:
        raise KpaInputError([not_published(year)])
    items = opening_items(data_dir, year, pub)
    append_audit(data_dir, year, who=person.name, why="开立整改台账 / rectification ledger "
                 "opened", action=OPEN, unit_id="", unit="", what={}, when=when,
                 extra={"items": items, "publication": pub.code, "by_role": person.role})


def ensure_opened(data_dir: str | Path, year: int, by: str | None, *,
                  login: str | None = None, people: list[Person] | None = None,
                  when: str | None = None) -> Ledger:
    """Open the ledger of a published year (an assessor or the head), once; return it."""
    data_dir = Path(data_dir)
    person = resolve_person(people if people is not None else people_of(data_dir), by,
                            roles=("assessor", "head", "contact"), action_zh="开立整改台账",
                            action_en="open the rectification ledger", login=login)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        open_locked(data_dir, year, person, when)
    return ledger_of(data_dir, year)


def open_after_publish(data_dir: str | Path, year: int, person: Person,
                       when: str | None = None) -> Ledger:
    """Right after ``publish``: the publisher opens the ledger of the notices just sealed.

    Its own lock after the publication's: a crash between the two leaves a published year
    whose ledger the next rectify command opens (``ensure_opened``), with the same items.
    """
    data_dir = Path(data_dir)
    with year_lock(data_dir, year):
        open_locked(data_dir, year, person, when)
    return ledger_of(data_dir, year)


def unit_items(ledger: Ledger, unit_id: str) -> list[ItemState]:
    """One unit's items in the notice's order (R1, R2, … R10 by number, not by text)."""
    return sorted(ledger.of_unit(unit_id), key=lambda s: int(s.item.item_id[1:] or 0))


def publish_and_open(data_dir: str | Path, year: int, by: str | None,
                     doc_no: str | None = None, *, login: str | None = None,
                     people: list[Person] | None = None,
                     when: str | None = None) -> tuple[Publication, Ledger]:
    """Publish the year (``audit.states.publish``) and open its ledger from the sealed notices."""
    pub = publish(data_dir, year, by, doc_no, login=login, people=people, when=when)
    person = Person(str(pub.data.get("who")), str(pub.data.get("by_role") or "head"))
    return pub, open_after_publish(data_dir, year, person, when)
