"""Where things are: the current workspace's folders, and the files shipped with kpa.

The office's folders (data/, params/, out/) belong to its workspace (``kpa_core.store.workspace``),
never to the current folder: ``kpa report`` run from ``ws/data`` writes to ``ws/out``. The
notebooks and the sample data ship inside the package (a wheel build copies them from the
repository's top-level ``notebooks/`` and ``data/``); a source checkout reads them in place.
"""

from __future__ import annotations

from pathlib import Path

from kpa_core.store.workspace import Workspace, find_workspace

PACKAGE_DIR = Path(__file__).parent.parent  # kpa_core/
TEMPLATES_DIR = PACKAGE_DIR / "templates"  # report, analysis and app templates: shared data
REPO_DIR = PACKAGE_DIR.parent  # a source checkout's root (meaningless for a wheel install)


def workspace(explicit: str | Path | None = None) -> Workspace:
    """The current workspace (``--workspace``, ``$KPA_WORKSPACE`` or ``kpa.toml`` above)."""
    return find_workspace(explicit)


def project_dir() -> Path:
    """The current workspace's root (kept for callers written before workspaces)."""
    return find_workspace().root


def default_data_dir() -> Path:
    return find_workspace().data_dir


def default_params_dir() -> Path:
    return find_workspace().params_dir


def reports_dir_for(data_dir: str | Path) -> Path:
    """Where the reports of a data folder's workspace are: its ``out/reports``.

    The workspace holding ``data_dir`` (its ``kpa.toml``), else the current one, else the data
    folder's parent — so a notebook kernel started anywhere finds the reports beside the data.
    """
    from kpa_core.store.workspace import WorkspaceNotFound, workspace_of

    ws = workspace_of(Path(data_dir) / "units.csv")
    if ws is None:
        try:
            ws = find_workspace()
        except WorkspaceNotFound:
            return Path(data_dir).resolve().parent / "out" / "reports"
    return ws.out_dir / "reports"


def _shipped(name: str) -> Path:
    """A folder shipped in the wheel (``kpa_core/<name>``), else the checkout's own."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else REPO_DIR / name


def notebooks_dir() -> Path:
    """The report and assessment notebooks."""
    return _shipped("notebooks")


def sample_data_dir() -> Path:
    """The fictional sample data that ``kpa init --sample`` copies."""
    inside = PACKAGE_DIR / "sample_data"
    return inside if inside.is_dir() else REPO_DIR / "data"


def example_bands() -> Path:
    return PACKAGE_DIR / "templates" / "grade-bands.example.yaml"


def workspace_root_for(data_dir: str | Path) -> Path:
    """The workspace a data folder belongs to (its ``kpa.toml``), else the current one, else
    the data folder's parent: the folder Jupyter serves as its root for ``kpa lab``/``explore``."""
    from kpa_core.store.workspace import WorkspaceNotFound, workspace_of

    ws = workspace_of(Path(data_dir) / "units.csv")
    if ws is None:
        try:
            ws = find_workspace()
        except WorkspaceNotFound:
            return Path(data_dir).resolve().parent
    return ws.root


def years_with_records(data_dir: str | Path) -> tuple[list[int], list[int]]:
    """(years holding at least one record, year folders holding none).

    An empty year folder (left by hand, or by an older kpa's import of a blank workbook) is no
    year to open: the form and the dashboard skip it, and the command that starts them says so.
    """
    from kpa_core.store.layout import available_years

    kept, empty = [], []
    for year in available_years(data_dir):
        folder = Path(data_dir) / str(year)
        has = any(folder.glob("*.yaml")) or any(folder.glob("self/*.yaml"))
        (kept if has else empty).append(year)
    return kept, empty


def empty_years_note(data_dir: str | Path) -> str | None:
    """The line a server face prints for year folders it skips (None when there are none)."""
    empty = years_with_records(data_dir)[1]
    if not empty:
        return None
    years = "、".join(map(str, empty))
    return (f"⚠ {years} 年度文件夹中没有考核记录，已跳过 / year folder(s) "
            f"{', '.join(map(str, empty))} hold no records: skipped")
