"""A ledger workbook a unit filled, checked whole, then reported row by row.

Each filled row becomes one 整改报告 through ``kpa_core.rectify.actions.report_item`` (the same
step as ``kpa rectify report``, one audit line each). Before the first is written, every row is
checked against what ``report_item`` would refuse and everything else a workbook can get wrong:
the 说明 sheet's year and seal code, the unit and item, an item closed or awaiting its check,
the same item twice, text too long, a formula, each evidence file (a plain name, present in
``佐证材料/`` beside the workbook, a regular file of an allowed type within the size cap), and
the person for every unit (a contact reports only for their own). Every problem is listed at
once with its sheet, row and column; when there is any, nothing is written, so the audit log
stays byte for byte as it was.

Cells are read streamed from a read-only workbook after ``check_workbook`` (size, zip bomb),
as text; a formula is refused, never evaluated.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kpa_core.audit.people import Person, people_of, resolve_person
from kpa_core.audit.rectify_chain import ItemState, Ledger
from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.media import detect
from kpa_core.evidence.names import clean_name
from kpa_core.evidence.settings import EvidenceSettings, load_settings
from kpa_core.evidence.store import KIND_ZH, read_source
from kpa_core.excel.evidence_column import FOLDER, cell_names
from kpa_core.excel.reader import Located, Sheet, cell_at, formula_problem, stream_sheet
from kpa_core.excel.rectify_book import (
    ABOUT_KEYS,
    COLUMNS,
    FORMAT_ID,
    REPORTABLE,
    SHEET_ABOUT,
    SHEET_LEDGER,
    unknown_unit,
)
from kpa_core.excel.values import cell_text, text_of
from kpa_core.rectify.actions import MAX_TEXT, report_item
from kpa_core.rectify.ledger import ledger_of, not_published, unit_items
from kpa_core.year.data import load_units

NEEDED = ("unit_id", "item", "report", "evidence")
SHOWN = 60  # characters of an id cell echoed in a problem (a hostile cell is not repeated)


@dataclass(frozen=True)
class FilledRow:
    """One row a unit filled: where it is, the item, the text, the files it names."""

    row: int
    unit_id: str
    item_id: str
    text: str
    files: tuple[Path, ...]


@dataclass
class RectifyImport:
    """What an import did: each row reported (row, the item after it) and the rows left blank."""

    reported: list[tuple[int, ItemState]] = field(default_factory=list)
    blank: int = 0


def header_map(header: tuple[Any, ...]) -> dict[str, int]:
    """key → column, found by header (both lines, Chinese, English or key): order is free."""
    wanted = {" ".join(label.split()).lower(): c.key for c in COLUMNS
              for label in (c.header, c.zh, c.en, c.key)}
    found: dict[str, int] = {}
    for column, cell in enumerate(header, start=1):
        key = wanted.get(" ".join(str(cell.value or "").split()).lower())
        if key and key not in found:
            found[key] = column
    return found


def _clip(text: str | None) -> str | None:
    return text if text is None or len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class Rows:
    """The checks of one workbook's rows, collecting problems (``where`` names each cell)."""

    def __init__(self, book: Path, sheet: Sheet, col: dict[str, int], ledger: Ledger,
                 units: set[str], settings: EvidenceSettings):
        self.book, self.sheet, self.col, self.ledger = book, sheet, col, ledger
        self.units, self.settings = units, settings
        self.problems: list[Problem] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.blank = 0  # rows holding given cells only (nothing reported)
        self.unit_rows: dict[str, list[int]] = {}  # each known unit → its filled rows
        self.folder = book.parent / FOLDER
        self.folder_problem = self._folder_problem()

    def at(self, row: int, key: str) -> str:
        header = next(c.header for c in COLUMNS if c.key == key)
        return str(Located(self.book.name, self.sheet.title, row, self.col[key], header))

    def add(self, row: int, key: str, zh: str, en: str, **kw: Any) -> None:
        self.problems.append(Problem(zh, en, field=key, where=self.at(row, key), **kw))

    def _folder_problem(self) -> tuple[str, str] | None:
        """The evidence folder must be a real folder: a link could lead anywhere."""
        try:
            mode = os.lstat(self.folder).st_mode
        except OSError:
            return (f"工作簿旁没有 {FOLDER} 文件夹", f"there is no folder {FOLDER} beside the "
                    "workbook")
        if stat.S_ISLNK(mode) or not stat.S_ISDIR(mode):
            return (f"工作簿旁的 {FOLDER} 不是普通文件夹（是链接或文件），拒绝",
                    f"{FOLDER} beside the workbook is not a plain folder (a link or a file); "
                    "refused")
        return None

    def read(self, row: int, cells: tuple[Any, ...]) -> FilledRow | None:
        """One row checked; None when it is blank or has problems (collected)."""
        raw = {k: cell_at(cells, self.col[k]) for k in NEEDED}
        uid = None if raw["unit_id"].data_type == "f" else _clip(text_of(raw["unit_id"].value))
        item = None if raw["item"].data_type == "f" else _clip(text_of(raw["item"].value))
        formulas = [p for k, c in raw.items()
                    if (p := formula_problem(c, self.at(row, k), uid, item, k)) is not None]
        if formulas:
            self.problems += formulas
            return None
        text = cell_text(raw["report"].value)
        names = cell_names(cell_text(raw["evidence"].value))
        if text is None and not names:
            self.blank += 1
            return None
        state = self._state(row, uid, item)
        if state is None:
            return None
        uid, item = state.item.unit_id, state.item.item_id
        self.unit_rows.setdefault(uid, []).append(row)
        before = len(self.problems)
        if (uid, item) in self.seen:
            first = self.seen[(uid, item)]
            self.add(row, "item", "同一事项出现两次", "the same item on two rows", unit=uid,
                     rule_id=item, value=item, allowed_zh=f"每个事项一行（已见于第{first}行）",
                     allowed_en=f"one row per item (already on row {first})")
        self.seen.setdefault((uid, item), row)
        if state.status not in REPORTABLE:
            self.add(row, "report", f"事项 {item} 为{state.status_zh}，不能再报送整改情况",
                     f"item {item} is {state.status_en}: it takes no report now", unit=uid,
                     rule_id=item, value=_clip(text), allowed_zh="未整改、整改中或逾期的事项",
                     allowed_en="an item not started, in progress or overdue")
        if text is None:
            self.add(row, "report", "填写了佐证材料但没有整改情况", "evidence files named "
                     "without the report's text", unit=uid, rule_id=item,
                     allowed_zh="与佐证材料一起填写整改情况", allowed_en="the text of the report")
        elif len(text) > MAX_TEXT:
            self.add(row, "report", "整改情况过长", "the report is too long", unit=uid,
                     rule_id=item, value=f"{len(text)} 字 / characters",
                     allowed_zh=f"至多 {MAX_TEXT} 字", allowed_en=f"at most {MAX_TEXT} characters")
        files = self._files(row, uid, item, names)
        if len(self.problems) > before or text is None:
            return None
        return FilledRow(row, uid, item, text, files)

    def _state(self, row: int, uid: str | None, item: str | None) -> ItemState | None:
        if uid is None or (uid not in self.units and not self.ledger.of_unit(uid)):
            known = sorted({s.item.unit_id for s in self.ledger.items})
            self.problems.append(unknown_unit(uid or "", known).located(
                rule_id=item, where=self.at(row, "unit_id")))
            return None
        state = self.ledger.find(uid, item or "")
        if state is None:
            ids = "、".join(s.item.item_id for s in unit_items(self.ledger, uid)) or "（无 none）"
            self.add(row, "item", f"{uid} 在 {self.ledger.year} 年度整改台账中没有该事项",
                     f"{uid} has no such item in the {self.ledger.year} ledger", unit=uid,
                     rule_id=item, value=item, allowed_zh=ids, allowed_en=ids.replace("、", ", "))
        return state

    def _files(self, row: int, uid: str, item: str, names: list[str]) -> tuple[Path, ...]:
        """Each named file checked as the evidence store would check it, before any report."""
        files: list[Path] = []
        kinds = "、".join(KIND_ZH[k] for k in self.settings.types)
        allowed = (f"{FOLDER} 文件夹中的普通文件（{kinds}）",
                   f"a regular file in {FOLDER}/ ({', '.join(self.settings.types)})")
        for name in dict.fromkeys(names):
            clean, bad = clean_name(name, uid, item)
            if bad:
                self.problems += [p.located(where=self.at(row, "evidence")) for p in bad]
                continue
            if self.folder_problem:
                self.add(row, "evidence", *self.folder_problem, unit=uid, rule_id=item,
                         value=clean, allowed_zh=allowed[0], allowed_en=allowed[1])
                continue
            source = self.folder / clean
            try:
                data = read_source(source, self.settings, uid, item)  # no link, no device
                found = detect(data)
                if found.refused or found.kind not in self.settings.types or not data:
                    why = found.refused or ("不允许的类型或空文件", "a type not allowed, or empty")
                    raise KpaInputError([Problem(why[0], why[1], unit=uid, rule_id=item)])
            except KpaInputError as exc:
                self.problems += [Problem(f"佐证材料：{p.problem_zh}", f"evidence file: "
                                          f"{p.problem_en}", unit=uid, rule_id=item,
                                          field="evidence", value=clean,
                                          allowed_zh=p.allowed_zh or allowed[0],
                                          allowed_en=p.allowed_en or allowed[1],
                                          where=self.at(row, "evidence"))
                                  for p in exc.problems]
                continue
            if Path(os.path.realpath(source)).parent != Path(os.path.realpath(self.folder)):
                self.add(row, "evidence", "佐证材料不在佐证材料文件夹中", f"the evidence file is "
                         f"not inside {FOLDER}/", unit=uid, rule_id=item, value=clean,
                         allowed_zh=allowed[0], allowed_en=allowed[1])
                continue
            files.append(source)
        return tuple(files)


