"""The official-form pieces of the notice and summary: 文号, item names, veto, check code.

Why a module of its own: the notice (HTML), the summary (HTML, XLSX) and the Word copies
(``report.docx``) must say these things in the same words, and none of them may show a code
id (``B16.unreported``) on paper:

- **文号** from the workspace's pattern (``notice_number`` in kpa.toml, e.g.
  ``克职院纪〔{year}〕{seq}号``); ``seq`` is the unit's place in units.csv, an order that does
  not move when scores change, and the batch stores the number in the unit's params.
- **Item names** as the rubric names them: 第16项 and the item's first phrase, whole (cut
  only at the rubric's own punctuation, never inside a word).
- **Veto** (一票否决) in the bands file's own words (a condition's ``zh``), else in words
  built from the rubric: 一票否决：第16项下有扣分.
- **Verification code**: the rubric's and the record's sha256, shortened, so a printed page
  can be matched to its full provenance in the report's appendix.
"""

from __future__ import annotations

from typing import Any

from kpa_core.rubric.model import Rubric
from kpa_core.rubric.names import item_name as item_name  # re-exported: the faces' one name
from kpa_core.rubric.names import item_number
from kpa_core.rubric.names import item_short as item_short

VETO_PREFIX = "一票否决："


def notice_number(pattern: str | None, year: int, unit_id: str,
                  unit_ids: list[str]) -> str | None:
    """The unit's 文号: ``seq`` is its 1-based place in units.csv (None without a pattern)."""
    if not pattern or unit_id not in unit_ids:
        return None
    return pattern.format(year=year, seq=unit_ids.index(unit_id) + 1)


def _area_name(rubric: Rubric, area_id: str) -> str:
    return rubric.areas[area_id].zh if area_id in rubric.areas else area_id


def condition_words(cond: dict[str, Any], rubric: Rubric) -> str:
    """A veto condition in Chinese: the bands file's own ``zh``, else built from the rubric."""
    if cond.get("zh"):
        return str(cond["zh"])
    kind = cond.get("kind")
    if kind == "cases_under":
        target = str(cond.get("id", ""))
        if target in rubric.items:
            return f"{item_number(rubric, target)}下有扣分"
        if target in rubric.rules:
            rule = rubric.rules[target]
            item_id = target.split(".")[0]
            return f"{item_number(rubric, item_id)}“{rule.zh}”下有扣分"
        return f"{target}下有扣分"
    if kind == "area_at_zero":
        areas = cond.get("areas") or []
        return ("、".join(_area_name(rubric, a) for a in areas) or "某考核项目") + "得分为0"
    if kind == "area_below":
        return f"{_area_name(rubric, str(cond.get('area')))}得分低于{float(cond['score']):g}分"
    return str(kind)


def veto_statements(card: Any, bands: Any, rubric: Rubric) -> list[str]:
    """Each veto that fired for this card, as 一票否决：第16项下有扣分 (empty when none did)."""
    from kpa_core.scoring.grading import condition_holds

    if not bands.veto_grade:
        return []
    return [VETO_PREFIX + condition_words(c, rubric) for c in bands.veto
            if condition_holds(c, card)]


def verification_code(rubric_sha256: str, record_sha256: str) -> str:
    """Rubric and record hashes, 6 hex digits each, as 3 groups: 5F2A-C9B1-7E04."""
    raw = (rubric_sha256[:6] + record_sha256[:6]).upper() or "—"
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
