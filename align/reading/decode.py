"""Bytes to text: file checks, encodings, line endings and Unicode normalisation.

Everything downstream (spans, TMX, reports) works on the string this module
returns, so it is strict on purpose: a file is decoded with a known encoding or
refused with a message that says where and why, never decoded "with
replacement characters" into text that would silently differ from the file.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata

from align.common.errors import InputError
from align.common.files import read_bounded, read_bounded_text

#: Inputs larger than this are refused before reading: aligning a file this big
#: is a mistake (a whole dump, a binary) and would take hours, not a document.
MAX_INPUT_BYTES = 64 * 1024 * 1024

#: File signatures of formats people drop in by mistake, with what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, ODT, XLSX and EPUB files are ZIP archives)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (DOC/XLS)"),
    (b"{\\rtf", "an RTF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF media file (WebP, WAV, AVI)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable program"),
)

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: The legacy code page a document in this language most likely uses. When the
#: detector finds several plausible decodings, the declared language settles it
#: (German cp1252 text also decodes "cleanly" as Baltic cp1257, for instance).
LEGACY_BY_LANG: dict[str, str] = {
    "vi": "cp1258",
    **dict.fromkeys(("en", "de", "fr", "es", "pt", "it", "nl", "id", "ms", "da", "sv", "no", "nb", "fi"), "cp1252"),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "hr", "sl", "ro"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "bg", "sr", "be"), "cp1251"),
    **dict.fromkeys(("lt", "lv", "et"), "cp1257"),
    "tr": "cp1254",
    "el": "cp1253",
}
#: Without a language to go by, the code pages tried first among near-ties.
_GLOBAL_PREFERENCE = ("cp1252", "cp1258", "cp1250")
#: A legacy decoding is accepted only if its "mess" (charset-normalizer's
#: percent_chaos) is at most this, and near-ties are within _TIE_CHAOS of the best.
_MAX_CHAOS = 5.0
_TIE_CHAOS = 3.0

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Line ends other than \r and \n (U+2029 ends a paragraph: it becomes a blank line).
_LINE_ENDS = "\u2028\u0085\x0b\x0c"
_NEWLINES = re.compile(f"\r\n?|[{_LINE_ENDS}]")
_CRLF = re.compile("\r\n?")
# Characters that end a line in Unicode's sense but not in a one-segment-per-line file.
_SEPARATOR_CHARS = "\u2028\u2029\u0085\x0b\x0c"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]")


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a whole input document, turning every way it can fail into an InputError with a hint."""
    return read_bounded(path, limit=MAX_INPUT_BYTES, what="document",
                        hint_large="split it into documents, one per article or chapter")


def read_utf8(path: str | os.PathLike[str], what: str = "file", *, bom: bool = False) -> str:
    """A small file of our own formats (manifest, beads, gold), which must be UTF-8.

    Unlike documents (``read_text``), these are not guessed at: a wrong
    encoding is an ``InputError`` naming the file and what it was read as.
    ``bom``: a leading UTF-8 byte-order mark is allowed (spreadsheets write one).
    """
    return read_bounded_text(path, what=what, bom=bom)


def _check_size(size: int, path: str) -> None:
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"file is too large ({size / 2**20:.0f} MB; the limit is {MAX_INPUT_BYTES // 2**20} MB)",
            path=path,
            hint="split it into documents, one per article or chapter",
        )


