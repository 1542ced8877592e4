"""The reader's fast paths give what the plain ones gave: NFC a line at a time, patterns only where their
characters are, pre-split spans in one scan, and read_document normalising once."""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.reading import decode as _decode
from align.reading import read as _read
from align.reading.decode import normalise_text, read_text
from align.reading.read import document_from_text, read_document

# Characters where normalisation is subtle: combining marks in and out of canonical order, Hangul jamo that
# compose across each other, singletons, composition exclusions, starters that compose with what follows,
# a BOM, and every line ending and separator the reader knows.
TRICKY = (
    "aeoAEOuy ."
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u0327\u0328\u0345\u0344\u05b0\u0591"
    "\u1100\u1161\u11a8\uac00\u1112\u1173"
    "\u212b\u2126\uf900\u0f73\u0958\u1d15e\u00c5\u1ec7\u01a1\u0b47\u0b3e\u0d46\u0d3e"
    "\ufeff\n\r\u2028\u2029\u0085\x0b\x0c\t\x1c\u3000\u00a0"
)
texts = st.text(alphabet=TRICKY, max_size=80)


def _old_normalise(text: str, *, line_separators: bool = True) -> tuple[str, str | None]:
    """normalise_text as it was: every pattern run, the whole text composed at once."""
    text = text.removeprefix("\ufeff")
    notes = []
    if line_separators:
        text = _decode._NEWLINES.sub("\n", text).replace("\u2029", "\n\n")
    else:
        text = _decode._CRLF.sub("\n", text)
        text, n = _decode._SEPARATORS.subn(" ", text)
        if n:
            notes.append(
                f"{n} line or page separator character{'s' if n != 1 else ''} (U+000B, U+000C, U+0085, U+2028, "
                "U+2029) inside lines became spaces: in a one-segment-per-line file only a line break ends a segment"
            )
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        notes.append("the text was not in Unicode NFC form (e.g. decomposed Vietnamese tone marks); normalised it to NFC")
    return nfc, "; ".join(notes) or None


@settings(max_examples=400, deadline=None)
@given(texts)
def test_nfc_a_line_at_a_time_is_nfc_of_the_whole(text):
    assert _decode._nfc_by_line(text) == unicodedata.normalize("NFC", text)


def test_nfc_a_line_at_a_time_for_every_character_next_to_a_line_break():
    """Each code point decomposed, before and after a line break, beside marks that could reorder or compose."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for k in range(0, len(chars), 4096):
        block = chars[k:k + 4096]
        nfd = unicodedata.normalize("NFD", "".join(block))
        text = "\n".join(f"{c}\u0301\n\u0323{c}\u1161\n\u11a8" for c in block) + "\n" + nfd + "\n"
        assert _decode._nfc_by_line(text) == unicodedata.normalize("NFC", text), k


@settings(max_examples=400, deadline=None)
@given(texts, st.booleans())
def test_normalise_text_is_what_it_was(text, line_separators):
    assert normalise_text(text, line_separators=line_separators) == _old_normalise(text, line_separators=line_separators)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\x1c\x1f\u3000\u00a0\u2028\u200bab.", max_size=60))
def test_presplit_spans_are_the_non_blank_lines(text):
    assert _read._nonblank_lines(text) == [span for span in _read._lines(text) if span is not None]


def test_regex_white_space_is_what_strip_strips():
    space = re.compile(r"\s")
    assert all(bool(space.match(c)) == (c.strip() == "") for c in map(chr, range(sys.maxunicode + 1)))


VI = "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn tám triệu dân.\nMùa thu ở Hà Nội rất đẹp.\n"
FILES = {
    "plain": VI.encode(),
    "three BOMs": codecs.BOM_UTF8 * 3 + VI.encode(),
    "two BOMs as characters": ("\ufeff\ufeff" + VI).encode(),
    "decomposed, CRLF": unicodedata.normalize("NFD", VI).replace("\n", "\r\n").encode(),
    "separators": VI.replace(". ", ".\u2028").replace("\nM", "\x0c\u2029\x85M").encode(),
    "utf-16 with a BOM character inside": codecs.BOM_UTF16_LE + ("\ufeff" + VI).encode("utf-16-le"),
    "blank and spaced lines": ("\n \n\t" + VI.replace("\n", "  \n\n \x1c ") + "\u3000").encode(),
}


@pytest.mark.parametrize("fmt", ["presplit", "text", "auto"])
@pytest.mark.parametrize("name", list(FILES))
def test_read_document_is_read_text_then_document_from_text(tmp_path, name, fmt):
    """What read_document was: decode, then document_from_text (which normalised a second time)."""
    path = tmp_path / "vi.txt"
    path.write_bytes(FILES[name])
    text, used, warnings = read_text(FILES[name], str(path), lang="vi", line_separators=fmt != "presplit")
    old = document_from_text(text, str(path), "vi", fmt, encoding=used, warnings=warnings)
    assert read_document(path, "vi", fmt=fmt) == old
