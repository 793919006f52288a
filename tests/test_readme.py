"""The README is a test: every shell command it shows runs, as shown, from the installed wheel.

The convention (also stated in the README, "The README is tested"): every line of a
```` ```bash ```` or ```` ```sh ```` block is a command; a ``#`` after a space starts its
comment; lines that are only a comment are skipped. The commands run in README order, in one
fresh temporary folder, with the wheel built from this checkout installed into a fresh venv
(tests/wheel_venv.py). ``cd DIR && …`` moves the following commands into DIR, as in a shell.
Each command must exit 0 unless EXPECT says otherwise, and print what EXPECT names (what
the README says it prints); FILES names what it must leave behind. A server (``kpa app``,
``kpa lab``, ``kpa explore``) is started exactly as shown, asked for its page, and stopped.
A new command in the README is run with these rules too, so a command that does not work
from the wheel fails CI. The few lines that cannot run here are in NOT_RUN with the reason.

Cost, measured on the 2-core machine (load ~4): 348 s for this test, including building and
installing the wheel's venv (shared with tests/test_wheel.py, which then takes 50 s); most of
it is the report batches the README shows (five of 30 units, two printing PDFs) and five
servers (10-30 s each, mostly Voila running the form's notebook).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from wheel_venv import REPO, installed_wheel

pytestmark = pytest.mark.wheel

# Lines the test does not run, each with why. Anything else in a bash/sh block is run.
NOT_RUN = {
    "python3 -m venv ~/kpa-venv && . ~/kpa-venv/bin/activate":
        "the fixture makes the fresh venv (in a temp folder, not the home folder)",
    "pip install kpa-0.1.0-py3-none-any.whl":
        "the fixture installs this very wheel (its file name is checked against this line)",
    "./run": "the repository's own script (a checkout, not the wheel): tests/test_run_script.py",
    "./run tests": "the test suite itself; CI runs it (.ci/run)",
}

# command → (exit status, texts its output must contain), as the README's comments say.
EXPECT: dict[str, tuple[int, tuple[str, ...]]] = {
    "kpa init kpa-office --sample": (0, ("已创建工作区", "kpa report --year 2013")),
    "cd kpa-office && kpa report --year 2013": (0, ("rendered 30", "index.html")),
    "kpa score data/2013/petroleum.yaml": (0, ("石油工程系",)),
    "kpa score --year 2013 --cap-scope area": (0, ("57.5",)),
    "kpa report --year 2013 --units petroleum arts --force --jobs 2": (0, ("rendered 2",)),
    "kpa template --year 2014": (0, ("kpa-2014.xlsx", "下一步 / next")),
    "kpa import out/kpa-2014.xlsx --who 王分析 --why 首次导入": (0, ("已导入 0 份记录",)),
    "kpa reproduce params/2013/petroleum.yaml": (0, ("reproduced / 已复现",)),
    "kpa reproduce params/2013/": (0, ("reproduced / 已复现 (30/30)",)),
    "kpa reproduce params/2013/ --data /archive/data": (2, ("数据文件夹不存在",
                                                            "the data folder does not exist")),
    "kpa diff --year 2013 --unit chemical": (0, ("chemical",)),
    "kpa rubric diff kvtc-2013-draft examples/example-revision": (0, ("B18.website",)),
    "kpa rescore --year 2013 --rubric examples/example-revision": (0, ("5 entries dropped",)),
    "kpa verify": (0, ("✔ 2012", "✔ 2013")),
    "kpa verify --year 2013": (0, ("✔ 2013",)),
}
# command → files (relative to the folder it runs in) it must leave behind.
FILES = {
    "cd kpa-office && kpa report --year 2013": ("out/reports/2013/index.html",
                                                "out/reports/2013/overview.html"),
    "kpa report --year 2013 --pdf": ("out/reports/2013/petroleum.pdf",
                                     "out/reports/2013/summary.pdf",
                                     "out/reports/2013/summary.xlsx"),
    "kpa template --year 2014": ("out/kpa-2014.xlsx",),
    "kpa export --year 2013": ("out/kpa-2013-export.xlsx",),
    "kpa reproduce params/2013/ --html out/2013": ("out/2013/petroleum.html",),
    "kpa sensitivity --year 2013 --html sens.html": ("sens.html",),
}
SERVER_PORTS = {("app",): 8866, ("lab",): 8888, ("explore",): 8889, ("explore", "--app"): 8867}
TITLE = "<title>党风廉政建设责任制考核 · 录入</title>"


@dataclass(frozen=True)
class Command:
    line: str     # as shown, comment removed
    comment: str  # what the README says beside it


def readme_commands(text: str) -> list[Command]:
    """Every command of the README's bash/sh blocks, in order (the convention above)."""
    out = []
    for block in re.findall(r"^```(?:bash|sh)\n(.*?)^```", text, flags=re.M | re.S):
        for raw in block.splitlines():
            if not raw.strip() or raw.strip().startswith("#"):
                continue
            cut = re.search(r"\s#\s", raw)
            line, comment = (raw[:cut.start()], raw[cut.end():]) if cut else (raw, "")
            out.append(Command(line.strip(), comment.strip()))
    return out


