"""The College's rectification progress (整改进度), by unit and by rule, for the explore tab.

Why here: explore reads a whole year, and the office's question after publication is "how far
along are the units?": how many items each unit has closed, reported, or let slip past the
deadline, and which rules' problems are hardest to fix. The numbers come from the ledger
(``kpa_core.rectify``); this module only counts and lays them out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from kpa_core.analysis.pages import esc, frame_table
from kpa_core.audit.rectify_chain import STATUS, Ledger
from kpa_core.rectify.ledger import ledger_in_view

COLUMNS = [("closed", "已销号 / closed"), ("awaiting_check", "待核查 / awaiting check"),
           ("in_progress", "整改中 / in progress"), ("open", "未整改 / not started"),
           ("overdue", "逾期 / overdue")]


def progress_frame(ledger: Ledger, key: str, names: dict[str, str] | None = None
                   ) -> pd.DataFrame:
    """One row per unit (``key="unit"``) or per rule (``key="rule"``): items per status and
    the share closed, worst first (most not closed, then fewest closed)."""
    rows: dict[str, dict[str, object]] = {}
    for s in ledger.items:
        k = s.item.unit_id if key == "unit" else (s.item.rule_id or "（整体 whole unit）")
        row = rows.setdefault(k, {"key": k, "name": (names or {}).get(k, k), "items": 0,
                                  **dict.fromkeys(STATUS, 0)})
        row["items"] = int(row["items"]) + 1  # type: ignore[call-overload]
        row[s.status] = int(row[s.status]) + 1  # type: ignore[call-overload]
    frame = pd.DataFrame(list(rows.values()),
                         columns=["key", "name", "items", *STATUS])
    if frame.empty:
        return frame.assign(closed_share=[])
    frame["closed_share"] = frame["closed"] / frame["items"]
    frame["not_closed"] = frame["items"] - frame["closed"]
    return frame.sort_values(["not_closed", "closed_share", "key"],
                             ascending=[False, True, True]).reset_index(drop=True)


def progress_html(data_dir: str | Path, year: int, names: dict[str, str],
                  as_of: dt.date | None = None) -> str:
    """The tab: a headline, then the by-unit and by-rule tables."""
    ledger = ledger_in_view(data_dir, year, as_of=as_of)
    if not ledger.items:
        return (f"<p>{esc(year)} 年度及上一年度均无整改台账（签发后开立）/ no rectification "
                "ledger for this year or the year before (one opens at publication)</p>")
    c = ledger.counts()
    head = (f"<p><b>{esc(ledger.year)} 年度整改台账</b>：共 {len(ledger.items)} 项，"
            + "、".join(f"{STATUS[k][0]} {c[k]}" for k in STATUS)
            + f'<span class="en"> / {len(ledger.items)} items</span></p>')
    cols = [("name", "单位 / unit"), ("items", "事项 / items"), *COLUMNS,
            ("closed_share", "销号率 / closed share")]
    by_unit = frame_table(progress_frame(ledger, "unit", names), cols, cls="kpa-progress-unit")
    rule_cols = [("key", "规则 / rule"), *cols[1:]]
    by_rule = frame_table(progress_frame(ledger, "rule"), rule_cols, cls="kpa-progress-rule")
    return (head + "<h3>按单位 / by unit</h3>" + by_unit
            + "<h3>按规则 / by rule</h3>" + by_rule)
