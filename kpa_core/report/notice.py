"""The result notice (考核结果通知书): the one page an office signs, seals, dates and files.

It is a view of the same ``ReportContext`` as the report. Two things are computed here
rather than shown raw:

- **Quantity.** A deduction prints how it arose — "2 个案例：5 + 4.5 分", "2 次 × 2 分" —
  from the rule's kind and the entry, so the reader can check the arithmetic.
- **Note 1 on paper.** When an area's deductions exceed its points, the cut is taken from
  the area's last rows in rubric order and those rows are marked ※, so the deductions
  column adds up to the basic points actually lost (logistics 2013: 42.5 entered, 41 lost).

Every person-typed text goes through ``esc``. Dates are in the office's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpa_core.rectify.requirements import Deduction, requirement_items
from kpa_core.report.context import ReportContext
from kpa_core.report.evidence_section import notice_evidence_line
from kpa_core.report.notice_form import item_name, verification_code, veto_statements
from kpa_core.report.rectify_section import carry_of, notice_carry_line
from kpa_core.report.seal_line import seal_html
from kpa_core.report.sections import esc, num
from kpa_core.rubric.model import Rubric, Rule
from kpa_core.rubric.rules import KINDS
from kpa_core.text.dates import zh_date, zh_datetime

DEFAULT_OFFICE = "纪委办公室"


@dataclass(frozen=True)
class NoticeLine:
    """One deduction or bonus as the notice prints it (points positive; sign by ``bonus``)."""

    rule_id: str
    item_id: str
    area_id: str
    quantity: str
    reason: str
    entered: float
    counted: float
    bonus: bool

    @property
    def cut(self) -> float:
        """Points of this row that Note 1 (or Note 2) did not count."""
        return self.entered - self.counted


def quantity(rule: Rule, entry: dict[str, Any]) -> str:
    """How the amount arose, in the document's words: 2 次 × 2 分, 2 个案例：5 + 4.5 分."""
    p, kind = rule.params, rule.kind
    value = entry.get(KINDS[kind].value_field)
    if kind in ("per_count", "bonus_per_count"):
        return f"{int(value)} 次 × {num(p['amount'])} 分"
    if kind == "shortfall":
        short = max(0, int(p["required"]) - int(value))
        text = f"应 {p['required']}，实 {int(value)}：少 {short} × {num(p['amount'])} 分"
        if "max_deduction" in p and short * float(p["amount"]) > float(p["max_deduction"]):
            text += f"（至多 {num(p['max_deduction'])} 分）"
        return text
    if kind in ("range_per_case", "bonus_range_per_case"):
        cases = [float(v) for v in value]
        return f"{len(cases)} 个案例：{' + '.join(num(v) for v in cases)} 分"
    if kind == "ratio":
        failing = KINDS["ratio"].failing_sessions(rule, value)  # type: ignore[attr-defined]
        return (f"{len(value)} 次学习中 {failing} 次心得不足"
                f"{p['numerator']}/{p['denominator']} × {num(p['amount'])} 分")
    if kind == "tier":
        names = {lv["id"]: (lv["zh"], lv["points"]) for lv in p["levels"]}
        return "、".join(f"{names[v][0]} {num(names[v][1])} 分" for v in value)
    if kind == "range":
        return f"酌情 {num(value)} 分（{num(p['lo'])}–{num(p['hi'])}）"
    return "1 项"  # flag


def _in_area(rubric: Rubric, row_area: str, capped_area: str) -> bool:
    return row_area == capped_area or rubric.areas[row_area].parent_id == capped_area


