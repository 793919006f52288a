"""Issue #24: `kpa lab` (JupyterLab) is locked to its analyst like `kpa app`.

JupyterLab's own server holds the lock: a token generated per start (printed in its URL), and
``allow_remote_access=False`` so a Host header that is not a loopback name is refused even with
the token (a DNS-rebinding page). kpa binds it to 127.0.0.1 and never turns either off; this
test runs a real `kpa lab` and tries both attacks, and the analyst's own request for contrast.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from voila_face import ROOT, free_port

pytestmark = pytest.mark.notebook  # starts a Jupyter server


def status_of(port: int, path: str, host: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": host, **(headers or {})})
        return conn.getresponse().status
    finally:
        conn.close()


def test_kpa_lab_refuses_no_token_and_a_foreign_host(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        (tmp_path / f"j-{name}").mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(tmp_path / f"j-{name}")
    env["KPA_HOME"] = str(tmp_path)
    env.pop("JUPYTER_TOKEN", None)
    port = free_port()
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kpa_core.cli", "lab", f"--port={port}",
                                 "--no-browser", f"--data={tmp_path / 'data'}"], env=env,
                                cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        token = None
        deadline = time.monotonic() + 180
        while token is None and time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text(encoding="utf-8", errors="replace")
            found = re.search(rf"127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)",
                              log_path.read_text(encoding="utf-8", errors="replace"))
            token = found.group(1) if found else None
            time.sleep(0.3)
        assert token and len(token) >= 32, log_path.read_text(encoding="utf-8")
        local = f"127.0.0.1:{port}"
        assert status_of(port, "/lab", local) in (302, 403)  # no token: the login page only
        assert status_of(port, "/api/kernels", local) == 403
        evil = f"evil.example:{port}"
        assert status_of(port, f"/lab?token={token}", evil,
                         {"Origin": f"http://{evil}"}) == 403  # DNS rebinding, even with it
        assert status_of(port, "/api/kernels", evil, {"Authorization": f"token {token}"}) == 403
        # the analyst: token and loopback Host are served (the lock, not a broken server)
        assert status_of(port, "/api/kernels", local, {"Authorization": f"token {token}"}) == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
