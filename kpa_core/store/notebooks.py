"""The workspace's own copies of kpa's notebooks (``<workspace>/notebooks/``).

Why copies: Jupyter saves a notebook where it opened it. Served from the installed package,
the analyst would save into ``site-packages`` and see none of the office's files; served from
the workspace, Jupyter's root is the office's folder (``data/``, ``params/``, ``out/`` and the
notebooks beside them) and nothing is ever written into the package.

A copy follows kpa's own notebook until the analyst edits it: ``.kpa-notebooks.json`` beside
the copies records the sha256 of each file as kpa last wrote it. A copy still holding those
bytes is replaced when kpa's notebook differs (a newer kpa); a copy whose bytes differ was
edited by the analyst and is never overwritten (the caller says where kpa's version is).
In a source checkout that is itself a workspace the copy *is* kpa's notebook: nothing is done.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kpa_core.store.atomic import atomic_write_bytes, atomic_write_text

FOLDER = "notebooks"
STAMP = ".kpa-notebooks.json"
COPIED = ("assess.ipynb", "explore.ipynb")  # the faces an analyst opens (report.ipynb is kpa's)


@dataclass(frozen=True)
class NotebookCopy:
    path: Path      # the notebook Jupyter opens
    status: str     # "same" | "created" | "refreshed" | "edited" | "source"
    shipped: Path   # kpa's own notebook

    def note(self) -> str | None:
        """One line for the analyst when something happened or was left alone on purpose."""
        if self.status == "refreshed":
            return (f"已按新版 kpa 更新笔记本 / notebook refreshed from this kpa: {self.path}")
        if self.status == "edited":
            return (f"笔记本已被修改，保留你的版本（kpa 的版本：{self.shipped}）/ your edited "
                    f"notebook is kept, not overwritten (kpa's version: {self.shipped})")
        return None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_stamp(folder: Path) -> dict[str, str]:
    try:
        raw = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(raw, dict) else {}


def workspace_notebook(root: Path, name: str, shipped_dir: Path) -> NotebookCopy:
    """The workspace's copy of ``shipped_dir/name``: made, refreshed or left as edited."""
    if name not in COPIED:
        raise ValueError(f"not a copied notebook: {name}")
    shipped = shipped_dir / name
    folder = Path(root) / FOLDER
    dest = folder / name
    if dest.resolve() == shipped.resolve():
        return NotebookCopy(dest, "source", shipped)
    new = shipped.read_bytes()
    stamp = _read_stamp(folder)
    if dest.is_file():
        current = dest.read_bytes()
        if current == new:
            status = "same"
        elif stamp.get(name) == _sha(current):
            status = "refreshed"
        else:
            return NotebookCopy(dest, "edited", shipped)
    else:
        status = "created"
    if status != "same":
        atomic_write_bytes(dest, new)
    if stamp.get(name) != _sha(new):
        stamp[name] = _sha(new)
        atomic_write_text(folder / STAMP, json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return NotebookCopy(dest, status, shipped)


def copy_all(root: Path, shipped_dir: Path) -> list[NotebookCopy]:
    """Every notebook an analyst opens, copied into a new workspace (``kpa init``)."""
    return [workspace_notebook(root, name, shipped_dir) for name in COPIED]
