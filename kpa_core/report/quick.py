"""An unchanged report batch recognised from file stamps, before pandas or scoring is imported.

Why (issue #14): a rerun of ``kpa report`` over unchanged inputs renders nothing, but deciding
that took ~0.9 s for 30 units, almost all of it importing pandas and numpy, reading and scoring
the year and hashing its tables. A batch that ended at a fixed point — nothing failed, and a
second run would write nothing — leaves ``.kpa-report-quick.json`` in its output folder: one
sha256 over

- the command's arguments (year, units, folders, cap scope, engine, notebook, the documents'
  language, office, time zone and grade bands with the bands file's content),
- the code that shapes the reports (``code_fingerprint``) and the stamp of every kpa module,
- the stamp (size, inode, mtime and ctime in ns) of every file in the data folder, taken *before*
  the batch read them, and of every file in the output and params folders after it wrote them,
- the date a printed table shows (the summary's 制表日期 moves with the day),

with the units it skipped and the notes it printed. The next run computes the same sha256 with
``os.stat`` only; when it matches, the batch would do nothing, and the command says so without
importing the scoring stack. Any difference — an edited record (an edit always changes ctime,
which a user cannot set back), a deleted report, a new kpa, another day — falls through to the
full batch, which decides from content as before and writes a new record. Files changed less
than a second before their stamp was taken (file times are coarse) leave no record, so an edit
racing the batch is never missed. ``--force`` and ``--pdf`` never take this path.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpa_core import __version__
from kpa_core.store.paths import PACKAGE_DIR

if TYPE_CHECKING:
    from kpa_core.report.render import UnitResult

QUICK_FILE = ".kpa-report-quick.json"
QUICK_FORMAT = 1
MANIFEST = ".kpa-report-manifest.json"
RACY_NS = 1_000_000_000  # a file changed this close to its stamp may change again unseen
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a record lists unit ids and notes: far below this
NOT_STAMPED = {QUICK_FILE, ".kpa.lock", "__pycache__"}

@dataclass
class BatchResult:
    """What a batch did, unit by unit (here, not in ``report.batch``: the quick path makes one)."""

    year: int
    out_dir: Path
    index_path: Path
    rendered: list[UnitResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # unit id → cause
    seconds: float = 0.0
    index_written: bool = False
    notes: list[str] = field(default_factory=list)  # said on the console, not failures

    @property
    def ok(self) -> bool:
        return not self.failures


# The modules whose code shapes a report's content (not the CLI, not other faces).
REPORT_MODULES = ("report/charts", "year/data", "scoring/compare", "errors", "scoring/record",
                  "report/context", "report/export", "report/notebook_params", "report/render",
                  "report/sections", "rubric/model", "rubric/rules", "scoring/score",
                  "report/notice", "text/dates")


def code_fingerprint(notebook: Path) -> str:
    """sha256 of the code that shapes a report: the notebook, templates and those modules."""
    h = hashlib.sha256(__version__.encode())
    files = [notebook, *sorted((PACKAGE_DIR / "templates").glob("kpa_report*")),
             *(PACKAGE_DIR / f"{m}.py" for m in REPORT_MODULES),
             *sorted((PACKAGE_DIR / "rubrics").glob("*.yaml"))]
    for path in files:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def tree_stamps(folder: Path, depth: int = 3) -> list[list[Any]]:
    """[relative path, size, inode, mtime_ns, ctime_ns] of every file under ``folder``."""
    out: list[list[Any]] = []

    def walk(path: Path, rel: str, left: int) -> None:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = f"{rel}{entry.name}"
            if entry.name in NOT_STAMPED:
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if left > 1:
                        walk(Path(entry.path), name + "/", left - 1)
                    continue
                st = entry.stat(follow_symlinks=True)
            except OSError:
                continue
            out.append([name, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns])

    walk(folder, "", depth)
    return out


def racy(stamps: Iterable[list[Any]], taken_ns: int) -> bool:
    """True when a file changed so close to its stamp that a later edit could keep it."""
    return any(s[4] > taken_ns - RACY_NS or s[3] > taken_ns - RACY_NS for s in stamps)


def arguments(year: int, units: Iterable[str] | None, data: Path, out: Path, pdir: Path,
              cap_scope: str | None, engine: str, notebook: Path,
              documents: Any) -> dict[str, Any] | None:
    """What the command was asked, as the record keeps it; None when no record applies."""
    if documents.pdf or documents.docx:
        return None
    from kpa_core.text.dates import zh_date

    return {"year": year, "units": list(dict.fromkeys(units or [])),
            "data": str(Path(data).resolve()), "out": str(Path(out).resolve()),
            "params": str(Path(pdir).resolve()), "cap_scope": cap_scope, "engine": engine,
            "notebook": str(Path(notebook).resolve()), "lang": documents.lang,
            "office": documents.office, "timezone": documents.timezone, "bands": documents.bands,
            "bands_sha256": documents.fingerprint(), "version": __version__,
            "notice_number": documents.notice_number,
            "today": zh_date(None, documents.timezone)}


def _code_stamps() -> list[list[Any]]:
    return tree_stamps(PACKAGE_DIR, depth=3)


def key(args: dict[str, Any], data_stamps: list[list[Any]], out: Path, pdir: Path,
        notebook: Path) -> str:
    """The sha256 a rerun must reproduce (outputs and params stamped now)."""
    text = json.dumps([QUICK_FORMAT, args, code_fingerprint(notebook), _code_stamps(),
                       data_stamps, tree_stamps(out, depth=1), tree_stamps(pdir, depth=1)],
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def remember(out: Path, args: dict[str, Any] | None, data_stamps: list[list[Any]],
             taken_ns: int, pdir: Path, notebook: Path, skipped: list[str],
             notes: list[str], intact: Callable[[], bool] | None = None) -> None:
    """Leave the record for the next run (or remove a stale one when none applies).

    Something that is no file under the record's name (a folder) is left alone and no record
    is written: the record only saves time, and the batch before it has done its work.

    ``intact`` is asked *after* the outputs are stamped: whether the files the batch wrote are
    still as it wrote them. Why: a unit's report and params file are written seconds before
    this point; one deleted or edited meanwhile would otherwise be stamped as the fixed point,
    and every later run would answer "unchanged" without restoring it. A change after the
    stamp changes the stamps, so the next run falls through to the full batch anyway.
    """
    path = out / QUICK_FILE
    try:
        path.unlink(missing_ok=True)  # not stamped, but never left stale while the key is made
    except OSError:
        return
    if args is None or racy(data_stamps, taken_ns):
        return
    from kpa_core.store.atomic import atomic_write_text

    record = {"format": QUICK_FORMAT, "key": key(args, data_stamps, out, pdir, notebook),
              "skipped": skipped, "notes": notes}
    if intact is not None and not intact():
        return
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, sort_keys=True))


def read_record(path: Path) -> dict[str, Any] | None:
    """The record a batch left at ``path``, or None for anything else there.

    Why not ``read_text``: the output folder is shared and this runs before every batch. A FIFO
    under the record's name would block a plain open forever, a symlink to a device such as
    ``/dev/zero`` never ends, and deeply nested JSON raises RecursionError, not ValueError. Each
    of these only means "no record": the full batch runs and replaces the file with its own.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_RECORD_BYTES:
                return None
            record = json.loads(f.read(MAX_RECORD_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(record, dict) and record.get("format") == QUICK_FORMAT
            and isinstance(record.get("key"), str)
            and all(isinstance(record.get(k), list)
                    and all(isinstance(v, str) for v in record[k]) for k in ("skipped", "notes"))):
        return None
    return record


def unchanged(year: int, units: Iterable[str] | None, data: Path, out: Path, pdir: Path,
              cap_scope: str | None, engine: str, notebook: Path,
              documents: Any) -> BatchResult | None:
    """What the full batch would return when it would change nothing, else None."""
    start = time.perf_counter()
    record = read_record(out / QUICK_FILE)
    if record is None:
        return None
    args = arguments(year, units, data, out, pdir, cap_scope, engine, notebook, documents)
    if args is None:
        return None
    if key(args, tree_stamps(data), out, pdir, notebook) != record.get("key"):
        return None
    return BatchResult(year=year, out_dir=out, index_path=out / "index.html",
                       skipped=list(record["skipped"]), notes=list(record["notes"]),
                       seconds=time.perf_counter() - start)