def _open(path: Path) -> tuple[Sheet, Sheet]:
    """The 说明 and ledger sheets, streamed once from a bounded, read-only workbook."""
    from kpa_core.store.bounded_read import check_workbook

    check_workbook(path)  # special files, oversized files and zip bombs never reach openpyxl
    try:
        wb = load_workbook(path, read_only=True)  # not data_only: a formula stays a formula
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise KpaInputError([Problem("无法读取工作簿", f"cannot read the workbook: {exc}",
                                     where=str(path), allowed_zh="kpa rectify export 导出的 .xlsx",
                                     allowed_en="an .xlsx written by kpa rectify export")]
                            ) from exc
    try:
        missing = [s for s in (SHEET_LEDGER, SHEET_ABOUT) if s not in wb.sheetnames]
        if missing:
            raise KpaInputError([Problem("工作簿缺少工作表（不是 kpa rectify export 导出的）",
                                         "the workbook lacks a sheet (not written by kpa "
                                         "rectify export)", value=s, where=path.name,
                                         allowed_zh=f"{SHEET_LEDGER}、{SHEET_ABOUT}",
                                         allowed_en=f"{SHEET_LEDGER}, {SHEET_ABOUT}")
                                 for s in missing])
        about = stream_sheet(path.name, wb[SHEET_ABOUT], max_col=3)
        ledger = stream_sheet(path.name, wb[SHEET_LEDGER], wanted=lambda h: max(
            (c for k, c in header_map(h).items() if k in NEEDED), default=0))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise KpaInputError([Problem("无法读取工作簿", f"cannot read the workbook: {exc}",
                                     where=str(path))]) from exc
    finally:
        wb.close()
    return about, ledger


