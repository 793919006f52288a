"""A batch grows linearly: a year is scored and hashed once, not once per unit.

Counting calls rather than timing them: the quadratic parts of a batch were per-unit calls of
``score_year``, ``scores_sha256`` and ``dump_yaml`` over the whole year.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest
import yaml

from kpa_core.report import batch as report_batch
from kpa_core.report import context as report_context
from kpa_core.report.notebook_params import check_report_params
from kpa_core.report.render import UnitResult, UnitTask

REPO = Path(__file__).resolve().parent.parent
FOUR = ["petroleum", "arts", "union", "assets"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root)
    return root


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_warm_kernel_scores_and_hashes_each_year_once(data, monkeypatch) -> None:
    scored = counting(monkeypatch, report_context, "score_year")
    hashed = counting(monkeypatch, report_context, "scores_sha256")
    units = ["petroleum", "arts", "union", "assets"]
    contexts = [report_context.build_context(check_report_params(
        year=2013, unit=u, data_dir=str(data))) for u in units]
    assert len(scored) == 2  # 2013 and 2012, for the first unit only
    assert len(hashed) == 3  # the 2013 table, the 2012 table, the earlier years together
    assert [c.rank for c in contexts] == [11, 2, 1, 16]  # the sample ranking (88, 95.5, 99, 85)
    assert len({c.data_sha256["year scores"] for c in contexts}) == 1
    # any edit of a file is seen at once: that year (only) is read and scored again
    path = data / "2013" / "arts.yaml"
    path.write_text(path.read_text("utf-8") + "\n# edited\n", encoding="utf-8")
    again = report_context.build_context(check_report_params(
        year=2013, unit="petroleum", data_dir=str(data)))
    assert len(scored) == 3 and again.rank == 11


def test_planning_hashes_the_year_once_and_skips_params_dumps(data, tmp_path,
                                                               monkeypatch) -> None:
    out, params = tmp_path / "out", tmp_path / "params"
    out.mkdir()
    for uid in FOUR:  # the pretend renderer writes nothing: files in place
        (out / f"{uid}.html").write_text("x", encoding="utf-8")
        (out / f"{uid}.ipynb").write_text("{}", encoding="utf-8")
    hashed = counting(monkeypatch, report_context, "scores_sha256")
    first = report_batch.run_batch(2013, units=FOUR, data_dir=data,
                                   out_dir=out, params_dir=params, progress=False,
                                   executor=_NoExecutor())
    # this year's table, 2012's, the earlier years together: once each (was 2 per unit)
    assert first.ok and len(hashed) == 3
    assert (params / "2013" / "arts.yaml").is_file()
    dumped = counting(monkeypatch, report_batch, "dump_yaml")
    second = report_batch.run_batch(2013, units=FOUR, data_dir=data,
                                    out_dir=out, params_dir=params, progress=False,
                                    executor=_NoExecutor())
    assert sorted(second.skipped) == sorted(FOUR) and dumped == []
    # a params file changed behind kpa's back is not trusted: compared, rewritten
    target = params / "2013" / "arts.yaml"
    target.write_text(target.read_text("utf-8").replace("unit_id: arts", "unit_id: art"),
                      encoding="utf-8")
    report_batch.run_batch(2013, units=FOUR, data_dir=data, out_dir=out,
                           params_dir=params, progress=False, executor=_NoExecutor())
    assert len(dumped) == 1 and "unit_id: arts" in target.read_text("utf-8")


class _NoExecutor:
    """Planning only: a submitted unit "renders" at once, without a kernel."""

    submitted: list[str] = []

    def submit(self, fn: object, task: UnitTask) -> Future:
        self.submitted.append(task.unit_id)
        future: Future = Future()
        future.set_result(UnitResult(task.unit_id, True, 0.0, html_path=task.html_path))
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


def _batch_over_rendered_outputs(
        tmp_path: Path, data: Path) -> tuple[Path, Path, Callable[[], report_batch.BatchResult]]:
    """An out folder where the four units' pages already exist, and a batch over it that
    renders nothing itself (``_NoExecutor``): the quick path's tests need only its planning."""
    out, params = tmp_path / "out", tmp_path / "params"
    out.mkdir()
    for uid in FOUR:
        (out / f"{uid}.html").write_text("x", encoding="utf-8")
        (out / f"{uid}.ipynb").write_text("{}", encoding="utf-8")

    def batch() -> report_batch.BatchResult:
        return report_batch.run_batch(2013, units=FOUR, data_dir=data, out_dir=out,
                                      params_dir=params, progress=False,
                                      executor=_NoExecutor())

    return out, params, batch


