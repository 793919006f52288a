"""One rule for symlinks among kpa's folders: a link may point only inside the workspace.

Why: an office's workspace is copied, backed up and kept for years as one folder. Before
(#24), a ``params/`` link out of the workspace was written through while an ``out/`` link was
refused with a message blaming kpa.toml: two rules, and one of them let kpa write outside the
office's folder. Now every folder kpa writes into — ``data/`` and its years (their ``self/``
and ``evidence/``), ``params/`` and its years (``scenarios/``), the output folder and its
``reports/<year>`` — is checked the same way when the workspace is opened: a link whose target
lies inside the workspace is followed (an office may arrange its folders), one pointing outside
is refused, naming the folder and where it points. Record files themselves are the atomic
writer's business (``store.atomic``: a linked file's target is replaced in place).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from kpa_core.errors import Problem
from kpa_core.store.layout import is_year_folder

YEAR_SUBFOLDERS = {"data": ("self", "evidence"), "params": ("scenarios",)}


def _children(folder: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(folder) if e.is_dir())
    except OSError:
        return []


def kpa_folders(root: Path, out_dir: Path) -> Iterator[Path]:
    """Every folder kpa writes into that exists now (links included, not followed past one)."""
    for top in ("data", "params"):
        base = root / top
        yield base
        for name in _children(base):
            if is_year_folder(name):
                yield base / name
                yield from (base / name / sub for sub in YEAR_SUBFOLDERS[top])
    yield out_dir
    yield out_dir / "reports"
    yield from (out_dir / "reports" / n for n in _children(out_dir / "reports")
                if is_year_folder(n))


def outside_links(root: Path, out_dir: Path) -> list[Problem]:
    """Each kpa folder that is a symlink to somewhere outside ``root``, as a problem."""
    root = root.resolve()
    problems = []
    for folder in kpa_folders(root, out_dir):
        if not folder.is_symlink():
            continue
        target = folder.resolve()
        if target.is_relative_to(root):
            continue
        shown = folder.relative_to(root) if folder.is_relative_to(root) else folder
        problems.append(Problem(
            f"工作区的文件夹 {shown} 是指向工作区之外的符号链接（→ {target}）；kpa 只写入工作区内",
            f"the workspace folder {shown} is a symlink to {target}, outside the workspace; "
            "kpa writes only inside it", field="folder", value=str(shown),
            allowed_zh="工作区内的文件夹，或指向工作区内的链接（把目标移入工作区，或删除链接）",
            allowed_en="a folder inside the workspace, or a link to one (move the target into "
                       "the workspace, or remove the link)", where=str(root)))
    return problems
