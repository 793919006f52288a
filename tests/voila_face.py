"""Start a `kpa` web face (`kpa app`, `kpa explore --app`) on a temp copy of the sample data.

Both browser test modules need the same thing: Jupyter's folders pointed into the temp folder
(a test leaves nothing in the home folder), a free port, readiness polled on a static file
(every GET of '/' starts a kernel), and a SIGTERM with a bounded wait afterwards (Voila takes
1–3 s to stop its kernels). One place keeps those facts from /work/shared/notes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Poll a static file until it answers; fail with the server's log if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the kpa face exited early with status {proc.returncode}:\n"
                               + log.read_text(encoding="utf-8", errors="replace"))
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the kpa face was not ready after {timeout} s: {url}")


def printed_url(log: Path) -> str | None:
    """The URL with its token that `kpa app` printed ("打开 open: …"), if it printed one."""
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("打开 open: "):
            return line.split(": ", 1)[1].strip()
    return None


@contextmanager
def kpa_face(tmp_path: Path, *kpa_args: str, ready_timeout: float = 180,
             stop_timeout: float = 20) -> Iterator[str]:
    """Run ``kpa KPA_ARGS --port=… --no-browser --data=…`` until the block ends; yield its URL."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        folder = tmp_path / f"jupyter-{name.lower()}"
        folder.mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(folder)
    env["KPA_HOME"] = str(tmp_path)
    port = free_port()
    log_path = tmp_path / "voila.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpa_core.cli", *kpa_args, f"--port={port}", "--no-browser",
         f"--data={tmp_path / 'data'}"],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://127.0.0.1:{port}/voila/static/voila.js", proc, log_path,
                   ready_timeout)
        yield printed_url(log_path) or f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
