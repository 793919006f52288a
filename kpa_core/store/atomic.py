"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target.

Analysts' records are the source of truth; a crash or a full disk mid-save must leave the old
file whole, never a half-written one. The written file keeps the nature of what it replaces,
because the folders are shared between colleagues for years:

- a new file gets the permissions the umask gives (``mkstemp`` alone would make it 0600, so
  colleagues could not read the reports); an overwritten file keeps its mode;
- a symlink is followed: the shared target gets the new content, atomically, and the link
  stays a link;
- a folder, device or FIFO in the way is refused, never replaced (``--out /dev/null``);
- missing parent folders are created only for kpa's own layout (``make_parents=True``); a
  file named by the analyst (``--out``) in a folder that does not exist is an error.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask (read by setting and restoring it; serialised between threads)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def resolve_target(path: Path) -> Path:
    """The file a write to ``path`` must change: a symlink's final target, else ``path``."""
    path = Path(path)
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def check_target(path: Path, make_parents: bool) -> int | None:
    """Refuse what must not be replaced; return the mode to keep (None for a new file)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except ValueError as exc:  # a NUL in the path
        raise KpaInputError([_problem(path, "路径含有不允许的字符（NUL）",
                                      "the path holds a NUL character")]) from exc
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            kind = ("文件夹", "a folder") if stat.S_ISDIR(st.st_mode) else (
                "设备或管道等特殊文件", "a device, FIFO or other special file")
            raise KpaInputError([_problem(path, f"目标是{kind[0]}，不是普通文件，拒绝覆盖",
                                          f"the target is {kind[1]}, not a regular file; "
                                          "refusing to replace it")])
        return stat.S_IMODE(st.st_mode)
    parent = path.parent
    if not parent.is_dir():
        if parent.exists():  # an OSError like any other unwritable place (callers word it)
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
        if not make_parents:
            raise KpaInputError([_problem(path, "输出文件所在的文件夹不存在（请先创建）",
                                          "the folder of the output file does not exist "
                                          "(create it first)")])
        parent.mkdir(parents=True, exist_ok=True)
    return None


def _problem(path: Path, zh: str, en: str) -> Problem:
    return Problem(zh, en, field="path", value=str(path)[:200],
                   allowed_zh="已有文件夹中的普通文件",
                   allowed_en="a regular file in an existing folder",
                   where=str(path)[:200])


def atomic_write_bytes(path: Path, data: bytes, make_parents: bool = True) -> Path:
    """Write ``data`` to ``path`` so readers see either the old or the new file, never a mix.

    Returns ``path`` as given (a symlink stays the path the caller knows). OS errors (a full
    disk, a read-only folder) propagate as ``OSError`` after the temp file is removed.
    """
    path = Path(path)
    target = resolve_target(path)
    mode = check_target(target, make_parents)
    if mode is None:
        mode = 0o666 & ~current_umask()
    owner = _owner_to_keep(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if owner is not None:
                _keep_owner(fd, owner)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return path


def _owner_to_keep(target: Path) -> tuple[int, int] | None:
    """The replaced file's owner and group when they are not this process's, else None.

    Why: a rename puts the temp file's owner in place; a save run as root (or by a colleague
    in the file's group) left another analyst's record owned by root, no longer theirs to
    edit. The new file is given the old one's owner and group where the system allows it.
    """
    try:
        st = os.stat(target)
    except (OSError, ValueError):
        return None
    if (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()):
        return None
    return st.st_uid, st.st_gid


def _keep_owner(fd: int, owner: tuple[int, int]) -> None:
    """``fchown`` the new file to the old owner; failing that, at least to its group.

    Only root may give a file away; anyone may set a group they belong to. Before the
    ``fchmod``, because a change of owner clears set-id bits the mode then sets again.
    """
    try:
        os.fchown(fd, *owner)
    except OSError:
        # Not ours to give away: the writer owns the new file, as any rename makes it.
        with suppress(OSError):
            os.fchown(fd, -1, owner[1])


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str, make_parents: bool = True) -> Path:
    """UTF-8 text version of ``atomic_write_bytes``."""
    return atomic_write_bytes(path, text.encode("utf-8"), make_parents=make_parents)


@contextmanager
def folder_lock(folder: Path, fallback_name: str = ".kpa.lock") -> Iterator[None]:
    """An exclusive lock between processes on a folder (``flock``), released on exit.

    The folder itself is locked, so nothing is left behind in it; where a folder cannot be
    locked (some network file systems) a ``fallback_name`` file inside it is locked instead.
    Without ``fcntl`` (Windows) the block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    fd = None
    try:
        fd = os.open(folder, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        if fd is not None:
            os.close(fd)
        fd = os.open(Path(folder) / fallback_name, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
