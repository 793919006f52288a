"""Reading YAML the only way kpa does: safe loader, UTF-8, duplicate keys refused, bounded.

PyYAML's safe loader silently keeps the last of two equal keys, so a record with
``B01.docs`` written twice would lose one entry without a word; here that is an input problem.
Files saved by Windows tools in GBK are common in this office, so a file that is not UTF-8
gets a clear message naming the file instead of a ``UnicodeDecodeError`` traceback.

Speed: libyaml's ``CSafeLoader`` (C scanner, parser and composer; the same Python safe
constructor) is used when PyYAML was built with it, the pure-Python ``SafeLoader`` otherwise,
and an alias-free document is built in one walk (``build_tree``). A year of 10⁴ records is
read, validated and scored in 3.1 s of CPU instead of 19.7 s (``benchmarks/README.md``).

Bounds, checked on the composed nodes before a value is built from them (aliases: before
anything is built), so a hostile file is refused in milliseconds and its data never reaches
code that would walk or ``repr`` it:

- **Aliases** (``&a`` … ``*a``) are allowed, because YAML writers (PyYAML's and ruamel's
  dumpers) emit them for an object that appears twice, but together they may add at most
  ``MAX_ALIAS_NODES`` nodes to the document once expanded. A "billion laughs" file has a few
  hundred nodes that expand to 10⁹; the expanded size is computed per distinct node (each
  shared node is counted once, then multiplied), so refusing it costs no more than reading it.
  Merge keys (``<<: *a``) are counted the same way. A recursive alias (``&a [*a]``) is refused.
- **Nesting** deeper than ``MAX_DEPTH``: kpa's deepest file (params) nests 6 levels; code that
  later walks a value (``repr`` in messages, JSON, schema checks) recurses, and Python stops at
  1000 frames. The pure-Python composer itself recurses, so it counts depth as it goes;
  libyaml stops at 1000 on its own, and the walk below applies the tighter limit.
- **Integers** longer than ``MAX_INT_CHARS`` characters: Python refuses to convert more than
  4300 digits (a ``ValueError`` deep in the constructor), and no kpa number needs 20.
- **Keys** must be scalars: a list or mapping as a key (``? [a, b]``) cannot be a dictionary
  key in Python (a ``TypeError``) and no kpa file has one.

Every refusal is a ``Problem`` in Chinese and English naming the file and line, and never
echoes more than ``MAX_ECHO`` characters of the input.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.bounded_read import input_limit, read_bytes_bounded

MAX_ALIAS_NODES = 10_000  # nodes that aliases may add once expanded, per document
MAX_DEPTH = 64  # nested collections; kpa's own files need 6
MAX_INT_CHARS = 100  # characters of one integer scalar (Python's own limit is 4300 digits)
MAX_ECHO = 200  # characters of input quoted in a message
# Every YAML node needs a line break, a comma or a colon near it, so their count bounds the
# nodes a document can hold. Counted on the text before parsing (milliseconds for 5 MB),
# it refuses a record of 380,000 entries at once instead of after 13 s of parsing; kpa's
# largest own file (the rubric) has about 1,000.
MAX_SEPARATORS = 100_000

INT_TAG = "tag:yaml.org,2002:int"
STR_TAG, MAP_TAG, SEQ_TAG = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))
PLAIN_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in (
    "int", "float", "bool", "null", "timestamp", "binary"))
LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


def clip(text: Any, limit: int = MAX_ECHO) -> str:
    """At most ``limit`` characters of ``text`` for a message, with how much was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（另 {len(text) - limit} 字符 / {len(text) - limit} more characters）"


class YamlBoundError(yaml.YAMLError):
    """A file beyond one of the bounds above; carries its bilingual problem."""

    def __init__(self, problem_zh: str, problem_en: str, allowed_zh: str, allowed_en: str,
                 mark: Any = None):
        line = mark.line + 1 if mark is not None else None
        if line is not None:
            problem_zh, problem_en = f"第 {line} 行：{problem_zh}", f"line {line}: {problem_en}"
        super().__init__(problem_en)
        self.problem_zh, self.problem_en = problem_zh, problem_en
        self.allowed_zh, self.allowed_en = allowed_zh, allowed_en


def _too_deep(mark: Any) -> YamlBoundError:
    return YamlBoundError(f"嵌套层数超过 {MAX_DEPTH} 层", f"nested more than {MAX_DEPTH} levels",
                          f"至多 {MAX_DEPTH} 层嵌套", f"at most {MAX_DEPTH} nested levels", mark)


