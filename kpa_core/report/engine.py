"""A papermill engine that keeps one warm kernel per worker and runs each unit in a clean namespace.

Why: a fresh kernel per unit costs about 0.5–1 s before the first cell runs (start the
process, import pandas), which is most of a report's wall time. This engine,
registered in papermill's engine registry as ``kpa-warm``, starts one kernel per worker thread,
preloads the report's imports once, and before every notebook resets the kernel's user
namespace (``InteractiveShell.reset(new_session=True)``: variables, ``In``/``Out``, the
execution counter) and closes any pyplot figures. Imported modules stay loaded — that is the
saving — and they hold no per-unit state (the charts never touch pyplot); the caches of
``report.context`` (years read, scored and hashed) are keyed by the stamp of every file they
read (name, size, inode, mtime and ctime), so an edit is always seen. A test runs two
notebooks through one kernel and proves a name defined by the first is gone in the second.

If the kernel dies (or a cell times out) the next unit gets a new kernel. Kernels are shut
down when the worker process exits (``multiprocessing.util.Finalize``) or at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import multiprocessing.util
import os
import signal
import subprocess
import threading
from typing import Any

from kpa_core.cheap_imports import defer_iri_grammar

defer_iri_grammar()

import nbclient.client  # noqa: E402
import papermill.engines  # noqa: E402
import papermill.execute  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from nbformat import from_dict  # noqa: E402
from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import NBClientEngine, papermill_engines  # noqa: E402
from papermill.utils import merge_kwargs, remove_args  # noqa: E402

ENGINE_NAME = "kpa-warm"
# The report's imports, once per kernel (its charts are SVG written directly: no matplotlib).
PRELOAD = ("import pandas, IPython.display\n"
           "import kpa_core.report.context, kpa_core.report.sections, kpa_core.report.charts, "
           "kpa_core.report.notice")
# IPython's reset flushes its output cache with a full ``gc.collect()`` (~0.1 s with pandas and
# matplotlib loaded); the young generations hold the last unit's cycles
# (figures, frames), and Python's own thresholds still run full collections as the heap grows.
RESET = ("def _kpa_reset():\n"
         "    import gc, sys\n"
         "    full = gc.collect\n"
         "    gc.collect = lambda generation=2: full(min(generation, 1))\n"
         "    try:\n"
         "        get_ipython().reset(new_session=True)\n"
         "    finally:\n"
         "        gc.collect = full\n"
         "    if 'matplotlib.pyplot' in sys.modules:\n"
         "        sys.modules['matplotlib.pyplot'].close('all')\n"
         "_kpa_reset()")

# The kernel keeps no input history: a report's cells are in its notebook, and IPython's
# history database (SQLite, in memory under nbclient) took a write per cell.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

_local = threading.local()
_all_kernels: list[AsyncKernelManager] = []
_lock = threading.Lock()


def _shutdown_all() -> None:
    """Stop every warm kernel this process started (worker exit or interpreter exit)."""
    with _lock:
        kms, _all_kernels[:] = list(_all_kernels), []
    for km in kms:
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit; the kernel also polls its parent
            pass


atexit.register(_shutdown_all)


def kill_all_now() -> None:
    """Kill every warm kernel this process started, synchronously, without an event loop.

    Why: a worker handles SIGTERM by stopping its kernels. The signal may arrive while the
    worker's main thread is inside nbclient's event loop; ``shutdown_kernel`` run from the
    handler then needs that same loop and may hang (a worker and its kernel were once seen
    alive after SIGTERM under load in test_integrity_processes; never reproduced). Killing the
    kernel's pid needs no loop and cannot block; its connection file is removed as
    ``shutdown_kernel`` would.
    """
    with _lock:
        kms, _all_kernels[:] = list(_all_kernels), []
    for km in kms:
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if isinstance(pid, int) and pid > 0:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError, TypeError):
            os.remove(km.connection_file)


_finalizer_pid: int | None = None


def _forget_parent_kernels() -> None:
    """In a forked child: the kernels (and clients, lock) copied from the parent are not ours.

    Without this a pool worker forked from a process that already ran a unit would share the
    parent's kernel, and its exit hook would shut the parent's kernels down.
    """
    global _local, _lock
    _local, _lock = threading.local(), threading.Lock()
    _all_kernels.clear()


os.register_at_fork(after_in_child=_forget_parent_kernels)


def _register_worker_finalizer() -> None:
    """Process-pool workers leave through os._exit, which skips atexit: use Finalize there."""
    global _finalizer_pid
    if _finalizer_pid != os.getpid():
        multiprocessing.util.Finalize(None, _shutdown_all, exitpriority=100)
        _finalizer_pid = os.getpid()


def _forget_kernel(km: AsyncKernelManager) -> None:
    """Stop a kernel and drop this thread's client and preload state for it."""
    kc = getattr(_local, "kc", None)
    _local.kc, _local.preloaded, _local.language_info = None, False, None
    if kc is not None:
        with contextlib.suppress(Exception):
            kc.stop_channels()
    with _lock:
        if km in _all_kernels:
            _all_kernels.remove(km)
    with contextlib.suppress(Exception):  # it is already dead or half-started
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)


