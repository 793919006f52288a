"""A hostile or broken ``.kpa-report-quick.json`` means "no record", never a hang or a crash.

Why: the record is read before every ``kpa report`` in a shared output folder. Whatever is
found under its name — a FIFO, a symlink to a device, JSON nested too deep for the parser,
fields of the wrong type — the command must fall through to the full batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest

from kpa_core.report import quick as report_quick
from kpa_core.report.documents import DocumentOptions

REPO = Path(__file__).resolve().parents[1]


def _unchanged(out: Path) -> object:
    return report_quick.unchanged(2013, None, REPO / "data", out, out / "params", None, "inprocess",
                                  REPO / "notebooks" / "report.ipynb", DocumentOptions())


def _within(seconds: float, call: object) -> list[object]:
    """``call()``'s result, failing (not hanging) when it blocks longer than ``seconds``."""
    got: list[object] = []
    thread = threading.Thread(target=lambda: got.append(call()), daemon=True)  # type: ignore
    thread.start()
    thread.join(seconds)
    return got if not thread.is_alive() else pytest.fail("reading the record blocked")


def test_a_fifo_under_the_records_name_does_not_block(tmp_path) -> None:
    fifo = tmp_path / report_quick.QUICK_FILE
    os.mkfifo(fifo)
    try:
        assert _within(10, lambda: _unchanged(tmp_path)) == [None]
    finally:  # unblock a reader left hanging by a failure, so the test process can end
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_symlink_to_a_device_is_not_read(tmp_path) -> None:
    (tmp_path / report_quick.QUICK_FILE).symlink_to("/dev/zero")
    assert _within(10, lambda: _unchanged(tmp_path)) == [None]


@pytest.mark.parametrize("text", [
    "[" * 200_000 + "]" * 200_000,  # RecursionError in json, not ValueError
    "\udcff garbage",
    json.dumps({"format": 1, "key": 5, "skipped": [], "notes": []}),
    json.dumps({"format": 1, "key": "k", "skipped": 5, "notes": []}),
    json.dumps({"format": 1, "key": "k", "skipped": [], "notes": [{"a": 1}]}),
])
def test_garbage_or_deep_json_is_no_record(tmp_path, text: str) -> None:
    (tmp_path / report_quick.QUICK_FILE).write_bytes(text.encode("utf-8", "surrogateescape"))
    assert report_quick.read_record(tmp_path / report_quick.QUICK_FILE) is None
    assert _unchanged(tmp_path) is None


def test_a_well_formed_record_is_read(tmp_path) -> None:
    record = {"format": report_quick.QUICK_FORMAT, "key": "k", "skipped": ["arts"],
              "notes": ["说明"]}
    (tmp_path / report_quick.QUICK_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert report_quick.read_record(tmp_path / report_quick.QUICK_FILE) == record


def test_a_folder_under_the_records_name_does_not_fail_the_finished_batch(tmp_path) -> None:
    """The batch has rendered everything when it leaves its record: a folder there (a user's
    mistake, or hostile) used to end the command with an error after all that work."""
    (tmp_path / report_quick.QUICK_FILE).mkdir()
    args = {"year": 2013}
    report_quick.remember(tmp_path, args, [], 0, tmp_path / "params",
                          REPO / "notebooks" / "report.ipynb", [], [])
    assert (tmp_path / report_quick.QUICK_FILE).is_dir()
    assert _unchanged(tmp_path) is None


def test_a_symlink_under_the_records_name_is_replaced_not_followed(tmp_path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    (tmp_path / report_quick.QUICK_FILE).symlink_to(target)
    assert _unchanged(tmp_path) is None
    report_quick.remember(tmp_path, {"year": 2013}, [], 0, tmp_path / "params",
                          REPO / "notebooks" / "report.ipynb", ["arts"], [])
    assert target.read_text(encoding="utf-8") == "keep"
    record = report_quick.read_record(tmp_path / report_quick.QUICK_FILE)
    assert record is not None and record["skipped"] == ["arts"]
