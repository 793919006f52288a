"""Issue #24, defect 8: aliases cannot multiply a file past what kpa can read back.

A 1.05 MB record with 99 aliases of one 1 MB reason was accepted (99 aliases are far under the
node bound) and rendered a 149 MB report and a 105 MB params file, which kpa then refused to
read (over its own 5 MB cap). The expanded text is bounded like the file itself now.
"""

from __future__ import annotations

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.store.bounded_read import MB
from kpa_core.store.yaml_io import parse_yaml


def aliased(reason_chars: int, aliases: int) -> str:
    return (f"a: &r {'x' * reason_chars}\n"
            f"b: [{', '.join(['*r'] * aliases)}]\n")


@pytest.mark.parametrize("pure", [False, True])
def test_aliases_that_expand_past_the_file_bound_are_refused(pure):
    text = aliased(MB, 99)
    assert len(text) < 1.1 * MB  # the file itself is well under the 5 MB bound
    with pytest.raises(KpaInputError) as info:
        parse_yaml(text, where="r.yaml", pure=pure)
    message = info.value.render()
    # 100 copies of 2^20 characters (the anchor and 99 aliases) and the keys "a", "b".
    assert "104,857,602 characters" in message and "KPA_MAX_INPUT_MB" in message
    assert len(message) < 2000  # the reason is never echoed


@pytest.mark.parametrize("pure", [False, True])
def test_aliases_within_the_bound_still_read(pure, monkeypatch):
    # 3 aliases of 2^20 characters: 4 · 2^20 + 2 = 4,194,306 expanded, under 5 · 2^20.
    data = parse_yaml(aliased(MB, 3), pure=pure)
    assert len(data["b"]) == 3 and data["b"][0] == "x" * MB
    monkeypatch.setenv("KPA_MAX_INPUT_MB", "4")  # the bound follows the file bound: 4,194,304
    with pytest.raises(KpaInputError) as info:
        parse_yaml(aliased(MB, 3), pure=pure)
    assert "4,194,306 characters" in info.value.render()
