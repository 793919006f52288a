"""Benchmark: score a year of N generated records, vectorised vs one record at a time.

Run:  .venv/bin/python benchmarks/bench_scoring.py [N] [REPEATS]
Prints the best-of-REPEATS wall time of each path (records are generated and validated once,
outside the timing) and checks that both paths give the same totals.
"""

from __future__ import annotations

import random
import sys
import time

import pandas as pd
from timing import best_of

from kpa_core.rubric.model import load_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record, score_year


def generate(n: int, seed: int = 7) -> list:
    """N valid records with 0–12 random entries each, over every rule kind."""
    rubric = load_rubric()
    rng = random.Random(seed)
    rules = list(rubric.rules.values())
    records = []
    for i in range(n):
        entries = {}
        for rule in rng.sample(rules, rng.randint(0, 12)):
            p = rule.params
            match rule.kind:
                case "flag":
                    v = True
                case "per_count" | "bonus_per_count":
                    v = rng.randint(0, p.get("max_count", 3))
                case "shortfall":
                    v = rng.randint(0, p["required"])
                case "range":
                    v = rng.randint(int(p["lo"] * 2), int(p["hi"] * 2)) / 2
                case "range_per_case" | "bonus_range_per_case":
                    v = [
                        rng.randint(int(p["lo"] * 2), int(p["hi"] * 2)) / 2
                        for _ in range(rng.randint(0, 3))
                    ]
                case "ratio":
                    v = [
                        {"participants": 12, "reflections": rng.randint(0, 12)}
                        for _ in range(rng.randint(0, 3))
                    ]
                case _:
                    v = rng.sample(["national", "region", "city"], rng.randint(0, 2))
            entries[rule.id] = {kind_of(rule).value_field: v, "reason": "生成"}
        records.append(
            parse_record(
                {
                    "rubric": rubric.id,
                    "year": 2013,
                    "unit": f"单位{i}",
                    "unit_id": f"u{i:05d}",
                    "entries": entries,
                }
            )
        )
    return records


def main(n: int = 10_000, repeats: int = 3) -> None:
    t0 = time.perf_counter()
    records = generate(n)
    gen = time.perf_counter() - t0
    vec_s, year = best_of(repeats, lambda: score_year(records))
    one_s, rows = best_of(repeats, lambda: pd.DataFrame([score_record(r).row() for r in records]))
    assert year.table["total"].tolist() == rows["total"].tolist()
    print(f"records: {n} (generated and validated in {gen:.2f} s)")
    print(f"vectorised score_year:        {vec_s:.3f} s  ({vec_s / n * 1e6:.0f} µs/record)")
    print(f"one at a time (score_record): {one_s:.3f} s  ({one_s / n * 1e6:.0f} µs/record)")
    print(f"ratio: {one_s / vec_s:.1f}×")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
