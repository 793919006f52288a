"""Text leaving kpa: safe in a terminal, a CSV, a workbook cell and an SVG; dates in Chinese form.

The ground floor of every face: nothing here knows a rubric or a score. Entry points:
``terminal_safe``, ``write_csv``, ``xml_text`` (sanitize), ``render_table`` (tables),
``text_cell`` (cells), ``zh_date``/``zh_datetime`` (dates, Beijing time by default).

May import: ``kpa_core.errors`` only.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "terminal_safe": "sanitize",
    "write_csv": "sanitize",
    "xml_text": "sanitize",
    "invisible_in_name": "sanitize",
    "render_table": "tables",
    "display_width": "tables",
    "text_cell": "cells",
    "zh_date": "dates",
    "zh_datetime": "dates",
})
