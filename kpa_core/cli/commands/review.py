"""The process's steps: ``kpa submit``, ``kpa approve``, ``kpa review open|close``.

``submit``: a unit's contact submits its 自评 (before 自评截止). ``approve``: an assessor marks
the assessors' record 已审核. After publication the one route to a change is a 复核:
``review open`` unlocks one unit, its edits are recorded as usual, an assessor approves the
result, and ``review close`` (the head) republishes it: same 文号, a revision mark, a new seal.
Every step names a person listed in ``kpa.toml`` (``--by``; a mapped login wins).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpa_core.audit.states import approve, review_close, review_open, revision_mark, submit
from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of

BY_HELP = "操作人（kpa.toml 中列出的人员）/ who acts (a person listed in kpa.toml)"


def _common(p: argparse.ArgumentParser, unit: bool = True) -> None:
    add_year_option(p)
    if unit:
        p.add_argument("--unit", required=True, help="单位代码 / unit id")
    add_data_option(p)
    p.add_argument("--by", default=None, help=BY_HELP)


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("submit", help="提交单位自评（单位联系人）/ submit a unit's "
                                      "self-assessment (its contact)")
    _common(s)
    s.set_defaults(func=run_submit)
    a = sub.add_parser("approve", help="审核通过考核组记录（考核组成员）/ mark the assessors' "
                                       "record reviewed (assessor)")
    _common(a)
    a.set_defaults(func=run_approve)
    r = sub.add_parser("review", help="签发后的复核：open 开启，close 结束并重新签发 / a review "
                                      "after publication: open, close")
    rsub = r.add_subparsers(dest="review_step", metavar="open|close", required=True)
    o = rsub.add_parser("open", help="开启复核 / open a review of one unit")
    _common(o)
    o.add_argument("--why", default=None, help="复核原因 / why (e.g. the unit's request)")
    o.set_defaults(func=run_open)
    c = rsub.add_parser("close", help="结束复核并重新签发（纪委负责人）/ close and republish "
                                      "(head)")
    _common(c)
    c.set_defaults(func=run_close)


def run_submit(args: argparse.Namespace) -> int:
    line = submit(data_dir_of(args), args.year, args.unit, args.by)
    print(f"✔ {args.unit} 自评已提交 / submitted by {line['who']} at {line['when']}")
    return 0


def run_approve(args: argparse.Namespace) -> int:
    line = approve(data_dir_of(args), args.year, args.unit, args.by)
    print(f"✔ {args.unit} 考核组记录已审核 / reviewed by {line['who']} at {line['when']}")
    return 0


def keep_originals(data_dir: Path, year: int, unit_id: str, revision: int) -> list[Path]:
    """Copy the unit's published params and reports into ``revisions/`` before a 复核.

    Why: the re-rendered notice replaces ``<unit>.html`` and the params file; the notice that
    was stamped and sent must stay on file, beside its params, under its revision number
    (``<unit>.rev0.html`` is the first issue). Copies are never overwritten.
    """
    from kpa_core.store.atomic import atomic_write_bytes
    from kpa_core.store.paths import reports_dir_for
    from kpa_core.store.workspace import workspace_of

    ws = workspace_of(Path(data_dir) / "units.csv")
    params = (ws.params_dir if ws else Path(data_dir).parent / "params") / str(int(year))
    reports = reports_dir_for(data_dir) / str(int(year))
    kept = []
    for folder in (params, reports):
        for src in sorted(folder.glob(f"{unit_id}.*")) if folder.is_dir() else ():
            if not src.is_file() or src.is_symlink():
                continue
            dst = folder / "revisions" / f"{unit_id}.rev{revision}{src.suffix}"
            if not dst.exists():
                atomic_write_bytes(dst, src.read_bytes())
                kept.append(dst)
    return kept


def run_open(args: argparse.Namespace) -> int:
    from kpa_core.audit.states import seal_of

    data_dir = data_dir_of(args)
    line = review_open(data_dir, args.year, args.unit, args.why, args.by)
    pub = seal_of(data_dir, args.year, args.unit)
    for path in keep_originals(data_dir, args.year, args.unit, pub.revision if pub else 0):
        print(f"  已保留原件 original kept: {path}")
    print(f"✔ {args.unit} 复核已开启 / review opened by {line['who']}: 记录可修改，修改后 "
          f"kpa approve 再 kpa review close / the records can be changed; then approve and "
          "close")
    return 0


def run_close(args: argparse.Namespace) -> int:
    pub = review_close(data_dir_of(args), args.year, args.unit, args.by)
    print(f"✔ {args.unit} 复核后重新签发 / republished after review: 文号 "
          f"{pub.data.get('doc_no') or '-'}{revision_mark(pub)}")
    print(f"  新封存码 new seal code: {pub.code}")
    print(f"下一步 next: kpa report --year {args.year}")
    return 0
