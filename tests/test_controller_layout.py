"""A save through the entry form keeps the human's layout of the record file (issue #10, #8).

The header comment marks the sample as fictional, an analyst's own comment explains an entry,
and ``4.5`` is written as typed: a form save that changes one entry must keep all three and
touch only the changed line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kpa_core.entry.controller import AssessmentController

ROOT = Path(__file__).resolve().parents[1]


def test_a_form_save_keeps_comments_and_number_spelling(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "2013" / "union.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("entries:\n", "entries:  # 2013年12月 考核组现场核查\n")
    text += "  B16.judicial: {cases: [5, 4.5], reason: 职工涉案}  # 两起案件\n"
    path.write_text(text, encoding="utf-8")
    before = text.splitlines()

    form = AssessmentController(tmp_path / "data", 2013, "union")
    form.set_value("B18.news", 2)  # 3 → 2 articles: one line changes
    form.save("张三", "复核后更正稿件数")

    # the form names the unit id in the file it saves; every other line is the human's
    after = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln != "unit_id: union"]
    assert after[0].startswith("# 虚构示例数据 FICTIONAL SAMPLE DATA")
    assert "entries:  # 2013年12月 考核组现场核查" in after
    assert "  B16.judicial: {cases: [5, 4.5], reason: 职工涉案}  # 两起案件" in after
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1 and "B18.news" in changed[0][1] and "2" in changed[0][1]


def test_a_fifo_named_as_the_record_is_refused_not_read_forever(tmp_path: Path) -> None:
    import os
    import signal

    import pytest

    from kpa_core.errors import KpaInputError

    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "2013" / "union.yaml"
    path.unlink()
    os.mkfifo(path)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the form hung reading a FIFO"))
    signal.alarm(20)
    try:
        with pytest.raises(KpaInputError) as caught:
            AssessmentController(tmp_path / "data", 2013, "union")
    finally:
        signal.alarm(0)
    assert "不是普通文件" in caught.value.render()
