"""Everything one unit's report shows, computed once from checked parameters.

The report notebook is a thin face: it builds a ``ReportContext`` and hands it to the section
and chart functions. Keeping the numbers here (not in notebook cells) means tests can check
them without a kernel, and the warm-kernel batch spends its time rendering, not re-deriving.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from kpa_core import __version__
from kpa_core.errors import KpaInputError, Problem
from kpa_core.report.notebook_params import ReportParams
from kpa_core.rubric.model import Rubric, load_rubric
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import ScoreCard, YearScores, score_record, score_year
from kpa_core.store.bounded_read import (
    active_snapshot,
    load_snapshot,
    read_bytes_bounded,
    reading_from,
    snapshot_exists,
)
from kpa_core.year.data import (
    Unit,
    YearData,
    available_years,
    file_stamp,
    load_units_cached,
    load_year,
    record_path,
    year_dir,
)
from kpa_core.year.inputs import YearInputs


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
    scored: ScoredYear | None = None  # the cached year this context was cut from
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
        if self.scored is not None:
            rows = self.scored.rows_of(self.params.unit).copy()
        else:
            bd = self.year_scores.breakdown
            rows = bd[bd["unit_id"] == self.params.unit].copy()
        order = {rid: n for n, rid in enumerate(self.rubric.rules)}
        rows["order"] = rows["rule"].map(order)
        return rows.sort_values("order").drop(columns="order").reset_index(drop=True)


def sha256_of(path: Path) -> str:
    """The sha256 of an input's bytes as this process reads them (a batch's snapshot, or
    the disk, bounded): the footer names the bytes the report was computed from."""
    return hashlib.sha256(read_bytes_bounded(path)).hexdigest()


def scores_sha256(tables: list[pd.DataFrame]) -> str:
    """Digest of score tables: what a report's rank, median and history are derived from.

    Hashing the scores rather than every record file means an edit to another unit's stated
    reason does not make this unit's report out of date; an edit that moves any score does.
    It writes the tables as CSV (O(units)), so callers compute it once per year, not per unit.
    """
    h = hashlib.sha256()
    for t in tables:
        cols = [c for c in t.columns if c != "unit"]
        h.update(t.sort_index()[cols].to_csv(float_format="%.6g").encode("utf-8") + b"\f")
    return h.hexdigest()


def shared_fingerprints(data_dir: Path, table: pd.DataFrame, earlier: list[pd.DataFrame],
                        units_sha256: str | None = None) -> dict[str, str]:
    """The inputs every unit of a year shares: units.csv and the score tables (once per batch).

    ``units_sha256``: the hash of units.csv as the caller read it (``YearInputs``).
    """
    out = {"units.csv": units_sha256 or sha256_of(Path(data_dir) / "units.csv"),
           "year scores": scores_sha256([table])}
    if earlier:
        out["earlier years"] = scores_sha256(earlier)
    return out


def data_fingerprints(data_dir: Path, year: int, unit_id: str, table: pd.DataFrame,
                      earlier: list[pd.DataFrame],
                      shared: dict[str, str] | None = None,
                      inputs: YearInputs | None = None) -> dict[str, str]:
    """The sha256 of every input a unit's report reads (shown in its footer, keys the batch).

    ``shared`` is ``shared_fingerprints`` of the same tables, computed once by the caller: per
    unit only the unit's own files are hashed, so a batch stays linear in the number of units.
    ``inputs``: the year as the batch read it; its files' hashes are taken, not read again.
    """
    shared = shared if shared is not None else shared_fingerprints(data_dir, table, earlier)
    known = inputs.assessor.sha256 if inputs is not None else {}
    own_known = inputs.self_assessed.sha256 if inputs is not None else {}
    record = known.get(unit_id) or sha256_of(record_path(data_dir, year, unit_id))
    out = {"record": record, **shared}
    ledger = Path(data_dir) / str(int(year) - 1) / "audit-log.jsonl"  # 上年整改情况 (#23)
    if ledger.is_file():
        out[f"ledger {int(year) - 1}"] = sha256_of(ledger)
    own = record_path(data_dir, year, unit_id, role="self")
    if snapshot_exists(own):
        out["self"] = own_known.get(unit_id) or sha256_of(own)
    return out


@dataclass
class ScoredYear:
    """A year's scores under one rubric and cap scope, with its records and the table digest."""

    scores: YearScores
    records: dict[str, Record]
    digest: str
    _rows: dict[str, pd.DataFrame] | None = None

    def rows_of(self, unit_id: str) -> pd.DataFrame:
        """One unit's breakdown rows; the year's breakdown is split by unit once, not per unit."""
        if self._rows is None:
            bd = self.scores.breakdown
            self._rows = {str(u): g for u, g in bd.groupby("unit_id", sort=False)}
        rows = self._rows.get(unit_id)
        return rows if rows is not None else self.scores.breakdown.iloc[0:0]


