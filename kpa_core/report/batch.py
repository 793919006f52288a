"""The report batch: one HTML report per unit of a year, in parallel, skipping what is current.

Plan (in the calling process, cheap): load and score the year, decide each unit's input key
(sha256 of everything its report reads: its record, its self-assessment, the units table, the
year's and earlier years' score tables, the notebook, templates and kpa code, the parameters),
and skip units whose key matches the manifest of the last run (unless ``force``). Render (in
the executor): ``render_unit`` per unit; meanwhile this process writes
``params/<year>/<unit>.yaml`` where the content changed, the year's overview and summary.
Finish: the index, the manifest, the quick record (``report.quick``), and a result listing
every failure with its cause. When every unit will be rendered (``force``, or no manifest yet),
the default pool is started before planning, its workers warming up meanwhile (the report's
imports and shell in process, or their kernels with ``engine="warm"``).

Any ``concurrent.futures.Executor`` works; by default a local process pool with one worker
per core. A Dask cluster works the same way (``distributed.Client(...).get_executor()``):
workers need kpa installed and the data, output and params folders on a shared file system.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.report.context import data_fingerprints, earlier_years, shared_fingerprints
from kpa_core.report.documents import DocumentOptions, write_documents
from kpa_core.report.lifeline import die_with_parent, stop_workers
from kpa_core.report.notebook_params import check_report_params
from kpa_core.report.quick import (  # noqa: F401 - BatchResult, REPORT_MODULES: used by callers
    REPORT_MODULES,
    BatchResult,
    code_fingerprint,
    tree_stamps,
)
from kpa_core.report.quick import arguments as quick_arguments
from kpa_core.report.quick import remember as remember_quick
from kpa_core.report.render import ENGINES, UnitResult, UnitTask, render_unit
from kpa_core.reproduce.params import make_params
from kpa_core.reproduce.params import write_params_if_changed as params_write_if_changed
from kpa_core.rubric.model import load_rubric
from kpa_core.scoring.record import dump_yaml
from kpa_core.scoring.score import score_record, score_year
from kpa_core.store.atomic import atomic_write_text, folder_lock
from kpa_core.store.paths import notebooks_dir
from kpa_core.year.data import load_units_cached, record_path
from kpa_core.year.inputs import YearInputs, read_year_inputs

MANIFEST = ".kpa-report-manifest.json"  # also named in report_quick
MANIFEST_FORMAT = 1


def input_key(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


VOLATILE_LINES = re.compile(r"^(made|kpa_version): .*$", re.MULTILINE)


def params_digest(params: dict[str, Any]) -> str:
    """sha256 of a params mapping's content, without when and by which version it was made."""
    return input_key({k: v for k, v in params.items() if k not in ("made", "kpa_version")})


def write_params_if_changed(path: Path, params: dict[str, Any]) -> bool:
    """Write a params file only when something other than when/by-which-version differs.

    Why: reruns would otherwise rewrite every file with a new timestamp and churn git. Fast
    path first: the files are written by ``dump_yaml`` (stable key order), so equal text with
    the top-level ``made:``/``kpa_version:`` lines blanked out means equal content — no YAML
    parsing or schema validation for the common, unchanged case. Otherwise
    ``params.write_params_if_changed`` decides on the parsed content and writes.
    """
    try:
        old_text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        old_text = None
    if old_text is not None and (VOLATILE_LINES.sub("", old_text)
                                 == VOLATILE_LINES.sub("", dump_yaml(params))):
        return False
    return params_write_if_changed(path, params)


def sync_params(path: Path, params: dict[str, Any], last: list[str] | None,
                written: set[str] | None = None) -> list[str]:
    """``write_params_if_changed``, skipped when the last batch left this very content there.

    ``last`` is what the manifest of the last batch holds for the unit: [content digest, file
    sha256]. When both still match, the file is what that content wrote, and nothing is dumped
    (PyYAML's pure-Python emitter took ~50 ms a unit just to compare). Returns the pair to
    remember for the next batch. ``written`` gathers the names of the files whose bytes this
    call changed (only those go into the audit chain: an unchanged sample stays unchanged).
    """
    digest = params_digest(params)
    try:
        old = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        old = None
    if old is not None and last == [digest, old]:
        return last
    write_params_if_changed(path, params)
    try:
        new = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return [digest, ""]
    if written is not None and new != old:
        written.add(path.stem)
    return [digest, new]


