"""``kpa verify --seal CODE``: the files checked against the code printed on the stamped paper.

Why: the audit chain proves only its own consistency. Whoever can write the folder can rewrite
a record and recompute every hash after it, or cut the last lines off and restore the files,
and ``kpa verify`` alone still passes. The seal code on the notice and the posted 公示 summary
is outside the folder: it is the first 48 bits of the publication line's sha256, and that line
holds the chain's head before it and every published record's sha256. So:

- **rechained**: the log still has a publication line, but it no longer hashes to the code —
  a line at or before it was rewritten and the hashes recomputed;
- **truncated**: the log has no publication line (or none up to the code): its end was cut;
- **swapped record**: the line matches, but a record file is not the one it sealed (and no
  later 复核 republished that unit).

Each is named; any one is exit 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kpa_core.audit.log import read_chain
from kpa_core.audit.states import Publication, seal_code, year_process
from kpa_core.audit.verify import check_links, short
from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.layout import record_path

CODE_PATTERN = re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$")


@dataclass
class SealVerdict:
    """What ``verify_seal`` found; ``publication`` is the line the code matched, if any."""

    year: int
    code: str
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    publication: Publication | None = None


def normalise_code(code: str) -> str:
    """``7f3a 91c2 0b44`` and ``7F3A-91C2-0B44`` are one code; anything else is refused."""
    compact = re.sub(r"[\s\-]", "", str(code)).upper()
    shaped = "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    if not CODE_PATTERN.match(shaped):
        raise KpaInputError([Problem("封存码格式错误", "not a seal code", field="seal",
                                     value=code, allowed_zh="12 位十六进制，如 7F3A-91C2-0B44",
                                     allowed_en="12 hex digits, e.g. 7F3A-91C2-0B44")])
    return shaped


def verify_seal(data_dir: str | Path, year: int, code: str) -> SealVerdict:
    """Check that the chain up to a publication line hashes to ``code`` and the files match."""
    data_dir = Path(data_dir)
    code = normalise_code(code)
    verdict = SealVerdict(int(year), code)
    chain = read_chain(data_dir, year)
    pubs = [ln for ln in chain.lines if ln.data.get("action") == "publish"]
    match = next((ln for ln in pubs if seal_code(ln.hash) == code), None)
    if match is None:
        if pubs:
            found = "、".join(seal_code(ln.hash) for ln in pubs)
            verdict.failures.append(
                f"审计日志被改写并重算哈希（rechained）：日志中的签发行封存码为 {found}，"
                f"不是纸面上的 {code} / rechained: the log's publication line(s) seal to "
                f"{found}, not {code}; a line at or before the publication was rewritten "
                "and the hashes recomputed")
        else:
            verdict.failures.append(
                f"审计日志被截断（truncated）：日志（{len(chain.lines)} 行）中没有封存码 {code} "
                f"的签发行 / truncated: the log ({len(chain.lines)} lines) has no publication "
                f"line at all; its end, with the publication sealed as {code}, was cut off")
        return verdict
    pub = Publication(match)
    verdict.publication = pub
    upto = type(chain)(chain.path, [ln for ln in chain.lines if ln.number <= match.number])
    if broken := check_links(upto):
        verdict.failures.append(f"签发行之前的审计链断开 / the chain before the publication "
                                f"is broken: {broken}")
    proc = year_process(data_dir, year, chain)
    for role, key in (("assessor", "records"), ("self", "self_records")):
        for unit_id, sealed in sorted((pub.data.get(key) or {}).items()):
            later = proc.publication_of(unit_id)
            if later is not None and later.line.number > match.number:
                verdict.notes.append(f"{unit_id}：复核后已重新签发，新封存码 {later.code} / "
                                     f"republished after review, new seal {later.code}")
                continue
            if unit_id in proc.open_reviews:
                verdict.notes.append(f"{unit_id}：复核进行中 / a review is open")
                continue
            _check_file(data_dir, year, unit_id, role, sealed, verdict)
    return verdict


def _check_file(data_dir: Path, year: int, unit_id: str, role: str, sealed: str,
                verdict: SealVerdict) -> None:
    from kpa_core.audit.log import sha256_file

    try:
        path = record_path(data_dir, year, unit_id, role)
    except KpaInputError:
        verdict.failures.append(f"签发行中的单位代码不合法 / a bad unit id in the seal: "
                                f"{unit_id!r}")
        return
    now = sha256_file(path)
    if now != sealed:
        verdict.failures.append(
            f"{path}：记录被替换（swapped record）：磁盘上 sha256 {short(now)}，封存的是 "
            f"{short(sealed)} / swapped record: this is not the record the seal "
            f"{verdict.code} covers")
