"""A year's data: the units list and one record file per unit, read together.

Layout (the source of truth, readable and diffable)::

    data/units.csv                 unit_id, name_zh, name_en, kind
    data/<year>/<unit_id>.yaml     the assessors' record (考核组)
    data/<year>/self/<unit_id>.yaml  the unit's self-assessment (自评), optional

Loading a year collects the problems of every file before raising, so an analyst sees all of
them at once. ``load_year(..., strict=False)`` instead returns what loaded and the problems per
file, which the report batch uses so that one broken unit does not stop the others.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpa_core.audit.journal import refuse_half_import
from kpa_core.errors import KpaInputError, Problem
from kpa_core.scoring.record import Record, load_record
from kpa_core.scoring.score import check_unique_units
from kpa_core.store.bounded_read import active_snapshot, list_folder
from kpa_core.store.layout import (  # re-exported: where a year's files are
    ROLE_FOLDERS,  # noqa: F401
    available_years,
    check_unit_id,
    record_path,  # noqa: F401
    year_dir,
)
from kpa_core.store.yaml_io import read_text_hashed, read_text_utf8
from kpa_core.text.sanitize import invisible_in_name

UNIT_KINDS = {
    "office": ("行政部门", "administrative office"),
    "department": ("教学系部", "teaching department"),
}
UNITS_COLUMNS = ("unit_id", "name_zh", "name_en", "kind")


@dataclass(frozen=True)
class Unit:
    """A unit of the College as listed in units.csv."""

    unit_id: str
    name_zh: str
    name_en: str
    kind: str

    @property
    def kind_label(self) -> str:
        zh, en = UNIT_KINDS[self.kind]
        return f"{zh} / {en}"


@dataclass
class YearData:
    """The records of one year and role that loaded, and the problems of those that did not."""

    year: int
    role: str
    records: list[Record]
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # unit id → problems
    missing: list[str] = field(default_factory=list)  # units of units.csv with no record file
    sha256: dict[str, str] = field(default_factory=dict)  # unit id → its file's bytes, as read

    def missing_note(self, units: dict[str, Unit]) -> str | None:
        """A bilingual note naming the units that have no record, so none vanishes silently."""
        if not self.missing:
            return None
        names = "、".join(f"{units[u].name_zh}（{u}）" if u in units else u for u in self.missing)
        n = len(self.missing)
        return (f"注意：{n} 个单位没有 {self.year} 年度记录，未参加评分排名：{names}"
                f" / note: {n} unit(s) of units.csv have no {self.year} record "
                f"and are not ranked: {', '.join(self.missing)}")


def load_units(data_dir: str | Path) -> dict[str, Unit]:
    """Read ``units.csv`` (UTF-8, with or without BOM); every bad row is reported by line."""
    path = Path(data_dir) / "units.csv"
    return parse_units(read_text_utf8(path), path)


def load_units_hashed(data_dir: str | Path) -> tuple[dict[str, Unit], str]:
    """``load_units`` and the sha256 of the bytes it parsed (one read of the file)."""
    path = Path(data_dir) / "units.csv"
    text, sha256 = read_text_hashed(path)
    return parse_units(text, path), sha256


def parse_units(text: str, path: Path) -> dict[str, Unit]:
    """The units of a units.csv text; every bad row is reported by line."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in UNITS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise KpaInputError([Problem("单位表缺少列", "units table lacks columns", value=missing,
                                     allowed_zh=",".join(UNITS_COLUMNS),
                                     allowed_en=",".join(UNITS_COLUMNS), where=str(path))])
    problems: list[Problem] = []
    units: dict[str, Unit] = {}
    for row in reader:
        where = f"{path}:{reader.line_num}"
        uid = (row["unit_id"] or "").strip()
        name = (row["name_zh"] or "").strip()
        problems += [p.located(unit=name or uid, where=where) for p in check_unit_id(uid)]
        checks = (  # failed?, zh, en, field, value, (allowed zh, allowed en)
            (None in row, "本行单元格多于表头", "more cells than columns on this row", "row",
             row.get(None), (",".join(UNITS_COLUMNS),) * 2),  # DictReader files surplus under None
            (row["kind"] not in UNIT_KINDS, "未知的单位类别", "unknown kind of unit", "kind",
             row["kind"], ("office（行政部门）、department（教学系部）", "office, department")),
            (uid in units, "单位编号重复", "duplicated unit id", "unit_id", uid,
             ("每个编号一次", "each id once")),
            (not name, "缺少单位中文名称", "unit name missing", "name_zh", None,
             ("单位中文名称", "the unit's Chinese name")),
            *((bool(hidden := invisible_in_name(text)),
               f"单位名称含不可见或易混淆的字符（{hidden}）",
               f"the unit name holds invisible or look-alike characters ({hidden})",
               column, text, ("可见文字，不含控制、格式（零宽）字符或康熙部首等易混淆字符",
                              "visible text without control, format (zero-width) or "
                              "look-alike characters such as Kangxi radicals"))
              for column, text in (("name_zh", name), ("name_en", row["name_en"] or ""))),
        )
        problems += [Problem(zh, en, unit=name or uid, field=field, value=value,
                             allowed_zh=allowed[0], allowed_en=allowed[1], where=where)
                     for failed, zh, en, field, value, allowed in checks if failed]
        units[uid] = Unit(uid, name, (row["name_en"] or "").strip(), row["kind"] or "")
    if problems:
        raise KpaInputError(problems)
    return units


