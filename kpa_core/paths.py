"""Where a project's folders are: data/, params/, notebooks/ relative to the working folder.

Analysts run ``kpa`` from the project folder (the repository or a copy of it); every command
accepts explicit folders too, so nothing depends on the current directory in tests.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent


def project_dir() -> Path:
    """The project root: $KPA_HOME if set, else the current folder."""
    return Path(os.environ.get("KPA_HOME", ".")).resolve()


def default_data_dir() -> Path:
    return project_dir() / "data"


def default_params_dir() -> Path:
    return project_dir() / "params"


def notebooks_dir() -> Path:
    """The notebooks shipped in the repository (next to kpa_core)."""
    repo = PACKAGE_DIR.parent / "notebooks"
    return repo if repo.is_dir() else project_dir() / "notebooks"
