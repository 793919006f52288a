"""The content-addressed evidence store of a year: ``data/<year>/evidence/<sha256>``.

One copy of a file however many entries cite it; beside it ``<sha256>.json`` says what it is
(original name, size, media type from the content, who added it and when, and the evidence
date: the date of the document itself, e.g. the meeting, not of the upload). A stored file is
never changed: it is written once, atomically (temp file, fsync, rename, ``store.atomic``),
with the umask's permissions minus write, and a file whose bytes no longer match its name is
reported, never "repaired".

Order of a store: the file, then its sidecar; if the sidecar cannot be written the new file
is removed again, so a full disk leaves no half-stored file. A record cites a file only after
``store_*`` returned, so no citation can name a file that is not there.

What is refused, each with a message naming the file: a symlink or special file (FIFO,
device, folder), a file over ``max_file_mb`` (told from its size before a byte is read, so a
2 GB sparse file costs nothing), a year over ``max_year_mb``, an empty file, content whose
kind is not allowed (``media``), a name that is a path (``names``).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem, os_error_problem
from kpa_core.evidence.citation import SHA256
from kpa_core.evidence.media import KINDS, detect
from kpa_core.evidence.names import clean_name
from kpa_core.evidence.settings import EvidenceSettings, load_settings
from kpa_core.store.atomic import atomic_write_bytes, atomic_write_text, folder_lock

FOLDER = "evidence"
SIDECAR = ".json"
LOCK_NAME = ".kpa-evidence.lock"
KIND_ZH = {"pdf": "PDF", "image": "图片", "office": "Office 文档", "text": "文本",
           "audio": "音频", "video": "视频"}


@dataclass(frozen=True)
class StoredFile:
    """One stored file as its sidecar describes it."""

    sha256: str
    name: str
    size: int
    media_type: str
    kind: str
    added_by: str
    added_at: str
    date: str | None = None  # the document's own date (YYYY-MM-DD)
    reused: bool = False  # already stored (same bytes): nothing was written

    def sidecar(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("reused")
        return data


def evidence_dir(data_dir: str | Path, year: int) -> Path:
    """``data/<year>/evidence``; the year is an int, so it cannot escape the data folder."""
    return Path(data_dir) / str(int(year)) / FOLDER


def file_path(data_dir: str | Path, year: int, sha256: str) -> Path:
    """Where the file of ``sha256`` lives; only a well-formed hash ever becomes a path."""
    if not isinstance(sha256, str) or not SHA256.match(sha256):
        raise KpaInputError([Problem("sha256 不合法", "invalid sha256", field="sha256",
                                     value=sha256, allowed_zh="64 位小写十六进制",
                                     allowed_en="64 lowercase hex digits")])
    return evidence_dir(data_dir, year) / sha256


def _refuse(source: str, zh: str, en: str, unit: str | None, rule_id: str | None,
            allowed: tuple[str, str] = ("普通文件：PDF、图片、Office 文档、文本、音视频",
                                        "a regular file: PDF, image, Office, text, audio, "
                                        "video")) -> KpaInputError:
    return KpaInputError([Problem(zh, en, unit=unit, rule_id=rule_id, field="file",
                                  value=source[:200], allowed_zh=allowed[0],
                                  allowed_en=allowed[1], where=source[:200])])


def _cap_text(limit: int) -> tuple[str, str]:
    mb = f"{limit / (1024 * 1024):g}"
    return f"≤ {mb} MB（kpa.toml [evidence] max_file_mb）", f"≤ {mb} MB (kpa.toml max_file_mb)"


def read_source(path: str | Path, settings: EvidenceSettings, unit: str | None = None,
                rule_id: str | None = None) -> bytes:
    """A regular file's bytes; a symlink, special file or file over the cap is refused."""
    shown = str(path)
    try:
        st = os.lstat(path)
    except (OSError, ValueError) as exc:
        raise _refuse(shown, "找不到或无法读取该文件", f"cannot find or read the file "
                      f"({exc.__class__.__name__})", unit, rule_id) from exc
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(shown, "该文件是符号链接，拒绝（请指定文件本身）", "the file is a symbolic "
                      "link; refused (name the file itself)", unit, rule_id)
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(shown, "不是普通文件（文件夹、管道或设备），拒绝", "not a regular file "
                      "(a folder, FIFO or device); refused", unit, rule_id)
    if st.st_size > settings.max_file:
        raise _refuse(shown, f"文件过大（{st.st_size / (1024 * 1024):.0f} MB）",
                      f"the file is too big ({st.st_size / (1024 * 1024):.0f} MB)", unit,
                      rule_id, _cap_text(settings.max_file))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise KpaInputError([os_error_problem(exc, "无法读取文件", "cannot read the file")
                             .located(unit=unit, where=shown[:200])]) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between lstat and open
            raise _refuse(shown, "不是普通文件，拒绝", "not a regular file; refused", unit, rule_id)
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, settings.max_file + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > settings.max_file:
                raise _refuse(shown, "文件过大（读取时增长）", "the file is too big (it grew while "
                              "read)", unit, rule_id, _cap_text(settings.max_file))
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_date(value: Any, unit: str | None = None, rule_id: str | None = None) -> str | None:
    """The evidence date as ``YYYY-MM-DD`` (None when not given); anything else is refused."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100 or len(text) != 10:
        raise KpaInputError([Problem("佐证材料日期不合法", "invalid evidence date", unit=unit,
                                     rule_id=rule_id, field="date", value=value,
                                     allowed_zh="YYYY-MM-DD，如 2013-06-20",
                                     allowed_en="YYYY-MM-DD, e.g. 2013-06-20")])
    return text


def store_file(data_dir: str | Path, year: int, source: str | Path, *, who: str,
               evidence_date: Any = None, name: str | None = None,
               settings: EvidenceSettings | None = None, unit: str | None = None,
               rule_id: str | None = None) -> StoredFile:
    """Store the file at ``source`` (its own name unless ``name``); see the module docstring."""
    settings = settings or load_settings(data_dir)
    data = read_source(source, settings, unit, rule_id)
    return store_bytes(data_dir, year, data, name if name is not None else Path(source).name,
                       who=who, evidence_date=evidence_date, settings=settings, unit=unit,
                       rule_id=rule_id, shown=str(source))


def store_uploads(data_dir: str | Path, year: int, uploads: Any, *, who: str | None,
                  unit: str | None = None, rule_id: str | None = None) -> list[StoredFile]:
    """Store every file of a FileUpload's value (ipywidgets 8: dicts with ``name`` and
    ``content``); every refusal of every file at once. The form's citations and the 整改 tab's
    reports both upload this way. Files already checked are kept even when one is refused:
    stored by their hash, they change nothing until something cites them."""
    who = (who or "").strip() or "表单上传 form upload"
    problems: list[Problem] = []
    stored = []
    for upload in uploads or ():
        try:
            stored.append(store_bytes(data_dir, year, bytes(upload["content"]),
                                      upload.get("name", ""), who=who, unit=unit,
                                      rule_id=rule_id))
        except KpaInputError as exc:
            problems += exc.problems
    if problems:
        raise KpaInputError(problems)
    return stored


def store_bytes(data_dir: str | Path, year: int, data: bytes, name: str, *, who: str,
                evidence_date: Any = None, settings: EvidenceSettings | None = None,
                unit: str | None = None, rule_id: str | None = None,
                shown: str | None = None, added_at: str | None = None) -> StoredFile:
    """Store ``data`` (an upload's bytes) under its sha256 with a sidecar; return its entry.

    ``added_at`` is for generated sample data only (a fixed time keeps it byte-identical)."""
    settings = settings or load_settings(data_dir)
    shown = shown or str(name)[:200]
    clean, problems = clean_name(name, unit, rule_id)
    if not isinstance(who, str) or not who.strip():
        problems.append(Problem("须填写添加人", "who adds the file must be given", unit=unit,
                                field="who", value=who, allowed_zh="姓名", allowed_en="a name"))
    if problems:
        raise KpaInputError(problems)
    day = check_date(evidence_date, unit, rule_id)
    if len(data) > settings.max_file:
        raise _refuse(shown, "文件过大", "the file is too big", unit, rule_id,
                      _cap_text(settings.max_file))
    if not data:
        raise _refuse(shown, "文件为空", "the file is empty", unit, rule_id)
    found = detect(data)
    if found.refused:
        raise _refuse(shown, found.refused[0], found.refused[1], unit, rule_id)
    if found.kind not in settings.types:
        allowed = "、".join(KIND_ZH[k] for k in settings.types)
        raise _refuse(shown, f"不允许的类型：{KIND_ZH[found.kind]}（{found.media_type}）",
                      f"type not allowed: {found.kind} ({found.media_type})", unit, rule_id,
                      (f"kpa.toml 允许：{allowed}", "kpa.toml allows: " + ", ".join(
                          k for k in KINDS if k in settings.types)))
    sha = hashlib.sha256(data).hexdigest()
    folder = evidence_dir(data_dir, year)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder, LOCK_NAME):
            return _write(folder, sha, data, StoredFile(
                sha, clean, len(data), found.media_type, found.kind, who.strip(),
                added_at or datetime.now(UTC).isoformat(timespec="seconds"), day), settings, shown,
                unit, rule_id)
    except OSError as exc:
        raise KpaInputError([os_error_problem(exc, "佐证材料未能保存（未保存任何内容）",
                                              "the evidence could not be stored (nothing was "
                                              "kept)").located(unit=unit, where=shown)]) from exc


def _write(folder: Path, sha: str, data: bytes, meta: StoredFile, settings: EvidenceSettings,
           shown: str, unit: str | None, rule_id: str | None) -> StoredFile:
    target = folder / sha
    if os.path.lexists(target):
        status = stored_status(folder.parent.parent, int(folder.parent.name), sha)
        if status is not None:
            raise _refuse(shown, f"库中同名文件已损坏：{status[0]}（请先核查 kpa evidence check）",
                          f"the stored copy is damaged: {status[1]}", unit, rule_id)
        old = read_sidecar(folder, sha)
        return StoredFile(**{**meta.sidecar(), **(old.sidecar() if old else {}), "reused": True})
    used = sum(p.stat().st_size for p in folder.iterdir()
               if SHA256.match(p.name) and p.is_file() and not p.is_symlink())
    if used + len(data) > settings.max_year:
        raise _refuse(shown, f"本年度佐证材料总量将超过上限（已用 {used / (1024 * 1024):.1f} MB）",
                      f"the year's evidence would exceed its cap ({used / (1024 * 1024):.1f} MB "
                      "used)", unit, rule_id, (f"≤ {settings.max_year_mb:g} MB（max_year_mb）",
                                               f"≤ {settings.max_year_mb:g} MB (max_year_mb)"))
    atomic_write_bytes(target, data)
    try:
        atomic_write_text(folder / f"{sha}{SIDECAR}", json.dumps(
            meta.sidecar(), ensure_ascii=False, indent=1) + "\n")
    except BaseException:
        target.unlink(missing_ok=True)  # no file without its sidecar: both or neither
        raise
    mode = stat.S_IMODE(os.stat(target).st_mode)
    os.chmod(target, mode & ~0o222)  # never edited in place
    return meta


def read_sidecar(folder: Path, sha: str) -> StoredFile | None:
    """A file's sidecar, or None when it is missing or unreadable."""
    path = folder / f"{sha}{SIDECAR}"
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        fields = {k: data[k] for k in ("sha256", "name", "size", "media_type", "kind",
                                       "added_by", "added_at")}
        return StoredFile(**fields, date=data.get("date"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stored_files(data_dir: str | Path, year: int) -> dict[str, StoredFile | None]:
    """sha256 → its sidecar (None if unreadable) for every file in the year's store."""
    folder = evidence_dir(data_dir, year)
    if not folder.is_dir():
        return {}
    return {p.name: read_sidecar(folder, p.name) for p in sorted(folder.iterdir())
            if SHA256.match(p.name)}


def stored_status(data_dir: str | Path, year: int, sha: str) -> tuple[str, str] | None:
    """None when the stored file is there, regular and matches its hash; else why not."""
    path = file_path(data_dir, year, sha)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "文件缺失", "the file is missing"
    except OSError as exc:
        return "文件无法读取", f"the file is unreadable ({exc.__class__.__name__})"
    if not stat.S_ISREG(st.st_mode):
        return ("不是普通文件（符号链接或特殊文件）",
                "not a regular file (a symlink or special file)")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        return "文件无法读取", f"the file is unreadable ({exc.__class__.__name__})"
    if digest.hexdigest() != sha:
        return (f"内容已改变（现 sha256 {digest.hexdigest()[:12]}）",
                f"its content changed (sha256 now {digest.hexdigest()[:12]})")
    return None