_UNITS_CACHE: dict[tuple[Any, ...], tuple[dict[str, Unit], str]] = {}


def file_stamp(entry: os.DirEntry[str] | Path) -> tuple[Any, ...]:
    """What changes whenever a file is written: name, size, inode, mtime and ctime in ns.

    ctime cannot be set back by a user (``touch -d`` sets mtime only), and an atomic replace
    gives a new inode, so an edit is always seen; stat-ing costs a syscall, hashing a read.
    """
    st = entry.stat()
    return (entry.name, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def load_units_cached(data_dir: str | Path) -> dict[str, Unit]:
    """``load_units``, remembered while units.csv is unchanged; the result is read-only.

    A warm report kernel checks its parameters and builds its context once per unit: parsing
    a units.csv of 10³ rows for each would make every unit's cost grow with the year's size.
    """
    path = Path(data_dir) / "units.csv"
    try:
        key = (str(path.resolve()), file_stamp(path))
    except OSError:
        return load_units(data_dir)  # names the missing file
    if key not in _UNITS_CACHE:
        if len(_UNITS_CACHE) >= 4:
            _UNITS_CACHE.pop(next(iter(_UNITS_CACHE)))
        _UNITS_CACHE[key] = load_units_hashed(data_dir)
    return _UNITS_CACHE[key][0]


def units_with_sha256(data_dir: str | Path) -> tuple[dict[str, Unit], str]:
    """``load_units_cached`` and the sha256 of the units.csv bytes it parsed."""
    load_units_cached(data_dir)
    path = Path(data_dir) / "units.csv"
    try:
        key = (str(path.resolve()), file_stamp(path))
    except OSError:
        return load_units_hashed(data_dir)
    return _UNITS_CACHE.get(key) or load_units_hashed(data_dir)


def load_year(
    data_dir: str | Path,
    year: int,
    role: str = "assessor",
    strict: bool = True,
    units: dict[str, Unit] | None = None,
) -> YearData:
    """Read every record of a year; check each against units.csv and for duplicates."""
    units = units if units is not None else load_units(data_dir)
    folder = year_dir(data_dir, year, role)
    if not folder.is_dir():
        raise KpaInputError(
            [
                Problem(
                    "没有该年度的数据",
                    "no data for that year",
                    field="year",
                    value=year,
                    allowed_zh="、".join(map(str, available_years(data_dir))),
                    allowed_en=", ".join(map(str, available_years(data_dir))),
                    where=str(folder),
                )
            ]
        )
    if active_snapshot() is None:  # a snapshot was taken from a year with no import pending
        refuse_half_import(data_dir, year)  # a year mixing old and new records is never scored
    records: list[Record] = []
    problems: dict[str, list[Problem]] = {}
    hashes: dict[str, str] = {}
    names = sorted(n for n in list_folder(folder) if n.endswith((".yaml", ".yml")))
    files = [folder / n for n in names if n.endswith(".yaml")]  # one listing, no glob matching
    strays = [folder / n for n in names if n.endswith(".yml")]
    for stray in strays:  # would be silently skipped: say so instead
        problems[stray.stem] = [Problem(
            "记录文件须以 .yaml 结尾", "record files must end in .yaml", unit=stray.stem,
            field="file", value=stray.name, allowed_zh=f"{stray.stem}.yaml",
            allowed_en=f"{stray.stem}.yaml", where=str(stray))]
    for path in files:
        uid = path.stem
        try:
            if uid not in units:
                raise KpaInputError(
                    [
                        Problem(
                            "单位不在单位表中",
                            "unit not in units.csv",
                            unit=uid,
                            field="unit_id",
                            value=uid,
                            allowed_zh="units.csv 中的单位编号",
                            allowed_en="a unit id of units.csv",
                            where=str(path),
                        )
                    ]
                )
            record = load_record(path, unit_id=uid, hashes=hashes)
            expected = (  # field, value in the file, value its place demands, zh, en
                ("unit", record.unit, units[uid].name_zh,
                 "单位名称与单位表不符", "unit name differs from units.csv"),
                ("unit_id", record.unit_id, uid,
                 "记录中的单位编号与文件名不符", "the record's unit_id differs from its file name"),
                ("year", record.year, year,
                 "记录年度与文件夹不符", "record year differs from its folder"),
                ("role", record.role, role,
                 "记录角色与文件夹不符", "record role differs from its folder"),
            )
            file_problems = [
                Problem(zh, en, unit=record.unit, field=name, value=got,
                        allowed_zh=str(want), allowed_en=str(want), where=str(path))
                for name, got, want, zh, en in expected
                if got != want
            ]
            if file_problems:
                raise KpaInputError(file_problems)
            records.append(record)
        except KpaInputError as exc:
            problems[uid] = exc.problems
    try:
        check_unique_units(records)
    except KpaInputError as exc:
        problems.setdefault("(year)", []).extend(exc.problems)
    seen = {p.stem for p in files + strays}
    missing = [uid for uid in units if uid not in seen] if role == "assessor" else []
    if strict and problems:
        raise KpaInputError(p for ps in problems.values() for p in ps)
    return YearData(year=year, role=role, records=records, problems=problems, missing=missing,
                    sha256=hashes)
