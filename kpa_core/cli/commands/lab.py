"""``kpa lab`` and ``kpa app``: the assessment notebook in JupyterLab, or as a plain web app.

``kpa lab`` opens JupyterLab on ``notebooks/assess.ipynb`` for analysts who like to see the
notebook; ``kpa app`` serves the same notebook through Voila, which shows only the widgets (no
code), for analysts who never want to see code. Both pass the data folder to the notebook's
kernel in ``$KPA_DATA`` (the kernel inherits the server's environment), bind to 127.0.0.1 only,
and replace this process with the server (``exec``) so that Ctrl-C and SIGTERM reach it.

A busy port is an error naming it (exit 2), never a silent move to the next one: the analyst
would open the wrong page. ``kpa app`` keeps one kernel preheated (the notebook already run,
so the page is usable in seconds) and uses kpa's Voila template, which asks no host but the
app's own (Voila's own template links Font Awesome from a CDN).
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from kpa_core.cli.options import add_data_option
from kpa_core.entry import ENV_DATA, ENV_PARAMS, ENV_ROLE, ENV_UNIT, ENV_YEAR
from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.paths import default_data_dir, notebooks_dir, project_dir

NOTEBOOK = "assess.ipynb"
# kpa's Voila template lives in a Jupyter data folder of its own, put on $JUPYTER_PATH.
TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "templates" / "jupyter"
TEMPLATE = "kpa"


def register(sub: argparse._SubParsersAction) -> None:
    for name, help_text in (
        ("lab", "在 JupyterLab 中打开录入与假设分析笔记本 / open the assessment notebook in "
                "JupyterLab"),
        ("app", "以网页应用（Voila，不显示代码）提供录入与假设分析 / serve the assessment "
                "notebook as a web app through Voila (no code shown)"),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--port", type=int, default=8866 if name == "app" else 8888,
                       help="端口（默认：%(default)s）/ port on 127.0.0.1 (default: %(default)s)")
        p.add_argument("--no-browser", action="store_true",
                       help="不自动打开浏览器 / do not open a browser")
        add_data_option(p)
        p.add_argument("--params", default=None,
                       help="参数文件夹，假设方案存于此（默认：数据文件夹旁的 params/，即 "
                            "<data>/../params）/ params folder for saved scenarios (default: "
                            "params/ beside the data folder, i.e. <data>/../params)")
        p.add_argument("--year", type=int, default=None, help="初始年度 / year shown first")
        p.add_argument("--unit", default=None, help="初始单位编号 / unit id shown first")
        p.add_argument("--role", choices=("assessor", "self"), default=None,
                       help="初始记录类型：assessor 考核组记录，self 自评记录 / record shown "
                            "first: the assessors' (default) or the unit's self-assessment")
        p.set_defaults(func=run, face=name)


def server_command(face: str, notebook: Path, port: int, no_browser: bool,
                   is_root: bool = False) -> list[str]:
    """The server's argv; a function of its own so a test can check it without starting it."""
    if face == "app":
        # Voila locked to the analyst: token from $KPA_APP_TOKEN, loopback Host names only
        cmd = [sys.executable, "-m", "kpa_core.cli.local_voila", str(notebook), f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--theme=light",
               f"--template={TEMPLATE}", "--preheat_kernel=True", "--pool_size=1",
               # the form opens ~1,300 widget comms; on a busy machine their messages take
               # longer than nbclient's 4 s default, which would cut the page off blank
               "--VoilaExecutor.iopub_timeout=120"]
        if no_browser:
            cmd.append("--no-browser")
        return cmd
    cmd = [sys.executable, "-m", "jupyterlab", str(notebook), f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0"]
    if no_browser:
        cmd.append("--no-browser")
    if is_root:  # Jupyter refuses root without it (containers)
        cmd.append("--allow-root")
    return cmd


def check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a busy port by name (exit 2) instead of letting the server move elsewhere."""
    with socket.socket() as s:
        # As Tornado binds: a port whose last connections are only in TIME_WAIT is free (a
        # server just stopped), one with a listener is not (Linux refuses that bind anyway).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            busy = exc.errno == errno.EADDRINUSE
            raise KpaInputError([Problem(
                "端口已被占用" if busy else "无法使用该端口",
                "the port is already in use" if busy else f"cannot use the port: {exc}",
                field="--port", value=port,
                allowed_zh=f"空闲的端口：关闭占用 {port} 的程序，或用 --port 另选",
                allowed_en=f"a free port: stop what uses {port}, or choose one with --port")]
            ) from None


def server_env(data_dir: Path, params_dir: Path | None, year: int | None,
               unit: str | None, role: str | None = None) -> dict[str, str]:
    """The environment the notebook's kernel inherits: where the data is, what to show first.

    Every folder is passed as an absolute path: the kernel runs in the notebook's folder, so
    the analyst's current folder would otherwise be lost.
    """
    env = dict(os.environ)
    env.setdefault("KPA_HOME", str(project_dir()))
    env[ENV_DATA] = str(Path(data_dir).resolve())
    env[ENV_PARAMS] = str(Path(params_dir or Path(data_dir).resolve().parent / "params").resolve())
    if year is not None:
        env[ENV_YEAR] = str(year)
    if unit is not None:
        env[ENV_UNIT] = unit
    if role is not None:
        env[ENV_ROLE] = role
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATE_ROOT),
                                                      env.get("JUPYTER_PATH")) if p)
    # The kernel must import this kpa_core even when it is run from a source checkout.
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def lock_to_analyst(env: dict[str, str], port: int) -> str:
    """Give ``kpa app`` a fresh token for this start (in ``env``, never in argv); its URL.

    Why: without one the app answered any local user and any DNS-rebinding page. The token
    travels in the environment because another local user can read argv in /proc, not environ.
    """
    from kpa_core.cli.local_voila import TOKEN_ENV

    env[TOKEN_ENV] = secrets.token_urlsafe(32)
    return f"http://127.0.0.1:{port}/?token={env[TOKEN_ENV]}"


def checked_data_dir(given: str | None) -> Path:
    """The data folder a server face opens; one without units.csv is refused before start-up.

    Why: a Jupyter server takes seconds to start; a wrong folder should fail at once, in words.
    """
    data_dir = Path(given).resolve() if given else default_data_dir()
    if not (data_dir / "units.csv").is_file():
        raise KpaInputError([Problem("数据文件夹中没有 units.csv",
                                     "the data folder has no units.csv",
                                     field="--data", value=str(data_dir),
                                     allowed_zh="含 units.csv 与年度子文件夹的数据文件夹",
                                     allowed_en="a data folder with units.csv and year folders")])
    return data_dir


def workspace_options(root: Path, out_dir: Path | None = None) -> list[str]:
    """JupyterLab's root is the office's workspace: the analyst sees data/, params/, out/ and
    the notebooks there, and saves there. Checkpoints go under out/ (ignored by git), so none
    is ever left beside a notebook, in a repository's notebooks/ or in the package."""
    checkpoints = (out_dir or root / "out") / ".ipynb_checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)  # else Jupyter falls back to /tmp
    return [f"--ServerApp.root_dir={root}", f"--FileCheckpoints.checkpoint_dir={checkpoints}"]


def open_notebook(data_dir: Path, name: str) -> tuple[Path, Path]:
    """(the workspace's root, its copy of notebook ``name``), made or refreshed now; prints why
    when kpa left an edited copy alone, and which empty years the face will skip."""
    from kpa_core.store.notebooks import workspace_notebook
    from kpa_core.store.paths import empty_years_note, workspace_root_for

    shipped = notebooks_dir() / name
    if not shipped.is_file():
        raise KpaInputError([Problem("找不到 kpa 自带的笔记本", "kpa's notebook not found",
                                     value=str(shipped), where=str(shipped))])
    root = workspace_root_for(data_dir)
    copy = workspace_notebook(root, name, notebooks_dir())
    for line in (copy.note(), empty_years_note(data_dir)):
        if line:
            print(line, file=sys.stderr)
    if not years_or_none(data_dir):
        raise KpaInputError([Problem(
            "没有含考核记录的年度", "no year holds any record", field="--data",
            value=str(data_dir), allowed_zh="至少一个年度有记录：先 kpa template --year 年度，"
            "填写后 kpa import", allowed_en="at least one year with records: kpa template "
            "--year YEAR, fill it in, then kpa import")])
    return root, copy.path


def years_or_none(data_dir: Path) -> list[int]:
    from kpa_core.store.paths import years_with_records

    return years_with_records(data_dir)[0]


def run(args: argparse.Namespace) -> int:
    data_dir = checked_data_dir(args.data)
    root, notebook = open_notebook(data_dir, NOTEBOOK)
    params_dir = Path(args.params).resolve() if args.params else None
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    check_port_free(args.port)
    cmd = server_command(args.face, notebook, args.port, args.no_browser, is_root)
    if args.face == "lab":
        from kpa_core.store.workspace import workspace_of

        ws = workspace_of(root / "kpa.toml")
        cmd += workspace_options(root, ws.out_dir if ws else None)
    env = server_env(data_dir, params_dir, args.year, args.unit, args.role)
    if args.face == "app":
        url = lock_to_analyst(env, args.port)
        print(f"打开 open: {url}", file=sys.stderr, flush=True)
    print(f"启动 starting: {' '.join(cmd)}", file=sys.stderr, flush=True)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # pragma: no cover - replaces this process
    return subprocess.call(cmd, env=env)  # pragma: no cover - Windows
