"""The rubric as data: its areas, items and rules; the rule kinds; the draft's readings.

``load_rubric(id)`` reads ``kpa_core/rubrics/<id>.yaml`` (data, never code) and checks it;
``rules`` holds one class per rule kind (how a value is checked and what it is worth);
``readings`` the documented choices for the draft's open questions.

May import: ``kpa_core.errors``, ``kpa_core.text``, ``kpa_core.store``.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "load_rubric": "model",
    "Rubric": "model",
    "Rule": "model",
    "DEFAULT_RUBRIC_ID": "model",
    "available_rubrics": "model",
    "kind_of": "rules",
    "load_readings": "readings",
})
