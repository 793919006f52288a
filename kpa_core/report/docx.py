"""Word copies of the notice and the summary (python-docx): what an office edits before it stamps.

Why: Chinese offices keep their 通知书 and 汇总表 as .docx, often opened in WPS. The copies hold
the same content in the same order as the printed pages — heading, 文号, addressee, body, the
score strip, deductions, bonuses, 整改要求, the 附件 line, signature and seal with the date,
the verification code — as real Word tables on A4. Every run names its fonts twice: ``w:ascii``
/ ``w:hAnsi`` for Latin text and ``w:eastAsia`` for Chinese, which Word and WPS both read
(a font set through python-docx's ``font.name`` alone leaves Chinese in the default font).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpa_core.store.atomic import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

    from kpa_core.report.context import ReportContext

BODY_FONT, HEAD_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
NOTICE_SUFFIX = "-通知书.docx"
SUMMARY_DOCX = "summary.docx"


def _fonts(run: Any, east: str = BODY_FONT, size: float | None = None,
           bold: bool = False) -> Any:
    """Name the run's Latin and East Asian fonts (Word and WPS read w:eastAsia)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for key in ("w:ascii", "w:hAnsi"):
        rfonts.set(qn(key), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    return run


def _document() -> Any:
    """An A4 document (2.5 cm margins) whose Normal style is 宋体 10.5 pt."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.2))
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    return doc


def _para(doc: Any, text: str, east: str = BODY_FONT, size: float | None = None,
          bold: bool = False, align: str | None = None, indent: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER,
                       "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(21)
    p.paragraph_format.space_after = Pt(2)
    _fonts(p.add_run(text), east, size, bold)
    return p


def _table(doc: Any, header: list[str], rows: list[list[str]],
           widths_cm: list[float] | None = None) -> Any:
    """A real Word table with a bold header row (repeated on each page)."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEAD_FONT, 10, True)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _fonts(cell.paragraphs[0].add_run(str(text)), BODY_FONT, 10)
    if widths_cm:  # Word reads each cell's width; LibreOffice and WPS the grid's
        table.autofit = False
        for row in table.rows:
            for cell, w in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(w)
        for col, w in zip(table.columns, widths_cm, strict=True):
            col.width = Cm(w)
    return table


def _save(doc: Any, path: Path) -> Path:
    buf = io.BytesIO()
    doc.save(buf)
    return atomic_write_bytes(path, buf.getvalue())


def notice_docx(ctx: ReportContext, path: Path, office: str | None = None,
                timezone: str | None = None) -> Path:
    """The unit's notice as an editable Word document (same content and order as on paper)."""
    from kpa_core.report import notice as nt
    from kpa_core.report.rectify_section import REPEAT_ZH, carry_of, notice_carry_texts
    from kpa_core.report.sections import num
    from kpa_core.text.dates import zh_date

    office = office or ctx.params.office or nt.DEFAULT_OFFICE
    timezone = timezone or ctx.params.timezone
    rubric, card = ctx.rubric, ctx.card
    grade, vetoes = nt.grade_and_vetoes(ctx)
    lines = nt.notice_lines(ctx)
    carry = carry_of(ctx)  # 上年整改情况 and 重复扣分, worded as on the notice
    doc = _document()
    _para(doc, office, HEAD_FONT, 16, True, "center")
    if number := nt.notice_number_of(ctx):
        _para(doc, number, BODY_FONT, 10.5, align="center")
    _para(doc, f"{ctx.params.year} 年度党风廉政建设责任制考核结果通知书", HEAD_FONT, 18, True,
          "center")
    _para(doc, f"{ctx.record.unit}：")
    _para(doc, f"根据《{rubric.title['zh']}》，经考核组考核，你单位 {ctx.params.year} 年度党风廉政"
               "建设责任制考核结果通知如下。", indent=True)
    head = ["基本指标", "特色指标", "合计", "名次"] + (["等次"] if grade else [])
    values = [f"{num(card.basic)} / {num(rubric.basic_points)}",
              f"{num(card.bonus)} / {num(rubric.bonus_cap)}",
              f"{num(card.total)} / {num(rubric.basic_points + rubric.bonus_cap)}",
              f"{ctx.rank} / {ctx.n_units}"] + ([grade] if grade else [])
    _table(doc, head, [values])
    for v in vetoes:
        _para(doc, f"{v}，等次为{grade}。", HEAD_FONT, bold=True)
    for title, bonus in (("一、扣分情况", False), ("二、加分情况", True)):
        _para(doc, title, HEAD_FONT, 12, True)
        chosen = [x for x in lines if x.bonus == bonus]
        sign = "+" if bonus else "−"
        if not chosen:
            _para(doc, "无。")
            continue
        rows = [[str(n), nt.item_name(rubric, x.item_id), (x.reason or "未注明") + (
                 f"（{REPEAT_ZH}）" if x.rule_id in carry.repeated else ""), x.quantity,
                 f"{sign}{num(x.counted)}{'※' if x.cut > 1e-9 else ''}"]
                for n, x in enumerate(chosen, start=1)]
        rows.append(["", "合计", "", "", f"{sign}{num(sum(x.counted for x in chosen))}"])
        what = "加分" if bonus else "扣分"
        _table(doc, ["序号", "条目", f"{what}事由", "数量", what], rows,
               [1.2, 4.6, 5.2, 3.6, 2.0])
    _para(doc, "三、整改要求", HEAD_FONT, 12, True)
    rect = nt.rectification_items(ctx, lines) or ["无扣分事项，继续保持。"]
    for n, text in enumerate(rect, start=1):
        _para(doc, f"{n}. {text}")
    for text in notice_carry_texts(ctx):
        _para(doc, text)
    _para(doc, f"以上事项请查明原因、限期整改，并将整改情况书面报送{office}。", indent=True)
    _para(doc, "附件：扣分明细（见本单位考核报告“二、扣分明细”）")
    _table(doc, ["考核组（签字）", f"{office}（盖章）"], [["", zh_date(ctx.made, timezone)]])
    _para(doc, f"核验码 {nt.check_code(ctx)} · 完整来源见报告附录", size=8)
    return _save(doc, path)


def summary_docx(path: Path, year: int, frame: pd.DataFrame, office: str,
                 made_date: str) -> Path:
    """The year's summary as a Word table (landscape A4; 编号 left out as on paper)."""
    from docx.enum.section import WD_ORIENT

    from kpa_core.report.sections import num

    frame = frame.drop(columns=["编号"], errors="ignore")
    doc = _document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    _para(doc, office, HEAD_FONT, 14, True, "center")
    _para(doc, f"{year} 年度党风廉政建设责任制考核结果汇总表", HEAD_FONT, 16, True, "center")
    header = [str(c).split("、", 1)[0] + "、" + str(c).split("、", 1)[1][:8]
              if "、" in str(c) else str(c) for c in frame.columns]
    rows = [[num(v) if isinstance(v, float) else str(v) for v in row]
            for row in frame.itertuples(index=False)]
    note = 4.2 if header[-1] == "说明" else 0.0  # the veto's words need room
    n_even = len(header) - 2 - (1 if note else 0)
    widths = [1.3, 4.6] + [(25.3 - 5.9 - note) / max(1, n_even)] * n_even + ([note] if note else [])
    _table(doc, header, rows, widths)
    _para(doc, f"共 {len(frame)} 个单位；制表日期：{made_date}", size=9)
    return _save(doc, path)


def write_docx_copies(out_dir: Path, year: int, units: list[str], data_dir: Path,
                      options: Any, cap_scope: str | None, frame: pd.DataFrame | None,
                      failures: dict[str, str]) -> list[Path]:
    """Every rendered unit's ``<unit>-通知书.docx`` and the year's ``summary.docx``."""
    from kpa_core.report.context import open_report
    from kpa_core.report.notice import DEFAULT_OFFICE
    from kpa_core.text.dates import zh_date
    from kpa_core.year.data import load_units_cached

    written: list[Path] = []
    order = list(load_units_cached(data_dir))
    for uid in units:
        target = out_dir / f"{uid}{NOTICE_SUFFIX}"
        try:
            ctx = open_report(year=year, unit=uid, data_dir=str(data_dir), cap_scope=cap_scope,
                              office=options.office, timezone=options.timezone,
                              bands=options.bands,
                              notice_number=options.number_of(year, uid, order))
            written.append(notice_docx(ctx, target))
        except Exception as exc:  # noqa: BLE001 - one unit's failure is listed, not fatal
            failures[target.name] = f"{type(exc).__name__}: {exc}"
    if frame is not None:
        written.append(summary_docx(out_dir / SUMMARY_DOCX, year, frame,
                                    options.office or DEFAULT_OFFICE,
                                    zh_date(None, options.timezone)))
    return written