def earlier_years(data_dir: Path, year: int, rubric: Rubric, cap_scope: str | None,
                  units: dict[str, Unit], inputs: YearInputs | None = None
                  ) -> list[tuple[int, pd.DataFrame, dict[str, Record]]]:
    """Score tables of the years before ``year`` that used the same rubric (comparable areas).

    ``inputs``: the years as the batch read them (``YearInputs.earlier``), not read again.
    """
    out = []
    for y in available_years(data_dir) if inputs is None else inputs.earlier:
        if y >= year:
            continue
        try:
            scored = scored_year(data_dir, y, units, rubric, cap_scope,
                                 loaded=None if inputs is None else inputs.earlier[y])
        except KpaInputError:
            continue
        if scored is not None:
            out.append((y, scored.scores.table, scored.records))
    return out


_YEAR_CACHE: dict[tuple[Any, ...], YearData] = {}
_SCORED_CACHE: dict[tuple[Any, ...], ScoredYear | None] = {}
_CACHE_SIZE = 8


def _remember(cache: dict[tuple[Any, ...], Any], key: tuple[Any, ...], make: Any) -> Any:
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = make()
    return cache[key]


_KEYS_NOW: dict[tuple[str, int], tuple[Any, ...] | None] | None = None  # in build_context


def year_key(data_dir: Path, year: int) -> tuple[Any, ...] | None:
    """The cache key of a year's files (None when a file vanished while we looked).

    A report asks for it five times (year, scores, earlier years, their digest); within one
    ``build_context`` the answer is remembered, so each unit lists each year's folder once.
    """
    snap = active_snapshot()
    if snap is not None:  # the snapshot's bytes never change: its id keys the caches
        return ("snapshot", snap.ident, id(snap), str(Path(data_dir).resolve()), year)
    if _KEYS_NOW is None:
        return _year_key(data_dir, year)
    now = (str(data_dir), year)
    if now not in _KEYS_NOW:
        _KEYS_NOW[now] = _year_key(data_dir, year)
    return _KEYS_NOW[now]


def _year_key(data_dir: Path, year: int) -> tuple[Any, ...] | None:
    try:
        with os.scandir(year_dir(data_dir, year)) as it:
            files = sorted(file_stamp(e) for e in it if e.name.endswith((".yaml", ".yml")))
        return (str(Path(data_dir).resolve()), year, file_stamp(Path(data_dir) / "units.csv"),
                tuple(files))
    except OSError:
        return None


def cached_year(data_dir: Path, year: int, units: dict[str, Unit]) -> YearData:
    """``load_year(strict=False)``, remembered while no file of the year (or units.csv) changes.

    Why: every report reads its whole year (rank, median) and the earlier years. In a warm
    kernel that renders unit after unit, re-parsing the same YAML files for each unit is most
    of the context's cost, and for an office with thousands of units it would grow with the
    square of the count. The key is every file's ``year.data.file_stamp``, so any edit is seen,
    however quick; callers treat the result as read-only.
    """
    key = year_key(data_dir, year)
    if key is None:
        return load_year(data_dir, year, strict=False, units=units)
    return _remember(_YEAR_CACHE, key,
                     lambda: load_year(data_dir, year, strict=False, units=units))


def scored_year(data_dir: Path, year: int, units: dict[str, Unit], rubric: Rubric,
                cap_scope: str | None, loaded: YearData | None = None) -> ScoredYear | None:
    """The year's records of ``rubric`` scored once (None when it has none), remembered too.

    ``loaded``: the year already read by the caller (scored, not remembered: the caller holds
    it for the whole command).
    """
    def make() -> ScoredYear | None:
        data = loaded if loaded is not None else cached_year(data_dir, year, units)
        recs = {r.unit_id: r for r in data.records if r.rubric == rubric.id}
        if not recs:
            return None
        scores = score_year(list(recs.values()), cap_scope, rubric)
        return ScoredYear(scores, recs, scores_sha256([scores.table]))

    key = year_key(data_dir, year) if loaded is None else None
    if key is None:
        return make()
    return _remember(_SCORED_CACHE, (key, rubric.id, rubric.sha256, cap_scope), make)


