"""Input problems, reported together and in both languages.

Analysts fix a whole file at once, so validation never stops at the first problem: it collects
``Problem`` objects and raises a single ``KpaInputError`` that carries all of them. Each problem
names the unit, the rule id, the value and what is allowed, in Chinese first, English behind.
"""

from __future__ import annotations

import errno
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_SHOWN = 500  # problems listed in one message; a real file has far fewer
MAX_ECHO = 200  # characters of a value a message shows: a 50 MB value is never echoed whole
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_ECHO
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 12
_REPR.maxlevel = 4
_REPR.maxlong = 40


def short_repr(value: Any) -> str:
    """``repr`` in bounded time and at most ~``MAX_ECHO`` characters, even of a YAML bomb."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one piece of input."""

    problem_zh: str
    problem_en: str
    unit: str | None = None
    rule_id: str | None = None
    field: str | None = None
    value: Any = None
    allowed_zh: str = ""
    allowed_en: str = ""
    where: str | None = None  # a file path, or "workbook.xlsx 第5行 D列 / row 5, column D"

    def located(self, **changes: Any) -> Problem:
        """Return a copy with location details filled in (unit, where, …) where still missing."""
        fields = {k: v for k, v in changes.items() if getattr(self, k) in (None, "")}
        return Problem(**{**self.__dict__, **fields})

    def __str__(self) -> str:
        # A problem about no unit (no workspace, a busy port) names none: no "[?]" before it.
        subject = f"[{self.unit}]" if self.unit else ""
        if self.rule_id:
            subject += f" {self.rule_id}"
        if self.field:
            subject += f".{self.field}" if subject else self.field
        if self.value is not None:
            subject += f" = {short_repr(self.value)}"
        subject = subject.strip()
        zh = f"{subject}：{self.problem_zh}" if subject else self.problem_zh
        en = self.problem_en
        if self.allowed_zh:
            zh += f"（允许：{self.allowed_zh}）"
        if self.allowed_en:
            en += f" (allowed: {self.allowed_en})"
        text = f"{zh} / {en}"
        if self.where:
            text += f"  @ {self.where}"
        return text


class KpaInputError(ValueError):
    """Raised with every problem found in an input, never just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """All problems, one per line, with a bilingual headline."""
        n = len(self.problems)
        head = f"发现 {n} 个输入问题 / {n} input problem(s) found:"
        shown = [f"  - {p}" for p in self.problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:  # a hostile file must not turn one message into 100 MB of text
            shown.append(f"  … 另有 {n - MAX_SHOWN} 个问题未列出 / and {n - MAX_SHOWN} more")
        return "\n".join([head, *shown])


OS_CAUSES = {
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.EDQUOT: ("超出磁盘配额", "the disk quota is exceeded"),
    errno.EROFS: ("文件夹只读", "the folder is read-only"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("没有权限", "operation not permitted"),
    errno.EISDIR: ("该路径是文件夹", "the path is a folder"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "a part of the path is a file, not a folder"),
    errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
}


def os_error_problem(exc: OSError, zh: str = "无法读写文件", en: str = "cannot read or write a file"
                     ) -> Problem:
    """An ``OSError`` as a bilingual problem naming its real cause and the path it concerns."""
    cause = OS_CAUSES.get(exc.errno or 0, (exc.strerror or str(exc),) * 2)
    where = exc.filename if exc.filename is not None else None
    return Problem(f"{zh}：{cause[0]}", f"{en}: {cause[1]}",
                   where=str(where)[:MAX_ECHO] if where is not None else None)