def read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if data.get("format") == MANIFEST_FORMAT else {}


def default_executor(jobs: int) -> Executor:
    """A local process pool; forked where possible so workers inherit the parent's imports."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Workers (and their kernels) end with this process, even after a kill -9 (lifeline).
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                               initializer=die_with_parent, initargs=(os.getpid(),))


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="报告 / reports", unit="单位 unit", disable=not enabled,
                leave=True, dynamic_ncols=True)


def run_batch(year: int, units: Iterable[str] | None = None, data_dir: str | Path | None = None,
              out_dir: str | Path | None = None, params_dir: str | Path | None = None,
              cap_scope: str | None = None, jobs: int | None = None, force: bool = False,
              executor: Executor | None = None, engine: str = "inprocess", progress: bool = True,
              notebook: str | Path | None = None,
              log: Callable[[str], None] = print,
              documents: DocumentOptions | None = None) -> BatchResult:
    """Render the reports of one year; see the module docstring for the steps."""
    start = time.perf_counter()
    documents = documents or DocumentOptions()
    check_documents(documents)
    wanted = list(dict.fromkeys(units or []))
    first = check_report_params(year=year, unit=wanted[0] if wanted else None,
                                data_dir=data_dir, cap_scope=cap_scope) if wanted else None
    data = Path(first.data_dir) if first else Path(check_data(year, data_dir, cap_scope))
    if engine not in ENGINES:
        raise KpaInputError([Problem("未知的执行引擎", "unknown engine", field="engine",
                                     value=engine, allowed_zh="|".join(ENGINES),
                                     allowed_en="|".join(ENGINES))])
    all_units = load_units_cached(data)  # read once: check_data read it into this cache
    unknown = [u for u in wanted if u not in all_units]
    if unknown:
        raise KpaInputError([Problem("单位不在单位表中", "unit not in units.csv", field="units",
                                     value=u, allowed_zh="、".join(all_units),
                                     allowed_en=", ".join(all_units)) for u in unknown])
    notebook = Path(notebook or notebooks_dir() / "report.ipynb").resolve()
    if not notebook.is_file():
        raise KpaInputError([Problem("找不到报告笔记本", "report notebook not found",
                                     field="notebook", value=str(notebook),
                                     allowed_zh="随 kpa 安装的 notebooks/report.ipynb（请重新安装 "
                                                "kpa）",
                                     allowed_en="notebooks/report.ipynb shipped with kpa "
                                                "(reinstall kpa)")])
    if out_dir is None or params_dir is None:  # outputs go to the workspace, never to cwd
        from kpa_core.store.workspace import find_workspace

        ws = find_workspace()
        out_dir = out_dir or ws.out_dir / "reports" / str(year)
        params_dir = params_dir or ws.params_dir
    out = Path(out_dir).resolve()
    pdir = Path(params_dir).resolve() / str(year)
    for folder, name in ((out, "out"), (pdir, "params")):
        if folder.exists() and not folder.is_dir():
            raise KpaInputError([Problem("输出位置已存在且不是文件夹", "the output path exists and "
                                         "is not a folder", field=name, value=str(folder),
                                         allowed_zh="文件夹（不存在时自动创建）",
                                         allowed_en="a folder (created when missing)")])
    result = BatchResult(year=year, out_dir=out, index_path=out / "index.html")
    # The data folder's stamps before anything is read: the next run's quick path compares them.
    quick_args = quick_arguments(year, wanted, data, out, pdir, cap_scope, engine, notebook,
                                 documents)
    stamped_ns = time.time_ns()
    data_stamps = tree_stamps(data) if quick_args else []

    # Every unit will be rendered: start the workers now, so they import the report's modules
    # (and start their kernels, for the warm engine) while this process plans (issue #14:
    # planning ran with a core idle).
    early = (_start_pool(jobs, len(wanted or all_units), engine)
             if executor is None and engine in ("inprocess", "warm")
             and (force or not (out / MANIFEST).is_file())
             else None)
    try:
        # The year is read here, once: every step below takes it from this value.
        inputs: YearInputs = read_year_inputs(data, year)
        all_units = inputs.units
        ydata = inputs.assessor
        records = {r.unit_id: r for r in ydata.records}
        if not records and not ydata.problems:  # as `kpa score`: an empty year is exit 2
            raise KpaInputError([Problem(
                "没有可评分的记录", "no records to score", field="--year", value=year,
                where=str(data / str(year)), allowed_zh="至少有一份记录的年度",
                allowed_en="a year with at least one record")])
        if not wanted and (note := ydata.missing_note(all_units)):
            result.notes.append(note)
        targets = wanted or sorted(set(records) | {u for u in ydata.problems if u in all_units})
        for stray, probs in ydata.problems.items():  # as `kpa score` does: named, never skipped
            if stray not in all_units:
                text = "\n".join(str(p) for p in probs)
                if wanted:
                    result.notes.append(text)
                else:
                    result.failures[stray] = text
        for uid in targets:
            if uid not in records:
                probs = ydata.problems.get(uid) or [Problem(
                    "该单位没有本年度考核记录", "the unit has no record for that year", unit=uid,
                    field="year", value=year, where=str(record_path(data, year, uid)))]
                result.failures[uid] = "\n".join(str(p) for p in probs)

        by_rubric: dict[str, Any] = {}
        code = code_fingerprint(notebook)
        manifest = read_manifest(out)
        old_keys: dict[str, str] = manifest.get("units", {})
        old_params: dict[str, list[str]] = manifest.get("params", {})
        params_files: dict[str, list[str]] = {}
        params_written: set[str] = set()  # unit ids whose params file this batch changed
        params_todo: dict[str, tuple[Path, dict[str, Any], list[str] | None]] = {}
        keys: dict[str, str] = {}
        tasks: list[UnitTask] = []
        for uid in (u for u in targets if u in records):
            rec = records[uid]
            if rec.rubric not in by_rubric:  # scored and hashed once per year, not per unit
                rubric = load_rubric(rec.rubric)
                same = [r for r in ydata.records if r.rubric == rubric.id]
                table = score_year(same, cap_scope=cap_scope, rubric=rubric).table
                earlier = [t for _, t, _ in earlier_years(data, year, rubric, cap_scope, all_units,
                                                          inputs)]
                by_rubric[rec.rubric] = (rubric, table, earlier,
                                         shared_fingerprints(data, table, earlier,
                                                             inputs.units_sha256))
            rubric, table, earlier, shared = by_rubric[rec.rubric]
            card = score_record(rec, cap_scope=cap_scope, rubric=rubric)
            number = documents.number_of(year, uid, list(all_units))  # 文号, kept in params
            params_todo[uid] = (pdir / f"{uid}.yaml",
                                make_params(rec, card, kind="report", data_dir=data,
                                            record_sha256=ydata.sha256.get(uid),
                                            record_path=record_path(data, year, uid),
                                            extra={"notice_number": number} if number else None),
                                old_params.get(uid))
            parameters = {"year": year, "unit": uid, "data_dir": str(data), "cap_scope": cap_scope,
                          **documents.notebook_parameters(),
                          **({"notice_number": number} if number else {})}
            keys[uid] = input_key(code, parameters, sorted(ydata.problems),
                                  data_fingerprints(data, year, uid, table, earlier, shared,
                                                    inputs),
                                  *([bands] if (bands := documents.fingerprint()) else []))
            html_path, ipynb_path = out / f"{uid}.html", out / f"{uid}.ipynb"
            if (not force and old_keys.get(uid) == keys[uid] and html_path.is_file()
                    and ipynb_path.is_file()):
                result.skipped.append(uid)
                continue
            tasks.append(UnitTask(uid, str(notebook), parameters, str(html_path), str(ipynb_path),
                                  title=f"{rec.unit} · {year} 年度考核报告 / assessment report",
                                  engine=engine))
    except BaseException:
        if early is not None:
            stop_workers(early)
            early.shutdown(wait=True, cancel_futures=True)
        raise
    if early is not None and not tasks:  # nothing to render after all: stop the warm-ups
        stop_workers(early)
        early.shutdown(wait=True, cancel_futures=True)
        early = None

    table_all = by_rubric[next(iter(by_rubric))][1] if by_rubric else None
    rubric_all = by_rubric[next(iter(by_rubric))][0] if by_rubric else None
    extras_done: list[Any] = []

    def write_params() -> None:
        """Each unit's params file, when its content changed (no worker reads them).

        Why not while planning: a new params file is a YAML dump (~40 ms a unit with PyYAML's
        emitter), 30 units were ~1 s of the parent before its workers could start.
        """
        for uid in list(params_todo):
            path, params, last = params_todo.pop(uid)
            try:
                params_files[uid] = sync_params(path, params, last, params_written)
            except KpaInputError as exc:  # this unit's params only: the others go on (#24)
                result.failures[uid] = "\n".join(str(p) for p in exc.problems)

    def extras() -> None:
        """The year's overview and summary, which need the scores but no rendered unit.

        Why here: the parent only waits while its workers render, and these took ~0.7 s after
        the last unit (issue #14's profile). The overview links to the reports expected once
        the pool is done (those there now and those being rendered); if a unit fails and its
        page is missing, it is written again after the pool. With --pdf the summary waits for
        the pool (its PDF is printed with the units'). Rebuilt whenever a unit is rendered.
        """
        from kpa_core.analysis import linked_reports, write_overview_for_batch

        write_params()
        expected = linked_reports(out) | {t.unit_id for t in tasks}
        write_overview_for_batch(out, year, data, cap_scope, result.notes, expected, inputs)
        extras_done.append(expected)
        if not documents.pdf and not documents.docx:  # those wait for the rendered pages
            extras_done.append(write_documents(out, year, table_all, rubric_all, ydata.records,
                                               [], documents, cap_scope, force, data))

    if tasks:
        out.mkdir(parents=True, exist_ok=True)
        snapshot = write_snapshot(out, inputs)  # the workers render the bytes hashed here
        tasks = [replace(t, parameters={**t.parameters, "snapshot": str(snapshot)})
                 for t in tasks]
        try:
            result.rendered = _execute(tasks, early or executor, jobs, progress,
                                       meanwhile=extras if table_all is not None
                                       else write_params, owned=early is not None)
        finally:
            snapshot.unlink(missing_ok=True)
        for r in result.rendered:
            if not r.ok:
                result.failures[r.unit_id] = r.error
                keys.pop(r.unit_id, None)
    write_params()  # nothing to render (or the pool stopped early): here, before the manifest
    chain_params(data, year, {u: params_files[u] for u in sorted(params_written)
                              if u in params_files}, result.notes)
    from kpa_core.report.index import open_items_of, write_index_if_changed

    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):  # two batches on one folder: each merges into what the other wrote
        manifest = read_manifest(out)  # again: another batch may have finished meanwhile
        done = {**{u: k for u, k in manifest.get("units", {}).items() if u not in targets},
                **keys}
        self_units = frozenset(u for u in records
                               if record_path(data, year, u, role="self").is_file())
        index_key, result.index_written = write_index_if_changed(
            out, year, table_all, {u for u in done if (out / f"{u}.html").is_file()},
            result.failures, manifest.get("index"), code, rubric_all, self_units,
            open_items_of(data, year))
        # The college-wide overview beside the index (issue #12), when anything changed: a unit
        # re-rendered (its record, self-assessment, the year's or earlier scores moved), the
        # index changed, or the page is missing. An unchanged rerun would spend ~0.7 s on it.
        if table_all is not None and (tasks or result.index_written
                                      or not (out / "overview.html").is_file()):
            from kpa_core.analysis import linked_reports, write_overview_for_batch

            units_set = set(all_units)  # the links the page can hold (not summary.html)
            if not extras_done or extras_done[0] & units_set != linked_reports(out) & units_set:
                write_overview_for_batch(out, year, data, cap_scope, result.notes, inputs=inputs)
        docs = extras_done[1] if len(extras_done) > 1 else write_documents(
            out, year, table_all, rubric_all, ydata.records, [u for u in done if u in records],
            documents, cap_scope, force, data)
        result.failures.update(docs.failures)
        params_done = {**{u: d for u, d in manifest.get("params", {}).items()
                          if u not in targets}, **params_files}
        pages = ["index.html"] + (["overview.html", "summary.html", "summary.xlsx"]
                                  if table_all is not None and not table_all.empty else [])
        new_manifest = {"format": MANIFEST_FORMAT, "year": year, "units": done,
                        "index": index_key, "params": params_done}
        if new_manifest != manifest:
            atomic_write_text(out / MANIFEST, json.dumps(new_manifest, indent=1, sort_keys=True))
        # Nothing failed: a rerun would write nothing (the state is a fixed point), so the next
        # run may recognise that from stamps alone (report_quick); otherwise drop the record.
        remember_quick(out, None if result.failures else quick_args, data_stamps, stamped_ns,
                       pdir, notebook, [u for u in targets if u in records], result.notes,
                       lambda: outputs_intact(out, pdir, [u for u in targets if u in records],
                                              params_done, pages))
    result.seconds = time.perf_counter() - start
    return result


def write_snapshot(out: Path, inputs: YearInputs) -> Path:
    """The year's bytes as this batch read them, for its kernels (issue #24, defect 6).

    Why: the kernels used to read the data folder again, while saves and imports ran, and
    rendered other bytes than those the params embed and hash. The snapshot is named per
    batch (two batches on one folder do not share one) and removed when the pool is done; it
    is not part of a unit's input key (its bytes are, through their hashes).
    """
    import uuid

    from kpa_core.store.atomic import atomic_write_bytes
    from kpa_core.store.bounded_read import Snapshot, snapshot_bytes

    snap = inputs.snapshot or Snapshot()
    snap.ident = uuid.uuid4().hex
    path = out / f".kpa-snapshot-{snap.ident}.json"
    atomic_write_bytes(path, snapshot_bytes(snap))
    return path


def chain_params(data: Path, year: int, params_files: dict[str, list[str]],
                 notes: list[str]) -> None:
    """The sha256 of each params file written, into the year's audit chain (issue #24).

    Why: so that ``kpa verify`` names a params file edited after this batch. A chain that
    cannot be written is a note: the reports are made, the office is told what is missing.
    """
    if not params_files:  # nothing written: the chain (and its lock) are left alone
        return
    from kpa_core.audit.params_lines import record_params

    try:
        record_params(data, year, {uid: pair[1] for uid, pair in params_files.items()})
    except KpaInputError as exc:
        notes.append(f"参数的 sha256 未能记入审计链 / the params' sha256 could not be recorded "
                     f"in the audit chain: {exc.problems[0]}")


def outputs_intact(out: Path, pdir: Path, units: list[str], params: dict[str, list[str]],
                   pages: Iterable[str] = ()) -> bool:
    """Whether each unit's report, notebook and params file are still those this batch left,
    and the year's ``pages`` (index, overview, summary) are still there.

    Why: they are written while the batch runs; one deleted or edited before the quick record
    stamps them must not be taken for the fixed point (``report.quick.remember``).
    """
    if not all((out / name).is_file() for name in pages):
        return False
    for uid in units:
        if not ((out / f"{uid}.html").is_file() and (out / f"{uid}.ipynb").is_file()):
            return False
        want = params.get(uid, [None, None])[1]
        try:
            if hashlib.sha256((pdir / f"{uid}.yaml").read_bytes()).hexdigest() != want:
                return False
        except OSError:
            return False
    return True


def check_documents(documents: DocumentOptions) -> None:
    """Bad --lang/--timezone/--bands, or --pdf without Chromium: exit 2 before any work."""
    from kpa_core.report.notebook_params import document_problems

    problems = document_problems({"lang": documents.lang, "office": documents.office,
                                  "timezone": documents.timezone, "bands": documents.bands})
    if problems:
        raise KpaInputError(problems)
    if documents.pdf:
        from kpa_core.report.pdf import check_chromium

        check_chromium()


def check_data(year: int, data_dir: str | Path | None, cap_scope: str | None) -> str:
    """Check year, data folder and cap scope when no unit is named (any unit will do)."""
    from kpa_core.report.notebook_params import ReportParamError, resolve_data_dir

    data = resolve_data_dir(data_dir)
    units_csv = data / "units.csv"
    try:
        some_unit = next(iter(load_units_cached(data)), None) if units_csv.is_file() else None
    except KpaInputError:
        some_unit = ""  # a broken units.csv: check_report_params names what is wrong in it
    if some_unit is None and units_csv.is_file():
        # A fresh `kpa init` workspace: units.csv has only its header row.
        raise KpaInputError([Problem(
            "units.csv 中没有单位：请先在 units.csv 中每行填写一个单位（unit_id,name_zh,name_en,"
            "kind），再录入该年度的考核记录",
            "no units in units.csv: add one unit per row (unit_id,name_zh,name_en,kind), "
            "then enter that year's records",
            field="units.csv", value=str(units_csv), where=str(units_csv))])
    some_unit = some_unit or None
    try:
        return check_report_params(year=year, unit=some_unit, data_dir=data,
                                   cap_scope=cap_scope).data_dir
    except ReportParamError as exc:  # the stand-in unit is not what is wrong: do not name it
        raise KpaInputError(replace(p, unit=None) if p.unit == some_unit else p
                            for p in exc.problems) from None


def _start_pool(jobs: int | None, n_units: int, engine: str) -> Executor:
    """Our process pool, forked now, each worker warming up (its engine, the exporter).

    papermill and nbconvert are imported here first, so the forked workers inherit them; a
    worker that happens to take two warm-ups just finds itself warm.
    """
    from kpa_core.report import engine as report_engine  # noqa: F401 - import once here; forked workers inherit
    from kpa_core.report.render import warm_up

    n = max(1, min(jobs or os.cpu_count() or 1, n_units))
    pool = default_executor(n)
    for _ in range(n):
        pool.submit(warm_up, engine)
    return pool


def _execute(tasks: list[UnitTask], executor: Executor | None, jobs: int | None,
             progress: bool, meanwhile: Callable[[], None] | None = None,
             owned: bool = False) -> list[UnitResult]:
    """Run the tasks on the executor (ours or the caller's), with a progress bar.

    ``meanwhile`` runs in this process once every unit is submitted, while the workers render;
    an error it raises is raised after the pool has finished, so no unit is lost to it.
    ``owned``: the executor is our own pool, started early (``_start_pool``).
    """
    own = executor is None or owned
    if executor is None:
        from kpa_core.report import engine as report_engine  # noqa: F401 - import once here; forked workers inherit

        executor = default_executor(max(1, min(jobs or os.cpu_count() or 1, len(tasks))))
    results: list[UnitResult] = []
    late_error: Exception | None = None
    try:
        futures: dict[Future[UnitResult], UnitTask] = {
            executor.submit(render_unit, t): t for t in tasks}
        try:
            if meanwhile is not None:
                meanwhile()
        except Exception as exc:  # noqa: BLE001 - raised below, once the units are done
            late_error = exc
        with _progress(len(tasks), progress) as bar:
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its unit only
                    res = UnitResult(task.unit_id, False, 0.0,
                                     error=f"{type(exc).__name__}: {exc}")
                results.append(res)
                bar.set_postfix_str(task.unit_id, refresh=False)
                bar.update()
    except BaseException:  # Ctrl-C or SIGTERM handled as an exception: stop workers now
        if own:
            stop_workers(executor)
            executor.shutdown(wait=True, cancel_futures=True)
            own = False
        raise
    finally:
        if own:
            executor.shutdown(wait=True)
    if late_error is not None:
        raise late_error
    return sorted(results, key=lambda r: r.unit_id)
