"""Which of the draft's open questions matter: rescore a year under every alternative reading.

Before the office finalises the rules it needs to know whether reading an ambiguous clause
another way would change anyone's total or rank. For each non-default value of each reading
option (``kpa_core.rubric.readings``) the year is rescored with the vectorised path and
compared with the year as scored today; when the options are few enough, every combination
is scored too.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

import pandas as pd

from kpa_core.rubric.model import Rubric, load_rubric
from kpa_core.rubric.readings import apply_readings, fixed_clauses, load_readings
from kpa_core.rubric.rules import kind_of
from kpa_core.scoring.ordering import ranked
from kpa_core.scoring.record import Record
from kpa_core.scoring.score import score_year

MAX_COMBINATIONS = 128  # score every combination of readings up to this many, else singles only
COLUMNS = ["reading", "options", "label", "units_changed", "max_change", "rank_move",
           "rank_move_unit", "top3_changed", "bottom3_changed", "changes", "undetermined"]


def reading_variants(rubric_id: str, combinations: bool = True,
                     max_combinations: int = MAX_COMBINATIONS) -> list[dict[str, str]]:
    """Each non-default value alone, then (if few enough) every combination of 2+ options."""
    options = load_readings(rubric_id)
    # The engine's option (cap_scope) is an override: its default value is a variant too, for
    # the records that ask for the other scope themselves (both directions).
    singles = [{name: v} for name, o in options.items() for v in o.values
               if v != o.default or o.engine]
    n_all = 1
    for o in options.values():
        n_all *= len(o.values)
    if not combinations or n_all > max_combinations:
        return singles
    combos = []
    for values in itertools.product(*(list(o.values) for o in options.values())):
        choice = {n: v for n, v, o in zip(options, values, options.values(), strict=True)
                  if v != o.default}
        if len(choice) >= 2:
            combos.append(choice)
    return singles + combos


def reading_name(choice: Mapping[str, str]) -> str:
    return " + ".join(f"{k}={v}" for k, v in choice.items())


def _ends(table: pd.DataFrame, n: int = 3) -> tuple[list[str], list[str]]:
    order = ranked(table)["unit_id"].tolist()
    return order[:n], order[-n:]


def compare_tables(base: pd.DataFrame, other: pd.DataFrame) -> dict[str, object]:
    """How one rescoring differs from the baseline: totals, ranks, top and bottom three."""
    delta = (other["total"] - base["total"]).astype(float)
    changed = delta[delta != 0]
    moves = (base["rank"] - other["rank"]).astype(int)  # positive = up
    worst = moves.abs().idxmax() if len(moves) and moves.abs().max() > 0 else None
    top0, bottom0 = _ends(base)
    top1, bottom1 = _ends(other)
    big = changed.reindex(changed.abs().sort_values(ascending=False, kind="stable").index)
    return {
        "units_changed": int(len(changed)),
        "max_change": float(big.iloc[0]) if len(big) else 0.0,
        "rank_move": int(moves[worst]) if worst is not None else 0,
        "rank_move_unit": str(worst) if worst is not None else "",
        "top3_changed": top0 != top1,
        "bottom3_changed": bottom0 != bottom1,
        "changes": "; ".join(f"{u} {base.at[u, 'total']:g}→{other.at[u, 'total']:g}"
                             for u in big.index),
    }


def held_by(records: Sequence[Record], rubric: Rubric) -> list[Record]:
    """The records with only the entries ``rubric`` has rules for.

    A record built for a reading may hold an entry only that reading adds (B08.orphan=rule);
    under another reading the entry has no rule and counts for nothing.
    """
    out = []
    for r in records:
        kept = {rid: e for rid, e in r.entries.items() if rid in rubric.rules}
        out.append(r if len(kept) == len(r.entries) else dataclasses.replace(r, entries=kept))
    return out


def undetermined(records: Sequence[Record], rubric: Rubric) -> list[str]:
    """``unit rule: why`` for every entry the rubric's reading cannot price from its facts.

    Such an entry keeps the released reading's amount (never zero) and is named here instead.
    """
    out = []
    for r in records:
        for rid, e in r.entries.items():
            rule = rubric.rules.get(rid)
            why = kind_of(rule).undetermined(rule, e) if rule is not None else None
            if why:
                out.append(f"{r.unit_id or r.unit} {rid}: {why.split(' / ')[0]}")
    return out


def sensitivity(records: Sequence[Record], rubric: Rubric | None = None,
                cap_scope: str | None = None, combinations: bool = True,
                max_combinations: int = MAX_COMBINATIONS) -> pd.DataFrame:
    """One row per reading (and combination): its effect on the year against today's scores.

    Columns: reading (``name=value`` joined by ``+``), options (how many changed), label (the
    Chinese/English reading for singles), units_changed, max_change (the largest change of a
    total, signed), rank_move (the largest rank move, signed: + is up) and its unit,
    top3_changed / bottom3_changed (the first or last three, in order, differ), changes
    (``unit old→new`` for every unit whose total changed, largest first). ``attrs["baseline"]``
    holds the baseline table.
    """
    rubric = rubric or load_rubric(records[0].rubric)
    options = load_readings(rubric.id)
    base = score_year(held_by(records, rubric), cap_scope=cap_scope, rubric=rubric).table
    rows = []
    for choice in reading_variants(rubric.id, combinations, max_combinations):
        derived = apply_readings(rubric, choice)[0]
        held = held_by(records, derived)
        other = score_year(held, cap_scope=cap_scope, rubric=rubric, readings=choice).table
        label = options[next(iter(choice))].label(next(iter(choice.values()))) \
            if len(choice) == 1 else ""
        rows.append({"reading": reading_name(choice), "options": len(choice), "label": label,
                     **compare_tables(base, other),
                     "undetermined": "; ".join(undetermined(held, derived))})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["baseline"] = base
    return frame


def summary_lines(frame: pd.DataFrame) -> list[str]:
    """A few bilingual sentences on the combinations, for the terminal and the HTML page."""
    combos = frame[frame["options"] >= 2]
    if combos.empty:
        return []
    worst = combos.sort_values(["units_changed", "rank_move"], ascending=False,
                               key=lambda s: s.abs()).iloc[0]
    return [
        f"组合 {len(combos)} 种 / {len(combos)} combinations scored; "
        f"前三名变化 top 3 change in {int(combos['top3_changed'].sum())}, "
        f"后三名变化 bottom 3 in {int(combos['bottom3_changed'].sum())}.",
        f"影响最大的组合 / the widest: {worst['reading']} — {worst['units_changed']} 个单位 "
        f"units, 最大名次变动 largest rank move {worst['rank_move']:+d}.",
    ]


def text_chart(frame: pd.DataFrame, width: int = 30) -> list[str]:
    """The terminal's chart: one bar of ``█`` per single reading, as long as its units changed."""
    singles = frame[frame["options"] == 1]
    if singles.empty:
        return []
    peak = max(1, int(singles["units_changed"].max()))
    pad = max(len(r) for r in singles["reading"])
    return [f"{r.reading:<{pad}}  {'█' * round(width * r.units_changed / peak)} "
            f"{r.units_changed}" for r in singles.itertuples()]


