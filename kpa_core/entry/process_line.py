"""The app's view of the year's process: the state line, and the saver chosen from a list.

Why: the form is where most saves happen, so it must say what the chain says — 草稿, 已提交,
已审核, 已签发 (with its seal code: then a save is refused until a 复核 is opened) — and, when
``kpa.toml`` lists the office's people, offer them as a list instead of a free-text box. A login
mapped to a person (``$JUPYTERHUB_USER``, else the OS user) is preselected and fixed.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w

from kpa_core.audit.people import login_identity, people_of
from kpa_core.audit.states import RecordState, year_process
from kpa_core.entry.styles import esc, with_class
from kpa_core.errors import KpaInputError


def who_widget(data_dir: str | Path, text: w.Text) -> w.Widget:
    """A list of kpa.toml's people (the mapped login fixed), or ``text`` when none are listed."""
    try:
        people = people_of(data_dir)
    except KpaInputError:  # a bad kpa.toml is reported by the commands; the form still opens
        return text
    if not people:
        return text
    login = login_identity()
    mapped = next((p for p in people if p.login and p.login == login), None)
    box = w.Dropdown(options=[(f"{p.name}（{p.role_zh}）", p.name) for p in people],
                     value=mapped.name if mapped else None, description="保存人",
                     disabled=mapped is not None, layout=w.Layout(width="260px"),
                     style={"description_width": "70px"})
    return with_class(box, "kpa-who")


def state_html(data_dir: str | Path, year: int, unit_id: str, role: str) -> str:
    """`` · 流程：已审核（王明 2014-01-08）``; after publication the seal and the one route."""
    try:
        proc = year_process(data_dir, year)
    except KpaInputError:
        return ""
    rs = proc.records.get((unit_id, role)) or RecordState(unit_id, role)
    who = f"（{esc(rs.who)} {esc((rs.when or '')[:10])}）" if rs.who else ""
    line = f" · 流程 process：{esc(rs.state_zh)}{who}"
    pub = proc.locked_by(unit_id)
    if pub is not None:
        line += (f" · 已签发，封存码 {esc(pub.code)}；修改须先开启复核 / published: changes need "
                 f"<code>kpa review open --year {int(year)} --unit {esc(unit_id)}</code>")
    elif unit_id in proc.open_reviews:
        line += " · 复核中 under review"
    return f"<span class='kpa-process' data-kpa-state='{esc(rs.state)}'>{line}</span>"
