"""Issue #24, defect 9 (H24b's part): look-alike unit names, file owners, environment
bounds, year folders and the settings file.

- A unit name holding an invisible or look-alike character (``石油\\u200b工程系`` beside
  ``石油工程系``, or with Kangxi ⼯ that NFKC folds into 工) is refused naming its code point.
- A save run as root keeps the record's owner and group.
- ``KPA_MAX_INPUT_MB=inf`` (or ``1e400``) is a clear bilingual error, not an OverflowError.
- A folder ``data/²`` is not a year (``str.isdigit`` said it was, and ``kpa verify`` crashed).
- ``kpa.toml`` is read bounded: a 6 MB file is refused (the input limit is 5 MB).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.bounded_read import MB, limit_bytes
from kpa_core.store.layout import available_years
from kpa_core.store.workspace import read_config
from kpa_core.year.data import parse_units

ROOT = Path(__file__).resolve().parents[1]
HEADER = "unit_id,name_zh,name_en,kind\n"
LOOKALIKES = ["\u200b", "\u2060", "\ufeff", "\u061c", "\u00ad", "\u200d", "\u2028", "\u3164",
              "\u2f2f"]  # the list; U+2F2F is the Kangxi radical ⼯, NFKC 工


def kpa(*args: str, env: dict[str, str] | None = None,
        cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpa_core.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("char", LOOKALIKES, ids=[f"U+{ord(c):04X}" for c in LOOKALIKES])
def test_a_unit_name_that_only_looks_like_another_is_refused(char):
    name = "石油工程系".replace("油", "油" + char) if char != "\u2f2f" else "石油⼯程系"
    text = HEADER + "petroleum,石油工程系,Petroleum,department\n" \
        f"fake,{name},Fake,department\n"
    with pytest.raises(KpaInputError) as info:
        parse_units(text, Path("units.csv"))
    message = info.value.render()
    assert f"U+{ord(char):04X}" in message and "look-alike" in message
    assert ":3" in message  # the row of the fake name, not the real one


def test_the_colleges_names_with_full_width_brackets_pass():
    # Full-width forms are how Chinese is typed: NFKC folds them, but they are not look-alikes.
    units = parse_units((ROOT / "data" / "units.csv").read_text(encoding="utf-8"),
                        Path("units.csv"))
    assert len(units) == 30 and "党委办公室（院长办公室）" in {u.name_zh for u in units.values()}


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_save_as_root_keeps_the_records_owner(tmp_path):
    from kpa_core.scoring.record import load_record, save_record

    path = tmp_path / "chemical.yaml"
    shutil.copy(ROOT / "data" / "2013" / "chemical.yaml", path)
    os.chown(path, 4321, 4322)
    os.chmod(path, 0o640)
    record = load_record(path)
    save_record(record, path)
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4321, 4322, 0o640)
    atomic_write_text(path, "x: 1\n")  # every atomic write, not only records
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (4321, 4322)
    new = tmp_path / "new.yaml"  # a new file is the writer's, as before
    atomic_write_text(new, "x: 1\n")
    assert os.stat(new).st_uid == 0


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-3", "0", "five"])
def test_a_bad_size_bound_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("KPA_MAX_INPUT_MB", value)
    with pytest.raises(KpaInputError) as info:
        limit_bytes("KPA_MAX_INPUT_MB", 5)
    assert "KPA_MAX_INPUT_MB" in info.value.render()
    monkeypatch.setenv("KPA_MAX_INPUT_MB", "6.5")
    assert limit_bytes("KPA_MAX_INPUT_MB", 5) == int(6.5 * MB)
    monkeypatch.setenv("KPA_MAX_INPUT_MB", "")
    assert limit_bytes("KPA_MAX_INPUT_MB", 5) == 5 * MB


def test_kpa_score_with_an_infinite_bound_exits_2_without_a_traceback():
    proc = kpa("score", str(ROOT / "data" / "2013" / "chemical.yaml"),
               env={"KPA_MAX_INPUT_MB": "inf"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "KPA_MAX_INPUT_MB" in proc.stderr


def test_a_folder_named_superscript_two_is_not_a_year(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "²").mkdir()
    (data / "٢٠١٣").mkdir()  # Arabic-Indic digits: isdigit() too
    assert available_years(data) == available_years(ROOT / "data")
    proc = kpa("verify", "--data", str(data), "--params", str(tmp_path / "none"))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_settings_file_is_read_bounded(tmp_path):
    (tmp_path / "kpa.toml").write_bytes(b"# " + b"x" * (6 * MB) + b"\n")
    with pytest.raises(KpaInputError) as info:
        read_config(tmp_path)
    assert "too large" in info.value.render()
    (tmp_path / "kpa.toml").unlink()
    os.mkfifo(tmp_path / "kpa.toml")
    assert read_config(tmp_path) == {}  # not a settings file; never opened (it would block)
