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

