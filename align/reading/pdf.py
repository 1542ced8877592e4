"""PDF text layers into paragraphs: reading order, paragraphs, de-hyphenation, page furniture set aside.

A PDF keeps glyphs at positions, not paragraphs, so reading it is lossy and
every reading says so (a warning). The text layer is read with pdfminer.six
(MIT, maintained): it gives each line with its position and orders the text
boxes of a page in reading order (columns included). pypdf was tried first and
left: its ``extract_text`` keeps no paragraph breaks and no positions, so
neither paragraphs nor running headers could be told apart. A PDF with no text
layer (a scan) is refused: it needs OCR first.

Page furniture. On each page the outermost line at the top and at the bottom
is compared across pages with its digits normalised (``Page 3 of 9`` and
``Page 4 of 9`` are the same line): one found at the same edge of at least half
the pages (two at least) is a *running header* or *running footer*; the line
next to it (within two and a half line heights) counts too when it repeats
exactly. An edge line that is only a page
number (``12``, ``- 12 -``, ``12 / 40``, ``Page 12``, ``Trang 12``, ``Halaman 12``,
``xii``) is a *page number*. None of these is dropped: each stays in the
document as a noise paragraph with that reason, so the report lists it.

Paragraphs. Lines join into a paragraph unless the next line starts a new one:
a wider gap than the document's usual line pitch (1.45 times), another font
size, a new column or table cell (the line starts beside the last one or far
left of it), a first-line indent or a short line ending a sentence before it.
A list bullet drawn as a glyph at a line start is layout, like a DOCX list's,
and is left out. A paragraph goes on over a page break when the page ends without
ending a sentence and the next page starts in lower case.

De-hyphenation. A line ending in a letter and a hyphen, followed by a line
starting in lower case, is a word broken at the line end: the hyphen is removed
(``mendi-`` + ``rikan`` = ``mendirikan``), unless the word is kept hyphenated
elsewhere in the document (``well-known``) or the two halves are the same word
(Indonesian and Malay reduplication: ``teman-`` + ``teman`` = ``teman-teman``)
or the next line starts in upper case (``Asia-`` + ``Pacific``): then the
hyphen stays and the lines join without a space.
A soft hyphen at a line end always goes.

pdfminer is imported when a PDF is read, not with this module (it adds ~0.2 s
to every start of the command line), and its log messages about damaged files
are silenced while it reads: a damaged file is refused with one line instead.
"""

from __future__ import annotations

import io
import logging
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from align.common.errors import InputError
from align.reading.parts import PAGE_NUMBER, RUNNING_FOOTER, RUNNING_HEADER, Extracted

__all__ = ["LOSSY_WARNING", "is_page_number", "join_lines", "read_pdf"]

LOSSY_WARNING = ("read from the PDF's text layer: PDF keeps no paragraphs, so paragraphs, reading order and "
                 "hyphenation are reconstructed and may be wrong; align the Word/OpenDocument or a text export "
                 "instead when you have one")
_HINT = "open it and export it as plain text, or save it again as PDF"
#: Share of pages an edge line must repeat on to be a running header or footer.
_REPEAT_SHARE = 0.5
_PITCH_BREAK = 1.45
_SIZE_CHANGE = 0.25
_SENTENCE_END = tuple(".!?:;…")
_CLOSERS = "\"'”’»)]"
# A page number in any language: a number (or a small Roman numeral), optionally after one short word and a
# space ("Page", "Trang", "Halaman", "Seite": any word, no list of languages) and before "/ N" or "<word> N".
_PAGE_NUMBER = re.compile(
    r"^(?:[^\W\d_]{1,8}\.?\s+)?[-–—]?\s*(?:\d{1,5}|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))\s*[-–—]?"
    r"(?:\s*(?:/|[^\W\d_]{1,6})\s*\d{1,5})?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_CID = re.compile(r"\(cid:\d+\)")
# A list bullet drawn as a glyph (a DOCX or ODT list has none in its text either).
_BULLET = re.compile("^[•◦▪▫●○■□‣⁃∙·]\\s+")
_WORD_END = re.compile(r"(\w+)[-\u2010\u00ad]$")
_WORD_START = re.compile(r"^(\w+)")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    page: int
    noise: str | None = None

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 0.1)


