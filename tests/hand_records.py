"""Records whose scores are worked out by hand, shared by the tests that need the same one."""

from __future__ import annotations

# One unit with a deduction in A1, one in A3's punishment sub-area and a bonus.
# by hand: A1 16, A2 10, A3 20 + 15 + 15 + 15.5 = 65.5; basic 91.5; bonus 3; total 94.5
TESTUNIT_2013 = {
    "rubric": "kvtc-2013-draft", "year": 2013, "unit": "测试系", "unit_id": "testunit",
    "entries": {
        "B01.docs": {"count": 2, "reason": "半年总结迟交"},                 # −4 → A1 16
        "B16.judicial": {"cases": [4.5], "reason": "一人被司法机关处理"},    # −4.5 → A3.pun 15.5
        "S1.honours": {"levels": ["region"], "reason": "自治区级先进集体"},  # +3
    },
}