class _Everything:
    """Stands for "every first character has a resolver" (a wildcard resolver was added)."""

    def __contains__(self, item: object) -> bool:
        return True


class _UniqueKeys:
    """Mix-in for a safe loader: a mapping with the same key twice is refused; quick resolving."""

    _kpa_first: Any = _Everything()  # first characters with a resolver (set by _loader)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """A scalar no implicit resolver could match is a string, without trying them.

        PyYAML's resolver looks up the regular expressions by the value's first character and
        falls back to ``str``; most of a record's scalars (rule ids, field names, Chinese text)
        start with a character that has none, so they are answered here from the same table.
        """
        if not self.yaml_path_resolvers:  # type: ignore[attr-defined]
            if kind is ScalarNode:
                if not implicit[0] or (value and value[0] not in self._kpa_first):
                    return STR_TAG
            elif kind is MappingNode:
                return MAP_TAG
            elif kind is SequenceNode:
                return SEQ_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[misc]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        if len(mapping) == len(node.value):  # the usual case: no key twice, nothing merged
            return mapping
        seen: dict[Any, int] = {}  # find which key, and where; merged keys may be overridden
        for key_node, _ in node.value:
            if getattr(key_node, "_kpa_merged", False):
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConstructorError(
                    None, None,
                    f"duplicated key {clip(repr(key))} (lines {seen[key]} and {line})",
                    key_node.start_mark,
                )
            seen[key] = line
        return mapping

    def flatten_mapping(self, node: MappingNode) -> None:
        """Merge keys (``<<``) may be overridden by the mapping's own keys: not duplicates."""
        own = {id(k) for k, _ in node.value}
        super().flatten_mapping(node)  # type: ignore[misc]
        for key_node, _ in node.value:
            if id(key_node) not in own:
                key_node._kpa_merged = True  # type: ignore[attr-defined]


class UniqueKeyPySafeLoader(_UniqueKeys, yaml.SafeLoader):
    """The pure-Python safe loader; its composer recurses, so depth is counted as it goes."""

    _kpa_depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._kpa_depth += 1
        try:
            if self._kpa_depth > MAX_DEPTH:
                raise _too_deep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._kpa_depth -= 1


if LIBYAML:
    class UniqueKeyCSafeLoader(_UniqueKeys, yaml.CSafeLoader):  # type: ignore[name-defined]
        """libyaml's parser and composer, Python's safe constructor."""

    UniqueKeySafeLoader: type = UniqueKeyCSafeLoader
else:  # pragma: no cover - PyYAML built without libyaml
    UniqueKeySafeLoader = UniqueKeyPySafeLoader


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return node.value
    return []


def _check_scalar_and_keys(node: Node) -> None:
    if isinstance(node, ScalarNode):
        if node.tag == INT_TAG and len(node.value) > MAX_INT_CHARS:
            raise YamlBoundError(
                f"整数过长（{len(node.value)} 个字符）：{clip(node.value, 40)}",
                f"integer too long ({len(node.value)} characters): {clip(node.value, 40)}",
                f"至多 {MAX_INT_CHARS} 个字符的整数", f"integers of at most {MAX_INT_CHARS} "
                "characters", node.start_mark)
    elif isinstance(node, MappingNode):
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                kind_zh = "列表" if isinstance(key_node, SequenceNode) else "键值表"
                kind_en = "list" if isinstance(key_node, SequenceNode) else "mapping"
                raise YamlBoundError(
                    f"键不能是{kind_zh}", f"a {kind_en} cannot be a key",
                    "文字或数字作键", "a plain text or number as key", key_node.start_mark)


