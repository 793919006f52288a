"""Scores from a record: parse and check it, apply the rubric, grade, compare, order.

``parse_record``/``load_record`` check an entry file and list every problem at once;
``score_record``/``score_year`` apply the rubric, with Notes 1 and 2 (the caps) in ``score``
only; ``grading`` gives the grade and any veto; ``compare`` sets a self-assessment against the
assessors'; ``revision`` rescores a year under a revised rubric.

May import: ``errors``, ``text``, ``store``, ``rubric``, ``evidence`` (the citation format).
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "Record": "record",
    "parse_record": "record",
    "load_record": "record",
    "ScoreCard": "score",
    "score_record": "score",
    "score_year": "score",
    "grade_card": "grading",
    "load_bands": "grading",
    "compare_records": "compare",
    "rescore": "revision",
})
