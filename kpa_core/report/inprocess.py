"""A papermill engine that runs the report notebook in the worker's own IPython shell.

Why: a report's own code takes ~25 ms a unit; the warm kernel added ~60 ms more per unit
(issue #26's profile: for every cell, the execute request, the kernel's input transforms,
each output serialised, sent over ZeroMQ and parsed back with its dates, the output thread's
flush waits, the status messages; and in the worker, nbclient's event loop for each of
them). On two cores this put a 300-unit batch at 1.7× the same HTML made without a kernel.
Here papermill still drives the notebook — parameters injected, ``cell_start`` /
``cell_complete`` / ``cell_exception`` per cell, the same error raised for a failing cell —
but each cell runs in an ``InteractiveShell`` of the worker process: the same IPython that
runs inside a kernel (``get_ipython()``, ``display``, tracebacks, ``_render_traceback_``),
without the wire.

What the kernel gave and how it is kept:

- **A clean namespace per unit**: ``reset(new_session=True)`` before every notebook, as the
  warm engine does in its kernel. Imported modules stay loaded, as there.
- **Outputs**: ``display`` calls, the last expression's value, ``print`` to stdout/stderr
  and the error of a failing cell become the notebook's outputs, in the order they happen,
  as nbformat output nodes.
- **The cell timeout**: ``execution_timeout`` stops a cell with ``SIGALRM`` when the engine
  runs in the process's main thread (a batch worker always does). Elsewhere (a threaded
  Dask worker) cells run one at a time per process, without the alarm.
- **No user start-up files and no history database**: a plain ``InteractiveShell`` runs no
  IPython profile start-up scripts (a kernel does) and writes no history.

What it cannot give: a report that crashes the interpreter itself (a segfault in a C
extension) takes its worker with it rather than only a kernel. The report's code is kpa's
own Python; ``--engine warm`` keeps a kernel per worker for whoever needs that isolation.
"""

from __future__ import annotations

import contextlib
import io
import signal
import threading
from collections.abc import Iterator
from typing import Any

from kpa_core.cheap_imports import defer_iri_grammar

defer_iri_grammar()

from nbformat import from_dict  # noqa: E402
from papermill.engines import Engine, papermill_engines  # noqa: E402

ENGINE_NAME = "kpa-inprocess"
_lock = threading.Lock()  # one notebook at a time per process: the shell is a singleton
_shell: Any = None


class CellTimeout(Exception):
    """A cell ran longer than the engine's ``execution_timeout``."""


