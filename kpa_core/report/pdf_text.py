"""Make a printed PDF's text the page's text: radicals in ToUnicode maps back to ideographs.

Why: Noto CJK draws 月 (U+6708) and the Kangxi radical ⽉ (U+2F49) with one glyph, and
Chromium's ToUnicode CMap records whichever code point it met first for that glyph. The page
looks right, but copying, searching or extracting gives ⽉, so a search for 2026年12月2日 finds
nothing. The fix is at the PDF's root: each font's ToUnicode CMap is rewritten (with pypdf)
so that a code mapped to a radical maps to the unified ideograph that shares its glyph:

- Kangxi Radicals (U+2F00–U+2FDF) by their Unicode compatibility decomposition (NFKC);
- CJK Radicals Supplement (U+2E80–U+2EFF), which have no decomposition, by the font itself:
  the ideograph the installed Noto CJK font maps to the same glyph (⻛ → 风, ⻚ → 页).

A radical that the source HTML's own text holds is left alone (the page meant it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from io import BytesIO
from pathlib import Path

RADICAL_BLOCKS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))
NOTO_CJK = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"))
# Used when no Noto CJK font can be read: the supplement forms seen in kpa's own documents.
SUPPLEMENT_FALLBACK = {"⻚": "页", "⻛": "风", "⻓": "长", "⻅": "见", "⻢": "马", "⻋": "车",
                       "⻆": "角", "⻔": "门", "⻬": "齐", "⻝": "食", "⻙": "韦", "⻉": "贝",
                       "⻊": "足", "⻄": "西", "⻩": "黄", "⻨": "麦", "⻜": "飞", "⻮": "齿",
                       "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻰": "龙"}


def is_radical(ch: str) -> bool:
    """True for a code point of the Kangxi Radicals or CJK Radicals Supplement blocks."""
    return any(lo <= ord(ch) <= hi for lo, hi in RADICAL_BLOCKS)


def radicals_in(text: str) -> set[str]:
    """The radical code points a text holds (what a PDF of it may keep)."""
    return {ch for ch in text if is_radical(ch)}


def _unified(cp: int) -> bool:
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF


@lru_cache(maxsize=1)
def radical_map() -> dict[str, str]:
    """radical → ideograph, for every radical that has one (computed once per process)."""
    out: dict[str, str] = dict(SUPPLEMENT_FALLBACK)
    out.update(_from_font())
    for cp in range(0x2F00, 0x2FE0):
        ch = chr(cp)
        norm = unicodedata.normalize("NFKC", ch)
        if norm != ch and len(norm) == 1 and _unified(ord(norm)):
            out[ch] = norm
    return out


def _from_font() -> dict[str, str]:
    """Supplement radicals → the unified ideograph the Noto CJK SC font draws with its glyph."""
    try:
        from fontTools.ttLib import TTCollection
    except ImportError:  # fontTools comes with matplotlib; the fallback table covers kpa's text
        return {}
    out: dict[str, str] = {}
    for path in NOTO_CJK:
        if not path.is_file():
            continue
        try:
            fonts = TTCollection(str(path), lazy=True).fonts
            sc = [f for f in fonts if "SC" in (f["name"].getDebugName(1) or "")] or fonts[:1]
            cmap = sc[0].getBestCmap()
        except Exception:  # noqa: BLE001 - an unreadable font only loses this source
            continue
        by_glyph: dict[str, list[int]] = {}
        for cp, glyph in cmap.items():
            if _unified(cp):
                by_glyph.setdefault(glyph, []).append(cp)
        for cp in range(0x2E80, 0x2F00):
            glyph = cmap.get(cp)
            cands = sorted(by_glyph.get(glyph, [])) if glyph else []
            if cands and chr(cp) not in out:
                out[chr(cp)] = chr(cands[0])
    return out


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_BLOCK = re.compile(rb"(\d+)\s+begin(bfchar|bfrange)(.*?)end\2", re.S)
_SPACE = re.compile(rb"begincodespacerange(.*?)endcodespacerange", re.S)


def _utf16(hexstr: bytes) -> str:
    return bytes.fromhex(hexstr.decode("ascii")).decode("utf-16-be", errors="surrogatepass")


def _hex16(text: str) -> str:
    return text.encode("utf-16-be", errors="surrogatepass").hex().upper()


def parse_cmap(data: bytes) -> tuple[bytes, dict[int, str], int]:
    """(the codespace text, code → text, bytes per code) of a ToUnicode CMap."""
    space = _SPACE.search(data)
    codespace = space.group(1) if space else b"<00> <FF>"
    first = _HEX.search(codespace)
    width = len(first.group(1)) // 2 if first else 1
    table: dict[int, str] = {}
    for block in _BLOCK.finditer(data):
        kind, body = block.group(2), block.group(3)
        if kind == b"bfchar":
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", body):
                table[int(src, 16)] = _utf16(dst)
            continue
        for m in re.finditer(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])",
                             body):
            lo, hi, dst = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if dst.startswith(b"["):
                for n, item in enumerate(_HEX.findall(dst)):
                    table[lo + n] = _utf16(item)
            else:
                start = _utf16(dst[1:-1])
                for n in range(hi - lo + 1):  # the last UTF-16 unit counts up (PDF 9.10.3)
                    table[lo + n] = start[:-1] + chr(ord(start[-1]) + n) if start else ""
    return codespace, table, width


def write_cmap(codespace: bytes, table: dict[int, str], width: int) -> bytes:
    """A ToUnicode CMap of ``bfchar`` blocks (≤ 100 entries each, as PDF asks)."""
    head = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
            + codespace.strip() + b"\nendcodespacerange\n")
    items = sorted(table.items())
    blocks = []
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines = b"".join(f"<{code:0{width * 2}X}> <{_hex16(text)}>\n".encode("ascii")
                         for code, text in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n".encode("ascii") + lines + b"endbfchar\n")
    return head + b"".join(blocks) + (b"endcmap\nCMapName currentdict /CMap defineresource pop\n"
                                      b"end\nend\n")


def fix_cmap(data: bytes, keep: Iterable[str] = ()) -> bytes | None:
    """The CMap with radicals mapped to ideographs, or None when nothing changed."""
    mapping = {k: v for k, v in radical_map().items() if k not in set(keep)}
    codespace, table, width = parse_cmap(data)
    changed = False
    for code, text in table.items():
        if any(ch in mapping for ch in text):
            table[code] = "".join(mapping.get(ch, ch) for ch in text)
            changed = True
    return write_cmap(codespace, table, width) if changed else None


def fix_pdf_text(pdf: bytes, keep: Iterable[str] = ()) -> bytes:
    """The PDF with every font's ToUnicode map fixed (the pages themselves are untouched)."""
    from pypdf import PdfWriter

    keep = set(keep)
    # Incremental: only the rewritten CMaps are appended; the pages stay byte for byte.
    writer = PdfWriter(BytesIO(pdf), incremental=True)
    done: set[tuple[int, int]] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for target in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                tu = target.raw_get("/ToUnicode") if "/ToUnicode" in target else None
                if tu is None:
                    continue
                key = (tu.idnum, tu.generation) if hasattr(tu, "idnum") else (id(tu), 0)
                if key in done:
                    continue
                done.add(key)
                stream = tu.get_object()
                fixed = fix_cmap(stream.get_data(), keep)
                if fixed is not None:
                    stream.set_data(fixed)
    if not writer.list_objects_in_increment():
        return pdf
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
