"""``kpa verify``'s evidence check: every cited file is in the store and matches its hash.

Reads each record of the year as plain data (``store.yaml_io``), so a record that no longer
parses is still checked, and names for each failure the record, the rule and the file. The
record's own sha256 is the chain's business (``audit.verify``); this module vouches for the
files the record points to.
"""

from __future__ import annotations

from pathlib import Path

from kpa_core.errors import KpaInputError
from kpa_core.evidence.citation import cited_in
from kpa_core.evidence.store import stored_status
from kpa_core.store.layout import ROLE_FOLDERS, year_dir
from kpa_core.store.yaml_io import read_yaml


def record_files(data_dir: Path, year: int) -> list[Path]:
    """The year's record files, assessors' and self-assessments'."""
    out: list[Path] = []
    for role in ROLE_FOLDERS:
        folder = year_dir(data_dir, year, role)
        if folder.is_dir():
            out += sorted(folder.glob("*.yaml"))
    return out


def check_cited(data_dir: str | Path, year: int) -> list[str]:
    """One failure line per cited file that is missing, changed or unreadable."""
    data_dir = Path(data_dir)
    failures: list[str] = []
    for path in record_files(data_dir, year):
        try:
            data = read_yaml(path)
        except KpaInputError:
            continue  # an unreadable record is named by the record checks
        entries = data.get("entries") if isinstance(data, dict) else None
        for rule_id, item in cited_in(entries):
            status = stored_status(data_dir, year, item["sha256"])
            if status is not None:
                name = str(item.get("name", ""))[:80]
                failures.append(
                    f"{path}：规则 {rule_id} 的佐证材料“{name}”（sha256 {item['sha256'][:12]}）"
                    f"{status[0]} / rule {rule_id}: evidence file {name!r} "
                    f"({item['sha256'][:12]}): {status[1]}")
    return failures
