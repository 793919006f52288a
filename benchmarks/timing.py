"""The one timing helper every benchmark script uses (run them as ``python benchmarks/…``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeats`` calls (the least disturbed by other load), and the result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result
