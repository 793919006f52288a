"""Report params in the year's audit chain: the sha256 of each params file a batch wrote.

Why: ``kpa verify`` used to check only that a params file's *record* sha256 was somewhere in
the chain, so a params file edited after the batch (its bands, options, scores, with sha256s
recomputed) still verified. Now each ``kpa report`` appends one ``params`` line naming the
sha256 of every params file it wrote or found current (only those that changed since the
chain last named them), and verify names any params file whose bytes are not the last ones the
chain recorded (``verify._check_params``). Params files older than this line (no line names
them) are checked as before.
"""

from __future__ import annotations

from pathlib import Path

from kpa_core.audit.log import Chain, append_audit, read_chain, recover, year_lock

ACTION = "params"


def params_state(chain: Chain) -> dict[str, tuple[str, int]]:
    """params file name (``<unit id>.yaml``) → (its last recorded sha256, line number)."""
    state: dict[str, tuple[str, int]] = {}
    for ln in chain.lines:
        files = ln.data.get("params") if ln.data.get("action") == ACTION else None
        if isinstance(files, dict):
            state.update({str(name): (str(sha), ln.number) for name, sha in files.items()})
    return state


def record_params(data_dir: str | Path, year: int, shas: dict[str, str]) -> dict[str, str]:
    """Append one ``params`` line for the unit ids whose params sha256 the chain lacks.

    ``shas`` maps unit id → sha256 of ``params/<year>/<unit id>.yaml`` as just written.
    Returns what was recorded (empty when the chain already named every file as it is).
    """
    wanted = {f"{uid}.yaml": sha for uid, sha in sorted(shas.items()) if sha}
    with year_lock(data_dir, year):
        recover(data_dir, year)
        known = params_state(read_chain(data_dir, year))
        new = {name: sha for name, sha in wanted.items() if known.get(name, ("",))[0] != sha}
        if new:
            append_audit(data_dir, year, who="kpa report", why="报告参数写出 report params "
                         "written", action=ACTION, unit_id="-", unit="-", what={},
                         extra={"params": new})
    return new