def is_page_number(text: str) -> bool:
    """Whether a line is only a page number (``12``, ``- 12 -``, ``12 / 40``, ``Page 12``, ``Trang 12``, ``xii``)."""
    return bool(_PAGE_NUMBER.match(" ".join(text.split())))


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_pdf(data: bytes, path: str) -> Extracted:
    """The paragraphs of a PDF's text layer (see the module docstring)."""
    pages = _pdf_lines(data, path)
    n_text = sum(1 for page in pages if page)
    if not n_text:
        raise InputError("has no text layer (a scanned PDF?)", path=path,
                         hint="run OCR on it first (e.g. ocrmypdf), or give a text export")
    out = Extracted()
    out.warnings.append(LOSSY_WARNING)
    empty = [i + 1 for i, page in enumerate(pages) if not page]
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (", ..." if len(empty) > 10 else "")
        out.warnings.append(f"page{'s' if len(empty) > 1 else ''} {shown} of {len(pages)} "
                            f"{'have' if len(empty) > 1 else 'has'} no text layer (scanned?) and "
                            f"{'are' if len(empty) > 1 else 'is'} left out")
    text = " ".join(line.text for page in pages for line in page)
    cids = len(_CID.findall(text))
    if cids and cids * 6 > 0.5 * len(text):
        raise InputError("has text whose fonts have no Unicode mapping: the characters cannot be read", path=path,
                         hint="run OCR on it, or export the text from the program that made it")
    if cids:
        out.warnings.append(f"{cids} characters could not be read (fonts without a Unicode mapping; shown as (cid:N))")
    mark_furniture(pages)
    _paragraphs(pages, out, hyphenated=_hyphenated_words(text))
    return out


def _pdf_lines(data: bytes, path: str) -> list[list[_Line]]:
    """Every text line of every page, in pdfminer's reading order."""
    from pdfminer.high_level import extract_pages  # pdfminer.six, loaded when a PDF is read
    from pdfminer.layout import LAParams, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pages: list[list[_Line]] = []
    try:
        with _quiet("pdfminer"):
            for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True))):
                lines: list[_Line] = []
                _collect_lines(page, number, lines, LTTextLine)
                pages.append(lines)
    except PDFPasswordIncorrect:
        raise InputError("is password-protected", path=path,
                         hint="open it with its password and save a copy without one, or export it as text") from None
    except PDFEncryptionError as e:
        raise InputError(f"is encrypted in a way that cannot be read ({_short(str(e))})", path=path,
                         hint="save a copy without encryption, or export it as text") from None
    except (MemoryError, InputError):
        raise
    except Exception as e:  # pdfminer on a damaged file raises many kinds (its own, KeyError, TypeError, ...)
        detail = f"{type(e).__name__}: {_short(str(e))}" if str(e) else type(e).__name__
        raise InputError(f"is not a readable PDF ({detail})", path=path, hint=_HINT) from None
    if not pages:
        raise InputError("is not a readable PDF (it has no pages)", path=path, hint=_HINT)
    return pages


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _collect_lines(item: Any, page: int, out: list[_Line], line_type: Any) -> None:
    for child in item:
        if isinstance(child, line_type):
            text = _BULLET.sub("", " ".join(_CONTROL.sub(" ", child.get_text()).split()))
            if text:
                out.append(_Line(text, child.x0, child.x1, child.y0, child.y1, page))
        elif hasattr(child, "__iter__"):
            _collect_lines(child, page, out, line_type)


# --- page furniture -----------------------------------------------------------------


def _key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def mark_furniture(pages: list[list[_Line]]) -> None:
    """Set ``noise`` on running headers, running footers and page numbers (see the module docstring)."""
    n_pages = sum(1 for page in pages if page)
    needed = max(2, math.ceil(_REPEAT_SHARE * n_pages))
    for reason, pick in ((RUNNING_HEADER, _top), (RUNNING_FOOTER, _bottom)):
        edges = [pick(page) for page in pages]
        outer = Counter(_key(e[0].text) for e in edges if e)
        inner = Counter(e[1].text for e in edges if len(e) > 1)
        for edge in edges:
            if not edge:
                continue
            first = edge[0]
            if outer[_key(first.text)] >= needed:
                first.noise = reason
            elif is_page_number(first.text):
                first.noise = PAGE_NUMBER
            second = edge[1] if len(edge) > 1 else None
            # the line next to it, when it sits close to it (a two-line header), not across the page margin
            if first.noise and second is not None and abs(first.y0 - second.y0) <= 2.5 * first.height:
                if inner[second.text] >= needed and n_pages > 1:
                    second.noise = reason
                elif is_page_number(second.text):
                    second.noise = PAGE_NUMBER
    for page in pages:
        for line in page:
            if line.noise in (RUNNING_HEADER, RUNNING_FOOTER) and is_page_number(line.text):
                line.noise = PAGE_NUMBER


