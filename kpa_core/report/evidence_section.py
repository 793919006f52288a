"""The report's evidence appendix (佐证材料) and the notice's count of files behind deductions.

Per rule of the unit's record: each cited file's name, the document's own date, a short hash
and whether the store still holds it unchanged; the rules that deduct (or award a bonus) with
no file are named (佐证齐全 / 缺 N 项). In the HTML a file is a relative link into the
workspace's store (the report stays offline: nothing is fetched, nothing is embedded) except
a small PNG/JPEG, inlined as a thumbnail once its bytes are checked against its hash. Every
name shown went through ``esc``: a file name is text a person typed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from pathlib import Path
from typing import Any

from kpa_core.evidence.citation import cited_in
from kpa_core.evidence.expected import files_behind_deductions, missing_evidence
from kpa_core.evidence.store import evidence_dir, stored_files, stored_status
from kpa_core.report.context import ReportContext


def esc(value: Any) -> str:
    """HTML-escape anything, quotes too (as ``report.sections.esc``; not imported from there,
    because ``sections`` calls this module and the house has no import circles)."""
    return html.escape("" if value is None else str(value), quote=True)


def lbl(text: str) -> str:
    zh, sep, en = text.partition(" / ")
    return f'{esc(zh)}<span class="en"> / {esc(en)}</span>' if sep else esc(text)


def muted(text: str) -> str:
    return f'<p class="muted">{lbl(text)}</p>'


def table(headers: list[str], rows: list[tuple[str, ...]], cls: str) -> str:
    head = "".join(f"<th>{lbl(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<table class="kpa-table {cls}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table>')


INLINE_MAX = 64 * 1024  # an image up to this size is shown in the page itself
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif")


def report_folder(data_dir: Path, year: int) -> Path:
    """Where the batch writes this year's reports by default (``out/reports/<year>``)."""
    from kpa_core.store.workspace import workspace_of

    ws = workspace_of(data_dir)
    root = ws.out_dir if ws is not None else data_dir.parent / "out"
    return Path(root) / "reports" / str(int(year))


def _link(path: Path, reports: Path) -> str:
    return Path(os.path.relpath(path, reports)).as_posix()


def _thumbnail(path: Path, sha: str, media_type: str) -> str:
    try:
        data = path.read_bytes() if path.stat().st_size <= INLINE_MAX else b""
    except OSError:
        return ""
    if not data or hashlib.sha256(data).hexdigest() != sha:
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<br><img class="kpa-evidence-thumb" alt="" style="max-height:64px" '
            f'src="data:{esc(media_type)};base64,{b64}">')


def completeness(ctx: ReportContext) -> tuple[int, str]:
    """(rules that move the score without a file, the label 佐证齐全 / 缺 N 项)."""
    n = len(missing_evidence(ctx.record.entries, ctx.rubric))
    return n, ("佐证齐全 / evidence complete" if n == 0
               else f"缺 {n} 项 / {n} without evidence")


def evidence_appendix(ctx: ReportContext) -> str:
    """The appendix section listing each rule's evidence files (HTML)."""
    data_dir = Path(ctx.params.data_dir)
    year = ctx.record.year
    items = list(cited_in(ctx.record.entries))
    missing = missing_evidence(ctx.record.entries, ctx.rubric)
    n, label = completeness(ctx)
    head = (f'<section class="kpa-evidence kpa-appendix"><h2>附录：佐证材料'
            f'<span class="en"> / appendix: evidence</span></h2>'
            f'<p><b>{lbl(label)}</b>（{len(items)} 个引用 / citations）</p>')
    parts = [head]
    if items:
        stored = stored_files(data_dir, year)
        reports = report_folder(data_dir, year)
        rows = []
        for rule_id, item in items:
            sha = item["sha256"]
            meta = stored.get(sha)
            path = evidence_dir(data_dir, year) / sha
            status = stored_status(data_dir, year, sha)
            name = esc(item.get("name"))
            if status is None:
                cell = f'<a href="{esc(_link(path, reports))}">{name}</a>'
                if meta is not None and meta.media_type in INLINE_TYPES:
                    cell += _thumbnail(path, sha, meta.media_type)
                state = "✔"
            else:
                cell = name
                state = f'<b class="minus">✘ {lbl(status[0] + " / " + status[1])}</b>'
            extra = "；".join(esc(x) for x in (
                f"第 {item['page']} 页" if item.get("page") not in (None, "") else "",
                item.get("note") or "") if x)
            rows.append((f"<code>{esc(rule_id)}</code>", cell + (f"<br>{extra}" if extra else ""),
                         esc((meta.date if meta else None) or "—"),
                         f"<code>{esc(sha[:12])}</code>", state))
        parts.append(table(["规则 / rule", "文件 / file", "材料日期 / dated",
                            "sha256", "核对 / checked"], rows, "kpa-evidence-list"))
    else:
        parts.append(muted("未引用佐证材料 / no evidence file cited"))
    if n:
        # one line, not a table: the appendix must not push a report onto another page
        # (`kpa evidence check` lists each rule with the rubric's method clause)
        named = "、".join(f"<code>{esc(m.rule_id)}</code>（{esc(f'{m.points:+g}')}）"
                         for m in missing)
        parts.append(f'<p class="muted kpa-evidence-missing">未引用佐证材料的扣分或加分（允许，'
                     f'但列出）<span class="en"> / deductions or bonuses citing no evidence '
                     f'file (allowed, but named)</span>：{named}</p>')
    parts.append("</section>")
    return "".join(parts)


def notice_evidence_line(ctx: ReportContext) -> str:
    """One sentence for the result notice: how many files the deductions rest on."""
    files = files_behind_deductions(ctx.record.entries, ctx.rubric)
    n, _ = completeness(ctx)
    tail = "" if not n else f"，另有 {n} 项未附佐证材料"
    # Chinese only, like the rest of the notice (the form an office files)
    return f'<p class="kpa-notice-evidence">上述扣分、加分所依据的佐证材料共 {files} 份{tail}。</p>'


def evidence_count(record_entries: dict[str, Any], rubric: Any) -> str:
    """The index's cell: 佐证齐全 or 缺 N 项."""
    n = len(missing_evidence(record_entries, rubric))
    return "佐证齐全" if n == 0 else f"缺 {n} 项"
