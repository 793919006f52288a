"""Everything one unit's report shows, computed once from checked parameters.

The report notebook is a thin face: it builds a ``ReportContext`` and hands it to the section
and chart functions. Keeping the numbers here (not in notebook cells) means tests can check
them without a kernel, and the warm-kernel batch spends its time rendering, not re-deriving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core import __version__
from kpa_core.campaign import (
    Unit,
    YearData,
    available_years,
    load_units,
    load_year,
    record_path,
    year_dir,
)
from kpa_core.errors import KpaInputError, Problem
from kpa_core.record import Record
from kpa_core.report_params import ReportParams
from kpa_core.rubric import Rubric, load_rubric
from kpa_core.scoring import ScoreCard, YearScores, score_record, score_year


@dataclass
class History:
    """One earlier (or the current) year: the unit's card if it was scored, and the year's table."""

    year: int
    table: pd.DataFrame
    card: ScoreCard | None


@dataclass
class ReportContext:
    """The checked inputs and derived numbers of one unit's report."""

    params: ReportParams
    unit: Unit
    record: Record
    card: ScoreCard
    rubric: Rubric
    year_scores: YearScores
    history: list[History]
    self_record: Record | None
    self_compare: pd.DataFrame | None
    data_sha256: dict[str, str]
    problems_elsewhere: dict[str, list[Problem]] = field(default_factory=dict)
    made: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    kpa_version: str = __version__

    @property
    def table(self) -> pd.DataFrame:
        return self.year_scores.table

    @property
    def rank(self) -> int:
        return int(self.table.loc[self.params.unit, "rank"])

    @property
    def n_units(self) -> int:
        return len(self.table)

    def median(self, column: str = "total") -> float:
        return float(self.table[column].median())

    def unit_breakdown(self) -> pd.DataFrame:
        """This unit's deductions and bonuses, one row per rule, in rubric order."""
        bd = self.year_scores.breakdown
        rows = bd[bd["unit_id"] == self.params.unit].copy()
        order = {rid: n for n, rid in enumerate(self.rubric.rules)}
        rows["order"] = rows["rule"].map(order)
        return rows.sort_values("order").drop(columns="order").reset_index(drop=True)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scores_sha256(tables: list[pd.DataFrame]) -> str:
    """Digest of score tables: what a report's rank, median and history are derived from.

    Hashing the scores rather than every record file means an edit to another unit's stated
    reason does not make this unit's report out of date; an edit that moves any score does.
    """
    h = hashlib.sha256()
    for t in tables:
        cols = [c for c in t.columns if c != "unit"]
        h.update(t.sort_index()[cols].to_csv(float_format="%.6g").encode("utf-8") + b"\f")
    return h.hexdigest()


def data_fingerprints(data_dir: Path, year: int, unit_id: str, table: pd.DataFrame,
                      earlier: list[pd.DataFrame]) -> dict[str, str]:
    """The sha256 of every input a unit's report reads (shown in its footer, keys the batch)."""
    out = {"record": sha256_of(record_path(data_dir, year, unit_id)),
           "units.csv": sha256_of(Path(data_dir) / "units.csv"),
           "year scores": scores_sha256([table])}
    if earlier:
        out["earlier years"] = scores_sha256(earlier)
    own = record_path(data_dir, year, unit_id, role="self")
    if own.is_file():
        out["self"] = sha256_of(own)
    return out


def earlier_years(data_dir: Path, year: int, rubric: Rubric, cap_scope: str | None,
                  units: dict[str, Unit]) -> list[tuple[int, pd.DataFrame, dict[str, Record]]]:
    """Score tables of the years before ``year`` that used the same rubric (comparable areas)."""
    out = []
    for y in available_years(data_dir):
        if y >= year:
            continue
        try:
            earlier = cached_year(data_dir, y, units)
        except KpaInputError:
            continue
        recs = {r.unit_id: r for r in earlier.records if r.rubric == rubric.id}
        if recs:
            out.append((y, score_year(list(recs.values()), cap_scope, rubric).table, recs))
    return out


_YEAR_CACHE: dict[tuple[Any, ...], YearData] = {}
_YEAR_CACHE_SIZE = 8


def _stamp(path: Path) -> tuple[str, str]:
    return (path.name, sha256_of(path))


def cached_year(data_dir: Path, year: int, units: dict[str, Unit]) -> YearData:
    """``load_year(strict=False)``, remembered while no file of the year (or units.csv) changes.

    Why: every report reads its whole year (rank, median) and the earlier years. In a warm
    kernel that renders unit after unit, re-parsing the same YAML files for each unit is most
    of the context's cost, and for an office with thousands of units it would grow with the
    square of the count. The key is every file's name and sha256 (hashing is ~50× cheaper
    than parsing), so any edit is seen, however quick; callers treat the result as read-only.
    """
    folder = year_dir(data_dir, year)
    try:
        key = (str(Path(data_dir).resolve()), year, _stamp(Path(data_dir) / "units.csv"),
               tuple(_stamp(p) for p in sorted(folder.glob("*.yaml"))))
    except OSError:  # a file vanished while we looked: do not cache
        return load_year(data_dir, year, strict=False, units=units)
    if key not in _YEAR_CACHE:
        if len(_YEAR_CACHE) >= _YEAR_CACHE_SIZE:
            _YEAR_CACHE.pop(next(iter(_YEAR_CACHE)))
        _YEAR_CACHE[key] = load_year(data_dir, year, strict=False, units=units)
    return _YEAR_CACHE[key]


