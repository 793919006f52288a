"""Reading input files with bounds: regular files only, and never more than a set size.

``kpa score /dev/zero`` used to read forever and a 50 MB record took 74 s and 344 MB before
being accepted. Every file kpa reads as input (records, units.csv, params, bands, settings,
workbooks) passes here first: a device, FIFO or folder is refused without blocking (the FIFO
is opened non-blocking), and a file larger than the limit is refused before it is read.

Limits: ``KPA_MAX_INPUT_MB`` (default 5) for text inputs, ``KPA_MAX_WORKBOOK_MB`` (default 20)
for a workbook file and ``KPA_MAX_WORKBOOK_UNPACKED_MB`` (default 200) for what it unpacks to.
"""

from __future__ import annotations

import base64
import json
import math
import os
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem, os_error_problem

MB = 1024 * 1024
DEFAULT_INPUT_MB = 5
DEFAULT_WORKBOOK_MB = 20
DEFAULT_UNPACKED_MB = 200


MAX_LIMIT_MB = 1024 * 1024  # 1 TB: beyond any input kpa reads; a larger bound is a typo


def limit_bytes(variable: str, default_mb: float) -> int:
    """A size limit in bytes from an environment variable in MB (unset or empty: the default).

    The value must be a finite number above 0 and at most ``MAX_LIMIT_MB``: ``inf`` or
    ``1e400`` used to end in an OverflowError traceback, and a typo silently kept the default;
    both are a clear bilingual ``KpaInputError`` naming the variable now.
    """
    text = os.environ.get(variable, "").strip()
    if not text:
        return int(default_mb * MB)
    try:
        mb = float(text)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and 0 < mb <= MAX_LIMIT_MB):
        raise KpaInputError([Problem(
            f"环境变量 {variable} 的取值不合法", f"the environment variable {variable} is not "
            "a valid size", field=variable, value=text[:40],
            allowed_zh=f"大于 0、不超过 {MAX_LIMIT_MB} 的有限数（单位 MB，默认 {default_mb}）",
            allowed_en=f"a finite number above 0 and at most {MAX_LIMIT_MB} (MB; default "
                       f"{default_mb})")])
    return int(mb * MB)


def input_limit() -> int:
    return limit_bytes("KPA_MAX_INPUT_MB", DEFAULT_INPUT_MB)


def check_write_size(size: int, path: str | Path, unit: str | None = None) -> None:
    """Refuse to write what kpa could not read back (#24): a file over the input bound.

    A record near the bound embedded in a params file, or a record whose YAML aliases were
    expanded on save, would otherwise be written and then refused by kpa's own reader.
    """
    limit = input_limit()
    if size > limit:
        raise KpaInputError([Problem(
            f"要写出的文件过大（{size:,} 字节），超过读取上限 {limit // MB} MB，写出后将无法读回；"
            "未写入任何内容", f"the file to write is too large ({size:,} bytes; kpa reads at "
            f"most {limit // MB} MB), so it could not be read back; nothing was written",
            unit=unit, value=f"{size:,} bytes",
            allowed_zh=f"不超过 {limit // MB} MB（缩短理由等文字，或调整 KPA_MAX_INPUT_MB）",
            allowed_en=f"at most {limit // MB} MB (shorten the texts, or set KPA_MAX_INPUT_MB)",
            where=str(path)[:200])])


def _too_big(path: Path, size: int | str, limit: int, variable: str) -> KpaInputError:
    return KpaInputError([Problem(
        f"文件过大（{size} 字节），超过上限 {limit // MB} MB",
        f"the file is too large ({size} bytes; the limit is {limit // MB} MB)",
        allowed_zh=f"不超过 {limit // MB} MB（可用环境变量 {variable} 调整）",
        allowed_en=f"at most {limit // MB} MB (set {variable} to change)",
        where=str(path)[:200])])


