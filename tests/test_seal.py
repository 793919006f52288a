"""``kpa verify --seal CODE`` catches the three attacks of issue #22, each by name.

Each attack first passes plain ``kpa verify`` (that is the point of the issue), then fails the
seal check with the attack's own name. The year is the 2013 sample, every record approved and
published by the head, its seal code written down as the paper notice would carry it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kpa_core.audit import states
from kpa_core.audit.log import GENESIS, audit_path, line_hash
from kpa_core.audit.seal import normalise_code, verify_seal
from kpa_core.audit.verify import attest_year, verify_year
from kpa_core.cli import main
from kpa_core.errors import KpaInputError
from kpa_core.year.data import load_units

ROOT = Path(__file__).resolve().parents[1]
TOML = """[[people]]
name = "王明"
role = "assessor"
[[people]]
name = "赵主任"
role = "head"
"""


@pytest.fixture()
def published(tmp_path: Path) -> tuple[Path, str]:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "kpa.toml").write_text(TOML, encoding="utf-8")
    data = tmp_path / "data"
    for uid in load_units(data):
        states.approve(data, 2013, uid, "王明", login="nobody")
    pub = states.publish(data, 2013, "赵主任", "克职院纪〔2013〕3号", login="nobody")
    return data, pub.code


def test_the_seal_holds_on_the_published_year(published, capsys):
    data, code = published
    assert verify_seal(data, 2013, code).failures == []
    assert verify_seal(data, 2013, code.lower().replace("-", " ")).failures == []
    assert main(["verify", "--year", "2013", "--data", str(data), "--seal", code]) == 0
    assert f"封存码 {code} 与审计链及记录一致" in capsys.readouterr().out


def test_a_malformed_code_is_refused():
    with pytest.raises(KpaInputError) as info:
        normalise_code("7F3A-91C2")
    assert "12 位十六进制" in info.value.problems[0].allowed_zh


def rechain(path: Path, change) -> None:  # noqa: ANN001
    """The attacker's tool: edit lines, then recompute every ``prev`` after them."""
    prev, out = GENESIS, []
    for raw in path.read_bytes().split(b"\n")[:-1]:
        line = json.loads(raw)
        change(line)
        line["prev"] = prev
        raw = json.dumps(line, ensure_ascii=False, default=str).encode("utf-8")
        prev = line_hash(raw)
        out.append(raw)
    path.write_bytes(b"\n".join(out) + b"\n")


def test_a_rewritten_record_with_the_chain_recomputed_is_named_rechained(published, capsys):
    data, code = published
    record = data / "2013" / "arts.yaml"
    old = hashlib.sha256(record.read_bytes()).hexdigest()
    record.write_text(record.read_text(encoding="utf-8") + "\n# 改低扣分\n", encoding="utf-8")
    new = hashlib.sha256(record.read_bytes()).hexdigest()

    def change(line: dict) -> None:  # every mention of arts' old sha256 becomes the new one
        for key in ("sha256_after", "sha256"):
            if line.get(key) == old:
                line[key] = new
        if line.get("action") == "publish":
            line["records"]["arts"] = new

    rechain(audit_path(data, 2013), change)
    assert verify_year(data, 2013).failures == []  # the attack passes plain verify
    failures = verify_seal(data, 2013, code).failures
    assert len(failures) == 1 and "rechained" in failures[0] and "重算哈希" in failures[0]
    assert main(["verify", "--year", "2013", "--data", str(data), "--seal", code]) == 1
    assert "rechained" in capsys.readouterr().out


def test_a_log_cut_by_two_lines_with_the_files_restored_is_named_truncated(published):
    data, code = published
    log = audit_path(data, 2013)
    lines = log.read_bytes().split(b"\n")[:-1]
    log.write_bytes(b"\n".join(lines[:-2]) + b"\n")  # the publication and the last approval
    assert verify_year(data, 2013).failures == []  # the attack passes plain verify
    failures = verify_seal(data, 2013, code).failures
    assert len(failures) == 1 and "truncated" in failures[0] and "截断" in failures[0]


def test_a_swapped_record_is_named_even_when_attested(published):
    data, code = published
    arts, chemical = data / "2013" / "arts.yaml", data / "2013" / "chemical.yaml"
    arts.write_bytes(chemical.read_bytes().replace(b"chemical", b"arts"))  # another's record
    attest_year(data, 2013, "某人", "看起来没问题")  # brought into the chain: plain verify passes
    assert verify_year(data, 2013).failures == []
    failures = verify_seal(data, 2013, code).failures
    assert len(failures) == 1 and "arts.yaml" in failures[0]
    assert "swapped record" in failures[0] and "记录被替换" in failures[0]


def test_the_notice_carries_the_seal_and_after_a_review_the_new_one(published):
    from kpa_core.report.seal_line import seal_html

    data, code = published
    line = seal_html(str(data), 2013, "arts")
    assert f"文号 克职院纪〔2013〕3号 · 封存码 {code}" in line and "复核后" not in line
    assert seal_html(str(data), 2014, "arts") == ""  # nothing published: no seal line
    states.review_open(data, 2013, "arts", "单位申请复核", "王明", login="nobody")
    second = states.review_close(data, 2013, "arts", "赵主任", login="nobody")
    line = seal_html(str(data), 2013, "arts")
    assert line.startswith('<p class="kpa-seal"')
    assert "复核后 · 文号 克职院纪〔2013〕3号（复核修订1）" in line
    assert second.code in line and code not in line
    assert code in seal_html(str(data), 2013, "chemical")  # the other notices keep theirs
    assert states.year_seal(data, 2013).code == code  # the 公示 summary's: the year's first


def test_the_published_summary_carries_the_seal_code_and_a_draft_one_none():
    """The posted 公示 summary anchors the chain like the stamped notice (issue #22, item 3):
    the sample's 2012 is published under 克职院纪〔2013〕1号 with seal 8812-C86D-70C4."""
    from kpa_core.report.summary import seal_text

    data = Path(__file__).resolve().parents[1] / "data"
    text = seal_text(data, 2012)
    assert "封存码 8812-C86D-70C4" in text and "克职院纪〔2013〕1号" in text
    assert "kpa verify --year 2012 --seal 8812-C86D-70C4" in text
    assert seal_text(data, 2013) == ""  # not published: no seal on the page
