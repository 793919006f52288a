"""The store's bounds, from ``kpa.toml``'s ``[evidence]`` table (every key optional)::

    [evidence]
    max_file_mb = 50      # one file
    max_year_mb = 2048    # everything stored for one year
    types = ["pdf", "image", "office", "text", "audio", "video"]

Why bounded: the folder is shared and backed up for years; a 2 GB video dropped by mistake, or
a year that fills the disk, must be refused with a message, not discovered by the backup.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.media import KINDS

MB = 1024 * 1024
KEYS = ("max_file_mb", "max_year_mb", "types")


@dataclass(frozen=True)
class EvidenceSettings:
    max_file_mb: float = 50
    max_year_mb: float = 2048
    types: tuple[str, ...] = KINDS

    @property
    def max_file(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_year(self) -> int:
        return int(self.max_year_mb * MB)


def settings_from(table: Any, where: str = "kpa.toml") -> EvidenceSettings:
    """The ``[evidence]`` table checked key by key; every problem at once."""
    if table is None:
        return EvidenceSettings()
    problems = []
    if not isinstance(table, dict):
        raise KpaInputError([Problem("[evidence] 须为表", "[evidence] must be a table",
                                     field="evidence", value=table, where=where,
                                     allowed_zh="、".join(KEYS), allowed_en=", ".join(KEYS))])
    for key in table:
        if key not in KEYS:
            problems.append(Problem("未知的配置项", "unknown setting", field=f"evidence.{key}",
                                    value=table[key], allowed_zh="、".join(KEYS),
                                    allowed_en=", ".join(KEYS), where=where))
    values: dict[str, Any] = {}
    for key in ("max_file_mb", "max_year_mb"):
        if key in table:
            v = table[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1_000_000:
                problems.append(Problem("须为正数（MB）", "must be a positive number of MB",
                                        field=f"evidence.{key}", value=v, where=where,
                                        allowed_zh="0–1000000", allowed_en="0–1000000"))
            else:
                values[key] = float(v)
    if "types" in table:
        v = table["types"]
        if not isinstance(v, list) or not v or any(t not in KINDS for t in v):
            problems.append(Problem("允许的类型不合法", "types not allowed",
                                    field="evidence.types", value=v, where=where,
                                    allowed_zh="、".join(KINDS), allowed_en=", ".join(KINDS)))
        else:
            values["types"] = tuple(v)
    if problems:
        raise KpaInputError(problems)
    return EvidenceSettings(**values)


def load_settings(data_dir: str | Path) -> EvidenceSettings:
    """The settings of the workspace holding ``data_dir`` (nearest ``kpa.toml`` above it)."""
    folder = Path(data_dir).resolve()
    for candidate in (folder, *folder.parents):
        config = candidate / "kpa.toml"
        if config.is_file():
            try:
                data = tomllib.loads(config.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                return EvidenceSettings()  # the workspace loader names a broken kpa.toml
            return settings_from(data.get("evidence"), str(config))
    return EvidenceSettings()
