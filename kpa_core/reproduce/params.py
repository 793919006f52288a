"""Saved run parameters: everything a rerun needs, and the scores it produced.

A params file is written by the report batch (one per unit) and by the what-if notebook (one
per scenario). It embeds the record's entries and names the data file with its sha256, pins
the rubric by id and content hash (with the numbers of every rule, so that a later change can
be named rule by rule), and keeps the resulting scores, so that years later ``kpa reproduce``
can rescore and show exactly what, if anything, changed.

Layout (``params/<year>/<unit id>.yaml``; the JSON schema is ``templates/params.schema.json``)::

    kpa_params: 1
    kind: report | scenario
    made: '2026-11-27T09:00:00+00:00'
    kpa_version: 0.1.0
    rubric: {id: kvtc-2013-draft, sha256: …, numbers: {areas: …, items: …, rules: …}}
    options: {cap_scope: subarea}
    year: 2013
    unit: 石油工程系
    unit_id: petroleum
    record: {path: data/2013/petroleum.yaml, sha256: …, data: {…the record…}}
    scores: {basic: …, bonus: …, total: …, areas: {…}, special: {…}, rules: {…}}
    grades: null            # or the grade bands used and the grade given (see grading)
    extra: {…}              # optional free-form context, e.g. a what-if scenario

Files are read with ``yaml.safe_load`` only and validated against the schema; a missing or
unknown field is reported by name, in Chinese and English, with every problem at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: a batch rerun needs no schema library
    pass

from kpa_core import __version__
from kpa_core.errors import KpaInputError, Problem
from kpa_core.rubric.model import Rubric, load_rubric
from kpa_core.scoring.record import Record, check_unit_id, read_yaml
from kpa_core.scoring.score import ScoreCard
from kpa_core.store.atomic import atomic_write_text
from kpa_core.store.paths import PACKAGE_DIR
from kpa_core.store.schema import nonfinite_problems, schema_problems, unique_problems

PARAMS_FORMAT = 1
SCHEMA_PATH = PACKAGE_DIR / "templates" / "params.schema.json"
KINDS = ("report", "scenario")
# Fields that only say when and by what a file was written: they may differ between two runs
# that are otherwise the same, so "has anything changed?" ignores them.
VOLATILE_FIELDS = ("made", "kpa_version")


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (the data file a report read)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scores_of(card: ScoreCard) -> dict[str, Any]:
    """The scores kept in a params file: what a rerun must match, down to each rule's points."""
    return {"basic": card.basic, "bonus": card.bonus, "total": card.total,
            "areas": dict(card.area_scores), "special": dict(card.special),
            "rules": {rid: float(v) for rid, v in card.rule_amounts.items()}}


def rubric_numbers(rubric: Rubric) -> dict[str, Any]:
    """Every number of a rubric that a score depends on, keyed by id.

    Embedded in params so that, if the rubric file is ever altered, reproduce can say which
    rules changed and how (old → new), not merely that a hash differs.
    """
    rules: dict[str, Any] = {}
    for rid, rule in rubric.rules.items():
        entry: dict[str, Any] = {"kind": rule.kind}
        for key, value in rule.params.items():
            if key == "levels":  # tier levels: only their points matter to a score
                value = {lv["id"]: lv["points"] for lv in value}
            entry[key] = value
        rules[rid] = entry
    return {
        "areas": {a.id: a.points for a in rubric.areas.values()},
        "items": {i.id: {"area": i.area_id, "points": i.points} for i in rubric.items.values()},
        "rules": rules,
        "options": {name: spec.get("default") for name, spec in rubric.options.items()},
    }


def _workspace_or_none() -> Any:
    from kpa_core.store.workspace import WorkspaceNotFound, find_workspace

    try:
        return find_workspace()
    except WorkspaceNotFound:
        return None


def portable_path(path: str | Path, data_dir: str | Path | None = None) -> str:
    """A data path as stored: POSIX, relative to the workspace root — never absolute.

    A file in ``data_dir`` is stored as ``data/…`` relative to that folder (the workspace's
    own data/ gives the same), which ``kpa reproduce`` (or ``--data DIR``) resolves again;
    else a file inside the current workspace is stored relative to its root; else a record
    file is stored by its place in a data folder (``data/<year>/[self/]<unit id>.yaml``).
    Why: a saved path must mean the same on every machine and from every folder.
    """
    p = Path(path)
    ws = _workspace_or_none()
    absolute = p if p.is_absolute() else Path.cwd() / p
    if not absolute.exists() and not p.is_absolute() and ws is not None:
        absolute = ws.root / p
    absolute = absolute.resolve()
    if data_dir is not None:
        try:
            return "data/" + absolute.relative_to(Path(data_dir).resolve()).as_posix()
        except ValueError:
            pass
    if ws is not None and ws.contains(absolute):
        return ws.relative(absolute)
    parts = absolute.parts
    tail = parts[-3:] if len(parts) >= 3 and parts[-2] == "self" else parts[-2:]
    return "/".join(("data", *tail))


