"""The assessment app's look: its stylesheet, the leave-page guard, small HTML helpers.

Kept apart so the form, the what-if panel and the switch prompt draw with one set of
classes and one escaper (user text is always escaped before it enters an HTML widget).
"""

from __future__ import annotations

import html
import itertools
from typing import Any

import ipywidgets as w

from kpa_core.entry.controller import ROLES_ZH
from kpa_core.entry.words import allowed_words, field_zh
from kpa_core.errors import Problem
from kpa_core.rubric.model import Rule
from kpa_core.rubric.rules import kind_of

STYLE = """
<style>
.kpa-app, .kpa-app .widget-label, .kpa-app input, .kpa-app select, .kpa-app button {
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
               "PingFang SC", sans-serif; }
.kpa-app h2 { margin: 4px 0 8px 0; font-size: 20px; }
.kpa-item { border-left: 3px solid #3b6ea5; padding-left: 8px; margin: 8px 0 4px 0; }
.kpa-subarea h4 { margin: 10px 0 2px 0; color: #3b6ea5; }
.kpa-rule { border-bottom: 1px dotted #ccc; padding: 4px 0 6px 0; }
.kpa-rule-text { line-height: 1.4; }
.kpa-en { color: #777; font-size: 90%; }
.kpa-allowed { color: #555; font-size: 90%; }
.kpa-error { color: #b00020; }
.kpa-required input { border: 2px solid #b00020 !important; }
.kpa-amount { font-weight: bold; min-width: 70px; }
table.kpa-table { border-collapse: collapse; font-size: 12.5px; line-height: 1.35; }
table.kpa-table td, table.kpa-table th { border: 1px solid #ccc; padding: 2px 6px; }
table.kpa-table th, table.kpa-table td.num, table.kpa-table td.nw { white-space: nowrap; }
.kpa-body { display: flex; flex-direction: row; align-items: flex-start; gap: 12px; }
.kpa-form-col { flex: 1 1 56% !important; min-width: 0; }
.kpa-side { flex: 0 0 42% !important; min-width: 0; position: sticky !important; top: 0;
            align-self: flex-start; max-height: calc(100vh - 24px);
            overflow-y: auto !important; }
/* JupyterLab: the notebook scrolls below its menu, toolbar and tabs */
.jp-Notebook .kpa-side { max-height: calc(100vh - 150px); }
/* flex children never shrink below their content: rows of buttons stay whole and clickable */
.kpa-side > *, .kpa-whatif-panel > *, .kpa-save-box > *, .kpa-scenario-box > *,
.kpa-prompt > * { flex-shrink: 0 !important; }
.kpa-changes { max-height: 240px; overflow: auto !important; border: 1px solid #ddd; }
.kpa-compare { overflow-x: auto !important; }
.kpa-box { border: 1px solid #d5dde6; border-radius: 4px; padding: 6px 8px !important;
           margin: 6px 0 !important; }
.kpa-prompt { border: 2px solid #a05a00; background: #fff8ec; }
.kpa-prompt b { white-space: nowrap; }
.kpa-loading .kpa-form-col, .kpa-loading .kpa-side { opacity: 0.45; pointer-events: none; }
.kpa-loading-line { color: #a05a00; font-weight: bold; }
.kpa-note1 { color: #a05a00; font-size: 90%; }
.kpa-topbar { flex-wrap: wrap; gap: 4px 12px; }
/* below about 1000 px the two columns stack */
@media (max-width: 1000px) {
  .kpa-body { flex-direction: column !important; }
  .kpa-form-col, .kpa-side { flex: 1 1 auto !important; width: 100% !important;
                             position: static !important; max-height: none; }
}
/* ipywidgets boxes default to overflow:auto, which turns sticky off for their children */
.kpa-app, .kpa-body { overflow: visible !important; }
/* the same for the notebook's output wrappers around this app (Voila, JupyterLab) */
.jp-OutputArea:has(.kpa-app), .jp-OutputArea-child:has(.kpa-app),
.jp-OutputArea-output:has(.kpa-app) { overflow: visible !important; }
table.kpa-table th { background: #eef3f8; }
table.kpa-table td.num { text-align: right; }
.kpa-neg { color: #b00020; } .kpa-pos { color: #1b7f3b; }
.kpa-capped { color: #a05a00; font-size: 90%; }
.kpa-total-line { font-size: 18px; font-weight: bold; }
.kpa-ok { color: #1b7f3b; } .kpa-warn { color: #b00020; }
/* nothing clipped on the right: rows of inputs wrap instead of widening the form column
   (the 特色指标 tier row and JupyterLab's narrower column pushed it under the side panel) */
.kpa-form-col .widget-hbox { flex-wrap: wrap; }
.kpa-form-col .widget-box, .kpa-form-col .widget-accordion, .kpa-form-col .widget-html,
.kpa-form-col .jupyter-widget-Collapse { min-width: 0 !important; max-width: 100%; }
.kpa-form-col .widget-accordion { flex: 1 1 auto; }
.kpa-rule-text, .kpa-item { overflow-wrap: anywhere; }
/* a value changed under a reason written for the old one */
.kpa-reason-hint { color: #8a5300; background: #fff3cd; padding: 1px 4px; }
.kpa-reason-check input { border: 2px solid #d08a00 !important; }
/* what-if: a tinted form and a banner, so that the copy being edited is never in doubt */
.kpa-whatif-banner { background: #8a5300; color: #fff; font-size: 16px; font-weight: bold;
                     padding: 6px 10px; border-radius: 4px; margin: 4px 0; }
.kpa-whatif-banner .kpa-en { color: #fde9c8; }
.kpa-whatif-mode .kpa-form-col { background: #fff4e0; outline: 3px solid #e0a040;
                                 border-radius: 4px; }
.kpa-whatif-mode .kpa-form-col .widget-accordion,
.kpa-whatif-mode .kpa-form-col .jupyter-widget-Collapse-contents { background: #fff4e0; }
</style>
"""


