"""The rectification ledger as a workbook units fill in: its layout, and the export.

Why a workbook: units report in Excel, and the office sends each unit its own file. One row per
item of a published year's 整改台账 (``kpa_core.rectify``): what the ledger says (单位, 单位代码,
事项, 整改要求, 期限, 状态, 最近核查意见) in grey, locked cells, then the two columns a unit
fills in yellow: 整改情况 and 佐证材料 (file names; the files go into ``佐证材料/`` beside the
workbook, as in the records' workbook, ``excel.evidence_column``). An item closed or awaiting
its check takes no report, so its fill cells are grey and locked too.

The sheet 说明 carries the format, the year and the publication's seal code: an import checks
them against the ledger it reports into (``excel.rectify_import``), so a workbook of another
year, or of a ledger published again, is refused rather than filed against the wrong items.
This module owns the layout; ``excel.rectify_import`` reads the same layout back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpa_core.audit.rectify_chain import ItemState, Ledger, office_date
from kpa_core.audit.states import office_today
from kpa_core.errors import KpaInputError, Problem
from kpa_core.excel.evidence_column import FOLDER
from kpa_core.excel.template import HEADER_FILL, HEADER_FONT, INPUT_FILL, Column, save_workbook
from kpa_core.rectify.actions import MAX_TEXT
from kpa_core.rectify.ledger import ledger_of, not_published, unit_items
from kpa_core.rectify.settings import timezone_of
from kpa_core.text.cells import text_cell
from kpa_core.year.data import load_units

FORMAT_ID = "kpa-rectify-1"
SHEET_LEDGER = "整改台账 ledger"
SHEET_ABOUT = "说明 about"
ABOUT_KEYS = ("format", "year", "publication", "unit", "exported")
REPORTABLE = ("open", "in_progress", "overdue")  # what report_item accepts

COLUMNS: tuple[Column, ...] = (
    Column("unit", "单位", "unit", 22),
    Column("unit_id", "单位代码", "unit id", 16),
    Column("item", "事项", "item", 7),
    Column("requirement", "整改要求", "requirement", 50),
    Column("deadline", "期限", "deadline", 12),
    Column("status", "状态", "status", 14),
    Column("last_check", "最近核查意见", "last check", 32),
    Column("report", "整改情况（请填写）", "what was done (fill in)", 46, True),
    Column("evidence", "佐证材料（文件名，请填写）", "evidence files (fill in)", 30, True),
)
FILL_HEADER = PatternFill("solid", fgColor="548235")  # the fill columns' headers: green
GIVEN_FILL = PatternFill("solid", fgColor="EDEDED")  # given (locked) cells: grey
TOP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class ExportResult:
    """The workbook written, its rows, and how many of them take a report."""

    path: Path
    rows: int
    open_rows: int


def column_of(key: str) -> int:
    """1-based column number of a key."""
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)


def last_check_text(state: ItemState, tz: str | None) -> str | None:
    """``不通过（王明，2013-01-25）：缺少会议记录``: what the office said last, if anything."""
    if not state.checks:
        return None
    c = state.checks[-1]
    day = office_date(c.when, tz)
    return f"{c.result_zh}（{c.who}{'，' + day.isoformat() if day else ''}）：{c.why}"


def _protect(ws: Worksheet) -> None:
    """Locked against edits by mistake (no password: the import checks every cell anyway);
    widening columns, rows and filtering stay allowed."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False


def write_ledger_sheet(ws: Worksheet, states: list[ItemState], names: dict[str, str],
                       tz: str | None) -> int:
    """One row per item; returns how many rows take a report (their fill cells open)."""
    for i, col in enumerate(COLUMNS, start=1):
        cell = text_cell(ws, 1, i, col.header)
        cell.fill = FILL_HEADER if col.is_input else HEADER_FILL
        cell.font, cell.alignment = HEADER_FONT, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 34
    open_rows = 0
    open_cells: dict[str, list[str]] = {"report": [], "evidence": []}
    for row, s in enumerate(states, start=2):
        values = {"unit": names.get(s.item.unit_id, s.item.unit_id), "unit_id": s.item.unit_id,
                  "item": s.item.item_id, "requirement": s.item.text,
                  "deadline": s.item.deadline.isoformat(), "status": s.label,
                  "last_check": last_check_text(s, tz), "report": None, "evidence": None}
        reportable = s.status in REPORTABLE
        open_rows += reportable
        for i, col in enumerate(COLUMNS, start=1):
            cell = text_cell(ws, row, i, values[col.key])
            cell.alignment = TOP
            if col.is_input and reportable:
                cell.fill, cell.protection = INPUT_FILL, Protection(locked=False)
                open_cells[col.key].append(f"{get_column_letter(i)}{row}")
            else:
                cell.fill = GIVEN_FILL
    hints = {
        "report": DataValidation(type="textLength", operator="lessThanOrEqual",
                                 formula1=str(MAX_TEXT), allow_blank=True,
                                 promptTitle="整改情况 report",
                                 prompt=f"写明整改措施和结果，至多 {MAX_TEXT} 字 / what was done, "
                                        f"at most {MAX_TEXT} characters",
                                 errorTitle="过长 / too long",
                                 error=f"至多 {MAX_TEXT} 字 / at most {MAX_TEXT} characters"),
        "evidence": DataValidation(allow_blank=True, promptTitle="佐证材料 evidence",
                                   prompt=f"{FOLDER} 文件夹中的文件名，多个用 ; 分隔 / file names "
                                          f"in the {FOLDER} folder beside this workbook, "
                                          "separated by ;"),
    }
    for key, dv in hints.items():
        dv.showInputMessage = True
        dv.showErrorMessage = key == "report"
        if open_cells[key]:
            dv.sqref = " ".join(open_cells[key])
            ws.add_data_validation(dv)
    ws.freeze_panes = "D2"
    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(len(states) + 1, 1)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    _protect(ws)
    return open_rows


