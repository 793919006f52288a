"""The year's public summary (公示汇总表): rank, unit, the three areas, basic, bonus, total, grade.

Written on every ``kpa report`` as ``summary.xlsx`` (openpyxl; an office edits and prints it)
and ``summary.html`` (print-ready, Chinese only; ``--pdf`` prints it to ``summary.pdf``).
Units are listed in the one ranking order of ``ordering.ranked``, so ties appear in the same
order here as in the index table and chart.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from kpa_core.report.notice import DEFAULT_OFFICE
from kpa_core.report.sections import esc, num
from kpa_core.rubric.model import Rubric
from kpa_core.scoring.ordering import ranked
from kpa_core.store.atomic import atomic_write_bytes, atomic_write_text
from kpa_core.store.paths import TEMPLATES_DIR
from kpa_core.text.dates import zh_date

XLSX_NAME, HTML_NAME, PDF_NAME = "summary.xlsx", "summary.html", "summary.pdf"


def area_heading(rubric: Rubric, area_id: str) -> tuple[str, str]:
    """("一 (20)", full Chinese name) for a top area: short in the cell, full on hover/paper."""
    area = rubric.areas[area_id]
    numeral = area.zh.split("、", 1)[0]
    return f"{numeral} ({num(area.points)})", area.zh


NOTE_COLUMN = "说明"


def summary_frame(table: pd.DataFrame, rubric: Rubric,
                  grades: dict[str, str] | None = None,
                  vetoes: dict[str, str] | None = None) -> pd.DataFrame:
    """The summary's rows in ranking order, with Chinese column names.

    ``编号`` (the unit id) is kept for the page's ``data-unit`` marks; neither printed form
    shows it. With grades, a veto that decided a grade is stated in 说明.
    """
    tops = [a.id for a in rubric.top_areas]
    rows = ranked(table)
    out = pd.DataFrame({"名次": rows["rank"].astype(int), "单位": rows["unit"],
                        "编号": rows["unit_id"]})
    for a in tops:
        out[rubric.areas[a].zh] = rows[a].astype(float)
    out["基本指标"] = rows["basic"].astype(float)
    out["特色指标"] = rows["bonus"].astype(float)
    out["合计"] = rows["total"].astype(float)
    if grades is not None:
        out["等次"] = [grades.get(u, "") for u in rows["unit_id"]]
        if vetoes:
            out[NOTE_COLUMN] = [vetoes.get(u, "") for u in rows["unit_id"]]
    return out.reset_index(drop=True)


def write_xlsx(path: Path, year: int, frame: pd.DataFrame, office: str) -> Path:
    """An A4 workbook: title, header row repeated on every printed page, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from kpa_core.text.cells import text_cell

    frame = frame.drop(columns=["编号"], errors="ignore")  # units by name, as on paper
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}汇总表"
    ncol = len(frame.columns)
    # Every text (office, headers, unit names) goes through text_cell: a name such as
    # '=HYPERLINK(...)' stays text, and a control character cannot break the save.
    text_cell(ws, 1, 1, f"{office} {year} 年度党风廉政建设责任制考核结果汇总表")
    ws.cell(1, 1).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, name in enumerate(frame.columns, start=1):
        c = text_cell(ws, 2, j, name)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="F3EEEA")
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = border
    for i, row in enumerate(frame.itertuples(index=False), start=3):
        for j, value in enumerate(row, start=1):
            v = value.item() if hasattr(value, "item") else value
            c = text_cell(ws, i, j, v)
            c.border = border
            if isinstance(v, float):
                c.number_format = "0.##"
                c.alignment = Alignment(horizontal="right")
            elif j == 1:  # the rank: centred in a column of its own, clear of the unit's name
                c.alignment = Alignment(horizontal="center")
            elif frame.columns[j - 1] == NOTE_COLUMN:
                c.alignment = Alignment(wrap_text=True, vertical="center")
    widths = {"名次": 6, "单位": 24, "等次": 8, NOTE_COLUMN: 26}
    for j, name in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, 12)
    ws.row_dimensions[2].height = 60
    ws.freeze_panes = "C3"  # rank and unit stay in view
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    buf = io.BytesIO()
    wb.save(buf)
    return atomic_write_bytes(path, buf.getvalue())