def _not_regular(path: Path, mode: int) -> KpaInputError:
    what = ("文件夹", "a folder") if stat.S_ISDIR(mode) else (
        "设备、管道或其他特殊文件", "a device, FIFO or other special file")
    return KpaInputError([Problem(f"不是普通文件（是{what[0]}），拒绝读取",
                                  f"not a regular file ({what[1]}); refusing to read it",
                                  allowed_zh="普通文件", allowed_en="a regular file",
                                  where=str(path)[:200])])


@dataclass
class Snapshot:
    """The bytes of every input file read (and the names of every folder listed) once.

    Why (issue #24, defect 6): a report batch read the year, then its kernels read it again
    while saves and imports ran; one unit's params embedded one version of its record, named
    the sha256 of a second and rendered a third. The batch records what it reads into a
    ``Snapshot`` (``recording``) and its kernels read from it (``reading_from``), so what is
    hashed, embedded and rendered is the same bytes. Keys are absolute paths.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    listings: dict[str, list[str]] = field(default_factory=dict)
    ident: str = ""  # names this snapshot in caches (the batch's id)


_RECORDING: ContextVar[Snapshot | None] = ContextVar("kpa_recording", default=None)
_READING: ContextVar[Snapshot | None] = ContextVar("kpa_snapshot", default=None)


def _key(path: str | Path) -> str:
    return os.path.abspath(path)


@contextmanager
def recording() -> Iterator[Snapshot]:
    """Every file read and folder listed in this block is kept in the yielded snapshot."""
    snap = Snapshot()
    token = _RECORDING.set(snap)
    try:
        yield snap
    finally:
        _RECORDING.reset(token)


@contextmanager
def reading_from(snap: Snapshot | None) -> Iterator[None]:
    """Reads of a file the snapshot holds return its bytes; listings its names (None: disk)."""
    token = _READING.set(snap)
    try:
        yield
    finally:
        _READING.reset(token)


def active_snapshot() -> Snapshot | None:
    return _READING.get()


def snapshot_exists(path: str | Path) -> bool:
    """Whether ``path`` is a file as this process reads its inputs (the snapshot, or disk)."""
    snap = _READING.get()
    if snap is not None:
        key = _key(path)
        folder = os.path.dirname(key)
        if key in snap.files:
            return True
        if folder in snap.listings:  # listed when the snapshot was taken, and not read
            return os.path.basename(key) in snap.listings[folder] and os.path.isfile(path)
    return os.path.isfile(path)


def list_folder(folder: str | Path) -> list[str]:
    """The names in a folder, from the snapshot when it listed that folder (else the disk)."""
    key = _key(folder)
    snap = _READING.get()
    if snap is not None and key in snap.listings:
        return list(snap.listings[key])
    with os.scandir(folder) as it:
        names = [e.name for e in it]
    if (rec := _RECORDING.get()) is not None:
        rec.listings[key] = list(names)
    return names


def read_bytes_bounded(path: str | Path, limit: int | None = None,
                       variable: str = "KPA_MAX_INPUT_MB") -> bytes:
    """A regular file's bytes, refused (``KpaInputError``) if special or over ``limit``.

    Inside ``reading_from`` a file the snapshot holds is answered from it; inside
    ``recording`` the bytes read are kept.
    """
    snap = _READING.get()
    if snap is not None and (held := snap.files.get(_key(path))) is not None:
        return held
    data = _read_bytes_bounded(path, limit, variable)
    if (rec := _RECORDING.get()) is not None:
        rec.files[_key(path)] = data
    return data


def _read_bytes_bounded(path: str | Path, limit: int | None, variable: str) -> bytes:
    path = Path(path)
    limit = input_limit() if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except ValueError as exc:  # a NUL in the path
        raise KpaInputError([Problem("路径含有不允许的字符（NUL）", "the path holds a NUL "
                                     "character", where=repr(str(path))[:200])]) from exc
    except OSError as exc:
        raise KpaInputError([os_error_problem(exc, "无法读取文件", "cannot read file")
                             .located(where=str(path)[:200])]) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
        if st.st_size > limit:
            raise _too_big(path, st.st_size, limit, variable)
        chunks, total = [], 0
        while True:  # the file may grow while read: stop one byte past the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_big(path, f"> {limit}", limit, variable)
        return b"".join(chunks)
    except OSError as exc:
        raise KpaInputError([os_error_problem(exc, "无法读取文件", "cannot read file")
                             .located(where=str(path)[:200])]) from exc
    finally:
        os.close(fd)


def check_workbook(path: str | Path) -> None:
    """Refuse a workbook that is special, too big, or unpacks to too much (a zip bomb).

    openpyxl inflates every part in memory: a 1.4 MB file holding a 1.2 GB cell took 2.5 GB
    before failing. The sizes declared in the zip directory are checked first, then each part
    is inflated in a streaming pass that stops at the limit (the directory can lie).
    """
    path = Path(path)
    file_limit = limit_bytes("KPA_MAX_WORKBOOK_MB", DEFAULT_WORKBOOK_MB)
    unpacked = limit_bytes("KPA_MAX_WORKBOOK_UNPACKED_MB", DEFAULT_UNPACKED_MB)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return  # the reader reports a missing or unreadable file in its own words
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode)
    if st.st_size > file_limit:
        raise _too_big(path, st.st_size, file_limit, "KPA_MAX_WORKBOOK_MB")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > unpacked:
                raise _unpacks_too_big(path, declared, unpacked)
            total = 0
            for info in infos:
                with zf.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > unpacked:
                            raise _unpacks_too_big(path, f"> {total}", unpacked)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return  # not a zip at all: the reader says "cannot read the workbook"


def _unpacks_too_big(path: Path, size: int | str, limit: int) -> KpaInputError:
    return KpaInputError([Problem(
        f"工作簿解压后过大（{size} 字节），超过上限 {limit // MB} MB（可能是压缩炸弹）",
        f"the workbook unpacks to too much ({size} bytes; the limit is {limit // MB} MB; "
        "a zip bomb?)",
        allowed_zh=f"解压后不超过 {limit // MB} MB（环境变量 KPA_MAX_WORKBOOK_UNPACKED_MB）",
        allowed_en=f"at most {limit // MB} MB unpacked (KPA_MAX_WORKBOOK_UNPACKED_MB)",
        where=str(path)[:200])])


def snapshot_bytes(snap: Snapshot) -> bytes:
    """A snapshot as one JSON document (file bytes in base64), for a report kernel to load."""
    return json.dumps({"format": 1, "ident": snap.ident, "listings": snap.listings,
                       "files": {k: base64.b64encode(v).decode("ascii")
                                 for k, v in snap.files.items()}}).encode("utf-8")


_LOADED: dict[tuple[str, int, int], Snapshot] = {}


def load_snapshot(path: str | Path) -> Snapshot:
    """The snapshot a batch wrote (read once per kernel: every unit of the batch shares it).

    Bounded like the year it holds: at most 64 input limits (a year of records, base64).
    """
    st = os.stat(path)
    key = (_key(path), st.st_ino, st.st_mtime_ns)
    if key not in _LOADED:
        raw = _read_bytes_bounded(path, 64 * input_limit(), "KPA_MAX_INPUT_MB")
        try:
            data = json.loads(raw)
            snap = Snapshot({k: base64.b64decode(v) for k, v in data["files"].items()},
                            {k: list(v) for k, v in data["listings"].items()},
                            str(data.get("ident", "")))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KpaInputError([Problem("报告批次的数据快照无法读取", "the batch's data "
                                         "snapshot is unreadable", where=str(path)[:200])]
                                ) from exc
        _LOADED.clear()  # one batch at a time per kernel
        _LOADED[key] = snap
    return _LOADED[key]
