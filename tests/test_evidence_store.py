"""The evidence store (电子台账): content-addressed, atomic, bounded, and hostile input refused."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from kpa_core.errors import KpaInputError
from kpa_core.evidence import store as store_mod
from kpa_core.evidence.media import detect
from kpa_core.evidence.settings import EvidenceSettings, load_settings
from kpa_core.evidence.store import (
    evidence_dir,
    store_bytes,
    store_file,
    stored_files,
    stored_status,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _message(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


def test_a_file_is_kept_once_under_its_sha256_with_its_sidecar(tmp_path: Path) -> None:
    src = tmp_path / "会议记录.pdf"
    src.write_bytes(PDF)
    sha = hashlib.sha256(PDF).hexdigest()
    first = store_file(tmp_path / "data", 2013, src, who="张三", evidence_date="2013-06-20")
    again = store_file(tmp_path / "data", 2013, src, who="李四")
    folder = evidence_dir(tmp_path / "data", 2013)
    assert first.sha256 == sha and not first.reused
    assert again.reused and again.added_by == "张三"  # the first adder is kept
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == \
        [sha, f"{sha}.json"]
    assert (folder / sha).read_bytes() == PDF
    side = json.loads((folder / f"{sha}.json").read_text(encoding="utf-8"))
    assert side["name"] == "会议记录.pdf" and side["size"] == len(PDF)
    assert side["media_type"] == "application/pdf" and side["date"] == "2013-06-20"
    assert side["added_by"] == "张三"
    assert stored_files(tmp_path / "data", 2013)[sha].name == "会议记录.pdf"
    assert stored_status(tmp_path / "data", 2013, sha) is None


def test_the_stored_file_honours_the_umask_and_is_read_only(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        s = store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三")
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(evidence_dir(tmp_path, 2013) / s.sha256).st_mode)
    assert mode == 0o440  # 0o666 & ~0o027 = 0o640, minus write


def test_one_byte_changed_or_deleted_is_named(tmp_path: Path) -> None:
    s = store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三")
    path = evidence_dir(tmp_path, 2013) / s.sha256
    os.chmod(path, 0o644)
    path.write_bytes(PDF[:-2] + b"X\n")
    assert "内容已改变" in stored_status(tmp_path, 2013, s.sha256)[0]
    path.unlink()
    assert stored_status(tmp_path, 2013, s.sha256) == ("文件缺失", "the file is missing")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a/../b.pdf", "..",
                                  "C:\\boot.ini", "..hidden.pdf", "\u202e"])
def test_a_name_that_is_a_path_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, PDF, name, who="张三")
    assert "文件名" in _message(exc)
    assert not evidence_dir(tmp_path, 2013).exists()


def test_invisible_direction_marks_are_stripped_from_the_name(tmp_path: Path) -> None:
    s = store_bytes(tmp_path, 2013, PDF, "记录\u202efdp.pdf", who="张三")
    assert s.name == "记录fdp.pdf"


def test_a_2_gb_sparse_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path,
                                                                      monkeypatch) -> None:
    big = tmp_path / "录像.mp4"
    with open(big, "wb") as f:
        f.truncate(2 * 1024 ** 3)
    reads = []
    real_read = os.read
    monkeypatch.setattr(store_mod.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(KpaInputError) as exc:
        store_file(tmp_path / "data", 2013, big, who="张三")
    assert "文件过大（2048 MB）" in _message(exc) and "50 MB" in _message(exc)
    assert reads == []


def test_a_symlink_to_etc_passwd_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "证明.pdf"
    link.symlink_to("/etc/passwd")
    with pytest.raises(KpaInputError) as exc:
        store_file(tmp_path / "data", 2013, link, who="张三")
    assert "符号链接" in _message(exc)
    assert not evidence_dir(tmp_path / "data", 2013).exists()


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    with pytest.raises(KpaInputError) as exc:
        store_file(tmp_path / "data", 2013, fifo, who="张三")
    assert "不是普通文件" in _message(exc)


def test_an_exe_renamed_pdf_is_refused_by_its_content(tmp_path: Path) -> None:
    exe = tmp_path / "通知.pdf"
    exe.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 200)
    with pytest.raises(KpaInputError) as exc:
        store_file(tmp_path / "data", 2013, exe, who="张三")
    assert "Windows 可执行程序" in _message(exc)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_zip_bomb_renamed_docx_is_refused_without_unpacking(tmp_path: Path) -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * 50_000_000})
    assert len(bomb) < 100_000  # 50 MB of zeros packs to ~50 kB: ratio ~1000:1
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, bomb, "述职报告.docx", who="张三")
    assert "压缩炸弹" in _message(exc)


def test_a_plain_zip_renamed_docx_is_refused_and_a_real_docx_kept(tmp_path: Path) -> None:
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, _zip({"a.txt": b"hello"}), "x.docx", who="张三")
    assert "ZIP 压缩包" in _message(exc)
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    kept = store_bytes(tmp_path, 2013, docx, "x.docx", who="张三")
    assert kept.kind == "office" and "wordprocessingml" in kept.media_type


@pytest.mark.parametrize("head, kind", [(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image"),
                                        (b"\xff\xd8\xff\xe0", "image"),
                                        ("会议纪要".encode(), "text"),
                                        (b"ID3\x03", "audio"),
                                        (b"\x00\x00\x00\x18ftypmp42", "video")])
def test_the_type_comes_from_the_content(head: bytes, kind: str) -> None:
    assert detect(head).kind == kind


def test_a_type_left_out_of_kpa_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kpa.toml").write_text('[evidence]\ntypes = ["pdf"]\nmax_file_mb = 1\n',
                                       encoding="utf-8")
    settings = load_settings(tmp_path / "data")
    assert settings == EvidenceSettings(max_file_mb=1.0, types=("pdf",))
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path / "data", 2013, "文本".encode(), "a.txt", who="张三",
                    settings=settings)
    assert "不允许的类型：文本" in _message(exc)


def test_bad_settings_are_named_all_at_once(tmp_path: Path) -> None:
    (tmp_path / "kpa.toml").write_text('[evidence]\ntypes = ["exe"]\nmax_file_mb = -1\n'
                                       'colour = 1\n', encoding="utf-8")
    with pytest.raises(KpaInputError) as exc:
        load_settings(tmp_path)
    assert len(exc.value.problems) == 3


def test_the_year_cap_counts_what_is_stored(tmp_path: Path) -> None:
    settings = EvidenceSettings(max_year_mb=100 / (1024 * 1024))  # 100 bytes
    store_bytes(tmp_path, 2013, b"a" * 60, "a.txt", who="张三", settings=settings)
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, b"b" * 60, "b.txt", who="张三", settings=settings)
    assert "本年度佐证材料总量将超过上限" in _message(exc)


def test_a_full_disk_leaves_neither_a_half_file_nor_a_file_without_sidecar(
        tmp_path: Path, monkeypatch) -> None:
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_mod, "atomic_write_text", full)  # the sidecar's write fails
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三")
    assert "未保存任何内容" in _message(exc)
    left = [p.name for p in evidence_dir(tmp_path, 2013).iterdir()
            if not p.name.startswith(".kpa")]
    assert left == []


def test_a_damaged_stored_copy_is_reported_not_silently_reused(tmp_path: Path) -> None:
    s = store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三")
    path = evidence_dir(tmp_path, 2013) / s.sha256
    os.chmod(path, 0o644)
    path.write_bytes(b"%PDF-garbage")
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三")
    assert "已损坏" in _message(exc)


@pytest.mark.parametrize("bad", ["2013-13-01", "20130620", "明天", "1999-01-01"])
def test_a_bad_evidence_date_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, PDF, "a.pdf", who="张三", evidence_date=bad)
    assert "YYYY-MM-DD" in _message(exc)


@pytest.mark.parametrize("markup", [b"<html><script>alert(1)</script></html>",
                                    b"<?xml version='1.0'?><svg onload='x'/>",
                                    "会议纪要\n<SCRIPT>fetch('x')</SCRIPT>".encode()])
def test_markup_that_could_run_scripts_is_not_text_evidence(tmp_path: Path, markup: bytes) -> None:
    with pytest.raises(KpaInputError) as exc:
        store_bytes(tmp_path, 2013, markup, "纪要.txt", who="张三")
    assert "HTML/SVG/XML" in _message(exc)
