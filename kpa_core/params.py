"""Saved run parameters: everything a rerun needs, and the scores it produced.

A params file is written by the report batch (one per unit) and by the what-if notebook (one
per scenario). It embeds the record's entries and names the data file with its sha256, pins
the rubric by id and content hash, and keeps the resulting scores, so that years later
``kpa reproduce`` can rescore and show exactly what, if anything, changed.

Layout (``params/<year>/<unit id>.yaml``)::

    kpa_params: 1
    kind: report | scenario
    made: 2026-11-27T09:00:00+00:00
    kpa_version: 0.1.0
    rubric: {id: kvtc-2013-draft, sha256: …}
    options: {cap_scope: subarea}
    year: 2013
    unit: 石油工程系
    unit_id: petroleum
    record: {path: data/2013/petroleum.yaml, sha256: …, data: {…the record…}}
    scores: {basic: …, bonus: …, total: …, areas: {…}, special: {…}}
    grades: null            # optional grade bands (see grading)
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpa_core import __version__
from kpa_core.atomic import atomic_write_text
from kpa_core.record import Record, dump_yaml
from kpa_core.scoring import ScoreCard

PARAMS_FORMAT = 1


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (the data file a report read)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scores_of(card: ScoreCard) -> dict[str, Any]:
    """The scores kept in a params file: what a rerun must match."""
    return {"basic": card.basic, "bonus": card.bonus, "total": card.total,
            "areas": dict(card.area_scores), "special": dict(card.special)}


def make_params(record: Record, card: ScoreCard, kind: str = "report",
                record_path: str | Path | None = None, grades: dict[str, Any] | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the params mapping for one scored record."""
    rec: dict[str, Any] = {"data": record.to_data()}
    if record_path is not None:
        rec = {"path": str(record_path), "sha256": file_sha256(record_path), **rec}
    params = {
        "kpa_params": PARAMS_FORMAT,
        "kind": kind,
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "kpa_version": __version__,
        "rubric": {"id": card.rubric_id, "sha256": card.rubric_sha256},
        "options": {"cap_scope": card.cap_scope},
        "year": record.year,
        "unit": record.unit,
        "unit_id": record.unit_id,
        "record": rec,
        "scores": scores_of(card),
        "grades": grades,
    }
    if extra:
        params.update(extra)
    return params


def write_params(path: str | Path, params: dict[str, Any]) -> Path:
    """Write a params file atomically."""
    return atomic_write_text(Path(path), dump_yaml(params))
