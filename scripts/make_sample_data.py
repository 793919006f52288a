"""Generate the bundled FICTIONAL sample data (data/units.csv, data/2012, data/2013).

虚构示例数据 — every unit's entries are invented for demonstration and testing; they describe
no real unit or person. The unit names follow a typical vocational college's structure.

The generator is seeded, so re-running it reproduces the committed files byte for byte. It
exercises every rule kind, both capping notes (Note 1 under both cap scopes, Note 2), bonuses,
and self-assessments beside the assessors' records for a few units.

Run: python scripts/make_sample_data.py [DATA_DIR]
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

from kpa_core.audit.verify import attest_year
from kpa_core.evidence.expected import moves_score
from kpa_core.evidence.store import store_bytes
from kpa_core.rubric.model import load_rubric
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.record import dump_yaml, parse_record
from kpa_core.store.atomic import atomic_write_text

HEADER = (
    "# 虚构示例数据 FICTIONAL SAMPLE DATA — invented for demonstration; no real unit or person.\n"
)

UNITS = [
    ("party-office", "党委办公室（院长办公室）", "Party Committee & President's Office", "office"),
    ("organisation", "组织部（人事处）", "Organisation Department (Human Resources)", "office"),
    ("publicity", "宣传部", "Publicity Department", "office"),
    ("discipline", "纪委办公室（监察处）", "Discipline Inspection Office (Supervision)", "office"),
    ("academic-affairs", "教务处", "Academic Affairs Office", "office"),
    ("student-affairs", "学生工作处", "Student Affairs Office", "office"),
    ("finance", "财务处", "Finance Office", "office"),
    ("logistics", "后勤管理处", "Logistics Office", "office"),
    ("assets", "国有资产管理处", "State Assets Office", "office"),
    ("admissions", "招生就业处", "Admissions & Careers Office", "office"),
    ("research", "科研处", "Research Office", "office"),
    ("international", "国际交流合作处", "International Cooperation Office", "office"),
    ("security", "保卫处", "Security Office", "office"),
    ("audit", "审计处", "Audit Office", "office"),
    ("youth-league", "团委", "Youth League Committee", "office"),
    ("union", "工会", "Trade Union", "office"),
    ("library", "图书馆", "Library", "office"),
    ("it-centre", "信息中心", "Information Centre", "office"),
    ("continuing-ed", "继续教育学院", "School of Continuing Education", "office"),
    ("petroleum", "石油工程系", "Petroleum Engineering", "department"),
    ("chemical", "化学工程系", "Chemical Engineering", "department"),
    ("mechanical", "机械工程系", "Mechanical Engineering", "department"),
    ("electrical", "电气与信息工程系", "Electrical & Information Engineering", "department"),
    ("economics", "经济管理系", "Economics & Management", "department"),
    ("humanities", "人文社科系", "Humanities & Social Sciences", "department"),
    ("arts", "艺术系", "Arts", "department"),
    ("foundation", "基础教学部", "Foundation Courses", "department"),
    ("marxism", "思想政治理论课教学部", "Ideological & Political Theory", "department"),
    ("pe", "体育部", "Physical Education", "department"),
    ("new-energy", "新能源工程系", "New Energy Engineering", "department"),
]

REASONS = {
    "B01.docs": "半年工作总结未按时报送",
    "B01.meetings": "第二学期仅召开1次廉政会议，记录不全",
    "B02.system": "风险点防控制度流程不完整",
    "B02.responsibility": "岗位廉政责任未分解到人",
    "B02.procedure": "物资采购风险点缺少审批记录",
    "B03.activity": "廉政活动月无总结材料",
    "B03.accountability": "对失职人员未追究责任",
    "B04.measures": "未针对招生风险提出防控措施，出现违规收费",
    "B04.losses": "设备损失未及时报告",
    "B05.integrity": "违规接受宴请",
    "B05.relatives": "身边工作人员违规收受礼品",
    "B05.life_meeting": "未召开支部民主生活会述廉",
    "B07.plan": "反腐倡廉教育未纳入支部计划",
    "B07.studies": "全年专题学习次数不足6次",
    "B07.risks": "未开展岗位风险排查",
    "B08.system": "专题教育未形成制度",
    "B08.three_haves": "教育活动缺少计划和主题",
    "B09.content": "廉洁文化建设无实际内容",
    "B09.warning": "无廉洁文化警示内容",
    "B09.activities": "未按要求开展廉洁文化活动",
    "B10.missing": "缺少公务接待管理制度",
    "B11.evaluation": "未开展制度廉洁性评估",
    "B11.problems": "报销流程问题未及时整改",
    "B12.training": "本学期未开展法规制度集中学习",
    "B12.execution": "请销假制度执行不到位",
    "B13.records": "学院部署工作无传达学习记录",
    "B13.activities": "效能监察无实际活动内容",
    "B13.style": "存在推诿扯皮现象",
    "B14.method": "未建立关键岗位监督办法",
    "B14.tasks": "监督任务未落实",
    "B15.openness": "评优选先结果未公示",
    "B16.judicial": "职工涉案被司法机关查处",
    "B16.unreported": "违纪问题迟报",
    "B17.reflections": "学习心得不足参加人数的1/3",
    "B18.news": "廉政文化新闻稿件不足4篇",
    "B18.summaries": "缺少廉政文化建设总结",
    "S1.honours": "获评先进基层党组织",
    "S2.suggestions": "提出的廉政建设意见被学院采纳",
    "S2.articles": "廉政教育文章被学院网站采用",
}
EVIDENCE = "查阅会议记录、工作台账"


def random_value(rule, rng: random.Random):
    """A plausible non-trivial value for one rule."""
    p = rule.params
    kind = rule.kind
    if kind == "flag":
        return True
    if kind in ("per_count", "bonus_per_count"):
        return rng.randint(1, p.get("max_count", 2))
    if kind == "shortfall":
        return rng.randint(max(0, p["required"] - 3), p["required"] - 1)
    if kind == "range":
        lo = max(p["lo"], 0.5)
        return rng.choice([x / 2 for x in range(int(lo * 2), int(p["hi"] * 2) + 1)])
    if kind in ("range_per_case", "bonus_range_per_case"):
        steps = [x / 2 for x in range(int(p["lo"] * 2), int(p["hi"] * 2) + 1)]
        return [rng.choice(steps) for _ in range(rng.randint(1, 2))]
    if kind == "ratio":
        sessions = []
        for _ in range(rng.randint(2, 4)):
            n = rng.randint(9, 30)
            sessions.append({"participants": n, "reflections": rng.randint(n // 5, n // 2)})
        return sessions
    if kind == "tier":
        return rng.sample(["city", "region", "national"], rng.randint(1, 2))
    raise ValueError(kind)


# Hand-made cases so the sample shows both notes of the document and their switch.
SPECIAL = {
    # A3.pun deductions 24 > 20: floored at the sub-area (subarea scope), not under area scope.
    "logistics": {
        "B16.judicial": [5, 4.5],
        "B16.unreported": 2,
        "B18.news": 1,
        "B17.reflections": [
            {"participants": 12, "reflections": 2},
            {"participants": 9, "reflections": 3},
        ],
    },
    # A2 deductions 11 > 10: the area is floored at 0, item B05 goes to −1.
    "assets": {"B05.integrity": 2, "B05.relatives": 1},
    # S1 raw 8 and S2 raw 9: both capped at 5 by Note 2.
    "petroleum": {"S1.honours": ["national", "region"], "S2.suggestions": 2, "S2.articles": [3, 2]},
    "marxism": {"S1.honours": ["region"], "S2.articles": [2.5]},
    # Exactly one third passes B17 (4 of 12); 3 of 12 fails.
    "foundation": {
        "B17.reflections": [
            {"participants": 12, "reflections": 4},
            {"participants": 12, "reflections": 3},
        ]
    },
}


def make_record(unit, year: int, rng: random.Random, rubric, leniency: float = 1.0) -> dict:
    uid, name, _, _ = unit
    entries = {}
    n_rules = rng.randint(2, 9)
    basic_rules = [r for r in rubric.rules.values() if not r.is_bonus]
    bonus_rules = [r for r in rubric.rules.values() if r.is_bonus]
    chosen = rng.sample(basic_rules, n_rules)
    if rng.random() < 0.3:
        chosen.append(rng.choice(bonus_rules))
    for rule in chosen:
        if leniency < 1.0 and rng.random() > leniency and not rule.is_bonus:
            continue
        entries[rule.id] = {kind_of(rule).value_field: random_value(rule, rng)}
    if year == 2013:
        for rid, value in SPECIAL.get(uid, {}).items():
            entries[rid] = {kind_of(rubric.rules[rid]).value_field: value}
    out = {}
    for rid in sorted(entries, key=lambda r: list(rubric.rules).index(r)):
        entry = entries[rid]
        entry["reason"] = REASONS[rid]
        if rng.random() < 0.6:
            entry["evidence"] = EVIDENCE
        out[rid] = entry
    return {
        "rubric": rubric.id,
        "year": year,
        "unit": name,
        "assessor": "纪委办公室",
        "entries": out,
    }


def write_record(path: Path, data: dict) -> None:
    parse_record(data, where=str(path))  # never write sample data that does not validate
    atomic_write_text(path, HEADER + dump_yaml(data))


def cite_sample_evidence(data_dir: Path, year: int, unit_id: str, data: dict, rubric) -> None:
    """Store the unit's fictional evidence files and cite each for one of its deductions.

    Scores do not move (evidence is not a value); the rng has already run for every record.
    """
    sys.path.insert(0, str(Path(__file__).parent))
    from sample_evidence import CONTENT, SAMPLE_EVIDENCE

    moving = [rid for rid in rubric.rules
              if moves_score(rubric, rid, data["entries"].get(rid))]
    for (name, day, maker), rule_id in zip(SAMPLE_EVIDENCE.get(unit_id, []), moving,
                                           strict=False):
        stored = store_bytes(data_dir, year, CONTENT[maker](), name, who="示例数据生成器",
                             evidence_date=day, added_at=f"{day}T08:00:00+00:00")
        data["entries"][rule_id]["evidence_files"] = [{"sha256": stored.sha256,
                                                       "name": stored.name}]


def main(data_dir: Path) -> None:
    rubric = load_rubric("kvtc-2013-draft")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["unit_id", "name_zh", "name_en", "kind"])
    writer.writerows(UNITS)
    atomic_write_text(data_dir / "units.csv", buf.getvalue())
    (data_dir / "README.md").write_text(
        "# 示例数据 / sample data\n\n**虚构示例数据 — FICTIONAL SAMPLE DATA.** Generated by "
        "`scripts/make_sample_data.py` (seeded); it describes no real unit or person.\n\n"
        "- `units.csv` — the units (id, Chinese name, English name, kind).\n"
        "- `<year>/<unit id>.yaml` — the assessors' record (考核组) of each unit.\n"
        "- `<year>/self/<unit id>.yaml` — a unit's self-assessment (自评), where one was filed.\n"
        "- `<year>/audit-log.jsonl` — the audit chain; here one `attest` line per record, so "
        "`kpa verify` names any later edit made outside kpa.\n",
        encoding="utf-8",
    )
    for year, seed in ((2012, 2012), (2013, 2013)):
        rng = random.Random(seed)
        for unit in UNITS:
            data = make_record(unit, year, rng, rubric)
            if year == 2013:
                cite_sample_evidence(data_dir, year, unit[0], data, rubric)
            write_record(data_dir / str(year) / f"{unit[0]}.yaml", data)
        if year == 2013:
            for unit in UNITS[::5]:
                own = make_record(unit, year, random.Random(unit[0]), rubric, leniency=0.4)
                own["role"] = "self"
                own["assessor"] = f"{unit[1]}（自评）"
                write_record(data_dir / str(year) / "self" / f"{unit[0]}.yaml", own)
        # the sample's records enter the audit chain as accepted, so `kpa verify` passes on
        # them and names any later edit made behind kpa's back
        attest_year(data_dir, year, who="示例数据生成器 sample generator",
                    why="虚构示例数据 / fictional sample data as generated",
                    when=f"{year}-12-31T00:00:00+00:00", lock=False)
        if year == 2012:
            code = publish_sample(data_dir, year)
            with (data_dir / "README.md").open("a", encoding="utf-8") as fh:
                fh.write(
                    f"\n**2012 已签发 / 2012 is published** (文号 {SAMPLE_DOC_NO}): every "
                    "assessors' record was reviewed by 王明 (考核组成员) and the year was "
                    f"published by 赵主任 (纪委负责人). Its seal code is **{code}**, printed on "
                    "its notices; `kpa verify --year 2012 --seal "
                    f"{code}` checks the files against it, and every write to 2012 is refused "
                    "except through `kpa review open`. Its 整改台账 (rectification ledger) holds "
                    "items in every state (`kpa rectify list --year 2012 --as-of 2013-02-05`). "
                    "2013 is in progress (`kpa status --year 2013`).\n")


# The fictional office that reviewed and published the 2012 sample (issue #22): the same names
# as the repository's kpa.toml, so `kpa status --year 2012` there shows who did what.
SAMPLE_PEOPLE = (("王明", "assessor"), ("赵主任", "head"))
SAMPLE_DOC_NO = "克职院纪〔2013〕1号"


def publish_sample(data_dir: Path, year: int) -> str:
    """Approve every 2012 record and publish the year: its notices carry the seal code."""
    from kpa_core.audit.people import Person
    from kpa_core.audit.states import approve, publish

    people = [Person(name, role) for name, role in SAMPLE_PEOPLE]
    for unit in UNITS:
        approve(data_dir, year, unit[0], "王明", login="nobody", people=people,
                when=f"{year + 1}-01-08T02:00:00+00:00")
    pub = publish(data_dir, year, "赵主任", SAMPLE_DOC_NO, login="nobody", people=people,
                  when=f"{year + 1}-01-10T02:00:00+00:00")
    rectify_sample(data_dir, year, people)
    return pub.code


# What the sample's units did with their 2012 整改要求 (issue #23), by item: most closed, some
# reported and awaiting the office's check, some failed a check and back in progress, some not
# started. Deadline 2013-02-10 (one month after publication): as of 2013-02-01 every status but
# 逾期 shows; as of any later date the unfinished ones are 逾期.
SAMPLE_RECTIFY_PLAN = ("closed", "closed", "closed", "closed", "closed", "closed",
                       "awaiting_check", "in_progress", "open", "open")


def rectify_sample(data_dir: Path, year: int, people: list) -> None:
    """Open the 2012 ledger and take its items through every state, at fixed times."""
    from kpa_core.audit.people import Person
    from kpa_core.evidence.store import store_bytes
    from kpa_core.rectify.actions import check_item, report_item
    from kpa_core.rectify.ledger import open_after_publish

    head = next(p for p in people if p.role == "head")
    ledger = open_after_publish(data_dir, year, head, when=f"{year + 1}-01-10T02:05:00+00:00")
    people = [*people, Person("李华", "contact", unit="arts")]
    for n, state in enumerate(ledger.items):
        unit_id, item_id = state.item.unit_id, state.item.item_id
        plan = SAMPLE_RECTIFY_PLAN[(n * 7 + len(unit_id)) % len(SAMPLE_RECTIFY_PLAN)]
        if plan == "open":
            continue
        reporter = "李华" if unit_id == "arts" else "王明"
        day = 20 + n % 10
        stored = []
        if n % 3 == 0:  # every third report carries its written rectification report
            stored = [store_bytes(
                data_dir, year, f"{unit_id} {item_id} 整改报告（虚构示例）\n".encode(),
                f"{unit_id}-{item_id}-整改报告.txt", who=reporter, unit=unit_id,
                added_at=f"{year + 1}-01-{day}T01:00:00+00:00").sha256]
        report_item(data_dir, year, unit_id, item_id,
                    "已按要求整改，相关制度已建立并落实（虚构示例）。", stored=stored,
                    by=reporter, login="nobody", people=people,
                    when=f"{year + 1}-01-{day}T02:00:00+00:00")
        if plan == "awaiting_check":
            continue
        checker = "赵主任" if n % 5 == 0 else "王明"
        if plan == "in_progress":
            check_item(data_dir, year, unit_id, item_id, "不通过", "整改材料不完整，缺少会议记录。",
                       by=checker, login="nobody", people=people,
                       when=f"{year + 1}-02-0{1 + n % 5}T02:00:00+00:00")
            continue
        check_item(data_dir, year, unit_id, item_id, "通过", "整改到位，予以销号。", by=checker,
                   login="nobody", people=people, when=f"{year + 1}-02-0{1 + n % 5}T02:00:00+00:00")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data"))
