"""A year's data as one value: its units, records and problems, read once per command.

``load_units`` reads units.csv; ``load_year`` reads every record of a year and role, collecting
each file's problems (``strict=False`` keeps the good ones, so one broken unit does not stop a
batch). A command reads a year here once and hands the value on: ``read_year_inputs``
gives one ``YearInputs`` (units, records, self-assessments, earlier years, file hashes).

May import: ``errors``, ``text``, ``store``, ``rubric``, ``scoring``, ``audit``.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "Unit": "data",
    "YearData": "data",
    "load_units": "data",
    "load_year": "data",
    "YearInputs": "inputs",
    "read_year_inputs": "inputs",
})
