"""An analyst's words for the entry form: what a field is called and what may be entered.

The rule kinds (``rules``) describe values as a YAML author writes them (``true/false``,
``{participants: …}``, ``cases[1]``); the form shows the same facts the way the analyst sees
them on screen (是/否, 参加人数 / 心得篇数, 第2个案例). Only the words differ: every check is
still the rule kind's own.
"""

from __future__ import annotations

import re

from kpa_core.rubric.model import Rule
from kpa_core.rubric.rules import kind_of

# Note 1 of the document (shared/seed: 注：1、基本指标的考核扣分可以超过“赋分”所设定分值，但不能
# 超过“考核项目”所规定的分值), as a remark beside an item score below 0.
NOTE1_ZH = "注1：本条扣分可超过赋分，本条可低于0分；所在考核项目最低为0分"
NOTE1_EN = "Note 1: an item may go below 0; its area stops at 0"

FIELDS_ZH = {
    "applies": "是否适用", "count": "次数", "actual": "实际次数", "points": "扣分",
    "cases": "各案例分值", "sessions": "学习记录", "levels": "荣誉", "reason": "原因",
    "evidence": "依据", "who": "保存人", "why": "保存原因", "name": "方案名",
    "mode": "模式", "confirm": "确认", "options.cap_scope": "注1封顶层级",
    "sha256": "文件版本", "unit_id": "单位", "year": "年度",
}
SESSION_PARTS_ZH = {"participants": "参加人数", "reflections": "心得篇数"}
CAP_SCOPES = {"subarea": ("按子项目封顶", "each sub-area"),
              "area": ("第三项整体封顶", "A3 as a whole")}


def _fmt(x: float) -> str:
    return f"{x:g}"


def field_zh(field: str | None, rule: Rule | None = None) -> str:
    """'cases[1]' → '第2个案例', 'sessions[0].participants' → '第1次学习的参加人数', 'count' →
    '次数'; a field the form does not know is returned as it is."""
    if not field:
        return ""
    m = re.fullmatch(r"(\w+)\[(\d+)\](?:\.(\w+))?", field)
    if m:
        name, i, part = m.group(1), int(m.group(2)) + 1, m.group(3)
        if name == "cases":
            return f"第{i}个案例"
        if name == "sessions":
            return f"第{i}次学习" + (f"的{SESSION_PARTS_ZH.get(part, part)}" if part else "")
        if name == "levels":
            return f"第{i}项荣誉"
    m = re.fullmatch(r"levels\.(\w+)", field)
    if m and rule is not None:
        names = {lv["id"]: lv["zh"] for lv in rule.params.get("levels", [])}
        return f"{names.get(m.group(1), m.group(1))}荣誉数"
    return FIELDS_ZH.get(field, field)


def allowed_words(rule: Rule) -> tuple[str, str]:
    """What the form's control for this rule accepts, in the form's own terms."""
    p, kind = rule.params, rule.kind
    sign_zh, sign_en = ("加", "+") if rule.is_bonus else ("扣", "−")
    if kind == "flag":
        return (f"是/否（是则扣{_fmt(p['amount'])}分）",
                f"yes/no (−{_fmt(p['amount'])} if yes)")
    if kind in ("per_count", "bonus_per_count"):
        zh, en = kind_of(rule).allowed(rule)
        return f"次数：{zh}", f"number of times: {en}"
    if kind in ("range_per_case", "bonus_range_per_case"):
        lo, hi = _fmt(p["lo"]), _fmt(p["hi"])
        return (f"每个案例一个分值，用逗号分开；每个 {lo}–{hi}，步长0.5（每件{sign_zh}分）",
                f"one amount per case, separated by commas; each {lo}–{hi} in steps of 0.5")
    if kind == "ratio":
        frac = f"{p['numerator']}/{p['denominator']}"
        return (f"每次学习填参加人数（≥1）与心得篇数（0至参加人数）；心得篇数少于参加人数"
                f"{frac}的，每次扣{_fmt(p['amount'])}分",
                f"per session: participants (≥ 1) and reflections (0 to participants); "
                f"each session under {frac} −{_fmt(p['amount'])}")
    if kind == "tier":
        levels = p["levels"]
        return ("每个级别获得的荣誉数（≥0 的整数）：" + "、".join(
                    f"{lv['zh']}+{_fmt(lv['points'])}" for lv in levels),
                "honours per level (whole numbers ≥ 0): " + ", ".join(
                    f"{lv['en']} +{_fmt(lv['points'])}" for lv in levels))
    return kind_of(rule).allowed(rule)
