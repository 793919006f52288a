"""The ``kpa`` command. Each subcommand lives in its own module under ``kpa_core/commands``.

A command module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit status. Input problems
(``KpaInputError``) are printed on stderr in Chinese and English and exit with status 2,
leaving stdout empty so that ``--json`` and ``--csv`` output can be piped safely.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from kpa_core import __version__, commands
from kpa_core.errors import KpaInputError, os_error_problem
from kpa_core.report_imports import defer_iri_grammar
from kpa_core.sanitize import TerminalSafeStream

EXIT_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    defer_iri_grammar()  # before any command imports jsonschema: ~1 s saved per run
    parser = argparse.ArgumentParser(
        prog="kpa",
        description="党风廉政建设责任制考核 — 评分、报告与复现 / clean-government responsibility "
        "assessment: scoring, reports, reproduction",
    )
    parser.add_argument("--version", action="version", version=f"kpa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    for stream in (sys.stdout, sys.stderr):  # Chinese must print on any terminal encoding
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    args = build_parser().parse_args(argv)
    streams = sys.stdout, sys.stderr
    # No user text (a unit name, a reason, a file's content) may drive the terminal.
    sys.stdout = TerminalSafeStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(sys.stderr, keep="\r")  # type: ignore[assignment]
    try:
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
