"""Safe text in a workbook cell: what every face that writes Excel needs.

The template, the export and the summary table all write analysts' text into cells. openpyxl
turns a string starting with "=" into a live formula, and raises on characters XML refuses; a
unit name or a reason must do neither. Shared by ``excel`` and ``report`` (summary.xlsx), so it
sits at the ground, not in either face.

Imports: nothing of kpa (openpyxl only).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")


def put_text(cell: Cell) -> None:
    """Keep a text cell text: no formula on write, none when an analyst re-edits it in Excel.

    openpyxl writes any str starting with "=" as a live formula, so a reason such as
    ``=HYPERLINK("http://evil", "x")`` would become a clickable link (formula injection).
    The cell is therefore stored as a string, and a risky first character also gets Excel's
    quote prefix (the leading apostrophe), so pressing Enter in the cell keeps it text.
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


# What stands in for a character openpyxl refuses (ESC, BEL, other C0 controls): visible, legal.
REPLACEMENT = "\ufffd"


def clean_text(value: Any) -> Any:
    """A str with the characters XML (so openpyxl) refuses replaced; other values unchanged.

    A reason pasted from a terminal can hold ESC or BEL; openpyxl raises IllegalCharacterError
    on such a value, which would end ``kpa export`` or ``kpa report`` with a traceback. The
    replacement character keeps the spot visible instead of silently dropping it.
    """
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    return value


def text_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value safely: refused characters replaced, text kept text (``put_text``)."""
    cell = ws.cell(row=row, column=column, value=clean_text(value))
    put_text(cell)
    return cell
