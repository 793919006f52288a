"""One cell's text as a record value, and the cell syntax the template documents.

``parse_value`` inverts the template's ``format_value`` for every rule kind (lists split on
; ；, ，、, pairs on /, 是/否 for yes/no); a formula or a date Excel made of "12/3" is named by
its cell, never silently read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kpa_core.excel.template import (
    EMPTY_LIST,
    whole_number,
)
from kpa_core.rubric.model import Rule

LIST_SPLIT = re.compile(r"[;；,，、\n]")
PAIR_SPLIT = re.compile(r"[/／]")
TRUE_WORDS = {"true", "是", "yes", "y"}
FALSE_WORDS = {"false", "否", "no", "n"}
EMPTY_WORDS = {EMPTY_LIST, "none", "[]"}

class DateCell:
    """Marks a value Excel turned into a date or time (e.g. "12/3" typed into a General cell)."""

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return repr(str(self.value))


# ---------------------------------------------------------------- cell syntax ----------------

def text_of(value: Any) -> str | None:
    """A cell as stripped text; None when blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(token: str) -> int | float | str:
    """A number typed as text ("4.5", "５"); anything else is returned unchanged."""
    try:
        return int(token)
    except ValueError:
        pass
    try:
        x = float(token)
    except ValueError:
        return token
    return x if x == x and abs(x) != float("inf") else token


def scalar_of(value: Any) -> Any:
    """A single number cell: numbers pass, numeric text converts, other text stays (and fails)."""
    if isinstance(value, str):
        return _number(value.strip())
    return value


def _tokens(value: Any) -> list[str] | None:
    """The items of a list cell; None for the explicit empty list."""
    text = text_of(value if not isinstance(value, float) else f"{value:g}")
    if text is None or text.lower() in EMPTY_WORDS:
        return None
    return [t.strip() for t in LIST_SPLIT.split(text) if t.strip()]


def parse_value(rule: Rule, value: Any) -> Any:
    """A non-blank value cell in the form a YAML entry would hold; ``format_value`` inverted.

    Cells that do not fit are passed on as typed, so the rule kind reports them with the same
    message as in YAML (wrong type, out of range, unknown level, …).
    """
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return DateCell(value)
    kind = rule.kind
    if kind == "flag":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return value
    if kind in ("per_count", "bonus_per_count", "shortfall"):
        n = scalar_of(value)
        return whole_number(n)
    if kind == "range":
        return scalar_of(value)
    if isinstance(value, bool):
        return value  # not a list: the kind reports "must be a list"
    tokens = _tokens(value)
    if tokens is None:
        return []
    if kind == "tier":
        by_zh = {lv["zh"]: lv["id"] for lv in rule.params["levels"]}
        return [by_zh.get(t, t) for t in tokens]
    if kind == "ratio":
        sessions: list[Any] = []
        for t in tokens:
            pair = [p.strip() for p in PAIR_SPLIT.split(t)]
            if len(pair) == 2:
                sessions.append({"participants": _number(pair[0]), "reflections": _number(pair[1])})
            else:
                sessions.append(t)
        return sessions
    return [_number(t) for t in tokens]


def cell_text(value: Any) -> str | None:
    """Reason and evidence cells are text; a number typed there is kept as its text."""
    return text_of(whole_number(value))
