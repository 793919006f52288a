"""User text leaving kpa outside HTML: CSV cells a spreadsheet would run, terminal escapes.

A unit named ``=HYPERLINK(…)`` in a ``--csv`` file opened in Excel becomes a live formula
(CSV injection); a reason holding ESC or BEL sequences printed raw can clear the analyst's
screen or retitle the terminal. HTML escaping lives in ``report.sections``; these are the other
two exits of user text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pandas is imported only when a CSV is written
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except newline and tab, DEL, and C1 controls (CSI 0x9b among them).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What a unit's name must not hold: control characters, and the invisible marks that change
# the direction of the text around them (U+202E reverses whatever follows it on a page).
INVISIBLE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Whole ANSI escape sequences first, so their parameters do not linger as visible junk.
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def csv_cell(value: Any) -> Any:
    """OWASP: a text cell starting with = + - @ tab or CR is prefixed with ' (numbers stay)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as spreadsheet formulas."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):  # object or str dtype: text cells
            out[col] = out[col].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, stream: TextIO, **kwargs: Any) -> None:
    """``DataFrame.to_csv`` with every text cell neutralised (``csv_safe_frame``)."""
    csv_safe_frame(frame).to_csv(stream, **kwargs)


def terminal_safe(text: Any) -> str:
    """Text for the terminal: escape sequences and other control characters removed.

    Newlines and tabs stay (tables and multi-line messages need them).
    """
    return CONTROL.sub("", ANSI.sub("", str(text)))


class TerminalSafeStream:
    """A text stream that strips control characters from everything written through it.

    ``kpa`` wraps its stdout (and stderr, keeping the carriage return a progress bar needs)
    in one, so no unit name, reason or file content can drive the analyst's terminal.
    """

    def __init__(self, raw: TextIO, keep: str = ""):
        self._raw = raw
        self._control = re.compile(
            "[" + "".join(f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0b, 0x20),
                                                   *range(0x7f, 0xa0)) if chr(c) not in keep)
            + "]")

    @property
    def raw(self) -> TextIO:
        return self._raw

    def write(self, text: str) -> int:
        self._raw.write(self._control.sub("", ANSI.sub("", text)))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


# Default-ignorable code points that are not format characters (Unicode's
# DerivedCoreProperties): fillers that render as nothing, variation selectors, tag characters.
DEFAULT_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0000-\U000e0fff]")
REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"))


def _lookalike(char: str) -> bool:
    """A character NFKC would fold into another that looks the same (Kangxi ⼯ → 工, ℃ → °C).

    Full-width and half-width forms (（ ） ，) are how Chinese is typed and stay allowed.
    """
    if unicodedata.normalize("NFKC", char) == char:
        return False
    return not unicodedata.decomposition(char).startswith(("<wide>", "<narrow>"))


def invisible_in_name(name: str) -> str:
    """The characters a unit name must not hold, as code points (``U+200B``) for the message;
    "" when there are none: controls, format characters (zero-width spaces and joiners, the
    soft hyphen, the BOM, direction marks), line and paragraph separators, other
    default-ignorable code points (U+3164 filler) and look-alikes NFKC folds (Kangxi ⼯).

    Why refused rather than stripped: a name is shown on every page, in charts and in the
    summary, and is compared between records and units.csv; an invisible character would make
    two names that look alike differ, and a direction mark reverses the page text after it.
    """
    bad = [c for c in name if unicodedata.category(c) in REFUSED_CATEGORIES
           or DEFAULT_IGNORABLE.match(c) or INVISIBLE_IN_NAMES.match(c) or _lookalike(c)]
    return " ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(bad))


def xml_text(text: object) -> str:
    """Text for an SVG element or attribute: escaped, control characters dropped.

    Why: ``units.csv`` accepts control characters in a name; XML 1.0 forbids most of them, and
    one in a chart made the standalone SVG ill-formed (an XML viewer or converter refuses it).
    """
    return html.escape(CONTROL.sub("", str(text)), quote=True)
