"""Plain-text tables for the terminal, aligned for Chinese (double-width) characters.

Numbers are right-aligned so their digits line up (a column whose every cell is a number,
a signed number such as ``-4``/``+2.5``, or a dash counts as numeric). Long text can be wrapped
to a display width per column, so a table fits a terminal (``kpa diff --unit`` in 100 columns).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from kpa_core.text.sanitize import terminal_safe

NUMERIC = re.compile(r"^[+\-−]?\d+(\.\d+)?$|^[—–-]$|^$")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def wrap_text(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` display columns (CJK-aware).

    Breaks at a space when one is near, else between any two characters (Chinese has no
    spaces to break at).
    """
    if width <= 0 or display_width(text) <= width:
        return [text]
    lines, line, w = [], "", 0
    for ch in text:
        cw = display_width(ch)
        if w + cw > width:
            cut = line.rfind(" ")
            if cut > len(line) // 2:
                lines.append(line[:cut])
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ""
            w = display_width(line)
        line += ch
        w += cw
    if line:
        lines.append(line)
    return lines


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                 wrap: Mapping[int, int] | None = None) -> str:
    """A text table; numeric columns right-aligned, others left; ``wrap`` = {column: width}.

    A header may hold ``\\n`` to take two lines (keeps a bilingual header narrow).
    """
    wrap = dict(wrap or {})
    cells = [[terminal_safe(fmt_number(c)) for c in row] for row in rows]  # no escapes
    numeric = [bool(cells) and all(NUMERIC.match(r[i].strip()) for r in cells)
               for i in range(len(headers))]
    head_lines = [h.split("\n") for h in headers]
    split = [[wrap_text(c, wrap[i]) if i in wrap else [c] for i, c in enumerate(r)]
             for r in cells]
    widths = [max([display_width(x) for x in head_lines[i]]
                  + [display_width(x) for r in split for x in r[i]])
              for i in range(len(headers))]

    def pad(v: str, i: int) -> str:
        gap = " " * (widths[i] - display_width(v))
        return gap + v if numeric[i] else v + gap

    def block(columns: Sequence[Sequence[str]]) -> list[str]:
        height = max(len(c) for c in columns)
        return ["  ".join(pad(c[k] if k < len(c) else "", i) for i, c in enumerate(columns))
                .rstrip() for k in range(height)]

    out = block(head_lines)
    out.append("  ".join("-" * w for w in widths))
    for r in split:
        out += block(r)
    return "\n".join(out)
