"""``kpa evidence``: the electronic ledger (电子台账) of a year, from the command line.

- ``add`` stores files (``kpa_core.evidence.store``) and cites them for one rule of one unit,
  then saves the record through the form's own path (``AssessmentController.save``: the stale
  check, the audit line with the cited hashes, the atomic write). The files are stored first:
  if the save fails they stay in the store, cited nowhere (``list`` shows them), and no
  citation ever names a file that is not there.
- ``list`` shows what each unit cites and what is stored but cited nowhere.
- ``check`` names, per unit, the deductions and bonuses that cite no file (allowed, but named)
  and every cited file that is missing or changed (exit 1 then, as ``kpa verify``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of
from kpa_core.errors import KpaInputError, Problem
from kpa_core.text.sanitize import terminal_safe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evidence",
        help="佐证材料（电子台账）：添加、列出、核查 / the evidence ledger: add, list, check",
        description="佐证材料按 sha256 存于 data/<年度>/evidence/，由记录的条目引用。"
        " / Evidence files are stored by sha256 in data/<year>/evidence/ and cited by entries.",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", help="存入并引用佐证材料 / store files and cite them")
    add_year_option(add)
    add.add_argument("--unit", required=True, help="单位编号 / unit id")
    add.add_argument("--rule", required=True, help="规则编号，如 B07.studies / rule id")
    add.add_argument("files", nargs="+", metavar="FILE", help="文件 / files")
    add.add_argument("--date", default=None, help="材料日期 YYYY-MM-DD / the document's date")
    add.add_argument("--note", default=None, help="说明 / note")
    add.add_argument("--page", default=None, help="页码 / page")
    add.add_argument("--role", choices=("assessor", "self"), default="assessor")
    add.add_argument("--who", required=True, help="添加人 / who adds them")
    add.add_argument("--why", default=None, help="原因 / why (default: 添加佐证材料)")
    add_data_option(add)
    for verb, text in (("list", "列出引用与未引用的材料 / cited and uncited files"),
                       ("check", "缺佐证的扣分与损坏的文件 / deductions without evidence")):
        v = verbs.add_parser(verb, help=text)
        add_year_option(v)
        v.add_argument("--unit", default=None, help="单位编号 / unit id")
        add_data_option(v)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    return {"add": run_add, "list": run_list, "check": run_check}[args.verb](args, data_dir)


def run_add(args: argparse.Namespace, data_dir: Path) -> int:
    from kpa_core.entry import AssessmentController
    from kpa_core.evidence.settings import load_settings
    from kpa_core.evidence.store import check_date, store_file

    controller = AssessmentController(data_dir, args.year, args.unit, role=args.role)
    unit = controller.unit.name_zh
    if args.rule not in controller.rubric.rules:
        rules = list(controller.rubric.rules)
        raise KpaInputError([Problem("未知的规则编号", "unknown rule id", unit=unit,
                                     rule_id=args.rule, field="rule", value=args.rule,
                                     allowed_zh="、".join(rules[:8]) + " …",
                                     allowed_en=", ".join(rules[:8]) + " …")])
    check_date(args.date, unit, args.rule)
    settings = load_settings(data_dir)
    problems: list[Problem] = []
    stored = []
    for name in args.files:  # every file checked before any is cited: all or nothing
        try:
            stored.append(store_file(data_dir, args.year, name, who=args.who,
                                     evidence_date=args.date, settings=settings, unit=unit,
                                     rule_id=args.rule))
        except KpaInputError as exc:
            problems += exc.problems
    if problems:
        raise KpaInputError(problems)
    for s in stored:
        controller.cite_evidence(args.rule, s, page=args.page, note=args.note)
    why = args.why or "添加佐证材料 / evidence added: " + "、".join(s.name for s in stored)
    path = controller.save(args.who, why)
    for s in stored:
        again = "（库中已有，未重复保存）" if s.reused else ""
        print(terminal_safe(f"已存入并引用 stored and cited: {s.name} {s.sha256[:12]} "
                            f"{s.media_type} {s.size} B{again}"))
    print(terminal_safe(f"已保存 saved: {path}"))
    return 0


def _records(data_dir: Path, year: int, unit: str | None) -> list:
    from kpa_core.year.data import load_year

    records = load_year(data_dir, year, strict=False).records
    return [r for r in records if unit is None or r.unit_id == unit]


def run_list(args: argparse.Namespace, data_dir: Path) -> int:
    from kpa_core.evidence.citation import cited_in
    from kpa_core.evidence.store import stored_files

    stored = stored_files(data_dir, args.year)
    cited: set[str] = set()
    all_records = _records(data_dir, args.year, None)
    for record in all_records:
        cited |= {item["sha256"] for _, item in cited_in(record.entries)}
        if args.unit is not None and record.unit_id != args.unit:
            continue
        items = list(cited_in(record.entries))
        print(terminal_safe(f"{record.unit}（{record.unit_id}）：{len(items)} 个引用 citations"))
        for rule_id, item in items:
            meta = stored.get(item["sha256"])
            day = (meta.date if meta else None) or "日期未填 no date"
            there = "" if item["sha256"] in stored else "  ✘ 库中没有 not in the store"
            print(terminal_safe(f"  {rule_id}  {item.get('name')}  {day}  "
                                f"{item['sha256'][:12]}{there}"))
    uncited = [sha for sha in stored if sha not in cited]
    print(f"库中未被引用的文件 stored but cited nowhere: {len(uncited)}")
    for sha in uncited:
        meta = stored[sha]
        print(terminal_safe(f"  {sha[:12]}  {meta.name if meta else '（无说明文件 no sidecar）'}"))
    return 0


def run_check(args: argparse.Namespace, data_dir: Path) -> int:
    from kpa_core.evidence.expected import missing_evidence
    from kpa_core.evidence.verify import check_cited
    from kpa_core.rubric.model import load_rubric

    total = 0
    for record in _records(data_dir, args.year, args.unit):
        missing = missing_evidence(record.entries, load_rubric(record.rubric))
        total += len(missing)
        n = len(missing)
        state = "佐证齐全 complete" if not n else f"缺 {n} 项 missing {n}"
        print(terminal_safe(f"{record.unit}（{record.unit_id}）：{state}"))
        for m in missing:
            print(terminal_safe(f"  {m.rule_id}  {m.points:+g}  未引用佐证材料 no evidence file"
                                f"（考核方法：{m.method_zh}）"))
    failures = check_cited(data_dir, args.year)
    for f in failures:
        print(terminal_safe(f"  ✘ {f}"))
    print(f"共 {total} 项扣分或加分未引用佐证材料 / {total} deduction(s) or bonus(es) cite no "
          f"file; {len(failures)} 个引用的文件缺失或已改变 / cited file(s) missing or changed")
    return 1 if failures else 0
