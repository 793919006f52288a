"""Where a year's files live in the data folder, and the unit id that names them.

Every room that touches a record file asks here, so a unit id is checked before it ever
becomes part of a path (``check_unit_id``): no name becomes a path unchecked. It sits at the
ground (``store``) because the audit log, the import journal and the year's loader all need
it, and none of them may import another room to get a path.

Imports: ``errors`` only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem

UNIT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ROLE_FOLDERS = {"assessor": "", "self": "self"}


def check_unit_id(unit_id: Any) -> list[Problem]:
    """Unit ids become file names, so only a safe lowercase slug is accepted."""
    if isinstance(unit_id, str) and UNIT_ID_PATTERN.match(unit_id):
        return []
    return [
        Problem(
            "单位编号不合法",
            "invalid unit id",
            field="unit_id",
            value=unit_id,
            allowed_zh="小写字母、数字、- 或 _，1–64 个字符",
            allowed_en="lowercase letters, digits, - or _, 1–64 characters",
        )
    ]



def year_dir(data_dir: str | Path, year: int, role: str = "assessor") -> Path:
    return Path(data_dir) / str(year) / ROLE_FOLDERS[role]


def record_path(data_dir: str | Path, year: int, unit_id: str, role: str = "assessor") -> Path:
    """Where a unit's record lives; the id is checked first so it can never escape the folder."""
    problems = check_unit_id(unit_id)
    if problems:
        raise KpaInputError(problems)
    return year_dir(data_dir, year, role) / f"{unit_id}.yaml"


YEAR_FOLDER = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() accepts "²" and "٢"


def is_year_folder(name: str) -> bool:
    """Whether a folder name is a year: exactly four ASCII digits (``data/²`` is not)."""
    return YEAR_FOLDER.fullmatch(name) is not None


def available_years(data_dir: str | Path) -> list[int]:
    return sorted(int(p.name) for p in Path(data_dir).iterdir()
                  if is_year_folder(p.name) and p.is_dir())
