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
  overlapping, covering every non-whitespace character.

Anything else (another exception, a violated contract, a hang past -timeout) is
a crash; libFuzzer saves the input as ``crash-*``/``timeout-*``. Replay one with
``python tests/fuzz/fuzz_readers.py crash-...``. ``tests/test_fuzz_smoke.py``
runs the same checks under hypothesis in the test suite.
"""

from __future__ import annotations

import os
import sys
import unicodedata

LANGS = ("vi", "id", "en", "de", "zh", "xx")
FORMATS = ("text", "html", "presplit", "auto")
SEG_LANGS = ("vi", "id", "en")

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


def run_one(data: bytes) -> None:
    """Dispatch one fuzz input (also used by tests/test_fuzz_smoke.py)."""
    if len(data) < 2:
        return
    choice, flags, body = data[0], data[1], data[2:]
    lang = LANGS[flags % len(LANGS)]
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
