"""The audit log of a year: who changed which record or scenario, when, what and why.

One JSON object per line in ``data/<year>/audit-log.jsonl``, only ever appended, so that a
reviewer can replay the history of every score and two analysts' lines never overwrite each
other. The log is a hash chain: each line holds ``prev``, the sha256 of the line before it
(``GENESIS`` for the first), and a record line holds the record's sha256 before and after, so
``kpa verify`` can tell an edit made behind kpa's back, or a line removed or altered, from the
history kpa wrote (``audit.verify``).

A save and its line must agree whatever fails. ``save_with_audit`` therefore writes the line
*first* (the intent, fsynced), then replaces the record atomically; if the record cannot be
written the line is cut off again (the writer holds the year lock, so it is still the last
line). After a kill between the two steps the line names a change the disk never saw: the next
save of that year appends a ``void`` line for it (``recover``), and ``kpa verify`` meanwhile
reports it as an interrupted save, not as tampering. Once the record is written a ``done``
line marks the save complete (``append_done``): a save with its mark is never called
interrupted, so an old version copied back after it is tampering. A line torn by a crash or a
full disk is always the last one: readers name it and go on, and the next writer cuts it off.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem, os_error_problem
from kpa_core.store.atomic import atomic_write_bytes, folder_lock
from kpa_core.store.bounded_read import check_write_size, limit_bytes, read_bytes_bounded

AUDIT_NAME = "audit-log.jsonl"
LOCK_NAME = ".kpa-save.lock"
GENESIS = "0" * 64
DEFAULT_AUDIT_MB = 64  # a year of saves is a few MB; the log is never read past this
ACTIONS = {
    "save_record": ("保存考核记录", "record saved"),
    "save_scenario": ("保存假设方案", "what-if scenario saved"),
    "import": ("Excel 导入记录", "record imported from Excel"),
    "attest": ("确认现有记录（纳入审计链）", "existing record attested into the chain"),
    # the year's process (audit.states): a change of state, a publication, a review opened
    "state": ("状态变更（提交、审核）", "state changed (submitted, reviewed)"),
    "publish": ("签发公布（封存）", "published and sealed"),
    "review_open": ("开启复核", "review (复核) opened"),
    "params": ("报告参数写出（记录其 sha256）", "report params written (their sha256 recorded)"),
    # the rectification ledger (audit.rectify_chain): opened, a unit's report, the office's check
    "rectify_open": ("开立整改台账", "rectification ledger opened"),
    "rectify_report": ("报送整改情况", "rectification reported"),
    "rectify_check": ("核查整改", "rectification checked"),
}
SYSTEM_ACTIONS = {"void": ("作废未完成的保存", "interrupted save voided"),
                  "done": ("保存完成标记", "save completed (its record was written)")}
RECORD_ACTIONS = ("save_record", "import", "attest")  # lines that set a record's sha256
WRITE_AHEAD_ACTIONS = ("save_record", "import")  # written before the record they announce


class SaveFailedError(KpaInputError):
    """The record and its audit line could not both be written; neither was changed."""


def audit_path(data_dir: str | Path, year: int) -> Path:
    """``data/<year>/audit-log.jsonl``; the year is an int, so it cannot escape the folder."""
    return Path(data_dir) / str(int(year)) / AUDIT_NAME


def audit_limit() -> int:
    """The most bytes any read of an audit log takes (``KPA_MAX_AUDIT_MB``, default 64)."""
    return limit_bytes("KPA_MAX_AUDIT_MB", DEFAULT_AUDIT_MB)


def read_log_bytes(path: Path) -> bytes | None:
    """A log's bytes through the bounded reader, or None when there is none.

    Why: a log that is a FIFO hung ``kpa verify`` and every save (holding the year lock); a
    symlink to ``/dev/zero`` ended in a MemoryError. Here both are a clear error at once.
    """
    if not os.path.lexists(path):
        return None
    return read_bytes_bounded(path, audit_limit(), "KPA_MAX_AUDIT_MB")  # names the log's path


def line_hash(raw: bytes) -> str:
    """sha256 of one line as stored, without its newline: what the next line's ``prev`` holds."""
    return hashlib.sha256(raw).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None when there is no file."""
    if not os.path.lexists(path):
        return None
    return hashlib.sha256(read_bytes_bounded(path)).hexdigest()  # never blocks on a FIFO


def check_who_why(who: Any, why: Any, unit: str | None = None) -> list[Problem]:
    """An audit line without a person and a purpose is worthless; both must be given."""
    problems = []
    if not isinstance(who, str) or not who.strip():
        problems.append(Problem("须填写保存人", "who is saving must be given", unit=unit,
                                field="who", value=who, allowed_zh="非空文字（姓名）",
                                allowed_en="non-empty text (a name)"))
    if not isinstance(why, str) or not why.strip():
        problems.append(Problem("须填写保存原因", "why it is saved must be given", unit=unit,
                                field="why", value=why, allowed_zh="非空文字（修改原因）",
                                allowed_en="non-empty text (the purpose of the change)"))
    return problems


# --- reading ------------------------------------------------------------------------------


@dataclass
class ChainLine:
    """One readable line: its number (from 1), its bytes as stored and its content."""

    number: int
    raw: bytes
    data: dict[str, Any]

    @property
    def hash(self) -> str:
        return line_hash(self.raw)


@dataclass
class Chain:
    """A year's log as read: good lines, unreadable ones, and a torn last line if any."""

    path: Path
    lines: list[ChainLine] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, why) mid-file
    torn: int | None = None  # number of a torn last line (a crash or full disk mid-append)
    good_size: int = 0  # bytes up to the end of the last complete line

    def torn_note(self) -> str | None:
        if self.torn is None:
            return None
        return (f"审计日志最后一行（第 {self.torn} 行）不完整（写入时中断），已忽略，"
                "下次保存时截去"
                f" / the last line ({self.torn}) of {self.path} is torn (an interrupted write) and "
                "was skipped; the next save cuts it off")


