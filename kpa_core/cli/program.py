"""The ``kpa`` command. Each subcommand lives in its own module under ``kpa_core/commands``.

A command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit status. Input problems
(``KpaInputError``) are printed on stderr in Chinese and English and exit with status 2,
leaving stdout empty so that ``--json`` and ``--csv`` output can be piped safely.

Start-up is kept short: ``COMMANDS`` names every subcommand with its one-line help, so
``kpa --help`` imports no command module, and ``kpa score …`` imports only ``commands.score``
(whose own imports are light: no pandas, openpyxl or Jupyter for one record). A module in
``commands/`` missing from the table still works; it is imported to be registered.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from kpa_core.cli.words import chinese_argparse
from kpa_core.errors import KpaInputError, os_error_problem
from kpa_core.text.sanitize import TerminalSafeStream

EXIT_INPUT = 2

# name → (module in kpa_core.cli.commands, one-line help shown by `kpa --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "app": ("lab", "以网页应用（Voila，不显示代码）提供录入与假设分析 / serve the assessment "
                   "notebook as a web app through Voila (no code shown)"),
    "diff": ("diff", "自评与考核组评分逐条对比 / self-assessment vs assessors, rule by rule"),
    "evidence": ("evidence", "佐证材料（电子台账）：添加、列出、核查 / the evidence ledger"),
    "explore": ("explore", "打开学院考核分析仪表板（JupyterLab；--app 为 Voila 网页应用）/ open "
                           "the college-wide analysis dashboard in JupyterLab (--app: a Voila "
                           "web app)"),
    "export": ("excel", "把一年的记录导出为工作簿 / export a year to Excel"),
    "grade": ("grade", "按等级划分评定一年的等级 / grade a year with grade bands"),
    "import": ("excel", "导入已填写的工作簿为考核记录 / import a filled workbook"),
    "init": ("init", "新建工作区（kpa.toml、data/、params/、out/） / create a workspace"),
    "lab": ("lab", "在 JupyterLab 中打开录入与假设分析笔记本 / open the assessment notebook in "
                   "JupyterLab"),
    "report": ("report", "生成各单位 HTML 报告 / per-unit HTML reports"),
    "reproduce": ("reproduce", "按保存的参数复现评分 / rescore from saved parameters and compare"),
    "rescore": ("rescore", "按修订稿重新评分 / score a year under a rubric revision"),
    "rubric": ("rubric", "查看考核细则 / show a rubric version"),
    "score": ("score", "评分：一份记录或一整年 / score a record or a whole year"),
    "sensitivity": ("sensitivity", "初稿歧义条款的敏感性 / does another reading of the draft "
                                   "change anyone's rank?"),
    "template": ("excel", "生成 Excel 填报模板 / write an empty Excel workbook"),
    "verify": ("verify", "核对审计链、记录与参数 / check the audit chain against records and "
                         "params"),
    # the year's process (audit.states)
    "status": ("status", "年度流程状态与逾期 / the year's process: states, deadlines, overdue"),
    "submit": ("review", "提交单位自评 / submit a unit's self-assessment"),
    "approve": ("review", "审核通过考核组记录 / mark the assessors' record reviewed"),
    "publish": ("publish", "签发公布并封存一个年度 / publish and seal a year"),
    "review": ("review", "签发后的复核（open、close）/ a review after publication"),
    "rectify": ("rectify", "整改台账：列出、报送、核查、督办单 / the rectification ledger"),
}
# command module → the modules that add subcommands to it (``register_sub``), not commands
SUBCOMMAND_MODULES: dict[str, tuple[str, ...]] = {"rectify": ("rectify_sheet", "rectify_excel")}
NO_WORKSPACE_OPTION = {"init"}  # init makes a workspace: DIR is its one folder, none to find
WORKSPACE_HELP = ("工作区文件夹（默认：$KPA_WORKSPACE，或当前及上级文件夹中含 kpa.toml 者） / "
                  "workspace folder (default: $KPA_WORKSPACE, else the nearest folder at or "
                  "above this one holding kpa.toml)")


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping the top-level options), if any."""
    args = iter(argv)
    for arg in args:
        if arg == "--workspace":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _modules_outside_table() -> list[str]:
    from kpa_core.cli import commands
    known = {module for module, _ in COMMANDS.values()}
    known |= {m for subs in SUBCOMMAND_MODULES.values() for m in subs}
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if m.name not in known)


class _Version(argparse.Action):
    """``--version``, looked up only when asked (importlib.metadata costs start-up time)."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        from kpa_core import __version__

        print(f"kpa {__version__}")
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command named in ``argv`` (if any) is imported and fully built."""
    argv = sys.argv[1:] if argv is None else argv
    wanted = _command_in(argv)
    parser = argparse.ArgumentParser(
        prog="kpa",
        description="党风廉政建设责任制考核 — 评分、报告与复现 / clean-government responsibility "
        "assessment: scoring, reports, reproduction",
    )
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="显示版本 / show the version and exit")
    parser.add_argument("--workspace", metavar="DIR", default=None, help=WORKSPACE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def load(module_name: str) -> None:
        from kpa_core.cheap_imports import defer_iri_grammar

        defer_iri_grammar()  # before any command imports jsonschema: ~1 s saved per run
        before = set(sub.choices)
        importlib.import_module(f"kpa_core.cli.commands.{module_name}").register(sub)
        for name in set(sub.choices) - before - NO_WORKSPACE_OPTION:
            sub.choices[name].add_argument("--workspace", metavar="DIR",
                                           default=argparse.SUPPRESS, help=WORKSPACE_HELP)

    if wanted in COMMANDS:
        load(COMMANDS[wanted][0])
    for module_name in _modules_outside_table():
        load(module_name)
    for name, (_, help_text) in sorted(COMMANDS.items()):
        if name not in sub.choices:
            sub.add_parser(name, help=help_text, add_help=False)
    # list in name order whatever was imported first
    sub._choices_actions.sort(key=lambda a: a.dest)  # noqa: SLF001 - help order only
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    for stream in (sys.stdout, sys.stderr):  # Chinese must print on any terminal encoding
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    argv = list(sys.argv[1:] if argv is None else argv)
    streams = sys.stdout, sys.stderr
    # No user text (a unit name, a reason, a file's content) may drive the terminal.
    sys.stdout = TerminalSafeStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(sys.stderr, keep="\r")  # type: ignore[assignment]
    try:
        with chinese_argparse():  # usage, help and argparse's errors in both languages
            args = build_parser(argv).parse_args(argv)
        if getattr(args, "workspace", None):
            from kpa_core.store.workspace import ENV_WORKSPACE, find_workspace

            # One place decides: every later lookup (and a notebook kernel) sees the same.
            os.environ[ENV_WORKSPACE] = str(find_workspace(args.workspace).root)
        return int(args.func(args) or 0)
    except KpaInputError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stdout = None  # type: ignore[assignment]  # keep interpreter exit from flushing again
        return 0
    except KeyboardInterrupt:  # Ctrl-C: workers and kernels are already stopped
        print("已中断 / interrupted", file=sys.stderr)
        return 128 + 2
    except OSError as exc:  # a full disk, a read-only folder…: the cause, not a traceback
        print(KpaInputError([os_error_problem(exc)]).render(), file=sys.stderr)
        return EXIT_INPUT
    finally:
        if isinstance(sys.stdout, TerminalSafeStream):
            sys.stdout = streams[0]
        sys.stderr = streams[1]


if __name__ == "__main__":
    sys.exit(main())
