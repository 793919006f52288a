"""Readings of the draft's open questions (data beside the pinned rubric) and the sensitivity
of the sample year to them. Every amount below is worked out by hand from the clause."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from kpa_core.analysis.sensitivity import reading_variants, sensitivity
from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.rubric.model import RUBRIC_DIR, load_rubric
from kpa_core.rubric.readings import apply_readings, default_choices, load_readings
from kpa_core.scoring.record import parse_record
from kpa_core.scoring.score import score_record, score_year
from kpa_core.year.data import load_year

REPO = Path(__file__).parents[1]
RUBRIC = load_rubric("kvtc-2013-draft")
RELEASED_FILE_SHA256 = hashlib.sha256(
    (RUBRIC_DIR / "kvtc-2013-draft.yaml").read_bytes()).hexdigest()


def rec(entries: dict, uid: str = "u"):
    return parse_record({"rubric": "kvtc-2013-draft", "year": 2013, "unit": f"单位{uid}",
                         "unit_id": uid, "entries": {k: {**v, "reason": "原因"}
                                                     for k, v in entries.items()}})


def lost(rule: str, value: dict, **readings: str) -> float:
    card = score_record(rec({rule: value}), readings=readings)
    return card.rule_amounts[rule]


def test_every_value_of_every_option_builds_a_rubric_with_the_same_id() -> None:
    options = load_readings("kvtc-2013-draft")
    assert set(options) == {"cap_scope", "B01.meetings", "B03.activity", "B08.orphan",
                            "B12.training", "B17.threshold", "S1.honours", "B16.judicial",
                            "B02.system", "B08.three_haves", "B09.warning", "B01.docs",
                            "half_points", "B17.amount"}
    assert options["cap_scope"].allowed == ["subarea", "area"]  # as in the rubric's options
    assert options["cap_scope"].default == RUBRIC.option_default("cap_scope")
    for name, opt in options.items():
        for value in opt.values:
            derived, _ = apply_readings(RUBRIC, {name: value})
            assert derived.id == RUBRIC.id
            assert (derived.sha256 == RUBRIC.sha256) == (value == opt.default or
                                                         opt.engine == "cap_scope")
    assert apply_readings(RUBRIC, default_choices(RUBRIC.id))[0] is RUBRIC
    # the released file is untouched by all this (its content hash is pinned in test_params)
    assert hashlib.sha256((RUBRIC_DIR / "kvtc-2013-draft.yaml").read_bytes()).hexdigest() \
        == RELEASED_FILE_SHA256


def test_b01_meetings_readings() -> None:
    m = "B01.meetings"
    # per year (default): short of 4, −1 each, at most −2
    assert [lost(m, {"actual": a}) for a in (4, 3, 2, 1, 0)] == [0, 1, 2, 2, 2]
    # per semester: each semester with fewer than 2 meetings −1, at most −2 — from the
    # per-semester counts; without them the yearly reading's amount stays (never 0)
    per = {m: "per_semester"}
    assert [lost(m, {"semesters": s}, **per) for s in ([1, 1], [4, 0], [2, 2], [2, 1], [0, 0],
                                                       [3, 3])] == [2, 1, 0, 1, 2, 0]
    assert [lost(m, {"actual": a}, **per) for a in (4, 3, 2, 1, 0)] == [0, 1, 2, 2, 2]
    assert [lost(m, {"actual": a}, **{m: "all_or_nothing"}) for a in (4, 3, 0)] == [0, 2, 2]


def test_b03_b12_b17_readings() -> None:
    assert lost("B03.activity", {"points": 2.5}) == 2.5
    assert lost("B03.activity", {"points": 2.5}, **{"B03.activity": "earn_2_3"}) == 1
    assert lost("B03.activity", {"points": 0.5}, **{"B03.activity": "earn_2_3"}) == 0.5
    # a wholly missing 活动月, entered as 3, earns none of its 3 points: it costs 3
    assert lost("B03.activity", {"points": 3}, **{"B03.activity": "earn_2_3"}) == 3
    assert lost("B12.training", {"count": 2}) == 4
    assert lost("B12.training", {"count": 2}, **{"B12.training": "once"}) == 2
    assert lost("B12.training", {"count": 1}, **{"B12.training": "once"}) == 2
    third = {"sessions": [{"participants": 9, "reflections": 3},    # exactly 1/3
                          {"participants": 10, "reflections": 4}]}  # more than 1/3
    assert lost("B17.reflections", third) == 0
    assert lost("B17.reflections", third, **{"B17.threshold": "strict"}) == 1


def test_cap_scope_reading_and_the_year_path_agree_with_the_single_path() -> None:
    year = load_year(REPO / "data", 2013)
    choice = {"cap_scope": "area", "B17.threshold": "strict", "B03.activity": "earn_2_3"}
    table = score_year(year.records, readings=choice).table
    for r in year.records:
        assert score_record(r, readings=choice).total == table.at[r.unit_id, "total"]
    assert set(table["cap_scope"]) == {"area"}


def test_bad_choices_are_named_in_both_languages() -> None:
    with pytest.raises(KpaInputError) as exc:
        apply_readings(RUBRIC, {"B17.threshold": "loose", "nonsense": "x"})
    text = exc.value.render()
    assert "解读选项取值不合法" in text and "inclusive|strict" in text and "loose" in text
    assert "未知的解读选项" in text and "nonsense" in text


def test_sensitivity_on_the_sample_year() -> None:
    year = load_year(REPO / "data", 2013)
    frame = sensitivity(year.records).set_index("reading")
    area = frame.loc["cap_scope=area"]
    assert area["units_changed"] == 1 and area["changes"] == "logistics 59→57.5"
    assert area["max_change"] == -1.5 and not area["top3_changed"]
    # every non-default value of every option is listed, with its effect (zero included)
    singles = frame[frame["options"] == 1]
    # (cap_scope both ways: its default is an override too, for records that set area)
    assert len(singles) == sum(len(o.values) - (0 if o.engine else 1)
                               for o in load_readings(RUBRIC.id).values())
    assert singles.loc["cap_scope=subarea", "units_changed"] == 0  # no sample record sets area
    assert singles.loc["B08.orphan=rule", "units_changed"] == 0  # no record has the entry
    # B12 once: international 93 → 95 and organisation 70 → 72 (each had count 2: −4 → −2)
    assert singles.loc["B12.training=once", "changes"] == \
        "international 93→95; organisation 70→72"
    # 14 options: far more than 128 combinations, so singles only — 19 readings
    assert len(frame) == 19 and len(reading_variants(RUBRIC.id, combinations=False)) == 19
    assert frame.attrs["baseline"].at["logistics", "total"] == 59


def test_cli_terminal_and_html(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "s" / "sens.html"
    assert main(["sensitivity", "--year", "2013", "--data", str(REPO / "data"), "--singles",
                 "--html", str(out)]) == 0
    text = capsys.readouterr().out
    assert "cap_scope=area" in text and "logistics 59→57.5" in text and "B17.threshold" in text
    assert "half_points=whole_down       ██████████████████████████████ 20" in text  # peak
    assert "B03.activity=earn_2_3        ███ 2" in text
    assert "B08.orphan=rule               0" in text
    # every open question with its clause, and the clauses read one way
    assert "原文 clause: “扣4-5分/件人”" not in text and "扣4-5分/件人" in text
    assert "只有一种读法的条款及原因" in text and "B17.reflections" in text
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "初稿歧义条款的敏感性" in page
    # an office head's words: the reading by its question and the clause it reads, quoted;
    # units by Chinese name; a rank move with its direction; no option or unit code
    assert "法规制度学习“未开展的，扣2分”按学期还是一次：全年只扣一次2分" in page
    assert "“每学期至少开展1次法规制度集中学习培训活动，未开展的，扣2分”" in page
    assert "后勤管理处 59→57.5" in page and "logistics" not in page
    assert "国际交流合作处 名次上升 2 位" in page  # B12 once: 93 → 95, rank 5 → 3
    assert "B12.training=once" not in page and "cap_scope=area" not in page
    assert re.search(r"生成于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）", page)
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched


def test_kpa_score_takes_readings(capsys: pytest.CaptureFixture) -> None:
    data = str(REPO / "data")
    assert main(["score", "--year", "2013", "--data", data, "--reading", "cap_scope=area",
                 "--reading", "B17.threshold=strict", "--csv"]) == 0
    rows = {line.split(",")[1]: line.split(",")[-1] for line in
            capsys.readouterr().out.splitlines()[1:]}
    assert rows["logistics"] == "56.5"  # 59 − 1.5 (A3 capped as a whole) − 1 (9 wrote 3)
    assert main(["score", "--year", "2013", "--data", data, "--reading", "B17.threshold"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
