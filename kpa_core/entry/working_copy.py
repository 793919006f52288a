"""One mode's form as plain data, and the small checks the controller makes on each edit.

Entry and what-if each hold a ``WorkingCopy``, so a scenario's edits can never leak into the
record; ``fingerprint`` is what the file looked like when loaded, so a save can refuse to
overwrite another analyst's newer save.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpa_core.errors import Problem
from kpa_core.rubric.model import Rule
from kpa_core.rubric.rules import kind_of


@dataclass(frozen=True)
class Fingerprint:
    """What the file looked like when loaded: absent (sha256 None) or its bytes' hash."""

    sha256: str | None
    mtime_ns: int | None


@dataclass
class WorkingCopy:
    """One mode's form: every rule's value, reason and evidence, and the record's options.

    Entry and what-if each hold one, so that a scenario's edits can never leak into the record.
    """

    values: dict[str, Any] = field(default_factory=dict)
    last_valid: dict[str, Any] = field(default_factory=dict)  # what the score uses meanwhile
    reasons: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # evidence_files
    options: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # optional facts (#25)


def fingerprint(path: Path) -> Fingerprint:
    if not path.exists():
        return Fingerprint(None, None)
    return Fingerprint(hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)


def check_value_problems(rule: Rule, value: Any) -> list[Problem]:
    """Problems of the value alone (not of the reason), by the rule's own kind."""
    return kind_of(rule).check_value(rule, value)


def parse_amounts(text: str) -> list[Any]:
    """'4, 4.5' → [4.0, 4.5]. A token that is not a number is kept as text, so that the rule's
    own check names it (``超出允许范围或不是数字``) instead of it vanishing silently."""
    out: list[Any] = []
    for token in str(text).replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        token = token.strip()
        if not token:
            continue
        try:
            number = float(token)
        except ValueError:
            out.append(token)
            continue
        out.append(number if math.isfinite(number) else token)
    return out
