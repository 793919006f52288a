"""The controller's what-if questions: the other units' totals, the scenario, its comparison.

A mixin of ``AssessmentController``: these read the what-if working copy and the year, and
answer through ``entry.whatif``; saving a scenario stays in the controller, beside the other
save routes and their audit lines.
"""

from __future__ import annotations

import pandas as pd

from kpa_core.entry import whatif
from kpa_core.errors import KpaInputError
from kpa_core.scoring.record import Record
from kpa_core.year.data import load_year


class WhatifQueries:
    """Questions about the what-if copy; no file is written here."""

    def others(self) -> list[float]:
        """The other units' totals this year (loaded once; broken files are left out)."""
        if self._others is None:
            try:
                year = load_year(self.data_dir, self.year, role=self.role, strict=False,
                                 units=self.units)
                records = [r for r in year.records if r.rubric == self.rubric.id]
            except KpaInputError:
                records = []
            self._others = whatif.others_totals(records, self.unit.unit_id, rubric=self.rubric)
        return self._others

    def scenario_record(self) -> Record:
        """The what-if copy as a scenario: counted values; changed rules without a reason
        get one."""
        with self._using("whatif"):
            return self._scenario_record()

    def _scenario_record(self) -> Record:
        record = self.working_record()
        entries = {}
        for rid, entry in record.entries.items():
            entry = dict(entry)
            if not entry.get("reason") and self.rule_amount(rid):
                entry["reason"] = whatif.WHATIF_REASON
            entries[rid] = entry
        record.entries = entries
        return record

    def comparison(self) -> whatif.Comparison:
        return whatif.compare(self.baseline, self.scenario_record(), self.others(),
                              rubric=self.rubric)

    def single_changes(self) -> pd.DataFrame:
        return whatif.single_changes(self.scenario_record(), self.others(), rubric=self.rubric)
