"""The form's evidence citations: which store files each rule's entry cites.

A mixin of ``AssessmentController`` (it keeps the controller under the house's size), holding
no state of its own: the lists live in each mode's ``WorkingCopy.files``, so a what-if
scenario's citations never leak into the record, and ``save`` writes them through the one
save-and-audit path like any other field.
"""

from __future__ import annotations

from typing import Any

from kpa_core.errors import Problem


class EvidenceCitations:
    """Cite, list and drop evidence files per rule (needs the controller's copies)."""

    _copies: dict[str, Any]
    mode: str

    def evidence_files(self, rule_id: str) -> list[dict[str, Any]]:
        """The store files this copy's entry cites (``evidence_files``), in order."""
        return self._copies[self.mode].files.setdefault(rule_id, [])

    def cite_evidence(self, rule_id: str, stored: Any, page: Any = None,
                      note: str | None = None) -> list[Problem]:
        """Cite a file already in the store (``evidence.store_*`` returned it) for a rule.

        Citing the same file again for the same rule changes nothing. The file is stored
        before it is cited, so no citation can name a file the store does not hold.
        """
        self.rule(rule_id)  # type: ignore[attr-defined]
        files = self.evidence_files(rule_id)
        if not any(f.get("sha256") == stored.sha256 for f in files):
            item: dict[str, Any] = {"sha256": stored.sha256, "name": stored.name}
            if page not in (None, ""):
                item["page"] = page
            if note:
                item["note"] = note
            files.append(item)
        return self.rule_problems(rule_id)  # type: ignore[attr-defined]

    def uncite_evidence(self, rule_id: str, sha256: str) -> list[Problem]:
        """Drop one citation (the stored file stays: others may cite it; files never go)."""
        files = self.evidence_files(rule_id)
        files[:] = [f for f in files if f.get("sha256") != sha256]
        return self.rule_problems(rule_id)  # type: ignore[attr-defined]


    def upload_evidence(self, rule_id: str, uploads: Any, who: str) -> list[Any]:
        """Store a FileUpload's files and cite them for ``rule_id``; return what was stored.

        ``uploads`` is the widget's value (ipywidgets 8: dicts with ``name`` and ``content``).
        The bytes go to the evidence store, never into the notebook: the view clears the
        widget right after (ipywidgets #2799: an upload's value is saved with the notebook).
        Every file is checked before any is cited: one refused file cites none of them.
        """
        from kpa_core.evidence.store import store_uploads

        self.rule(rule_id)  # type: ignore[attr-defined]
        stored = store_uploads(self.data_dir, self.year, uploads, who=who,  # type: ignore[attr-defined]
                               unit=self.unit.name_zh, rule_id=rule_id)  # type: ignore[attr-defined]
        for s in stored:
            self.cite_evidence(rule_id, s)
        return stored