def read_text(
    data: bytes, path: str, *, lang: str | None = None, encoding: str | None = None, line_separators: bool = True
) -> tuple[str, str, tuple[str, ...]]:
    """Decode an input file's bytes into normalised text.

    Returns ``(text, encoding, warnings)``: the text with a BOM stripped, line
    endings as ``\\n`` and Unicode in NFC; the name of the encoding used; and
    warnings a user should see (legacy encoding guessed, text normalised).
    ``lang`` (the declared language) breaks ties between legacy code pages;
    ``encoding`` forces one and skips all detection. ``line_separators=False``
    is for one-segment-per-line files (see :func:`normalise_text`).
    Raises InputError for binary, empty, oversized or undecodable input.
    """
    _check_size(len(data), path)
    warnings: list[str] = []
    if encoding is not None:
        text, used = _decode_forced(data, path, encoding)
    else:
        text, used, warning = _decode(data, path, lang)
        if warning:
            warnings.append(warning)
    text, changed = normalise_text(text, line_separators=line_separators)
    if changed:
        warnings.append(changed)
    if not text.strip():
        raise InputError("is empty" if not text else "contains only whitespace", path=path, hint="check that you gave the right file")
    return text, used, tuple(warnings)


def normalise_text(text: str, *, line_separators: bool = True) -> tuple[str, str | None]:
    """Strip a BOM, turn every line ending into ``\n`` and compose to NFC.

    NFC matters: the same Vietnamese word typed on two systems can arrive as
    precomposed or decomposed characters, with combining marks in any order, and
    would otherwise not match in the aligner, the TMX or a CAT tool. Returns the
    text and a warning when normalisation changed it.

    ``line_separators=False`` is for files that hold one segment per line
    (``--presplit``, gold files): only ``\n``, ``\r\n`` and ``\r`` end a line there,
    so that segment *k* is line *k* of the file, and the other separators (vertical
    tab, form feed, NEL, U+2028, U+2029) become spaces, which the warning counts.
    """
    text = text.removeprefix("\ufeff")
    notes = []
    # each pattern only where its characters are: a regular expression scans a large text slower than `in`
    if line_separators:
        if _holds_any(text, "\r" + _LINE_ENDS):
            text = _NEWLINES.sub("\n", text)
        text = text.replace("\u2029", "\n\n")
    else:
        if "\r" in text:
            text = _CRLF.sub("\n", text)
        n = 0
        if _holds_any(text, _SEPARATOR_CHARS):
            text, n = _SEPARATORS.subn(" ", text)
        if n:
            notes.append(
                f"{n} line or page separator character{'s' if n != 1 else ''} (U+000B, U+000C, U+0085, U+2028, "
                "U+2029) inside lines became spaces: in a one-segment-per-line file only a line break ends a segment"
            )
    nfc = _nfc_by_line(text)
    if nfc != text:
        notes.append("the text was not in Unicode NFC form (e.g. decomposed Vietnamese tone marks); normalised it to NFC")
    return nfc, "; ".join(notes) or None


def _holds_any(text: str, chars: str) -> bool:
    """Whether ``text`` holds any of ``chars``."""
    return any(c in text for c in chars)


def _nfc_by_line(text: str) -> str:
    """``unicodedata.normalize("NFC", text)``, composed a line at a time: the same string, sooner.

    The same because no normalisation reaches across a line break: ``\n`` has
    no decomposition, combining class 0, and composes with nothing on either
    side. Sooner because CPython checks a string quickly and composes it
    slowly, and composes all of it when one character needs it: a 7 MB file
    with a few decomposed lines took 0.5 s whole, 0.03 s a line at a time.
    """
    return "\n".join([unicodedata.normalize("NFC", line) for line in text.split("\n")])


def _decode_forced(data: bytes, path: str, encoding: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path, hint="use a Python codec name such as utf-8, cp1258 or cp1252") from None
    try:
        return data.decode(name), name
    except UnicodeDecodeError as e:
        raise InputError(f"cannot be decoded as {name}: {_where(data, e.start)}", path=path, hint="check the encoding, or convert the file to UTF-8") from None


