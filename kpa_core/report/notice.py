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

from kpa_core.report.context import ReportContext
from kpa_core.report.evidence_section import notice_evidence_line
from kpa_core.report.seal_line import seal_html
from kpa_core.report.sections import esc, num
from kpa_core.rubric.model import Rubric, Rule
from kpa_core.rubric.rules import KINDS
from kpa_core.text.dates import zh_date, zh_datetime

DEFAULT_OFFICE = "纪委办公室"
SHORT_HASH = 12


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
    """整改要求: the record's own text (whole unit, or per rule/item); else each deducted rule."""
    given = ctx.record.rectification
    if isinstance(given, str):
        return [t.strip() for t in given.splitlines() if t.strip()]
    given = given or {}
    items, seen = [], set()
    for line in lines:
        if line.bonus:
            continue
        for key in (line.rule_id, line.item_id):
            if key in given:  # the record's own words, once per rule or item
                if key not in seen:
                    seen.add(key)
                    items.append(f"{key}：{given[key].strip()}")
                break
        else:
            if line.rule_id not in seen:
                seen.add(line.rule_id)
                what = line.reason or ctx.rubric.rules[line.rule_id].zh
                items.append(f"{line.rule_id}：{what}。")
    items += [f"{k}：{v.strip()}" for k, v in given.items() if k not in seen]
    return items


def _item_label(rubric: Rubric, item_id: str) -> str:
    text = rubric.items[item_id].zh
    return text[:10] + ("…" if len(text) > 10 else "")


def _lines_table(ctx: ReportContext, lines: list[NoticeLine], bonus: bool) -> str:
    rows, mark = [], False
    sign = "+" if bonus else "−"
    for n, line in enumerate((x for x in lines if x.bonus == bonus), start=1):
        cut = ""
        if line.cut > 1e-9:
            mark = True
            cut = (f'<span class="kpa-cut">※ 录入 {sign}{num(line.entered)}，'
                   f'注{"2" if bonus else "1"}封顶未计 {num(line.cut)}</span>')
        rows.append(
            f"<tr><td class=\"n\">{n}</td><td><code>{esc(line.rule_id)}</code><br>"
            f'<span class="item">{esc(_item_label(ctx.rubric, line.item_id))}</span></td>'
            f"<td>{esc(line.reason) or '未注明'}</td><td>{esc(line.quantity)}{cut}</td>"
            f'<td class="num">{sign}{num(line.counted)}{"※" if line.cut > 1e-9 else ""}</td>'
            "</tr>")
    if not rows:
        return '<p class="kpa-none">无。</p>'
    total = sum(x.counted for x in lines if x.bonus == bonus)
    label = "合计（计入得分）" if mark else "合计"
    foot = (f'<tr class="sum"><td></td><td colspan="3">{label}</td>'
            f'<td class="num">{sign}{num(total)}</td></tr>')
    note = ""
    if mark and not bonus:
        areas = "、".join(f"{ctx.rubric.areas[a].zh.split('、', 1)[-1]}超出 {num(v)} 分"
                         for a, v in ctx.card.capped.items())
        note = (f'<p class="kpa-note">※ 依细则注1，扣分不超过考核项目分值（{esc(areas)}），'
                "超出部分不计；合计为实际失分。</p>")
    elif mark:
        note = '<p class="kpa-note">※ 依细则注2，每项特色指标加分不超过其分值。</p>'
    return (f'<table class="kpa-notice-lines"><thead><tr><th class="n">序号</th><th>条目</th>'
            f'<th>{"加分" if bonus else "扣分"}事由</th><th>数量</th><th class="num">'
            f'{"加分" if bonus else "扣分"}</th></tr></thead><tbody>{"".join(rows)}{foot}</tbody>'
            f"</table>{note}")


def grade_of(ctx: ReportContext) -> str | None:
    """The unit's grade (等次) when the report was given grade bands, else None."""
    if not ctx.params.bands:
        return None
    from kpa_core.scoring.grading import grade_card, load_bands

    return grade_card(ctx.card, load_bands(ctx.params.bands, ctx.rubric)).grade


def notice_section(ctx: ReportContext, office: str | None = None,
                   timezone: str | None = None) -> str:
    """The notice as one HTML block (Chinese only: it is the form an office files).

    Office and time zone default to the report's parameters, then 纪委办公室 / Asia/Shanghai.
    """
    office = office or ctx.params.office or DEFAULT_OFFICE
    timezone = timezone or ctx.params.timezone
    grade = grade_of(ctx)
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
    rect = "".join(f"<li>{esc(t)}</li>" for t in rectification_items(ctx, lines))
    rect = rect or "<li>无扣分事项，继续保持。</li>"
    data_hash = ctx.data_sha256.get("record", "")
    made = zh_datetime(ctx.made, timezone)
    prov = (f"考核细则 {esc(rubric.id)}（{esc(rubric.sha256[:SHORT_HASH])}）· 记录 "
            f"{esc(data_hash[:SHORT_HASH])} · kpa {esc(ctx.kpa_version)} · 生成于 {esc(made)}"
            " · 完整来源见报告附录")
    return (
        f'<section class="kpa-notice" lang="zh-CN"><div class="office">{esc(office)}</div>'
        f"<h1>{esc(ctx.params.year)} 年度党风廉政建设责任制考核结果通知书</h1>"
        f'<p class="to">{esc(rec.unit)}：</p>'
        f'<p class="lead">根据《{esc(rubric.title["zh"])}》，经考核组考核，你单位 '
        f"{esc(ctx.params.year)} 年度党风廉政建设责任制考核结果通知如下。</p>"
        f'<table class="kpa-notice-figures"><tr>{figs}</tr></table>'
        f"<h2>一、扣分情况</h2>{_lines_table(ctx, lines, bonus=False)}"
        f"<h2>二、加分情况</h2>{_lines_table(ctx, lines, bonus=True)}"
        f"{notice_evidence_line(ctx)}"  # how many evidence files (report.evidence_section)
        f'<h2>三、整改要求</h2><ol class="kpa-rect">{rect}</ol>'
        '<p class="lead">以上事项请查明原因、限期整改，并将整改情况书面报送'
        f"{esc(office)}。</p>"
        '<table class="kpa-sign"><tr><td>考核组（签字）：</td>'
        f"<td>{esc(office)}（盖章）</td></tr><tr><td></td>"
        '<td class="date">年　　月　　日</td></tr></table>'
        f"{seal_html(ctx.params.data_dir, ctx.params.year, ctx.params.unit)}"  # H22: 封存码
        f'<p class="kpa-notice-prov">{prov}</p></section>')


def notice_date(ctx: ReportContext, timezone: str | None = None) -> str:
    """The generation date as the notice writes it (2013年12月20日) in the office's zone."""
    return zh_date(ctx.made, timezone)
