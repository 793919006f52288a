"""YAML bounds: alias bombs, deep nesting, huge integers and collection keys are refused cleanly.

Each hostile file must end as exit 2 with a bilingual problem naming the file, never as a hang,
a MemoryError or a traceback (RecursionError, ValueError, TypeError), with both the libyaml and
the pure-Python loader. The elapsed-time guards are hang guards, not benchmarks: a bomb that got
through would take minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.store import yaml_io
from kpa_core.store.yaml_io import MAX_ALIAS_NODES, MAX_DEPTH, parse_yaml
from kpa_core.year.data import load_year

REPO = Path(__file__).resolve().parent.parent
LOADERS = [pytest.param(False, id="libyaml"), pytest.param(True, id="pure")]
if not yaml_io.LIBYAML:  # pragma: no cover
    LOADERS = LOADERS[1:]


def laughs(levels: int = 9) -> str:
    """The billion-laughs anchors: 9 levels of 9 aliases each, ~3.9·10⁸ strings once expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines)


def bomb_value(levels: int = 9) -> str:
    """A flow value that expands to 9**levels strings (anchors defined inline)."""
    value = '&b0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
    for i in range(1, levels):
        value = f"[{value}, " + ", ".join([f"*b{i - 1}"] * 8) + "]"
        value = f"&b{i} {value}"
    return value


def problem_of(text: str, pure: bool) -> str:
    start = time.perf_counter()
    with pytest.raises(KpaInputError) as err:
        parse_yaml(text, where="hostile.yaml", pure=pure)
    assert time.perf_counter() - start < 5  # hang guard
    (problem,) = err.value.problems
    assert problem.where == "hostile.yaml"
    return str(problem)


@pytest.mark.parametrize("pure", LOADERS)
def test_billion_laughs_is_refused_before_expansion(pure: bool) -> None:
    text = problem_of(laughs(), pure)
    # l8 alone expands to 9**9 = 387,420,489 strings; the whole document to 436,005,027 nodes
    # more than its 91 distinct ones (sum over levels of 9**(i+1) + 9**i + … counted by hand
    # in check_tree's terms: every alias adds its target's expanded size minus the one node).
    assert "billion laughs" in text and "十亿笑声" in text
    assert f"{MAX_ALIAS_NODES:,}" in text


@pytest.mark.parametrize("pure", LOADERS)
def test_alias_expansion_count_is_exact_on_a_small_case(pure: bool) -> None:
    # a: 3 nodes (list + 2 scalars); b: list of 4 aliases → expanded 1 + 4·3 = 13 nodes.
    # The document: root 1 + keys 2 + a 3 + b 13 = 19 expanded, distinct 1 + 2 + 3 + 1 = 7.
    data = parse_yaml("a: &a [1, 2]\nb: [*a, *a, *a, *a]\n", pure=pure)
    assert data == {"a": [1, 2], "b": [[1, 2]] * 4}
    tree = yaml_io.UniqueKeySafeLoader("a: &a [1, 2]\nb: [*a, *a, *a, *a]\n").get_single_node()
    old = yaml_io.MAX_ALIAS_NODES
    try:
        yaml_io.MAX_ALIAS_NODES = 12  # 19 - 7 = 12 added: allowed
        yaml_io.check_tree(tree)
        yaml_io.MAX_ALIAS_NODES = 11  # one fewer: refused, naming 12
        with pytest.raises(yaml_io.YamlBoundError, match="add 12 nodes"):
            yaml_io.check_tree(tree)
    finally:
        yaml_io.MAX_ALIAS_NODES = old


@pytest.mark.parametrize("pure", LOADERS)
def test_a_few_aliases_and_merge_keys_still_read(pure: bool) -> None:
    text = "base: &b {x: 1, y: 2}\nd: {<<: *b, y: 3}\nlist: &l [a, b]\nagain: *l\n"
    assert parse_yaml(text, pure=pure) == {
        "base": {"x": 1, "y": 2}, "d": {"x": 1, "y": 3}, "list": ["a", "b"], "again": ["a", "b"]}


@pytest.mark.parametrize("pure", LOADERS)
def test_a_recursive_alias_is_refused(pure: bool) -> None:
    assert "cycle" in problem_of("a: &a [1, *a]\n", pure)


@pytest.mark.parametrize("pure", LOADERS)
@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,  # beyond libyaml's own 1000
    "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "note: 'A & B'\nx: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # the alias-aware walk
    "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 2)) + "  " * (MAX_DEPTH + 2) + "v\n",
], ids=["5000-flow", "65-flow", "65-flow-with-&", "66-block"])
def test_deep_nesting_is_a_problem_not_a_recursion_error(pure: bool, text: str) -> None:
    assert f"nested more than {MAX_DEPTH} levels" in problem_of(text, pure)


@pytest.mark.parametrize("pure", LOADERS)
def test_nesting_at_the_limit_reads(pure: bool) -> None:
    text = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)  # 63 lists + the scalar = 64
    value = parse_yaml(text, pure=pure)
    for _ in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == 1


@pytest.mark.parametrize("pure", LOADERS)
def test_a_5001_digit_integer_is_a_problem_echoing_little(pure: bool) -> None:
    text = problem_of("count: " + "7" * 5001 + "\n", pure)
    assert "integer too long (5001 characters)" in text and "整数过长" in text
    assert text.count("7") < 100  # the value is clipped, not echoed
    assert parse_yaml("count: " + "7" * 100, pure=pure) == {"count": int("7" * 100)}


@pytest.mark.parametrize("pure", LOADERS)
@pytest.mark.parametrize(("text", "kind"), [
    ("? [a, b]\n: 1\n", "list"), ("{a: 1}: 2\n", "mapping"), ("k: &k [1]\n*k : 2\n", "list")])
