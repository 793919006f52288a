"""The year as a process (issue #22): people and roles, states, publication, lock, 复核.

A workspace with three people: 王明 (assessor), 赵主任 (head), 李华 (arts' contact), and the
2013 deadlines 自评截止 2013-12-20, 审核截止 2014-01-10. The 2013 sample has 30 assessors'
records and 6 self-assessments (arts, chemical, party-office, research, student-affairs, union).
Every call passes ``login="nobody"`` (mapped to nobody) unless the test is about the login.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kpa_core.audit import states
from kpa_core.audit.log import read_chain
from kpa_core.audit.people import parse_people, resolve_person
from kpa_core.audit.verify import verify_year
from kpa_core.entry.controller import AssessmentController
from kpa_core.errors import KpaInputError
from kpa_core.year.data import load_units

ROOT = Path(__file__).resolve().parents[1]
TOML = """office = "纪委办公室"
[[people]]
name = "王明"
role = "assessor"
login = "wangming"
[[people]]
name = "赵主任"
role = "head"
[[people]]
name = "李华"
role = "contact"
unit = "arts"
[deadlines.2013]
self = 2013-12-20
review = 2014-01-10
"""
NOBODY = {"login": "nobody"}


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    return tmp_path / "data"


def approve_all(data: Path) -> None:
    for uid in load_units(data):
        states.approve(data, 2013, uid, "王明", **NOBODY)


def edit_arts(data: Path, value: float = 1.0, who: str = "王明") -> None:
    ctl = AssessmentController(data, 2013, "arts")
    ctl.set_value("B02.system", value)
    ctl.set_reason("B02.system", "制度不健全")
    ctl.save(who, "补充")


def message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(f"{p.problem_zh} {p.problem_en}" for p in exc.value.problems)


# --- people -------------------------------------------------------------------------------


def test_bad_people_are_reported_all_at_once():
    with pytest.raises(KpaInputError) as info:
        parse_people([{"name": "甲", "role": "boss"}, {"name": "乙", "role": "contact"},
                      {"name": "丙", "role": "head", "email": "x"}])
    fields = [p.field for p in info.value.problems]
    assert fields == ["role", "unit", "email"]  # unknown role, contact without unit, a typo


def test_an_unlisted_name_or_the_wrong_role_is_refused_with_who_may():
    people = parse_people([{"name": "王明", "role": "assessor"}, {"name": "赵主任",
                                                                    "role": "head"}])
    with pytest.raises(KpaInputError) as info:
        resolve_person(people, "张三", roles=("head",), action_zh="签发", action_en="publish",
                       login="nobody")
    assert "张三 不在 kpa.toml 的人员名单中" in message(info)
    assert "王明（考核组成员）" in info.value.problems[0].allowed_zh
    with pytest.raises(KpaInputError) as info:
        resolve_person(people, "王明", roles=("head",), action_zh="签发", action_en="publish",
                       login="nobody")
    assert "王明 是考核组成员，签发须由纪委负责人操作" in message(info)
    assert info.value.problems[0].allowed_zh == "赵主任（纪委负责人）"


def test_a_mapped_login_is_the_person_and_cannot_be_overridden(data, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "wangming")
    line = states.approve(data, 2013, "arts", None)  # no --by: the login says who
    assert line["who"] == "王明" and line["by_role"] == "assessor"
    with pytest.raises(KpaInputError) as info:
        states.approve(data, 2013, "chemical", "赵主任")  # the head's name, 王明's login
    assert "登录身份 wangming 对应 王明，不能以 赵主任 的名义审核" in message(info)


def test_a_contact_acts_only_for_their_own_unit(data):
    with pytest.raises(KpaInputError) as info:
        states.submit(data, 2013, "chemical", "李华", today=dt.date(2013, 12, 1), **NOBODY)
    assert "李华 是 arts 的联系人，不能为 chemical 提交自评" in message(info)


# --- states -------------------------------------------------------------------------------


def test_submit_records_who_when_and_the_records_hash_and_a_change_makes_it_draft(data):
    line = states.submit(data, 2013, "arts", "李华", today=dt.date(2013, 12, 20), **NOBODY)
    self_sha = read_chain(data, 2013).lines[-1].data["sha256"]
    assert line["action"] == "state" and line["state"] == "submitted"
    assert line["who"] == "李华" and line["role"] == "self" and line["sha256"] == self_sha
    rs = states.year_process(data, 2013).records[("arts", "self")]
    assert (rs.state, rs.who) == ("submitted", "李华")
    with pytest.raises(KpaInputError) as info:
        states.submit(data, 2013, "arts", "李华", today=dt.date(2013, 12, 20), **NOBODY)
    assert "自评已由 李华" in message(info)
    ctl = AssessmentController(data, 2013, "arts", role="self")  # a material change after it
    ctl.set_value("B02.system", 1.0)
    ctl.set_reason("B02.system", "制度不健全")
    ctl.save("李华", "补充")
    assert states.year_process(data, 2013).records[("arts", "self")].state == "draft"


def test_submit_after_the_deadline_is_refused_naming_it(data):
    with pytest.raises(KpaInputError) as info:
        states.submit(data, 2013, "arts", "李华", today=dt.date(2013, 12, 21), **NOBODY)
    assert "自评截止日期 2013-12-20 已过（今天 2013-12-21）" in message(info)
    assert read_chain(data, 2013).lines[-1].data["action"] != "state"  # nothing written


def test_approve_then_an_edit_needs_a_new_approval(data):
    states.approve(data, 2013, "arts", "王明", **NOBODY)
    assert states.year_process(data, 2013).records[("arts", "assessor")].state == "reviewed"
    edit_arts(data)
    assert states.year_process(data, 2013).records[("arts", "assessor")].state == "draft"
    states.approve(data, 2013, "arts", "王明", **NOBODY)  # the new approval
    assert states.year_process(data, 2013).records[("arts", "assessor")].state == "reviewed"


def test_status_counts_what_is_overdue(data, capsys):
    from kpa_core.cli import main

    states.submit(data, 2013, "arts", "李华", today=dt.date(2013, 12, 1), **NOBODY)
    states.approve(data, 2013, "arts", "王明", **NOBODY)
    states.approve(data, 2013, "union", "王明", **NOBODY)
    assert main(["status", "--year", "2013", "--data", str(data), "--today", "2013-12-01"]) == 0
    assert "30 units, 0 overdue" in capsys.readouterr().out  # before both deadlines
    assert main(["status", "--year", "2013", "--data", str(data), "--today", "2014-02-01"]) == 0
    out = capsys.readouterr().out
    # 30 self-assessments less arts' (submitted) + 30 assessors' records less 2 reviewed
    assert "30 units, 57 overdue" in out
    assert "已提交 李华" in out and "已审核 王明" in out


# --- publication and lock -----------------------------------------------------------------


def test_publish_needs_the_head_and_every_record_reviewed(data):
    with pytest.raises(KpaInputError) as info:
        states.publish(data, 2013, "王明", **NOBODY)
    assert "签发公布须由纪委负责人操作" in message(info)
    states.approve(data, 2013, "arts", "王明", **NOBODY)
    with pytest.raises(KpaInputError) as info:
        states.publish(data, 2013, "赵主任", **NOBODY)
    assert len(info.value.problems) == 29  # every draft named, arts not among them
    assert "arts" not in {p.unit for p in info.value.problems}


def test_publish_writes_one_sealed_line_and_locks_every_write(data, tmp_path):
    approve_all(data)
    pub = states.publish(data, 2013, "赵主任", "克职院纪〔2013〕3号", **NOBODY)
    last = read_chain(data, 2013).lines[-1]
    assert last.data["action"] == "publish" and last.data["doc_no"] == "克职院纪〔2013〕3号"
    assert len(last.data["records"]) == 30 and len(last.data["self_records"]) == 6
    code = last.hash[:12].upper()
    assert pub.code == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    proc = states.year_process(data, 2013)
    assert {rs.state for (u, r), rs in proc.records.items() if r == "assessor"} == {"published"}
    with pytest.raises(KpaInputError) as info:  # the form
        edit_arts(data)
    text = message(info)
    assert "2013 年度已签发（赵主任" in text and "克职院纪〔2013〕3号" in text
    assert pub.code in text
    assert "kpa review open --year 2013 --unit arts --why 原因 --by 姓名" in text
    from kpa_core.excel.importer import import_workbook  # the Excel route
    from kpa_core.excel.template import write_export

    book = tmp_path / "kpa-2013.xlsx"
    write_export(data, 2013, book)
    before = read_chain(data, 2013).lines[-1].hash
    with pytest.raises(KpaInputError) as info:
        import_workbook(book, data, who="王明", why="导入")
    assert "2013 年度已签发" in message(info)
    assert read_chain(data, 2013).lines[-1].hash == before  # nothing written
    with pytest.raises(KpaInputError):
        states.approve(data, 2013, "arts", "王明", **NOBODY)
    with pytest.raises(KpaInputError) as info:
        states.publish(data, 2013, "赵主任", **NOBODY)
    assert "已签发" in message(info)


def test_a_review_opens_one_unit_and_closing_republishes_it_with_a_new_seal(data):
    approve_all(data)
    first = states.publish(data, 2013, "赵主任", "克职院纪〔2013〕3号", **NOBODY)
    with pytest.raises(KpaInputError) as info:  # the head closes; nothing is open yet
        states.review_close(data, 2013, "arts", "赵主任", **NOBODY)
    assert "没有进行中的复核" in message(info)
    with pytest.raises(KpaInputError):
        states.review_open(data, 2013, "arts", "", "王明", **NOBODY)  # a reason is required
    states.review_open(data, 2013, "arts", "单位申请复核 B02", "王明", **NOBODY)
    edit_arts(data)  # allowed now, recorded as usual
    with pytest.raises(KpaInputError) as info:
        states.review_close(data, 2013, "arts", "赵主任", **NOBODY)
    assert "须先审核" in message(info)  # the changed record needs a new approval first
    chemical = AssessmentController(data, 2013, "chemical")
    chemical.set_value("B02.system", 1.0)
    chemical.set_reason("B02.system", "制度不健全")
    with pytest.raises(KpaInputError) as info:
        chemical.save("王明", "补充")  # the other units stay locked
    assert "2013 年度已签发" in message(info)
    states.approve(data, 2013, "arts", "王明", **NOBODY)
    with pytest.raises(KpaInputError):
        states.review_close(data, 2013, "arts", "王明", **NOBODY)  # the head only
    second = states.review_close(data, 2013, "arts", "赵主任", **NOBODY)
    assert second.revision == 1 and second.data["doc_no"] == "克职院纪〔2013〕3号"
    assert states.revision_mark(second) == "（复核修订1）"
    assert second.code != first.code and list(second.data["records"]) == ["arts"]
    assert states.seal_of(data, 2013, "arts").code == second.code
    assert states.seal_of(data, 2013, "chemical").code == first.code
    with pytest.raises(KpaInputError):
        edit_arts(data, 2.0)  # locked again
    assert verify_year(data, 2013).failures == []


def test_the_cli_route_keeps_the_original_notice_and_params(data, capsys, monkeypatch):
    from kpa_core.cli import main

    monkeypatch.setenv("JUPYTERHUB_USER", "nobody")  # no login mapped: --by decides
    approve_all(data)
    ws = data.parent
    assert main(["publish", "--year", "2013", "--data", str(data), "--by", "赵主任",
                 "--doc-no", "克职院纪〔2014〕1号"]) == 0
    code = capsys.readouterr().out.split("封存码 seal code: ")[1][:14]
    params = ws / "params" / "2013" / "arts.yaml"
    notice = ws / "out" / "reports" / "2013" / "arts.html"
    for path, text in ((params, "unit_id: arts\n"), (notice, "<p>封存码</p>")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert main(["review", "open", "--year", "2013", "--unit", "arts", "--data", str(data),
                 "--why", "单位申请复核", "--by", "王明"]) == 0
    kept = ws / "params" / "2013" / "revisions" / "arts.rev0.yaml"
    assert kept.read_text(encoding="utf-8") == "unit_id: arts\n"
    assert (notice.parent / "revisions" / "arts.rev0.html").read_text(encoding="utf-8") == \
        "<p>封存码</p>"
    assert main(["review", "close", "--year", "2013", "--unit", "arts", "--data", str(data),
                 "--by", "赵主任"]) == 0
    out = capsys.readouterr().out
    assert "文号 克职院纪〔2014〕1号（复核修订1）" in out
    new_code = out.split("新封存码 new seal code: ")[1][:14]
    assert new_code != code
    assert main(["verify", "--year", "2013", "--data", str(data), "--seal", new_code]) == 0
    assert main(["verify", "--year", "2013", "--data", str(data), "--seal", code]) == 0
    assert "republished after review" in capsys.readouterr().out  # arts moved to the new seal


def test_who_comes_from_the_people_when_the_login_is_mapped_else_it_is_asked_for(
        data, capsys, monkeypatch):
    from kpa_core.audit.log import read_audit
    from kpa_core.cli import main

    record = data / "2013" / "arts.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "# 手工修订\n", encoding="utf-8")
    attest = ["verify", "--year", "2013", "--data", str(data), "--attest", "--why", "已核对"]
    monkeypatch.setenv("JUPYTERHUB_USER", "nobody")
    assert main(attest) == 2  # not mapped, no --who: asked for, never the OS user
    assert "须用 --who 姓名" in capsys.readouterr().err
    assert main([*attest, "--who", "张三"]) == 2  # not a listed person
    assert "张三 不在 kpa.toml 的人员名单中" in capsys.readouterr().err
    monkeypatch.setenv("JUPYTERHUB_USER", "wangming")  # mapped to 王明
    assert main(attest) == 0
    assert read_audit(data, 2013)[-1]["who"] == "王明"
