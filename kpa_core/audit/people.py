"""The office's people and their roles, from ``kpa.toml``: who may do what in the year's process.

Why: an audit line's ``who`` was free text or the OS user (``root``), so "who reviewed this"
had no answer anybody could check. ``kpa.toml`` now lists the people::

    [[people]]
    name = "王明"            # as it is written in the audit log
    role = "assessor"        # assessor 考核组成员 | head 纪委负责人 | contact 单位联系人
    login = "wangming"       # optional: the login that is this person
    [[people]]
    name = "李华"
    role = "contact"
    unit = "arts"            # a contact acts for one unit only

Every process action names a listed person (``--by NAME``; the app offers the list). When the
process has a login identity (``$JUPYTERHUB_USER`` under JupyterHub, else the OS user) and a
person is mapped to it, that person is used and cannot be overridden. Without a login server
this guards against mistakes (a wrong name, a wrong role), not against a hostile colleague who
can edit ``kpa.toml`` or set ``$JUPYTERHUB_USER``: the audit chain and the seal are what make
such a change visible.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.workspace import CONFIG_NAME, read_config, workspace_of

ROLES = {
    "assessor": ("考核组成员", "assessor"),
    "head": ("纪委负责人", "head of the office"),
    "contact": ("单位联系人", "unit contact"),
}
PERSON_KEYS = ("name", "role", "login", "unit")
ENV_HUB_USER = "JUPYTERHUB_USER"


@dataclass(frozen=True)
class Person:
    """One listed person; ``unit`` only for a contact."""

    name: str
    role: str
    login: str | None = None
    unit: str | None = None

    @property
    def role_zh(self) -> str:
        return ROLES[self.role][0]


def parse_people(raw: Any, where: str = CONFIG_NAME) -> list[Person]:
    """``kpa.toml``'s ``people`` checked, every problem at once."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise KpaInputError([Problem("people 须为人员表的列表（[[people]]）", "people must be a "
                                     "list of tables ([[people]])", field="people", value=raw,
                                     allowed_zh="[[people]] 表", allowed_en="[[people]] tables",
                                     where=where)])
    problems: list[Problem] = []
    people: list[Person] = []
    names: set[str] = set()
    logins: set[str] = set()
    for i, entry in enumerate(raw, start=1):
        at = f"{where} people[{i}]"
        if not isinstance(entry, dict):
            problems.append(Problem("人员须为表", "a person must be a table", field="people",
                                    value=entry, where=at))
            continue
        for key in entry:
            if key not in PERSON_KEYS:
                problems.append(Problem("未知的人员字段", "unknown person field", field=key,
                                        value=entry[key], allowed_zh="、".join(PERSON_KEYS),
                                        allowed_en=", ".join(PERSON_KEYS), where=at))
        name, role = entry.get("name"), entry.get("role")
        login, unit = entry.get("login"), entry.get("unit")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem("须填写姓名", "a name must be given", field="name",
                                    value=name, allowed_zh="非空文字", allowed_en="non-empty text",
                                    where=at))
            continue
        name = name.strip()
        if name in names:
            problems.append(Problem("姓名重复", "the name is listed twice", field="name",
                                    value=name, where=at))
        names.add(name)
        if role not in ROLES:
            problems.append(Problem("角色不合法", "unknown role", field="role", value=role,
                                    allowed_zh="assessor（考核组成员）、head（纪委负责人）、"
                                    "contact（单位联系人）",
                                    allowed_en="assessor, head, contact", where=at))
            continue
        for key, value in (("login", login), ("unit", unit)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append(Problem("须为非空文字", "must be non-empty text", field=key,
                                        value=value, where=at))
        if role == "contact" and not isinstance(unit, str):
            problems.append(Problem("单位联系人须写明所属单位（unit = 单位代码）", "a contact "
                                    "needs the unit it acts for (unit = unit id)", field="unit",
                                    value=unit, where=at))
        if isinstance(login, str):
            if login in logins:
                problems.append(Problem("登录名重复", "the login is mapped twice", field="login",
                                        value=login, where=at))
            logins.add(login)
        people.append(Person(name, role, login.strip() if isinstance(login, str) else None,
                             unit.strip() if isinstance(unit, str) else None))
    if problems:
        raise KpaInputError(problems)
    return people


def people_of(data_dir: str | Path) -> list[Person]:
    """The people listed in the ``kpa.toml`` of the workspace holding ``data_dir`` ([] if none)."""
    ws = workspace_of(Path(data_dir).resolve() / "units.csv")
    if ws is None:
        return []
    return parse_people(read_config(ws.root).get("people"), str(ws.config_path))


def login_identity() -> str | None:
    """The process's login: ``$JUPYTERHUB_USER`` under JupyterHub, else the OS user."""
    hub = os.environ.get(ENV_HUB_USER, "").strip()
    if hub:
        return hub
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def _names(people: Iterable[Person]) -> str:
    return "、".join(f"{p.name}（{p.role_zh}）" for p in people) or "（无 none）"


def resolve_person(people: list[Person], by: str | None, *, roles: tuple[str, ...],
                   unit: str | None = None, action_zh: str, action_en: str,
                   login: str | None = None, flag: str = "--by") -> Person:
    """The listed person acting, or a refusal naming who may act and how.

    ``login`` (default: ``login_identity()``) wins when a person is mapped to it: ``by`` may
    then only repeat that person's name. A contact acts only for their own unit.
    """
    if not people:
        raise KpaInputError([Problem(
            f"{action_zh}须由 kpa.toml 中列出的人员操作，但 kpa.toml 未列出任何人员（[[people]]）",
            f"{action_en} must be done by a person listed in kpa.toml, and it lists nobody "
            "([[people]] with name and role)", field="people", unit=unit)])
    login = login_identity() if login is None else login
    mapped = next((p for p in people if p.login and p.login == login), None)
    by = by.strip() if isinstance(by, str) and by.strip() else None
    if mapped is not None:
        if by is not None and by != mapped.name:
            raise KpaInputError([Problem(
                f"登录身份 {login} 对应 {mapped.name}，不能以 {by} 的名义{action_zh}",
                f"the login {login} is {mapped.name}; it cannot {action_en} as {by}",
                field="by", value=by, unit=unit, allowed_zh=mapped.name,
                allowed_en=mapped.name)])
        person = mapped
    elif by is None:
        raise KpaInputError([Problem(f"须用 {flag} 姓名 指明{action_zh}人", f"name who does it "
                                     f"({action_en}) with {flag} NAME", field=flag.lstrip("-"),
                                     unit=unit,
                                     allowed_zh=_names(people), allowed_en=_names(people))])
    else:
        person = next((p for p in people if p.name == by), None)
        if person is None:
            raise KpaInputError([Problem(f"{by} 不在 kpa.toml 的人员名单中", f"{by} is not "
                                         "listed in kpa.toml's people", field="by", value=by,
                                         unit=unit, allowed_zh=_names(people),
                                         allowed_en=_names(people))])
    allowed = [p for p in people if p.role in roles]
    if person.role not in roles:
        want = "、".join(ROLES[r][0] for r in roles)
        want_en = ", ".join(ROLES[r][1] for r in roles)
        raise KpaInputError([Problem(
            f"{person.name} 是{person.role_zh}，{action_zh}须由{want}操作",
            f"{person.name} has the role {ROLES[person.role][1]}; {action_en} needs the role "
            f"{want_en}",
            field="by", value=person.name, unit=unit, allowed_zh=_names(allowed),
            allowed_en=_names(allowed))])
    if person.role == "contact" and unit is not None and person.unit != unit:
        raise KpaInputError([Problem(
            f"{person.name} 是 {person.unit} 的联系人，不能为 {unit} {action_zh}",
            f"{person.name} is the contact of {person.unit}; they cannot {action_en} for {unit}",
            field="by", value=person.name, unit=unit)])
    return person


def resolve_who(data_dir: str | Path, who: str | None) -> str | None:
    """The ``who`` of a save (import, attest): a listed person's name, or ``who`` as given.

    With people listed: the person mapped to the login, else ``who`` if it is a listed name
    (an unlisted ``who`` is refused). Without people: ``who`` unchanged (None when not given:
    the command then asks for ``--who``).
    """
    people = people_of(data_dir)
    if not people:
        return who
    return resolve_person(people, who, roles=tuple(ROLES), action_zh="保存",
                          action_en="save", flag="--who").name