def test_a_collection_as_a_key_is_a_problem(pure: bool, text: str, kind: str) -> None:
    assert f"a {kind} cannot be a key" in problem_of(text, pure)


@pytest.mark.parametrize("pure", LOADERS)
def test_duplicate_keys_are_still_refused_and_long_keys_clipped(pure: bool) -> None:
    assert "duplicated key 'a' (lines 1 and 3)" in problem_of("a: 1\nb: 2\na: 3\n", pure)
    text = problem_of(("k" * 5000 + ": 1\n") * 2, pure)
    assert len(text) < 700 and text.count("k") < 260


def test_both_loaders_read_every_shipped_file_the_same() -> None:
    files = [*REPO.glob("data/**/*.yaml"), *REPO.glob("params/**/*.yaml"),
             *REPO.glob("kpa_core/rubrics/*.yaml"), *REPO.glob("kpa_core/templates/*.yaml")]
    assert len(files) > 60
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text, pure=False) == parse_yaml(text, pure=True), path


RECORD = (REPO / "data" / "2013" / "petroleum.yaml").read_text(encoding="utf-8")


def with_bomb(text: str, where: str) -> str:
    """The record ``text`` with a bomb as a top-level value, an option, an entry or a reason."""
    bomb = bomb_value()
    if where == "top":
        return text.replace("\nunit: ", f"\nunit: {bomb}\nunit_was: ", 1)
    if where == "option":
        return text + f"options: {{cap_scope: {bomb}}}\n"
    if where == "entry":
        return text.replace("\nentries:\n", f"\nentries:\n  B03.bomb: {bomb}\n", 1)
    assert "    reason: 廉政教育文章被学院网站采用\n" in text
    return text.replace("    reason: 廉政教育文章被学院网站采用\n", f"    reason: {bomb}\n", 1)


@pytest.mark.parametrize("where", ["top", "option", "entry", "reason"])
def test_a_bomb_under_any_key_of_a_record_exits_2(tmp_path, capsys, where: str) -> None:
    path = tmp_path / "petroleum.yaml"
    path.write_text(with_bomb(RECORD, where), encoding="utf-8")
    start = time.perf_counter()
    assert main(["score", str(path)]) == 2
    assert time.perf_counter() - start < 5  # hang guard
    err = capsys.readouterr().err
    assert "billion laughs" in err and str(path) in err and "Traceback" not in err
    assert len(err) < 1000


def test_a_bomb_record_in_a_year_is_that_units_problem(tmp_path) -> None:
    data = tmp_path / "data"
    (data / "2013").mkdir(parents=True)
    (data / "units.csv").write_bytes((REPO / "data" / "units.csv").read_bytes())
    for name in ("petroleum", "arts"):
        src = (REPO / "data" / "2013" / f"{name}.yaml").read_text(encoding="utf-8")
        (data / "2013" / f"{name}.yaml").write_text(src, encoding="utf-8")
    (data / "2013" / "arts.yaml").write_text(with_bomb(src, "entry"), encoding="utf-8")
    year = load_year(data, 2013, strict=False)
    assert [r.unit_id for r in year.records] == ["petroleum"]
    assert "billion laughs" in str(year.problems["arts"][0])


def test_a_bomb_in_params_or_bands_exits_2(tmp_path, capsys) -> None:
    params = (REPO / "params" / "2013" / "petroleum.yaml").read_text(encoding="utf-8")
    bad_params = tmp_path / "petroleum.yaml"
    bad_params.write_text(laughs() + "\n" + params, encoding="utf-8")
    assert main(["reproduce", str(bad_params)]) == 2
    assert "billion laughs" in capsys.readouterr().err
    bands = (REPO / "kpa_core" / "templates" / "grade-bands.example.yaml").read_text("utf-8")
    bad_bands = tmp_path / "bands.yaml"
    bad_bands.write_text(laughs() + "\n" + bands, encoding="utf-8")
    assert main(["grade", "--year", "2013", "--data", str(REPO / "data"),
                 "--bands", str(bad_bands)]) == 2
    err = capsys.readouterr().err
    assert "billion laughs" in err and str(bad_bands) in err


ODD_YAML = [
    "a: 1\nb: -0x1A\nc: 0o17\nd: 1_000\ne: +12\nf: 190:20:30\n",
    "a: 1.5\nb: .inf\nc: -.Inf\nd: 6.8523015e+5\ne: 1e3\nf: 0.\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: ~\ng: null\nh:\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: !!binary aGVsbG8=\n",
    "a: '1'\nb: \"x\\ty\"\nc: |\n  two\n  lines\nd: >\n  folded\n  text\n",
    "? !!set {a, b}\n: 1\n",  # a set as a key: refused either way
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
    "m: {<<: {x: 1, y: 2}, y: 3}\n",
    "1: a\n1.5: b\nfalse: c\n~: d\n2002-12-14: e\n",
    "- [1, [2, [3, {k: [4]}]]]\n- {}\n- []\n- ''\n",
    "!!str 12: !!int '7'\nx: !!float '3'\n",
    "x: !local 1\n",
    "42\n",
    "",
    "--- |\n  just text\n",
]


@pytest.mark.parametrize("text", ODD_YAML)
@pytest.mark.parametrize("pure", LOADERS)
def test_the_one_walk_builder_agrees_with_pyyaml(text: str, pure: bool) -> None:
    import yaml

    try:
        expected: object = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    except (yaml.YAMLError, TypeError) as exc:
        expected = type(exc)
    try:
        got: object = parse_yaml(text, pure=pure)
    except KpaInputError:
        got = "refused"
    if isinstance(expected, type):  # PyYAML fails on it (unhashable key, unknown tag)
        assert got == "refused"
    else:
        assert got == expected and repr(got) == repr(expected)
