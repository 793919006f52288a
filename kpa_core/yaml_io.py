"""Reading YAML the only way kpa does: safe loader, UTF-8, duplicate keys refused.

PyYAML's safe loader silently keeps the last of two equal keys, so a record with
``B01.docs`` written twice would lose one entry without a word; here that is an input problem.
Files saved by Windows tools in GBK are common in this office, so a file that is not UTF-8
gets a clear message naming the file instead of a ``UnicodeDecodeError`` traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from kpa_core.bounded_read import read_bytes_bounded
from kpa_core.errors import KpaInputError, Problem


class UniqueKeySafeLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that refuses a mapping with the same key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConstructorError(
                    None, None,
                    f"duplicated key {key!r} (lines {seen[key]} and {line})",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, where: str | None = None) -> Any:
    """Parse YAML text safely; syntax errors and duplicate keys become located problems."""
    try:
        return yaml.load(text, Loader=UniqueKeySafeLoader)  # noqa: S506 - a SafeLoader subclass
    except ConstructorError as exc:
        if exc.problem and exc.problem.startswith("duplicated key"):
            return _raise(Problem("同一文件中键重复（后者会覆盖前者）",
                                  f"{exc.problem}: the later one would silently replace the first",
                                  allowed_zh="每个键只出现一次", allowed_en="each key once",
                                  where=where), exc)
        return _raise(Problem("YAML 格式错误", f"YAML error: {exc}", where=where), exc)
    except yaml.YAMLError as exc:
        return _raise(Problem("YAML 格式错误", f"YAML syntax error: {exc}", where=where), exc)


def _raise(problem: Problem, cause: Exception) -> Any:
    raise KpaInputError([problem]) from cause


def read_text_utf8(path: Path) -> str:
    """A text file's content; a file in another encoding (GBK…) is a clear input problem."""
    raw = read_bytes_bounded(path)  # regular files only, at most 5 MB unless configured
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KpaInputError([Problem(
            f"文件不是 UTF-8 编码（第 {exc.start} 字节起；可能保存成了 GBK），请另存为 UTF-8",
            f"the file is not UTF-8 (from byte {exc.start}; perhaps saved as GBK): "
            "save it as UTF-8",
            allowed_zh="UTF-8 编码的文本", allowed_en="UTF-8 text", where=str(path))]) from exc


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file: UTF-8 only, safe loader, no duplicate keys, located errors."""
    path = Path(path)
    return parse_yaml(read_text_utf8(path), where=str(path))
