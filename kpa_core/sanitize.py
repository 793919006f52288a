"""User text leaving kpa outside HTML: CSV cells a spreadsheet would run, terminal escapes.

A unit named ``=HYPERLINK(…)`` in a ``--csv`` file opened in Excel becomes a live formula
(CSV injection); a reason holding ESC or BEL sequences printed raw can clear the analyst's
screen or retitle the terminal. HTML escaping lives in ``report_sections``; these are the other
two exits of user text.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except newline and tab, DEL, and C1 controls (CSI 0x9b among them).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Whole ANSI escape sequences first, so their parameters do not linger as visible junk.
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def csv_cell(value: Any) -> Any:
    """OWASP: a text cell starting with = + - @ tab or CR is prefixed with ' (numbers stay)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as spreadsheet formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, stream: TextIO, **kwargs: Any) -> None:
    """``DataFrame.to_csv`` with every text cell neutralised (``csv_safe_frame``)."""
    csv_safe_frame(frame).to_csv(stream, **kwargs)


def terminal_safe(text: Any) -> str:
    """Text for the terminal: escape sequences and other control characters removed.

    Newlines and tabs stay (tables and multi-line messages need them).
    """
    return CONTROL.sub("", ANSI.sub("", str(text)))