def check_tree(root: Node, aliases_possible: bool = True) -> None:
    """Refuse a composed document beyond the bounds, before anything is constructed from it.

    Without anchors in the text (no ``&``) the graph is a tree and one walk suffices. With them,
    each distinct node is visited once and its expanded size and height are computed from its
    children's, so a billion-laughs graph of a few hundred nodes costs a few hundred steps.
    """
    if not aliases_possible:
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _too_deep(node.start_mark)
            _check_scalar_and_keys(node)
            stack.extend((child, depth + 1) for child in _children(node))
        return
    size: dict[int, int] = {}  # id(node) → nodes once every alias below it is expanded
    chars: dict[int, int] = {}  # id(node) → characters of its scalars once expanded
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack2: list[tuple[Node, bool]] = [(root, False)]
    while stack2:
        node, leaving = stack2.pop()
        nid = id(node)
        if leaving:
            kids = _children(node)
            size[nid] = 1 + sum(size[id(k)] for k in kids)
            chars[nid] = (len(node.value) if isinstance(node, ScalarNode)
                          else sum(chars[id(k)] for k in kids))
            height[nid] = 1 + max((height[id(k)] for k in kids), default=0)
            on_path.discard(nid)
            if height[nid] > MAX_DEPTH:
                raise _too_deep(node.start_mark)
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise YamlBoundError("别名引用了自身（循环引用）",
                                 "an alias refers to itself (a cycle)",
                                 "不含循环的别名", "aliases without cycles", node.start_mark)
        _check_scalar_and_keys(node)
        on_path.add(nid)
        stack2.append((node, True))
        stack2.extend((k, False) for k in _children(node) if id(k) not in size)
    added = size[id(root)] - len(size)
    if added > MAX_ALIAS_NODES:
        raise YamlBoundError(
            f"别名（&锚点/*引用）展开后增加 {added:,} 个节点（疑似“十亿笑声”炸弹）",
            f"aliases (&anchor/*alias) would add {added:,} nodes once expanded "
            "(a 'billion laughs' bomb?)",
            f"别名展开后至多增加 {MAX_ALIAS_NODES:,} 个节点",
            f"aliases adding at most {MAX_ALIAS_NODES:,} nodes")
    limit = expanded_limit()
    if chars[id(root)] > limit:
        raise YamlBoundError(
            f"别名（&锚点/*引用）展开后文字达 {chars[id(root)]:,} 个字符，超过上限 {limit:,}",
            f"aliases (&anchor/*alias) expand the text to {chars[id(root)]:,} characters, "
            f"over the limit of {limit:,}",
            f"展开后至多 {limit:,} 个字符（与文件大小上限 KPA_MAX_INPUT_MB 相同）",
            f"at most {limit:,} characters expanded (the file size bound, KPA_MAX_INPUT_MB)")


def expanded_limit() -> int:
    """Characters a document's scalars may hold once its aliases are expanded.

    Why the file bound: a record is written back (params, notebooks, HTML) expanded, so an
    aliased file may not hold more than an alias-free file could. 99 aliases of one 1 MB
    reason were accepted and rendered a 149 MB report and a 105 MB params file, which kpa then
    refused to read (issue #24).
    """
    return input_limit()


class _Unusual(Exception):
    """A tag the one-walk builder leaves to PyYAML's constructor (sets, merges, local tags…)."""


def build_tree(loader: Any, root: Node) -> Any:
    """Check the bounds and build the value of an alias-free document in one iterative walk.

    PyYAML's constructor spends most of a record's load in Python bookkeeping per node
    (generators, memo dictionaries); a record needs plain mappings, lists and scalars, so this
    builds those directly, and each scalar that is not a string through PyYAML's own scalar
    constructor (same ints, floats, booleans, nulls, dates). Anything else raises ``_Unusual``
    and the caller takes PyYAML's path. ``tests/test_yaml_bounds.py`` checks both agree.
    """
    construct = loader.yaml_constructors

    def scalar(node: ScalarNode) -> Any:
        tag = node.tag
        if tag == STR_TAG:
            return node.value
        if tag not in PLAIN_SCALAR_TAGS:
            raise _Unusual(tag)
        if tag == INT_TAG and len(node.value) > MAX_INT_CHARS:
            _check_scalar_and_keys(node)  # raises the located problem
        return construct[tag](loader, node)

    def container(node: Node) -> dict | list:
        if type(node) is MappingNode and node.tag == MAP_TAG:
            return {}
        if type(node) is SequenceNode and node.tag == SEQ_TAG:
            return []
        raise _Unusual(node.tag)

    if type(root) is ScalarNode:
        return scalar(root)
    top = container(root)
    stack: list[tuple[Node, Any, int]] = [(root, top, 1)]
    while stack:
        node, into, depth = stack.pop()
        if depth >= MAX_DEPTH and node.value:
            raise _too_deep(node.value[0][0].start_mark if type(into) is dict
                            else node.value[0].start_mark)
        if type(into) is list:
            for child in node.value:
                if type(child) is ScalarNode:
                    into.append(scalar(child))
                else:
                    made = container(child)
                    into.append(made)
                    stack.append((child, made, depth + 1))
            continue
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                _check_scalar_and_keys(node)  # raises the located problem
            key = scalar(key_node)
            if key in into:
                first = next(k for k, _ in node.value if scalar(k) == key)
                raise ConstructorError(
                    None, None, f"duplicated key {clip(repr(key))} "
                    f"(lines {first.start_mark.line + 1} and {key_node.start_mark.line + 1})",
                    key_node.start_mark)
            if type(value_node) is ScalarNode:
                into[key] = scalar(value_node)
            else:
                made = into[key] = container(value_node)
                stack.append((value_node, made, depth + 1))
    return top


