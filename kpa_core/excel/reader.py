"""A filled workbook read back into records: same validation as YAML, every cell located.

The workbook is only an entry route; the YAML records stay the source of truth. So reading
turns the rows of each unit into the plain-data form of a record and runs the very same
``parse_record`` as a YAML file, then adds the sheet, row and column to every problem, and
lists every problem of the file at once (in reading order).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from kpa_core.errors import KpaInputError, Problem
from kpa_core.excel.template import (
    ABOUT_KEYS,
    CELL_SYNTAX,
    ENTRY_COLUMNS,
    FORMAT_ID,
    SHEET_ABOUT,
    SHEET_ENTRIES,
    SHEET_UNITS,
    UNIT_COLUMNS,
    Column,
    option_columns,
    year_problems,
)
from kpa_core.excel.values import DateCell, cell_text, parse_value, scalar_of, text_of
from kpa_core.rubric.model import Rubric, available_rubrics, load_rubric
from kpa_core.rubric.readings import fact_specs, parse_facts_cell
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import (
    ROLES,
    Record,
    check_entries,
    parse_record,
)
from kpa_core.store.bounded_read import check_workbook
from kpa_core.year.data import Unit, load_units

# Entry columns import needs; the descriptive ones (rule text, kind, allowed) are ignored.
NEEDED_ENTRY_KEYS = ("unit_id", "unit", "rule", "value", "reason", "evidence")
# Bounds of a sheet, read in one streaming pass (issue #24: one " " cell at row 1,048,576 made
# ``ws.cell()`` up to ``max_row`` take 4 min 28 s and 3.0 GB). Only the cells of the columns
# found in the header are kept, and only rows holding something; a year of the College's 30
# units is ~1,400 rows, so these are far above any real workbook.
MAX_HEADER_COLUMNS = 512  # header cells looked at for the column names
MAX_SHEET_ROWS = 200_000  # rows holding at least one value, per sheet
MAX_SHEET_CELLS = 2_000_000  # cells holding a value, per sheet


@dataclass
class Sheet:
    """A worksheet as read once, streaming: its header row and its non-blank rows.

    Why not openpyxl's worksheet: in read-only mode a cell lookup re-parses the sheet, and
    outside it the whole grid is built in memory up to the last used row.
    """

    title: str
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)  # (row, cells)


def cell_at(cells: tuple[Any, ...], column: int) -> Any:
    """The cell of a row at a 1-based column (an empty cell past the row's end)."""
    return cells[column - 1] if 0 < column <= len(cells) else EMPTY_CELL


def _too_many(book: str, title: str, what: tuple[str, str], limit: int) -> KpaInputError:
    return KpaInputError([Problem(
        f"工作表「{title}」的{what[0]}超过 {limit:,} 个", f"sheet “{title}” holds more than "
        f"{limit:,} {what[1]}", field="sheet", value=title,
        allowed_zh=f"至多 {limit:,} 个（删除多余的行后重新导入）",
        allowed_en=f"at most {limit:,} (delete the surplus rows and import again)",
        where=book)])


def stream_sheet(book: str, ws: Any, max_col: int | None = None,
                 wanted: Any = None) -> Sheet:
    """Read a read-only worksheet once: row 1 as the header, then every non-blank row.

    ``wanted(header) -> int``: the last column needed, from the header (default ``max_col``).
    The sheet's stated dimensions are ignored (another tool may write them wrong, and a lie
    would cut rows off): every row in the file is streamed, gaps cost nothing kept.
    """
    ws.reset_dimensions()
    header = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS), ())
    last = max_col if wanted is None else wanted(header)
    sheet = Sheet(ws.title, tuple(header))
    if not last:
        return sheet
    cells = 0
    for row, values in enumerate(ws.iter_rows(min_row=2, max_col=last), start=2):
        filled = sum(c.value is not None for c in values)
        if not filled:
            continue
        cells += filled
        sheet.rows.append((row, tuple(values)))
        if len(sheet.rows) > MAX_SHEET_ROWS:
            raise _too_many(book, ws.title, ("非空行", "non-blank rows"), MAX_SHEET_ROWS)
        if cells > MAX_SHEET_CELLS:
            raise _too_many(book, ws.title, ("非空单元格", "non-blank cells"), MAX_SHEET_CELLS)
    return sheet

