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

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.bounded_read import read_bytes_bounded
from kpa_core.store.layout import ROLE_FOLDERS, check_unit_id, year_dir

JOURNAL_NAME = ".kpa-import.journal"
STAGED_SUFFIX, BACKUP_SUFFIX = ".staged", ".backup"
JOURNAL_FORMAT = 2
# A journal names one entry (~400 bytes) per staged record: 1 MB holds 2,500 units.
MAX_JOURNAL_BYTES = 1024 * 1024
LIVE_IMPORT_WAIT_S = 120.0  # how long a reader waits for an import that holds the year's lock


def journal_path(data_dir: str | Path, year: int) -> Path:
    return Path(data_dir) / str(int(year)) / JOURNAL_NAME


def _sha256(path: Path) -> str | None:
    """The sha256 of a regular file's bytes (bounded read), None when there is none."""
    if not os.path.lexists(path):
        return None
    return hashlib.sha256(read_bytes_bounded(path)).hexdigest()


def leftovers(data_dir: str | Path, year: int) -> list[Path]:
    """Staged and backup files an interrupted import left in the year (and self/) folders."""
    out: list[Path] = []
    for folder in (Path(data_dir) / str(int(year)), Path(data_dir) / str(int(year)) / "self"):
        if folder.is_dir():
            out += [p for p in folder.iterdir() if p.name.startswith(".")
                    and p.name.endswith((f".yaml{STAGED_SUFFIX}", f".yaml{BACKUP_SUFFIX}"))]
    return sorted(out)