def ambiguity_rows(rubric_id: str) -> list[dict[str, str]]:
    """Every open question kpa knows: option, the clause quoted, default and each reading."""
    rows = []
    for name, o in load_readings(rubric_id).items():
        for value in o.values:
            rows.append({"option": name, "question": f"{o.zh} / {o.en}",
                         "clause": o.clause or "", "value": value,
                         "default": "是 yes" if value == o.default else "",
                         "label": o.label(value)})
    return rows


def fixed_rows(rubric_id: str) -> list[dict[str, str]]:
    """The clauses read one way with no alternative, and why."""
    return [{"where": c.get("where", ""), "clause": c.get("clause", ""),
             "why": f"{c.get('zh', '')} / {c.get('en', '')}"} for c in fixed_clauses(rubric_id)]


def listing_lines(rubric_id: str) -> list[str]:
    """The terminal's account of every ambiguity and every clause read one way."""
    lines = ["歧义条款及其解读 / every open question and its readings:"]
    for name, o in load_readings(rubric_id).items():
        lines.append(f"  {name}: {o.zh} / {o.en}")
        if o.clause:
            lines.append(f"    原文 clause: “{o.clause}”")
        for value in o.values:
            mark = "（默认 released）" if value == o.default else ""
            lines.append(f"    {name}={value}{mark}: {o.label(value)}")
    lines.append("只有一种读法的条款及原因 / clauses read one way, and why:")
    for row in fixed_rows(rubric_id):
        lines.append(f"  {row['where']}: “{row['clause']}” — {row['why']}")
    return lines
