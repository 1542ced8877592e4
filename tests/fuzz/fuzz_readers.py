"""Fuzz the readers and the segmenter against their documented contract (run by hand, not in the suite).

    pip install atheris
    nice -n 10 python tests/fuzz/fuzz_readers.py CORPUS_DIR -max_total_time=600 -timeout=20 -max_len=8192

Each input picks one target with its first byte:

* ``read_text(bytes)``: text that is non-blank, NFC, with ``\\n`` line endings,
  or an ``AlignError``;
* ``document_from_text`` for text, HTML and pre-split input (any language, split
  or not): a Document that passes :func:`align.quality.invariants.check_document`
  (every segment non-empty and equal to its span, spans in order, every
  non-whitespace character in a segment), or an ``AlignError``;
* ``split_sentences`` for vi, id and en: spans in order, stripped, not
  overlapping, covering every non-whitespace character;
* ``read_rich`` (DOCX, ODT and PDF bytes, named ``.docx``, ``.odt``, ``.pdf`` or
  ``.txt``): a Document that passes ``check_document``, None (not one of these
  formats) or an ``AlignError``, for damaged zips and PDFs too. The seeds hold a
  minimal DOCX, ODT and PDF for the fuzzer to damage.

Anything else (another exception, a violated contract, a hang past -timeout) is
a crash; libFuzzer saves the input as ``crash-*``/``timeout-*``. Replay one with
``python tests/fuzz/fuzz_readers.py crash-...``. ``tests/test_fuzz_smoke.py``
runs the same checks under hypothesis in the test suite.
"""

from __future__ import annotations

import io
import os
import sys
import unicodedata
import zipfile

LANGS = ("vi", "id", "en", "de", "zh", "xx")
FORMATS = ("text", "html", "presplit", "auto")
SEG_LANGS = ("vi", "id", "en")

RICH_NAMES = ("fuzz.docx", "fuzz.odt", "fuzz.pdf", "fuzz.txt")


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name), text, compress_type=zipfile.ZIP_STORED if name == "mimetype" else None)
    return buf.getvalue()


def _minimal_docx() -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return _zip({
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>Xin chào. Nhà mới.</w:t></w:r></w:p>'
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ô một</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>",
    })


def _minimal_odt() -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    return _zip({
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": f"<office:document-content {ns}><office:body><office:text><text:h>Tiêu đề</text:h>"
        "<text:p>Xin chào.<text:note><text:note-body><text:p>Chú thích.</text:p></text:note-body></text:note></text:p>"
        "</office:text></office:body></office:document-content>",
    })


def _minimal_pdf() -> bytes:
    stream = b"BT /F1 12 Tf 20 150 Td (Xin chao. Nha moi.) Tj 0 -20 Td (Trang 1) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SEEDS = [
    b"Chi\xe1\xbb\x81u 25/10, t\xe1\xba\xa1i H\xc3\xa0 N\xe1\xbb\x99i. B\xe1\xbb\x99 tr\xc6\xb0\xe1\xbb\x9fng n\xc3\xb3i: \"Xin ch\xc3\xa0o!\"\n\ninbound1.jpg\n",
    b"Menteri Luong Tam Quang menyambut baik gagasan. dr. Budi, S.H. datang pk. 10.00 WIB...\r\nSumber: https://x.id/a",
    b"<html><head><title>T</title></head><body><nav>Menu</nav><article><h1>Judul</h1><p>Satu. Dua.<br><br>Tiga</p>"
    b"<figure><img src=a.jpg><figcaption>Foto: ANTARA</figcaption></figure></article></body></html>",
    b"\xef\xbb\xbfline one\nline two\n\nline three\n",
    b"\xff\xfeH\x00i\x00.\x00",
    b"B\xf4\xcc\x81 tr\xfd\xf4\xd2ng",  # cp1258 with combining marks
    b"<!DOCTYPE x [<!ENTITY a \"&b;&b;\">]><p>&a;</p>",
    b"1. Pertama.\n2. Kedua.\n- butir\n\xe2\x80\xa2 butir\n",
    "Ông Nguyễn Văn A… Bà B?! „Ja“, sagte er. 3. Oktober. 。你好！".encode("utf-8"),
    _minimal_docx(),
    _minimal_odt(),
    _minimal_pdf(),
]


class ContractError(AssertionError):
    """A reader returned something its contract does not allow."""


