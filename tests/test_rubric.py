"""The rubric is data: every number of RUBRIC.md is there, and inconsistent data is refused."""

from __future__ import annotations

import copy

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.rubric import available_rubrics, build_rubric, load_rubric

RUBRIC = load_rubric("kvtc-2013-draft")


def test_structure_matches_the_document() -> None:
    points = {a.id: a.points for a in RUBRIC.areas.values()}
    assert points == {
        "A1": 20,
        "A2": 10,
        "A3": 70,
        "A3.edu": 20,
        "A3.sys": 15,
        "A3.sup": 15,
        "A3.pun": 20,
        "S": 10,
    }
    assert [i.number for i in RUBRIC.basic_items] == [
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
    ]
    assert "B06" not in RUBRIC.items  # the document jumps from 5 to 7
    assert sum(i.points for i in RUBRIC.basic_items) == 100
    assert {i.id: i.points for i in RUBRIC.special_items} == {"S1": 5, "S2": 5}
    assert len(RUBRIC.rules) == 39


def test_rule_numbers_match_rubric_md() -> None:
    r = RUBRIC.rules
    assert r["B01.docs"].params == {"amount": 2, "max_count": 3}
    assert r["B01.meetings"].params == {"required": 4, "amount": 1, "max_deduction": 2}
    assert r["B04.measures"].params == {"lo": 3, "hi": 5}
    assert r["B16.judicial"].params == {"lo": 4, "hi": 5}
    assert r["B17.reflections"].params == {"amount": 1, "numerator": 1, "denominator": 3}
    levels = {lv["id"]: lv["points"] for lv in r["S1.honours"].params["levels"]}
    assert levels == {"national": 5, "region": 3, "city": 2}


def test_every_label_is_bilingual_and_chinese_text_comes_from_the_source() -> None:
    from pathlib import Path

    source = Path(__file__).parents[2] / "shared" / "seed" / "assessment-rules-2013-draft.zh.txt"
    text = source.read_text(encoding="utf-8") if source.exists() else None
    for obj in [*RUBRIC.areas.values(), *RUBRIC.items.values(), *RUBRIC.rules.values()]:
        assert obj.zh.strip() and obj.en.strip(), obj.id
        if text is not None and hasattr(obj, "kind"):
            # each rule's Chinese clause is verbatim from the document (modulo spacing)
            assert obj.zh.replace(" ", "") in text.replace(" ", ""), obj.id


def test_sha256_is_a_content_hash() -> None:
    data = copy.deepcopy(RUBRIC.raw)
    assert build_rubric(data).sha256 == RUBRIC.sha256
    data["items"][0]["rules"][0]["amount"] = 3
    assert build_rubric(data).sha256 != RUBRIC.sha256


def test_inconsistent_points_are_all_reported() -> None:
    data = copy.deepcopy(RUBRIC.raw)
    data["items"][0]["points"] = 6  # B01: A1 no longer adds up to 20
    data["items"][1]["rules"][0]["kind"] = "bogus"
    del data["items"][2]["rules"][0]["hi"]
    with pytest.raises(KpaInputError) as exc:
        build_rubric(data)
    messages = str(exc.value)
    assert "A1" in messages and "points do not add up" in messages
    assert "B02.system" in messages and "unknown rule kind" in messages
    assert "B03.activity" in messages and "lacks parameters" in messages


def test_unknown_rubric_names_the_known_ones() -> None:
    with pytest.raises(KpaInputError) as exc:
        load_rubric("kvtc-1999")
    assert "kvtc-1999" in str(exc.value)
    assert "kvtc-2013-draft" in str(exc.value)
    assert available_rubrics() == ["kvtc-2013-draft"]
