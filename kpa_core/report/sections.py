"""The report's sections as HTML fragments, Chinese first with English beside.

Every piece of text that a person typed (unit names, reasons, evidence, the assessor) goes
through ``esc`` before it reaches the page: a reason such as ``<script>…</script>`` must show
as text in the exported report, never run. Numbers are formatted with ``num`` so 3.0 prints as
3 and 2.5 as 2.5, the way the document writes points.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from kpa_core.report import charts
from kpa_core.report.context import ReportContext, attainment, median_attainment
from kpa_core.report.notice_form import item_name, item_number

CAP_SCOPE_LABELS = {"subarea": "子项目封顶 / cap at each sub-area",
                    "area": "第三项整体封顶 / cap at A3 as a whole"}
PARAM_LABELS = {"year": "年度 / year", "unit": "单位 / unit", "rubric": "考核细则 / rubric",
                "cap_scope": "封顶层级 / cap scope", "lang": "语言 / language",
                "office": "落款 / office", "timezone": "时区 / time zone",
                "bands": "等次划分 / grade bands"}


def esc(value: Any) -> str:
    """HTML-escape anything (quotes too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{float(value):g}"


def signed(value: float) -> str:
    return f"+{value:g}" if value > 0 else f"{value:g}"


def lbl(text: str) -> str:
    """A "中文 / English" label with its English part marked, so ``--lang zh`` can hide it."""
    zh, sep, en = text.partition(" / ")
    return f'{esc(zh)}<span class="en"> / {esc(en)}</span>' if sep else esc(text)


def muted(text: str) -> str:
    """A grey "中文 / English" note paragraph."""
    return f'<p class="muted">{lbl(text)}</p>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """An HTML table from already-escaped cells (headers are escaped here)."""
    head = "".join(f"<th>{lbl(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<table class="kpa-table {cls}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table>')


def bi(zh: str, en: str) -> str:
    """Chinese text with its English reading behind, both escaped."""
    return f'{esc(zh)}<span class="en"> / {esc(en)}</span>'


def titled(zh: str, en: str, body: str) -> str:
    """A numbered section: its heading and body as one HTML output.

    Why: the report notebook runs all its sections in one code cell, because every cell costs
    the batch a kernel round trip (issue #26: 13 cells were most of a unit's kernel time). The
    headings were markdown cells; here they are part of the section's own output, wrapped so
    the print styles can keep a heading with what follows it.
    """
    return (f'<section class="kpa-section"><div class="kpa-heading"><h2>{bi(zh, en)}</h2></div>'
            f"{body}</section>")


def header(ctx: ReportContext) -> str:
    """Title, who/what/which rules, and the headline numbers."""
    r, c, rub = ctx.record, ctx.card, ctx.rubric
    meta = [
        ("单位 / unit", f"{esc(r.unit)}<span class=\"en\"> / {esc(ctx.unit.name_en)}</span>"
                        f' <code class="kpa-id">{esc(ctx.params.unit)}</code>'),
        ("类别 / kind", lbl(ctx.unit.kind_label)),
        ("年度 / year", esc(ctx.params.year)),
        ("考核人 / assessor", esc(r.assessor) if r.assessor else lbl("（未填写） / (not stated)")),
        ("考核细则 / rubric", f"{bi(rub.title['zh'], rub.title['en'])} "
                             f'<code class="kpa-id">{esc(rub.id)}</code>'),
        ("封顶层级 / cap scope (Note 1)", lbl(CAP_SCOPE_LABELS[c.cap_scope])),
    ]
    meta_html = "".join(f"<tr><th>{lbl(k)}</th><td>{v}</td></tr>" for k, v in meta)
    cards = [
        ("基本指标 / basic", f"{num(c.basic)}", f"/ {num(rub.basic_points)}"),
        ("特色指标 / bonus", f"{num(c.bonus)}", f"/ {num(rub.bonus_cap)}"),
        ("合计 / total", f"{num(c.total)}", f"/ {num(rub.basic_points + rub.bonus_cap)}"),
        ("名次 / rank", f"{ctx.rank}", f"/ {ctx.n_units}"),
        ("年度中位数 / year median", f"{num(ctx.median())}", ""),
    ]
    cards_html = "".join(
        f'<div class="kpa-card"><div class="label">{lbl(k)}</div>'
        f'<div class="value" data-kpa="{esc(k.split(" / ")[1])}">{esc(v)}'
        f'<small>{esc(s)}</small></div></div>' for k, v, s in cards)
    warn = ""
    if ctx.problems_elsewhere:
        n = len(ctx.problems_elsewhere)
        names = "、".join(esc(u) for u in ctx.problems_elsewhere)
        warn = (f'<p class="kpa-warning">本年度另有 {n} 个单位的记录未能读取，未计入名次与中位数：'
                f'{names}。<span class="en"> / {n} other record(s) of the year could not be read '
                f'and are not in the ranking or the median.</span></p>')
    return (f'<header class="kpa-header"><h1>{esc(r.unit)} · {esc(ctx.params.year)} 年度'
            f'党风廉政建设责任制考核报告<span class="en">{esc(ctx.unit.name_en)} — '
            f'{esc(ctx.params.year)} clean-government responsibility assessment</span></h1>'
            f'<table class="kpa-meta">{meta_html}</table>'
            f'<div class="kpa-cards">{cards_html}</div>{warn}</header>')


def areas_table(ctx: ReportContext) -> str:
    """Every area and sub-area: points, deductions, score; the Note 1 cap marked where it bit."""
    c, rub = ctx.card, ctx.rubric
    rows = []
    for area_id, score in c.area_scores.items():
        area = rub.areas[area_id]
        note = ""
        if area_id in c.capped:
            note = (f'<span class="kpa-cap">注1封顶：超出分值的 {num(c.capped[area_id])} 分扣分未计'
                    f'<span class="en"> / Note 1 cap: {num(c.capped[area_id])} points of '
                    f'deductions beyond the area\'s points not counted</span></span>')
        elif area.parent_id and c.cap_scope == "area":
            note = ('<span class="en">仅供参考，封顶在第三项整体 / informational; '
                    'capped at A3 as a whole</span>')
        cls = "sub" if area.parent_id else "top"
        rows.append((f'<span class="{cls}">{esc(area_id)}</span>', bi(area.zh, area.en),
                     num(area.points), num(-c.area_deductions[area_id]) if
                     c.area_deductions[area_id] else "0", f"<b>{num(score)}</b>", note))
    for sid, value in c.special.items():
        item = rub.items[sid]
        raw = c.special_raw[sid]
        note = ""
        if raw > value:
            note = (f'<span class="kpa-cap">注2封顶：原始加分 {num(raw)}，计 {num(value)}'
                    f'<span class="en"> / Note 2 cap: raw bonus {num(raw)}, counted '
                    f'{num(value)}</span></span>')
        rows.append((f'<span class="top">{esc(sid)}</span>', bi(item.zh[:30] + ("…" if len(
            item.zh) > 30 else ""), item.en), num(item.points), f"+{num(raw)}" if raw else "0",
            f"<b>{num(value)}</b>", note))
    return table(["编号 / id", "考核项目 / area", "分值 / points", "扣分·加分 / deducted·added",
                  "得分 / score", "注 / note"], rows, "kpa-areas")


def _evidence(ctx: ReportContext, item_id: str, stated: str) -> str:
    if stated:
        return esc(stated)
    ev = ctx.rubric.items[item_id].evidence
    if ev:
        return (f'<span class="muted">未注明；细则要求：{esc(ev.get("zh", ""))}'
                f'<span class="en"> / not stated; the rubric asks for: {esc(ev.get("en", ""))}'
                f'</span></span>')
    return f'<span class="muted">{lbl("未注明 / not stated")}</span>'


def entries_table(ctx: ReportContext, bonus: bool) -> str:
    """Each deduction (or bonus): item, the rule's Chinese text, amount, reason, evidence."""
    bd = ctx.unit_breakdown()
    bd = bd[bd["amount"] > 0] if bonus else bd[bd["amount"] < 0]
    if bd.empty:
        return muted("无 / none")
    rows = []
    for row in bd.itertuples(index=False):
        rule = ctx.rubric.rules[row.rule]
        rows.append((f'<code class="kpa-id">{esc(row.item)}</code> '
                     f'<span class="item-name" title="{esc(item_name(ctx.rubric, row.item))}">'
                     f"{esc(item_number(ctx.rubric, row.item))}</span>",
                     f'<code class="kpa-id">{esc(row.rule)}</code>'
                     f'<div class="rule-zh">{esc(rule.zh)}</div>'
                     f'<div class="en">{esc(rule.en)}</div>',
                     f'<b class="{"plus" if bonus else "minus"}">{esc(signed(row.amount))}</b>',
                     esc(row.reason) or f'<span class="muted">{lbl("未注明 / not stated")}</span>',
                     _evidence(ctx, row.item, row.evidence)))
    total = float(bd["amount"].sum())
    rows.append(("", f'<b>{lbl("合计 / sum")}</b>', f"<b>{esc(signed(total))}</b>", "", ""))
    return table(["条目 / item", "规则 / rule（细则原文 / the rubric's text）", "分数 / points",
                  "理由 / reason", "依据 / evidence"], rows, "kpa-entries")


def _item_ref(ctx: ReportContext, item_id: str) -> str:
    """第4项, with its id beside for the screen (hidden on paper and in Chinese only)."""
    return (f'{esc(item_number(ctx.rubric, item_id))}'
            f'<code class="kpa-id">{esc(item_id)}</code>')


def untouched(ctx: ReportContext) -> str:
    """The items on which nothing was deducted or added, in one short paragraph."""
    touched = set(ctx.unit_breakdown()["item"])
    items = [i for i in ctx.rubric.items.values() if i.id not in touched]
    if not items:
        return muted("每个条目均有扣分或加分 / every item has a deduction or bonus.")
    basic = [i for i in items if ctx.rubric.areas[i.area_id].part == "basic"]
    special = [i for i in items if i not in basic]
    parts = []
    if basic:
        pts = sum(i.points for i in basic)
        parts.append(f"基本指标 {len(basic)} 个条目未扣分，得满分共 {num(pts)} 分"
                     f'<span class="en"> / {len(basic)} basic items with nothing deducted '
                     f"(full marks, {num(pts)} points in all)</span>：" +
                     "、".join(_item_ref(ctx, i.id) for i in basic) + "。")
    if special:
        parts.append("特色指标无加分<span class=\"en\"> / no bonus under</span>：" +
                     "、".join(_item_ref(ctx, i.id) for i in special) + "。")
    return "".join(f'<p class="kpa-untouched">{p}</p>' for p in parts)


def charts_section(ctx: ReportContext) -> str:
    """Attainment per area against the median; the totals over the years when there are some."""
    order = [a.id for a in ctx.rubric.areas.values() if a.part == "basic"] + ["S"]
    mine, med = attainment(ctx.card, ctx.rubric), median_attainment(ctx.table, ctx.rubric)

    def label(a: str) -> str:
        if a == "S":
            return "特色指标 S"
        area = ctx.rubric.areas[a]
        short = area.zh.split("、", 1)[-1]
        short = short[:9] + ("…" if len(short) > 9 else "")
        return f"{'  ' if area.parent_id else ''}{short} {a}"

    parts = [charts.attainment_chart([label(a) for a in order], [mine[a] for a in order],
                                     [med[a] for a in order], ctx.record.unit, ctx.params.year)]
    if len(ctx.history) > 1:
        parts.append(charts.history_chart(
            [h.year for h in ctx.history],
            [h.card.total if h.card else None for h in ctx.history],
            [float(h.table["total"].median()) for h in ctx.history], ctx.record.unit))
        rows = [(esc(h.year), num(h.card.total) if h.card else "–",
                 f"{int(h.table.loc[ctx.params.unit, 'rank'])} / {len(h.table)}"
                 if h.card is not None and ctx.params.unit in h.table.index else "–",
                 num(float(h.table["total"].median()))) for h in ctx.history]
        parts.append(table(["年度 / year", "合计 / total", "名次 / rank", "中位数 / median"],
                           rows, "kpa-history"))
    else:
        parts.append(muted("没有更早年度的数据 / no earlier year in the data."))
    return "".join(f'<div class="kpa-figure">{p}</div>' for p in parts)


def self_section(ctx: ReportContext) -> str:
    """Self-assessment against the assessors, rule by rule, when the unit filed one."""
    if ctx.self_record is None or ctx.self_compare is None:
        return muted("该单位未提交自评 / the unit filed no self-assessment.")
    df = ctx.self_compare
    head = (f'<p>自评合计 <b>{num(df.attrs.get("self_total"))}</b>，考核组合计 '
            f'<b>{num(df.attrs.get("assessor_total"))}</b><span class="en"> / self-assessed '
            f'total {num(df.attrs.get("self_total"))}, assessors\' total '
            f'{num(df.attrs.get("assessor_total"))}</span></p>')
    if df.empty:
        return head + muted("逐条一致 / they agree on every rule.")
    def rule_label(rule_id: str) -> str:  # Chinese clause first: analysts read the rule, not its id
        text = ctx.rubric.rules[rule_id].zh
        short = text if len(text) <= 28 else text[:28] + "…"
        return (f'<code class="kpa-id">{esc(rule_id)}</code><br>'
                f'<span class="zh-rule">{esc(short)}</span>')

    rows = [(rule_label(r.rule), signed(r.assessor_amount) if r.assessor_amount else "0",
             signed(r.self_amount) if r.self_amount else "0",
             f"<b>{esc(signed(r.difference))}</b>", esc(r.assessor_reason), esc(r.self_reason))
            for r in df.itertuples(index=False)]
    return head + table(["规则 / rule", "考核组 / assessors", "自评 / self",
                         "差额（自评−考核组） / difference (self − assessors)",
                         "考核组理由 / assessors' reason", "自评理由 / self reason"], rows,
                        "kpa-self")


def provenance(ctx: ReportContext) -> str:
    """What produced this page (appendix): rules, data, code, parameters and time.

    Full hashes stay here; paths are relative to the data folder and the parameters are
    written out as labelled values — an analyst's home folder and raw JSON do not belong on
    a page that is printed and filed.
    """
    from pathlib import Path

    from kpa_core.store.workspace import shown_path  # saved and shown paths: workspace-relative
    from kpa_core.text.dates import zh_datetime

    given = ctx.params.as_dict()
    params = "；".join(
        f"{lbl(PARAM_LABELS[k])}：<code>{esc(v if k != 'bands' else Path(v).name)}</code>"
        for k, v in given.items() if k in PARAM_LABELS and v not in (None, ""))
    rows = [
        ("考核细则 / rubric", f"<code>{esc(ctx.rubric.id)}</code> sha256 "
                             f"<code>{esc(ctx.rubric.sha256)}</code>"),
        *[(f"数据 {k} / data: {k}", f"sha256 <code>{esc(v)}</code>")
          for k, v in ctx.data_sha256.items()],
        ("记录文件 / record file",
         f"<code>{esc(shown_path(ctx.record.source, ctx.params.data_dir))}</code>"
         '<span class="en"> （相对于工作区 / relative to the workspace）</span>'),
        ("kpa 版本 / version", f"<code>{esc(ctx.kpa_version)}</code>"),
        ("参数 / parameters", params),
        ("生成时间 / made", esc(zh_datetime(ctx.made, ctx.params.timezone))),
    ]
    body = "".join(f"<tr><th>{lbl(k)}</th><td>{v}</td></tr>" for k, v in rows)
    from kpa_core.report.evidence_section import evidence_appendix  # the ledger comes first

    return evidence_appendix(ctx) + (f'<footer class="kpa-provenance kpa-appendix">'
            f'<h2>附录：来源与复现'
            f'<span class="en"> / appendix: provenance</span></h2>'
            f'<table class="kpa-meta">{body}</table></footer>')