def warm_kernel_manager(kernel_name: str) -> AsyncKernelManager:
    """This thread's kernel manager; a new one when there is none or its kernel died."""
    km: AsyncKernelManager | None = getattr(_local, "km", None)
    if km is not None and km.has_kernel and run_sync(km.is_alive)():
        return km
    if km is not None:
        _forget_kernel(km)
    _register_worker_finalizer()
    km = AsyncKernelManager(kernel_name=kernel_name)
    _local.km, _local.kc, _local.preloaded, _local.language_info = km, None, False, None
    with _lock:
        _all_kernels.append(km)
    return km


class WarmNotebookClient(PapermillNotebookClient):
    """Papermill's client on a kernel it does not own: reset first, keep the kernel after."""

    def execute(self, **kwargs: Any) -> Any:
        self.reset_execution_trackers()
        # The kernel's own log (e.g. "running over TCP without encryption") is noise on the
        # batch's terminal; errors in cells still reach the notebook through iopub.
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        # Reuse this thread's kernel client too: a new one costs ~0.2 s (channels + ready wait).
        self.kc = getattr(_local, "kc", None)
        with self.setup_kernel(**kwargs):
            _local.kc = self.kc
            if not getattr(_local, "preloaded", False):
                self._run_quietly(PRELOAD)
                _local.preloaded = True
            self._run_quietly(RESET)
            self.papermill_execute_cells()
            # The kernel's language never changes: asked once per kernel, not once per unit.
            info = getattr(_local, "language_info", None)
            if info is None:
                info_msg = self.wait_for_reply(self.kc.kernel_info())
                info = _local.language_info = info_msg["content"]["language_info"]
            self.nb.metadata["language_info"] = copy.deepcopy(info)
            self.set_widgets_metadata()
        return self.nb

    def _run_quietly(self, code: str) -> None:
        """Run housekeeping code in the kernel; outputs are not part of the notebook."""
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        reply = self.wait_for_reply(msg_id)
        if reply is None or reply["content"].get("status") != "ok":
            raise RuntimeError(f"warm kernel housekeeping failed: {reply and reply['content']}")


class WarmKernelEngine(NBClientEngine):
    """``engine_name="kpa-warm"``: papermill's nbclient engine on this thread's warm kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: int = 60, execution_timeout: int | None = None,
                                 **kwargs: Any) -> Any:
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file,
            extra_arguments=KERNEL_ARGUMENTS,
        )
        km = warm_kernel_manager(kernel_name)
        client = WarmNotebookClient(nb_man, km=km, **final_kwargs)
        try:
            return client.execute()
        except BaseException:
            # A timeout or a lost kernel leaves it unusable: the next unit starts a new one.
            _forget_kernel(km)
            raise


_papermill_write_ipynb = papermill.execute.write_ipynb


def _write_ipynb_somewhere(nb: Any, path: Any) -> None:
    """papermill's ``write_ipynb``, skipped when there is nowhere to write.

    Why: papermill serialises (and schema-validates) the notebook with ``nbformat.writes``
    before its handler for ``output_path=None`` throws the text away — twice per unit, ~10 % of
    a worker's time per report (issue #14's profile). The batch keeps the executed notebook
    itself and writes it once, atomically.
    """
    if path is not None:
        _papermill_write_ipynb(nb, path)


# What each output message carries into the notebook (nbformat.v4.output_from_msg's fields).
OUTPUT_FIELDS = {"execute_result": ("metadata", "data", "execution_count"),
                 "display_data": ("metadata", "data"), "stream": ("name", "text"),
                 "error": ("ename", "evalue", "traceback")}


def output_from_kernel(msg: dict[str, Any]) -> Any:
    """nbformat's ``output_from_msg`` without validating each output as it arrives.

    Why: nbformat checks every new output against the notebook's JSON schema (jsonschema,
    ~1 ms an output, 14 % of a worker's CPU per unit in issue #26's profile). The executed
    notebook is validated whole when the batch writes it (``nbformat.writes``), so no output
    reaches a file unchecked. Same node, same fields, same error for another message type.
    """
    msg_type = msg["header"]["msg_type"]
    fields = OUTPUT_FIELDS.get(msg_type)
    if fields is None:
        raise ValueError(f"Unrecognized output msg type: {msg_type!r}")
    content = msg["content"]
    return from_dict({"output_type": msg_type, **{f: content[f] for f in fields}})


def register() -> str:
    """Register the engine with papermill (idempotent) and return its name."""
    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    papermill.execute.write_ipynb = papermill.engines.write_ipynb = _write_ipynb_somewhere
    nbclient.client.output_from_msg = output_from_kernel  # nbclient's name for it, as imported
    return ENGINE_NAME


register()
