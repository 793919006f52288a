"""The form's optional facts (issue #25): what some readings of the draft need to decide.

B01.meetings per semester, B16.judicial persons per case, B08.three_haves which 有 are
missing: optional fields of an entry (``rubric/readings`` ``facts:``), never required by the
released reading. A mixin of ``AssessmentController`` holding no state of its own: the facts
live in each mode's ``WorkingCopy.facts`` beside the value, so a scenario's never leak into the
record, and a save keeps them (before, a form save dropped facts a record already held).
Typed as the analyst would: ``1, 2`` for two semesters or two cases, ``plan, theme`` (or
有计划、有主题) for the missing haves; an empty box removes the fact.
"""

from __future__ import annotations

from typing import Any

from kpa_core.errors import Problem
from kpa_core.rubric.readings import fact_specs, parse_fact
from kpa_core.rubric.readings import fact_text as fact_text  # the form's words, re-exported


class EntryFacts:
    """Set and read the optional facts of a rule (needs the controller's copies)."""

    _copies: dict[str, Any]
    mode: str

    def fact_specs(self, rule_id: str) -> dict[str, dict[str, Any]]:
        return fact_specs(self.rubric.id, rule_id)  # type: ignore[attr-defined]

    def facts(self, rule_id: str) -> dict[str, Any]:
        """This copy's facts of a rule (field → value), only those given."""
        return self._copies[self.mode].facts.setdefault(rule_id, {})

    def set_fact(self, rule_id: str, name: str, text: str) -> list[Problem]:
        """Set (or with empty text, remove) one fact; returns the rule's problems now."""
        spec = self.fact_specs(rule_id).get(name)
        if spec is None:
            return [Problem("该规则没有此项补充事实", "the rule has no such fact",
                            rule_id=rule_id, field=name, value=text,
                            allowed_zh="、".join(self.fact_specs(rule_id)) or "（无）",
                            allowed_en=", ".join(self.fact_specs(rule_id)) or "(none)")]
        value = parse_fact(spec, text)
        if value is None:
            self.facts(rule_id).pop(name, None)
        else:
            self.facts(rule_id)[name] = value
        return self.rule_problems(rule_id)  # type: ignore[attr-defined]
