"""The Excel workbook analysts fill in: its layout, its cell syntax, and writing it.

Analysts already work in Excel, so a year's entries travel as one workbook with one row per
unit and rule. This module owns the layout (sheet names, columns, headers) and how a record's
values are written into cells; ``excel.importer`` reads the same layout back. Keeping both the
layout and the cell syntax in one place is what makes export → import give the same records.

Cell syntax of the value column (documented on the 说明 sheet and in each cell's input hint):

=====================  ==================  ==========================================
kind                   example             meaning
=====================  ==================  ==========================================
flag                   ``true`` / ``false``  also 是 / 否
per_count, shortfall   ``2``               a whole number
range                  ``2.5``             a number from the dropdown (0.5 steps)
range_per_case         ``5; 4.5``          one amount per case, separated by ``;``
ratio                  ``12/3; 9/3``       participants/reflections per study session
tier                   ``national; city``  level ids (or their Chinese names)
any list kind          ``无``               an explicit empty list
=====================  ==================  ==========================================
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpa_core.errors import KpaInputError, Problem
from kpa_core.excel.evidence_column import export_evidence, export_text
from kpa_core.rubric.model import DEFAULT_RUBRIC_ID, Rubric, Rule, load_rubric
from kpa_core.rubric.readings import facts_cell_text
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import Record, parse_record
from kpa_core.store.atomic import atomic_write_bytes
from kpa_core.text.cells import clean_text, put_text, text_cell
from kpa_core.text.tables import display_width
from kpa_core.year.data import Unit, load_units, load_year

FORMAT_ID = "kpa-workbook-1"
SHEET_ENTRIES = "考核条目 entries"
SHEET_UNITS = "单位 units"
SHEET_ABOUT = "说明 about"

LIST_SEPARATOR = "; "
EMPTY_LIST = "无"
FLAG_TEXT = {True: "true", False: "false"}
LIST_KINDS = ("range_per_case", "bonus_range_per_case", "ratio", "tier")

KIND_LABELS: dict[str, tuple[str, str]] = {
    "flag": ("是否适用", "flag"),
    "per_count": ("按次扣分", "per count"),
    "shortfall": ("按差额扣分", "shortfall"),
    "range": ("区间扣分", "range"),
    "range_per_case": ("每件区间扣分", "range per case"),
    "ratio": ("心得比例", "ratio"),
    "tier": ("荣誉级别", "tier"),
    "bonus_per_count": ("按次加分", "bonus per count"),
    "bonus_range_per_case": ("每件区间加分", "bonus range per case"),
}

# How to type each kind into a cell, Chinese / English; shown in hints and on the 说明 sheet.
CELL_SYNTAX: dict[str, tuple[str, str]] = {
    "flag": ("填 true（适用）或 false（不适用），也可填 是/否",
             "true (applies) or false; 是/否 also accepted"),
    "per_count": ("填整数，如 2", "a whole number, e.g. 2"),
    "bonus_per_count": ("填整数，如 2", "a whole number, e.g. 2"),
    "shortfall": ("填实际次数（整数），如 4", "the actual number held, e.g. 4"),
    "range": ("从下拉列表选分值（步长0.5），0 表示不扣分",
              "pick the points from the dropdown (steps of 0.5); 0 = no deduction"),
    "range_per_case": ("每件一个分值，用分号隔开，如 5; 4.5；空列表填 无",
                       "one amount per case separated by ';', e.g. 5; 4.5; 无 = empty list"),
    "bonus_range_per_case": ("每件一个分值，用分号隔开，如 3; 2；空列表填 无",
                             "one amount per case separated by ';', e.g. 3; 2; 无 = empty list"),
    "ratio": ("每次学习写 参加人数/心得篇数，用分号隔开，如 12/3; 9/3；空列表填 无",
              "per session participants/reflections separated by ';', e.g. 12/3; 9/3; "
              "无 = empty list"),
    "tier": ("荣誉级别，用分号隔开，如 national; city（也可写中文级别名）；空列表填 无",
             "honour levels separated by ';', e.g. national; city (Chinese names also "
             "accepted); 无 = empty list"),
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: a stable key, a bilingual header, a width, input or not."""

    key: str
    zh: str
    en: str
    width: float
    is_input: bool = False

    @property
    def header(self) -> str:
        return f"{self.zh}\n{self.en}"


