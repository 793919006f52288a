"""Split mutmut's verdicts for one module into code-changing and text-only mutants.

Usage: python scripts/mutation_classify.py MUTANTS_FILE RESULTS_FILE OUT_PREFIX

MUTANTS_FILE is mutmut's rewritten module (mutants/kpa_core/<module>.py), which holds every
mutant as a function ``x_<name>__mutmut_<n>`` beside the original ``x_<name>__mutmut_orig``;
RESULTS_FILE is ``mutmut results --all true`` for that module. A mutant is *text-only* when its
function equals the original once every string constant is blanked: it changes a message, a
table header or a label, never a number, a branch or a call. The script prints one Markdown
row (all mutants, then code-changing ones only) and writes OUT_PREFIX.code-survivors.txt and
OUT_PREFIX.text-survivors.txt.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

VERDICT = re.compile(r"^\s*(\S+): (.+)$")


class _BlankStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value=""), node)
        return node


def _shape(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function's arguments and body with every string blanked (its name left out)."""
    clone = _BlankStrings().visit(ast.parse(ast.unparse(fn)).body[0])
    return ast.dump(clone.args) + ast.dump(ast.Module(body=clone.body, type_ignores=[]))


def functions(path: Path) -> dict[str, str]:
    """Every mutant and original function of the rewritten module, by name, as its shape."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name:
            found[node.name] = _shape(node)
    return found


def main(mutants_file: str, results_file: str, out_prefix: str) -> None:
    shapes = functions(Path(mutants_file))
    rows = []
    for line in Path(results_file).read_text(encoding="utf-8").splitlines():
        m = VERDICT.match(line)
        if not m:
            continue
        name, verdict = m.groups()
        short = name.rsplit(".", 1)[-1]  # x_fn__mutmut_3 or xǁClassǁmethod__mutmut_3
        orig = short.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
        text_only = short in shapes and orig in shapes and shapes[short] == shapes[orig]
        rows.append((name, verdict, text_only))

    def score(selected: list[tuple[str, str, bool]]) -> str:
        detected = sum(v in ("killed", "timeout") for _, v, _ in selected)
        return f"{detected}/{len(selected)} = {100 * detected / len(selected):.0f}%" if selected \
            else "-"

    code = [r for r in rows if not r[2]]
    Path(f"{out_prefix}.code-survivors.txt").write_text(
        "".join(f"{n}: {v}\n" for n, v, t in code if v not in ("killed", "timeout")),
        encoding="utf-8")
    Path(f"{out_prefix}.text-survivors.txt").write_text(
        "".join(f"{n}: {v}\n" for n, v, t in rows if t and v not in ("killed", "timeout")),
        encoding="utf-8")
    print(f"{score(rows)} | {score(code)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
