"""kpa_core — scoring library for the 党风廉政建设责任制考核.

The clean-government responsibility assessment of each unit of the College.

Everything that computes a score lives here; notebooks, the CLI and the report batch are faces
that call into it. The rubric itself is data (``rubrics/*.yaml``), never code.
"""

from __future__ import annotations

from functools import cache

__all__ = ["__version__"]


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kpa")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    """``__version__`` is looked up on first use: importlib.metadata costs ~0.1 s at start-up."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
