"""User text leaving kpa outside HTML: CSV cells a spreadsheet would run, terminal escapes.

A unit named ``=HYPERLINK(…)`` in a ``--csv`` file opened in Excel becomes a live formula
(CSV injection); a reason holding ESC or BEL sequences printed raw can clear the analyst's
screen or retitle the terminal. HTML escaping lives in ``report_sections``; these are the other
two exits of user text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pandas is imported only when a CSV is written
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
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):  # object or str dtype: text cells
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


class TerminalSafeStream:
    """A text stream that strips control characters from everything written through it.

    ``kpa`` wraps its stdout (and stderr, keeping the carriage return a progress bar needs)
    in one, so no unit name, reason or file content can drive the analyst's terminal.
    """

    def __init__(self, raw: TextIO, keep: str = ""):
        self._raw = raw
        self._control = re.compile(
            "[" + "".join(f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0b, 0x20),
                                                   *range(0x7f, 0xa0)) if chr(c) not in keep)
            + "]")

    @property
    def raw(self) -> TextIO:
        return self._raw

    def write(self, text: str) -> int:
        self._raw.write(self._control.sub("", ANSI.sub("", text)))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
