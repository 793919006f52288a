"""What a file is, told from its first bytes (never from its name), and whether it may be kept.

Allowed kinds (``kpa.toml``'s ``[evidence] types``): ``pdf``, ``image``, ``office``, ``text``,
``audio``, ``video``. Refused whatever the name says: executables (``MZ``, ELF, Mach-O, a
script's ``#!``; HTML, SVG or XML markup, which would run scripts when opened from a report),
archives (ZIP, RAR, 7z, gzip…: never unpacked), and anything not recognised.
An Office Open XML file is a ZIP: its table of contents (never its contents) is read to tell a
real ``.docx``/``.xlsx``/``.pptx`` from a ZIP renamed so, and one whose members would unpack to
far more than it holds (a zip bomb) is refused before anything is inflated.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

KINDS = ("pdf", "image", "office", "text", "audio", "video")
MAX_UNPACKED = 200 * 1024 * 1024  # an Office file's members, as the table of contents says
MAX_RATIO = 100  # unpacked / packed: real documents stay far below; bombs reach 1000s
MAX_MEMBERS = 10000
MARKUP = re.compile(rb"<\s*(script|html|svg|!doctype|\?xml|iframe|object|embed)\b")

# (prefix, offset, media type, kind)
SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "image"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "image"),
    (b"GIF87a", 0, "image/gif", "image"),
    (b"GIF89a", 0, "image/gif", "image"),
    (b"II*\x00", 0, "image/tiff", "image"),
    (b"MM\x00*", 0, "image/tiff", "image"),
    (b"ID3", 0, "audio/mpeg", "audio"),
    (b"\xff\xfb", 0, "audio/mpeg", "audio"),
    (b"\xff\xf3", 0, "audio/mpeg", "audio"),
    (b"fLaC", 0, "audio/flac", "audio"),
    (b"OggS", 0, "audio/ogg", "audio"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "video"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage", "office"),
)
RIFF = {b"WEBP": ("image/webp", "image"), b"WAVE": ("audio/wav", "audio"),
        b"AVI ": ("video/x-msvideo", "video")}
REFUSED = (
    (b"MZ", "Windows 可执行程序", "a Windows executable"),
    (b"\x7fELF", "Linux 可执行程序", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行程序", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "可执行程序或 Java 类文件", "an executable or Java class"),
    (b"#!", "脚本", "a script"),
    (b"Rar!", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (b"\x1f\x8b", "gzip 压缩包", "a gzip archive"),
    (b"BZh", "bzip2 压缩包", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz 压缩包", "an xz archive"),
)
OOXML = {"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   "Word"),
         "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
         "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                  "PowerPoint")}


@dataclass(frozen=True)
class Detected:
    """A media type and its kind, or why the content is refused (``refused`` set)."""

    media_type: str = ""
    kind: str = ""
    refused: tuple[str, str] | None = None


def detect(data: bytes) -> Detected:
    """The media type of ``data`` from its content; ``refused`` says why it may not be kept."""
    for prefix, zh, en in REFUSED:
        if data.startswith(prefix):
            return Detected(refused=(f"内容是{zh}，不是佐证材料", f"the content is {en}, "
                                     "not evidence"))
    for prefix, offset, media_type, kind in SIGNATURES:
        if data[offset:offset + len(prefix)] == prefix:
            return Detected(media_type, kind)
    if data[:4] == b"RIFF" and data[8:12] in RIFF:
        return Detected(*RIFF[data[8:12]])
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"M4A ", b"M4B "):
            return Detected("audio/mp4", "audio")
        return Detected("video/mp4", "video")
    if data[:4] == b"PK\x03\x04":
        return _office_or_archive(data)
    if _is_text(data):
        if MARKUP.search(data[:4096].lower()):
            return Detected(refused=("内容是 HTML/SVG/XML 标记（可能含脚本，"
                                     "从报告打开时会运行），请转为 PDF",
                                     "the content is HTML/SVG/XML markup (it may hold "
                                     "scripts that would run when opened from the report); "
                                     "convert it to PDF"))
        return Detected("text/plain", "text")
    return Detected(refused=("无法识别的文件内容（允许：PDF、图片、Office 文档、文本、音视频）",
                             "unrecognised content (allowed: PDF, images, Office documents, "
                             "text, audio, video)"))


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            return False
    return True


def _office_or_archive(data: bytes) -> Detected:
    """A ZIP is kept only as a real Office document; its members are listed, never inflated."""
    archive = ("内容是 ZIP 压缩包（不解压，不接受），不是 Office 文档",
               "the content is a ZIP archive (never unpacked, not accepted), not an Office "
               "document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return Detected(refused=archive)
    names = {m.filename for m in members}
    if len(members) > MAX_MEMBERS or "[Content_Types].xml" not in names:
        return Detected(refused=archive)
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        mb, ratio = unpacked // (1024 * 1024), unpacked // packed
        return Detected(refused=(
            f"Office 文件解压后将达 {mb} MB（压缩比 {ratio}:1），疑为压缩炸弹，拒绝",
            f"the Office file would unpack to {mb} MB (ratio {ratio}:1): a zip bomb, refused"))
    for prefix, (media_type, _) in OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return Detected(media_type, "office")
    return Detected(refused=archive)
