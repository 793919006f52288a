"""Per-unit HTML reports: the public entry points of the report face.

The work is split into small modules with one job each (after papermill's layout):

- ``report_params``   check the notebook's parameters (bilingual errors, no traceback)
- ``report_context``  everything a report shows, computed from checked parameters
- ``report_sections`` the report's HTML sections; ``charts`` its SVG charts
- ``report_engine``   papermill engine ``kpa-warm``: one warm kernel per worker, clean namespace
- ``report_render``   one unit: papermill → executed notebook → nbconvert HTML
- ``report_export``   the nbconvert exporter and template (self-contained, offline)
- ``report_batch``    a year: plan, skip what is current, run on any Executor, manifest
- ``report_index``    the batch's index page

Typical use::

    from kpa_core.report import run_batch
    result = run_batch(2013)                 # local process pool, one worker per core

On a Dask cluster (``pip install kpa[dask]``)::

    from distributed import Client
    with Client("tcp://scheduler:8786") as client:   # or Client(processes=False) locally
        run_batch(2013, executor=client.get_executor())
"""

from __future__ import annotations

from kpa_core.report_batch import BatchResult, run_batch
from kpa_core.report_context import ReportContext, build_context, open_report
from kpa_core.report_params import ReportParamError, ReportParams, check_report_params
from kpa_core.report_render import UnitResult, UnitTask, render_unit

__all__ = ["BatchResult", "ReportContext", "ReportParamError", "ReportParams", "UnitResult",
           "UnitTask", "build_context", "check_report_params", "open_report", "render_unit",
           "run_batch"]
