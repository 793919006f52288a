"""No orphans: a killed ``kpa report`` leaves no worker or kernel alive.

The batch runs for real (a process pool rendering in its own shells, or with warm kernels);
once its processes are up, the parent is sent SIGKILL, SIGTERM or SIGINT, and every process
that descended from it must be gone within a few seconds (a zombie waiting for its reaper
counts as gone).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ("arts", "chemical", "economics", "electrical", "finance", "library")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("engine", "sig"), [
    ("inprocess", signal.SIGKILL), ("inprocess", signal.SIGTERM), ("inprocess", signal.SIGINT),
    ("warm", signal.SIGKILL), ("warm", signal.SIGTERM)])
def test_a_killed_batch_leaves_no_worker_or_kernel(tmp_path, engine, sig):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpa_core.cli", "report", "--year", "2013", "--data",
         str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--params",
         str(tmp_path / "params"), "--jobs", "2", "--engine", engine, "--units", *UNITS],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    family: list[int] = []
    # the default engine renders in the two workers themselves; the warm one adds a kernel each
    wanted = 2 if engine == "inprocess" else 4
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            family = descendants(proc.pid)
            kernels = sum("ipykernel" in cmdline(p) for p in family)
            if len(family) >= wanted and (engine == "inprocess" or kernels >= 2):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the batch never started its {wanted} processes")
        if engine == "inprocess":
            time.sleep(1.0)  # the workers are rendering: the kill lands mid-unit
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(p) for p in family):
            time.sleep(0.2)
        left = [f"{p}: {cmdline(p)[:80]}" for p in family if alive(p)]
        assert not left, left
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in family:  # never leave our own mess behind, even when the test fails
            if alive(p):
                os.kill(p, signal.SIGKILL)


def _worker_running_a_long_cell() -> None:
    """A pool worker as the batch makes one, stuck in a cell: nbclient's event loop is running
    in the main thread when SIGTERM arrives."""
    import nbformat.v4 as v4
    import papermill as pm

    from kpa_core.report import engine as report_engine
    from kpa_core.report import lifeline

    lifeline.die_with_parent(os.getppid())
    nb = v4.new_notebook(cells=[v4.new_code_cell("import time\ntime.sleep(120)")],
                         metadata={"kernelspec": {"name": "python3", "language": "python",
                                                  "display_name": "Python 3"}})
    pm.execute_notebook(nb, None, kernel_name="python3", engine_name=report_engine.register(),
                        progress_bar=False, request_save_on_cell_execute=False)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigterm_during_a_cell_stops_the_worker_and_its_kernel_at_once():
    """A worker signalled while its kernel runs a cell: worker and kernel gone in seconds.

    The handler kills the kernel by pid rather than waiting on the event loop it interrupted,
    and a timer ends the worker whatever blocks (one run under load left a worker and its
    kernel alive after the parent's SIGTERM; not reproduced since)."""
    import multiprocessing

    worker = multiprocessing.get_context("fork").Process(target=_worker_running_a_long_cell)
    worker.start()
    kernels: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not kernels:
            kernels = [p for p in descendants(worker.pid) if "ipykernel" in cmdline(p)]
            time.sleep(0.2)
        assert kernels, "the worker never started its kernel"
        time.sleep(3)  # let the long cell start: the worker now waits inside the event loop
        os.kill(worker.pid, signal.SIGTERM)
        worker.join(timeout=10)
        assert worker.exitcode == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in kernels):
            time.sleep(0.2)
        assert not [p for p in kernels if alive(p)]
    finally:
        if worker.is_alive():
            worker.kill()
        for p in kernels:
            if alive(p):
                os.kill(p, signal.SIGKILL)
