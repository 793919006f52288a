"""The seal code line of a published unit's notice: 文号 (with its 复核 mark) and 封存码.

Why: the stamped paper is the audit chain's outside anchor (``audit.states``, ``audit.seal``).
A notice rendered after ``kpa publish`` carries the publication's 文号 and seal code, so that
``kpa verify --year Y --seal CODE`` can check the files against the paper years later; after a
复核 the notice says 复核后, keeps the 文号 with its revision mark and carries the new code.
Before publication the line is empty: a draft notice has no seal.
"""

from __future__ import annotations

from kpa_core.audit.states import revision_mark, seal_of
from kpa_core.report.sections import esc


def seal_html(data_dir: str, year: int, unit_id: str) -> str:
    """``<p class="kpa-seal">文号 … · 封存码 7F3A-91C2-0B44</p>``, or "" when not published."""
    pub = seal_of(data_dir, year, unit_id)
    if pub is None:
        return ""
    doc_no = pub.data.get("doc_no")
    after = "复核后 · " if pub.revision else ""
    number = f"文号 {esc(doc_no)}{esc(revision_mark(pub))} · " if doc_no else ""
    return (f'<p class="kpa-seal" data-kpa-seal="{esc(pub.code)}">{after}{number}'
            f"封存码 {esc(pub.code)}（核对：kpa verify --year {int(year)} --seal "
            f"{esc(pub.code)}）</p>")
