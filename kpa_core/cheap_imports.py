"""Cheap imports of papermill and nbconvert: defer jsonschema's IRI grammar until it is used.

Why: with jupyterlab installed, ``rfc3987-syntax`` is present, and ``jsonschema._format``
imports it at import time to register the ``iri``/``iri-reference`` format checkers. Importing
``rfc3987_syntax`` builds a Lark parser for the whole RFC 3987 grammar: about 0.8 s of CPU in
*every* process that imports nbformat (so papermill and nbconvert), measured with
``python -X importtime -c "import papermill"`` on the 2-core build machine. Notebook validation
never checks an IRI format, so that work is pure waste for the report batch.

``defer_iri_grammar()`` puts a small stand-in module under the name ``rfc3987_syntax`` whose
``is_valid_syntax`` imports the real package on first call and delegates to it. Behaviour is
unchanged (an IRI check still uses the real grammar); only the cost moves to the first use,
which in kpa never comes. It must run before anything imports jsonschema; it does nothing if
jsonschema is already imported or the package is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

SHIM_NAME = "rfc3987_syntax"


def _load_real() -> types.ModuleType:
    shim = sys.modules.pop(SHIM_NAME, None)
    try:
        return importlib.import_module(SHIM_NAME)
    except BaseException:
        if shim is not None:
            sys.modules[SHIM_NAME] = shim
        raise


def _is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
    real = sys.modules.get(SHIM_NAME)
    if real is None or getattr(real, "__kpa_shim__", False):
        real = _load_real()
    return real.is_valid_syntax(*args, **kwargs)


def defer_iri_grammar() -> bool:
    """Install the lazy stand-in; return True if it was installed now."""
    if "jsonschema" in sys.modules or SHIM_NAME in sys.modules:
        return False
    if importlib.util.find_spec(SHIM_NAME) is None:
        return False
    shim = types.ModuleType(SHIM_NAME, "kpa: lazy stand-in, see kpa_core.cheap_imports")
    shim.__kpa_shim__ = True  # type: ignore[attr-defined]
    shim.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[SHIM_NAME] = shim
    return True