def make_params(record: Record, card: ScoreCard, kind: str = "report",
                record_path: str | Path | None = None, grades: dict[str, Any] | None = None,
                extra: dict[str, Any] | None = None,
                data_dir: str | Path | None = None, *,
                record_sha256: str | None = None) -> dict[str, Any]:
    """Build the params mapping for one scored record.

    ``record_path`` (the data file read) is stored as ``portable_path`` makes it (pass the
    data folder as ``data_dir`` when it may lie outside the project). ``record_sha256``: the
    hash of the bytes the record was parsed from, when the caller read them (not read again).
    ``extra`` keys that are fields of the format (e.g. ``made``) replace them; any
    other keys are kept under ``extra`` so the file still validates.
    """
    rec: dict[str, Any] = {"data": record.to_data()}
    if record_path is not None:
        stored = portable_path(record_path, data_dir)
        file = Path(record_path)
        if not file.exists():  # a workspace-relative path given from another working folder
            file = resolve_data_path(stored, data_dir)
        rec = {"path": stored, "sha256": record_sha256 or file_sha256(file), **rec}
    rubric = load_rubric(card.rubric_id)
    numbers = rubric_numbers(rubric) if rubric.sha256 == card.rubric_sha256 else None
    rubric_entry: dict[str, Any] = {"id": card.rubric_id, "sha256": card.rubric_sha256}
    if numbers is not None:
        rubric_entry["numbers"] = numbers
    params: dict[str, Any] = {
        "kpa_params": PARAMS_FORMAT,
        "kind": kind,
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kpa_version": __version__,
        "rubric": rubric_entry,
        "options": {"cap_scope": card.cap_scope},
        "year": record.year,
        "unit": record.unit,
        "unit_id": record.unit_id,
        "record": rec,
        "scores": scores_of(card),
        "grades": grades,
    }
    if extra:
        known = set(schema()["properties"])
        params.update({k: v for k, v in extra.items() if k in known and k != "extra"})
        rest = {k: v for k, v in extra.items() if k not in known}
        rest.update(extra.get("extra") or {})
        if rest:
            params["extra"] = rest
    return params


def _inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder.resolve())


def resolve_data_path(path: str | Path, data_dir: str | Path | None = None,
                      root: str | Path | None = None) -> Path:
    """Where a stored data path points now — only ever inside the data folder or workspace.

    Stored paths are relative to the workspace root: ``root`` (the params file's workspace),
    else the current workspace. When ``data_dir`` is given, a path under ``data/`` is looked
    up in that folder instead, so a moved data folder can still be checked. A params file is
    input like any other: an absolute path, or one that leaves the data folder / workspace
    once resolved (``../../../etc/passwd``), is refused rather than read and hashed.
    """
    p = Path(path)
    problem = None
    if "\0" in str(path):  # the OS refuses it with a ValueError traceback otherwise
        problem = ("数据路径含有不允许的字符（NUL）", "the data path holds a NUL character")
    elif p.is_absolute() or p.drive:
        problem = ("数据路径不能是绝对路径", "the data path must not be absolute")
    else:
        if data_dir is not None and p.parts and p.parts[0] == "data":
            target, folders = Path(data_dir).joinpath(*p.parts[1:]), [Path(data_dir)]
        else:
            if root is None:
                from kpa_core.store.workspace import find_workspace

                root = find_workspace().root
            root = Path(root).resolve()
            target, folders = root / p, [root, root / "data"]
        resolved = target.resolve()
        if not any(_inside(resolved, f) for f in folders):
            problem = ("数据路径超出数据文件夹或工作区", "the data path leaves the data folder "
                       "or the workspace")
        else:
            return target
    raise KpaInputError([Problem(
        problem[0], problem[1], field="record.path", value=str(path),
        allowed_zh="工作区内的相对路径，如 data/2013/<单位编号>.yaml",
        allowed_en="a path relative to the workspace root inside it, "
                   "e.g. data/2013/<unit id>.yaml")])