def write_about_sheet(ws: Worksheet, year: int, seal: str, unit: str | None,
                      exported: dt.date) -> None:
    """Key in column A, value in column C (as the records' workbook), then how to fill it."""
    rows = [("键 key", "项目 field", "值 value"),
            ("format", "格式 format", FORMAT_ID),
            ("year", "年度 year", str(year)),
            ("publication", "签发封存码 seal code", seal),
            ("unit", "单位 unit（空白＝全部 all）", unit or ""),
            ("exported", "导出日期 exported", exported.isoformat())]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = text_cell(ws, r, c, value)
            if r == 1:
                cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    guide = (
        f"在「{SHEET_LEDGER}」表的黄色两列填写整改情况与佐证材料的文件名；文件放在本工作簿旁的 "
        f"{FOLDER} 文件夹中。灰色事项（已销号、已整改待核查）不能再报送。导入时逐行检查，任何一行"
        "有问题则一行也不写入。请勿修改上方的年度与封存码，也不要在单元格中填写公式。",
        f"Fill the two yellow columns of “{SHEET_LEDGER}”: what was done, and the names of the "
        f"evidence files, which go into the folder {FOLDER} beside this workbook. Grey items "
        "(closed, awaiting the office's check) take no report. The import checks every row and "
        "writes nothing if any row is wrong. Do not edit the year and seal code above, and do "
        "not type formulas into cells.")
    for r, text in enumerate(guide, start=len(rows) + 2):
        cell = text_cell(ws, r, 2, text)
        cell.alignment = TOP
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        ws.row_dimensions[r].height = 64
    for letter, width in (("A", 14), ("B", 30), ("C", 70)):
        ws.column_dimensions[letter].width = width
    _protect(ws)


def unknown_unit(unit: str, known: list[str]) -> Problem:
    ids = "、".join(known) or "（无 none）"
    return Problem("单位不在单位表中，或在该年度整改台账中没有事项",
                   "the unit is not in units.csv, or has no item in the year's ledger",
                   unit=unit, field="unit", value=unit,
                   allowed_zh=ids, allowed_en=ids.replace("、", ", "))


def check_unit(ledger: Ledger, unit: str | None) -> list[str]:
    """The ledger's unit ids, once the year is published and ``unit`` (if any) is one of them.

    The command names its file after the unit, so the unit is checked before it is a name.
    """
    if ledger.published_on is None:
        raise KpaInputError([not_published(ledger.year)])
    in_ledger = sorted({s.item.unit_id for s in ledger.items})
    if unit is not None and unit not in in_ledger:
        raise KpaInputError([unknown_unit(unit, in_ledger)])
    return in_ledger


def write_rectify_book(data_dir: str | Path, year: int, out: str | Path,
                       unit: str | None = None, *, as_of: dt.date | None = None
                       ) -> ExportResult:
    """The year's ledger (or one unit's items) as a workbook at ``out``; ``佐证材料/`` beside.

    Statuses as of the office's date ``as_of`` (default today, Beijing time).
    """
    data_dir = Path(data_dir)
    ledger = ledger_of(data_dir, year, as_of=as_of)
    in_ledger = check_unit(ledger, unit)
    names = {u: x.name_zh for u, x in load_units(data_dir).items()}
    states = [s for u in ([unit] if unit else in_ledger) for s in unit_items(ledger, u)]
    tz = timezone_of(data_dir)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_LEDGER
    open_rows = write_ledger_sheet(ws, states, names, tz)
    write_about_sheet(wb.create_sheet(SHEET_ABOUT), int(year), ledger.publication or "", unit,
                      as_of or office_today(data_dir))
    path = save_workbook(wb, out)
    with contextlib.suppress(OSError):  # the import names a missing or odd folder
        (path.parent / FOLDER).mkdir(exist_ok=True)  # where the unit puts its files
    return ExportResult(path, len(states), open_rows)