@dataclass
class Located:
    """Where a problem sits: sheet, row and column, formatted the way Problem.where expects."""

    book: str
    sheet: str
    row: int
    column: int
    header: str = ""

    def __str__(self) -> str:
        letter = get_column_letter(self.column)
        head = self.header.replace("\n", " ")
        return (f"{self.book} 「{self.sheet}」第{self.row}行 {letter}列（{head}）"
                f" / sheet “{self.sheet}”, row {self.row}, column {letter}")


@dataclass
class WorkbookRecords:
    """What a clean workbook holds: its year, role, rubric and one record per filled unit.

    ``skipped`` lists the unit ids on the units sheet with no filled row: importing an
    untouched template must not turn 30 existing records into 30 empty ones scoring 100.
    """

    year: int
    role: str
    rubric_id: str
    records: dict[str, Record] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- sheets ---------------------

def formula_problem(cell: Any, where: str, unit: str | None = None, rule_id: str | None = None,
                    field: str | None = None) -> Problem | None:
    """A cell holding a formula is reported, never read.

    Its shown value is only known after Excel computes it (openpyxl stores none for formulas
    it wrote), and a formula such as ``=HYPERLINK(…)`` is never what an analyst meant to
    record. Text that merely starts with "=" is stored as text and reads back as text.
    """
    if cell.data_type != "f":
        return None
    text = getattr(cell.value, "text", cell.value)  # ArrayFormula keeps its text in .text
    return Problem("单元格含公式；请直接填写取值或文字（以 = 开头的文字请在前面加英文单引号 '）",
                   "the cell holds a formula; type the value or text itself (start text "
                   "beginning with = with an apostrophe ')", unit=unit, rule_id=rule_id,
                   field=field, value=str(text),
                   allowed_zh="取值或文字，不是公式", allowed_en="a value or text, not a formula",
                   where=where)


def _header_map(header: tuple[Any, ...], columns: tuple[Column, ...]) -> dict[str, int]:
    """Find columns by header (Chinese, English or both), so reordered columns still import."""
    wanted: dict[str, str] = {}
    for c in columns:
        for label in (c.header, c.zh, c.en, c.key):
            wanted[" ".join(label.split()).lower()] = c.key
    found: dict[str, int] = {}
    for column, cell in enumerate(header, start=1):
        if cell.value is None:
            continue
        key = wanted.get(" ".join(str(cell.value).split()).lower())
        if key and key not in found:
            found[key] = column
    return found


def _missing_columns(book: str, ws: Sheet, columns: tuple[Column, ...],
                     found: dict[str, int], needed: tuple[str, ...]) -> list[Problem]:
    missing = [c for c in columns if c.key in needed and c.key not in found]
    return [Problem(f"工作表「{ws.title}」缺少列", f"sheet “{ws.title}” lacks a column",
                    field=c.key, value=c.header.replace("\n", " / "),
                    allowed_zh="、".join(x.zh for x in columns),
                    allowed_en=", ".join(x.en for x in columns), where=book)
            for c in missing]


