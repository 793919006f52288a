"""The rectification ledger as a workbook: units report their 整改情况 in Excel.

``write_ledger_book`` writes one row per item (the given columns greyed and locked, the two a
unit fills — 整改情况 and 佐证材料 — yellow and open), and a sheet 说明 naming the year and the
publication's seal code. ``import_ledger_book`` reads it back streamed and read-only, checks
every filled row first (unit and item known, the item open to a report, text bounded, no
formula, evidence files present in ``佐证材料/`` beside the workbook, the right year and seal,
the person allowed for each unit) and lists every problem at once; only a clean workbook is
reported, row by row, through ``kpa_core.rectify.actions.report_item`` — the same step as
``kpa rectify report``, each its own audit line.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from kpa_core.audit.rectify_chain import Ledger
from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.names import clean_name
from kpa_core.excel.evidence_column import FOLDER, cell_names
from kpa_core.excel.reader import cell_at, formula_problem, stream_sheet
from kpa_core.store.atomic import atomic_write_bytes
from kpa_core.store.bounded_read import check_workbook
from kpa_core.text.cells import text_cell

SHEET, ABOUT = "整改台账", "说明"
COLUMNS = (("unit_id", "单位代码\nunit id", 14), ("unit", "单位\nunit", 18),
           ("item", "事项\nitem", 7), ("text", "整改要求\nrequirement", 48),
           ("deadline", "整改期限\ndeadline", 12), ("status", "状态\nstatus", 12),
           ("last", "最近核查意见\nlast check", 24),
           ("report", "整改情况（请填写）\nwhat was done (fill in)", 40),
           ("evidence", "佐证材料（文件名，文件放在佐证材料文件夹）\nevidence files "
            "(in 佐证材料/)", 28))
FILL_FROM = 8  # the first column a unit fills
GIVEN = PatternFill("solid", fgColor="EEEEEE")
TO_FILL = PatternFill("solid", fgColor="FFF4C2")
MAX_TEXT = 4000


def write_ledger_book(path: Path, ledger: Ledger, names: dict[str, str],
                      unit: str | None = None) -> int:
    """Write the workbook of ``ledger`` (one unit's items, or all); return the rows written."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, (_, head, width) in enumerate(COLUMNS, start=1):
        cell = text_cell(ws, 1, col, head)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True)
        cell.fill = TO_FILL if col >= FILL_FROM else GIVEN
        ws.column_dimensions[get_column_letter(col)].width = width
    rows = 0
    for s in ledger.items:
        if unit is not None and s.item.unit_id != unit:
            continue
        rows += 1
        r = rows + 1
        last = s.checks[-1] if s.checks else None
        values = (s.item.unit_id, names.get(s.item.unit_id, s.item.unit_id), s.item.item_id,
                  s.item.text, s.item.deadline.isoformat(), s.status_zh,
                  f"{last.result_zh}：{last.why}" if last else "", None, None)
        for col, value in enumerate(values, start=1):
            cell = text_cell(ws, r, col, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col >= FILL_FROM:
                cell.fill, cell.protection = TO_FILL, Protection(locked=False)
            else:
                cell.fill = GIVEN
    ws.freeze_panes = "A2"
    ws.protection.sheet = True  # the given columns stay as kpa wrote them
    about = wb.create_sheet(ABOUT)
    how = ("在「整改台账」表的黄色两列填写整改情况与佐证材料文件名；文件放在工作簿旁的 佐证材料 "
           "文件夹；已销号或待核查的事项不能再报送。 / fill the two yellow columns; put the "
           "files in 佐证材料/ beside the workbook.")
    for r, (k, v) in enumerate((("年度 year", str(ledger.year)),
                                ("封存码 seal code", ledger.publication or ""),
                                ("导出日期 exported", dt.date.today().isoformat()),
                                ("说明 how", how)), start=1):
        text_cell(about, r, 1, k).font = Font(bold=True)
        text_cell(about, r, 2, v)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 18, 90
    import io

    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(Path(path), buf.getvalue())
    return rows


@dataclass(frozen=True)
class FilledRow:
    """One row a unit filled: where it is, what it says, which files it names."""

    row: int
    unit_id: str
    item_id: str
    text: str
    files: tuple[Path, ...]


def _where(book: str, row: int, col: int) -> str:
    head = COLUMNS[col - 1][1].split("\n")[0]
    return (f"{book} 「{SHEET}」第{row}行 {get_column_letter(col)}列（{head}）/ sheet "
            f"“{SHEET}”, row {row}, column {get_column_letter(col)}")


def _text(cell: Any) -> str:
    value = cell.value
    return "" if value is None else str(value).strip()


def read_ledger_book(path: Path, ledger: Ledger) -> list[FilledRow]:
    """The filled rows, or ``KpaInputError`` with every problem of the workbook at once."""
    book = path.name
    check_workbook(path)  # special files, oversized files and zip bombs never reach openpyxl
    try:
        wb = load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise KpaInputError([Problem("无法读取工作簿", f"cannot read the workbook: {exc}",
                                     where=str(path), allowed_zh=".xlsx",
                                     allowed_en=".xlsx")]) from exc
    try:
        missing = [s for s in (SHEET, ABOUT) if s not in wb.sheetnames]
        if missing:
            raise KpaInputError([Problem("工作簿缺少工作表（不是 kpa rectify export 导出的）",
                                         "the workbook lacks a sheet (not written by kpa "
                                         "rectify export)", value=s, where=book,
                                         allowed_zh=f"{SHEET}、{ABOUT}",
                                         allowed_en=f"{SHEET}, {ABOUT}") for s in missing])
        about = stream_sheet(book, wb[ABOUT], max_col=2)
        sheet = stream_sheet(book, wb[SHEET], max_col=len(COLUMNS))
    finally:
        wb.close()
    given = {_text(cell_at(row, 1)): _text(cell_at(row, 2)) for _, row in about.rows}
    given[_text(cell_at(about.header, 1))] = _text(cell_at(about.header, 2))
    problems: list[Problem] = []
    if given.get("年度 year") != str(ledger.year) or (
            given.get("封存码 seal code") or None) != ledger.publication:
        problems.append(Problem(
            "工作簿不是本年度整改台账导出的（年度或封存码不符）", "the workbook was not exported "
            "from this year's ledger (year or seal code differs)",
            value=f"{given.get('年度 year')} / {given.get('封存码 seal code')}",
            allowed_zh=f"{ledger.year} / {ledger.publication}",
            allowed_en=f"{ledger.year} / {ledger.publication}", where=f"{book} 「{ABOUT}」"))
    filled: list[FilledRow] = []
    folder = path.parent / FOLDER
    for r, cells in sheet.rows:
        row_unit = str(cell_at(cells, 1).value or "") or None
        bad = [p for col in range(1, len(COLUMNS) + 1)
               if (p := formula_problem(cell_at(cells, col), _where(book, r, col), row_unit,
                                        str(cell_at(cells, 3).value or "") or None))]
        if bad:
            problems += bad
            continue
        text, names = _text(cell_at(cells, FILL_FROM)), cell_names(cell_at(cells, 9).value)
        if not text and not names:
            continue  # nothing reported on this row
        uid, item = _text(cell_at(cells, 1)), _text(cell_at(cells, 3))
        state = ledger.find(uid, item)
        if state is None:
            problems.append(Problem("台账中没有该单位的该事项", "no such item of the unit in the "
                                    "ledger", unit=uid or None, rule_id=item or None,
                                    field="item", value=f"{uid} {item}",
                                    where=_where(book, r, 3)))
            continue
        if not text:
            problems.append(Problem("填写了佐证材料但没有整改情况", "evidence named without a "
                                    "report", unit=uid, rule_id=item, field="整改情况",
                                    allowed_zh="填写整改情况", allowed_en="the report's text",
                                    where=_where(book, r, FILL_FROM)))
        elif len(text) > MAX_TEXT:
            problems.append(Problem("整改情况过长", "the report is too long", unit=uid,
                                    rule_id=item, value=f"{len(text)} 字 / characters",
                                    allowed_zh=f"至多 {MAX_TEXT} 字",
                                    allowed_en=f"at most {MAX_TEXT} characters",
                                    where=_where(book, r, FILL_FROM)))
        if state.status in ("closed", "awaiting_check"):
            problems.append(Problem(f"事项为{state.status_zh}，不能再报送整改情况",
                                    f"the item is {state.status_en}: it takes no report",
                                    unit=uid, rule_id=item, value=state.status_zh,
                                    allowed_zh="未整改、整改中或逾期的事项",
                                    allowed_en="an item not started, in progress or overdue",
                                    where=_where(book, r, 6)))
        files = []
        for name in names:
            clean, bad_name = clean_name(name, uid, item)
            if bad_name:
                problems += [p.located(where=_where(book, r, 9)) for p in bad_name]
                continue
            source = folder / clean
            if not source.is_file() or source.is_symlink():
                problems.append(Problem("佐证材料文件不在佐证材料文件夹中", "the evidence file "
                                        f"is not in {FOLDER}/ beside the workbook", unit=uid,
                                        rule_id=item, value=clean,
                                        allowed_zh=f"{FOLDER}/ 中的普通文件",
                                        allowed_en=f"a regular file in {FOLDER}/",
                                        where=_where(book, r, 9)))
                continue
            files.append(source)
        filled.append(FilledRow(r, uid, item, text, tuple(files)))
    if problems:
        raise KpaInputError(problems)
    return filled


def import_ledger_book(path: str | Path, data_dir: str | Path, year: int, by: str | None, *,
                       login: str | None = None, people: list[Any] | None = None
                       ) -> list[Any]:
    """Report every filled row of a clean workbook; nothing at all when any row is bad."""
    from kpa_core.audit.people import people_of, resolve_person
    from kpa_core.rectify.actions import report_item
    from kpa_core.rectify.ledger import ledger_of, not_published

    path, data_dir = Path(path), Path(data_dir)
    ledger = ledger_of(data_dir, year)
    if ledger.published_on is None:
        raise KpaInputError([not_published(year)])
    rows = read_ledger_book(path, ledger)
    listed = people if people is not None else people_of(data_dir)
    problems: list[Problem] = []
    for uid in sorted({r.unit_id for r in rows}):  # who may report, for every unit, first
        try:
            resolve_person(listed, by, roles=("contact", "assessor"), unit=uid,
                           action_zh="报送整改情况", action_en="report the rectification",
                           login=login)
        except KpaInputError as exc:
            problems += exc.problems
    if problems:
        raise KpaInputError(problems)
    return [report_item(data_dir, year, r.unit_id, r.item_id, r.text, evidence=list(r.files),
                        by=by, login=login, people=people) for r in rows]