_EARLIER_DIGESTS: dict[tuple[Any, ...], str] = {}


def _earlier_digest(data_dir: Path, earlier: list[tuple[int, pd.DataFrame, Any]],
                    units: dict[str, Unit], rubric: Rubric, cap_scope: str | None) -> str:
    """``scores_sha256`` of the earlier years' tables, once per set of unchanged years."""
    key = (tuple(year_key(data_dir, y) for y, _, _ in earlier), rubric.sha256, cap_scope)
    if None in key[0]:
        return scores_sha256([t for _, t, _ in earlier])
    return _remember(_EARLIER_DIGESTS, key, lambda: scores_sha256([t for _, t, _ in earlier]))


def _broken_unit_error(params: ReportParams, problems: list[Problem]) -> KpaInputError:
    return KpaInputError([p.located(unit=params.unit) for p in problems]
                         or [Problem("该单位没有考核记录", "the unit has no record for that year",
                                     unit=params.unit, field="year", value=params.year)])


def build_context(params: ReportParams) -> ReportContext:
    """Load the year (and earlier years), score everything, and pick out the unit."""
    global _KEYS_NOW
    _KEYS_NOW = {}  # each year's folder listed once for this unit, afresh for the next
    try:
        return _build_context(params)
    finally:
        _KEYS_NOW = None


def _build_context(params: ReportParams) -> ReportContext:
    data_dir = Path(params.data_dir)
    units = load_units_cached(data_dir)
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
    scored = scored_year(data_dir, params.year, units, rubric, params.cap_scope)
    assert scored is not None  # ``own`` is one of its records
    scores = scored.scores
    card = score_record(own, cap_scope=params.cap_scope, rubric=rubric)

    earlier = earlier_years(data_dir, params.year, rubric, params.cap_scope, units)
    history = [History(y, t, score_record(recs[params.unit], params.cap_scope, rubric)
                       if params.unit in recs else None) for y, t, recs in earlier]
    history.append(History(params.year, scores.table, card))

    self_record, self_compare = load_self(data_dir, params, own)
    shared = {"units.csv": sha256_of(data_dir / "units.csv"), "year scores": scored.digest}
    if earlier:
        shared["earlier years"] = _earlier_digest(data_dir, earlier, units, rubric,
                                                  params.cap_scope)
    data_sha = data_fingerprints(data_dir, params.year, params.unit, scores.table,
                                 [h.table for h in history[:-1]], shared=shared)
    return ReportContext(params=params, unit=units[params.unit], record=own, card=card,
                         rubric=rubric, year_scores=scores, history=history,
                         self_record=self_record, self_compare=self_compare,
                         data_sha256=data_sha,
                         problems_elsewhere={k: v for k, v in year.problems.items()
                                             if k != params.unit}, scored=scored)


def load_self(data_dir: Path, params: ReportParams,
              own: Record) -> tuple[Record | None, pd.DataFrame | None]:
    """The unit's self-assessment and its rule-by-rule comparison, when one was filed."""
    path = record_path(data_dir, params.year, params.unit, role="self")
    if not snapshot_exists(path):
        return None, None
    from kpa_core.scoring.compare import compare_records  # optional face: absent in old installs
    from kpa_core.scoring.record import load_record

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
    from kpa_core.report.notebook_params import ReportParamError, check_report_params

    snapshot = given.pop("snapshot", None)
    try:
        snap = load_snapshot(snapshot) if snapshot else None
    except (OSError, KpaInputError) as exc:
        problems = exc.problems if isinstance(exc, KpaInputError) else [Problem(
            "报告批次的数据快照不存在", "the batch's data snapshot is missing", field="snapshot",
            value=str(snapshot)[:200])]
        raise ReportParamError(problems) from None
    with reading_from(snap):  # a batch's kernel renders the bytes the batch hashed
        params = check_report_params(**given)
        try:
            return build_context(params)
        except ReportParamError:
            raise
        except KpaInputError as exc:
            raise ReportParamError(exc.problems) from None
