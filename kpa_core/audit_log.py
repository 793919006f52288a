"""The audit log of a year: who changed which record or scenario, when, what and why.

One JSON object per line in ``data/<year>/audit-log.jsonl``, only ever appended, so that a
reviewer can replay the history of every score and two analysts' lines never overwrite each
other. Each line is written with a single ``write`` on a file opened in append mode (POSIX
appends of one short line do not interleave) and flushed to disk before the save returns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem

AUDIT_NAME = "audit-log.jsonl"
LOCK_NAME = ".kpa-save.lock"
ACTIONS = {
    "save_record": ("保存考核记录", "record saved"),
    "save_scenario": ("保存假设方案", "what-if scenario saved"),
}


def audit_path(data_dir: str | Path, year: int) -> Path:
    """``data/<year>/audit-log.jsonl``; the year is an int, so it cannot escape the folder."""
    return Path(data_dir) / str(int(year)) / AUDIT_NAME


def check_who_why(who: Any, why: Any, unit: str | None = None) -> list[Problem]:
    """An audit line without a person and a purpose is worthless; both must be given."""
    problems = []
    if not isinstance(who, str) or not who.strip():
        problems.append(Problem("须填写保存人", "who is saving must be given", unit=unit,
                                field="who", value=who, allowed_zh="非空文字（姓名）",
                                allowed_en="non-empty text (a name)"))
    if not isinstance(why, str) or not why.strip():
        problems.append(Problem("须填写保存原因", "why it is saved must be given", unit=unit,
                                field="why", value=why, allowed_zh="非空文字（修改原因）",
                                allowed_en="non-empty text (the purpose of the change)"))
    return problems


def append_audit(data_dir: str | Path, year: int, *, who: str, why: str, action: str,
                 unit_id: str, unit: str, what: dict[str, Any],
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one line and return it; raises ``KpaInputError`` if who/why/action are missing."""
    problems = check_who_why(who, why, unit)
    if action not in ACTIONS:
        problems.append(Problem("未知的操作", "unknown action", unit=unit, field="action",
                                value=action, allowed_zh="、".join(ACTIONS),
                                allowed_en=", ".join(ACTIONS)))
    if problems:
        raise KpaInputError(problems)
    line = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who.strip(),
        "action": action,
        "year": int(year),
        "unit_id": unit_id,
        "unit": unit,
        "what": what,
        "why": why.strip(),
        **(extra or {}),
    }
    path = audit_path(data_dir, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(line, ensure_ascii=False, sort_keys=False, default=str) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return line


def read_audit(data_dir: str | Path, year: int) -> list[dict[str, Any]]:
    """Every line of a year's log, oldest first (an absent log is an empty history)."""
    path = audit_path(data_dir, year)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@contextmanager
def year_lock(data_dir: str | Path, year: int) -> Iterator[None]:
    """Serialise check-then-write saves of one year between processes (where flock exists).

    The stale-write check compares the file on disk with what was loaded; holding this lock
    from the check until the audit line is written closes the window in which two analysts
    saving the same unit at the same moment could both pass the check.
    """
    folder = Path(data_dir) / str(int(year))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the sha256 check alone still applies
        yield
        return
    with (folder / LOCK_NAME).open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