def check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    prev = 0
    for s, e in spans:
        if not (prev <= s < e <= len(text)):
            raise ContractError(f"bad span {(s, e)} after {prev} in text of {len(text)}")
        piece = text[s:e]
        if piece != piece.strip():
            raise ContractError(f"span {(s, e)} not stripped: {piece!r}")
        if text[prev:s].strip():
            raise ContractError(f"characters lost before span {(s, e)}: {text[prev:s]!r}")
        prev = e
    if text[prev:].strip():
        raise ContractError(f"characters lost at the end: {text[prev:]!r}")


def fuzz_read_text(data: bytes, lang: str) -> None:
    from align.reading.decode import read_text
    from align.common.errors import AlignError

    try:
        text, used, warnings = read_text(data, "fuzz.txt", lang=lang)
    except AlignError:
        return
    if not isinstance(text, str) or not text.strip():
        raise ContractError("read_text returned blank text")
    if "\r" in text or not unicodedata.is_normalized("NFC", text):
        raise ContractError("read_text text not normalised")
    if not isinstance(used, str) or not all(isinstance(w, str) for w in warnings):
        raise ContractError("read_text returned a bad encoding name or warnings")


def fuzz_document(text: str, lang: str, fmt: str, split: bool, force: bool) -> None:
    from align.common.errors import AlignError
    from align.quality.invariants import check_document
    from align.reading.read import document_from_text

    try:
        doc = document_from_text(text, "fuzz.html" if fmt == "auto" else "fuzz.txt", lang, fmt, force=force, split=split)
    except AlignError:
        return
    check_document(doc)
    if not doc.segments:
        raise ContractError("a document without any segment")
    if not unicodedata.is_normalized("NFC", doc.text):
        raise ContractError("document text not NFC")
    for s in doc.segments:
        if "\n" in s.text or s.kind not in ("sentence", "paragraph", "noise"):
            raise ContractError(f"bad segment {s!r}")
        if (s.kind == "noise") != (s.reason is not None):
            raise ContractError(f"noise segment without reason or reason on content: {s!r}")


def fuzz_split(text: str, lang: str) -> None:
    from align.reading.segment import split_sentences

    check_spans(text, split_sentences(text, lang))


def fuzz_rich(data: bytes, name: str, lang: str, split: bool) -> None:
    from align.common.errors import AlignError
    from align.quality.invariants import check_document
    from align.reading.read import read_rich

    try:
        doc = read_rich(data, name, lang, force=True, split=split)
    except AlignError:
        return
    if doc is None:
        return
    check_document(doc)
    for s in doc.segments:
        if (s.kind == "noise") != (s.reason is not None):
            raise ContractError(f"noise segment without reason or reason on content: {s!r}")


def run_one(data: bytes) -> None:
    """Dispatch one fuzz input (also used by tests/test_fuzz_smoke.py)."""
    if len(data) < 2:
        return
    choice, flags, body = data[0], data[1], data[2:]
    lang = LANGS[flags % len(LANGS)]
    if choice % 8 == 7:
        fuzz_rich(body, RICH_NAMES[flags % len(RICH_NAMES)], lang, split=bool(flags & 0x40))
        return
    if choice % 4 == 0:
        fuzz_read_text(body, lang)
        return
    text = body.decode("utf-8", errors="surrogateescape").encode("utf-8", errors="replace").decode("utf-8")
    if choice % 4 == 3:
        fuzz_split(text, SEG_LANGS[flags % len(SEG_LANGS)])
        return
    fmt = FORMATS[(choice // 4) % len(FORMATS)]
    fuzz_document(text, lang, fmt, split=bool(flags & 0x40), force=bool(flags & 0x80))


def _write_seeds(corpus: str) -> None:
    os.makedirs(corpus, exist_ok=True)
    if os.listdir(corpus):
        return
    k = 0
    for seed in SEEDS:
        for choice in range(16):
            with open(os.path.join(corpus, f"seed-{k:03d}"), "wb") as f:
                f.write(bytes([choice, k % 256]) + seed)
            k += 1


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["align"]):
        import align.reading.decode  # noqa: F401
        import align.quality.invariants  # noqa: F401
        import align.reading.langid  # noqa: F401
        import align.reading.noise  # noqa: F401
        import align.reading.office  # noqa: F401
        import align.reading.pdf  # noqa: F401
        import align.reading.read  # noqa: F401
        import align.reading.segment  # noqa: F401
    args = list(sys.argv)
    dirs = [a for a in args[1:] if not a.startswith("-") and os.path.isdir(a)]
    if dirs:
        _write_seeds(dirs[0])
    atheris.Setup(args, run_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
