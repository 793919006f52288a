"""The house by role: kpa_core's imports run one way, with no circle (docs/ARCHITECTURE.md).

Every ``import`` of every module is read with ``ast`` (function-level imports too: a lazy
import is still an arrow), except those under ``if TYPE_CHECKING:``, which never run. A
subpackage's ``lazy_exports`` table counts as imports of the modules it names. The checks:

- no import cycle between modules;
- the core (``errors``, ``cheap_imports``, ``text``, ``store``, ``rubric``, ``scoring``,
  ``audit``, ``year``, ``reproduce``) imports no face, and each core room only the rooms
  below it;
- a face reaches a sibling face only through that face's public ``__init__`` and only where
  the table allows it (the report batch writes the analysis overview; the CLI runs every
  face);
- ``kpa_core/`` keeps at most 6 ``.py`` files at its top, and no module is over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kpa_core"

# Which rooms each room may import (besides itself and the package root's __version__).
CORE_BELOW = {
    "errors": set(),
    "cheap_imports": set(),
    "text": {"errors"},
    "store": {"errors", "text"},
    "rubric": {"errors", "text", "store"},
    "evidence": {"errors", "text", "store", "rubric"},
    "scoring": {"errors", "cheap_imports", "text", "store", "rubric", "evidence"},
    "audit": {"errors", "text", "store", "evidence"},
    "year": {"errors", "text", "store", "rubric", "scoring", "audit"},
    "rectify": {"errors", "cheap_imports", "text", "store", "rubric", "scoring", "evidence",
                "audit"},
    "reproduce": {"errors", "cheap_imports", "text", "store", "rubric", "scoring"},
}
CORE = set(CORE_BELOW)
FACES = {"analysis", "report", "entry", "excel", "cli"}
# face → sibling faces it may use, through their public __init__ only
FACE_USES = {"analysis": set(), "entry": set(), "excel": set(), "report": {"analysis"},
             "cli": FACES - {"cli"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or \
        (PACKAGE.parent / rel / "__init__.py").is_file()


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path) -> set[str]:
    """Every kpa_core module ``path`` imports (when it runs), by dotted name."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kpa_core")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("kpa_core"):
                continue
            for alias in node.names:  # `from pkg import module` imports the module
                sub = f"{source}.{alias.name}"
                found.add(sub if is_module(sub) else source)
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "lazy_exports"
              and len(node.args) == 2 and isinstance(node.args[1], ast.Dict)):
            for value in node.args[1].values:
                target = ast.literal_eval(value).partition(":")[0]
                found.add(target if target.startswith("kpa_core") else f"{package}.{target}")
    found.discard(me)
    return found


def import_graph() -> dict[str, set[str]]:
    graph = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}
    graph["kpa_core"] = set()  # the root's lazy public table runs only when a name is used
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first == last), or None; depth-first, colours."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def room_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "root"


def wrong_arrows(graph: dict[str, set[str]]) -> list[str]:
    """Each import that breaks the house's rules, as 'a → b: why'."""
    wrong = []
    for source, targets in sorted(graph.items()):
        src = room_of(source)
        for target in sorted(targets):
            dst = room_of(target)
            if dst in (src, "root"):
                continue
            if src in CORE:
                if dst not in CORE_BELOW[src]:
                    kind = "a face" if dst in FACES else "a room above it"
                    wrong.append(f"{source} → {target}: core room {src} imports {kind}")
            elif src in FACES and dst in FACES:
                if dst not in FACE_USES[src]:
                    wrong.append(f"{source} → {target}: face {src} uses face {dst}")
                elif target != f"kpa_core.{dst}":
                    wrong.append(f"{source} → {target}: past {dst}'s public __init__")
    return wrong


def test_kpa_core_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_arrows_run_down_and_faces_meet_only_at_public_names():
    assert wrong_arrows(import_graph()) == []


def test_the_graph_sees_lazy_and_package_imports():
    """The walk must see what it guards, or the two tests above could pass on an empty graph."""
    graph = import_graph()
    assert "kpa_core.store.layout" in graph["kpa_core.audit.log"]  # a function-level import
    assert "kpa_core.report.batch" in graph["kpa_core.report"]  # a lazy re-export
    assert "kpa_core.analysis" in graph["kpa_core.report.batch"]  # through the public name
    assert "kpa_core.entry.view" not in graph["kpa_core.entry.rule_control"]  # TYPE_CHECKING
    assert len(graph) > 60


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": set(), "c": {"c2"}, "c2": {"c"}}, ["c", "c2", "c"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, None),
])
def test_the_cycle_finder_finds_a_circle_added_by_hand(graph, cycle):
    assert find_cycle(graph) == cycle


def test_a_core_room_importing_a_face_or_a_room_above_is_named():
    graph = {"kpa_core.scoring.score": {"kpa_core.report.charts", "kpa_core.year.data"},
             "kpa_core.entry.view": {"kpa_core.excel.template"},
             "kpa_core.report.batch": {"kpa_core.analysis.overview"},
             "kpa_core.cli.program": {"kpa_core.report"}}
    assert wrong_arrows(graph) == [
        "kpa_core.entry.view → kpa_core.excel.template: face entry uses face excel",
        "kpa_core.report.batch → kpa_core.analysis.overview: past analysis's public __init__",
        "kpa_core.scoring.score → kpa_core.report.charts: core room scoring imports a face",
        "kpa_core.scoring.score → kpa_core.year.data: core room scoring imports a room above it",
    ]


def test_the_top_floor_is_small_and_no_room_is_over_600_lines():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_every_room_says_what_it_is_for_and_what_it_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc.lower() and len(doc.splitlines()) >= 3, init
