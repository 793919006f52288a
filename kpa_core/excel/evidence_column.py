"""The workbook's 佐证材料 column: file names, in a folder beside the workbook, stored and cited.

A cell names one or more files (separated by ``;``, ``；`` or new lines) in the folder
``佐证材料/`` next to the workbook. ``kpa import`` checks every named file before anything is
stored (a name that is a path, a missing file, a symlink, a file over the cap, a refused type:
all named at once, with their cells), then stores them (``kpa_core.evidence.store``) and cites
them in the imported records: all or nothing, and never a citation without its file.

A name the folder lacks but the unit's record already cites for that rule is kept as cited,
so an exported workbook (whose column lists the cited names) imports back unchanged without
its files. A workbook without the column (an older template) leaves citations as they were.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kpa_core.errors import KpaInputError, Problem
from kpa_core.evidence.citation import EVIDENCE_FIELD
from kpa_core.evidence.media import detect
from kpa_core.evidence.names import clean_name
from kpa_core.evidence.settings import load_settings
from kpa_core.evidence.store import read_source, store_bytes
from kpa_core.scoring.record import Record, load_record
from kpa_core.year.data import record_path

FOLDER = "佐证材料"
HEADER_ZH, HEADER_EN = "佐证材料", "evidence files"
SEPARATORS = re.compile(r"[;；\n]")


def cell_names(value: Any) -> list[str]:
    """The file names one cell lists (blank parts dropped)."""
    if value is None:
        return []
    return [part.strip() for part in SEPARATORS.split(str(value)) if part.strip()]


def export_text(entry: dict[str, Any]) -> str | None:
    """What the export writes in the column: the cited names, ``; `` between them."""
    names = [str(f.get("name", "")) for f in entry.get(EVIDENCE_FIELD) or []]
    return "; ".join(names) or None


def read_column(path: Path, sheet: str) -> dict[tuple[str, str], tuple[list[str], str]] | None:
    """(unit id, rule id) → (names, cell) for every filled cell; None without the column."""
    wb = load_workbook(path, read_only=True)
    try:
        ws = wb[sheet]
        rows = ws.iter_rows(values_only=True)
        header = [" ".join(str(h or "").split()).lower() for h in next(rows, ())]
        wanted = {HEADER_ZH.lower(), HEADER_EN.lower(), f"{HEADER_ZH} {HEADER_EN}".lower(),
                  EVIDENCE_FIELD}
        col = next((i for i, h in enumerate(header) if h in wanted), None)
        if col is None:
            return None
        ids = {k: header.index(k) for k in ("单位编号 unit id", "规则编号 rule id") if k in header}
        uid_col = ids.get("单位编号 unit id", 0)
        rule_col = ids.get("规则编号 rule id", 3)
        out = {}
        for n, row in enumerate(rows, start=2):
            names = cell_names(row[col] if col < len(row) else None)
            if names:
                out[(str(row[uid_col]), str(row[rule_col]))] = (
                    names, f"{path.name} 「{sheet}」第{n}行（{HEADER_ZH}）")
        return out
    finally:
        wb.close()


_OLD: dict[tuple[Path, int, str, str], Record | None] = {}


def _old_citations(data_dir: Path, year: int, uid: str, role: str, rule_id: str
                   ) -> dict[str, dict[str, Any]]:
    """name → citation of the rule in the unit's record on disk (read once per import)."""
    key = (data_dir, year, uid, role)
    if key not in _OLD:
        target = record_path(data_dir, year, uid, role)
        try:
            _OLD[key] = load_record(target, unit_id=uid) if target.is_file() else None
        except KpaInputError:
            _OLD[key] = None
    old = _OLD[key]
    entry = old.entries.get(rule_id, {}) if old else {}
    return {str(f.get("name")): dict(f) for f in entry.get(EVIDENCE_FIELD) or []}


