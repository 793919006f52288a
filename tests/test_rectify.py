"""The rectification ledger (issue #23): opened by publication, moved by reports and checks.

The 2013 sample is published here by 赵主任 at 2014-01-15 10:00 Beijing time (02:00 UTC), so
the default deadline is one calendar month later: 2014-02-15. logistics 2013 has 11 整改要求
(its notice's list, test_notice.py); arts' contact is 李华. The 2012 sample comes published
with a ledger whose items stand in every state (scripts/make_sample_data.py).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cli_run import run_kpa

from kpa_core.audit import states
from kpa_core.audit.log import append_audit, read_chain
from kpa_core.audit.rectify_chain import replay
from kpa_core.audit.verify import verify_year
from kpa_core.errors import KpaInputError
from kpa_core.rectify.actions import check_item, report_item
from kpa_core.rectify.ledger import ensure_opened, ledger_of, publish_and_open
from kpa_core.rectify.settings import RectifySettings, parse_settings
from kpa_core.year.data import load_units

ROOT = Path(__file__).resolve().parents[1]
TOML = """office = "纪委办公室"
[[people]]
name = "王明"
role = "assessor"
[[people]]
name = "赵主任"
role = "head"
[[people]]
name = "李华"
role = "contact"
unit = "arts"
"""
NOBODY = {"login": "nobody"}
PUBLISHED = "2014-01-15T02:00:00+00:00"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


@pytest.fixture()
def published(data: Path) -> Path:
    for uid in load_units(data):
        states.approve(data, 2013, uid, "王明", **NOBODY)
    publish_and_open(data, 2013, "赵主任", "克职院纪〔2014〕1号", when=PUBLISHED, **NOBODY)
    return data


def status(data: Path, unit: str, item: str, as_of: dt.date = dt.date(2014, 2, 1)) -> str:
    found = ledger_of(data, 2013, as_of=as_of).find(unit, item)
    assert found is not None
    return found.status


def test_publication_opens_the_ledger_from_the_notices(published: Path):
    ledger = ledger_of(published, 2013, as_of=dt.date(2014, 2, 1))
    assert ledger.opened and ledger.published_on == dt.date(2014, 1, 15)
    logistics = ledger.of_unit("logistics")
    assert [s.item.item_id for s in logistics] == [f"R{n}" for n in range(1, 12)]
    assert logistics[0].item.text == "第1项（年初制定工作计划）：半年工作总结未按时报送。"
    assert {s.item.deadline for s in ledger.items} == {dt.date(2014, 2, 15)}
    assert {s.status for s in ledger.items} == {"open"}
    opens = [ln for ln in read_chain(published, 2013).lines
             if ln.data["action"] == "rectify_open"]
    assert len(opens) == 1 and opens[0].data["who"] == "赵主任"
    ensure_opened(published, 2013, "王明", **NOBODY)  # a second opening adds nothing
    assert sum(ln.data["action"] == "rectify_open"
               for ln in read_chain(published, 2013).lines) == 1
    assert verify_year(published, 2013).failures == []


def test_report_fail_report_pass_closes_the_item(published: Path):
    s = report_item(published, 2013, "arts", "R1", "已修订制度", by="李华",
                    when="2014-01-20T02:00:00+00:00", **NOBODY)
    assert s.status == "awaiting_check" and s.reports[-1].who == "李华"
    s = check_item(published, 2013, "arts", "R1", "不通过", "缺少会议记录", by="王明",
                   when="2014-01-22T02:00:00+00:00", **NOBODY)
    assert s.checks[-1].result == "fail" and s.checks[-1].why == "缺少会议记录"
    assert status(published, "arts", "R1") == "in_progress"
    report_item(published, 2013, "arts", "R1", "补交会议记录", by="王明",
                when="2014-01-25T02:00:00+00:00", **NOBODY)
    assert status(published, "arts", "R1") == "awaiting_check"
    s = check_item(published, 2013, "arts", "R1", "通过", "材料齐全", by="赵主任",
                   when="2014-02-01T17:00:00+00:00", **NOBODY)
    assert s.status == "closed"
    assert s.closed_on == dt.date(2014, 2, 2)  # 17:00 UTC is 01:00 the next day in Beijing
    assert [r.text for r in s.reports] == ["已修订制度", "补交会议记录"]
    assert verify_year(published, 2013).failures == []


def test_the_deadline_turns_unfinished_items_overdue(published: Path):
    report_item(published, 2013, "logistics", "R2", "已整改", by="王明", **NOBODY)
    report_item(published, 2013, "logistics", "R3", "已整改", by="王明", **NOBODY)
    check_item(published, 2013, "logistics", "R3", "不通过", "未落实", by="王明", **NOBODY)
    on_time, late = dt.date(2014, 2, 15), dt.date(2014, 2, 16)
    assert [status(published, "logistics", i, on_time) for i in ("R1", "R2", "R3")] == [
        "open", "awaiting_check", "in_progress"]
    # past the deadline: nothing reported, or back in progress, is 逾期; a report waiting on
    # the office is not the unit's delay
    assert [status(published, "logistics", i, late) for i in ("R1", "R2", "R3")] == [
        "overdue", "awaiting_check", "overdue"]
    counts = ledger_of(published, 2013, as_of=late).counts()
    total = len(ledger_of(published, 2013).items)
    assert counts["awaiting_check"] == 1 and counts["overdue"] == total - 1


def test_refusals_name_the_unit_the_item_and_what_is_allowed(published: Path, data: Path):
    report_item(published, 2013, "arts", "R1", "已整改", by="李华", **NOBODY)
    with pytest.raises(KpaInputError, match="单位联系人，核查整改须由考核组成员"):
        check_item(published, 2013, "arts", "R1", "通过", "好", by="李华", **NOBODY)
    with pytest.raises(KpaInputError, match="没有待核查的整改报告"):
        check_item(published, 2013, "arts", "R2", "通过", "好", by="王明", **NOBODY)
    with pytest.raises(KpaInputError, match="已整改待核查，不能再报送"):
        report_item(published, 2013, "arts", "R1", "再报", by="王明", **NOBODY)
    check_item(published, 2013, "arts", "R1", "通过", "好", by="王明", **NOBODY)
    with pytest.raises(KpaInputError, match="已销号，不能再报送"):
        report_item(published, 2013, "arts", "R1", "再报", by="王明", **NOBODY)
    with pytest.raises(KpaInputError, match="是 arts 的联系人，不能为 logistics"):
        report_item(published, 2013, "logistics", "R1", "已整改", by="李华", **NOBODY)
    with pytest.raises(KpaInputError) as exc:
        report_item(published, 2013, "logistics", "R99", "已整改", by="王明", **NOBODY)
    assert exc.value.problems[0].unit == "logistics" and "R11" in str(exc.value)
    with pytest.raises(KpaInputError) as exc:
        check_item(published, 2013, "arts", "R2", "ok", "", by="王明", **NOBODY)
    assert len(exc.value.problems) == 2  # both problems at once: the result and the reason
    assert "通过、不通过" in str(exc.value) and "核查意见" in str(exc.value)
    with pytest.raises(KpaInputError, match="至多 4000 字"):
        report_item(published, 2013, "arts", "R2", "长" * 4001, by="王明", **NOBODY)


def test_an_unpublished_year_has_no_ledger(data: Path):
    with pytest.raises(KpaInputError, match="2013 年度尚未签发"):
        report_item(data, 2013, "arts", "R1", "已整改", by="李华", **NOBODY)
    with pytest.raises(KpaInputError, match="2013 年度尚未签发"):
        check_item(data, 2013, "arts", "R1", "通过", "好", by="王明", **NOBODY)
    assert ledger_of(data, 2013).items == () and not ledger_of(data, 2013).opened
    assert run_kpa("rectify", "list", "--year", "2013", "--data", str(data)).returncode == 2


def test_verify_names_a_forged_line_and_missing_evidence(published: Path, tmp_path: Path):
    proof = tmp_path / "整改报告.txt"
    proof.write_text("整改报告：制度已修订。\n", encoding="utf-8")
    s = report_item(published, 2013, "arts", "R1", "已修订", evidence=[proof], by="李华",
                    **NOBODY)
    sha = s.reports[-1].evidence[0]
    assert verify_year(published, 2013).failures == []
    (published / "2013" / "evidence" / sha).unlink()
    failures = verify_year(published, 2013).failures
    assert any(sha[:12] in f and "arts R1" in f and "缺失" in f for f in failures)
    # a check written past kpa's rules (no report awaits it) is named, not counted
    append_audit(published, 2013, who="王明", why="x", action="rectify_check",
                 unit_id="logistics", unit="logistics", what={},
                 extra={"item": "R1", "result": "pass", "why": "伪造"})
    failures = verify_year(published, 2013).failures
    assert any("logistics R1" in f and "没有待核查的整改报告" in f for f in failures)
    assert status(published, "logistics", "R1") == "open"


def test_deadline_settings():
    assert RectifySettings().deadline(dt.date(2014, 1, 31)) == dt.date(2014, 2, 28)
    assert RectifySettings(months=2).deadline(dt.date(2013, 12, 15)) == dt.date(2014, 2, 15)
    assert parse_settings({"deadline_days": 10}).deadline(dt.date(2014, 1, 25)) == \
        dt.date(2014, 2, 4)
    with pytest.raises(KpaInputError) as exc:
        parse_settings({"deadline_months": 0, "deadline_days": 1.5, "weeks": 2})
    assert len(exc.value.problems) == 4  # months out of range, days not whole, unknown, both


def test_kpa_toml_deadline_days_is_used(data: Path):
    (data.parent / "kpa.toml").write_text(TOML + "[rectify]\ndeadline_days = 10\n",
                                          encoding="utf-8")
    for uid in load_units(data):
        states.approve(data, 2013, uid, "王明", **NOBODY)
    publish_and_open(data, 2013, "赵主任", when=PUBLISHED, **NOBODY)
    assert {s.item.deadline for s in ledger_of(data, 2013).items} == {dt.date(2014, 1, 25)}


def test_sample_2012_ledger_holds_every_state(data: Path):
    before = ledger_of(data, 2012, as_of=dt.date(2013, 2, 5))
    counts = before.counts()
    assert before.opened and before.publication == "8812-C86D-70C4"
    assert all(counts[k] > 0 for k in ("open", "in_progress", "awaiting_check", "closed"))
    after = ledger_of(data, 2012, as_of=dt.date(2013, 2, 11)).counts()  # deadline 2013-02-10
    assert after["overdue"] == counts["open"] + counts["in_progress"]
    logistics = before.of_unit("logistics")
    assert [s.item.rule_id for s in logistics] == [
        "B03.accountability", "B05.life_meeting", "B07.risks", "B11.problems",
        "B13.activities", "B16.unreported", "B18.news", "B18.summaries"]
    _, broken = replay(read_chain(data, 2012), 2012)
    assert broken == [] and verify_year(data, 2012).failures == []


def test_cli_list_report_check(data: Path):
    args = ("--year", "2012", "--data", str(data))
    listed = run_kpa("rectify", "list", *args, "--unit", "logistics", "--as-of", "2013-02-05",
                     "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["items"]
    assert len(items) == 8 and items[0]["item"] == "R1"
    waiting = next(i for i in items if i["status"] == "awaiting_check")
    done = run_kpa("rectify", "check", *args, "--unit", "logistics", "--item", waiting["item"],
                   "--result", "通过", "--why", "核查属实", "--by", "王明")
    assert done.returncode == 0, done.stderr
    assert "已销号" in done.stdout
    again = run_kpa("rectify", "check", *args, "--unit", "logistics", "--item",
                    waiting["item"], "--result", "通过", "--why", "x", "--by", "王明")
    assert again.returncode == 2 and "没有待核查的整改报告" in again.stderr
    overdue = run_kpa("rectify", "list", *args, "--overdue", "--as-of", "2013-02-11")
    assert overdue.returncode == 0 and "逾期" in overdue.stdout and "已销号" not in \
        overdue.stdout.split("\n", 1)[1]
