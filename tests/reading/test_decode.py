"""Bytes to text: encodings, binary and empty input, file errors, normalisation."""

from __future__ import annotations

import codecs
import os
import unicodedata

import pytest
from legacy_encodings import encode_cp1258

from align.common.errors import InputError
from align.reading import decode as _decode
from align.reading.decode import normalise_text, read_bytes, read_text

VI = (
    "Chiều 25/10, tại Hà Nội, Bộ trưởng Bộ Công an Lương Tam Quang đã tiếp bà Ghada Waly, "
    "Phó Tổng Thư ký Liên hợp quốc. Hai bên thống nhất tăng cường hợp tác phòng, chống tội phạm mạng.\n"
    "Bộ trưởng nhấn mạnh việc Công ước được thông qua bằng đồng thuận khẳng định tầm quan trọng của chủ nghĩa đa phương.\n"
)
DE = (
    "Größere Änderungen: Die Straße führt über die Brücke, während Müller später ankommt. "
    "Die Bürger wählen einen neuen Bürgermeister für die Stadt. Ça va — très “bien”.\n"
)


def test_plain_utf8():
    text, enc, warnings = read_text(VI.encode("utf-8"), "a.txt")
    assert (text, enc, warnings) == (VI, "utf-8", ())


def test_utf8_bom_is_stripped():
    text, enc, _ = read_text(codecs.BOM_UTF8 + VI.encode("utf-8"), "a.txt")
    assert text == VI and enc == "utf-8" and not text.startswith("\ufeff")


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                       ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_utf16_and_utf32_with_bom(codec, bom):
    text, enc, _ = read_text(bom + VI.encode(codec), "a.txt")
    assert text == VI and enc == codec


def test_windows_1258_vietnamese_is_detected_and_normalised():
    data = encode_cp1258(VI)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, enc, warnings = read_text(data, "vi.txt", lang="vi")
    assert enc == "cp1258"
    assert text == VI  # NFC again, although cp1258 stores tone marks as combining characters
    assert any("cp1258" in w for w in warnings)
    assert any("NFC" in w for w in warnings)


def test_windows_1258_detected_without_a_language():
    text, enc, _ = read_text(encode_cp1258(VI), "vi.txt")
    assert (text, enc) == (VI, "cp1258")


def test_cp1252_prefers_the_languages_code_page():
    # charset-normalizer alone ranks Baltic cp1257 first for this German text
    text, enc, warnings = read_text(DE.encode("cp1252"), "de.txt", lang="de")
    assert (text, enc) == (DE, "cp1252")
    assert "cp1252" in warnings[0]


def test_html_meta_charset_is_used():
    html = '<html><head><meta charset="windows-1252"></head><body><p>' + DE + "</p></body></html>"
    text, enc, warnings = read_text(html.encode("cp1252"), "de.html")
    assert enc == "cp1252" and DE in text and "declared in the HTML" in warnings[0]


def test_damaged_utf8_names_the_offset():
    good = VI.encode("utf-8")
    offset = good.index(b"\n") + 1
    data = good[:offset] + b"\xff" + good[offset:]
    with pytest.raises(InputError) as e:
        read_text(data, "vi.txt")
    msg = str(e.value)
    assert f"offset {offset}" in msg and "line 2" in msg and "0xff" in msg
    assert msg.startswith("vi.txt:") and "UTF-8" in msg


def test_undecodable_bytes_say_convert_to_utf8():
    data = b"Hello world, this is text \xff\xfe\x80 and more"  # three stray bytes: no reading is confident
    with pytest.raises(InputError) as e:
        read_text(data, "x.txt")
    assert "offset 26" in str(e.value) and "convert it to UTF-8" in str(e.value)


@pytest.mark.parametrize(
    "data,what",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP archive (DOCX"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
    ],
)
def test_binary_formats_are_named(data, what):
    with pytest.raises(InputError) as e:
        read_text(data, "doc.txt")
    assert what in str(e.value) and "not text" in str(e.value) and "plain text" in str(e.value)


def test_nul_bytes_are_refused():
    with pytest.raises(InputError, match=r"NUL bytes \(first at offset 5\)"):
        read_text(b"hello\x00world", "x.txt")


def test_utf16_without_bom_is_refused_with_a_hint():
    with pytest.raises(InputError, match="byte-order mark"):
        read_text("xin chào".encode("utf-16-le"), "x.txt")


@pytest.mark.parametrize("data,word", [(b"", "is empty"), (b" \n\t\r\n  ", "only whitespace"), (codecs.BOM_UTF8, "is empty")])
def test_empty_and_whitespace(data, word):
    with pytest.raises(InputError, match=word):
        read_text(data, "x.txt")


def test_line_endings_are_normalised():
    text, _, _ = read_text(b"one\r\ntwo\rthree\nfour\r\n", "x.txt")
    assert text == "one\ntwo\nthree\nfour\n"


def test_nfd_and_odd_mark_order_become_nfc():
    nfc = "Việt Nam tiếp tục hợp tác"
    nfd = unicodedata.normalize("NFD", nfc)
    # "ệ" with its two marks in the non-canonical order (circumflex before dot below)
    odd = nfc.replace("ệ", "e\u0302\u0323")
    for variant in (nfd, odd):
        text, _, warnings = read_text(variant.encode("utf-8"), "x.txt")
        assert text == nfc and "NFC" in warnings[0]
    assert normalise_text(nfc) == (nfc, None)


def test_forced_encoding():
    text, enc, warnings = read_text(DE.encode("latin-1", errors="ignore"), "x.txt", encoding="latin-1")
    assert enc == "iso8859-1" and "Größere" in text and warnings == ()
    with pytest.raises(InputError, match="unknown encoding"):
        read_text(b"abc", "x.txt", encoding="no-such-codec")
    with pytest.raises(InputError, match="cannot be decoded as utf-8: bad byte 0xff at offset 1"):
        read_text(b"a\xff", "x.txt", encoding="utf-8")


def test_size_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(_decode, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(InputError, match="too large"):
        read_text(b"a" * 1001, "x.txt")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a " * 600)
    with pytest.raises(InputError, match="too large"):
        read_bytes(big)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found") as e:
        read_bytes(tmp_path / "nope.txt")
    assert e.value.hint and str(tmp_path / "nope.txt") in str(e.value)


def test_folder(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_bytes(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(fifo)  # must not block waiting for a writer


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text("xin chào", encoding="utf-8")
    f.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_bytes(f)
    finally:
        f.chmod(0o600)


def test_unreadable_folder_on_the_path(tmp_path, monkeypatch):
    """A permission error from the OS becomes an InputError (simulated, so it also runs as root)."""

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    from align.common import files

    monkeypatch.setattr(files.os, "open", deny)
    with pytest.raises(InputError, match="permission denied") as e:
        read_bytes(tmp_path / "x.txt")
    assert e.value.exit_code == 3


def test_read_utf8_names_the_file_and_refuses_other_encodings(tmp_path):
    from align.reading.decode import read_utf8

    good = tmp_path / "m.tsv"
    good.write_bytes("\ufeffpair_id\tsrc\n".encode("utf-8"))
    assert read_utf8(good, "manifest", bom=True) == "pair_id\tsrc\n"
    bad = tmp_path / "bad.tsv"
    bad.write_bytes("Lương".encode("utf-16"))
    with pytest.raises(InputError, match="manifest is not UTF-8") as e:
        read_utf8(bad, "manifest")
    assert e.value.path == str(bad)
    with pytest.raises(InputError, match="missing.beads: file not found"):
        read_utf8(tmp_path / "missing.beads", "beads file")