ENTRY_COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "单位编号", "unit id", 16),
    Column("unit", "单位名称", "unit name", 24),
    Column("item", "条目", "item", 7),
    Column("rule", "规则编号", "rule id", 20),
    Column("rule_zh", "规则（中文）", "rule (Chinese)", 58),
    Column("rule_en", "规则（英文）", "rule (English)", 44),
    Column("kind", "类型", "kind", 16),
    Column("allowed", "允许取值", "allowed values", 44),
    Column("value", "取值", "value", 16, True),
    Column("reason", "原因（扣分/加分时必填）", "reason (required when it scores)", 34, True),
    Column("evidence", "依据", "evidence", 28, True),
    Column("evidence_files", "佐证材料", "evidence files", 30, True),  # excel.evidence_column
    # optional facts some readings need (#25): B01 per semester, B16 persons, B08 missing 有
    Column("facts", "补充事实（可选）", "facts (optional)", 26, True),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "单位编号", "unit id", 18),
    Column("unit", "单位名称", "unit name", 30),
    Column("unit_en", "英文名称", "English name", 40),
    Column("unit_kind", "单位类别", "kind of unit", 26),
    Column("assessor", "考核人", "assessor", 24, True),
)

ABOUT_KEYS = ("format", "rubric", "rubric_sha256", "year", "role", "source")

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
UNIT_BORDER = Border(top=Side(style="thin", color="808080"))
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


# Excel starts a formula with any of these when the cell is edited; openpyxl with "=" on write.
def year_problems(year: Any) -> list[Problem]:
    """What is wrong with a year, judged by the record's own check (``parse_record``).

    A workbook carries its year into every record it imports, so a template for a year the
    records refuse (e.g. 1800) is only a wasted afternoon of typing; one rule, never two.
    """
    try:
        parse_record({"rubric": DEFAULT_RUBRIC_ID, "year": year, "unit": "?", "entries": {}})
    except KpaInputError as exc:
        return [replace(p, unit=None) for p in exc.problems if p.field == "year"]
    return []


def option_columns(rubric: Rubric) -> tuple[Column, ...]:
    """One input column per rubric option (cap_scope, …) on the units sheet."""
    return tuple(Column(f"option:{name}", f"选项 {name}", f"option {name}", 20, True)
                 for name in rubric.options)


def column_index(columns: Sequence[Column], key: str) -> int:
    """1-based column number of a key in a layout."""
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


# Floats are exact integers up to 2**53; beyond that a "whole" float is a typo or an attack and
# is echoed as typed (1e+300), not as a 301-digit integer.
WHOLE_FLOAT_LIMIT = 2**53


