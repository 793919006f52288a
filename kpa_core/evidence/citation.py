"""How a record's entry cites evidence: ``evidence_files``, a list beside the free-text
``evidence``.

Each item names a stored file by its sha256 (the store's key) and carries the file's name as
the assessor knew it, and optionally a page and a note::

    B07.studies:
      shortfall: 2
      reason: 全年学习少2次
      evidence: 查阅支部学习记录
      evidence_files:
      - {sha256: 3f…, name: 2013年支部学习记录.pdf, page: 4}

The record carries the hash, so the record's own sha256 (in the audit chain and in params)
covers the evidence it rests on. Imports ``errors`` only: ``scoring`` validates records with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kpa_core.errors import Problem

EVIDENCE_FIELD = "evidence_files"
ITEM_FIELDS = ("sha256", "name", "page", "note")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_CITED = 50  # files one entry cites; more is a typing or script error
MAX_TEXT = 200  # characters of a name or note


def _problem(rule_id: str, field: str, value: Any, zh: str, en: str, allowed: tuple[str, str]
             ) -> Problem:
    return Problem(zh, en, rule_id=rule_id, field=field, value=value,
                   allowed_zh=allowed[0], allowed_en=allowed[1])


def check_citations(rule_id: str, value: Any) -> list[Problem]:
    """Every problem of one entry's ``evidence_files`` (all of them, never the first only)."""
    shape = ("列表，每项 {sha256: 64位十六进制, name: 文件名, page: 页码, note: 说明}",
             "a list of {sha256: 64 hex digits, name: file name, page: …, note: …}")
    if not isinstance(value, list):
        return [_problem(rule_id, EVIDENCE_FIELD, value, "佐证材料须为列表",
                         "evidence_files must be a list", shape)]
    if len(value) > MAX_CITED:
        return [_problem(rule_id, EVIDENCE_FIELD, f"{len(value)} 项 / items",
                         f"佐证材料过多（每条至多 {MAX_CITED} 个文件）",
                         f"too many evidence files (at most {MAX_CITED} per entry)", shape)]
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, item in enumerate(value, start=1):
        where = f"{EVIDENCE_FIELD}[{i}]"
        if not isinstance(item, dict):
            problems.append(_problem(rule_id, where, item, "佐证材料的每项须为键值表",
                                     "each evidence item must be a mapping", shape))
            continue
        for key in item:
            if key not in ITEM_FIELDS:
                problems.append(_problem(rule_id, f"{where}.{key}", item[key], "未知字段",
                                         "unknown field", ("、".join(ITEM_FIELDS),
                                                           ", ".join(ITEM_FIELDS))))
        sha = item.get("sha256")
        if not isinstance(sha, str) or not SHA256.match(sha):
            problems.append(_problem(rule_id, f"{where}.sha256", sha, "sha256 不合法",
                                     "invalid sha256", ("64 位小写十六进制",
                                                        "64 lowercase hex digits")))
        elif sha in seen:
            problems.append(_problem(rule_id, f"{where}.sha256", sha[:12],
                                     "同一文件在本条重复引用", "the same file is cited twice",
                                     ("每个文件引用一次", "each file once")))
        else:
            seen.add(sha)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_TEXT:
            problems.append(_problem(rule_id, f"{where}.name", name, "文件名须为非空文字",
                                     "name must be non-empty text",
                                     (f"≤{MAX_TEXT} 字的文件名",
                                      f"a file name ≤ {MAX_TEXT} chars")))
        page = item.get("page")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int | str)):
            problems.append(_problem(rule_id, f"{where}.page", page, "页码须为整数或文字",
                                     "page must be a whole number or text", ("4、4-6", "4, 4-6")))
        note = item.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_TEXT):
            problems.append(_problem(rule_id, f"{where}.note", note, "说明须为文字",
                                     "note must be text",
                                     (f"≤{MAX_TEXT} 字", f"≤ {MAX_TEXT} chars")))
    return problems


def cited_in(entries: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(rule id, item) for every well-formed citation of a record's raw entries, in order.

    Reads plain data, so ``audit`` can check a year's files without the record parser.
    """
    if not isinstance(entries, dict):
        return
    for rule_id, entry in entries.items():
        items = entry.get(EVIDENCE_FIELD) if isinstance(entry, dict) else None
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("sha256"), str) \
                    and SHA256.match(item["sha256"]):
                yield str(rule_id), item


def cited_hashes(entries: Any) -> list[str]:
    """Every hash a record cites, sorted and once each: what an audit line and params carry."""
    return sorted({item["sha256"] for _, item in cited_in(entries)})
