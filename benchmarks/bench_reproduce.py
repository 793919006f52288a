"""How long reproducing a year's saved params takes, and where the time goes.

Run from the repository root:  .venv/bin/python benchmarks/bench_reproduce.py [REPEAT]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from timing import best_of

from kpa_core.reproduce.params import read_params
from kpa_core.reproduce.replay import params_files, reproduce_params

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    os.environ["KPA_HOME"] = str(REPO)
    files = params_files(REPO / "params" / "2013")
    loaded = [read_params(f) for f in files]  # warm the caches (rubric, schema)
    read = best_of(repeat, lambda: [read_params(f) for f in files])[0]
    rescore, _ = best_of(repeat, lambda: [reproduce_params(p, str(f))
                                          for p, f in zip(loaded, files, strict=True)])
    results = [reproduce_params(p, str(f)) for p, f in zip(loaded, files, strict=True)]
    assert all(r.ok for r in results), "sample params must reproduce"
    n = len(files)
    print(f"{n} params files, best of {repeat}")
    print(f"read + schema-validate: {read:.3f} s ({read / n * 1000:.1f} ms/file)")
    print(f"rescore + compare (incl. data-file sha256 and record load): {rescore:.3f} s "
          f"({rescore / n * 1000:.1f} ms/file)")


if __name__ == "__main__":
    main()
