"""Input problems, reported together and in both languages.

Analysts fix a whole file at once, so validation never stops at the first problem: it collects
``Problem`` objects and raises a single ``KpaInputError`` that carries all of them. Each problem
names the unit, the rule id, the value and what is allowed, in Chinese first, English behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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
        subject = f"[{self.unit or '?'}]"
        if self.rule_id:
            subject += f" {self.rule_id}"
        if self.field:
            subject += f".{self.field}"
        if self.value is not None:
            subject += f" = {self.value!r}"
        zh = f"{subject}：{self.problem_zh}"
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
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
