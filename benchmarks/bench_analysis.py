"""Benchmark: the college-wide analysis of a year, and the sensitivity to every reading.

Run:  .venv/bin/python benchmarks/bench_analysis.py [N ...] [--repeats R]
For each N (default 30 and 1000) it generates two years of N records and self-assessments for
a sixth of the units (outside the timing), then times, best of R:
  - scoring both years (score_year) — the input the analysis takes;
  - the analysis: every function of kpa_core.analysis.stats (points lost and reasons, most-deducted
    rules, totals by kind, movers, self gaps by unit and by rule, area attainment);
  - the sensitivity: every reading and every combination (95 rescorings of the year).
"""

from __future__ import annotations

import argparse
import dataclasses

from bench_scoring import generate
from timing import best_of

from kpa_core.analysis import stats as analysis
from kpa_core.analysis.sensitivity import sensitivity
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.score import score_year


def analyse(before, now, assessor, own, kinds) -> list:
    rubric = now.rubric
    m = analysis.points_lost_matrix(now)
    return [m, analysis.reasons_matrix(now, m), analysis.most_deducted_rules(now),
            analysis.totals_by_kind(now, kinds), analysis.movers(before, now),
            analysis.self_gaps_by_unit(assessor, own, rubric),
            analysis.self_gaps_by_rule(assessor, own, rubric), analysis.area_attainment(now)]


def one_size(n: int, repeats: int) -> str:
    """Two generated years of ``n`` units: time scoring, analysis, (small years) sensitivity."""
    now_records = generate(n, seed=7)
    before_records = [dataclasses.replace(r, year=2012) for r in generate(n, seed=8)]
    own = [dataclasses.replace(r, role="self", entries={}) for r in now_records[: max(1, n // 6)]]
    kinds = {r.unit_id: ("office" if i % 3 else "department")
             for i, r in enumerate(now_records)}
    score_s, (before, now) = best_of(repeats, lambda: (score_year(before_records),
                                                       score_year(now_records)))
    an_s, _ = best_of(repeats, lambda: analyse(before, now, now_records, own, kinds))
    line = f"{n:>5} units: score both years {score_s:.3f} s; analysis {an_s:.3f} s"
    if n <= 100:
        sens_s, frame = best_of(repeats, lambda: sensitivity(now_records, rubric=load_rubric()))
        line += f"; sensitivity ({len(frame)} readings) {sens_s:.3f} s"
    return line


def main(sizes: list[int], repeats: int) -> None:
    for n in sizes:
        print(one_size(n, repeats))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[30, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    main(args.sizes, args.repeats)
