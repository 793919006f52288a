"""How paper names an item: 第16项（重视并支持纪检监察工作）, never its code id.

Why here, in the rubric's room: the notice, the summary, the Word copies and the
rectification ledger (``kpa_core.rectify``) must all name an item in the same words, and the
ledger is core: it cannot reach into the report face for them.
"""

from __future__ import annotations

import re

from kpa_core.rubric.model import Rubric

PHRASE_END = re.compile(r"[，。；：！？,;:]")


def item_short(rubric: Rubric, item_id: str) -> str:
    """The item's first phrase, whole: the text up to its first comma or full stop."""
    text = rubric.items[item_id].zh.strip()
    head = PHRASE_END.split(text, maxsplit=1)[0].strip()
    return head or text


def item_number(rubric: Rubric, item_id: str) -> str:
    """第16项 alone (compact lists); special items as 特色指标第1项."""
    item = rubric.items[item_id]
    part = rubric.areas[item.area_id].part
    return f"第{item.number}项" if part == "basic" else f"特色指标第{item.number}项"


def item_name(rubric: Rubric, item_id: str) -> str:
    """第16项（重视并支持纪检监察工作）; special items by their number too (特色第1项)."""
    return f"{item_number(rubric, item_id)}（{item_short(rubric, item_id)}）"