class Outputs:
    """One cell's outputs, appended in the order they happen."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def add(self, output: dict[str, Any]) -> None:
        self.items.append(output)

    def nodes(self) -> list[Any]:
        return [from_dict(o) for o in self.items]


class _StreamTo(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` while a cell runs."""

    def __init__(self, outputs: Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.outputs.stream(self.name, text)
        return len(text)


def _make_shell() -> Any:
    """The process's shell, made once: no history, no profile, its output hooks replaced."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    made_here = not InteractiveShell.initialized()
    shell = InteractiveShell.instance(config=config)
    if made_here:
        # IPython puts its user module in sys.modules["__main__"] (for pickling in a terminal);
        # it has no __spec__, and multiprocessing's spawn (a Dask nanny, say) then fails. Cells
        # run in the shell's own namespace either way: the process keeps its real __main__.
        shell.restore_sys_module_state()

    class Publisher(DisplayPublisher):
        """``display()``: a display_data output of the running cell."""

        outputs: Outputs | None = None

        def publish(self, data: Any, metadata: Any = None, source: Any = None, *,
                    transient: Any = None, update: bool = False, **_: Any) -> None:
            if self.outputs is not None and not update:
                self.outputs.add({"output_type": "display_data", "data": data,
                                  "metadata": metadata or {}})

        def clear_output(self, wait: bool = False) -> None:
            if self.outputs is not None:
                self.outputs.items.clear()

    class Hook(DisplayHook):
        """The cell's last expression: an execute_result output."""

        outputs: Outputs | None = None
        count = 0

        def __call__(self, result: Any = None) -> None:
            if result is None or self.outputs is None or self.quiet():
                return
            data, metadata = self.shell.display_formatter.format(result)
            self.outputs.add({"output_type": "execute_result", "data": data,
                              "metadata": metadata, "execution_count": self.count})

    shell.display_pub = Publisher(shell=shell, parent=shell)
    shell.displayhook = shell.display_trap.hook = Hook(shell=shell, cache_size=0, parent=shell)

    def show_error(etype: Any, evalue: Any, stb: list[str]) -> None:
        outputs = shell.display_pub.outputs
        if outputs is not None:
            outputs.add({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                         "evalue": str(evalue), "traceback": list(stb)})

    shell._showtraceback = show_error  # IPython's hook for a kernel's error message
    return shell


def shell() -> Any:
    """This process's report shell (made on first use)."""
    global _shell
    if _shell is None:
        _shell = _make_shell()
    return _shell


def reset(sh: Any) -> None:
    """A new session for the next unit (see ``engine.RESET``: the same, without the wire)."""
    import gc
    import sys

    full = gc.collect
    gc.collect = lambda generation=2: full(min(generation, 1))  # type: ignore[assignment]
    try:
        sh.reset(new_session=True)
    finally:
        gc.collect = full  # type: ignore[assignment]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@contextlib.contextmanager
def _alarm(seconds: int | None) -> Iterator[None]:
    """Stop the cell after ``seconds`` (main thread only: signals go there)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(*_: Any) -> None:
        raise CellTimeout(f"单元格运行超过 {seconds} 秒 / the cell ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cell(sh: Any, source: str, count: int, timeout: int | None) -> tuple[list[Any], bool]:
    """Run one cell's source; its output nodes, and whether it failed."""
    outputs = Outputs()
    sh.display_pub.outputs = sh.displayhook.outputs = outputs
    sh.displayhook.count = count
    try:
        with (contextlib.redirect_stdout(_StreamTo(outputs, "stdout")),
              contextlib.redirect_stderr(_StreamTo(outputs, "stderr")), _alarm(timeout)):
            result = sh.run_cell(source, store_history=False, silent=False)
    finally:
        sh.display_pub.outputs = sh.displayhook.outputs = None
    failed = result.error_before_exec is not None or result.error_in_exec is not None
    if failed and not any(o["output_type"] == "error" for o in outputs.items):
        error = result.error_in_exec or result.error_before_exec
        outputs.add({"output_type": "error", "ename": type(error).__name__,
                     "evalue": str(error), "traceback": [f"{type(error).__name__}: {error}"]})
    return outputs.nodes(), failed


class InProcessEngine(Engine):
    """``engine_name="kpa-inprocess"``: papermill's cell loop on this process's shell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: int = 60, execution_timeout: int | None = None,
                                 **kwargs: Any) -> Any:
        from papermill.exceptions import PapermillExecutionError

        with _lock:
            sh = shell()
            reset(sh)
            count = 0
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code":
                        continue
                    count += 1
                    cell.outputs, failed = run_cell(sh, cell.source, count, execution_timeout)
                    cell.execution_count = count
                    if failed:
                        error = next(o for o in cell.outputs if o.output_type == "error")
                        nb_man.cell_exception(cell, cell_index=index, exception=(
                            PapermillExecutionError(index, count, cell.source, error.ename,
                                                    error.evalue, error.traceback)))
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)
            nb_man.nb.metadata["language_info"] = language_info()
        return nb_man.nb


def language_info() -> dict[str, Any]:
    """What a Python kernel reports about itself (kept in the notebook's metadata)."""
    import platform

    return {"name": "python", "version": platform.python_version(), "mimetype": "text/x-python",
            "file_extension": ".py", "pygments_lexer": "ipython3",
            "codemirror_mode": {"name": "ipython", "version": 3},
            "nbconvert_exporter": "python"}


def register() -> str:
    """Register the engine with papermill (idempotent) and return its name."""
    from kpa_core.report import engine as warm_engine

    warm_engine.register()  # the same papermill write patch (no text serialised for nothing)
    papermill_engines.register(ENGINE_NAME, InProcessEngine)
    return ENGINE_NAME
