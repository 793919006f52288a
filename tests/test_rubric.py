"""The rubric is data: every number of RUBRIC.md is there, and inconsistent data is refused."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import available_rubrics, build_rubric, load_rubric

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


SOURCE_NAME = "assessment-rules-2013-draft.zh.txt"


def find_source() -> Path:
    """The verbatim Chinese source: ``$KPA_SEED_DIR``, else ``shared/seed/`` beside the clone
    (CI) or beside any folder above it (a worktree under /work/wt/). Missing is a failure: a
    check that silently checks nothing would let a rule's text drift from the document."""
    repo = Path(__file__).resolve().parents[1]
    candidates = [Path(os.environ["KPA_SEED_DIR"]) / SOURCE_NAME] if os.environ.get(
        "KPA_SEED_DIR") else []
    candidates += [parent / "shared" / "seed" / SOURCE_NAME for parent in repo.parents]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    pytest.fail(f"the rubric's source text {SOURCE_NAME} was not found; looked in: "
                + ", ".join(str(c) for c in candidates)
                + ". Put shared/seed/ beside the clone or set KPA_SEED_DIR.")


def test_the_source_text_is_found_and_is_the_2013_draft() -> None:
    text = find_source().read_text(encoding="utf-8")
    assert "落实党风廉政建设责任制考核细则" in text


def test_every_label_is_bilingual_and_chinese_text_comes_from_the_source() -> None:
    text = find_source().read_text(encoding="utf-8").replace(" ", "")
    rules = list(RUBRIC.rules.values())
    assert len(rules) == 39  # RUBRIC.md §2 lists 39 rules
    for obj in [*RUBRIC.areas.values(), *RUBRIC.items.values(), *rules]:
        assert obj.zh.strip() and obj.en.strip(), obj.id
    for rule in rules:
        # each rule's Chinese clause is verbatim from the document (modulo spacing)
        assert rule.zh.replace(" ", "") in text, rule.id


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