def expected_record_path(year: int, unit_id: str, role: str = "assessor") -> str:
    """The one ``record.path`` a report's params may name: that unit's record of that year."""
    middle = "self/" if role == "self" else ""
    return f"data/{year}/{middle}{unit_id}.yaml"


def check_record_path(params: dict[str, Any], where: str | None = None) -> None:
    """``record.path`` must be exactly the record file of the params' unit, year and role.

    Why: a folder, or another unit's file, would be "gone" or "changed" for the wrong reason,
    or — worse — reproduce one unit's scores from another's file. Such a params file is
    invalid (exit 2), never a difference.
    """
    rec = params.get("record") or {}
    stored = rec.get("path")
    if stored is None:
        return
    data = rec.get("data") if isinstance(rec.get("data"), dict) else {}
    role = data.get("role") or "assessor"
    uid = params.get("unit_id") or data.get("unit_id")
    if uid:
        wanted = expected_record_path(params["year"], uid, role)
        ok = stored == wanted
    else:  # older params without a unit id: at least a record file of that year
        wanted = expected_record_path(params["year"], "<单位编号 unit id>", role)
        parts = stored.split("/")
        ok = (parts[:2] == ["data", str(params["year"])] and stored.endswith(".yaml")
              and len(parts) == (4 if role == "self" else 3)
              and not check_unit_id(parts[-1][:-5]))
    if not ok:
        raise KpaInputError([Problem(
            "记录路径须为该单位该年度的记录文件", "record.path must be the record file of the "
            "params' unit and year", unit=params.get("unit"), field="record.path", value=stored,
            allowed_zh=wanted, allowed_en=wanted, where=where)])


def params_path(params_dir: str | Path, year: int, unit_id: str) -> Path:
    """``params/<year>/<unit id>.yaml``; the id is checked so it can never escape the folder."""
    problems = check_unit_id(unit_id)
    if problems:
        raise KpaInputError(problems)
    return Path(params_dir) / str(year) / f"{unit_id}.yaml"


def write_params(path: str | Path, params: dict[str, Any]) -> Path:
    """Write a params file atomically; refuse one that would not read back.

    A file being replaced keeps its comments and layout (``kpa_core.store.yaml_write``).
    """
    from kpa_core.store.bounded_read import check_write_size
    from kpa_core.store.yaml_write import read_old, updated_text

    validate_params(params, where=str(path))
    text = updated_text(read_old(path), params)
    check_write_size(len(text.encode("utf-8")), path, params.get("unit_id"))
    return atomic_write_text(Path(path), text)


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two params say the same thing apart from when and by which version they were made."""
    def strip(p: dict[str, Any]) -> str:
        kept = {k: v for k, v in p.items() if k not in VOLATILE_FIELDS}
        return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return strip(a) == strip(b)


def write_params_if_changed(path: str | Path, params: dict[str, Any]) -> bool:
    """Write only when the content (other than ``made``/``kpa_version``) differs; True if written.

    Keeps params/ diffs in git meaningful: rerunning a batch does not touch unchanged units.
    """
    path = Path(path)
    if path.exists():
        try:
            if same_content(read_params(path), params):
                return False
        except KpaInputError:
            pass  # an unreadable old file is replaced
    write_params(path, params)
    return True


@cache
def schema() -> dict[str, Any]:
    """The JSON schema of format 1 (shipped as package data)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_params(data: Any, where: str | None = None) -> dict[str, Any]:
    """Check plain data against the schema; raise ``KpaInputError`` naming every bad field."""
    if not isinstance(data, dict):
        raise KpaInputError([Problem("参数文件须为键值表", "a params file must be a mapping",
                                     value=type(data).__name__, where=where)])
    unit = data.get("unit") if isinstance(data.get("unit"), str) else None
    from kpa_core.cheap_imports import defer_iri_grammar

    defer_iri_grammar()  # ~1-2 s of IRI grammar jsonschema would build at import, never used
    import jsonschema  # here, not at the top: most commands never validate a params file

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [p for e in errors for p in schema_problems(e, unit, where)]
    for name in ("scores", "rubric", "grades"):
        problems += nonfinite_problems(data.get(name), name, unit, where)
    if problems:
        raise KpaInputError(unique_problems(problems))
    return data


def read_params(path: str | Path) -> dict[str, Any]:
    """Safe-load and validate one params file."""
    path = Path(path)
    data = read_yaml(path)
    if isinstance(data, dict) and isinstance(data.get("made"), dt.date | dt.datetime):
        data["made"] = data["made"].isoformat()  # an unquoted timestamp typed by hand
    return validate_params(data, where=str(path))
