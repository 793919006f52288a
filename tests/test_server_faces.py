"""`kpa app` and `kpa explore` refuse a busy port and a wrong data folder before starting."""

from __future__ import annotations

import socket
from pathlib import Path

from cli_run import run_kpa

ROOT = Path(__file__).resolve().parents[1]


def test_explore_on_a_busy_port_exits_2_naming_the_port() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = run_kpa("explore", "--app", "--no-browser", f"--port={port}",
                       f"--data={ROOT / 'data'}")
    assert done.returncode == 2
    assert "端口已被占用" in done.stderr and str(port) in done.stderr


def test_explore_without_units_csv_exits_2_naming_the_folder(tmp_path: Path) -> None:
    done = run_kpa("explore", "--app", "--no-browser", f"--data={tmp_path}")
    assert done.returncode == 2
    assert "units.csv" in done.stderr and str(tmp_path) in done.stderr