def render_html(year: int, frame: pd.DataFrame, rubric: Rubric, office: str,
                made: str | None = None, timezone: str | None = None, seal: str = "") -> str:
    """The summary as a print-ready page (Chinese only; it is a public notice).

    ``seal``: the published year's 文号 and 封存码 (``seal_text``): the posted 公示 summary, like
    the stamped notice, is the outside anchor of the audit chain.
    """
    css = (TEMPLATES_DIR / "kpa_report.css").read_text(encoding="utf-8")
    ids = list(frame["编号"])
    frame = frame.drop(columns=["编号"])  # the printed summary names units, not ids
    heads = []
    for col in frame.columns:
        area = next((a for a in rubric.top_areas if a.zh == col), None)
        if area is not None:
            short, full = area_heading(rubric, area.id)
            heads.append(f'<th scope="col" title="{esc(full)}">{esc(short)}'
                         f'<span class="full"> {esc(full.split("、", 1)[-1])}</span></th>')
        else:
            heads.append(f'<th scope="col" class="h">{esc(col)}</th>')
    body = []
    for uid, row in zip(ids, frame.itertuples(index=False), strict=True):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            if isinstance(value, float):
                cells.append(f'<td class="num">{num(value)}</td>')
            elif col == "名次":
                cells.append(f'<td class="num">{esc(value)}</td>')
            elif col == "单位":
                cells.append(f'<td class="unit">{esc(value)}</td>')
            elif col == NOTE_COLUMN:
                cells.append(f'<td class="kpa-veto-note">{esc(value)}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        body.append(f'<tr data-unit="{esc(uid)}">' + "".join(cells) + "</tr>")
    title = f"{year} 年度党风廉政建设责任制考核结果汇总表"
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f'<body class="kpa-summary lang-zh"><main>'
            f'<nav class="kpa-nav"><a href="index.html">← 排名与各单位报告</a> · '
            f'<a href="{XLSX_NAME}">Excel 表格</a></nav>'
            f'<div class="kpa-summary-office">{esc(office)}</div><h1>{esc(title)}</h1>'
            f'<div class="kpa-scroll"><table class="kpa-table kpa-summary-table"><thead><tr>'
            f'{"".join(heads)}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
            f'<p class="muted">共 {len(frame)} 个单位；合计 = 基本指标 + 特色指标（满分 '
            f"{num(rubric.basic_points + rubric.bonus_cap)}）；并列名次按单位编号排列。"
            f"制表日期：{esc(zh_date(made, timezone))}</p>"
            + (f'<p class="kpa-seal">{esc(seal)}</p>' if seal else "")
            + "</main>\n</body>\n</html>\n")


def seal_text(data_dir: str | Path | None, year: int) -> str:
    """"文号 … · 封存码 …（核对：kpa verify …）" once the year is published, else ""."""
    from kpa_core.audit.states import year_seal

    pub = year_seal(data_dir, year) if data_dir is not None else None
    if pub is None:
        return ""
    doc_no = pub.data.get("doc_no")
    number = f"文号 {doc_no} · " if doc_no else ""
    return f"{number}封存码 {pub.code}（核对：kpa verify --year {int(year)} --seal {pub.code}）"


def write_summary(out_dir: Path, year: int, table: pd.DataFrame, rubric: Rubric,
                  grades: dict[str, str] | None = None, office: str | None = None,
                  timezone: str | None = None,
                  vetoes: dict[str, str] | None = None, seal: str = "") -> tuple[Path, Path]:
    """Write ``summary.xlsx`` and ``summary.html`` into ``out_dir``; return both paths."""
    office = office or DEFAULT_OFFICE
    frame = summary_frame(table, rubric, grades, vetoes)
    xlsx, html_path = Path(out_dir) / XLSX_NAME, Path(out_dir) / HTML_NAME
    text = render_html(year, frame, rubric, office, timezone=timezone, seal=seal)
    try:
        unchanged = html_path.read_text(encoding="utf-8") == text and xlsx.is_file()
    except OSError:
        unchanged = False
    # The page holds everything the workbook does (ids too): an unchanged rerun rewrites
    # neither, and the summary's PDF is reprinted only when the page changed.
    if not unchanged:
        write_xlsx(xlsx, year, frame, office)
        atomic_write_text(html_path, text)
    return xlsx, html_path
