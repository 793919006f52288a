"""The record of every change: a hash-chained log per year, its check, the import journal,
and the year's process on top of it (people, states, publication, seal).

``save_with_audit`` writes a record and its audit line under the year's lock;
``verify_year`` checks the chain against the files; ``journal`` finishes or rolls back an Excel
import that was interrupted.

May import: ``errors``, ``text``, ``store``, ``evidence`` (its check of cited files; never a
record parser: the log hashes bytes).
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "save_with_audit": "log",
    "read_audit": "log",
    "year_lock": "log",
    "verify_year": "verify",
    "attest_year": "verify",
    "recover_import": "journal",
    "refuse_half_import": "journal",
    "year_process": "states",
    "refuse_if_locked": "states",
    "publish": "states",
    "verify_seal": "seal",
    "people_of": "people",
})
