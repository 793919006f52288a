"""上年整改情况 and 重复扣分: what next year's report, notice and Word copy say of last year.

Why a module of its own: the report (section 七), the notice (one line under 整改要求) and
the Word copy must say the same thing, from the same reading of last year's ledger
(``kpa_core.rectify``), as of the report's date in the office's time zone. A rule deducted in
both years is marked 重复扣分 wherever this year's deductions are listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kpa_core.audit.rectify_chain import ItemState
from kpa_core.report.context import ReportContext
from kpa_core.report.sections import esc, muted, table
from kpa_core.text.dates import local

REPEAT_ZH = "重复扣分"


@dataclass(frozen=True)
class Carry:
    """Last year's items of one unit, and the rules deducted in both years."""

    year: int  # the previous year
    items: tuple[ItemState, ...]
    repeated: frozenset[str]

    @property
    def unfinished(self) -> list[ItemState]:
        return [s for s in self.items if s.status != "closed"]


_CACHE: dict[tuple[str, int, str, dt.date, object], Carry] = {}


def carry_of(ctx: ReportContext) -> Carry:
    """The unit's previous-year items as of the report's date (cached per kernel and log)."""
    from kpa_core.audit.log import audit_path
    from kpa_core.rectify.carry import previous_year, repeated_rules

    data_dir = Path(ctx.params.data_dir)
    year, unit = int(ctx.params.year), ctx.params.unit
    as_of = local(ctx.made, ctx.params.timezone).date()
    log = audit_path(data_dir, year - 1)
    try:
        st = log.stat()
        stamp: object = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    key = (str(data_dir), year, unit, as_of, stamp)
    if key not in _CACHE:
        items = tuple(previous_year(data_dir, year, unit, as_of=as_of)) if stamp else ()
        repeated = frozenset(repeated_rules(data_dir, year, unit, record=ctx.record))
        _CACHE[key] = Carry(year - 1, items, repeated)
    return _CACHE[key]


def _closing(s: ItemState) -> str:
    if s.status == "closed" and s.closed_on:
        d, who = s.closed_on, s.checks[-1].who
        return f"{d.year}年{d.month}月{d.day}日销号（{esc(who)}）"
    if s.checks and s.checks[-1].result == "fail":
        return f"核查不通过：{esc(s.checks[-1].why)}"
    if s.status == "awaiting_check":
        return "已报送，待核查"
    return "未报送整改情况"


def previous_section(ctx: ReportContext) -> str:
    """Section 七: each of last year's items, its status and how it closed; 重复扣分 named."""
    carry = carry_of(ctx)
    parts = []
    if not carry.items:
        parts.append(muted(f"{carry.year} 年度无整改台账事项 / no rectification items for "
                           f"{carry.year}"))
    else:
        done = len(carry.items) - len(carry.unfinished)
        parts.append(f'<p class="kpa-carry-lead">{carry.year} 年度整改要求 {len(carry.items)} '
                     f"项：已销号 {done} 项，未完成 {len(carry.unfinished)} 项"
                     f'<span class="en"> / {len(carry.items)} items of {carry.year}: {done} '
                     f"closed, {len(carry.unfinished)} not</span></p>")
        rows = [(esc(s.item.item_id), esc(s.item.text) + (
                    f' <b class="kpa-repeat">{REPEAT_ZH}</b>'
                    if s.item.rule_id in carry.repeated else ""),
                 esc(f"{s.item.deadline:%Y-%m-%d}"),
                 f'<span class="kpa-status kpa-status-{esc(s.status)}">{esc(s.status_zh)}</span>',
                 _closing(s)) for s in carry.items]
        parts.append(table(["事项 / item", "整改要求 / requirement", "期限 / deadline",
                            "状态 / status", "办理情况 / how it stands"], rows, "kpa-carry"))
    if carry.repeated:
        names = "、".join(esc(r) for r in sorted(carry.repeated))
        parts.append(f'<p class="kpa-carry-repeat"><b class="kpa-repeat">{REPEAT_ZH}</b> 本年度与'
                     f"{carry.year} 年度均被扣分的规则：{names}"
                     f'<span class="en"> / rules deducted in both years</span></p>')
    return "".join(parts)


def notice_carry_line(ctx: ReportContext) -> str:
    """The notice's lines on last year as HTML ('' when there is nothing to say)."""
    return "".join(f'<p class="kpa-carry-notice">{esc(b)}</p>' for b in notice_carry_texts(ctx))


def notice_carry_texts(ctx: ReportContext) -> list[str]:
    """The notice's words on last year: items still open named, repeats counted (notice, Word)."""
    carry = carry_of(ctx)
    bits = []
    if carry.unfinished:
        ids = "、".join(f"{s.item.item_id}（{s.status_zh}）" for s in carry.unfinished)
        bits.append(f"{carry.year} 年度整改要求尚有 {len(carry.unfinished)} 项未销号：{ids}，"
                    "请一并整改")
    if carry.repeated:
        bits.append(f"{len(carry.repeated)} 条规则连续两年扣分，已在扣分情况中标注“{REPEAT_ZH}”")
    return [f"{b}。" for b in bits]