def whole_number(value: Any) -> Any:
    """A whole float as int (5, not 5.0): Excel keeps every number as a float, and a count or a
    number typed as a reason should read back as ``3``. Anything else is returned unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= WHOLE_FLOAT_LIMIT:
        return int(value)
    return value


def fmt_number(x: Any) -> int | float:
    """An integral number as int (5, not 5.0), so cells and YAML read naturally."""
    return whole_number(float(x))


def format_value(rule: Rule, value: Any) -> Any:
    """The cell content for a valid entry value; ``excel.importer.parse_value`` inverts it."""
    kind = rule.kind
    if kind == "flag":
        return FLAG_TEXT[bool(value)]
    if kind in ("per_count", "bonus_per_count", "shortfall", "range"):
        return fmt_number(value)
    if not value:
        return EMPTY_LIST
    if kind == "ratio":
        parts = [f"{fmt_number(s['participants'])}/{fmt_number(s['reflections'])}" for s in value]
    elif kind == "tier":
        parts = [str(v) for v in value]
    else:
        parts = [f"{fmt_number(v):g}" for v in value]
    return LIST_SEPARATOR.join(parts)


def range_choices(rule: Rule) -> list[int | float]:
    """Every value a range rule accepts: 0 and lo…hi in half points."""
    lo, hi = float(rule.params["lo"]), float(rule.params["hi"])
    steps = int(round((hi - lo) / 0.5))
    values = [fmt_number(lo + 0.5 * i) for i in range(steps + 1)]
    return values if lo == 0 else [0, *values]


def _clip(text: str, limit: int) -> str:
    """Excel refuses input hints longer than its limits (title 32, text 255 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def value_validation(rule: Rule) -> DataValidation:
    """The dropdown or number check Excel offers for one rule's value cells, with a hint."""
    kind = rule.kind
    allowed_zh, allowed_en = kind_of(rule).allowed(rule)
    syntax_zh, syntax_en = CELL_SYNTAX[kind]
    error_style = "stop"
    if kind == "flag":
        dv = DataValidation(type="list", formula1='"true,false,是,否"', allow_blank=True)
    elif kind in ("per_count", "bonus_per_count"):
        hi = rule.params.get("max_count")
        if hi is None:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                allow_blank=True)
        else:
            dv = DataValidation(type="whole", operator="between", formula1="0",
                                formula2=str(hi), allow_blank=True)
    elif kind == "shortfall":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True)
    elif kind == "range":
        choices = ",".join(f"{v:g}" for v in range_choices(rule))
        dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    elif kind == "tier":
        # A dropdown of single levels; several levels are typed ("national; city"), so the
        # check only informs instead of refusing.
        levels = ",".join(lv["id"] for lv in rule.params["levels"])
        dv = DataValidation(type="list", formula1=f'"{levels}"', allow_blank=True)
        error_style = "information"
    else:
        dv = DataValidation(allow_blank=True)  # free text with a hint; import checks it
    dv.errorStyle = error_style
    dv.showErrorMessage = kind not in ("range_per_case", "bonus_range_per_case", "ratio")
    dv.errorTitle = _clip("取值不合法 / value not allowed", 32)
    dv.error = _clip(f"允许：{allowed_zh} / allowed: {allowed_en}", 255)
    dv.showInputMessage = True
    dv.promptTitle = _clip(f"{rule.id} 取值 value", 32)
    dv.prompt = _clip(f"{syntax_zh}。{allowed_zh} / {syntax_en}", 255)
    return dv