def read_chain(data_dir: str | Path, year: int) -> Chain:
    """Every line of a year's log, tolerant of a torn last line (named, not fatal)."""
    path = audit_path(data_dir, year)
    chain = Chain(path)
    blob = read_log_bytes(path)
    if blob is None:
        return chain
    parts = blob.split(b"\n")
    complete, tail = parts[:-1], parts[-1]
    offset = 0
    for number, raw in enumerate(complete, start=1):
        offset += len(raw) + 1
        if not raw.strip():
            continue
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (UnicodeDecodeError, ValueError) as exc:
            chain.bad.append((number, str(exc)[:120]))
            continue
        chain.lines.append(ChainLine(number, raw, data))
        chain.good_size = offset
    chain.good_size = offset
    if tail.strip():
        chain.torn = len(complete) + 1
    return chain


def read_audit(data_dir: str | Path, year: int) -> list[dict[str, Any]]:
    """Every readable line of a year's log, oldest first (an absent log is an empty history).

    A torn last line is skipped with a warning naming it, never a ``UnicodeDecodeError``.
    Completion marks (``done``) are left out: they are the chain's bookkeeping, not a change
    anybody made (``read_chain`` has them).
    """
    chain = read_chain(data_dir, year)
    if note := chain.torn_note():
        warnings.warn(note, stacklevel=2)
    for number, why in chain.bad:
        warnings.warn(f"审计日志第 {number} 行无法读取 / line {number} of {chain.path} is "
                      f"unreadable: {why}", stacklevel=2)
    return [line.data for line in chain.lines if line.data.get("action") != "done"]


# --- writing ------------------------------------------------------------------------------