def about_problems(book: str, about: Sheet, year: int, ledger: Ledger) -> list[Problem]:
    """The 说明 sheet's format, year and seal code must be those of the ledger reported into."""
    values: dict[str, tuple[str | None, int]] = {}
    for number, row in about.rows:
        key = text_of(cell_at(row, 1).value)
        if key in ABOUT_KEYS and key not in values:
            cell = cell_at(row, 3)
            values[key] = (None if cell.data_type == "f" else _clip(cell_text(cell.value)),
                           number)
    want = {"format": (FORMAT_ID, "格式不符：不是 kpa rectify export 导出的工作簿",
                       "not a workbook written by kpa rectify export"),
            "year": (str(int(year)), f"工作簿是另一年度的整改台账，不是 {year} 年度",
                     f"the workbook holds another year's ledger, not {year}'s"),
            "publication": (ledger.publication or "", "封存码不符：工作簿不是从本次签发的整改台账"
                            "导出的", "the seal code differs: the workbook was not exported "
                            "from the ledger of this publication")}
    problems = []
    for key, (allowed, zh, en) in want.items():
        value, number = values.get(key, (None, 0))
        if (value or "") != allowed:
            where = (str(Located(book, about.title, number, 3, "值 value")) if number
                     else f"{book} 「{about.title}」")
            problems.append(Problem(zh, en, field=key, value=value, allowed_zh=allowed,
                                    allowed_en=allowed, where=where))
    return problems


