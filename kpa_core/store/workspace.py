"""An office's workspace: the folder holding ``kpa.toml``, ``data/``, ``params/`` and ``out/``.

Why: the office's data must not live inside the tool, and a command must mean the same thing
from any folder. A workspace is found the way git finds a repository — ``--workspace DIR``,
then ``$KPA_WORKSPACE``, then the nearest folder at or above the current one that holds
``kpa.toml`` — and every path kpa saves is written relative to its root (``Workspace.relative``),
so a params file or manifest reads the same on every machine and from every folder.

``kpa.toml`` (every key optional; defaults shown)::

    office = "纪委办公室"          # the office's name, shown on reports
    timezone = "Asia/Shanghai"     # the office's time zone
    cap_scope = "subarea"          # Note 1 cap scope for records without their own
    out = "out"                    # output folder, relative to the workspace
    bands = "grade-bands.yaml"     # the office's grade bands, if any
    [[people]]                     # the office's people (audit.people): name, role, login
    name = "王明"
    role = "assessor"
    [deadlines.2013]               # 自评截止 / 审核截止 of a year (audit.states)
    self = 2013-12-20
    review = 2014-01-10

This module is deliberately light (stdlib only): every command imports it at start-up.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem

CONFIG_NAME = "kpa.toml"
ENV_WORKSPACE = "KPA_WORKSPACE"
ENV_LEGACY = "KPA_HOME"  # the older name of $KPA_WORKSPACE, still honoured
DEFAULT_OFFICE = "纪委办公室"
DEFAULT_TIMEZONE = "Asia/Shanghai"
CAP_SCOPES = ("subarea", "area")  # kept in step with scoring.CAP_SCOPES (a test checks)
KEYS = ("office", "timezone", "cap_scope", "out", "bands", "notice_number",
        "people", "deadlines")  # the office's people and the year's deadlines: audit.people,
                                # audit.states (checked there: this module stays stdlib-only)
KEYS += ("evidence",)  # the [evidence] table: checked by kpa_core.evidence.settings
KEYS += ("rectify",)  # the [rectify] table: checked by kpa_core.rectify.settings


@dataclass(frozen=True)
class Workspace:
    """One office's folder and its settings; every folder is absolute."""

    root: Path
    office_name: str = DEFAULT_OFFICE
    timezone: str = DEFAULT_TIMEZONE
    cap_scope: str | None = None
    out_dir: Path | None = None  # filled in by ``__post_init__``: root / "out" by default
    bands: Path | None = None
    found_by: str = ""  # how it was found, for messages
    # The notice's 文号 pattern, e.g. "克职院纪〔{year}〕{seq}号" ({seq}: the unit's place in
    # units.csv, so a number never moves when scores change); None: no 文号 line.
    notice_number: str | None = None

    def __post_init__(self) -> None:
        root = Path(self.root).resolve()
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "out_dir", Path(self.out_dir or root / "out"))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def contains(self, path: str | Path) -> bool:
        """Whether ``path`` (relative paths taken from the current folder) lies inside."""
        return Path(path).resolve().is_relative_to(self.root)

    def relative(self, path: str | Path) -> str:
        """``path`` as saved: POSIX and relative to the root (``data/2013/arts.yaml``).

        A relative ``path`` is taken from the current folder. A path outside the workspace
        cannot be made relative and is refused: saving it would tie a file to one machine.
        """
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            raise KpaInputError([Problem(
                "路径不在工作区内", "the path lies outside the workspace", value=str(path),
                allowed_zh=f"工作区 {self.root} 内的路径", allowed_en=f"a path inside the "
                f"workspace {self.root}")]) from None

    def shown(self, path: str | Path) -> str:
        """For display: relative to the root when inside it, else the file's name only.

        Reports and messages that leave the office must not carry the analyst's home folder.
        """
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return p.name

    def resolve(self, stored: str | Path) -> Path:
        """A saved (root-relative) path back to an absolute one; never outside the root."""
        p = Path(stored)
        target = (self.root / p).resolve()
        if p.is_absolute() or not target.is_relative_to(self.root):
            raise KpaInputError([Problem(
                "保存的路径须在工作区内", "a saved path must lie inside the workspace",
                value=str(stored), allowed_zh="相对于工作区根目录的路径，如 data/2013/arts.yaml",
                allowed_en="a path relative to the workspace root, e.g. data/2013/arts.yaml")])
        return self.root / p


