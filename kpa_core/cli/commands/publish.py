"""``kpa publish --year Y --by NAME [--doc-no 文号]``: the head publishes and seals the year.

Every assessors' record must be 已审核. One ``publish`` line goes into the chain; its seal code
is printed here and on every notice rendered afterwards (``kpa report``), so the stamped paper
anchors the chain: ``kpa verify --year Y --seal CODE`` checks the files against it years later.
"""

from __future__ import annotations

import argparse

from kpa_core.cli.options import add_data_option, add_year_option, data_dir_of
from kpa_core.rectify.ledger import publish_and_open


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish", help="签发公布并封存一个年度（纪委负责人）/ publish and seal a year (head)",
        description="纪委负责人签发：要求全部考核组记录已审核；写入签发行并给出封存码，"
        "此后该年度记录只能经复核修改 / the head publishes: every assessors' record must be "
        "reviewed; writes the publication line and prints the seal code; afterwards the year "
        "changes only through a review.")
    add_year_option(p)
    add_data_option(p)
    p.add_argument("--by", default=None, help="签发人（kpa.toml 中的纪委负责人）/ who publishes "
                                              "(a head listed in kpa.toml)")
    p.add_argument("--doc-no", default=None, help="文号，如 克职院纪〔2013〕3号 / the document "
                                                  "number")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    pub, ledger = publish_and_open(data_dir, args.year, args.by, args.doc_no)
    n = len(pub.data.get("records") or {})
    print(f"✔ {args.year} 年度已签发，{n} 个单位 / published, {n} units")
    deadline = min((s.item.deadline for s in ledger.items), default=None)
    print(f"  整改台账已开立 rectification ledger opened: {len(ledger.items)} 项 items"
          + (f"，整改期限 deadline {deadline}" if deadline else ""))
    print(f"  封存码 seal code: {pub.code}")
    print(f"  请在盖章的通知与公示上印出封存码；核对：kpa verify --year {args.year} --seal "
          f"{pub.code} / print the code on the stamped notices and the 公示; check with the "
          "command above")
    print(f"下一步 next: kpa report --year {args.year}")
    return 0
