"""An Excel import interrupted mid-commit is finished or rolled back, never scored half-done.

``import_workbook`` stages every record beside its target (``.<id>.yaml.staged``), logs one
``import`` line per record, then writes this journal (``data/<year>/.kpa-import.journal``)
listing every staged file, and only then renames the staged files over the targets. A kill
at any instant leaves one of two states, each with one safe way out:

- a journal: every staged file was complete, so the import is *finished* (the remaining
  staged files renamed over their targets, the backups dropped) and its audit lines hold;
- staged files without a journal: the commit never began, so the import is *rolled back*
  (staged files deleted; an audit line already written names a change the disk never saw,
  and the next save voids it).

Until then the year is refused by every command that reads it (``load_year``), naming the
fix: ``kpa import --recover YEAR`` (any later import of that year recovers first, too).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.atomic import atomic_write_text

JOURNAL_NAME = ".kpa-import.journal"
STAGED_SUFFIX, BACKUP_SUFFIX = ".staged", ".backup"


def journal_path(data_dir: str | Path, year: int) -> Path:
    return Path(data_dir) / str(int(year)) / JOURNAL_NAME


def leftovers(data_dir: str | Path, year: int) -> list[Path]:
    """Staged and backup files an interrupted import left in the year (and self/) folders."""
    out: list[Path] = []
    for folder in (Path(data_dir) / str(int(year)), Path(data_dir) / str(int(year)) / "self"):
        if folder.is_dir():
            out += [p for p in folder.iterdir() if p.name.startswith(".")
                    and p.name.endswith((f".yaml{STAGED_SUFFIX}", f".yaml{BACKUP_SUFFIX}"))]
    return sorted(out)


def pending_problems(data_dir: str | Path, year: int) -> list[Problem]:
    """A problem naming the fix when an import of this year was interrupted, else nothing."""
    journal = journal_path(data_dir, year)
    files = leftovers(data_dir, year)
    if not journal.exists() and not files:
        return []
    what = "已写完暂存文件、正在替换记录" if journal.exists() else "尚未开始替换记录"
    what_en = ("while replacing the records" if journal.exists()
               else "before replacing any record")
    names = ", ".join(p.name for p in files[:5]) + (" …" if len(files) > 5 else "")
    return [Problem(
        f"{year} 年度上次 Excel 导入被中断（{what}），该年度数据可能新旧混杂，暂不评分",
        f"the last Excel import of {year} was interrupted ({what_en}); the year may mix old "
        "and new records and is not scored until the import is finished or rolled back",
        field="year", value=int(year),
        allowed_zh=f"先运行 kpa import --recover {year}（完成或撤销该次导入）",
        allowed_en=f"run `kpa import --recover {year}` first (finishes or rolls it back)",
        where=f"{Path(data_dir) / str(int(year))}: {names or JOURNAL_NAME}")]


def refuse_half_import(data_dir: str | Path, year: int) -> None:
    """Raise ``KpaInputError`` when the year holds an interrupted import."""
    if problems := pending_problems(data_dir, year):
        raise KpaInputError(problems)


def write_journal(data_dir: str | Path, year: int, staged: list[tuple[Path, Path]]) -> Path:
    """Record that every staged file is complete: from here on the import rolls forward."""
    entries = [{"staged": str(stage), "target": str(target)} for stage, target in staged]
    return atomic_write_text(journal_path(data_dir, year),
                             json.dumps({"staged": entries}, ensure_ascii=False))


def recover_unlocked(data_dir: str | Path, year: int) -> str | None:
    """Finish (journal) or roll back (no journal) an interrupted import; the caller locks."""
    journal = journal_path(data_dir, year)
    files = leftovers(data_dir, year)
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))["staged"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KpaInputError([Problem("导入日志无法读取，无法自动完成导入", "the import journal "
                                         "is unreadable; cannot finish the import",
                                         where=str(journal))]) from exc
        folder = Path(data_dir) / str(int(year))
        for entry in entries:
            stage, target = Path(entry["staged"]), Path(entry["target"])
            if stage.parent.resolve() not in (folder.resolve(), (folder / "self").resolve()):
                continue  # a journal never points outside its year: ignore such an entry
            if stage.exists():
                os.replace(stage, target)
        for path in leftovers(data_dir, year):
            path.unlink(missing_ok=True)
        journal.unlink()
        return "finished"
    if not files:
        return None
    for path in files:
        if path.name.endswith(BACKUP_SUFFIX):  # only older kpa left backups without a journal
            target = path.with_name(path.name[1:-len(BACKUP_SUFFIX)])
            os.replace(path, target)
        else:
            path.unlink(missing_ok=True)
    return "rolled back"


def recover_import(data_dir: str | Path, year: int) -> str | None:
    """``kpa import --recover YEAR``: under the year lock; also voids unapplied audit lines."""
    from kpa_core.audit.log import recover, year_lock

    with year_lock(data_dir, year):
        done = recover_unlocked(data_dir, year)
        recover(data_dir, year)
    return done
