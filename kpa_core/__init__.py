"""kpa_core — scoring library for the 党风廉政建设责任制考核.

The clean-government responsibility assessment of each unit of the College.

Everything that computes a score lives here; notebooks, the CLI and the report batch are faces
that call into it. The rubric itself is data (``rubrics/*.yaml``), never code.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kpa")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