def read_about(book: str, ws: Sheet) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """The metadata rows (key in column A, value in column C) and their row numbers."""
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for number, row in ws.rows:
        key = text_of(cell_at(row, 1).value)
        if key in ABOUT_KEYS and key not in values:
            values[key] = cell_at(row, 3).value
            rows[key] = number
    problems: list[Problem] = []

    def bad(key: str, zh: str, en: str, allowed: tuple[str, str]) -> None:
        where = Located(book, ws.title, rows.get(key, 1), 3, "值 value") if key in rows else book
        problems.append(Problem(zh, en, field=key, value=values.get(key),
                                allowed_zh=allowed[0], allowed_en=allowed[1], where=str(where)))

    if values.get("format") != FORMAT_ID:
        bad("format", "不是 kpa 工作簿或格式版本不符",
            "not a kpa workbook, or another format version", (FORMAT_ID, FORMAT_ID))
    if values.get("rubric") not in available_rubrics():
        names = "、".join(available_rubrics())
        bad("rubric", "未知的考核细则版本", "unknown rubric id", (names, names.replace("、", ", ")))
    elif values.get("rubric_sha256") not in (None, load_rubric(values["rubric"]).sha256):
        bad("rubric_sha256", "细则指纹与本软件中的细则不符", "rubric fingerprint differs from the "
            "shipped rubric", (load_rubric(values["rubric"]).sha256,) * 2)
    year = scalar_of(values.get("year"))
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or year_problems(year):
        bad("year", "年度须为四位整数", "year must be a four-digit whole number",
            ("2000–2100", "2000–2100"))
    else:
        values["year"] = year
    role = text_of(values.get("role")) or "assessor"
    if role not in ROLES:
        bad("role", "未知的记录角色", "unknown record role", ("assessor、self", "assessor, self"))
    values["role"] = role
    return values, rows, problems


@dataclass
class UnitRow:
    row: int
    assessor: Any
    options: dict[str, Any]


def read_units(book: str, ws: Sheet, rubric: Rubric, units: dict[str, Unit]
               ) -> tuple[dict[str, UnitRow], dict[str, int], list[Problem]]:
    """Units listed on the units sheet, each checked against units.csv."""
    columns = (*UNIT_COLUMNS, *option_columns(rubric))
    col = _header_map(ws.header, columns)
    problems = _missing_columns(book, ws, columns, col, ("unit_id",))
    if problems:
        return {}, col, problems
    headers = {c.key: c.header for c in columns}
    listed: dict[str, UnitRow] = {}
    for row, row_cells in ws.rows:
        raw = {k: cell_at(row_cells, c) for k, c in col.items()}
        cells = {k: c.value for k, c in raw.items()}
        if all(text_of(v) is None for v in cells.values()):
            continue

        def at(key: str, r: int = row) -> str:
            return str(Located(book, ws.title, r, col[key], headers[key]))

        uid = text_of(cells["unit_id"]) if raw["unit_id"].data_type != "f" else None
        name = units[uid].name_zh if uid in units else uid
        formulas = {k: p for k, c in raw.items()
                    if (p := formula_problem(c, at(k), name, field=k)) is not None}
        problems += formulas.values()
        if "unit_id" in formulas:
            continue  # without its id the row belongs to no unit
        for k in formulas:  # reported once; the unit stays listed so its rows are checked
            cells[k] = None

        uid = text_of(cells["unit_id"])
        problems += unit_id_problems(uid, cells.get("unit"), units, at, col)
        if uid is None or uid not in units:
            continue
        if uid in listed:
            first = listed[uid].row
            problems.append(Problem("单位重复", "unit listed twice", unit=units[uid].name_zh,
                                    field="unit_id", value=uid, where=at("unit_id"),
                                    allowed_zh=f"每个单位一行（已见于第{first}行）",
                                    allowed_en=f"one row per unit (already on row {first})"))
            continue
        options = {k.split(":", 1)[1]: text_of(v) for k, v in cells.items()
                   if k.startswith("option:") and text_of(v) is not None}
        assessor = cells.get("assessor")
        listed[uid] = UnitRow(row, text_of(assessor) if isinstance(assessor, str) else assessor,
                              options)
    return listed, col, problems


def unit_id_problems(uid: str | None, name: Any, units: dict[str, Unit], at: Any,
                     col: dict[str, int]) -> list[Problem]:
    """A row's unit id must be in units.csv, and a name typed beside it must match."""
    if uid is None:
        return [Problem("缺少单位编号", "unit id missing", field="unit_id",
                        allowed_zh="units.csv 中的单位编号", allowed_en="a unit id of units.csv",
                        where=at("unit_id"))]
    if uid not in units:
        return [Problem("未知的单位编号（不在 units.csv 中）", "unknown unit id (not in units.csv)",
                        unit=uid, field="unit_id", value=uid,
                        allowed_zh="units.csv 中的单位编号", allowed_en="a unit id of units.csv",
                        where=at("unit_id"))]
    name_text = text_of(name)
    if "unit" in col and name_text is not None and name_text != units[uid].name_zh:
        return [Problem("单位名称与单位编号不符", "unit name does not match the unit id",
                        unit=units[uid].name_zh, field="unit", value=name_text,
                        allowed_zh=units[uid].name_zh, allowed_en=units[uid].name_zh,
                        where=at("unit"))]
    return []


