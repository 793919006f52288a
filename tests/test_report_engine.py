"""The warm-kernel engine (no leaks between units), the notebook's own error, and Dask."""

from __future__ import annotations

import importlib.util
import os

import nbformat
import papermill as pm
import pytest
from conftest import REPO
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from kpa_core.report import engine as report_engine
from kpa_core.report.render import UnitTask, execute

pytestmark = pytest.mark.notebook


def run(nb: nbformat.NotebookNode, **parameters):
    return pm.execute_notebook(nb, None, parameters=parameters, kernel_name="python3",
                               engine_name=report_engine.register(), progress_bar=False,
                               request_save_on_cell_execute=False)


def text_of(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def probe_notebook() -> nbformat.NotebookNode:
    params = new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    return new_notebook(cells=[
        params,
        new_code_cell("import os\n"
                      "print('leaked' if 'kpa_probe' in globals() else 'clean')\n"
                      "print('count', get_ipython().execution_count)\n"
                      "print('pid', os.getpid())\n"
                      "kpa_probe = value"),
    ], metadata={"kernelspec": {"name": "python3", "language": "python",
                                "display_name": "Python 3"}})


def test_warm_kernel_is_reused_and_leaks_nothing():
    first_nb, second_nb = run(probe_notebook(), value=1), run(probe_notebook(), value=2)
    first, second = text_of(first_nb), text_of(second_nb)
    assert "clean" in first and "clean" in second  # kpa_probe from the first run is gone
    assert "leaked" not in second
    pid = [line for line in first.splitlines() if line.startswith("pid")]
    assert pid and pid[0] in second  # the same kernel process served both
    # the execution counter restarts: parameters, injected parameters, the probe = 1, 2, 3
    for nb in (first_nb, second_nb):
        assert [c.execution_count for c in nb.cells] == [1, 2, 3]
    count = [line for line in first.splitlines() if line.startswith("count")]
    assert count and count[0] in second


def test_bad_parameter_stops_the_notebook_with_the_message_only(tmp_path):
    task = UnitTask("nope", str(REPO / "notebooks" / "report.ipynb"),
                    {"year": 2013, "unit": "nope", "data_dir": str(REPO / "data")},
                    str(tmp_path / "nope.html"), str(tmp_path / "nope.ipynb"), "nope")
    with pytest.raises(PapermillExecutionError) as info:
        execute(task)
    err = info.value
    assert err.ename == "ReportParamError"
    assert "unit not in units.csv" in err.evalue and "petroleum" in err.evalue
    joined = "\n".join(err.traceback)
    assert "Traceback" not in joined and "File " not in joined and "---->" not in joined
    assert joined.startswith("发现 1 个输入问题")


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                    reason="the dask extra (distributed) is not installed")
def test_batch_on_a_dask_executor(report_data, tmp_path):
    from distributed import Client

    from kpa_core.report.batch import run_batch

    with Client(processes=False, n_workers=1, threads_per_worker=1,
                dashboard_address=None) as client:
        result = run_batch(2013, units=["petroleum"], data_dir=report_data,
                           out_dir=tmp_path / "out", params_dir=tmp_path / "params",
                           executor=client.get_executor(), progress=False)
    assert result.ok and [r.unit_id for r in result.rendered] == ["petroleum"]
    html_text = (tmp_path / "out" / "petroleum.html").read_text(encoding="utf-8")
    assert 'data-kpa="total">88<' in html_text
    assert (tmp_path / "params" / "2013" / "petroleum.yaml").is_file()


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                    reason="the dask extra (distributed) is not installed")
def test_batch_on_a_local_cluster_of_worker_processes(report_data, tmp_path):
    """A real LocalCluster: a separate worker process (pickled tasks, its own kernel).

    It is how a multi-machine cluster runs the batch, on one machine; the reports must be the
    same as the default executor's, and no worker may outlive the cluster.
    """
    import psutil
    from distributed import Client, LocalCluster

    from kpa_core.report.batch import run_batch

    before = {p.pid for p in psutil.Process().children(recursive=True)}  # e.g. warm kernels
    with LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = run_batch(2013, units=["petroleum", "union"], data_dir=report_data,
                           out_dir=tmp_path / "out", params_dir=tmp_path / "params",
                           executor=client.get_executor(), progress=False)
        workers = [p.pid for p in psutil.Process().children(recursive=True)  # kernels too
                   if p.pid not in before]
        assert {r.pid for r in result.rendered} - {os.getpid()}  # rendered in the worker
    assert result.ok and [r.unit_id for r in result.rendered] == ["petroleum", "union"]
    html_text = (tmp_path / "out" / "petroleum.html").read_text(encoding="utf-8")
    assert 'data-kpa="total">88<' in html_text
    _, alive = psutil.wait_procs([psutil.Process(p) for p in workers if psutil.pid_exists(p)],
                                 timeout=10)
    assert not [p for p in alive if "resource_tracker" not in " ".join(p.cmdline())]


def test_outputs_are_the_nodes_nbformat_makes_and_the_kept_notebook_is_valid():
    """The warm engine builds outputs without per-output schema checks (#26); they must be
    nbformat's own nodes, an unknown message refused as nbformat refuses it, and an executed
    notebook still valid as a whole."""
    import nbclient.client
    from nbformat.v4 import output_from_msg

    report_engine.register()
    assert nbclient.client.output_from_msg is report_engine.output_from_kernel
    messages = [
        ("display_data", {"metadata": {}, "data": {"text/html": "<b>甲</b>", "text/plain": "x"},
                          "transient": {}}),
        ("execute_result", {"metadata": {"a": 1}, "data": {"text/plain": "3"},
                            "execution_count": 4}),
        ("stream", {"name": "stderr", "text": "警告"}),
        ("error", {"ename": "ValueError", "evalue": "坏", "traceback": ["t"]}),
    ]
    for kind, content in messages:
        msg = {"header": {"msg_type": kind}, "content": content}
        assert report_engine.output_from_kernel(msg) == output_from_msg(msg)
    with pytest.raises(ValueError, match="status"):
        report_engine.output_from_kernel({"header": {"msg_type": "status"}, "content": {}})
    nb = run(probe_notebook(), value=3)
    nbformat.validate(nb)
    assert "clean" in text_of(nb)
