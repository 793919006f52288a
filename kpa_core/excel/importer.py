"""Import a filled workbook: all of its records or none, each through the audit log.

``read_workbook`` (``reader``) checks the whole file first; nothing is written unless it is
clean, because a half-imported year would be worse than none. The records are staged beside
their targets, logged, journaled and then renamed over them (``kpa_core.audit.journal``), so a
kill at any instant is finished or rolled back.
"""

from __future__ import annotations

import getpass
import os
import shutil
import stat
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from kpa_core.audit import journal as import_journal
from kpa_core.audit.log import (
    append_audit,
    append_done,
    audit_path,
    lines_taken_back_on_failure,
    sha256_file,
    year_lock,
)
from kpa_core.audit.log import recover as recover_audit
from kpa_core.audit.states import refuse_if_locked
from kpa_core.errors import KpaInputError, Problem
from kpa_core.excel.evidence_column import attach_evidence
from kpa_core.excel.reader import WorkbookRecords, read_workbook
from kpa_core.excel.template import SHEET_ENTRIES
from kpa_core.scoring.record import (
    Record,
    load_record,
    save_record,
)
from kpa_core.year.data import record_path


@dataclass
class ImportResult:
    """What ``import_workbook`` did: each record path written (and whether it replaced one),
    and each unit skipped for having nothing filled (with its path and whether one exists)."""

    written: list[tuple[Path, bool]] = field(default_factory=list)
    skipped: list[tuple[str, Path, bool]] = field(default_factory=list)


def _write_problem(zh: str, en: str, path: Path, exc: OSError | None = None,
                   unit: str | None = None) -> Problem:
    """A file that could not be written, named with the operating system's reason."""
    reason = f" ({exc.strerror or exc})" if exc is not None else ""
    return Problem(zh, en + reason, unit=unit, field="file", value=str(path),
                   allowed_zh="可写入的普通文件（未被其他程序打开或锁定）",
                   allowed_en="a writable regular file (not open or locked elsewhere)",
                   where=str(path))


def _target_problems(targets: list[tuple[Path, Record]]) -> list[Problem]:
    """Targets that a rename cannot replace: a folder, a link, a device where a record goes."""
    problems = []
    for target, record in targets:
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(_write_problem("无法检查记录文件", "cannot check the record file",
                                           target, exc, record.unit))
            continue
        if not stat.S_ISREG(mode):
            problems.append(_write_problem("记录文件的位置上不是普通文件（例如是一个文件夹）",
                                           "the record's path is not a regular file (e.g. a "
                                           "folder)", target, unit=record.unit))
    return problems


def _backup(target: Path, backup: Path) -> None:
    """Keep the replaced record's bytes until every rename has succeeded.

    A hard link costs nothing and keeps the target in place, so readers never see it
    missing; file systems without links (FAT, some shares) get a copy instead.
    """
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


def _roll_back(done: list[tuple[Path, Path | None]]) -> list[Problem]:
    """Put back every replaced target and remove every new one; report what could not be."""
    failures = []
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            elif backup.exists():
                os.replace(backup, target)
                # rename() between two links of one file does nothing, so drop the link here.
                backup.unlink(missing_ok=True)
        except OSError as exc:
            kept = f"，原文件保存为 {backup.name}" if backup is not None else ""
            kept_en = f"; the old one is kept as {backup.name}" if backup is not None else ""
            failures.append(_write_problem(f"回滚失败，该文件可能是新写入的{kept}",
                                           f"rollback failed, this file may be the new one"
                                           f"{kept_en}", target, exc))
    return failures


def _commit(staged: list[tuple[Path, Path, str]]) -> list[tuple[Path, bool]]:
    """Rename every staged file over its target, or roll all of them back.

    On any failure the targets already replaced get their backups back, new ones are removed,
    and every staged and backup file is deleted, so the year is as it was before the import.
    """
    done: list[tuple[Path, Path | None]] = []  # (target, its backup or None if it was new)
    try:
        for stage, target, _ in staged:
            if target.exists():
                backup = target.with_name(f".{target.name}.backup")
                done.append((target, backup))  # first: a half-made backup is cleaned up too
                _backup(target, backup)
            else:
                done.append((target, None))
            os.replace(stage, target)
    except BaseException as exc:
        failures = _roll_back(done)
        for stage, _, _ in staged:
            stage.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        failed = done[-1][0]
        unit = next(u for _, t, u in staged if t == failed)
        zh, en = (("写入记录文件失败；本次导入已全部撤销，数据文件夹保持原样",
                   "writing a record file failed; the whole import was rolled back and the "
                   "data folder is as it was") if not failures else
                  ("写入记录文件失败，且部分文件未能撤销（见下）",
                   "writing a record file failed and some files could not be rolled back "
                   "(see below)"))
        raise KpaInputError([_write_problem(zh, en, failed, exc, unit), *failures]) from exc
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)
    return [(target, backup is not None) for target, backup in done]


