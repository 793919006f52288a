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
    graded = year_grades_and_vetoes(records, rubric, bands_path, cap_scope)
    return None if graded is None else graded[0]


def year_grades_and_vetoes(records: Iterable[Record], rubric: Rubric, bands_path: str | None,
                           cap_scope: str | None
                           ) -> tuple[dict[str, str], dict[str, str]] | None:
    """(unit id → grade, unit id → 一票否决：… for units a veto graded), or None without bands.

    Why both: wherever a grade is printed, a veto that decided it is printed beside it
    (petroleum's 88 is 不合格 only because of B16), in the bands' own words.
    """
    if not bands_path:
        return None
    from kpa_core.report.notice_form import veto_statements
    from kpa_core.scoring.grading import grade_card, load_bands
    from kpa_core.scoring.score import score_record

    bands = load_bands(bands_path, rubric)
    grades, vetoes = {}, {}
    for r in records:
        if r.rubric != rubric.id or not r.unit_id:
            continue
        card = score_record(r, cap_scope=cap_scope, rubric=rubric)
        result = grade_card(card, bands)
        grades[r.unit_id] = result.grade
        if result.vetoed_by:
            vetoes[r.unit_id] = "；".join(veto_statements(card, bands, rubric))
    return grades, vetoes


def stale(html: Path, pdf: Path) -> bool:
    return not pdf.is_file() or pdf.stat().st_mtime_ns < html.stat().st_mtime_ns


def write_documents(out_dir: Path, year: int, table: pd.DataFrame | None,
                    rubric: Rubric | None, records: Iterable[Record], units: Iterable[str],
                    options: DocumentOptions, cap_scope: str | None = None,
                    force: bool = False, data_dir: Path | None = None) -> DocumentResult:
    """The summary always; with ``options.pdf`` every unit's PDF and the summary's.

    ``data_dir``: where the year's audit chain is, for the 公示 summary's seal code.
    """
    from kpa_core.report.summary import seal_text, write_summary

    result = DocumentResult()
    htmls: list[Path] = []
    records = list(records)
    frame = None
    if table is not None and not table.empty and rubric is not None:
        graded = year_grades_and_vetoes(records, rubric, options.bands, cap_scope)
        grades, vetoes = graded if graded is not None else (None, None)
        xlsx, summary_html = write_summary(out_dir, year, table, rubric, grades,
                                           options.office, options.timezone, vetoes,
                                           seal_text(data_dir, year))
        result.written += [xlsx, summary_html]
        htmls.append(summary_html)
        if options.docx:
            from kpa_core.report.summary import summary_frame

            frame = summary_frame(table, rubric, grades, vetoes)
    htmls += [out_dir / f"{u}.html" for u in sorted(units) if (out_dir / f"{u}.html").is_file()]
    if options.pdf:
        from kpa_core.report.pdf import print_many

        pairs = [(h, h.with_suffix(".pdf")) for h in htmls
                 if force or stale(h, h.with_suffix(".pdf"))]
        result.failures = print_many(pairs, lang=options.lang or "zh", jobs=options.jobs)
        result.written += [p for _, p in pairs if p.name not in result.failures]
    if options.docx:
        result.written += _docx(out_dir, year, records, units, options, cap_scope, frame,
                                result.failures)
    return result


def _docx(out_dir: Path, year: int, records: list[Record], units: Iterable[str],
          options: DocumentOptions, cap_scope: str | None, frame: pd.DataFrame | None,
          failures: dict[str, str]) -> list[Path]:
    """The Word copies of every rendered unit's notice and of the summary (``report.docx``)."""
    from kpa_core.report.docx import write_docx_copies

    sources = [Path(r.source) for r in records if r.source]
    if not sources:
        return []
    data_dir = sources[0].resolve().parent.parent  # <data>/<year>/<unit>.yaml
    done = sorted(u for u in units if (out_dir / f"{u}.html").is_file())
    return write_docx_copies(out_dir, year, done, data_dir, options, cap_scope, frame, failures)
