"""Render one unit: papermill runs the report notebook, nbconvert writes the HTML beside it.

``render_unit`` is the function the batch ships to its executor, so it takes and returns
plain picklable dataclasses and imports papermill lazily (a skipped rerun never pays for it).
It never raises for a unit's own problem: the cause comes back in ``UnitResult.error`` so the
batch can finish the other units and list the failures.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# inprocess: the worker's own IPython shell (default, issue #26); warm: one kernel per worker;
# fresh: papermill's own engine, a new kernel per unit.
ENGINES = ("inprocess", "warm", "fresh")

_local = threading.local()


@dataclass(frozen=True)
class UnitTask:
    """What a worker needs to render one unit (paths are absolute)."""

    unit_id: str
    notebook: str
    parameters: dict[str, Any]
    html_path: str
    ipynb_path: str
    title: str
    engine: str = "inprocess"
    kernel_name: str = "python3"
    execution_timeout: int = 600


@dataclass
class UnitResult:
    """How one unit went: ``error`` holds the cause (bilingual where it came from kpa)."""

    unit_id: str
    ok: bool
    seconds: float
    error: str = ""
    html_path: str = ""
    pid: int = field(default_factory=os.getpid)


def _template_notebook(path: str) -> Any:
    """The report notebook, read once per thread and copied per unit."""
    import nbformat

    cache: dict[tuple[str, float], Any] = getattr(_local, "notebooks", None) or {}
    key = (path, os.stat(path).st_mtime)
    if key not in cache:
        cache = {key: nbformat.read(path, as_version=4)}
        _local.notebooks = cache
    return copy.deepcopy(cache[key])


def execute(task: UnitTask) -> Any:
    """Run the notebook for one unit and return the executed notebook node."""
    import papermill as pm

    from kpa_core.report import engine as report_engine
    kernel_ignores_cwd()
    kwargs: dict[str, Any] = {}
    if task.engine == "inprocess":
        from kpa_core.report import inprocess

        kwargs["engine_name"] = inprocess.register()
    elif task.engine == "warm":
        kwargs["engine_name"] = report_engine.register()
    else:  # papermill's own engine with a fresh kernel, but without the 2.5 s graceful wait
        kwargs["shutdown_kernel"] = "immediate"
    return pm.execute_notebook(
        _template_notebook(task.notebook), None, parameters=task.parameters,
        kernel_name=task.kernel_name, progress_bar=False, request_save_on_cell_execute=False,
        execution_timeout=task.execution_timeout, **kwargs)


def kernel_ignores_cwd() -> None:
    """Kernels started from here never put the current folder first on ``sys.path``.

    Why: a workspace holding a folder named ``kpa_core`` (a copy, an unpacked archive) broke
    every report, because ``python -m ipykernel_launcher`` and IPython both put the kernel's
    current folder (the workspace) first, ahead of the installed package. ``PYTHONSAFEPATH``
    (Python 3.11) turns off both; kernels inherit this process's environment.
    """
    os.environ["PYTHONSAFEPATH"] = "1"


# Parameters that hold a path: absolute while the kernel runs, workspace-relative when saved.
PATH_PARAMS = ("data_dir", "bands", "snapshot")  # snapshot: the batch's (#24)


def portable(nb: Any, task: UnitTask) -> Any:
    """The executed notebook with its path parameters as the workspace shows them.

    The kernel needs absolute paths (it may run in any folder), but the kept ``.ipynb`` is
    shared for years and must not tie itself to one machine: papermill's injected-parameters
    cell and ``metadata.papermill.parameters`` get ``data/…``-style paths instead.
    """
    from papermill.translators import translate_parameters

    from kpa_core.store.workspace import shown_path

    params = task.parameters
    data_dir = params.get("data_dir")
    swaps = {name: shown_path(params[name], data_dir) for name in PATH_PARAMS
             if isinstance(params.get(name), str) and os.path.isabs(params[name])}
    meta = nb.metadata.get("papermill")
    if meta is not None and not isinstance(meta.get("input_path"), str | None):
        # papermill records its input, here the template node itself: a second copy of the
        # whole template in every kept notebook. The template's file name says the same.
        meta["input_path"] = os.path.basename(task.notebook)
    if not swaps:
        return nb
    saved = {**params, **swaps}
    if meta is not None and isinstance(meta.get("parameters"), dict):
        meta["parameters"] = {**meta["parameters"], **swaps}
    language = nb.metadata.get("kernelspec", {}).get("language", "python")
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters(task.kernel_name, language, saved, "Parameters")
    return nb


def describe_failure(exc: BaseException) -> str:
    """One readable cause: a cell's error name and message, not papermill's framing."""
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}" if evalue else str(ename)
    return f"{type(exc).__name__}: {exc}"


def warm_up(engine: str = "inprocess", kernel_name: str = "python3") -> None:
    """Get this worker ready for its first unit: its engine ready, the exporter built.

    Why: the batch starts its workers while it plans (issue #14); this is the work their first
    unit would otherwise do after planning — an empty notebook through the engine: for the
    warm engine that starts the kernel, its client and the preload; in process, the shell and
    the report's imports. Best effort: an engine that fails here fails again, and its error is
    reported, in the first unit.
    """
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()
    import nbformat
    import papermill as pm

    from kpa_core.report import engine as report_engine
    from kpa_core.report import inprocess
    from kpa_core.report.export import exporter

    if engine == "inprocess":
        name = inprocess.register()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(report_engine.PRELOAD)])
    else:
        name, nb = report_engine.register(), nbformat.v4.new_notebook()
    with contextlib.suppress(Exception):
        pm.execute_notebook(nb, None, kernel_name=kernel_name, engine_name=name,
                            progress_bar=False, request_save_on_cell_execute=False)
    exporter()


def render_unit(task: UnitTask) -> UnitResult:
    """Execute and export one unit; write the audit notebook and the HTML atomically."""
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()
    import nbformat

    from kpa_core.report.export import notebook_to_html
    from kpa_core.store.atomic import atomic_write_text

    start = time.perf_counter()
    try:
        nb = execute(task)
        html_text = notebook_to_html(nb, title=task.title)
        atomic_write_text(Path(task.ipynb_path), nbformat.writes(portable(nb, task)))
        atomic_write_text(Path(task.html_path), html_text)
    except Exception as exc:  # noqa: BLE001 - a unit's failure is data for the batch report
        return UnitResult(task.unit_id, False, time.perf_counter() - start,
                          error=describe_failure(exc))
    return UnitResult(task.unit_id, True, time.perf_counter() - start, html_path=task.html_path)