def test_readme_commands_are_found() -> None:
    """The parser itself: the README's first commands, comments cut, comment-only lines gone."""
    cmds = [c.line for c in readme_commands((REPO / "README.md").read_text(encoding="utf-8"))]
    assert cmds[:4] == ["python3 -m venv ~/kpa-venv && . ~/kpa-venv/bin/activate",
                        "pip install kpa-0.1.0-py3-none-any.whl",
                        "kpa init kpa-office --sample",
                        "cd kpa-office && kpa report --year 2013"]
    assert not [c for c in cmds if c.startswith("#") or " # " in c]
    assert 'kpa verify --year 2013 --attest --who 王分析 --why "手工修订已核对"' in cmds
    assert set(EXPECT) <= set(cmds) and set(FILES) <= set(cmds), "EXPECT/FILES name old lines"
    assert set(NOT_RUN) <= set(cmds)


def _server_port(line: str) -> int | None:
    words = line.split()
    if words[0] != "kpa" or words[1] not in ("app", "lab", "explore"):
        return None
    if "--port" in words:
        return int(words[words.index("--port") + 1])
    return SERVER_PORTS[(words[1], "--app")] if "--app" in words else SERVER_PORTS[(words[1],)]


def _get(url: str, timeout: float = 120) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback only
        return resp.status, resp.read().decode("utf-8", "replace")


def _wait(check, seconds: float, proc: subprocess.Popen, what: str):  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what}: the server exited with {proc.returncode}"
        try:
            got = check()
        except OSError:
            got = None
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError(f"{what}: not ready after {seconds} s")