RUN = """
import sys
from concurrent.futures import Future
from pathlib import Path
from kpa_core.report.batch import run_batch
from kpa_core.report.render import UnitResult

class Pretend:  # renders nothing: the HTML files are already in place
    def submit(self, fn, task):
        f = Future(); f.set_result(UnitResult(task.unit_id, True, 0.0, html_path=task.html_path))
        return f
    def shutdown(self, wait=True):
        pass

root = Path(sys.argv[1])
result = run_batch(2013, units=sys.argv[2:], data_dir=root / "data", out_dir=root / "out",
                   params_dir=root / "params", progress=False, executor=Pretend())
heavy = [m for m in ("matplotlib", "jsonschema", "openpyxl", "papermill", "nbconvert")
         if m in sys.modules]
print(len(result.skipped), heavy)
"""


def test_an_unchanged_rerun_loads_no_heavy_library(data, tmp_path) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    for uid in FOUR:
        (out / f"{uid}.html").write_text("x", encoding="utf-8")
        (out / f"{uid}.ipynb").write_text("{}", encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-c", RUN, str(tmp_path), *FOUR],
                           capture_output=True, text=True, cwd=REPO, check=True).stdout.strip()
            for _ in range(2)]
    assert runs[1] == "4 []"  # all four skipped; no chart, schema, Excel or notebook library


QUICK = """
import sys
from kpa_core.cli import main
root = sys.argv[1]
try:
    main(["report", "--year", "2013", "--data", root + "/data", "--out", root + "/out",
          "--params", root + "/params", "--no-progress", "--units", *sys.argv[2:]])
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = [m for m in ("pandas", "numpy", "yaml", "matplotlib", "jsonschema", "openpyxl",
                     "papermill", "nbconvert", "kpa_core.report.batch", "kpa_core.scoring.score")
         if m in sys.modules]
print("HEAVY", heavy)
"""


def test_an_unchanged_rerun_is_decided_from_stamps_without_pandas(data, tmp_path) -> None:
    """After a batch that ended at a fixed point, the command imports no scoring stack.

    Any change of an input or an output falls through to the full batch (which decides from
    content); a file changed within a second of its stamp leaves no record at all.
    """
    import subprocess
    import sys
    import time

    from kpa_core.report import quick as report_quick
    from kpa_core.report.documents import DocumentOptions

    out, params, batch = _batch_over_rendered_outputs(tmp_path, data)

    batch()  # the data were copied just now: too fresh to trust their stamps
    assert not (out / report_quick.QUICK_FILE).exists()
    time.sleep(1.1)
    assert sorted(batch().skipped) == sorted(FOUR)
    assert (out / report_quick.QUICK_FILE).is_file()

    def quick() -> report_batch.BatchResult | None:
        return report_quick.unchanged(2013, FOUR, data, out, params / "2013", None, "inprocess",
                                      REPO / "notebooks" / "report.ipynb", DocumentOptions())

    assert sorted(quick().skipped) == sorted(FOUR)
    assert report_quick.unchanged(
        2013, FOUR, data, out, params / "2013", "area", "inprocess",
        REPO / "notebooks" / "report.ipynb", DocumentOptions()) is None  # other arguments
    run = subprocess.run([sys.executable, "-c", QUICK, str(tmp_path), *FOUR],
                         capture_output=True, text=True, cwd=REPO, check=True)
    assert "未变化跳过 4 份" in run.stdout and "HEAVY []" in run.stdout, run.stdout + run.stderr
    # an edit of a record of any year, a removed report, a touched params file: full batch
    for path in (data / "2012" / "union.yaml", out / "arts.html", params / "2013" / "arts.yaml"):
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        assert quick() is None, path
        path.write_bytes(before)  # same bytes again, but a new ctime: still not trusted
        assert quick() is None, path
        time.sleep(1.1)
        batch()
        assert sorted(quick().skipped) == sorted(FOUR), path
    # a batch with a failure leaves no record: the next run decides from content again
    (data / "2013" / "union.yaml").write_text("rubric: [unclosed\n", encoding="utf-8")
    assert not batch().ok
    assert not (out / report_quick.QUICK_FILE).exists() and quick() is None


def test_a_batch_failing_while_planning_leaves_no_early_worker(data, tmp_path,
                                                                monkeypatch) -> None:
    """With --force the pool starts before planning; an error there stops it and its kernels."""
    import time

    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}  # e.g. warm kernels
    started: list[int] = []

    def ours() -> list[psutil.Process]:
        return [p for p in psutil.Process().children(recursive=True) if p.pid not in before]

    def broken(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)  # the workers are warming up their kernels meanwhile
        started.append(len(ours()))
        raise RuntimeError("planning broke")

    monkeypatch.setattr(report_batch, "make_params", broken)
    with pytest.raises(RuntimeError, match="planning broke"):
        report_batch.run_batch(2013, units=FOUR[:2], data_dir=data, out_dir=tmp_path / "out",
                               params_dir=tmp_path / "params", force=True, jobs=2,
                               progress=False)
    assert started and started[0] >= 2  # the two workers (and their kernels) were running
    deadline = time.monotonic() + 20
    alive = ours()
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [(p.pid, p.ppid(), p.cmdline()[:4]) for p in alive]