MAX_CHANGES_SHOWN = 12  # rows per direction in the single-changes table


def esc(x: Any) -> str:
    """Everything shown inside HTML widgets passes here: users type reasons and values."""
    return html.escape(str(x), quote=True)


def css_id(rule_id: str) -> str:
    """Rule ids as CSS class fragments: 'B02.system' → 'B02-system'."""
    return rule_id.replace(".", "-")


def fmt(x: float) -> str:
    return f"{x:g}"


def signed(x: float) -> str:
    return "0" if x == 0 else f"{x:+g}".replace("-", "−")


def problems_html(problems: list[Problem], with_rule: bool = False,
                  rules: dict[str, Rule] | None = None) -> str:
    """Problems in Chinese (English behind), in the analyst's words: fields by their names on
    screen (第2个案例, 次数), what is allowed as the control takes it. Beside a control the
    rule is implied; in the status lines (``with_rule``) it is named."""
    if not problems:
        return ""
    lines = []
    for p in problems:
        rule = (rules or {}).get(p.rule_id or "")
        value = "" if p.value is None else f"「{esc(p.value)}」"
        allowed_zh = p.allowed_zh
        if rule is not None and p.field and p.field.split("[")[0].split(".")[0] == \
                kind_of(rule).value_field:
            allowed_zh = allowed_words(rule)[0]
        allowed = (f"（允许：{esc(allowed_zh)}）" if allowed_zh and allowed_zh not in
                   p.problem_zh else "")
        name = field_zh(p.field, rule)
        where = " ".join(x for x in ((p.rule_id if with_rule else None), name) if x)
        lines.append(f"⚠ {esc(where)}{value}：{esc(p.problem_zh)}{allowed} "
                     f"<span class='kpa-en'>/ {esc(p.problem_en)}</span>")
    return "<div class='kpa-error'>" + "<br>".join(lines) + "</div>"


# Leaving the page with unsaved edits: the browser asks while any element carries the class
# ``kpa-unsaved``. An <img> with an empty src fails at once without a request and runs its
# onerror once; ipywidgets' HTML widget does not run <script> tags.
UNLOAD_GUARD = (
    "<img src='' style='display:none' alt='' onerror=\"if (!window.__kpaUnloadGuard) {"
    " window.__kpaUnloadGuard = function (e) { if (document.querySelector('.kpa-unsaved')) {"
    " e.preventDefault(); e.returnValue = '有未保存的修改 unsaved changes'; return true; }"
    " return false; }; window.addEventListener('beforeunload', window.__kpaUnloadGuard); }\">")


_SHOWN = itertools.count(1)


def in_view(message: str) -> str:
    """A message that brings itself into the analyst's view when it appears.

    Messages sit beside the button that caused them, often at the bottom of the scrolling side
    panel; at 1366×768 a refusal used to show only its first line at the bottom edge. The same
    trick as ``UNLOAD_GUARD`` (ipywidgets runs no <script>): an <img> with an empty src fails
    at once and scrolls its message into view (``block: 'nearest'``: no jump when it is
    already visible). The counter makes each message new HTML, so the same refusal twice
    scrolls twice. The script is fixed text; the message is escaped by its caller.
    """
    if not message:
        return message
    return message + (
        f"<img src='' style='display:none' alt='' data-kpa-shown='{next(_SHOWN)}' "
        "onerror=\"var m = this.closest('.widget-html') || this.parentElement;"
        " setTimeout(function () { m.scrollIntoView({block: 'nearest'});"
        # a side panel taller than what is left of the window below its sticky top (Voila's
        # padding, JupyterLab's toolbars) is shortened to fit, so its end can be seen
        " var s = m.closest('.kpa-side');"
        " var over = m.getBoundingClientRect().bottom - window.innerHeight;"
        " if (s && over > 0) { s.style.maxHeight ="
        " Math.max(200, s.getBoundingClientRect().height - over - 4) + 'px';"
        " m.scrollIntoView({block: 'nearest'}); } }, 60);\">")


def record_words(c: Any) -> str:
    """A controller's record as the analyst names it: '艺术系 2013 考核组记录' (escaped)."""
    return f"{esc(c.unit.name_zh)} {c.year} {ROLES_ZH[c.role]}"


# A save refused because someone else saved first: what happened and what to do, without
# the file's name or its sha256 (the audit log keeps those).
STALE_HTML = ("<div class='kpa-warn'>未保存：此考核记录在载入后已被修改（可能另一位分析员已保存），"
              "为免覆盖他人工作，拒绝保存。请点“重新载入”后再改 <span class='kpa-en'>/ not saved: "
              "the record changed since it was loaded (another analyst may have saved); reload "
              "and redo the change</span></div>")


def reason_hint_html(old: str) -> str:
    """Beside a reason kept from the saved record while the value changed (the old value
    ``old`` is already in the analyst's words and escaped here)."""
    return (f"<div class='kpa-reason-hint'>原因是否仍适用？原因是为原值「{esc(old)}」填写的 "
            f"<span class='kpa-en'>/ does the reason still fit? It was written for "
            f"{esc(old)}</span></div>")


def _as_int(x: Any) -> int:
    return int(x) if isinstance(x, int | float) and not isinstance(x, bool) else 0


def with_class(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    for c in classes:
        widget.add_class(c)
    return widget
