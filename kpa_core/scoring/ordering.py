"""The one order of units in every table and chart: best total first, ties by unit id.

Why one place: the index's table sorted ties by id while its chart kept file order, so two
units tied on 86 swapped places between the table and the chart. Every output that lists
units (index table and chart, the 汇总表 XLSX and PDF, the notice's rank) orders them here.
Tied units share the rank (``method="min"``: 1, 2, 2, 4), as ``score_year`` computes it.
"""

from __future__ import annotations

import pandas as pd

SORT_COLUMNS = ["total", "unit_id"]
SORT_ASCENDING = [False, True]


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The year table in ranking order (a copy); needs ``total`` and ``unit_id`` columns."""
    return table.sort_values(SORT_COLUMNS, ascending=SORT_ASCENDING, kind="mergesort")
