"""The electronic evidence ledger (电子台账): the files behind each score, kept by sha256.

``store`` keeps each file once under its sha256 in ``data/<year>/evidence/`` with a small JSON
sidecar (original name, size, media type detected from the content, who added it and when,
the document's own date); ``citation`` is the record format (an entry's ``evidence_files``);
``verify`` checks that every cited file is there and unchanged; ``expected`` names the
deductions (and bonuses) that cite no file. ``media`` and ``names`` refuse what must never be
stored (an executable, an archive, a symlink, a name that is a path).

May import: ``errors``, ``text``, ``store``, ``rubric`` (``expected`` asks a rule's kind
whether an entry deducts). Never a face, never ``scoring`` (scoring imports ``citation``).
"""

from kpa_core import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "store_file": "store",
    "store_bytes": "store",
    "stored_files": "store",
    "StoredFile": "store",
    "EVIDENCE_FIELD": "citation",
    "check_citations": "citation",
    "cited_in": "citation",
    "check_cited": "verify",
    "missing_evidence": "expected",
    "load_settings": "settings",
})