def _loader(cls: type, text: str) -> Any:
    """A loader for ``text`` that knows which first characters its resolver table covers."""
    loader = cls(text)
    table = cls.yaml_implicit_resolvers  # type: ignore[attr-defined]
    loader._kpa_first = _Everything() if None in table else frozenset(table)
    return loader


def parse_yaml(text: str, where: str | None = None, *, pure: bool = False) -> Any:
    """Parse YAML text safely; syntax errors, duplicate keys and bounds become problems.

    ``pure=True`` uses the pure-Python loader even where libyaml is present (for the side-by-side
    benchmark and for tests that check both loaders keep the same bounds).
    """
    separators = text.count("\n") + text.count(",") + text.count(":")
    if separators > MAX_SEPARATORS:
        raise KpaInputError([Problem(
            f"文件结构过大（约 {separators:,} 个条目分隔符）", f"the file is too large in "
            f"structure (about {separators:,} line breaks, commas and colons)",
            allowed_zh=f"至多 {MAX_SEPARATORS:,} 个", allowed_en=f"at most {MAX_SEPARATORS:,}",
            where=where)])
    loader = _loader(UniqueKeyPySafeLoader if pure else UniqueKeySafeLoader, text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "&" not in text:  # no anchor, so no alias: a tree, built in one walk
            try:
                return build_tree(loader, node)
            except _Unusual:
                pass
        check_tree(node, aliases_possible="&" in text)
        return loader.construct_document(node)
    except YamlBoundError as exc:
        return _raise(Problem(exc.problem_zh, exc.problem_en, allowed_zh=exc.allowed_zh,
                              allowed_en=exc.allowed_en, where=where), exc)
    except ConstructorError as exc:
        if exc.problem and exc.problem.startswith("duplicated key"):
            return _raise(Problem("同一文件中键重复（后者会覆盖前者）",
                                  f"{exc.problem}: the later one would silently replace the first",
                                  allowed_zh="每个键只出现一次", allowed_en="each key once",
                                  where=where), exc)
        return _raise(Problem("YAML 格式错误", f"YAML error: {clip(exc)}", where=where), exc)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit (1000), before ours
            bound = _too_deep(None)
            return _raise(Problem(bound.problem_zh, bound.problem_en, allowed_zh=bound.allowed_zh,
                                  allowed_en=bound.allowed_en, where=where), exc)
        return _raise(Problem("YAML 格式错误", f"YAML syntax error: {clip(exc)}", where=where),
                      exc)
    finally:
        loader.dispose()


def _raise(problem: Problem, cause: Exception) -> Any:
    raise KpaInputError([problem]) from cause


def read_text_utf8(path: Path) -> str:
    """A text file's content; a file in another encoding (GBK…) is a clear input problem."""
    return decode_utf8(read_bytes_bounded(path), path)  # regular files, ≤ 5 MB unless configured


def read_text_hashed(path: Path) -> tuple[str, str]:
    """A text file's content and the sha256 of the very bytes decoded: one read, not two.

    Why: a report's footer and its params name each input by hash; hashing the file again
    after parsing it was a second read of every record (and a window for an edit between).
    """
    raw = read_bytes_bounded(path)
    return decode_utf8(raw, path), hashlib.sha256(raw).hexdigest()


def decode_utf8(raw: bytes, path: Path) -> str:
    """Bytes read from ``path`` as text; another encoding (GBK…) is a clear input problem."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KpaInputError([Problem(
            f"文件不是 UTF-8 编码（第 {exc.start} 字节起；可能保存成了 GBK），请另存为 UTF-8",
            f"the file is not UTF-8 (from byte {exc.start}; perhaps saved as GBK): "
            "save it as UTF-8",
            allowed_zh="UTF-8 编码的文本", allowed_en="UTF-8 text", where=str(path))]) from exc


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file: UTF-8 only, safe loader, no duplicate keys, bounded, located errors."""
    path = Path(path)
    return parse_yaml(read_text_utf8(path), where=str(path))


def read_yaml_hashed(path: str | Path, hashes: dict[str, str], key: str) -> Any:
    """``read_yaml``, noting the sha256 of the bytes under ``hashes[key]`` once they are read
    (so a file that is read but does not parse still has its hash)."""
    path = Path(path)
    text, hashes[key] = read_text_hashed(path)
    return parse_yaml(text, where=str(path))