def notice_lines(ctx: ReportContext) -> list[NoticeLine]:
    """Deductions then bonuses in rubric order, with what Notes 1 and 2 left counted."""
    rubric, card = ctx.rubric, ctx.card
    lines = []
    for row in ctx.unit_breakdown().itertuples(index=False):
        rule = rubric.rules[row.rule]
        entry = ctx.record.entries[row.rule]
        amount = abs(float(row.amount))
        lines.append(NoticeLine(row.rule, row.item, row.area, quantity(rule, entry),
                                row.reason, amount, amount, float(row.amount) > 0))
    out = list(lines)
    # Note 1: walk each capped area's rows in order; what exceeds the area's points is cut.
    for area_id in card.capped:
        room = float(rubric.areas[area_id].points)
        for n, line in enumerate(out):
            if line.bonus or not _in_area(rubric, line.area_id, area_id):
                continue
            counted = max(0.0, min(line.counted, room))
            room -= counted
            out[n] = _with_counted(line, counted)
    # Note 2: each special item's bonus is at most its points, cut from its last rows.
    for item_id, value in card.special.items():
        room = float(value)
        for n, line in enumerate(out):
            if line.bonus and line.item_id == item_id:
                counted = max(0.0, min(line.counted, room))
                room -= counted
                out[n] = _with_counted(line, counted)
    return out


def _with_counted(line: NoticeLine, counted: float) -> NoticeLine:
    return NoticeLine(line.rule_id, line.item_id, line.area_id, line.quantity, line.reason,
                      line.entered, counted, line.bonus)


def points_lost(ctx: ReportContext) -> float:
    """Basic points lost: what the deductions column of the notice must add up to."""
    return float(ctx.rubric.basic_points) - float(ctx.card.basic)


def rectification_items(ctx: ReportContext, lines: list[NoticeLine]) -> list[str]:
    """整改要求 as the notice prints them: the core's derivation (``kpa_core.rectify``), so the
    ledger a publication opens tracks exactly these items."""
    deductions = [Deduction(x.rule_id, x.item_id, x.reason) for x in lines if not x.bonus]
    return [r.text for r in requirement_items(ctx.rubric, ctx.record.rectification, deductions)]


# The notice holds one A4 page: above this many rows (or this much 整改 text) it lists the
# deductions per item and refers to the detail pages (附件：扣分明细) instead.
FULL_ROWS = 8
FULL_WEIGHT = 17


