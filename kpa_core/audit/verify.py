"""``kpa verify``: walk a year's audit chain against the records on disk and the params.

What counts as sound (exit 0): every line's ``prev`` is the sha256 of the line before it;
every record file's sha256 is the one the last line about it set; every saved params file
holds a record sha256 that some line set. Everything else is named (exit 1): the first broken
link, a record whose sha256 no line explains (edited, added or deleted behind kpa's back), a
save that started from a version no line explains, a params record nowhere in the chain.

A record that reached the folder some other way — the sample generator, a copy from an older
workspace, a hand edit the office accepts — is brought into the chain on purpose with
``kpa verify --year Y --attest --who … --why …``: one ``attest`` line per such file, naming
who accepted it and why. An interrupted save (the line was written, the record was not: only a save
missing its completion mark, and only the last one) and a torn last line are notes, not
failures: neither changed anything. A completed save whose record no longer matches is named
tampering.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpa_core.audit.log import (
    GENESIS,
    RECORD_ACTIONS,
    Chain,
    ChainLine,
    append_audit,
    marked_done,
    pending_intents,
    read_chain,
    record_key,
    recover,
    sha256_file,
    year_lock,
)
from kpa_core.audit.params_lines import params_state
from kpa_core.audit.rectify_chain import evidence_of, replay
from kpa_core.audit.scenarios import check_scenarios
from kpa_core.errors import KpaInputError
from kpa_core.evidence.store import stored_status
from kpa_core.evidence.verify import check_cited
from kpa_core.store.layout import ROLE_FOLDERS, year_dir
from kpa_core.store.yaml_io import read_yaml

Key = tuple[str, str]  # (unit id, role)


@dataclass
class YearVerdict:
    """What ``verify_year`` found: failures make the exit status 1, notes do not."""

    year: int
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0  # record files compared with the chain
    lines: int = 0


@dataclass
class _State:
    sha: dict[Key, tuple[str | None, int]] = field(default_factory=dict)  # latest, line no.
    history: dict[Key, set[str]] = field(default_factory=lambda: defaultdict(set))
    completed: dict[Key, bool] = field(default_factory=dict)  # latest save carries its mark


def short(sha: str | None) -> str:
    return sha[:12] if sha else "（无文件 none）"


def check_links(chain: Chain) -> str | None:
    """The first line whose ``prev`` is not the sha256 of the line before it, described."""
    prev, chained = GENESIS, False
    for ln in chain.lines:
        if "prev" not in ln.data:  # written before the log was a chain: allowed only first
            if chained:
                return (f"审计链在第 {ln.number} 行断开：该行没有 prev 字段 / the chain breaks at "
                        f"line {ln.number}: it has no prev field")
            prev = ln.hash
            continue
        chained = True
        if ln.data["prev"] != prev:
            return (f"审计链在第 {ln.number} 行断开（前一行被改动、删除或插入）/ the chain breaks "
                    f"at line {ln.number}: its prev {short(ln.data['prev'])} is not the sha256 "
                    f"of the line before ({short(prev)}); a line was altered, removed or inserted")
        prev = ln.hash
    return None


def _walk(chain: Chain, skip: set[str], verdict: YearVerdict) -> _State:
    """Replay the record lines in order; a save that started from an unexplained sha fails."""
    state = _State()
    done_lines, done_batches = marked_done(chain)
    for ln in chain.lines:
        d = ln.data
        if d.get("action") not in RECORD_ACTIONS or ln.hash in skip:
            continue
        key = record_key(d)
        before, after = d.get("sha256_before"), d.get("sha256_after")
        if key in state.sha and d.get("action") != "attest" and before != state.sha[key][0]:
            verdict.failures.append(
                f"{key[0]}（{key[1]}）在第 {ln.number} 行保存前已被 kpa 之外改动 / {key[0]} "
                f"({key[1]}) was changed outside kpa before the save of line {ln.number}: it "
                f"started from {short(before)}, the chain had {short(state.sha[key][0])} "
                f"(line {state.sha[key][1]})")
        state.sha[key] = (after, ln.number)
        state.completed[key] = ln.hash in done_lines or d.get("batch") in done_batches
        if after:
            state.history[key].add(after)
    return state


def _record_files(data_dir: Path, year: int) -> dict[Key, Path]:
    files: dict[Key, Path] = {}
    for role in ROLE_FOLDERS:
        folder = year_dir(data_dir, year, role)
        if folder.is_dir():
            files.update({(p.stem, role): p for p in sorted(folder.glob("*.yaml"))})
    return files


def _check_disk(data_dir: Path, year: int, state: _State, verdict: YearVerdict) -> None:
    files = _record_files(data_dir, year)
    attest = (f"kpa verify --year {year} --attest --who 姓名 --why 原因")
    for key, path in files.items():
        verdict.checked += 1
        sha = sha256_file(path)
        if key not in state.sha:
            verdict.failures.append(
                f"{path}：没有任何审计行说明这份记录（sha256 {short(sha)}）；如内容无误，请用 "
                f"`{attest}` 确认 / no audit line explains this record; if it is right, "
                "attest it")
        elif state.sha[key][0] != sha and state.completed.get(key):
            verdict.failures.append(
                f"{path}：篡改——第 {state.sha[key][1]} 行的保存已完成（有完成标记），记录此后在 "
                f"kpa 之外被替换 / tampering: the save of line {state.sha[key][1]} completed "
                f"(it carries its completion mark), yet the record on disk is sha256 "
                f"{short(sha)}, not {short(state.sha[key][0])}: it was changed outside kpa "
                "after the save (an older copy put back is not an interrupted save)")
        elif state.sha[key][0] != sha:
            verdict.failures.append(
                f"{path}：记录在 kpa 之外被改动 / changed outside kpa: sha256 {short(sha)} on "
                f"disk, line {state.sha[key][1]} of the log says {short(state.sha[key][0])}")
    for key, (sha, number) in state.sha.items():
        if sha and key not in files:
            verdict.failures.append(
                f"{key[0]}（{key[1]}）：记录文件已在 kpa 之外删除 / its record file was deleted "
                f"outside kpa (line {number} of the log says {short(sha)})")


def _check_params(params_dir: Path, year: int, state: _State, verdict: YearVerdict,
                  chain: Chain | None = None) -> None:
    folder = Path(params_dir) / str(int(year))
    if not folder.is_dir():
        return
    written = params_state(chain) if chain is not None else {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in written and (now := sha256_file(path)) != written[path.name][0]:
            verdict.failures.append(
                f"{path}：参数文件在 kpa report 写出后被改动 / the params file was changed after "
                f"kpa report wrote it: sha256 {short(now)} on disk, line "
                f"{written[path.name][1]} of the log says {short(written[path.name][0])}")
            continue
        try:
            data: Any = read_yaml(path)
        except KpaInputError as exc:
            verdict.failures.append(f"{path}：参数文件无法读取 / unreadable params file: "
                                    f"{exc.problems[0]}")
            continue
        record = data.get("record") if isinstance(data, dict) else None
        if not isinstance(record, dict):
            verdict.failures.append(f"{path}：参数文件缺少 record / params without a record")
            continue
        embedded = record.get("data") if isinstance(record.get("data"), dict) else {}
        key = (str(data.get("unit_id") or path.stem), str(embedded.get("role") or "assessor"))
        sha = record.get("sha256")
        if sha not in state.history.get(key, set()):
            verdict.failures.append(
                f"{path}：其记录（sha256 {short(sha)}）不在审计链中 / the record it was made "
                f"from (sha256 {short(sha)}) is nowhere in the chain of {key[0]}")


def verify_year(data_dir: str | Path, year: int, params_dir: str | Path | None = None
                ) -> YearVerdict:
    """Check one year's chain, records and params; see the module docstring."""
    data_dir = Path(data_dir)
    verdict = YearVerdict(int(year))
    chain = read_chain(data_dir, year)
    verdict.lines = len(chain.lines)
    if note := chain.torn_note():
        verdict.notes.append(note)
    for number, why in chain.bad:
        verdict.failures.append(f"审计日志第 {number} 行无法读取 / line {number} of the log is "
                                f"unreadable: {why}")
    if broken := check_links(chain):
        verdict.failures.append(broken)
    pending = pending_intents(chain, data_dir)
    for ln in pending:
        verdict.notes.append(_pending_note(ln))
    voided = {ln.data.get("voids") for ln in chain.lines if ln.data.get("action") == "void"}
    state = _walk(chain, voided | {ln.hash for ln in pending}, verdict)
    _check_disk(data_dir, year, state, verdict)
    verdict.failures += check_cited(data_dir, year)  # every cited evidence file, by its hash
    verdict.failures += check_ledger(data_dir, year, chain)
    if params_dir is not None:
        _check_params(Path(params_dir), year, state, verdict, chain)
        failures, notes = check_scenarios(Path(params_dir), year, chain)
        verdict.failures += failures
        verdict.notes += notes
    return verdict


