"""The 督办 list (整改督办单): every item of a year's ledger not yet 已销号, per unit, on A4.

The office sends it out after the deadline (跟踪督查): one page in official form — the
office's name, an optional 文号, the title, the counts per status, then per unit the items
still to do (未整改, 整改中, 逾期, and 已整改待核查 marked as waiting on the office, so the unit
is not chased for the office's delay), with the deadline and the last failed check's finding;
then 落款, 盖章 and the date in the office's time zone, and the publication's seal code, which
ties the page to the audit chain. HTML, PDF (through the same headless Chromium as the notice)
and DOCX (python-docx, like the notice's Word copy) say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kpa_core.audit.rectify_chain import ItemState, Ledger
from kpa_core.report.sections import esc
from kpa_core.store.atomic import atomic_write_text
from kpa_core.text.dates import zh_date

HTML_NAME, PDF_NAME, DOCX_NAME = "督办单.html", "督办单.pdf", "督办单.docx"
ORDER = ("overdue", "in_progress", "open", "awaiting_check")  # the unit's delay first
CSS = """
@page { size: A4; margin: 20mm 18mm 18mm 18mm;
        @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页";
                         font-family: "Noto Serif CJK SC", serif; font-size: 9pt; color: #333; } }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", serif; color: #111;
       font-size: 10.5pt; line-height: 1.5; margin: 0 auto; max-width: 180mm; }
.office { text-align: center; color: #b00020; font-size: 20pt; font-weight: bold;
          letter-spacing: 0.2em; }
