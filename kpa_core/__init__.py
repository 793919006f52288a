"""kpa_core — scoring library for the 党风廉政建设责任制考核.

The clean-government responsibility assessment of each unit of the College.

Everything that computes a score lives here; notebooks, the CLI and the report batch are faces
that call into it. The rubric itself is data (``rubrics/*.yaml``), never code.

The house, by role (``docs/ARCHITECTURE.md``): the core — ``text``, ``store``, ``rubric``,
``scoring``, ``audit``, ``year``, ``reproduce`` — and the faces over it — ``analysis``,
``report``, ``entry``, ``excel``, ``cli``. Arrows run down: a core room imports no face.

The public API is re-exported here and loaded on first use (a name costs nothing until it is
used, so ``kpa report``'s unchanged-rerun check never imports pandas)::

    from kpa_core import load_rubric, load_year, score_year, run_batch
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

PUBLIC = {
    "load_rubric": "kpa_core.rubric.model",
    "Rubric": "kpa_core.rubric.model",
    "Record": "kpa_core.scoring.record",
    "load_record": "kpa_core.scoring.record",
    "parse_record": "kpa_core.scoring.record",
    "ScoreCard": "kpa_core.scoring.score",
    "score_record": "kpa_core.scoring.score",
    "score_year": "kpa_core.scoring.score",
    "grade_card": "kpa_core.scoring.grading",
    "load_bands": "kpa_core.scoring.grading",
    "load_units": "kpa_core.year.data",
    "load_year": "kpa_core.year.data",
    "YearData": "kpa_core.year.data",
    "verify_year": "kpa_core.audit.verify",
    "reproduce_file": "kpa_core.reproduce.replay",
    "run_batch": "kpa_core.report.batch",
    "KpaInputError": "kpa_core.errors",
    "Problem": "kpa_core.errors",
}


def lazy_exports(package: str, names: Mapping[str, str]
                 ) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for a package that re-exports lazily.

    Why (PEP 562): a room's ``__init__`` names its public entry points, as httpx does, but an
    eager re-export would import every module of the room (and pandas) whenever any one of
    them is imported. ``names`` maps a public name to its module, relative to ``package``
    (``"batch"``) or absolute (``"kpa_core.report.batch"``), or to ``"module:attr"`` when the
    public name differs. A public name must never be a submodule's name: importing the
    submodule would put the module object under that name.
    """
    def getattr_(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = names[name].partition(":")
        module = module if module.startswith("kpa_core") else f"{package}.{module}"
        return getattr(importlib.import_module(module), attr or name)

    def dir_() -> list[str]:
        return sorted(names)

    return sorted(names), getattr_, dir_


__all__ = ["__version__", *sorted(PUBLIC)]
_public_getattr = lazy_exports(__name__, PUBLIC)[1]


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kpa")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    """``__version__`` is looked up on first use: importlib.metadata costs ~0.1 s at start-up."""
    if name == "__version__":
        return _version()
    return _public_getattr(name)
