"""``kpa explore``: the college-wide analysis dashboard in JupyterLab, or as a Voila app.

Like ``kpa lab``/``kpa app`` (whose server command and kernel environment it reuses), but on
the workspace's copy of ``notebooks/explore.ipynb``. The server's root is the workspace, so a
unit's row links to its rendered report under the workspace's ``out/reports/<year>/``; Voila is
told to serve those HTML files (and only those) to the browser.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from kpa_core.cli.options import add_data_option

NOTEBOOK = "explore.ipynb"
REPORTS = "out/reports"
# Voila serves these files and nothing else: <year>/<unit id>.html (ids are slugs), no "..".
ALLOWLIST = "--VoilaConfiguration.file_allowlist=['out/reports/[0-9]{4}/[a-z0-9_-]+\\.html']"


def register(sub: argparse._SubParsersAction) -> None:
    help_text = ("打开学院考核分析仪表板（JupyterLab；--app 为 Voila 网页应用）/ open the "
                 "college-wide analysis dashboard in JupyterLab (--app: a Voila web app)")
    p = sub.add_parser("explore", help=help_text, description=help_text)
    p.add_argument("--app", action="store_true",
                   help="以网页应用（Voila，不显示代码）打开 / serve it through Voila (no code)")
    p.add_argument("--port", type=int, default=None,
                   help="端口（默认：--app 8867，否则 8889）/ port on 127.0.0.1 (default: 8867 "
                        "with --app, else 8889)")
    p.add_argument("--no-browser", action="store_true",
                   help="不自动打开浏览器 / do not open a browser")
    add_data_option(p)
    p.add_argument("--year", type=int, default=None, help="初始年度 / year shown first")
    p.set_defaults(func=run)


def explore_command(app: bool, notebook: Path, port: int, no_browser: bool, root: Path,
                    is_root: bool = False) -> tuple[list[str], str]:
    """The server's argv and the URL template of a unit's report (testable without a server)."""
    from kpa_core.cli.commands.lab import server_command

    cmd = server_command("app" if app else "lab", notebook, port, no_browser, is_root)
    if app:
        cmd += [f"--Voila.root_dir={root}",
                ALLOWLIST]
        return cmd, "/voila/files/" + REPORTS + "/{year}/{unit}.html"
    cmd += [f"--ServerApp.root_dir={root}"]
    return cmd, "/files/" + REPORTS + "/{year}/{unit}.html"


def run(args: argparse.Namespace) -> int:
    from kpa_core.analysis import ENV_REPORTS_DIR, ENV_REPORTS_URL
    from kpa_core.cli.commands.lab import (
        check_port_free,
        checked_data_dir,
        open_notebook,
        server_env,
        workspace_options,
    )
    from kpa_core.store.workspace import workspace_of

    data_dir = checked_data_dir(args.data)
    # Jupyter's root is the office's workspace: the notebook is its copy there, and a unit's
    # row links to the workspace's own out/reports (never the package's folder).
    root, notebook = open_notebook(data_dir, NOTEBOOK)
    port = args.port or (8867 if args.app else 8889)
    check_port_free(port)  # a busy port is an error naming it, never a silent move
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    ws = workspace_of(root / "kpa.toml")
    out_dir = ws.out_dir if ws else root / "out"
    cmd, reports_url = explore_command(args.app, notebook, port, args.no_browser, root, is_root)
    if not args.app:
        cmd += workspace_options(root, out_dir)[1:]  # root_dir is set by explore_command
    env = server_env(data_dir, None, args.year, None)
    env[ENV_REPORTS_URL] = reports_url
    env[ENV_REPORTS_DIR] = str(root / REPORTS)
    if args.app:  # the dashboard as a web app is locked to its analyst, as `kpa app` is
        from kpa_core.cli.commands.lab import lock_to_analyst

        print(f"打开 open: {lock_to_analyst(env, port)}", file=sys.stderr, flush=True)
    print(f"启动 starting: {' '.join(cmd)}", file=sys.stderr, flush=True)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # pragma: no cover - replaces this process
    return subprocess.call(cmd, env=env)  # pragma: no cover - Windows
