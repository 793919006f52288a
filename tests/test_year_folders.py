"""Issue #24: a year is exactly four ASCII digits everywhere (``store.layout.is_year_folder``).

``str.isdigit`` accepts "²" and "٢٠١٣", and ``int("²")`` raises: a report parameter or a params
folder named so ended in a ValueError traceback. Each such place now asks the one function.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.report.notebook_params import check_report_params
from kpa_core.store.layout import is_year_folder
from kpa_core.store.paths import PACKAGE_DIR

DATA = PACKAGE_DIR.parent / "data"


def test_only_four_ascii_digits_are_a_year():
    assert is_year_folder("2013")
    assert not any(is_year_folder(n) for n in ("²", "٢٠١٣", "２０１３", "201", "20131", "2013 "))


@pytest.mark.parametrize("year", ["²", "٢٠١٣"])
def test_a_report_parameter_that_only_looks_like_digits_is_a_clear_error(year: str):
    with pytest.raises(KpaInputError, match="没有该年度的数据"):
        check_report_params(year=year, unit="arts", data_dir=str(DATA))


def test_verify_ignores_a_superscript_folder(tmp_path: Path):
    from cli_run import run_kpa

    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "data" / "²").mkdir()
    (tmp_path / "kpa.toml").write_text('office = "纪委办公室"\n', encoding="utf-8")
    done = run_kpa("verify", "--data", str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert "²" not in done.stdout