def read_config(root: Path) -> dict[str, Any]:
    """``kpa.toml`` of ``root`` checked key by key ({} when there is none)."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        # Bounded (#24): a 60 MB or FIFO kpa.toml is refused, not read whole or waited on.
        from kpa_core.store.bounded_read import read_bytes_bounded

        data = tomllib.loads(read_bytes_bounded(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KpaInputError([Problem("工作区配置文件格式错误", f"kpa.toml is not valid TOML: "
                                     f"{exc}", where=str(path))]) from exc
    problems = []
    for key in data:
        if key not in KEYS:
            problems.append(Problem("未知的配置项", "unknown setting", field=key,
                                    value=data[key], allowed_zh="、".join(KEYS),
                                    allowed_en=", ".join(KEYS), where=str(path)))
    for key in ("office", "timezone", "out", "bands", "notice_number"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            problems.append(Problem("配置项须为非空文字", "the setting must be non-empty text",
                                    field=key, value=data[key], allowed_zh="非空文字",
                                    allowed_en="non-empty text", where=str(path)))
    if isinstance(data.get("notice_number"), str) and not _number_pattern_ok(
            data["notice_number"]):
        problems.append(Problem("文号格式须含 {seq}，且只用 {year} 与 {seq}",
                                "the notice number pattern must hold {seq} and use only {year} "
                                "and {seq}", field="notice_number", value=data["notice_number"],
                                allowed_zh="如 克职院纪〔{year}〕{seq}号",
                                allowed_en="e.g. 克职院纪〔{year}〕{seq}号", where=str(path)))
    if "cap_scope" in data and data["cap_scope"] not in CAP_SCOPES:
        problems.append(Problem("选项取值不合法", "option value not allowed", field="cap_scope",
                                value=data["cap_scope"], allowed_zh="|".join(CAP_SCOPES),
                                allowed_en="|".join(CAP_SCOPES), where=str(path)))
    if isinstance(data.get("timezone"), str) and not _known_timezone(data["timezone"]):
        problems.append(Problem("未知的时区", "unknown time zone", field="timezone",
                                value=data["timezone"], allowed_zh="IANA 时区名，如 Asia/Shanghai",
                                allowed_en="an IANA zone name, e.g. Asia/Shanghai",
                                where=str(path)))
    for key in ("out", "bands"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            p = Path(value)
            inside = Path(os.path.normpath(root.resolve() / p)).is_relative_to(root.resolve())
            if p.is_absolute() or not inside:  # lexically; a link is store.links' business
                problems.append(Problem("路径须在工作区内", "the path must lie inside the "
                                        "workspace", field=key, value=value,
                                        allowed_zh="相对于工作区的路径", allowed_en="a path "
                                        "relative to the workspace", where=str(path)))
    if problems:
        raise KpaInputError(problems)
    return data


def _number_pattern_ok(pattern: str) -> bool:
    """A 文号 pattern: text with {seq} (and optionally {year}), nothing else to format."""
    import string

    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError:
        return False
    return "seq" in fields and fields <= {"seq", "year"}


def _known_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def load_workspace(root: str | Path, found_by: str = "") -> Workspace:
    """The workspace rooted at ``root`` with its ``kpa.toml`` settings (defaults without one)."""
    root = Path(root).expanduser().resolve()
    cfg = read_config(root)
    ws = Workspace(root=root, office_name=cfg.get("office", DEFAULT_OFFICE),
                   timezone=cfg.get("timezone", DEFAULT_TIMEZONE),
                   cap_scope=cfg.get("cap_scope"), out_dir=root / cfg.get("out", "out"),
                   bands=root / cfg["bands"] if cfg.get("bands") else None,
                   found_by=found_by, notice_number=cfg.get("notice_number"))
    from kpa_core.store.links import outside_links  # one rule for every kpa folder (#24)

    if problems := outside_links(root, ws.out_dir or root / "out"):
        raise KpaInputError(problems)
    return ws


def nearest_config(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``kpa.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def find_workspace(explicit: str | Path | None = None, start: Path | None = None) -> Workspace:
    """The workspace a command works in: ``explicit``, ``$KPA_WORKSPACE``, or ``kpa.toml`` above.

    An explicitly named folder (argument or environment) need not hold ``kpa.toml`` (the
    defaults apply) but must exist. Raises ``WorkspaceNotFound`` naming everything it tried.
    """
    if explicit not in (None, ""):
        return _named(Path(str(explicit)), "--workspace")
    for env in (ENV_WORKSPACE, ENV_LEGACY):
        if os.environ.get(env):
            return _named(Path(os.environ[env]), f"${env}")
    start = Path(start) if start is not None else Path.cwd()
    folder = nearest_config(start)
    if folder is None:
        raise WorkspaceNotFound(start)
    return load_workspace(folder, found_by=f"{CONFIG_NAME} in {folder}")


def workspace_of(path: str | Path) -> Workspace | None:
    """The workspace a saved file (a params file) belongs to: the nearest ``kpa.toml`` above."""
    folder = nearest_config(Path(path).resolve().parent)
    return load_workspace(folder, found_by=f"{CONFIG_NAME} above {path}") if folder else None


def _named(folder: Path, how: str) -> Workspace:
    if not folder.expanduser().is_dir():
        raise KpaInputError([Problem("工作区文件夹不存在", "the workspace folder does not exist",
                                     field=how, value=str(folder),
                                     allowed_zh="已有的文件夹（用 kpa init DIR 创建）",
                                     allowed_en="an existing folder (create one with kpa init "
                                                "DIR)")])
    return load_workspace(folder, found_by=how)


class WorkspaceNotFound(KpaInputError):
    """No workspace: says where it looked and how to make one."""

    def __init__(self, start: Path) -> None:
        super().__init__([Problem(
            f"找不到工作区：未给出 --workspace，未设置 ${ENV_WORKSPACE}，{start} 及其上级文件夹中"
            f"都没有 {CONFIG_NAME}",
            f"no workspace found: no --workspace given, ${ENV_WORKSPACE} not set, and no "
            f"{CONFIG_NAME} in {start} or any folder above it",
            allowed_zh="在工作区内运行，或用 kpa init DIR [--sample] 新建一个",
            allowed_en="run inside a workspace, or create one with kpa init DIR [--sample]")])
        self.start = start


def shown_path(path: str | Path, data_dir: str | Path | None = None) -> str:
    """A path as outputs show it — never an absolute path of the analyst's machine.

    Relative to the workspace holding it (nearest ``kpa.toml`` above), else to the data
    folder's parent (``data/2013/arts.yaml``), else just the file's name.
    """
    p = Path(path).resolve()
    ws = workspace_of(p) if p.exists() else None
    for base in ([ws.root] if ws else []) + ([Path(data_dir).resolve().parent] if data_dir
                                              else []):
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            continue
    return p.name
