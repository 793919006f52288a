"""The Excel route: a template to fill in, the import that checks it, an export.

``write_template``/``write_export`` build workbooks; ``import_workbook`` reads one, lists every
problem of the file at once, and commits all records or none (with the audit journal).
``write_rectify_book``/``import_rectify_book``: a published year's 整改台账 as a workbook units
fill in, reported back all rows or none (``rectify_book``, ``rectify_import``).

May import: the core (``errors``, ``text``, ``store``, ``rubric``, ``scoring``, ``audit``,
``year``, ``evidence``, ``rectify``). No other face.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "write_template": "template",
    "write_export": "template",
    "import_workbook": "importer",
    "read_workbook": "importer",
    "write_rectify_book": "rectify_book",
    "check_rectify_unit": "rectify_book:check_unit",
    "import_rectify_book": "rectify_import",
})