def compact(lines: list[NoticeLine], rect: list[str]) -> bool:
    """Whether the notice must use its compact form to stay on one page."""
    weight = len(lines) + sum(1 + len(t) // 42 for t in rect)
    return len(lines) > FULL_ROWS or weight > FULL_WEIGHT


def _lines_table(ctx: ReportContext, lines: list[NoticeLine], bonus: bool,
                 short: bool = False, repeated: frozenset[str] = frozenset()) -> str:
    rows, mark = [], False
    again = '<span class="kpa-repeat">（重复扣分）</span>'  # deducted last year too (#23)
    sign = "+" if bonus else "−"
    chosen = [x for x in lines if x.bonus == bonus]
    if short:  # one row per item: 第1项（…） and its points
        by_item: dict[str, list[NoticeLine]] = {}
        for line in chosen:
            by_item.setdefault(line.item_id, []).append(line)
        cells = []
        for n, (item_id, group) in enumerate(by_item.items(), start=1):
            counted = sum(x.counted for x in group)
            cut = any(x.cut > 1e-9 for x in group)
            mark = mark or cut
            rep = again if any(x.rule_id in repeated for x in group) else ""
            cells.append(f'<td class="n">{n}</td><td>{esc(item_name(ctx.rubric, item_id))}'
                         f'{f"（{len(group)} 条）" if len(group) > 1 else ""}{rep}</td>'
                         f'<td class="num">{sign}{num(counted)}{"※" if cut else ""}</td>')
        if len(cells) % 2:
            cells.append('<td class="n"></td><td></td><td></td>')
        half = len(cells) // 2  # two items a row, read down the left column then the right
        rows += [f"<tr>{cells[i]}{cells[i + half]}</tr>" for i in range(half)]
    for n, line in enumerate(() if short else chosen, start=1):
        cut = ""
        if line.cut > 1e-9:
            mark = True
            cut = (f'<span class="kpa-cut">※ 录入 {sign}{num(line.entered)}，'
                   f'注{"2" if bonus else "1"}封顶未计 {num(line.cut)}</span>')
        rows.append(
            f'<tr><td class="n">{n}</td><td class="item">'
            f"{esc(item_name(ctx.rubric, line.item_id))}</td>"
            f"<td>{esc(line.reason) or '未注明'}{again if line.rule_id in repeated else ''}</td>"
            f"<td>{esc(line.quantity)}{cut}</td>"
            f'<td class="num">{sign}{num(line.counted)}{"※" if line.cut > 1e-9 else ""}</td>'
            "</tr>")
    if not rows:
        return '<p class="kpa-none">无。</p>'
    total = sum(x.counted for x in chosen)
    label = "合计（计入得分）" if mark else "合计"
    span = 4 if short else 3
    foot = (f'<tr class="sum"><td></td><td colspan="{span}">{label}</td>'
            f'<td class="num">{sign}{num(total)}</td></tr>')
    note = ""
    if mark and not bonus:
        areas = "、".join(f"{ctx.rubric.areas[a].zh.split('、', 1)[-1]}超出 {num(v)} 分"
                         for a, v in ctx.card.capped.items())
        note = (f'<p class="kpa-note">※ 依细则注1，扣分不超过考核项目分值（{esc(areas)}），'
                "超出部分不计；合计为实际失分。</p>")
    elif mark:
        note = '<p class="kpa-note">※ 依细则注2，每项特色指标加分不超过其分值。</p>'
    what = "加分" if bonus else "扣分"
    head = (f'<th class="n">序号</th><th>条目</th><th class="num">{what}</th>' * 2 if short else
            f'<th class="n">序号</th><th>条目</th><th>{what}事由</th><th>数量</th>'
            f'<th class="num">{what}</th>')
    cls = "kpa-notice-lines kpa-notice-short" if short else "kpa-notice-lines"
    return (f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            f"{foot}</tbody></table>{note}")


def grade_of(ctx: ReportContext) -> str | None:
    """The unit's grade (等次) when the report was given grade bands, else None."""
    return grade_and_vetoes(ctx)[0]


def grade_and_vetoes(ctx: ReportContext) -> tuple[str | None, list[str]]:
    """The grade and each veto that fired, in words (一票否决：第16项下有扣分)."""
    if not ctx.params.bands:
        return None, []
    from kpa_core.scoring.grading import grade_card, load_bands

    bands = load_bands(ctx.params.bands, ctx.rubric)
    result = grade_card(ctx.card, bands)
    vetoes = veto_statements(ctx.card, bands, ctx.rubric) if result.vetoed_by else []
    return result.grade, vetoes


def notice_number_of(ctx: ReportContext) -> str | None:
    """The 文号 the batch gave this unit (kept in its params), if any."""
    return getattr(ctx.params, "notice_number", None) or None


def check_code(ctx: ReportContext) -> str:
    """The short verification code printed on the notice (full hashes in the appendix)."""
    return verification_code(ctx.rubric.sha256, ctx.data_sha256.get("record", ""))


def code_line(ctx: ReportContext, timezone: str | None = None) -> str:
    """The notice's last line: the verification code, and the seal code when there is one.

    Seal code (H22, issue #22): shown here when the context carries ``seal_code``.
    """
    seal = getattr(ctx, "seal_code", None)
    seal_html = (f' · 印章码 <span class="kpa-seal-code">{esc(seal)}</span>' if seal else "")
    return (f'<p class="kpa-notice-prov">核验码 <span class="kpa-check-code">'
            f"{esc(check_code(ctx))}</span>{seal_html} · 生成于 "
            f"{esc(zh_datetime(ctx.made, timezone))} · 完整来源见报告附录</p>")


def notice_section(ctx: ReportContext, office: str | None = None,
                   timezone: str | None = None) -> str:
    """The notice as one HTML block (Chinese only: it is the form an office files).

    Office and time zone default to the report's parameters, then 纪委办公室 / Asia/Shanghai.
    One A4 page: heading, 文号, addressee, body, scores, deductions, bonuses, 整改要求, the
    附件 line, signature and seal with the date, and the verification code.
    """
    office = office or ctx.params.office or DEFAULT_OFFICE
    timezone = timezone or ctx.params.timezone
    grade, vetoes = grade_and_vetoes(ctx)
    rubric, card, rec = ctx.rubric, ctx.card, ctx.record
    lines = notice_lines(ctx)
    figures = [("基本指标", f"{num(card.basic)}", f"/ {num(rubric.basic_points)}"),
               ("特色指标", f"{num(card.bonus)}", f"/ {num(rubric.bonus_cap)}"),
               ("合计", f"{num(card.total)}", f"/ {num(rubric.basic_points + rubric.bonus_cap)}"),
               ("名次", f"{ctx.rank}", f"/ {ctx.n_units}")]
    if grade:
        figures.append(("等次", grade, ""))
    figs = "".join(f'<td><div class="k">{esc(k)}</div><div class="v" data-kpa-notice="{esc(k)}">'
                   f"{esc(v)}<small>{esc(s)}</small></div></td>" for k, v, s in figures)
    veto = "".join(f'<p class="kpa-veto">{esc(v)}，等次为{esc(grade)}。</p>' for v in vetoes)
    rect_items = rectification_items(ctx, lines)
    carry = carry_of(ctx)  # last year's ledger: items still open, rules deducted again
    carry_html = notice_carry_line(ctx)
    short = compact(lines, rect_items + ([""] if carry_html else []))
    rect = "".join(f"<li>{esc(t)}</li>" for t in rect_items)
    rect = rect or "<li>无扣分事项，继续保持。</li>"
    number = notice_number_of(ctx)
    number_html = f'<div class="kpa-docno">{esc(number)}</div>' if number else ""
    refer = ("（按条目汇总；逐条扣分事由与数量见附件）" if short else "")
    made = zh_date(ctx.made, timezone)
    return (
        f'<section class="kpa-notice{" kpa-notice-compact" if short else ""}" lang="zh-CN">'
        f'<div class="office">{esc(office)}</div>{number_html}<hr class="kpa-red-line">'
        f"<h1>{esc(ctx.params.year)} 年度党风廉政建设责任制考核结果通知书</h1>"
        f'<p class="to">{esc(rec.unit)}：</p>'
        f'<p class="lead">根据《{esc(rubric.title["zh"])}》，经考核组考核，你单位 '
        f"{esc(ctx.params.year)} 年度党风廉政建设责任制考核结果通知如下。</p>"
        f'<table class="kpa-notice-figures"><tr>{figs}</tr></table>{veto}'
        f"<h2>一、扣分情况{esc(refer)}</h2>"
        f"{_lines_table(ctx, lines, False, short, carry.repeated)}"
        f"<h2>二、加分情况</h2>{_lines_table(ctx, lines, True, short)}"
        f"{notice_evidence_line(ctx)}"  # how many evidence files (report.evidence_section)
        f'<h2>三、整改要求</h2><ol class="kpa-rect">{rect}</ol>{carry_html}'
        '<div class="kpa-notice-end"><p class="lead">以上事项请查明原因、限期整改，并将整改情况'
        f"书面报送{esc(office)}。</p>"
        '<p class="kpa-annex">附件：扣分明细（见本报告“二、扣分明细”）</p>'
        '<table class="kpa-sign"><tr><td>考核组（签字）：</td>'
        f"<td>{esc(office)}（盖章）</td></tr><tr><td></td>"
        f'<td class="date">{esc(made)}</td></tr></table>'
        f"{seal_html(ctx.params.data_dir, ctx.params.year, ctx.params.unit)}"  # 封存码 (audit.seal)
        f"{code_line(ctx, timezone)}</div></section>")


def notice_date(ctx: ReportContext, timezone: str | None = None) -> str:
    """The generation date as the notice writes it (2013年12月20日) in the office's zone."""
    return zh_date(ctx.made, timezone)
