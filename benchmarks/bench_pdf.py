"""Benchmark: what ``--pdf`` adds to a year's batch (every 2013 sample unit + the summary).

Run:  .venv/bin/python benchmarks/bench_pdf.py [--jobs J] [--repeats R]

Times, in fresh processes writing into temporary folders (the repository is not touched):
``kpa report --year 2013 --force`` (HTML only) and the same with ``--pdf``. The PDF cost is
the difference; the issue's bound is at most 2× the HTML batch time. Also reports the PDF
pages of the bottom-ranked unit (logistics). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_batch(out: Path, params: Path, jobs: int, pdf: bool) -> float:
    cmd = [sys.executable, "-m", "kpa_core.cli", "report", "--year", "2013", "--force",
           "--no-progress", "--jobs", str(jobs), "--out", str(out), "--params", str(params)]
    start = time.perf_counter()
    subprocess.run(cmd + (["--pdf"] if pdf else []), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    html_times, pdf_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for n in range(args.repeats):
            html_times.append(run_batch(t / f"h{n}", t / f"hp{n}", args.jobs, pdf=False))
            pdf_times.append(run_batch(t / f"p{n}", t / f"pp{n}", args.jobs, pdf=True))
        out = t / "p0"
        n_pdf = len(list(out.glob("*.pdf")))
        from kpa_core.report.pdf import print_many

        htmls = sorted(out.glob("*.html"))
        htmls = [h for h in htmls if h.name != "index.html"]
        alone = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            failed = print_many([(h, h.with_suffix(".pdf")) for h in htmls], lang="zh",
                                jobs=args.jobs)
            alone.append(time.perf_counter() - start)
            assert not failed, failed
        from pypdf import PdfReader

        pages = len(PdfReader(str(out / "logistics.pdf")).pages)
    html, both = min(html_times), min(pdf_times)
    added = both - html
    print(f"| run | wall (best of {args.repeats}) |\n|---|---|")
    print(f"| `kpa report --year 2013 --force` (HTML, 30 units) | {html:.1f} s |")
    print(f"| the same with `--pdf` ({n_pdf} PDFs) | {both:.1f} s |")
    print(f"| added by `--pdf` | **{added:.1f} s = {added / html:.2f}× the HTML batch** |")
    print(f"| printing alone: `pdf.print_many`, {len(htmls)} pages, {args.jobs} tabs | "
          f"{min(alone):.1f} s = {min(alone) / html:.2f}× |")
    print(f"| pages of logistics.pdf (bottom-ranked) | {pages} |")


if __name__ == "__main__":
    main()
