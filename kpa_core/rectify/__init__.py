"""Rectification followed to the end (整改台账): each 整改要求 of a published notice, to closure.

Publishing a year opens its ledger (``open_after_publish``): every 整改要求 of every notice
becomes an item with a deadline (kpa.toml ``[rectify]``, default one month after the
publication's Beijing date). A unit reports (``report_item``), the office checks
(``check_item``: 通过 closes the item, 不通过 returns it to 整改中). Every step is a line of the
year's audit chain (``kpa_core.audit.rectify_chain`` replays and verifies them), so the ledger
is sealed and verified with the records. Next year's documents read the ledger back
(``previous_year``, ``repeated_rules``).

May import: ``errors``, ``cheap_imports``, ``text``, ``store``, ``rubric``, ``scoring``,
``evidence``, ``audit``.
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "Requirement": "requirements",
    "requirement_items": "requirements",
    "deductions_of": "requirements",
    "ledger_of": "ledger",
    "ledger_in_view": "ledger",
    "ensure_opened": "ledger",
    "open_after_publish": "ledger",
    "publish_and_open": "ledger",
    "report_item": "actions",
    "check_item": "actions",
    "previous_year": "carry",
    "repeated_rules": "carry",
})
