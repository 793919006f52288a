"""Scenario files in the audit chain: ``kpa verify`` checks ``params/<year>/scenarios/``.

Why: a what-if scenario saved from the form gets a ``save_scenario`` line, but verify never
looked at the files, so a scenario edited or planted behind kpa's back verified. Each line now
holds the sha256 of the file it wrote (``entry.controller``), and a scenario file on disk must
be the one the last line about it names. Lines written before kpa kept that sha256 can only
say the file was saved (a note, not a failure).
"""

from __future__ import annotations

from pathlib import Path

from kpa_core.audit.log import Chain, sha256_file

ACTION = "save_scenario"


def scenario_lines(chain: Chain) -> dict[str, tuple[str | None, int]]:
    """scenario file name → (sha256 the last line about it recorded, or None; line number)."""
    state: dict[str, tuple[str | None, int]] = {}
    for ln in chain.lines:
        if ln.data.get("action") == ACTION and isinstance(ln.data.get("path"), str):
            sha = ln.data.get("sha256")
            state[Path(ln.data["path"]).name] = (sha if isinstance(sha, str) else None,
                                                 ln.number)
    return state


def check_scenarios(params_dir: Path, year: int, chain: Chain) -> tuple[list[str], list[str]]:
    """(failures, notes) for the scenario files of one year."""
    folder = Path(params_dir) / str(int(year)) / "scenarios"
    if not folder.is_dir():
        return [], []
    known = scenario_lines(chain)
    failures, notes = [], []
    for path in sorted(folder.glob("*.yaml")):
        sha = sha256_file(path)
        if path.name not in known:
            failures.append(f"{path}：没有任何审计行说明这个假设方案（sha256 {_short(sha)}）/ no "
                            "audit line explains this what-if scenario (saved outside kpa?)")
            continue
        want, number = known[path.name]
        if want is None:
            notes.append(f"{path}：第 {number} 行未记录方案的 sha256（旧版 kpa 保存），"
                         f"无法核对内容 / line {number} predates scenario hashes: its "
                         "content cannot be checked")
        elif want != sha:
            failures.append(f"{path}：假设方案在 kpa 之外被改动 / the scenario was changed "
                            f"outside kpa: sha256 {_short(sha)} on disk, line {number} of the "
                            f"log says {_short(want)}")
    return failures, notes


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "（无文件 none）"