def _year_busy(data_dir: str | Path, year: int) -> bool:
    """Whether another process holds the year's lock now (an import or a save running)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock, nothing to recognise
        return False
    try:
        fd = os.open(Path(data_dir) / str(int(year)), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we did get
    return False


def _wait_for_live_import(data_dir: str | Path, year: int) -> bool:
    """Wait (up to ``LIVE_IMPORT_WAIT_S``) while the year's lock is held; True if it still is.

    Why: an import stages its files and renames them while holding the year's lock; a report
    started meanwhile saw the staged files and called the running import "interrupted". A
    holder of the lock is alive (the kernel drops a flock with its process), so the reader
    waits for it to finish and then looks again.
    """
    deadline = time.monotonic() + LIVE_IMPORT_WAIT_S
    while _year_busy(data_dir, year):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
    return False


def pending_problems(data_dir: str | Path, year: int) -> list[Problem]:
    """A problem naming the fix when an import of this year was interrupted, else nothing.

    Staged files while another process holds the year's lock are a running import, not an
    interrupted one: this waits for it, then looks again.
    """
    journal = journal_path(data_dir, year)
    files = leftovers(data_dir, year)
    if not os.path.lexists(journal) and not files:
        return []
    if _wait_for_live_import(data_dir, year):
        return [Problem(
            f"{year} 年度正在导入 Excel（另一进程持有该年度的锁），请稍后再试",
            f"an Excel import of {year} is running (another process holds the year's lock); "
            "try again when it has finished", field="year", value=int(year),
            allowed_zh="导入完成后再运行", allowed_en="run again once the import has finished",
            where=str(Path(data_dir) / str(int(year))))]
    journal_there = os.path.lexists(journal)
    files = leftovers(data_dir, year)
    if not journal_there and not files:
        return []  # it was a running import, and it has finished
    what = "已写完暂存文件、正在替换记录" if journal_there else "尚未开始替换记录"
    what_en = ("while replacing the records" if journal_there
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


def expected_target(data_dir: str | Path, year: int, unit_id: str, role: str) -> Path:
    """The one path a journal entry may name: the unit's record file, absolute and resolved.

    The folder is resolved (a relative ``--data`` or a symlinked workspace gives the same
    path), the file name comes from the checked unit id, never from the journal.
    """
    if problems := check_unit_id(unit_id):
        raise KpaInputError(problems)
    if role not in ROLE_FOLDERS:
        raise KpaInputError([Problem("未知的记录角色", "unknown record role", field="role",
                                     value=str(role)[:40], allowed_zh="assessor、self",
                                     allowed_en="assessor, self")])
    return year_dir(Path(data_dir).resolve(), int(year), role).resolve() / f"{unit_id}.yaml"


def write_journal(data_dir: str | Path, year: int,
                  staged: list[tuple[Path, Path, str, str]]) -> Path:
    """Record that every staged file is complete: from here on the import rolls forward.

    ``staged``: (staged file, target, unit id, role). Each entry holds absolute, resolved paths
    and the sha256 of the staged bytes, so recovery can tell, file by file, whether a record
    is the imported one, from any folder (a relative ``--data`` no longer matters).
    """
    entries = []
    for stage, _target, unit_id, role in staged:  # the target is recomputed, never taken
        want = expected_target(data_dir, year, unit_id, role)
        entries.append({"unit_id": unit_id, "role": role, "target": str(want),
                        "staged": str(want.with_name(f".{want.name}{STAGED_SUFFIX}")),
                        "sha256": _sha256(stage)})
    return atomic_write_text(journal_path(data_dir, year), json.dumps(
        {"format": JOURNAL_FORMAT, "year": int(year), "staged": entries}, ensure_ascii=False))


def _journal_problem(journal: Path, zh: str, en: str, value: Any = None) -> Problem:
    return Problem(f"导入日志{zh}，未做任何改动", f"the import journal {en}; nothing was changed",
                   field="journal", value=value,
                   allowed_zh="核对所列文件后手工处理（删除日志与 .staged 文件即撤销该次导入）",
                   allowed_en="check the files named, then settle by hand (deleting the "
                              "journal and the .staged files rolls the import back)",
                   where=str(journal))


def read_journal(data_dir: str | Path, year: int) -> list[dict[str, Any]]:
    """The journal's entries, each checked: its target is exactly one of the year's record
    files and its staged file the one beside it; otherwise ``KpaInputError`` naming all."""
    journal = journal_path(data_dir, year)
    raw = read_bytes_bounded(journal, limit=MAX_JOURNAL_BYTES)  # regular file, ≤ 1 MB
    try:
        data = json.loads(raw.decode("utf-8"))
        entries = data["staged"]
        if not isinstance(entries, list) or data.get("format") != JOURNAL_FORMAT:
            raise TypeError(data.get("format"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KpaInputError([_journal_problem(
            journal, "无法读取（格式不符或由旧版 kpa 写成）",
            "is unreadable (another format, or written by an older kpa)")]) from exc
    problems: list[Problem] = []
    checked: list[dict[str, Any]] = []
    for n, entry in enumerate(entries, 1):
        try:
            uid, role = entry["unit_id"], entry["role"]
            want = expected_target(data_dir, year, uid, role)
            ok = (entry["target"] == str(want) and entry["staged"] == str(
                want.with_name(f".{want.name}{STAGED_SUFFIX}")) and isinstance(
                entry["sha256"], str) and len(entry["sha256"]) == 64)
        except (KeyError, TypeError, KpaInputError):
            ok = False
        if not ok:
            shown = entry.get("target") if isinstance(entry, dict) else entry
            problems.append(_journal_problem(
                journal, f"第 {n} 项指向的不是本年度的记录文件",
                f"entry {n} does not name one of the year's record files", str(shown)[:200]))
            continue
        target = Path(entry["target"])
        if os.path.islink(target):
            problems.append(_journal_problem(journal, f"第 {n} 项的记录文件是符号链接",
                                             f"entry {n}'s record file is a symbolic link",
                                             str(target)))
            continue
        checked.append({**entry, "target": target, "staged": Path(entry["staged"])})
    if problems:
        raise KpaInputError(problems)
    return checked


def _unfinished(journal: Path, entries: list[dict[str, Any]]) -> list[Problem]:
    """Entries whose imported bytes are neither staged nor in place: the import cannot finish."""
    problems = []
    for entry in entries:
        staged, target, want = entry["staged"], entry["target"], entry["sha256"]
        have_staged = _sha256(staged)
        if have_staged == want:
            continue  # still staged, whole: it will be renamed
        if have_staged is None and _sha256(target) == want:
            continue  # already renamed into place
        found = (f"暂存文件的 sha256 为 {have_staged[:12]}…" if have_staged else
                 f"暂存文件不存在，记录文件的 sha256 为 {(_sha256(target) or '（无文件）')[:12]}")
        found_en = (f"the staged file's sha256 is {have_staged[:12]}…" if have_staged else
                    "the staged file is missing and the record's sha256 is "
                    f"{(_sha256(target) or '(no file)')[:12]}")
        problems.append(Problem(
            f"无法完成被中断的导入：{found}，与导入日志记录的 {want[:12]}… 不符",
            f"cannot finish the interrupted import: {found_en}, not the {want[:12]}… the "
            "journal recorded", unit=entry["unit_id"], field="file", value=str(target),
            allowed_zh="暂存文件完整，或记录文件已是导入的版本（重新导入该工作簿可解决）",
            allowed_en="the staged file whole, or the record already the imported one "
                       "(importing the workbook again settles it)", where=str(journal)))
    return problems


def recover_unlocked(data_dir: str | Path, year: int) -> str | None:
    """Finish (journal) or roll back (no journal) an interrupted import; the caller locks.

    Finishing is all or nothing: every entry's bytes must be either staged (and hash as the
    journal recorded) or already in place (same hash); otherwise nothing is touched and the
    problem names what was found instead, file by file.
    """
    journal = journal_path(data_dir, year)
    files = leftovers(data_dir, year)
    if os.path.lexists(journal):
        entries = read_journal(data_dir, year)
        if problems := _unfinished(journal, entries):
            raise KpaInputError(problems)
        for entry in entries:
            if os.path.lexists(entry["staged"]):
                os.replace(entry["staged"], entry["target"])
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
