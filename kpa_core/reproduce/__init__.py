"""Saved parameters, and a past assessment rescored from them years later.

``make_params``/``write_params`` record everything a rerun needs (the record, the rubric's
hash and numbers, the scores); ``reproduce_file`` rescores a params file and names each
difference rule by rule.

May import: ``errors``, ``text``, ``store``, ``rubric``, ``scoring``.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "make_params": "params",
    "write_params": "params",
    "read_params": "params",
    "reproduce_file": "replay",
    "reproduce_params": "replay",
    "Reproduction": "replay",
})
