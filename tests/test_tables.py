"""Terminal tables: numbers right-aligned, Chinese counted double-width, long text wrapped."""

from __future__ import annotations

import subprocess
import sys

from kpa_core.text.tables import display_width, render_table, wrap_text


def test_numbers_right_aligned_text_left():
    out = render_table(["单位 unit", "合计 total"], [["工会", 99.0], ["后勤管理处", 59.5],
                                                     ["艺术系", -4.0]]).splitlines()
    # column widths 10 and 10 (headers), two spaces between: numbers end at column 22
    assert out[2] == "工会" + " " * 16 + "99"
    assert out[3] == "后勤管理处" + " " * 8 + "59.5"
    assert out[4] == "艺术系" + " " * 14 + "-4"
    assert len({display_width(line) for line in out}) == 1  # every line the same width


def test_signed_and_dash_cells_count_as_numbers():
    out = render_table(["a", "b"], [["x", "+2.5"], ["yy", "—"], ["z", "-10"]]).splitlines()
    assert out[2:] == ["x   +2.5", "yy     —", "z    -10"]


def test_wrap_chinese_and_two_line_headers():
    assert wrap_text("半年工作总结未按时报送", 8) == ["半年工作", "总结未按", "时报送"]
    assert wrap_text("short words wrap at spaces", 12) == ["short words", "wrap at", "spaces"]
    out = render_table(["规则\nrule", "理由\nreason"], [["B01.docs", "半年工作总结未按时报送"]],
                       wrap={1: 8}).splitlines()
    assert out[0].split() == ["规则", "理由"] and out[1].split() == ["rule", "reason"]
    assert out[3:] == ["B01.docs  半年工作", "          总结未按", "          时报送"]


def test_pdf_without_chromium_exits_2_with_the_install_line(tmp_path):
    env = {"KPA_CHROMIUM": str(tmp_path / "no-chromium"), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": ":".join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "kpa_core.cli", "report", "--year", "2013",
                           "--pdf", "--out", str(tmp_path / "out")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "生成 PDF 需要 Chromium / PDF needs Chromium: apt-get install chromium fonts-noto-cjk"]
    assert not (tmp_path / "out").exists()  # nothing rendered before the check
