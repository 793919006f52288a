"""The assessment form: entry and what-if over one record, as a controller and a view.

``AssessmentController`` holds the working copy, validates, saves through the audit log and
answers what-if questions (``whatif``); ``view`` draws it with ipywidgets (the form, the what-if
panel, the switch prompt, the styles each in a module of its own); ``words`` its labels.

May import: the core (``errors``, ``text``, ``store``, ``rubric``, ``scoring``, ``audit``,
``year``, ``reproduce``, ``evidence``). No other face.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "AssessmentController": "controller",
    "assess_app": "view",
    "ENV_DATA": "controller",
    "ENV_PARAMS": "controller",
    "ENV_ROLE": "controller",
    "ENV_UNIT": "controller",
    "ENV_YEAR": "controller",
})
