"""Readings of a whole year: statistics, the overview page, sensitivity, the explore app.

``year_views``/``write_overview`` make the year's overview (also written by the report batch);
``year_sensitivity`` rescores under each reading of the draft; ``explore_app`` is the notebook face.

May import: the core (``errors``, ``text``, ``store``, ``rubric``, ``scoring``, ``year``).
No other face.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "year_views": "overview",
    "write_overview": "overview",
    "write_overview_for_batch": "overview",
    "year_sensitivity": "sensitivity:sensitivity",
    "sensitivity_lines": "sensitivity:summary_lines",
    "sensitivity_chart_text": "sensitivity:text_chart",
    "sensitivity_listing": "sensitivity:listing_lines",
    "linked_reports": "overview",
    "ENV_REPORTS_DIR": "explore",
    "ENV_REPORTS_URL": "explore",
    "write_sensitivity_page": "pages",
    "explore_app": "explore",
    "ExploreView": "explore",
})
