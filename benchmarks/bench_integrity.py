"""What integrity costs: an audited save, `kpa verify` of a year, refusing hostile input.

Usage: .venv/bin/python benchmarks/bench_integrity.py [REPEATS]

Works on a temp copy of data/ (the 2013 sample year). Reports the best of REPEATS runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from timing import best_of

from kpa_core.audit.log import save_with_audit
from kpa_core.audit.verify import verify_year
from kpa_core.errors import KpaInputError
from kpa_core.excel.template import write_template
from kpa_core.store.atomic import atomic_write_bytes
from kpa_core.store.bounded_read import check_workbook, read_bytes_bounded

ROOT = Path(__file__).resolve().parents[1]


def refused(fn) -> None:
    try:
        fn()
    except KpaInputError:
        return
    raise AssertionError("not refused")


def main(repeats: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    record = data / "2013" / "arts.yaml"
    content = record.read_bytes()
    n = [0]

    def audited() -> None:
        n[0] += 1
        save_with_audit(data, 2013, record, content + f"# {n[0]}\n".encode(), who="bench",
                        why="bench", unit_id="arts", unit="艺术系", what={},
                        rel_path="data/2013/arts.yaml")

    rows = [
        ("plain atomic write of a record", best_of(repeats, lambda: atomic_write_bytes(
            tmp / "plain.yaml", content))[0]),
        ("audited save (lock, recovery scan, line first, record, fsyncs)",
         best_of(repeats, audited)[0]),
    ]
    rows.append((f"verify_year 2013 ({36 + n[0]} lines, 36 records, 30 params)",
                 best_of(repeats, lambda: verify_year(data, 2013, ROOT / "params"))[0]))
    rows.append(("bounded read of a record", best_of(repeats, lambda: read_bytes_bounded(
        record))[0]))
    rows.append(("refuse /dev/zero", best_of(repeats, lambda: refused(
        lambda: read_bytes_bounded("/dev/zero")))[0]))
    big = tmp / "big.yaml"
    big.write_bytes(b"#" * (50 * 1024 * 1024))
    rows.append(("refuse a 50 MB record", best_of(repeats, lambda: refused(
        lambda: read_bytes_bounded(big)))[0]))
    book = write_template(data, 2014, tmp / "t.xlsx")
    rows.append(("check a template workbook (unpack-size pass)", best_of(
        repeats, lambda: check_workbook(book))[0]))
    with zipfile.ZipFile(book, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/bomb.bin", b"\0" * (300 * 1024 * 1024))
    rows.append((f"refuse a zip bomb ({os.path.getsize(book) // 1024} KB → 300 MB)", best_of(
        repeats, lambda: refused(lambda: check_workbook(book)))[0]))
    for name, seconds in rows:
        print(f"| {name} | {seconds * 1000:.2f} ms |")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