def _decode(data: bytes, path: str, lang: str | None) -> tuple[str, str, str | None]:
    """Pick the encoding: BOM, then UTF-8, then an HTML-declared or a confidently detected legacy one."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name, None
            except UnicodeDecodeError as e:
                raise InputError(
                    f"starts with a {name.upper()} byte-order mark but is not valid {name.upper()}: {_where(data, e.start + len(bom))}",
                    path=path,
                    hint="re-save the file as UTF-8",
                ) from None
    _refuse_binary(data, path)
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as e:
        first_bad = e.start
    where = _where(data, first_bad)
    if _mostly_utf8(data):
        raise InputError(
            f"is not valid UTF-8: {where}",
            path=path,
            hint="the file looks like UTF-8 with damaged bytes; repair it or re-save it as UTF-8",
        )
    legacy = _html_declared(data) or _detect_legacy(data, lang)
    if legacy is None:
        raise InputError(
            f"is not valid UTF-8 ({where}) and its encoding could not be detected with confidence",
            path=path,
            hint="convert it to UTF-8, e.g. iconv -f WINDOWS-1258 -t UTF-8",
        )
    name, how = legacy
    return data.decode(name), name, f"not UTF-8: decoded as {name} ({how}); check the text, or convert the file to UTF-8"


#: Formats ``--format auto`` reads by their own reader (align.reading.office, align.reading.pdf).
_READ_DIRECTLY = (b"%PDF", b"PK\x03\x04")


def _refuse_binary(data: bytes, path: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            hint = ("DOCX, ODT and PDF files are read as they are with --format auto, not --presplit or "
                    "--format text/html; or export it as plain text" if magic in _READ_DIRECTLY
                    else "export it as plain text (UTF-8) or HTML")
            raise InputError(f"looks like {what}, not text", path=path, hint=hint)
    nul = data.find(b"\x00", 0, 1 << 20)
    if nul >= 0:
        raise InputError(
            f"contains NUL bytes (first at offset {nul}); looks like a binary file, not text",
            path=path,
            hint="export it as plain text (UTF-8); UTF-16 files need a byte-order mark",
        )


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"bad byte 0x{data[offset]:02x} at offset {offset} (line {line})"


def _mostly_utf8(data: bytes) -> bool:
    """True when the bytes hold more valid UTF-8 multi-byte characters than invalid bytes.

    Legacy code pages almost never form valid UTF-8 sequences by chance, so such
    a file is UTF-8 with a few damaged bytes; guessing a code page for it would
    turn every correct character into mojibake.
    """
    decoded = data.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    good = sum(1 for ch in decoded if ch > "\x7f") - bad
    return good > bad


def _html_declared(data: bytes) -> tuple[str, str] | None:
    """The charset an HTML file declares in a <meta> tag, if Python knows it and it decodes the file."""
    m = _HTML_CHARSET.search(data[:8192])
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
        data.decode(name)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None
    if name == "utf-8":
        return None
    return name, "declared in the HTML"


def _detect_legacy(data: bytes, lang: str | None) -> tuple[str, str] | None:
    """A legacy code page from charset-normalizer, accepted only when the guess is clear.

    The candidates are the decodings whose "mess" (percent_chaos) is within a few
    points of the least messy one, which must itself be nearly clean. Among them
    the code page usual for the declared language wins; otherwise they must all
    give the same text, or one must be a common Windows code page. Anything else
    (several plausible readings, none of them usual) is not confident.
    """
    import charset_normalizer  # only for bytes that are not UTF-8: most inputs never load it

    matches = [m for m in charset_normalizer.from_bytes(data) if m.encoding not in ("utf_8", "ascii")]
    if not matches:
        return None
    best = min(m.percent_chaos for m in matches)
    if best > _MAX_CHAOS:
        return None
    near = [m for m in matches if m.percent_chaos <= best + _TIE_CHAOS]
    # could_be_from_charset: the code pages that give exactly this match's text
    names = [_codec_name(c) for m in near for c in (m.encoding, *m.could_be_from_charset)]
    base = (lang or "").lower().replace("_", "-").split("-")[0]
    preferred = LEGACY_BY_LANG.get(base)
    if preferred in names:
        return preferred, f"detected; usual for language {base!r}"
    if len({str(m) for m in near}) == 1:
        return names[0], "detected"  # every plausible reading gives the same text
    for name in _GLOBAL_PREFERENCE:
        if name in names:
            return name, "detected"
    return None


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name