@pytest.mark.parametrize("victim", ["out/arts.html", "params/2013/arts.yaml",
                                    "out/summary.xlsx"])
def test_an_output_removed_or_edited_during_the_batch_leaves_no_quick_record(
        data, tmp_path, monkeypatch, victim: str) -> None:
    """A report or params file changed while the batch still runs is not stamped as its result.

    Before: the quick record stamped the folder as found at the end, so a report deleted (or a
    params file edited) during a batch was taken for the fixed point and every later run said
    "unchanged" without restoring it.
    """
    import time

    from kpa_core.report import index as report_index
    from kpa_core.report import quick as report_quick
    from kpa_core.report.documents import DocumentOptions

    out, params, batch = _batch_over_rendered_outputs(tmp_path, data)

    def quick() -> report_batch.BatchResult | None:
        return report_quick.unchanged(2013, FOUR, data, out, params / "2013", None, "inprocess",
                                      REPO / "notebooks" / "report.ipynb", DocumentOptions())

    batch()
    time.sleep(1.1)  # the copied data are no longer too fresh to trust
    batch()
    assert quick() is not None  # the fixed point is recorded
    original = report_index.write_index_if_changed
    path = tmp_path / victim

    def meanwhile(*args: object, **kwargs: object) -> object:
        if path.suffix != ".yaml":
            path.unlink()
        else:
            path.write_text(path.read_text(encoding="utf-8").replace("year: 2013", "year: 2012"),
                            encoding="utf-8")
        return original(*args, **kwargs)

    monkeypatch.setattr(report_index, "write_index_if_changed", meanwhile)
    report_batch.run_batch(2013, units=FOUR, data_dir=data, out_dir=out, params_dir=params,
                           progress=False, executor=_NoExecutor(), force=True)
    monkeypatch.setattr(report_index, "write_index_if_changed", original)
    assert quick() is None  # the next run decides from content and restores the file
    again = batch()
    if path.suffix == ".html":
        assert [r.unit_id for r in again.rendered] == ["arts"]
    elif path.suffix == ".xlsx":
        assert path.is_file()
    else:
        assert "year: 2013" in path.read_text(encoding="utf-8")


_OPENED: list[str] | None = None  # the files opened while a test listens (audit hook below)


def _listen(event: str, args: tuple[object, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], str | bytes | Path):
        _OPENED.append(os.fsdecode(args[0]))


def test_the_parent_reads_each_file_of_the_year_once_per_batch(data, tmp_path) -> None:
    """Issue #18: the year is read once and handed on (planning, params, fingerprints,
    overview, summary, index), each record hashed from the bytes it was parsed from.

    Counted with an audit hook on every ``open`` in this process: units.csv, each 2013
    record, each self-assessment and each 2012 record exactly once, for a batch of all 30
    units (the pretend executor renders nothing, so only the parent's reads are counted).
    """
    global _OPENED
    sys.addaudithook(_listen)  # cannot be removed: it listens only while _OPENED is a list
    out, params = tmp_path / "out", tmp_path / "params"
    _OPENED = []
    try:
        result = report_batch.run_batch(2013, data_dir=data, out_dir=out, params_dir=params,
                                        progress=False, executor=_NoExecutor())
    finally:
        opened, _OPENED = _OPENED, None
    assert result.ok and len(result.rendered) == 30
    reads = Counter(Path(p).resolve().relative_to(data.resolve()).as_posix() for p in opened
                    if Path(p).resolve().is_relative_to(data.resolve())
                    and p.endswith((".yaml", ".csv")))
    files = sorted(p.relative_to(data).as_posix() for p in data.rglob("*")
                   if p.suffix in (".yaml", ".csv"))
    assert len(files) == 1 + 30 + 6 + 30  # units.csv, 2013, 2013/self, 2012
    assert reads == dict.fromkeys(files, 1)
    # the hashes kept from those reads are the files' own (footer, params)
    kept = yaml.safe_load((params / "2013" / "arts.yaml").read_text("utf-8"))["record"]
    assert kept["sha256"] == hashlib.sha256((data / "2013" / "arts.yaml").read_bytes()).hexdigest()