def _open_log(path: Path) -> tuple[int, int, str]:
    """Open the log for appending; cut off a torn tail; return (fd, size, hash of last line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # non-blocking, and refused unless a regular file within the bound (FIFO, /dev/zero)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NONBLOCK", 0),
                 0o666)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > audit_limit():
            os.close(fd)
            fd = -1
            read_log_bytes(path)  # raises the bounded reader's words
            raise OSError(errno.EINVAL, "the audit log changed while it was opened")
        size = st.st_size
        blob = b""
        if size:
            os.lseek(fd, 0, os.SEEK_SET)
            blob = _read_all(fd, size)
        end = blob.rfind(b"\n") + 1  # 0 when no complete line
        if end != size:  # a torn last line from an interrupted append: it never took effect
            os.ftruncate(fd, end)
            size = end
        lines = blob[:end].split(b"\n")[:-1]
        last = next((raw for raw in reversed(lines) if raw.strip()), None)
        return fd, size, line_hash(last) if last is not None else GENESIS
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _read_all(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _append_line(path: Path, line: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Chain and append one line (the caller holds the year lock); return it and the old size.

    A failed write (full disk, read-only folder, the log being a folder…) leaves the log as it
    was: a partial line is truncated away before the error is raised.
    """
    try:
        fd, size, prev = _open_log(path)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    except KpaInputError as exc:
        raise SaveFailedError(exc.problems) from exc
    try:
        line = {"prev": prev, **line}
        data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError as exc:
            with suppress(OSError):  # if not, still torn: skipped, cut off by the next writer
                os.ftruncate(fd, size)
            raise _write_failed(path, exc) from exc
    finally:
        os.close(fd)
    return line, size


def _write_failed(path: Path, exc: OSError) -> SaveFailedError:
    problem = os_error_problem(exc, "保存失败，记录与审计日志均未改变",
                               "saving failed; neither the record nor the audit log changed")
    return SaveFailedError([problem.located(where=str(path))])


def _nothing_saved(unit: str) -> Problem:
    return Problem("未保存：记录与审计日志均未改变",
                   "not saved: neither the record nor the audit log changed", unit=unit)


def _new_line(year: int, *, who: str, why: str, action: str, unit_id: str, unit: str,
              what: dict[str, Any], extra: dict[str, Any] | None,
              when: str | None = None) -> dict[str, Any]:
    problems = check_who_why(who, why, unit)
    if action not in ACTIONS:
        problems.append(Problem("未知的操作", "unknown action", unit=unit, field="action",
                                value=action, allowed_zh="、".join(ACTIONS),
                                allowed_en=", ".join(ACTIONS)))
    if problems:
        raise KpaInputError(problems)
    return {
        "when": when or datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who.strip(),
        "action": action,
        "year": int(year),
        "unit_id": unit_id,
        "unit": unit,
        "what": what,
        "why": why.strip(),
        **(extra or {}),
    }


def append_audit(data_dir: str | Path, year: int, *, who: str, why: str, action: str,
                 unit_id: str, unit: str, what: dict[str, Any],
                 extra: dict[str, Any] | None = None, when: str | None = None) -> dict[str, Any]:
    """Append one chained line and return it (the caller holds ``year_lock``).

    Raises ``KpaInputError`` if who/why/action are missing, ``SaveFailedError`` if the line
    could not be written (the log is then as it was).
    """
    line = _new_line(year, who=who, why=why, action=action, unit_id=unit_id, unit=unit,
                     what=what, extra=extra, when=when)
    return _append_line(audit_path(data_dir, year), line)[0]


