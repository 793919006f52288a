"""Per-unit HTML reports: the public entry points of the report face.

The work is split into small modules with one job each (after papermill's layout):

- ``notebook_params`` check the notebook's parameters (bilingual errors, no traceback)
- ``context``   everything a report shows, computed from checked parameters
- ``sections``  the report's HTML sections; ``charts`` its SVG charts; ``notice`` the notice
- ``inprocess`` papermill engine ``kpa-inprocess`` (default): cells in the worker's own shell
- ``engine``    papermill engine ``kpa-warm``: one warm kernel per worker, clean namespace
- ``render``    one unit: papermill → executed notebook → nbconvert HTML
- ``export``    the nbconvert exporter and template (self-contained, offline)
- ``batch``     a year: plan, skip what is current, run on any Executor, manifest
- ``quick``     an unchanged rerun recognised from file stamps, before pandas is imported
- ``index``, ``summary``, ``documents``, ``pdf``: the year's pages, the 汇总表, PDF copies
- ``lifeline``  workers die with their parent

May import: the core and ``kpa_core.analysis``'s public names (the batch writes the overview).


Typical use::

    from kpa_core.report import run_batch
    result = run_batch(2013)                 # local process pool, one worker per core

On a Dask cluster (``pip install kpa[dask]``)::

    from distributed import Client
    with Client("tcp://scheduler:8786") as client:   # or Client(processes=False) locally
        run_batch(2013, executor=client.get_executor())
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "BatchResult": "quick",
    "run_batch": "batch",
    "write_sheet": "rectify_sheet",
    "unchanged": "quick",
    "DocumentOptions": "documents",
    "ReportContext": "context",
    "build_context": "context",
    "open_report": "context",
    "ReportParamError": "notebook_params",
    "ReportParams": "notebook_params",
    "check_report_params": "notebook_params",
    "UnitResult": "render",
    "UnitTask": "render",
    "render_unit": "render",
})