def attach_evidence(book: Path, data_dir: str | Path, result: Any, who: str | None,
                    sheet: str) -> Any:
    """``result`` (the reader's ``WorkbookRecords``) with the column's files stored and cited.

    Raises ``KpaInputError`` naming every bad cell before any file is stored.
    """
    cells = read_column(book, sheet)
    data_dir = Path(data_dir)
    _OLD.clear()  # the records as they are now, not as a previous import saw them
    if cells is None:
        return _keep_old(data_dir, result)
    settings = load_settings(data_dir)
    folder = book.parent / FOLDER
    problems: list[Problem] = []
    todo: dict[tuple[str, str], list[Any]] = {}
    for (uid, rule_id), (names, where) in cells.items():
        record = result.records.get(uid)
        unit = record.unit if record else uid
        if record is None or rule_id not in record.entries:
            problems.append(Problem("填写了佐证材料但没有取值", "evidence files named without "
                                    "a value", unit=unit, rule_id=rule_id, field=HEADER_ZH,
                                    value="; ".join(names), allowed_zh="与取值一起填写",
                                    allowed_en="together with the value", where=where))
            continue
        old = _old_citations(data_dir, result.year, uid, result.role, rule_id)
        items: list[Any] = []
        for name in names:
            clean, bad = clean_name(name, unit, rule_id)
            if bad:
                problems += [p.located(where=where) for p in bad]
                continue
            source = folder / clean
            if not source.exists() and not source.is_symlink() and clean in old:
                items.append(old[clean])  # cited before; the file is in the store already
                continue
            try:
                data = read_source(source, settings, unit, rule_id)
                found = detect(data)
                if found.refused or found.kind not in settings.types or not data:
                    why = found.refused or ("不允许的类型或空文件", "type not allowed or empty")
                    raise KpaInputError([Problem(why[0], why[1], unit=unit, rule_id=rule_id,
                                                 field=HEADER_ZH, value=clean)])
            except KpaInputError as exc:  # the cell is where to fix it; the value names the file
                problems += [replace(p, where=where, value=clean) for p in exc.problems]
                continue
            items.append((clean, data))
        todo[(uid, rule_id)] = items
    if problems:
        raise KpaInputError(problems)
    records = dict(result.records)
    for (uid, rule_id), items in todo.items():
        cited = []
        for item in items:
            if isinstance(item, dict):
                cited.append(item)
                continue
            s = store_bytes(data_dir, result.year, item[1], item[0], who=who or "kpa import",
                            settings=settings, unit=records[uid].unit, rule_id=rule_id)
            cited.append({"sha256": s.sha256, "name": s.name})
        records[uid] = _with(records[uid], rule_id, cited)
    return replace(result, records=records)


def _with(record: Record, rule_id: str, cited: list[dict[str, Any]]) -> Record:
    entries = {rid: dict(e) for rid, e in record.entries.items()}
    if cited:
        entries[rule_id][EVIDENCE_FIELD] = cited
    return replace(record, entries=entries)


def _keep_old(data_dir: Path, result: Any) -> Any:
    """No column: each imported entry keeps the citations its record had."""
    records = dict(result.records)
    for uid, record in result.records.items():
        for rule_id in record.entries:
            old = _old_citations(data_dir, result.year, uid, result.role, rule_id)
            if old and EVIDENCE_FIELD not in record.entries[rule_id]:
                records[uid] = _with(records[uid], rule_id, list(old.values()))
    return replace(result, records=records)


def export_evidence(data_dir: str | Path, year: int, records: dict[str, Record],
                    out: str | Path) -> dict[str, Record]:
    """Copy every cited file into ``佐证材料/`` beside the exported workbook; return the records
    with the names the column will show (a name two different files share gets ``-<sha8>``).

    So an export is self-contained: imported into another data folder it stores the same files
    and gives the same records. A file already there with the same bytes is not rewritten; a
    different file of that name is never overwritten. A damaged stored file is not copied
    (``kpa verify`` names it).
    """
    from kpa_core.evidence.store import file_path, stored_status
    from kpa_core.store.atomic import atomic_write_bytes

    folder = Path(out).parent / FOLDER
    taken: dict[str, str] = {}  # exported name → sha256
    shown: dict[str, str] = {}  # sha256 → exported name
    changed: dict[str, Record] = {}
    for uid, record in records.items():
        entries = {}
        for rule_id, entry in record.entries.items():
            items = []
            for item in entry.get(EVIDENCE_FIELD) or []:
                sha, name = str(item.get("sha256")), str(item.get("name"))
                if sha not in shown:
                    if name in taken and taken[name] != sha:
                        stem, dot, ext = name.rpartition(".")
                        name = f"{stem}-{sha[:8]}.{ext}" if dot else f"{name}-{sha[:8]}"
                    name = _copy_out(folder, name, sha, data_dir, year, file_path,
                                     stored_status, atomic_write_bytes)
                    shown[sha], taken[name] = name, sha
                items.append({**item, "name": shown[sha]})
            entries[rule_id] = {**entry, EVIDENCE_FIELD: items} if items else entry
        changed[uid] = replace(record, entries=entries)
    return changed


def _copy_out(folder: Path, name: str, sha: str, data_dir: Any, year: int, file_path: Any,
              stored_status: Any, write: Any) -> str:
    """Copy one stored file out under ``name`` (or ``name-<sha8>`` when a different file of
    the analyst's holds that name: never replaced); return the name used."""
    if stored_status(data_dir, year, sha) is not None:
        return name
    data = file_path(data_dir, year, sha).read_bytes()
    target = folder / name
    if target.exists() or target.is_symlink():
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            return name
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}-{sha[:8]}.{ext}" if dot else f"{name}-{sha[:8]}"
        target = folder / name
        if target.exists() or target.is_symlink():
            return name  # both taken: the import names what it finds there
    folder.mkdir(exist_ok=True)
    write(target, data)
    return name