@dataclass
class Checked:
    """A workbook checked: the rows without problems, blank rows, every problem, and the
    filled rows of each unit (the people rules are checked per unit, bad rows included)."""

    filled: list[FilledRow]
    blank: int
    problems: list[Problem]
    unit_rows: dict[str, list[int]]


def check_rectify_book(path: str | Path, data_dir: str | Path, year: int,
                       ledger: Ledger | None = None) -> Checked:
    """Every row of the workbook checked against the year's ledger; see ``Checked``.

    The workbook as a whole (readable, the year and seal, the columns) is checked first and
    raised at once: rows judged against another ledger would only add noise.
    """
    path, data_dir = Path(path), Path(data_dir)
    ledger = ledger if ledger is not None else ledger_of(data_dir, year)
    if ledger.published_on is None:
        raise KpaInputError([not_published(year)])
    about, sheet = _open(path)
    problems = about_problems(path.name, about, year, ledger)
    if problems:
        raise KpaInputError(problems)
    col = header_map(sheet.header)
    missing = [c for c in COLUMNS if c.key in NEEDED and c.key not in col]
    if missing:
        raise KpaInputError([Problem(f"工作表「{sheet.title}」缺少列", f"sheet “{sheet.title}” "
                                     "lacks a column", field=c.key,
                                     value=c.header.replace("\n", " / "),
                                     allowed_zh="、".join(x.zh for x in COLUMNS),
                                     allowed_en=", ".join(x.en for x in COLUMNS),
                                     where=path.name) for c in missing])
    rows = Rows(path, sheet, col, ledger, set(load_units(data_dir)), load_settings(data_dir))
    filled = [f for number, cells in sheet.rows if (f := rows.read(number, cells)) is not None]
    return Checked(filled, rows.blank, rows.problems, rows.unit_rows)


def read_rectify_book(path: str | Path, data_dir: str | Path, year: int
                      ) -> tuple[list[FilledRow], int]:
    """(the filled rows, the count of blank ones), or ``KpaInputError`` with every problem."""
    checked = check_rectify_book(path, data_dir, year)
    if checked.problems:
        raise KpaInputError(checked.problems)
    return checked.filled, checked.blank


def person_problems(unit_rows: dict[str, list[int]], by: str | None, people: list[Person],
                    login: str | None) -> list[Problem]:
    """``report_item``'s people rules for every unit in the workbook, before any report."""
    if not unit_rows:
        return []
    try:  # no --by, an unlisted name, a wrong role: said once, not once per unit
        resolve_person(people, by, roles=("contact", "assessor"), action_zh="报送整改情况",
                       action_en="report the rectification", login=login)
    except KpaInputError as exc:
        return exc.problems
    problems = []
    for uid, numbers in unit_rows.items():
        at = "、".join(map(str, numbers))
        try:
            resolve_person(people, by, roles=("contact", "assessor"), unit=uid,
                           action_zh="报送整改情况", action_en="report the rectification",
                           login=login)
        except KpaInputError as exc:
            problems += [p.located(where=f"「{SHEET_LEDGER}」第{at}行 / rows {at}")
                         for p in exc.problems]
    return problems


def import_rectify_book(path: str | Path, data_dir: str | Path, year: int, by: str | None, *,
                        login: str | None = None, people: list[Person] | None = None,
                        when: str | None = None) -> RectifyImport:
    """Report every filled row of a clean workbook; nothing at all when any row is bad."""
    data_dir = Path(data_dir)
    listed = people if people is not None else people_of(data_dir)
    checked = check_rectify_book(path, data_dir, year)
    problems = checked.problems + person_problems(checked.unit_rows, by, listed, login)
    if problems:
        raise KpaInputError(problems)
    result = RectifyImport(blank=checked.blank)
    for r in checked.filled:
        try:
            state = report_item(data_dir, year, r.unit_id, r.item_id, r.text,
                                evidence=r.files, by=by, login=login, people=listed, when=when)
        except KpaInputError as exc:  # moved by someone else since the check: say what is done
            done = "、".join(str(n) for n, _ in result.reported) or "（无 none）"
            raise KpaInputError([Problem(
                f"第{r.row}行未能报送（事项在检查后被他人改动）；已报送的行：{done}",
                f"row {r.row} could not be reported (the item changed after the check); rows "
                f"reported: {done}", unit=r.unit_id, rule_id=r.item_id), *exc.problems]) from exc
        result.reported.append((r.row, state))
    return result