def _header(ws: Worksheet, columns: Sequence[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 34
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    _print_setup(ws)
    ws.print_title_rows = "1:1"


def _print_setup(ws: Worksheet) -> None:
    """Printed on landscape A4 pages one sheet wide (analysts file paper copies)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _row_height(cells: Iterable[tuple[str, float]]) -> float:
    """Enough height for wrapped text (Excel does not grow rows written by openpyxl)."""

    def lines(text: str, width: float) -> int:
        per_line = max(1, int(width - 3))
        return sum(max(1, -(-display_width(p) // per_line)) for p in text.split("\n"))

    return 2.0 + 15.5 * min(max(lines(t, w) for t, w in cells), 7)


def write_entries_sheet(ws: Worksheet, rubric: Rubric, units: Sequence[Unit],
                        records: dict[str, Record]) -> None:
    """One row per unit and rule; the value, reason and evidence columns are the input."""
    _header(ws, ENTRY_COLUMNS)
    ws.freeze_panes = "E2"  # keep the header and the unit/rule ids in view
    widths = {c.key: c.width for c in ENTRY_COLUMNS}
    static: dict[str, dict[str, Any]] = {}  # what every unit's row of a rule shares
    for rule in rubric.rules.values():
        kind_zh, kind_en = KIND_LABELS[rule.kind]
        allowed = "\n".join(kind_of(rule).allowed(rule))
        static[rule.id] = {
            "item": rule.item_id, "rule": rule.id, "rule_zh": rule.zh, "rule_en": rule.en,
            "kind": f"{kind_zh} {kind_en}", "allowed": allowed,
            "height": _row_height([(rule.zh, widths["rule_zh"]), (rule.en, widths["rule_en"]),
                                   (allowed, widths["allowed"])]),
        }
    styles: dict[tuple[str, bool, bool], Any] = {}
    cells_of_rule: dict[str, list[str]] = {rid: [] for rid in rubric.rules}
    value_letter = get_column_letter(column_index(ENTRY_COLUMNS, "value"))
    row = 2
    for unit in units:
        record = records.get(unit.unit_id)
        for n, rule in enumerate(rubric.rules.values()):
            value_field = kind_of(rule).value_field
            entry = (record.entries.get(rule.id) if record else None) or {}
            values: dict[str, Any] = {
                **static[rule.id], "unit_id": unit.unit_id, "unit": unit.name_zh,
                "value": (format_value(rule, entry[value_field])
                          if value_field in entry else None),
                "reason": entry.get("reason") or None,
                "evidence": entry.get("evidence") or None,
                "evidence_files": export_text(entry),
                "facts": facts_cell_text(rubric.id, rule.id, entry),
            }
            for i, c in enumerate(ENTRY_COLUMNS, start=1):
                cell = ws.cell(row=row, column=i, value=clean_text(values[c.key]))
                key = (c.key, n == 0, c.key == "value" and rule.kind in LIST_KINDS)
                if key in styles:
                    # Copying a styled cell's style ids is ~10× faster than setting fonts,
                    # fills and borders cell by cell, which dominates for large years.
                    cell._style = copy(styles[key])
                    put_text(cell)
                    continue
                cell.alignment = WRAP_TOP
                if c.is_input:
                    cell.fill = INPUT_FILL
                if n == 0:
                    cell.border = UNIT_BORDER  # a line above each unit's first rule
                if c.key == "value":
                    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
                    if key[2]:
                        cell.number_format = "@"  # keep "12/3" text: Excel would make it a date
                styles[key] = copy(cell._style)
                put_text(cell)  # after the copy: the quote prefix belongs to this cell only
            cells_of_rule[rule.id].append(f"{value_letter}{row}")
            ws.row_dimensions[row].height = static[rule.id]["height"]
            row += 1
    for rule in rubric.rules.values():
        if cells_of_rule[rule.id]:
            dv = value_validation(rule)
            dv.sqref = MultiCellRange(" ".join(cells_of_rule[rule.id]))  # one parse, not n adds
            ws.add_data_validation(dv)
    last = row - 1
    if last >= 2:
        hint = DataValidation(allow_blank=True, showInputMessage=True,
                              promptTitle="原因 reason",
                              prompt="扣分或加分时必须注明原因 / required when the value deducts "
                                     "or adds points")
        letter = get_column_letter(column_index(ENTRY_COLUMNS, "reason"))
        hint.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(hint)


def write_units_sheet(ws: Worksheet, rubric: Rubric, units: Sequence[Unit],
                      records: dict[str, Record]) -> None:
    """The units this workbook covers, with each unit's assessor and rubric options."""
    opts = option_columns(rubric)
    columns = (*UNIT_COLUMNS, *opts)
    _header(ws, columns)
    ws.freeze_panes = "C2"
    for row, unit in enumerate(units, start=2):
        record = records.get(unit.unit_id)
        values: dict[str, Any] = {
            "unit_id": unit.unit_id, "unit": unit.name_zh, "unit_en": unit.name_en,
            "unit_kind": unit.kind_label, "assessor": record.assessor if record else None,
        }
        for name in rubric.options:
            values[f"option:{name}"] = record.options.get(name) if record else None
        for i, c in enumerate(columns, start=1):
            cell = ws.cell(row=row, column=i, value=clean_text(values[c.key]))
            put_text(cell)
            if c.is_input:
                cell.fill = INPUT_FILL
    last = len(units) + 1
    for name, spec in rubric.options.items():
        letter = get_column_letter(column_index(columns, f"option:{name}"))
        allowed = ",".join(spec["allowed"])
        dv = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True,
                            showInputMessage=True, showErrorMessage=True,
                            promptTitle=_clip(f"选项 option {name}", 32),
                            prompt=_clip(f"{spec['zh']}（空白＝默认 {spec['default']}）/ "
                                         f"blank = default {spec['default']}", 255),
                            errorTitle="取值不合法 / value not allowed",
                            error=f"允许 allowed: {allowed}")
        if last >= 2:
            dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def write_about_sheet(ws: Worksheet, rubric: Rubric, year: int, role: str, source: str) -> None:
    """The metadata import relies on (rubric, year, role), then how to fill the workbook."""
    _print_setup(ws)
    for letter, width in (("A", 16), ("B", 40), ("C", 80)):
        ws.column_dimensions[letter].width = width
    for i, text in enumerate(("键 key", "项目 field", "值 value"), start=1):
        cell = ws.cell(row=1, column=i, value=text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    meta = [
        ("format", "格式 format", FORMAT_ID),
        ("rubric", "考核细则版本 rubric", rubric.id),
        ("rubric_sha256", "细则指纹 rubric sha256", rubric.sha256),
        ("year", "年度 year", year),
        ("role", "记录角色 role（assessor 考核组 / self 自评）", role),
        ("source", "生成方式 made by", source),
    ]
    left = Alignment(horizontal="left", vertical="top")
    for row, (key, label, value) in enumerate(meta, start=2):
        text_cell(ws, row, 1, key)
        text_cell(ws, row, 2, label)
        text_cell(ws, row, 3, value).alignment = left
    guide: list[tuple[str, str]] = [
        ("填写说明", "How to fill in"),
        (f"在「{SHEET_ENTRIES}」表的黄色列填写取值、原因、依据；取值空白表示该规则无记录。",
         "Fill the yellow columns (value, reason, evidence); a blank value means no entry."),
        ("扣分或加分的条目必须填写原因。", "An entry that changes the score needs a reason."),
        (f"「{SHEET_UNITS}」表填写每个单位的考核人和选项。导入时，填写了至少一行（取值、原因或"
         "依据）的单位写一份记录（覆盖已有记录）；一行也没填的单位跳过，已有记录保持不变，"
         "也不新建记录。某单位确无扣分时，请至少填一行（如 false 或 0）。",
         "The units sheet holds each unit's assessor and options. On import, a unit with at "
         "least one filled row (value, reason or evidence) gets one record (replacing an "
         "existing one); a unit with no filled row is skipped: its existing record is left "
         "unchanged and none is created. For a unit with nothing to deduct, fill one row "
         "(e.g. false or 0)."),
        ("以 = + - @ 开头的文字按文字保存；请勿在单元格中输入公式（导入时会报错）。",
         "Text starting with = + - @ is kept as text; do not type formulas into cells "
         "(import reports them)."),
        ("请勿修改本表上方的键和值（年度、细则版本）。",
         "Do not edit the keys and values above (year, rubric)."),
        *((f"{KIND_LABELS[k][0]}（{k}）：{zh}", f"{KIND_LABELS[k][1]}: {en}")
          for k, (zh, en) in CELL_SYNTAX.items()),
    ]
    row = len(meta) + 3
    for zh, en in guide:
        cell = ws.cell(row=row, column=2, value=f"{zh}\n{en}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == len(meta) + 3:
            cell.font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.row_dimensions[row].height = _row_height([(cell.value, 118)])
        row += 1


def build_workbook(rubric: Rubric, year: int, role: str, units: Sequence[Unit],
                   records: dict[str, Record], source: str) -> Workbook:
    """The whole workbook: entries first (what analysts open it for), then units, then about."""
    wb = Workbook()
    entries = wb.active
    entries.title = SHEET_ENTRIES
    write_entries_sheet(entries, rubric, units, records)
    write_units_sheet(wb.create_sheet(SHEET_UNITS), rubric, units, records)
    write_about_sheet(wb.create_sheet(SHEET_ABOUT), rubric, year, role, source)
    return wb


def out_problems(out: str | Path) -> list[Problem]:
    """An output path that is a folder (or sits under a file) is the caller's input problem."""
    out = Path(out)
    if out.is_dir():
        return [Problem("输出路径是一个文件夹，不是文件", "the output path is a folder, not a file",
                        field="out", value=str(out), allowed_zh="一个 .xlsx 文件路径",
                        allowed_en="the path of an .xlsx file")]
    return []


def save_workbook(wb: Workbook, out: str | Path) -> Path:
    """Save atomically: an analyst's open copy of an older file is never half overwritten.

    A folder in the way, a read-only or locked file (Excel on Windows locks what it has open)
    is reported as a bilingual input problem instead of a traceback.
    """
    problems = out_problems(out)
    if problems:
        raise KpaInputError(problems)
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        return atomic_write_bytes(Path(out), buffer.getvalue(), make_parents=False)
    except OSError as exc:
        raise KpaInputError([Problem("无法写入工作簿（文件是否已在 Excel 中打开，或没有写权限？）",
                                     f"cannot write the workbook ({exc.strerror or exc}; is it "
                                     "open in Excel, or read-only?)", field="out",
                                     value=str(out), allowed_zh="可写入的 .xlsx 文件路径",
                                     allowed_en="a writable .xlsx path")]) from exc


def write_template(data_dir: str | Path, year: int, out: str | Path,
                   rubric_id: str = DEFAULT_RUBRIC_ID, role: str = "assessor") -> Path:
    """An empty workbook for every unit of units.csv and every rule of the rubric."""
    problems = year_problems(year)
    if problems:
        raise KpaInputError(problems)
    rubric = load_rubric(rubric_id)
    units = list(load_units(data_dir).values())
    return save_workbook(build_workbook(rubric, year, role, units, {}, "template 空白模板"), out)


def write_export(data_dir: str | Path, year: int, out: str | Path,
                 role: str = "assessor") -> Path:
    """A year's records in the template layout, filled; importing it gives the same records."""
    units = load_units(data_dir)
    year_data = load_year(data_dir, year, role=role, units=units)
    records = {r.unit_id: r for r in year_data.records}
    strays = [r for r in year_data.records if r.unit_id not in units]
    if strays:  # never drop a record silently from an export
        raise KpaInputError([Problem("记录的单位编号不在 units.csv 中",
                                     "the record's unit id is not in "
                                     "units.csv", unit=r.unit, field="unit_id", value=r.unit_id,
                                     allowed_zh="units.csv 中的单位编号",
                                     allowed_en="a unit id of units.csv", where=r.source)
                             for r in strays])
    rubric_ids = sorted({r.rubric for r in records.values()})
    if len(rubric_ids) > 1:
        raise KpaInputError([Problem("同一年度的记录使用了不同的考核细则版本，无法导出到一个工作簿",
                                     "records of one year use different rubrics; one workbook "
                                     "holds one rubric", field="rubric", value=rubric_ids)])
    rubric = load_rubric(rubric_ids[0] if rubric_ids else DEFAULT_RUBRIC_ID)
    covered = [u for uid, u in units.items() if uid in records]
    records = export_evidence(data_dir, year, records, out)  # files to 佐证材料/ beside it
    return save_workbook(build_workbook(rubric, year, role, covered, records, "export 导出"), out)