def keep_rectification(target: Path, record: Record) -> Record:
    """The workbook has no 整改要求 column: a record's ``rectification:`` survives a re-import."""
    if record.rectification is not None or not target.is_file():
        return record
    try:
        old = load_record(target)
    except KpaInputError:  # an unreadable old file has nothing to keep
        return record
    return replace(record, rectification=old.rectification) if old.rectification else record


def _stage(targets: list[tuple[Path, Record]]) -> list[tuple[Path, Path, str]]:
    """Save every record beside its target; on failure remove them all (nothing written)."""
    staged: list[tuple[Path, Path, str]] = []
    try:
        for target, record in targets:
            stage = target.with_name(f".{target.name}.staged")  # not *.yaml: never loaded
            staged.append((stage, target, record.unit))
            save_record(record, stage, layout_from=target)  # keeps the target's layout
    except BaseException as exc:
        for stage, _, _ in staged:
            stage.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise KpaInputError([_write_problem("写入暂存文件失败，本次导入未写入任何记录",
                                            "writing a staged file failed; no record was "
                                            "written", staged[-1][0], exc, staged[-1][2])]
                            ) from exc
    return staged


def _log_import(data_dir: str | Path, result: WorkbookRecords, book: str, stage: Path,
                target: Path, who: str | None, why: str | None, batch: str) -> None:
    """One ``import`` line: the record's sha256 now and once the staged file replaces it."""
    unit_id = target.stem
    before, after = sha256_file(target), sha256_file(stage)
    if before == after:  # replaced by itself: nothing changed, nothing to explain
        return
    try:
        who = who or getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        who = who or "kpa import"
    try:
        rel = str(target.relative_to(Path(data_dir).parent))
    except ValueError:
        rel = str(target)
    append_audit(data_dir, result.year, who=who,
                 why=why or f"Excel 导入 import {book}", action="import", unit_id=unit_id,
                 unit=result.records[unit_id].unit, what={},
                 extra={"role": result.role, "path": rel, "batch": batch,
                        "sha256_before": before, "sha256_after": after})


def import_workbook(path: str | Path, data_dir: str | Path, who: str | None = None,
                    why: str | None = None) -> ImportResult:
    """Write one record per filled unit of a clean workbook to ``data/<year>/<unit id>.yaml``.

    Every record is validated before the first file is written, so a bad workbook leaves the
    data folder untouched. Units with no filled row are skipped and their records left alone.
    Writing is two-phase: every record is first saved (atomically, by ``save_record``) to a
    staged file beside its target, and only when all are on disk are they renamed over the
    targets, with the replaced files kept until the last rename succeeds; any failure (a full
    disk, a locked file, a folder in the way) restores the year as it was and is reported as
    a ``KpaInputError``. Between the two phases one ``import`` audit line per record and the
    journal are written, so that a kill at any instant is finished or rolled back by the next
    ``kpa import`` of the year (``audit.journal``), and the audit chain explains every record.
    """
    result = read_workbook(path, data_dir)
    result = attach_evidence(Path(path), data_dir, result, who, SHEET_ENTRIES)  # 佐证材料
    targets = [(target, keep_rectification(target, record))
               for uid, record in result.records.items()
               for target in [record_path(data_dir, result.year, uid, result.role)]]
    problems = _target_problems(targets)
    if problems:
        raise KpaInputError(problems)
    if not targets:  # a blank workbook: nothing to write, so no year folder is made either
        return ImportResult([], _skipped(data_dir, result))
    with year_lock(data_dir, result.year):
        import_journal.recover_unlocked(data_dir, result.year)  # an earlier interrupted one
        recover_audit(data_dir, result.year)
        refuse_if_locked(data_dir, result.year, list(result.records), "导入", "be imported")
        staged = _stage(targets)
        with lines_taken_back_on_failure(data_dir, result.year):
            batch = uuid.uuid4().hex  # one id for the import's lines: recovered together
            for stage, target, _ in staged:
                _log_import(data_dir, result, Path(path).name, stage, target, who, why, batch)
            journal = import_journal.write_journal(
                data_dir, result.year, [(st, t, t.stem, result.role) for st, t, _ in staged])
            try:
                written = _commit(staged)
            finally:
                journal.unlink(missing_ok=True)
        append_done(audit_path(data_dir, result.year), batch=batch)  # the import finished
    return ImportResult(written, _skipped(data_dir, result))


def _skipped(data_dir: str | Path, result: WorkbookRecords) -> list[tuple[str, Path, bool]]:
    """(unit id, its record's path, whether that record exists) of each unit left unfilled."""
    return [(uid, target, target.exists()) for uid in result.skipped
            for target in [record_path(data_dir, result.year, uid, result.role)]]
