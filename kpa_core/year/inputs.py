"""One year as a batch sees it, read once: units, records, self-assessments, earlier years.

Why (issue #18): the report batch used to reach ``load_year`` from planning, the params, the
overview (twice) and the fingerprints, and hashed every record file again after parsing it.
A ``YearInputs`` is made once per command and handed on; each file of the data folder is
read once, and the sha256 of the very bytes parsed travels with the records. The notebook
kernel still reads by itself (``report.context``): it is another process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kpa_core.errors import KpaInputError
from kpa_core.store.bounded_read import Snapshot, recording
from kpa_core.store.layout import available_years
from kpa_core.year.data import Unit, YearData, load_year, units_with_sha256


@dataclass(frozen=True)
class YearInputs:
    """Everything a year's reports are computed from, as read from disk once.

    ``assessor`` and ``self_assessed`` are ``load_year(strict=False)``: the records that
    loaded, the problems of those that did not, and each file's sha256. ``earlier`` holds the
    assessors' records of every earlier year that loads (history, movers, the previous year).
    """

    data_dir: Path
    year: int
    units: dict[str, Unit]
    units_sha256: str
    assessor: YearData
    self_assessed: YearData
    earlier: dict[int, YearData] = field(default_factory=dict)
    earlier_years: tuple[int, ...] = ()  # every earlier year with a folder, loaded or not
    # The bytes of every file read above and the names of every folder listed: the report
    # kernels render from these, not from the disk (``store.bounded_read.Snapshot``).
    snapshot: Snapshot | None = None


def _quiet(data_dir: Path, year: int, role: str, units: dict[str, Unit]) -> YearData | None:
    try:
        return load_year(data_dir, year, role=role, strict=False, units=units)
    except KpaInputError:  # no folder for that year or role, or a half-done import
        return None


def read_year_inputs(data_dir: str | Path, year: int) -> YearInputs:
    """Read the year (assessors' and self records), its earlier years and units.csv, once.

    The assessors' year raises as ``load_year`` does (no folder, an interrupted import); the
    self-assessments and earlier years are left out quietly when they cannot be read, as the
    reports and the overview always did.
    """
    data = Path(data_dir)
    with recording() as snapshot:
        units, units_sha256 = units_with_sha256(data)
        assessor = load_year(data, year, strict=False, units=units)
        own = _quiet(data, year, "self", units) or YearData(year=year, role="self", records=[])
        before = tuple(y for y in available_years(data) if y < year)
        earlier = {y: loaded for y in before if (loaded := _quiet(data, y, "assessor", units))}
    return YearInputs(data, year, units, units_sha256, assessor, own, earlier, before, snapshot)
