"""Writing YAML that people also edit: keep their comments, key order and number spelling.

Records, units and params are shared for years and edited by hand. Rewriting one from plain
data (PyYAML's dump) would drop every comment and turn ``5.0`` into ``5``, so an unchanged
export → import would rewrite every file and ``reproduce`` would report changes that are not
there. Here a write merges the new data into the file's existing round-trip tree
(ruamel.yaml): a value that is equal keeps its old node (spelling, quotes, flow style and
comments), a changed value is replaced, a new key is placed after its predecessor, a removed
key goes. When nothing changed, the old text is returned byte for byte.

Reading stays with the safe loader of ``kpa_core.store.yaml_io``; this module only writes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kpa_core.store.yaml_io import LIBYAML, parse_yaml

WIDTH = 120


def _yaml() -> Any:
    from ruamel.yaml import YAML  # imported on first write: not needed to score or read

    y = YAML(typ="rt")
    y.allow_unicode = True
    y.width = WIDTH
    y.preserve_quotes = True
    y.default_flow_style = None  # like PyYAML: collections of scalars inline, others in blocks
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def same(a: Any, b: Any) -> bool:
    """Equal as data: 5 == 5.0, but True is not 1 and '5' is not 5."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):  # key order is layout, not data
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    return type(a) is type(b) and a == b


def _fresh(value: Any) -> Any:
    """Plain data as ruamel nodes: mappings and lists of scalars inline, as PyYAML writes them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap((k, _fresh(v)) for k, v in value.items())
        if all(not isinstance(v, dict | list) for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list | tuple):
        node = CommentedSeq(_fresh(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            node.fa.set_flow_style()
        return node
    return value


def merge(old: Any, new: Any) -> Any:
    """``new`` expressed by reusing ``old``'s nodes wherever the data is the same."""
    from ruamel.yaml.comments import CommentedMap

    if same(old, new) and type(old) is not CommentedMap:
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        previous = None
        for key, value in new.items():
            if key in old:
                old[key] = merge(old[key], value)
            else:
                position = 0 if previous is None else list(old).index(previous) + 1
                old.insert(position, key, _fresh(value))
            previous = key
        return old
    if isinstance(old, list) and isinstance(new, list) and hasattr(old, "fa"):
        node = _fresh(new)
        if old.fa.flow_style():
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    return _fresh(new)


def dump_text(data: Any) -> str:
    """A new file's text (no old layout to keep): as kpa has always written them.

    PyYAML, Chinese kept readable, key order as given, scalar collections inline. With
    libyaml's emitter where PyYAML has it: a batch writes one params file per unit, and the
    pure-Python emitter was the parent's largest cost at 300 units (issue #26, ~30 ms a file
    against ~7 ms); both write the same text for kpa's files (checked on every sample record
    and params file, and pinned in a test).
    """
    import yaml

    dumper = yaml.CSafeDumper if LIBYAML else yaml.SafeDumper
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=WIDTH)


def updated_text(old_text: str | None, data: Any) -> str:
    """The text to write so that the file holds ``data``, keeping ``old_text``'s layout.

    Equal data gives ``old_text`` back unchanged (so an unchanged save changes no byte).
    """
    if old_text is None:
        return dump_text(data)
    try:
        if same(parse_yaml(old_text), data):
            return old_text
    except Exception:  # noqa: BLE001 - an unreadable old file is simply replaced
        return dump_text(data)
    y = _yaml()
    try:
        tree = y.load(old_text)
    except Exception:  # noqa: BLE001 - ruamel stricter than the safe loader: start afresh
        return dump_text(data)
    if not isinstance(tree, dict) or not isinstance(data, dict):
        return dump_text(data)
    buf = io.StringIO()
    y.dump(merge(tree, data), buf)
    return buf.getvalue()


def read_old(path: str | Path | None) -> str | None:
    """A file's current text, or None when there is none to keep the layout of."""
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
