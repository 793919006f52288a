"""Report workers die with the batch that started them, and take their kernels with them.

A ``kpa report`` killed with ``kill -9`` used to leave its pool workers blocked on their task
queue for ever (they hold a copy of the queue's write end, so they never see end-of-file), and
each worker's warm kernel alive beside it. Each worker therefore:

- asks Linux to send it SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and, where
  that is unavailable, watches its parent pid from a daemon thread;
- handles SIGTERM by shutting its kernels down (``report.engine``) and exiting at once.

Kernels also watch their own parent (ipykernel's parent poller), so a worker that dies by
SIGKILL still does not leave its kernel behind for long.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from types import FrameType

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5
EXIT_DEADLINE = 3.0  # seconds a signalled worker may take to stop its kernels


def _set_pdeathsig(sig: int) -> bool:
    """Linux only: have the kernel signal this process when its parent exits."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _shutdown_and_exit(signum: int, _frame: FrameType | None = None) -> None:
    """Kill this worker's kernels, then leave without running the pool's exit machinery.

    Nothing here may wait on the event loop the signal interrupted (``kill_all_now``), and a
    timer ends the process even if something still blocks.
    """
    threading.Timer(EXIT_DEADLINE, os._exit, args=(128 + signum,)).start()
    engine = sys.modules.get("kpa_core.report.engine")
    if engine is not None:
        with contextlib.suppress(Exception):
            engine.kill_all_now()
    os._exit(128 + signum)


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: this worker (and its kernels) end when ``parent_pid`` does."""
    signal.signal(signal.SIGTERM, _shutdown_and_exit)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _set_pdeathsig(signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before the prctl took effect
        _shutdown_and_exit(signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="kpa-lifeline").start()


def stop_workers(executor: object) -> None:
    """On an interrupted batch: SIGTERM our pool's workers so their kernels stop now."""
    processes = getattr(executor, "_processes", None) or {}
    for proc in list(processes.values()):
        with contextlib.suppress(Exception):
            proc.terminate()
