"""The batch's printed documents: the year's summary (XLSX + HTML) and, with ``--pdf``, PDFs.

Kept apart from ``report.batch`` so the batch only calls ``write_documents`` after its units
are rendered. A PDF is (re)printed when it is missing or older than its HTML, so a rerun over
unchanged inputs prints nothing; a page that fails to print is listed like a failed unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the command builds DocumentOptions before deciding
    import pandas as pd  # whether anything needs scoring (report_quick)

    from kpa_core.rubric.model import Rubric
    from kpa_core.scoring.record import Record


@dataclass(frozen=True)
class DocumentOptions:
    """What the printed documents need beyond the scores (all optional)."""

    pdf: bool = False
    lang: str | None = None
    office: str | None = None
    timezone: str | None = None
    bands: str | None = None
    jobs: int | None = None  # browser tabs printing at once (default: cores)
    notice_number: str | None = None  # 文号 pattern (kpa.toml), e.g. 克职院纪〔{year}〕{seq}号
    docx: bool = False  # also Word copies: <unit>-通知书.docx and summary.docx

    def number_of(self, year: int, unit_id: str, unit_ids: list[str]) -> str | None:
        """The unit's 文号 (None without a pattern): its place in units.csv, never its rank."""
        from kpa_core.report.notice_form import notice_number

        return notice_number(self.notice_number, year, unit_id, unit_ids)

    def fingerprint(self) -> str:
        """The bands file's sha256: editing the bands re-renders the notices (the grade)."""
        if not self.bands or not Path(self.bands).is_file():
            return ""
        import hashlib

        return hashlib.sha256(Path(self.bands).read_bytes()).hexdigest()

    def notebook_parameters(self) -> dict[str, Any]:
        """Only what was set: unchanged runs keep their input keys (and are skipped)."""
        return {k: v for k, v in (("lang", self.lang), ("office", self.office),
                                  ("timezone", self.timezone), ("bands", self.bands)) if v}


@dataclass
class DocumentResult:
    written: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # file name → cause


def year_grades(records: Iterable[Record], rubric: Rubric, bands_path: str | None,
                cap_scope: str | None) -> dict[str, str] | None:
    """unit id → grade (等次) when a bands file is given, else None (no grade column)."""
    if not bands_path:
        return None
    from kpa_core.scoring.grading import grade_card, load_bands
    from kpa_core.scoring.score import score_record

    bands = load_bands(bands_path, rubric)
    return {r.unit_id: grade_card(score_record(r, cap_scope=cap_scope, rubric=rubric),
                                  bands).grade
            for r in records if r.rubric == rubric.id and r.unit_id}


def stale(html: Path, pdf: Path) -> bool:
    return not pdf.is_file() or pdf.stat().st_mtime_ns < html.stat().st_mtime_ns


def write_documents(out_dir: Path, year: int, table: pd.DataFrame | None,
                    rubric: Rubric | None, records: Iterable[Record], units: Iterable[str],
                    options: DocumentOptions, cap_scope: str | None = None,
                    force: bool = False) -> DocumentResult:
    """The summary always; with ``options.pdf`` every unit's PDF and the summary's."""
    from kpa_core.report.summary import write_summary

    result = DocumentResult()
    htmls: list[Path] = []
    if table is not None and not table.empty and rubric is not None:
        grades = year_grades(records, rubric, options.bands, cap_scope)
        xlsx, summary_html = write_summary(out_dir, year, table, rubric, grades,
                                           options.office, options.timezone)
        result.written += [xlsx, summary_html]
        htmls.append(summary_html)
    htmls += [out_dir / f"{u}.html" for u in sorted(units) if (out_dir / f"{u}.html").is_file()]
    if options.pdf:
        from kpa_core.report.pdf import print_many

        pairs = [(h, h.with_suffix(".pdf")) for h in htmls
                 if force or stale(h, h.with_suffix(".pdf"))]
        result.failures = print_many(pairs, lang=options.lang or "zh", jobs=options.jobs)
        result.written += [p for _, p in pairs if p.name not in result.failures]
    return result
