"""The deferred IRI grammar: cheap import, unchanged behaviour (in a fresh interpreter)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

# conftest has already put kpa's stand-in under this name (find_spec would refuse it, having no
# __spec__); the probes below run in fresh interpreters.
INSTALLED = "rfc3987_syntax" in sys.modules or importlib.util.find_spec("rfc3987_syntax")
pytestmark = pytest.mark.skipif(not INSTALLED,
                                reason="rfc3987-syntax is not installed: nothing to defer")

PROBE = """
import sys
from kpa_core.cheap_imports import defer_iri_grammar
assert defer_iri_grammar() is True
import papermill, nbconvert, jsonschema
print("deferred", getattr(sys.modules["rfc3987_syntax"], "__kpa_shim__", False))
print("grammar built", "rfc3987_syntax.syntax_helpers" in sys.modules)
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
print("valid", checker.conforms("https://例子.测试/路径?q=1", "iri"))
print("invalid", checker.conforms("http://exa mple.com/<>", "iri"))
print("grammar built", "rfc3987_syntax.syntax_helpers" in sys.modules)
"""


def test_iri_checks_still_work_after_deferring():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["deferred True", "grammar built False", "valid True", "invalid False",
                   "grammar built True"]


def test_does_nothing_once_jsonschema_is_imported():
    code = ("import jsonschema\nfrom kpa_core.cheap_imports import defer_iri_grammar\n"
            "print(defer_iri_grammar())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