def run_server(cmd: Command, cwd: Path, env: dict[str, str], tmp: Path) -> None:
    """Start the server as shown, ask for its page, stop it; Jupyter's root is the workspace."""
    port = _server_port(cmd.line)
    runtime = tmp / f"runtime-{port}-{time.monotonic_ns()}"
    env = {**env, "BROWSER": "true",  # "opens" the browser with /bin/true: nothing pops up
           "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
           "JUPYTER_DATA_DIR": str(tmp / "jupyter-data")}
    log = (tmp / f"server-{port}.log").open("w")
    proc = subprocess.Popen(["bash", "-c", f"exec {cmd.line}"], cwd=cwd, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if " --app" in cmd.line or cmd.line.startswith("kpa app"):
            _wait(lambda: _get(base + "/voila/static/voila.js", 5)[0] == 200, 120, proc, cmd.line)
            log.flush()
            # the app is locked to its analyst: the page only with the token kpa printed (#24)
            printed = (tmp / f"server-{port}.log").read_text(encoding="utf-8", errors="replace")
            url = next(line.split("打开 open: ", 1)[1].strip() for line in printed.splitlines()
                       if line.startswith("打开 open: "))
            assert url.startswith(base + "/?token=")
            status, page = _get(url)
            assert status == 200
            if cmd.line.startswith("kpa app"):
                assert TITLE in page
        else:
            def info() -> dict | None:
                for f in runtime.glob("jpserver-*.json"):
                    data = json.loads(f.read_text(encoding="utf-8"))
                    if data.get("port") == port:
                        return data
                return None

            server = _wait(info, 120, proc, cmd.line)
            assert Path(server["root_dir"]).resolve() == cwd.resolve(), server
            token = server["token"]
            name = "explore.ipynb" if cmd.line.startswith("kpa explore") else "assess.ipynb"
            status, body = _wait(lambda: _get(f"{base}/api/contents/notebooks/{name}"
                                              f"?content=0&token={token}", 10), 60, proc, name)
            assert status == 200 and json.loads(body)["path"] == f"notebooks/{name}"
            status, listing = _get(f"{base}/api/contents?token={token}")
            names = {c["name"] for c in json.loads(listing)["content"]}
            assert {"data", "params", "out", "notebooks", "kpa.toml"} <= names
            assert _get(f"{base}/lab?token={token}")[0] == 200
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (its kernels too), SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _package_files(env: dict[str, str]) -> set[str]:
    """Every file of the installed kpa_core but bytecode: kpa must never write into it."""
    out = subprocess.run(["python", "-c", "import kpa_core, pathlib; print(pathlib.Path("
                          "kpa_core.__file__).parent)"], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    root = Path(out)
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if "__pycache__" not in p.parts}


def test_every_readme_command_works_from_the_wheel(tmp_path_factory) -> None:
    base, env = installed_wheel(tmp_path_factory)
    home = tmp_path_factory.mktemp("readme")
    env = {**env, "HOME": str(home)}  # nothing of the test lands in the real home folder
    wheel_name = Path(env["KPA_TEST_WHEEL"]).name
    assert f"pip install {wheel_name}" in NOT_RUN, "the README's install line names another wheel"
    before = _package_files(env)
    cwd = home
    ran = []
    for cmd in readme_commands((REPO / "README.md").read_text(encoding="utf-8")):
        if cmd.line in NOT_RUN:
            continue
        started = time.monotonic()
        if _server_port(cmd.line) is not None:
            run_server(cmd, cwd, env, home)
            ran.append(cmd.line)
            print(f"{time.monotonic() - started:6.1f} s  {cmd.line}  (server)")
            continue
        done = subprocess.run(["bash", "-c", cmd.line], cwd=cwd, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=900)
        want_code, want_texts = EXPECT.get(cmd.line, (0, ()))
        said = done.stdout + done.stderr
        assert done.returncode == want_code, f"{cmd.line}\n{said[-3000:]}"
        assert "Traceback" not in said, f"{cmd.line}\n{said[-3000:]}"
        for text in want_texts:
            assert text in said, f"{cmd.line}: {text!r} not printed\n{said[-3000:]}"
        if m := re.match(r"cd (\S+) && ", cmd.line):
            cwd = cwd / m.group(1)
        for rel in FILES.get(cmd.line, ()):
            assert (cwd / rel).is_file(), f"{cmd.line}: {rel} missing"
        # a blank template: no year folder
        if cmd.line == "kpa import out/kpa-2014.xlsx --who 王分析 --why 首次导入":
            assert not (cwd / "data" / "2014").exists()
        ran.append(cmd.line)
        print(f"{time.monotonic() - started:6.1f} s  {cmd.line}")
    assert len(ran) >= 30, ran  # the README's commands (35 today), not a handful
    assert "kpa lab" in ran and "kpa explore --app" in ran
    assert not list((cwd / "notebooks").glob(".ipynb_checkpoints"))
    assert _package_files(env) == before, "kpa wrote into the installed package"