@dataclass
class EntryRows:
    """One unit's entries as a record holds them, and the sheet row of each rule."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def read_entries(book: str, ws: Sheet, rubric: Rubric, units: dict[str, Unit],
                 listed: dict[str, UnitRow]
                 ) -> tuple[dict[str, EntryRows], dict[str, int], list[Problem]]:
    """Every non-empty row, grouped by unit; row-level problems (ids, duplicates) collected."""
    col = _header_map(ws.header, ENTRY_COLUMNS)
    problems = _missing_columns(book, ws, ENTRY_COLUMNS, col,
                                tuple(k for k in NEEDED_ENTRY_KEYS if k != "unit"))
    if problems:
        return {}, col, problems
    headers = {c.key: c.header for c in ENTRY_COLUMNS}
    by_unit: dict[str, EntryRows] = {}
    for row, row_cells in ws.rows:
        raw = {k: cell_at(row_cells, col[k]) for k in (*NEEDED_ENTRY_KEYS, "facts") if k in col}
        cells = {k: c.value for k, c in raw.items()}
        if any(c.data_type == "f" for c in raw.values()):
            uid = text_of(cells["unit_id"]) if raw["unit_id"].data_type != "f" else None
            rule = text_of(cells["rule"]) if raw["rule"].data_type != "f" else None
            name = units[uid].name_zh if uid in units else uid
            problems += [p for k, c in raw.items()
                         if (p := formula_problem(c, str(Located(book, ws.title, row, col[k],
                                                                 headers[k])), name, rule, k))]
            continue  # the row cannot be read until its formulas are values
        value = cells["value"]
        if isinstance(value, str) and not value.strip():
            value = None
        reason, evidence = cell_text(cells["reason"]), cell_text(cells["evidence"])
        given_facts = cell_text(cells.get("facts"))
        if value is None and reason is None and evidence is None and given_facts is None:
            continue  # a blank value means no entry; the ids around it are the template's

        def at(key: str, r: int = row) -> str:
            return str(Located(book, ws.title, r, col[key], headers[key]))

        uid, rule_id = text_of(cells["unit_id"]), text_of(cells["rule"])
        unit_problems = unit_id_problems(uid, cells.get("unit"), units, at, col)
        problems += unit_problems
        unit_name = units[uid].name_zh if uid in units else uid
        if not unit_problems and uid not in listed:
            problems.append(Problem(f"单位不在「{SHEET_UNITS}」表中", "unit not on the units sheet",
                                    unit=unit_name, field="unit_id", value=uid,
                                    allowed_zh=f"「{SHEET_UNITS}」表中列出的单位",
                                    allowed_en="a unit listed on the units sheet",
                                    where=at("unit_id")))
        if rule_id is None:
            problems.append(Problem("缺少规则编号", "rule id missing", unit=unit_name,
                                    field="rule", allowed_zh="考核细则中的规则编号",
                                    allowed_en="a rule id of the rubric", where=at("rule")))
            continue
        if rule_id not in rubric.rules:
            problems += [p.located(unit=unit_name, where=at("rule"))
                         for p in check_entries({rule_id: None}, rubric)]
            continue
        if value is None and not (given_facts and fact_specs(rubric.id, rule_id)):
            problems.append(Problem("填写了原因或依据但没有取值；要保留它，"
                                    "请填写取值（如 false 或 0）",
                                    "reason or evidence given without a value; enter the value "
                                    "(e.g. false or 0) to keep it", unit=unit_name,
                                    rule_id=rule_id,
                                    field=kind_of(rubric.rules[rule_id]).value_field,
                                    allowed_zh=CELL_SYNTAX[rubric.rules[rule_id].kind][0],
                                    allowed_en=CELL_SYNTAX[rubric.rules[rule_id].kind][1],
                                    where=at("value")))
            continue
        if uid is None or uid not in units:
            continue
        group = by_unit.setdefault(uid, EntryRows())
        if rule_id in group.rows:
            first = group.rows[rule_id]
            problems.append(Problem("同一单位的同一规则出现两次",
                                    "the same rule twice for one unit", unit=unit_name,
                                    rule_id=rule_id, field="rule", value=rule_id,
                                    allowed_zh=f"每个单位每条规则一行（已见于第{first}行）",
                                    allowed_en="one row per unit and rule "
                                               f"(already on row {first})",
                                    where=at("rule")))
            continue
        rule = rubric.rules[rule_id]
        entry: dict[str, Any] = ({} if value is None else  # a value derived from its facts
                                 {kind_of(rule).value_field: parse_value(rule, value)})
        if reason is not None:
            entry["reason"] = reason
        if evidence is not None:
            entry["evidence"] = evidence
        facts, why = parse_facts_cell(rubric.id, rule_id, cells.get("facts"))
        if why:  # the optional facts of #25 (B01 per semester, B16 persons, B08 missing 有)
            problems.append(Problem("补充事实无法读取", "the facts cannot be read",
                                    unit=unit_name, rule_id=rule_id, field="facts",
                                    value=cells.get("facts"), allowed_zh=why.split(" / ")[0],
                                    allowed_en=why.split(" / ")[-1], where=at("facts")))
        entry.update(facts)
        group.entries[rule_id] = entry
        group.rows[rule_id] = row
    return by_unit, col, problems


# ---------------------------------------------------------------- records --------------------

def _locate_entry_problem(p: Problem, rubric: Rubric, book: str, ws: Sheet, row: int,
                          col: dict[str, int]) -> Problem:
    """Put an entry problem on its cell, and say how the cell is typed for list kinds."""
    rule = rubric.rules[p.rule_id]
    value_field = kind_of(rule).value_field
    f = p.field or ""
    key = "reason" if f == "reason" else "evidence" if f == "evidence" else "value"
    if f and not f.startswith(value_field) and key == "value":
        key = "rule"  # an unknown field cannot come from a cell, but keep it located
    header = next(c.header for c in ENTRY_COLUMNS if c.key == key)
    where = str(Located(book, ws.title, row, col[key], header))
    if isinstance(p.value, DateCell):
        p = replace(p, problem_zh=p.problem_zh + "（Excel 把它变成了日期："
                    "请把单元格设为文本格式后重新输入）",
                    problem_en=p.problem_en + " (Excel turned it into a date: format the cell as "
                    "Text and type it again)", value=str(p.value.value))
    if key == "value":
        syntax_zh, syntax_en = CELL_SYNTAX[rule.kind]
        p = replace(p, allowed_zh=f"{p.allowed_zh}；单元格写法：{syntax_zh}",
                    allowed_en=f"{p.allowed_en}; in a cell: {syntax_en}")
    return p.located(where=where)


def read_workbook(path: str | Path, data_dir: str | Path) -> WorkbookRecords:
    """Validate a whole workbook into records, or raise ``KpaInputError`` with every problem."""
    path = Path(path)
    book = path.name
    check_workbook(path)  # special files, oversized files and zip bombs never reach openpyxl
    try:
        # Not data_only: formulas must be seen as formulas (and reported), not as the cached
        # value Excel may or may not have stored beside them. Read-only: streamed, bounded.
        wb = load_workbook(path, read_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise KpaInputError([Problem("无法读取工作簿", f"cannot read the workbook: {exc}",
                                     where=str(path), allowed_zh=".xlsx",
                                     allowed_en=".xlsx")]) from exc
    try:
        return _read_open_workbook(path, book, wb, data_dir)
    finally:
        wb.close()  # read-only mode keeps the zip open until closed


def _read_open_workbook(path: Path, book: str, wb: Any, data_dir: str | Path
                        ) -> WorkbookRecords:
    """``read_workbook`` once the file is open: each sheet streamed once, then checked."""
    sheets = (SHEET_ENTRIES, SHEET_UNITS, SHEET_ABOUT)
    missing = [s for s in sheets if s not in wb.sheetnames]
    if missing:
        raise KpaInputError([Problem("工作簿缺少工作表", "the workbook lacks a sheet", value=s,
                                     allowed_zh="、".join(sheets), allowed_en=", ".join(sheets),
                                     where=str(path)) for s in missing])
    try:
        about = stream_sheet(book, wb[SHEET_ABOUT], max_col=3)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    meta, _, problems = read_about(book, about)
    if problems:
        raise KpaInputError(problems)  # without rubric and year no row can be checked
    rubric = load_rubric(meta["rubric"])
    year, role = meta["year"], meta["role"]
    units = load_units(data_dir)
    unit_columns = (*UNIT_COLUMNS, *option_columns(rubric))
    try:
        units_ws = stream_sheet(book, wb[SHEET_UNITS], wanted=lambda header: max(
            _header_map(header, unit_columns).values(), default=0))
        entries_ws = stream_sheet(book, wb[SHEET_ENTRIES], wanted=lambda header: max(
            (c for k, c in _header_map(header, ENTRY_COLUMNS).items()
             if k in (*NEEDED_ENTRY_KEYS, "facts")), default=0))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    listed, unit_col, problems = read_units(book, units_ws, rubric, units)
    by_unit, entry_col, entry_problems = read_entries(book, entries_ws, rubric, units, listed)
    problems += entry_problems
    unit_headers = {c.key: c.header for c in (*UNIT_COLUMNS, *option_columns(rubric))}

    result = WorkbookRecords(year=year, role=role, rubric_id=rubric.id)
    for uid, unit_row in listed.items():
        rows = by_unit.get(uid, EntryRows())
        if not rows.entries:
            # Nothing filled for this unit: leave its record alone. Its units-sheet cells are
            # still checked below, so a typo there is reported rather than silently dropped.
            result.skipped.append(uid)
        data: dict[str, Any] = {"rubric": rubric.id, "year": year, "unit": units[uid].name_zh}
        if role != "assessor":
            data["role"] = role
        if unit_row.assessor is not None:
            data["assessor"] = unit_row.assessor
        if unit_row.options:
            data["options"] = unit_row.options
        data["entries"] = rows.entries
        try:
            record = parse_record(data)
            if rows.entries:
                result.records[uid] = record
        except KpaInputError as exc:
            for p in exc.problems:
                if p.rule_id in rows.rows:
                    problems.append(_locate_entry_problem(p, rubric, book, entries_ws,
                                                          rows.rows[p.rule_id], entry_col))
                    continue
                key = p.field.split(".")[0] if p.field else "unit_id"
                key = f"option:{p.field.split('.', 1)[1]}" if key == "options" else key
                column = unit_col.get(key, unit_col["unit_id"])
                header = unit_headers.get(key, unit_headers["unit_id"])
                problems.append(p.located(where=str(Located(book, units_ws.title, unit_row.row,
                                                            column, header))))
    if problems:
        raise KpaInputError(sorted(problems, key=_reading_order))
    return result


def _unreadable(path: Path, exc: Exception) -> KpaInputError:
    return KpaInputError([Problem("无法读取工作簿", f"cannot read the workbook: {exc}",
                                  where=str(path), allowed_zh=".xlsx", allowed_en=".xlsx")])


CELL_PATTERN = re.compile(r"「(.+?)」第(\d+)行 ([A-Z]+)列")
SHEET_ORDER = {SHEET_ENTRIES: 0, SHEET_UNITS: 1, SHEET_ABOUT: 2}


def _reading_order(p: Problem) -> tuple[int, int, int]:
    """Problems in the order an analyst walks the workbook: sheet, row, column."""
    m = CELL_PATTERN.search(p.where or "")
    if m is None:
        return (-1, 0, 0)
    return (SHEET_ORDER.get(m.group(1), 3), int(m.group(2)), column_index_from_string(m.group(3)))
