"""Build step: the wheel carries the notebooks and the sample data from their top-level folders.

``notebooks/`` and ``data/`` stay the sources in the repository (the layout is fixed); a wheel
must still hold them, or an installed kpa could not render reports or ``kpa init --sample``.
So ``build_py`` copies them into the built package as ``kpa_core/notebooks`` and
``kpa_core/sample_data``. An editable install reads them in place (see ``kpa_core/store/paths.py``).
Everything else about the project is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
SHIPPED = {  # source folder → (folder inside kpa_core, files to take)
    "notebooks": ("notebooks", ["*.ipynb"]),
    "data": ("sample_data", ["units.csv", "README.md", "*/*.yaml", "*/self/*.yaml",
                             "*/audit-log.jsonl",
                             "*/evidence/*"]),  # the sample's evidence files and sidecars
}


class BuildWithShippedFolders(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, (target, patterns) in SHIPPED.items():
            dest = Path(self.build_lib) / "kpa_core" / target
            shutil.rmtree(dest, ignore_errors=True)
            for pattern in patterns:
                for file in sorted((HERE / source).glob(pattern)):
                    out = dest / file.relative_to(HERE / source)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(file, out)


setup(cmdclass={"build_py": BuildWithShippedFolders})