def _truncate(path: Path, size: int) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def save_with_audit(data_dir: str | Path, year: int, target: Path, content: bytes, *,
                    who: str, why: str, unit_id: str, unit: str, what: dict[str, Any],
                    extra: dict[str, Any] | None = None, action: str = "save_record",
                    check: Callable[[str | None], None] | None = None,
                    rel_path: str | None = None) -> dict[str, Any]:
    """Replace a record and log it so that both show the change or neither does.

    Under the year lock: finish earlier interrupted saves (``recover``), call ``check`` with
    the record's current sha256 (the caller's stale-file test), append the line naming the
    sha256 before and after, then replace the record atomically. If the record cannot be
    written, the line is truncated away again and ``SaveFailedError`` is raised.
    """
    target = Path(target)
    check_write_size(len(content), target, unit)  # nothing written that cannot be read back
    with year_lock(data_dir, year):
        try:
            recover(data_dir, year)
        except KpaInputError as exc:  # the log cannot even be read: nothing is written
            raise SaveFailedError([p.located(unit=unit) for p in exc.problems]
                                  + [_nothing_saved(unit)]) from exc
        before = sha256_file(target)
        if check is not None:
            check(before)
        after = hashlib.sha256(content).hexdigest()
        line = _new_line(year, who=who, why=why, action=action, unit_id=unit_id, unit=unit,
                         what=what, extra={"path": rel_path or str(target), **(extra or {}),
                                           "sha256_before": before, "sha256_after": after})
        log = audit_path(data_dir, year)
        try:
            line, size = _append_line(log, line)
        except SaveFailedError as exc:
            raise SaveFailedError([p.located(unit=unit) for p in exc.problems]) from exc
        try:
            atomic_write_bytes(target, content)
        except BaseException as exc:
            try:
                _truncate(log, size)
            except OSError:  # cannot even cut it: void it so that verify does not accuse
                _append_void(log, line, "record write failed")
            if isinstance(exc, OSError):
                failed = _write_failed(target, exc)
                raise SaveFailedError([p.located(unit=unit) for p in failed.problems]) from exc
            raise
        append_done(log, line)
    return line


def append_done(path: Path, line: dict[str, Any] | None = None, *,
                batch: str | None = None) -> None:
    """The completion mark of a save (``line``) or an import (``batch``): its record is written.

    Why: without it, an old version copied back over a record after a real save looks exactly
    like a save killed between its line and its record, and would be excused (and voided).
    With it, only a save *missing* its mark can be called interrupted; a completed save whose
    record no longer matches is tampering (``audit.verify``). The record is already on disk
    when the mark is written, so a mark that cannot be written is not an error: that save is
    simply judged the old way (its record still has the sha256 its line set).
    """
    mark: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                            "who": "kpa", "action": "done"}
    if line is not None:
        raw = json.dumps(line, ensure_ascii=False, default=str).encode("utf-8")
        mark.update(year=line.get("year"), unit_id=line.get("unit_id"), completes=line_hash(raw))
    else:
        mark["batch"] = batch
    with suppress(KpaInputError, ValueError):
        if batch is not None:
            chain = read_chain(Path(path).parent.parent, int(Path(path).parent.name))
            if not any(ln.data.get("batch") == batch for ln in chain.lines):
                return  # an import that changed nothing wrote no line: nothing to mark
        _append_line(Path(path), mark)


def marked_done(chain: Chain) -> tuple[set[str], set[str]]:
    """(hashes of save lines, ids of import batches) that carry a completion mark."""
    lines = {ln.data.get("completes") for ln in chain.lines if ln.data.get("action") == "done"}
    batches = {ln.data.get("batch") for ln in chain.lines if ln.data.get("action") == "done"}
    return {h for h in lines if h}, {b for b in batches if b}


@contextmanager
def lines_taken_back_on_failure(data_dir: str | Path, year: int) -> Iterator[None]:
    """Lines appended inside the block are cut off again if it fails (the caller locks).

    For a batch of changes (an Excel import) whose lines are written before the files: if the
    files cannot all be written, their lines must not stay behind claiming they were.
    """
    path = audit_path(data_dir, year)
    size = path.stat().st_size if path.is_file() else None
    if size is None and os.path.lexists(path):  # not a regular file: never ours to delete
        yield
        return
    try:
        yield
    except BaseException:
        with suppress(OSError):
            if size is None:
                path.unlink(missing_ok=True)
            else:
                _truncate(path, size)
        raise


