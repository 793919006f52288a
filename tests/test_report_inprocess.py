"""The in-process engine (issue #26): what the warm kernel gave, kept without the wire.

A clean namespace per unit, every kind of output in order, a failing cell raised as papermill
raises it, the cell timeout, and a unit's report identical to the warm kernel's.
"""

from __future__ import annotations

import os
import re

import nbformat
import papermill as pm
import pytest
from conftest import REPO
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from kpa_core.report import inprocess
from kpa_core.report.export import notebook_to_html
from kpa_core.report.render import UnitTask, execute

pytestmark = pytest.mark.notebook
KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python",
                             "display_name": "Python 3"}}


def run(nb: nbformat.NotebookNode, timeout: int | None = None, **parameters):
    return pm.execute_notebook(nb, None, parameters=parameters, kernel_name="python3",
                               engine_name=inprocess.register(), progress_bar=False,
                               request_save_on_cell_execute=False, execution_timeout=timeout)


def probe() -> nbformat.NotebookNode:
    params = new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    return new_notebook(cells=[
        params,
        new_markdown_cell("# 标题"),
        new_code_cell("import os\n"
                      "print('leaked' if 'kpa_probe' in globals() else 'clean')\n"
                      "print('pid', os.getpid())\n"
                      "kpa_probe = value"),
    ], metadata=KERNELSPEC)


def test_each_notebook_starts_clean_in_this_process():
    first, second = run(probe(), value=1), run(probe(), value=2)
    for nb in (first, second):
        text = "".join(o.text for o in nb.cells[3].outputs)
        assert text == f"clean\npid {os.getpid()}\n"  # one stream output, this very process
        # parameters, injected parameters, markdown (no count), the probe
        assert [c.get("execution_count") for c in nb.cells] == [1, 2, None, 3]
        assert nb.metadata.language_info.name == "python"
        nbformat.validate(nb)
    assert "kpa_probe = 2" not in second.cells[1].source  # injected: value = 2
    assert second.cells[1].source.strip().endswith("value = 2")


def test_outputs_are_kept_in_order_with_their_kinds():
    nb = new_notebook(cells=[new_code_cell(
        "import sys\n"
        "from IPython.display import HTML, display\n"
        "print('一')\n"
        "display(HTML('<b>二</b>'))\n"
        "print('三', file=sys.stderr)\n"
        "get_ipython().execution_count, 40 + 2")], metadata=KERNELSPEC)
    out = run(nb).cells[0].outputs
    assert [o.output_type for o in out] == ["stream", "display_data", "stream", "execute_result"]
    assert (out[0].name, out[0].text) == ("stdout", "一\n")
    assert out[1].data["text/html"] == "<b>二</b>"
    assert (out[2].name, out[2].text) == ("stderr", "三\n")
    assert out[3].data["text/plain"].endswith("42)") and out[3].execution_count == 1


def test_a_failing_cell_stops_the_notebook_as_papermill_does():
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('坏值')"),
                             new_code_cell("print('never')")], metadata=KERNELSPEC)
    with pytest.raises(PapermillExecutionError) as info:
        run(nb)
    assert (info.value.ename, info.value.evalue, info.value.exec_count) == (
        "ValueError", "坏值", 2)
    # the shell is fine afterwards, and the next notebook does not see x
    again = run(new_notebook(cells=[new_code_cell("print('x' in globals())")],
                             metadata=KERNELSPEC))
    assert again.cells[0].outputs[0].text == "False\n"


def test_a_cell_past_its_timeout_is_stopped():
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(30)")],
                      metadata=KERNELSPEC)
    with pytest.raises(PapermillExecutionError) as info:
        run(nb, timeout=1)
    assert info.value.ename == "CellTimeout" and "1 s" in info.value.evalue


def test_a_unit_report_is_the_warm_kernels_report(tmp_path):
    """Same notebook, same code: the HTML differs only in the injected cell's random id."""
    pages = {}
    for engine in ("inprocess", "warm"):
        task = UnitTask("union", str(REPO / "notebooks" / "report.ipynb"),
                        {"year": 2013, "unit": "union", "data_dir": str(REPO / "data"),
                         "timezone": "Asia/Shanghai"},
                        str(tmp_path / f"{engine}.html"), str(tmp_path / f"{engine}.ipynb"),
                        "工会", engine=engine)
        html = notebook_to_html(execute(task), title=task.title)
        html = re.sub(r'id="cell-id=[0-9a-f-]+"', "", html)
        pages[engine] = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}(:\d{2})?", "", html)
    assert "工会" in pages["inprocess"] and 'data-kpa="total">' in pages["inprocess"]
    assert pages["inprocess"] == pages["warm"]


def test_the_process_keeps_its_own_main_module():
    """IPython's shell replaced sys.modules['__main__'] with a module without __spec__, and a
    Dask nanny started later in the same process could not spawn its worker."""
    import sys

    main = sys.modules["__main__"]
    run(probe(), value=1)
    assert sys.modules["__main__"] is main
    assert hasattr(sys.modules["__main__"], "__spec__")  # IPython's stand-in has none