def check_ledger(data_dir: Path, year: int, chain: Chain) -> list[str]:
    """The 整改台账's lines: each about a known item, each a legal transition, every cited
    evidence file stored whole under its sha256."""
    ledger, broken = replay(chain, year)
    failures = [f"整改台账 / rectification ledger: {f}" for f in broken]
    for state, sha in evidence_of(ledger):
        try:
            why = stored_status(data_dir, year, sha)
        except KpaInputError:
            why = ("sha256 不合法", "the sha256 is malformed")
        if why:
            failures.append(f"整改台账 {state.item.unit_id} {state.item.item_id} 的佐证 "
                            f"{short(sha)}：{why[0]} / the evidence {short(sha)} of the "
                            f"rectification report of {state.item.unit_id} "
                            f"{state.item.item_id}: {why[1]}")
    return failures


def _pending_note(ln: ChainLine) -> str:
    return (f"第 {ln.number} 行的保存被中断，记录未改变（下次保存时作废该行）/ the save of line "
            f"{ln.number} ({ln.data.get('unit_id')}) was interrupted before the record was "
            "written; nothing changed, the next save voids the line")


def attest_year(data_dir: str | Path, year: int, who: str, why: str, *,
                when: str | None = None, lock: bool = True) -> list[Path]:
    """Append an ``attest`` line for every record the chain does not explain; return them.

    ``lock=False`` only for a sole writer that must not leave a lock file (the sample
    generator); ``when`` fixes the timestamp so that generated sample data is reproducible.
    """
    data_dir = Path(data_dir)
    if not lock:
        return _attest(data_dir, year, who, why, when)
    with year_lock(data_dir, year):
        recover(data_dir, year)
        return _attest(data_dir, year, who, why, when)


def _attest(data_dir: Path, year: int, who: str, why: str, when: str | None) -> list[Path]:
    chain = read_chain(data_dir, year)
    voided = {ln.data.get("voids") for ln in chain.lines if ln.data.get("action") == "void"}
    state = _walk(chain, voided, YearVerdict(year))
    done = []
    for key, path in _record_files(data_dir, year).items():
        sha = sha256_file(path)
        was = state.sha.get(key, (None, 0))[0]
        if was == sha:
            continue
        append_audit(data_dir, year, who=who, why=why, action="attest", unit_id=key[0],
                     unit=key[0], what={}, when=when,
                     extra={"role": key[1], "path": _rel(path, data_dir),
                            "sha256_before": was, "sha256_after": sha})
        done.append(path)
    return done


def _rel(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)