def _broken_unit_error(params: ReportParams, problems: list[Problem]) -> KpaInputError:
    return KpaInputError([p.located(unit=params.unit) for p in problems]
                         or [Problem("该单位没有考核记录", "the unit has no record for that year",
                                     unit=params.unit, field="year", value=params.year)])


def build_context(params: ReportParams) -> ReportContext:
    """Load the year (and earlier years), score everything, and pick out the unit."""
    data_dir = Path(params.data_dir)
    units = load_units(data_dir)
    year = cached_year(data_dir, params.year, units)
    own = next((r for r in year.records if r.unit_id == params.unit), None)
    if own is None:
        raise _broken_unit_error(params, year.problems.get(params.unit, []))
    if params.rubric and own.rubric != params.rubric:
        raise KpaInputError([Problem("记录使用的考核细则与参数不符",
                                     "the record uses another rubric than the parameter",
                                     unit=own.unit, field="rubric", value=own.rubric,
                                     allowed_zh=params.rubric, allowed_en=params.rubric,
                                     where=own.source)])
    rubric = load_rubric(own.rubric)
    same_rubric = [r for r in year.records if r.rubric == rubric.id]
    scores = score_year(same_rubric, cap_scope=params.cap_scope, rubric=rubric)
    card = score_record(own, cap_scope=params.cap_scope, rubric=rubric)

    history = [History(y, t, score_record(recs[params.unit], params.cap_scope, rubric)
                       if params.unit in recs else None)
               for y, t, recs in earlier_years(data_dir, params.year, rubric, params.cap_scope,
                                               units)]
    history.append(History(params.year, scores.table, card))

    self_record, self_compare = load_self(data_dir, params, own)
    data_sha = data_fingerprints(data_dir, params.year, params.unit, scores.table,
                                 [h.table for h in history[:-1]])
    return ReportContext(params=params, unit=units[params.unit], record=own, card=card,
                         rubric=rubric, year_scores=scores, history=history,
                         self_record=self_record, self_compare=self_compare,
                         data_sha256=data_sha,
                         problems_elsewhere={k: v for k, v in year.problems.items()
                                             if k != params.unit})


def load_self(data_dir: Path, params: ReportParams,
              own: Record) -> tuple[Record | None, pd.DataFrame | None]:
    """The unit's self-assessment and its rule-by-rule comparison, when one was filed."""
    path = record_path(data_dir, params.year, params.unit, role="self")
    if not path.is_file():
        return None, None
    from kpa_core.compare import compare_records  # optional face: absent in old installs
    from kpa_core.record import load_record

    self_record = load_record(path, unit_id=params.unit)
    return self_record, compare_records(own, self_record, cap_scope=params.cap_scope)


def attainment(card: ScoreCard, rubric: Rubric) -> dict[str, float]:
    """Score as a share of the points, per area and sub-area (and the bonus), in percent."""
    out = {a: 100.0 * s / rubric.areas[a].points for a, s in card.area_scores.items()}
    out["S"] = 100.0 * card.bonus / rubric.bonus_cap
    return out


def median_attainment(table: pd.DataFrame, rubric: Rubric) -> dict[str, float]:
    """The year's median score per area as a share of its points, in percent."""
    out = {a.id: 100.0 * float(table[a.id].median()) / a.points
           for a in rubric.areas.values() if a.part == "basic"}
    out["S"] = 100.0 * float(table["bonus"].median()) / rubric.bonus_cap
    return out


def summary_row(ctx: ReportContext) -> dict[str, Any]:
    """The headline numbers (used by tests and by the index page)."""
    return {"unit": ctx.record.unit, "unit_id": ctx.params.unit, "year": ctx.params.year,
            "basic": ctx.card.basic, "bonus": ctx.card.bonus, "total": ctx.card.total,
            "rank": ctx.rank, "n_units": ctx.n_units, "median": ctx.median()}


def open_report(**given: Any) -> ReportContext:
    """The notebook's entry: check the parameters, build the context, fail as one clear message.

    Any input problem (bad parameter, broken record) is re-raised as ``ReportParamError`` so
    that Jupyter and the exported notebook show the bilingual message, not a traceback.
    """
    from kpa_core.report_params import ReportParamError, check_report_params

    params = check_report_params(**given)
    try:
        return build_context(params)
    except ReportParamError:
        raise
    except KpaInputError as exc:
        raise ReportParamError(exc.problems) from None
