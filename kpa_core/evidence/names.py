"""A file's name as the assessor knew it: kept for display, never used as a path.

The store files evidence under its sha256, so a name can never choose where bytes go; it is
still checked, because it is shown in reports and because the Excel route and the form take a
name from outside (a workbook cell, a browser). Invisible control and text-direction
characters are stripped (a U+202E would show ``gpj.exe`` as ``exe.jpg``); a name that is a path
(``../``, ``/etc/passwd``, ``C:\\x``, a folder in it) is refused, not rewritten.
"""

from __future__ import annotations

import re

from kpa_core.errors import Problem

INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_NAME = 200


def clean_name(name: object, unit: str | None = None, rule_id: str | None = None
               ) -> tuple[str, list[Problem]]:
    """(the name without invisible characters, problems); problems when it is a path."""
    allowed = ("不含 / \\ : 的文件名，不是 . 或 ..，≤200 字",
               "a plain file name: no / \\ :, not . or .., ≤ 200 characters")
    if not isinstance(name, str):
        return "", [Problem("文件名须为文字", "the file name must be text", unit=unit,
                            rule_id=rule_id, field="name", value=name,
                            allowed_zh=allowed[0], allowed_en=allowed[1])]
    cleaned = INVISIBLE.sub("", name).strip()
    why = None
    if not cleaned:
        why = ("文件名为空", "the file name is empty")
    elif any(c in cleaned for c in "/\\:"):
        why = ("文件名含路径（/、\\ 或盘符），拒绝", "the file name holds a path (/, \\ or a "
               "drive); refused")
    elif cleaned in (".", "..") or cleaned.startswith(".."):
        why = ("文件名不能是 . 或 .. 开头", "the file name may not be or start with ..")
    elif len(cleaned) > MAX_NAME:
        why = (f"文件名过长（{len(cleaned)} 字）", f"the file name is too long ({len(cleaned)})")
    if why:
        return cleaned, [Problem(why[0], why[1], unit=unit, rule_id=rule_id, field="name",
                                 value=name, allowed_zh=allowed[0], allowed_en=allowed[1])]
    return cleaned, []