def _top(page: list[_Line]) -> list[_Line]:
    return sorted(page, key=lambda line: -line.y1)[:2] if len(page) > 2 else []


def _bottom(page: list[_Line]) -> list[_Line]:
    return sorted(page, key=lambda line: line.y0)[:2] if len(page) > 2 else []


# --- paragraphs ------------------------------------------------------------------------


def _hyphenated_words(text: str) -> set[str]:
    """Hyphenated words found whole inside a line (``well-known``), lower-cased."""
    return {m.group(0).lower() for m in re.finditer(r"\w+-\w+", text)}


def join_lines(prev: str, nxt: str, hyphenated: set[str] | frozenset[str] = frozenset()) -> str:
    """Two lines of one paragraph as one string, a word broken at the line end made whole again."""
    end = _WORD_END.search(prev)
    start = _WORD_START.match(nxt)
    if not (end and start):
        return f"{prev} {nxt}"
    if prev.endswith("\u00ad"):
        return prev[:-1] + nxt
    head, tail = end.group(1), start.group(1)
    if not nxt[:1].islower() or head.lower() == tail.lower() or f"{head}-{tail}".lower() in hyphenated:
        return prev + nxt  # Asia-Pacific, teman-teman, well-known: the hyphen belongs to the word
    return prev[:-1] + nxt


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_SENTENCE_END)


def _typical_pitch(pages: list[list[_Line]]) -> dict[int, float]:
    """The usual distance between baselines in a paragraph, by font size (rounded)."""
    pitches: dict[int, list[float]] = {}
    for page in pages:
        for a, b in zip(page, page[1:]):
            pitch = a.y0 - b.y0
            if a.noise is None and b.noise is None and abs(a.height - b.height) < 1 and 0 < pitch < 3 * a.height:
                pitches.setdefault(round(a.height), []).append(pitch)
    return {size: min(statistics.median(p), statistics.median_low(p)) for size, p in pitches.items()}


def _page_margins(page: list[_Line]) -> tuple[float, float]:
    xs0 = sorted(line.x0 for line in page if line.noise is None) or [0.0]
    xs1 = sorted(line.x1 for line in page if line.noise is None) or [0.0]
    return xs0[len(xs0) // 10], xs1[len(xs1) * 9 // 10]


def _breaks(a: _Line, b: _Line, pitch: dict[int, float], margins: tuple[float, float]) -> bool:
    """Whether line ``b`` starts a new paragraph after line ``a`` (see the module docstring)."""
    if a.page != b.page:
        return _ends_sentence(a.text) or not b.text[:1].islower()
    if b.y1 > a.y1 or a.y0 - b.y0 <= 0:  # back up the page: a new column or box
        return True
    if b.x0 >= a.x1 or b.x1 <= a.x0 or b.x0 < a.x0 - 3 * a.height:  # beside it, or far left of it: a table cell
        return True
    if abs(a.height - b.height) > _SIZE_CHANGE * max(a.height, b.height):
        return True
    usual = pitch.get(round(a.height), 1.2 * a.height)
    if a.y0 - b.y0 > _PITCH_BREAK * usual:
        return True
    if _ends_sentence(a.text):
        left, right = margins
        if b.x0 > a.x0 + 0.5 * a.height or a.x1 < right - 0.15 * max(right - left, 1.0):
            return True
    return False


def _paragraphs(pages: list[list[_Line]], out: Extracted, *, hyphenated: set[str]) -> None:
    """Content lines joined into paragraphs; furniture lines as noise paragraphs where they stand.

    A paragraph going on over a page break is kept whole, and the furniture of
    that break follows it.
    """
    pitch = _typical_pitch(pages)
    current: str | None = None
    last: _Line | None = None
    waiting: list[_Line] = []
    for page in pages:
        margins = _page_margins(page)
        for line in page:
            if line.noise is not None:
                if current is None:
                    out.add(line.text, noise=line.noise)
                else:
                    waiting.append(line)
                continue
            if current is not None and last is not None and not _breaks(last, line, pitch, margins):
                current = join_lines(current, line.text, hyphenated)
            else:
                if current is not None:
                    out.add(current)
                for w in waiting:
                    out.add(w.text, noise=w.noise)
                waiting = []
                current = line.text
            last = line
        # a paragraph may go on over the page break: the furniture waits for it to end
    if current is not None:
        out.add(current)
    for w in waiting:
        out.add(w.text, noise=w.noise)