def _append_void(path: Path, line: dict[str, Any], why: str) -> None:
    raw = json.dumps(line, ensure_ascii=False, default=str).encode("utf-8")
    with suppress(KpaInputError):
        _append_line(path, {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                            "who": "kpa", "action": "void", "year": line.get("year"),
                            "unit_id": line.get("unit_id"), "voids": line_hash(raw),
                            "why": why})


def record_key(line: dict[str, Any]) -> tuple[str, str]:
    """(unit id, role) of a record line; older lines without ``role`` tell it by their path."""
    role = line.get("role") or ("self" if "/self/" in str(line.get("path", "")) else "assessor")
    return str(line.get("unit_id")), role


def line_record_path(data_dir: str | Path, line: dict[str, Any]) -> Path | None:
    """The record file a line is about, from its unit id and role (never from a stored path,
    so a tampered line cannot point kpa outside the data folder)."""
    from kpa_core.store.layout import record_path

    unit_id, role = record_key(line)
    try:
        return record_path(data_dir, int(line.get("year")), unit_id, role)
    except (KpaInputError, KeyError, TypeError, ValueError):
        return None


def pending_intents(chain: Chain, data_dir: str | Path) -> list[ChainLine]:
    """Record lines whose change never reached the disk (a kill between line and record).

    A save that carries its completion mark (``append_done``) is never one of them. Every
    writer recovers before it appends, so an unapplied line can only be the last line of
    the log (void lines aside) — or, for an import, the last batch of lines — and the file on
    disk still has the sha256 the line names as *before*. Looking nowhere else means an old
    version restored behind kpa's back is reported as a change, not excused as interrupted.
    """
    voided = {ln.data.get("voids") for ln in chain.lines if ln.data.get("action") == "void"}
    tail = [ln for ln in chain.lines if ln.data.get("action") != "void"]
    if not tail or tail[-1].data.get("action") not in WRITE_AHEAD_ACTIONS:
        return []  # a completion mark last: the last save finished
    done_lines, done_batches = marked_done(chain)
    batch = tail[-1].data.get("batch")
    if batch and batch in done_batches:
        return []
    candidates = [ln for ln in tail if ln.data.get("batch") == batch] if batch else [tail[-1]]
    out = []
    for ln in candidates:
        if (ln.hash in voided or ln.hash in done_lines
                or ln.data.get("action") not in WRITE_AHEAD_ACTIONS):
            continue
        path = line_record_path(data_dir, ln.data)
        if path is None:
            continue
        now = sha256_file(path)
        if now != ln.data.get("sha256_after") and now == ln.data.get("sha256_before"):
            out.append(ln)
    return out


def recover(data_dir: str | Path, year: int) -> list[ChainLine]:
    """Void the lines of interrupted saves (the caller holds the year lock); return them."""
    chain = read_chain(data_dir, year)
    pending = pending_intents(chain, data_dir)
    for ln in pending:
        _append_line(chain.path, {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                                  "who": "kpa", "action": "void", "year": int(year),
                                  "unit_id": ln.data.get("unit_id"), "voids": ln.hash,
                                  "why": f"interrupted save of line {ln.number}: "
                                         "the record was never written"})
    return pending


@contextmanager
def year_lock(data_dir: str | Path, year: int) -> Iterator[None]:
    """Serialise check-then-write saves of one year between processes (where flock exists).

    The stale-write check compares the file on disk with what was loaded; holding this lock
    from the check until the audit line is written closes the window in which two analysts
    saving the same unit at the same moment could both pass the check. The year folder itself
    is locked (``atomic.folder_lock``), so no lock file is left among the records.
    """
    folder = Path(data_dir) / str(int(year))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = folder_lock(folder, LOCK_NAME)
        lock.__enter__()
    except OSError as exc:
        raise _write_failed(folder, exc) from exc
    try:
        yield
    finally:
        lock.__exit__(None, None, None)