.docno { text-align: center; margin-top: 4pt; }
hr.red { border: 0; border-top: 2px solid #b00020; margin: 6pt 0 10pt; }
h1 { text-align: center; font-size: 15pt; margin: 6pt 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; table-layout: fixed;
        margin-top: 8pt; }
tr.unit th { border: 0; border-bottom: 1px solid #555; background: none; padding: 2pt 0 3pt;
             font-size: 11.5pt; font-family: "Noto Sans CJK SC", sans-serif; }
th, td { border: 1px solid #555; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { page-break-inside: avoid; }
col.n { width: 10mm; } col.d { width: 22mm; } col.s { width: 24mm; } col.w { width: 42mm; }
td.d { white-space: nowrap; }
.overdue td.s { color: #b00020; font-weight: bold; }
.counts { margin: 4pt 0 6pt; }
.sign { margin-top: 14mm; text-align: right; break-inside: avoid; }
.sign div { display: inline-block; text-align: center; margin-right: 8mm; min-width: 46mm; }
.sign p { margin: 2pt 0; }  /* the seal goes over office and date (骑年压月): 42 mm of room */
.seal { font-size: 8.5pt; color: #555; margin-top: 10pt; }
.none { color: #555; }
"""


@dataclass(frozen=True)
class SheetUnit:
    unit_id: str
    name: str
    items: tuple[ItemState, ...]


def _id_key(s: ItemState) -> tuple[int, str]:
    """R2 before R10; an id of another form (a hand-edited chain) after them, not a crash."""
    digits = s.item.item_id[1:]
    return (int(digits), "") if digits.isascii() and digits.isdigit() else (1 << 30, s.item.item_id)


def sheet_units(ledger: Ledger, names: dict[str, str]) -> list[SheetUnit]:
    """Units with items not yet closed, in units.csv order; within a unit, the delay first."""
    order = {u: n for n, u in enumerate(names)}
    by_unit: dict[str, list[ItemState]] = {}
    for s in ledger.items:
        if s.status != "closed":
            by_unit.setdefault(s.item.unit_id, []).append(s)
    out = []
    for uid in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u)):
        items = sorted(by_unit[uid], key=lambda s: (ORDER.index(s.status), *_id_key(s)))
        out.append(SheetUnit(uid, names.get(uid, uid), tuple(items)))
    return out


def title_of(year: int) -> str:
    """The heading: a 督办通知 (what the office calls the form it sends to chase items)."""
    return f"关于 {int(year)} 年度党风廉政建设责任制考核整改事项的督办通知"


def note_of(s: ItemState) -> str:
    """The last step worth telling the unit: a failed check's finding, or that it waits."""
    if s.status == "awaiting_check":
        return "已报送，待纪委办公室核查"
    if s.checks and s.checks[-1].result == "fail":
        return f"核查不通过：{s.checks[-1].why}"
    return "未报送整改情况"


def _counts(ledger: Ledger) -> str:
    c = ledger.counts()
    return (f"共 {len(ledger.items)} 项：逾期 {c['overdue']} 项，整改中 {c['in_progress']} 项，"
            f"未整改 {c['open']} 项，已整改待核查 {c['awaiting_check']} 项，"
            f"已销号 {c['closed']} 项。")


def render_sheet(ledger: Ledger, names: dict[str, str], office: str, as_of: dt.date,
                 doc_no: str | None = None) -> str:
    """The 督办单 as one HTML page (Chinese only: it is the form the office sends)."""
    units = sheet_units(ledger, names)
    parts = []
    for u in units:
        rows = "".join(
            f'<tr class="{esc(s.status)}" data-item="{esc(u.unit_id)}/{esc(s.item.item_id)}">'
            f'<td class="n">{esc(s.item.item_id)}</td>'
            f"<td>{esc(s.item.text)}</td><td class=\"d\">{s.item.deadline:%Y-%m-%d}</td>"
            f'<td class="s">{esc(s.status_zh)}</td><td>{esc(note_of(s))}</td></tr>'
            for s in u.items)
        # The unit's name is the first row of the table's head, which Chromium repeats on
        # every page the table runs onto: a continued list never loses whose it is, and the
        # name can never sit alone at the foot of a page.
        parts.append(f'<table data-unit="{esc(u.unit_id)}"><colgroup><col class="n"><col>'
                     '<col class="d"><col class="s"><col class="w"></colgroup><thead>'
                     f'<tr class="unit"><th colspan="5">{esc(u.name)}（{len(u.items)} 项）'
                     "</th></tr><tr><th>事项</th><th>整改要求</th><th>整改期限</th>"
                     f"<th>状态</th><th>办理情况</th></tr></thead><tbody>{rows}</tbody></table>")
    body = "".join(parts) or '<p class="none">全部整改事项均已销号。</p>'
    number = f'<div class="docno">{esc(doc_no)}</div>' if doc_no else ""
    seal = (f'<p class="seal">依据 {ledger.year} 年度考核结果（封存码 {esc(ledger.publication)}'
            f"；核对：kpa verify --year {ledger.year} --seal {esc(ledger.publication)}）</p>"
            if ledger.publication else "")
    day = zh_date(dt.datetime(as_of.year, as_of.month, as_of.day, 12))
    title = title_of(ledger.year)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head>"
            f'<body class="kpa-rectify-sheet"><div class="office">{esc(office)}</div>{number}'
            f'<hr class="red"><h1>{esc(title)}</h1>'
            f"<p>各有关单位：</p><p>&emsp;&emsp;根据 {ledger.year} 年度党风廉政建设责任制考核结果"
            f"通知书提出的整改要求，截至 {esc(day)}，下列事项尚未整改销号。请各单位对照清单抓紧"
            f"整改，逾期事项须说明原因，并将整改情况及佐证材料书面报送{esc(office)}。</p>"
            f'<p class="counts">{esc(_counts(ledger))}</p>{body}'
            f'<div class="sign"><div><p>{esc(office)}（盖章）</p><p>{esc(day)}</p></div></div>'
            f"{seal}"
            "</body></html>\n")


def sheet_docx(ledger: Ledger, names: dict[str, str], office: str, as_of: dt.date,
               path: Path, doc_no: str | None = None) -> Path:
    """The same list as an editable Word document (what the office edits before it stamps)."""
    from kpa_core.report.docx import HEAD_FONT, _document, _para, _save, _table

    day = zh_date(dt.datetime(as_of.year, as_of.month, as_of.day, 12))
    doc = _document()
    _para(doc, office, HEAD_FONT, 18, True, "center")
    if doc_no:
        _para(doc, doc_no, align="center")
    _para(doc, title_of(ledger.year), HEAD_FONT, 15, True, "center")
    _para(doc, "各有关单位：")
    _para(doc, f"根据 {ledger.year} 年度党风廉政建设责任制考核结果通知书提出的整改要求，截至"
               f" {day}，下列事项尚未整改销号。请各单位对照清单抓紧整改，逾期事项须说明原因，"
               f"并将整改情况及佐证材料书面报送{office}。", indent=True)
    _para(doc, _counts(ledger))
    for u in sheet_units(ledger, names):
        _para(doc, f"{u.name}（{len(u.items)} 项）", HEAD_FONT, 11.5, True)
        _table(doc, ["事项", "整改要求", "整改期限", "状态", "办理情况"],
               [[s.item.item_id, s.item.text, f"{s.item.deadline:%Y-%m-%d}", s.status_zh,
                 note_of(s)] for s in u.items], [1.3, 7.6, 2.4, 2.3, 3.6])
    _para(doc, f"{office}（盖章）", align="right")
    _para(doc, day, align="right")
    if ledger.publication:
        _para(doc, f"依据 {ledger.year} 年度考核结果（封存码 {ledger.publication}）", size=8)
    return _save(doc, path)


def write_sheet(out_dir: Path, ledger: Ledger, names: dict[str, str], office: str,
                as_of: dt.date, doc_no: str | None = None,
                pdf: bool = True) -> list[Path]:
    """Write 督办单.html, .docx and (with Chromium) .pdf into ``out_dir``; return them."""
    from kpa_core.report.pdf import print_many

    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / HTML_NAME
    atomic_write_text(html_path, render_sheet(ledger, names, office, as_of, doc_no))
    written = [html_path, sheet_docx(ledger, names, office, as_of, out_dir / DOCX_NAME, doc_no)]
    if pdf:
        failures = print_many([(html_path, out_dir / PDF_NAME)], lang="zh", jobs=1)
        if failures:
            from kpa_core.errors import KpaInputError, Problem

            raise KpaInputError([Problem("督办单 PDF 未能生成", "the 督办 PDF could not be "
                                         "printed", value=next(iter(failures.values())))])
        written.append(out_dir / PDF_NAME)
    return written
