"""Reading documents: a file (text, HTML or pre-split lines) into a segmented Document.

The stages are ``read_bytes`` and ``read_text`` (:mod:`align.reading.decode`: bytes to
NFC text), then blocks (paragraphs) by format, then noise verdicts
(:mod:`align.reading.noise`), a language check (:mod:`align.reading.langid`) and sentences
(:func:`align.reading.segment.split_sentences`). Every segment carries its span in
``Document.text``, so nothing is lost or rewritten on the way.

Plain-text paragraphs. Text comes in two shapes: one paragraph per line
(scraped pages, exports, the usual news dump, where blank lines may separate
lines but an image name and its caption sit on adjacent lines), or paragraphs
hard-wrapped over several lines and separated by blank lines (e-mails, Project
Gutenberg). The document counts as *wrapped* when (1) at least half of its
non-empty lines sit in groups of two or more adjacent lines, and (2) at least
60% of the line breaks inside those groups look like wraps: the line does not
end a sentence (``. ! ? … : ;``) and the next line starts in lower case, or the
line ends in ``,`` or a hyphen, or the line is long (40+ characters). Then each
blank-line group is a paragraph (split again before list bullets and around
single-token lines such as file names); otherwise every non-empty line is one.

HTML. Parsed with lxml (no network, no entity expansion beyond HTML's own, no
huge trees); scripts, navigation, headers and footers outside the article,
forms, elements whose class, id or role says menu, comments, sharing, related
articles or cookies, and lists or boxes that are nearly all link text (menus
and headline lists, whatever their class names) are dropped; the ``<article>``
(the largest one) or ``<main>`` is used when there is one, with the ``<h1>``
title kept if it sits outside, and the short text between that title and the
article (a standfirst). Block-level elements in document order become
paragraphs (whitespace-normalised; ``<br>`` is a space, two or more in a row a
paragraph break, and so is one before a list bullet or between two elements
with no text around it), and ``Document.text`` is those paragraphs joined by
blank lines. The visible text left out is listed in ``Document.removed`` as
``(reason, text)`` ("menu", "comment box", "page footer", "links (menu or
headlines)", "outside the article"...). Blocks kept but set aside by their
markup: byline/date markup (``<time>``, ``rel=author``, a byline, author, date
or meta class), a block that is all link text, a short right-aligned name (the
author's signature).

Photo credits. A block that ends with a credit (``Quang cảnh. Ảnh: Hoàng Long``,
``... (Foto: Hoang Long)``) is split: the caption stays content, the credit
becomes a ``photo credit`` noise segment of its own block (any format).

Segments. Each block gets ``para`` = its index among *all* blocks, noise
included (so the paragraph indices of ``Document.content`` may skip numbers),
and its sentences ``index`` 0, 1, ... A noise block is one ``noise`` segment
with its reason; with ``split=False`` a content block is one ``paragraph``.
``Segment.text`` is ``Document.text[span]`` with line breaks made spaces.

Pre-split. One segment per non-empty line, used as it is (no noise check, no
sentence splitting); blank lines are skipped, and ``para`` counts non-empty
lines, so line *k* of a file without blank lines is segment *k*.

Word, OpenDocument and PDF. ``auto`` picks ``docx``, ``odt`` or ``pdf`` by the
file's first bytes (a zip holding ``word/document.xml``, a zip whose
``mimetype`` is an OpenDocument text, ``%PDF``), and refuses a file whose name
says one of these but whose bytes do not (an encrypted DOCX is an OLE file, not
a zip), and a zip that is neither (XLSX, EPUB). The bytes are read bounded like
any document and parsed from memory by :mod:`align.reading.office` and
:mod:`align.reading.pdf` into paragraphs, which become ``Document.text`` joined
by blank lines, as for HTML. Paragraphs the reader itself marks as noise (a
PDF's running headers, footers and page numbers, a Word page header) keep
their reason; the other paragraphs get the same noise verdicts, language
check and sentences as text.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lxml.etree
import lxml.html

from align.common.errors import InputError, UsageError
from align.common.model import Document, Segment, SegmentKind
from align.reading.decode import normalise_text, read_bytes, read_text
from align.reading.langid import language_mismatch
from align.reading.noise import (
    BYLINE,
    COMMENTS,
    CREDIT,
    LINKS,
    RELATED,
    ends_sentence,
    find_noise,
    trailing_credit,
    words,
)
from align.reading.office import looks_like_docx, looks_like_odt, read_docx, read_odt
from align.reading.parts import Extracted
from align.reading.segment import split_sentences

__all__ = ["FORMATS", "OUTSIDE", "RICH_FORMATS", "document_from_extracted", "document_from_text", "left_out",
           "read_document", "read_rich", "read_text", "rich_format", "text_blocks"]

FORMATS = ("auto", "text", "html", "presplit", "docx", "odt", "pdf")
#: Formats read from their bytes by a reader of their own (not decoded as text), by file name extension.
RICH_FORMATS = {".docx": "docx", ".odt": "odt", ".pdf": "pdf"}
_RICH_KINDS = frozenset(("docx", "odt", "pdf"))  # each read by ``_rich_reader``
_RICH_NAMES = {"docx": "Word .docx document", "odt": "OpenDocument text (.odt)", "pdf": "PDF"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
# A translation memory or bilingual exchange file given where a document is expected.
_BILINGUAL_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+)?(tmx|xliff)\b", re.IGNORECASE | re.DOTALL
)
_BULLET = re.compile(r"^(?:[-*•·–—]|\d{1,3}[.)])\s")
_LINE_END_BREAKS = re.compile(r"[ \t]*\n\s*")
# A line from its first to its last character that is not white space (``\s`` is what str.strip strips).
_STRIPPED_LINE = re.compile(r"\S(?:[^\n]*\S)?")
_WRAP_GROUP_SHARE = 0.5
_WRAP_BREAK_SHARE = 0.6
_WRAP_LONG_LINE = 40


@dataclass(frozen=True)
class Block:
    """A paragraph: its span in the document text, and whether the source marks it a caption."""

    start: int
    end: int
    caption: bool = False
    noise: str | None = None  # a reason the reader already knows (a PDF's running header)


def read_document(
    path: str | os.PathLike,
    lang: str,
    *,
    fmt: str = "auto",
    force: bool = False,
    split: bool = True,
    encoding: str | None = None,
) -> Document:
    """Read and segment one document.

    ``fmt`` is ``"auto"`` (DOCX, ODT or PDF by content, HTML by extension or
    content, else text), ``"text"``, ``"html"``, ``"presplit"`` (one segment per
    line), ``"docx"``, ``"odt"`` or ``"pdf"``. ``split=False`` keeps
    paragraphs whole (paragraph-level alignment). ``force`` skips the check that
    the text is in ``lang``. ``encoding`` forces a codec instead of detection.
    Raises InputError (missing, unreadable, binary, empty, undecodable, wrong
    language) with the path and a hint.
    """
    _check_format(fmt)
    name = os.fspath(path)
    data = read_bytes(name)
    doc = read_rich(data, name, lang, fmt, force=force, split=split)
    if doc is not None:
        return doc
    text, used, warnings = read_text(data, name, lang=lang, encoding=encoding, line_separators=fmt != "presplit")
    # read_text normalised the text; normalising it again (document_from_text) could only take off one more
    # leading byte-order mark, so that is all done here
    text = text.removeprefix("\ufeff")
    return _segmented(text, name, lang, fmt, force=force, split=split, encoding=used, warnings=warnings)


def document_from_text(
    text: str,
    path: str,
    lang: str,
    fmt: str = "auto",
    *,
    force: bool = False,
    split: bool = True,
    encoding: str = "utf-8",
    warnings: tuple[str, ...] = (),
) -> Document:
    """Segment already-decoded text (see :func:`read_document`); for callers and tests without files."""
    _check_format(fmt)
    if fmt in _RICH_KINDS:
        raise UsageError(f"--format {fmt} reads a file's bytes, not text")
    text, changed = normalise_text(text, line_separators=fmt != "presplit")
    if changed:
        warnings = (*warnings, changed)
    return _segmented(text, path, lang, fmt, force=force, split=split, encoding=encoding, warnings=warnings)


def _segmented(
    text: str,
    path: str,
    lang: str,
    fmt: str,
    *,
    force: bool,
    split: bool,
    encoding: str,
    warnings: tuple[str, ...],
) -> Document:
    """The Document of text ``normalise_text`` already made (``read_text`` does: normalising twice cost time)."""
    if not text.strip():
        raise InputError("is empty" if not text else "contains only whitespace", path=path, hint="check that you gave the right file")
    fmt = resolve_format(fmt, path, text)
    removed: list[tuple[str, str]] = []
    if fmt == "presplit":
        doc_text, segments = text, _presplit_segments(text, split)
    else:
        if fmt == "html":
            doc_text, blocks, in_article, removed = html_blocks(text, path)
        else:
            doc_text, blocks, in_article = text, text_blocks(text), False
        segments = _segments(doc_text, blocks, lang, split, edges=not in_article)
    if not force:
        _check_language(segments, path, lang)
    return Document(path=path, lang=lang, text=doc_text, segments=tuple(segments), encoding=encoding, warnings=tuple(warnings), fmt=fmt,
                    removed=tuple(removed))


def left_out(doc: Document) -> dict[str, list[str]]:
    """Everything of a document that is in no unit, by reason: what the reader removed, then the noise it set aside.

    For a report's "removed: menu / comment box / photo credit / byline ..." list;
    the reasons are ``Document.removed``'s and the noise segments' (``Segment.reason``).
    """
    out: dict[str, list[str]] = {}
    for reason, text in doc.removed:
        out.setdefault(reason, []).append(text)
    for s in doc.noise:
        out.setdefault(s.reason or "set aside", []).append(s.text)
    return out


def read_rich(
    data: bytes, path: str, lang: str, fmt: str = "auto", *, force: bool = False, split: bool = True
) -> Document | None:
    """The Document of a DOCX, ODT or PDF file's bytes, or None when ``fmt`` and the bytes say it is none of them.

    Raises InputError for a damaged, encrypted or oversized file (see :func:`rich_format`).
    """
    _check_format(fmt)
    rich = rich_format(fmt, path, data)
    if rich is None:
        return None
    return document_from_extracted(_rich_reader(rich)(data, path), path, lang, rich, force=force, split=split)


def _rich_reader(fmt: str) -> Callable[[bytes, str], Extracted]:
    """The reader of a rich format; the PDF reader's module (and its imports) loads with the first PDF."""
    if fmt == "pdf":
        from align.reading.pdf import read_pdf

        return read_pdf
    return read_docx if fmt == "docx" else read_odt


def document_from_extracted(
    extracted: Extracted, path: str, lang: str, fmt: str, *, force: bool = False, split: bool = True
) -> Document:
    """Segment the paragraphs a DOCX, ODT or PDF reader found (see the module docstring)."""
    if not any(p.noise is None for p in extracted.paragraphs):
        raise InputError("has no text" if not extracted.paragraphs else "has no text but page headers and footers",
                         path=path, hint="check that you gave the right file")
    parts, blocks, pos = [], [], 0
    for paragraph in extracted.paragraphs:
        parts.append(paragraph.text)
        blocks.append(Block(pos, pos + len(paragraph.text), noise=paragraph.noise))
        pos += len(paragraph.text) + 2
    doc_text = "\n\n".join(parts)
    segments = _segments(doc_text, blocks, lang, split)
    if not force:
        _check_language(segments, path, lang)
    return Document(path=path, lang=lang, text=doc_text, segments=tuple(segments), encoding="utf-8",
                    warnings=tuple(extracted.warnings), fmt=fmt)


def rich_format(fmt: str, path: str, data: bytes) -> str | None:
    """``docx``, ``odt`` or ``pdf`` when the file is read by its own reader, else None (text, HTML, pre-split).

    With ``auto`` the first bytes decide; a name that says DOCX, ODT or PDF over
    bytes that are not, and a zip that is none of them, are refused here with
    what the file looks like.
    """
    if not data:
        return None  # refused as empty, like any document
    if fmt in _RICH_KINDS:
        _check_signature(fmt, path, data)
        return fmt
    if fmt != "auto":
        return None
    suffix = os.path.splitext(path)[1].lower()
    named = RICH_FORMATS.get(suffix)
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if looks_like_odt(data):
            return "odt"
        if looks_like_docx(data) or named in ("docx", "odt"):
            return named if named in ("docx", "odt") else "docx"
        raise InputError("is a zip archive, but not a Word (.docx) or OpenDocument text (.odt) document", path=path,
                         hint="give the document as DOCX, ODT, PDF, plain text or HTML; export a spreadsheet, "
                              "presentation or e-book as text")
    if named is not None:
        _check_signature(named, path, data)
    return None


def _check_signature(fmt: str, path: str, data: bytes) -> None:
    """Refuse bytes that cannot be a ``fmt`` file, saying what they look like."""
    magic = b"%PDF" if fmt == "pdf" else b"PK\x03\x04"
    if data.startswith(magic):
        return
    if fmt == "pdf" and data[:1024].lstrip().startswith(b"%PDF"):
        return
    name = _RICH_NAMES[fmt]
    if data.startswith(_OLE_MAGIC):
        raise InputError(f"is not a {name} but an old Microsoft Office file (.doc), or one saved with a password",
                         path=path, hint="open it in Word or LibreOffice and save it as .docx without a password")
    what = "does not start with %PDF" if fmt == "pdf" else "is not a zip archive, as every .docx and .odt is"
    raise InputError(f"is not a {name}: it {what}", path=path,
                     hint="check the file; if it is plain text or HTML, give --format text or --format html")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")


def resolve_format(fmt: str, path: str, text: str) -> str:
    """``auto`` becomes ``html`` for .html/.htm/.xhtml files or text that starts like HTML, else ``text``.

    A TMX or XLIFF file (a translation memory given by mistake) is refused with an InputError.
    """
    if fmt != "auto":
        return fmt
    bilingual = _BILINGUAL_START.match(text[:4096])
    if bilingual:
        raise InputError(
            f"is a {bilingual.group(1).upper()} file (already aligned translation units), not a document to align",
            path=path,
            hint="give the original and the translation as plain text or HTML, or --format text to align it as text",
        )
    if path.lower().endswith(_HTML_SUFFIXES) or _HTML_START.match(text[:4096]):
        return "html"
    return "text"


# --- plain text -----------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, int] | None]:
    """Each line's stripped span, or None for a blank line."""
    out: list[tuple[int, int] | None] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            out.append((start, start + len(stripped)))
        else:
            out.append(None)
        pos += len(raw) + 1
    return out


def _groups(lines: list[tuple[int, int] | None]) -> list[list[tuple[int, int]]]:
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for span in lines:
        if span is None:
            if current:
                groups.append(current)
            current = []
        else:
            current.append(span)
    if current:
        groups.append(current)
    return groups


def _is_wrap(prev: str, nxt: str) -> bool:
    """Whether a line break inside a group looks like a hard wrap inside a paragraph."""
    end = prev.rstrip("\"'”’»)]")
    if end[-1:] in ".!?…:;":
        return False
    return nxt[:1].islower() or prev[-1:] in ",-‐(" or len(prev) >= _WRAP_LONG_LINE


def looks_wrapped(text: str, groups: list[list[tuple[int, int]]]) -> bool:
    """The wrapped-paragraph test of the module docstring."""
    n_lines = sum(len(g) for g in groups)
    multi = [g for g in groups if len(g) > 1]
    if not multi or sum(len(g) for g in multi) < _WRAP_GROUP_SHARE * n_lines:
        return False
    breaks = [(text[a[0]:a[1]], text[b[0]:b[1]]) for g in multi for a, b in zip(g, g[1:])]
    return sum(_is_wrap(a, b) for a, b in breaks) >= _WRAP_BREAK_SHARE * len(breaks)


def text_blocks(text: str) -> list[Block]:
    """The paragraphs of plain text (see the module docstring for the rule)."""
    groups = _groups(_lines(text))
    if not looks_wrapped(text, groups):
        return [Block(s, e) for g in groups for s, e in g]
    blocks: list[Block] = []
    for group in groups:
        start = group[0]
        for prev, line in zip(group, group[1:]):
            prev_text, line_text = text[prev[0]:prev[1]], text[line[0]:line[1]]
            if _BULLET.match(line_text) or " " not in prev_text or " " not in line_text:
                blocks.append(Block(start[0], prev[1]))
                start = line
        blocks.append(Block(start[0], group[-1][1]))
    return blocks


# --- HTML -------------------------------------------------------------------------

# Elements dropped with no visible text worth listing; those with a reason are listed in Document.removed.
_SILENT_TAGS = ("head", "script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "canvas", "video",
                "audio", "map")
_DROP_TAGS = {"nav": "menu", "menu": "menu", "form": "form", "dialog": "popup", "button": "form", "select": "form",
              "textarea": "form", "input": "form"}
_PAGE_FURNITURE = {"header": "page header", "footer": "page footer", "aside": "sidebar"}
_BLOCK_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li blockquote figcaption td th dd dt pre div section article main ul ol dl table thead tbody "
    "tfoot tr caption figure address center details summary fieldset legend body html hgroup header footer aside".split()
)
# Class/id words that say what an element is, and the reason listed when it is removed.
_TOKEN_REASONS = {
    **dict.fromkeys("nav navbar navigation menu menubar".split(), "menu"),
    **dict.fromkeys("breadcrumb breadcrumbs".split(), "breadcrumb"),
    **dict.fromkeys("comment comments".split(), COMMENTS),
    **dict.fromkeys("share sharing social sharebar socials".split(), "share buttons"),
    **dict.fromkeys("related recommend recommended".split(), RELATED),
    "footer": "page footer",
    **dict.fromkeys("cookie cookies consent".split(), "cookie banner"),
    "sidebar": "sidebar",
    **dict.fromkeys("advert advertisement ads".split(), "advertisement"),
    **dict.fromkeys("newsletter subscribe".split(), "newsletter box"),
    **dict.fromkeys("popup modal".split(), "popup"),
    "pagination": "pagination",
}
_NOISE_TOKENS = frozenset(_TOKEN_REASONS)
_ROLE_REASONS = {"navigation": "menu", "banner": "page header", "contentinfo": "page footer", "complementary": "sidebar",
                 "search": "form", "dialog": "popup", "menu": "menu", "menubar": "menu"}
_NOISE_ROLES = frozenset(_ROLE_REASONS)
# Evidence that an element holds the byline or the date (many sites' conventions, no one site's names).
_BYLINE_TOKENS = frozenset("byline author authors date datetime time timestamp dateline published posted meta".split())
_BYLINE_TAGS = ("time", "address")
_BYLINE_ITEMPROPS = frozenset("author datepublished datemodified datecreated".split())
_BYLINE_SHARE = 0.5  # of a block's characters inside such elements...
_BYLINE_MAX_WORDS = 25  # ...in a block this short
_LINK_BLOCK_SHARE = 0.9  # a block this much link text (and no sentence) is a menu item or a headline
_LINK_LIST_SHARE = 0.8  # a list or box this much link text is a menu or a list of headlines
_LINK_LIST_TAGS = {"ul": 2, "ol": 2, "dl": 2, "table": 2, "div": 3, "section": 3, "td": 3, "p": 3}  # tag: links needed
_SIGNATURE_MAX_WORDS = 4  # a right-aligned name at the end of a story
_BETWEEN_MAX_WORDS = 150  # text between an outside title and the article that is kept (the standfirst)
_REMOVED_MAX_CHARS = 300
OUTSIDE = "outside the article"
_ARTICLE_SHARE = 1 / 3
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_RIGHT_ALIGNED = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
# The XML declaration (lxml refuses str input that declares an encoding) and a
# DOCTYPE with an internal subset (entity definitions are never expanded, and
# their text must not leak into the page).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PROLOG = re.compile(
    r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>)?", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class HtmlBlock:
    """A block of an HTML page: its text, whether it is a caption, and a noise reason the markup gives."""

    text: str
    caption: bool = False
    noise: str | None = None


@dataclass(frozen=True)
class HtmlPage:
    """What :func:`html_paragraphs` finds: the blocks, whether they come from an article, and what was removed."""

    blocks: list[HtmlBlock]
    in_article: bool
    removed: list[tuple[str, str]]


def html_blocks(html: str, path: str) -> tuple[str, list[Block], bool, list[tuple[str, str]]]:
    """The visible paragraphs of an HTML page.

    Returns the document text they make, their blocks, whether they come from
    an ``<article>``/``<main>`` (then the page's edges are already cut off), and
    ``(reason, text)`` for what was removed (see :func:`html_paragraphs`).
    """
    page = html_paragraphs(html, path)
    if not page.blocks:
        raise InputError("the HTML has no visible text", path=path, hint="check the page was saved with its content, or export it as plain text")
    parts, blocks, pos = [], [], 0
    for block in page.blocks:
        parts.append(block.text)
        blocks.append(Block(pos, pos + len(block.text), block.caption, block.noise))
        pos += len(block.text) + 2
    return "\n\n".join(parts), blocks, page.in_article, page.removed


def html_paragraphs(html: str, path: str) -> HtmlPage:
    """Each block-level element with text, in document order, and what was removed on the way.

    Removed (listed with a reason): menus, forms, page headers, footers and
    sidebars outside the article, elements whose class, id or role says menu,
    comments, sharing, related articles, cookies..., hidden elements, lists and
    boxes that are nearly all links, and what lies outside the chosen article.
    Kept but marked noise: blocks inside byline/date markup, blocks that are all
    link text, a short right-aligned name (the author's signature).
    """
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, recover=True)
    try:
        # lxml parses C0 controls but refuses them in text it is handed back; they are invisible anyway
        root = lxml.html.document_fromstring(_XML_ILLEGAL.sub(" ", _PROLOG.sub("", html, count=1)), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as e:
        if "empty" in str(e).lower():
            return HtmlPage([], False, [])
        raise InputError(f"cannot parse the HTML: {e}", path=path, hint="export the page as plain text") from None
    for err in parser.error_log:
        if err.level_name == "FATAL":
            raise InputError(f"cannot parse the HTML: {err.message} (line {err.line})", path=path, hint="export the page as plain text")
    removed = _drop_noise_elements(root)
    content = _content_root(root)
    kept: list = []
    title = _outside_title(root, content)
    if title is not None:
        kept = [title, *_between(root, title, content)]
    out: list[HtmlBlock] = []
    for el in kept:
        _collect(el, out)
    _collect(content, out)
    kept_texts = {b.text for b in out}
    for el in _outside(content):
        outside: list[HtmlBlock] = []
        _collect(el, outside)
        removed.extend((OUTSIDE, _clip(b.text)) for b in outside if b.text not in kept_texts)
    return HtmlPage(out, content.tag in ("article", "main"), removed)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REMOVED_MAX_CHARS else text[: _REMOVED_MAX_CHARS - 1] + "…"


def _drop_noise_elements(root) -> list[tuple[str, str]]:
    """Remove the page furniture; (reason, text) for each removed element with visible text, outermost only."""
    inside_article = set()
    for container in root.iter("article", "main"):
        inside_article.update(container.iter())
    doomed: list[tuple[Any, str | None]] = []
    stats = _link_stats(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("html", "body", "article", "main"):
            continue
        if tag in _SILENT_TAGS:
            doomed.append((el, None))
        elif tag in _DROP_TAGS:
            doomed.append((el, _DROP_TAGS[tag]))
        elif _hidden(el):
            doomed.append((el, "hidden"))
        elif tag in _PAGE_FURNITURE and el not in inside_article:
            doomed.append((el, _PAGE_FURNITURE[tag]))
        elif (reason := _noisy_attributes(el) or _link_list(tag, stats.get(el))) and not _holds_content(el):
            doomed.append((el, reason))  # the subtree scan only for the few elements that look like noise
    gone = set()
    removed = []
    for el, reason in doomed:
        if any(a in gone for a in el.iterancestors()):
            continue
        gone.add(el)
        if reason:
            parts: list[HtmlBlock] = []
            _collect(el, parts)
            if parts:
                removed.append((reason, _clip(" | ".join(b.text for b in parts))))
        _remove_keep_tail(el)
    return removed


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in style


def _tokens(el) -> list[str]:
    return _TOKEN_SPLIT.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower())


def _noisy_attributes(el) -> str | None:
    """The reason an element's role, class or id gives for dropping it, or None."""
    role = (el.get("role") or "").lower()
    if role in _NOISE_ROLES:
        return _ROLE_REASONS[role]
    return next((_TOKEN_REASONS[t] for t in _tokens(el) if t in _NOISE_TOKENS), None)


def _link_stats(root) -> dict[Any, tuple[int, int, int]]:
    """For every element: visible characters, those inside links, and its number of links (one pass, bottom up)."""
    stats: dict[Any, tuple[int, int, int]] = {}
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        total, linked, links = _visible_len(el.text or ""), 0, 0
        for child in el:
            t, k, n = stats.get(child, (0, 0, 0))
            total += t + _visible_len(child.tail or "")
            linked += k
            links += n
        if el.tag.lower() == "a" and el.get("href") is not None:
            linked, links = total, links + 1
        stats[el] = (total, linked, links)
    return stats


def _link_list(tag: str, stats: tuple[int, int, int] | None) -> str | None:
    """LINKS for a list or box that is nearly all link text (a menu, headlines), whatever its class names say."""
    need = _LINK_LIST_TAGS.get(tag)
    if need is None or stats is None:
        return None
    total, linked, links = stats
    return LINKS if links >= need and total and linked >= _LINK_LIST_SHARE * total else None


def _visible_len(text: str) -> int:
    return len("".join(text.split()))


def _holds_content(el) -> bool:
    """Never drop a wrapper that holds the article itself (``<div class="has-sidebar">``)."""
    return any(True for _ in el.iter("article", "main", "h1"))


def _remove_keep_tail(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _content_root(root):
    """The largest <article>, else <main>, else <body>, else the whole document.

    An article or main element is used only if it holds a fair share (a third)
    of the page's remaining text: some sites use <article> for teaser cards only.
    """
    body = next(root.iter("body"), None)
    whole = body if body is not None else root
    total = len(whole.text_content().split())
    articles = [a for a in root.iter("article") if not any(p.tag == "article" for p in a.iterancestors())]
    candidates = sorted(articles, key=lambda a: -len(a.text_content().split())) + list(root.iter("main"))
    for el in candidates:
        if len(el.text_content().split()) >= _ARTICLE_SHARE * total:
            return el
    return whole


def _outside_title(root, content):
    """The page's first <h1>, when the chosen content element has none of its own."""
    if content.tag in ("body", "html") or next(content.iter("h1"), None) is not None:
        return None
    inside = set(content.iter())
    for h1 in root.iter("h1"):
        if h1 not in inside and h1.text_content().strip():
            return h1
    return None


def _between(root, title, content) -> list:
    """The elements after an outside title and before the article (a standfirst set above the story's body).

    Kept only when they are short (at most 150 words in all): more is a sidebar.
    """
    order = {el: i for i, el in enumerate(root.iter())}
    after = max(order[d] for d in title.iter())
    before = order[content]
    ancestors = set(content.iterancestors())
    picked: list = []
    chosen: set = set()
    for el in root.iter():
        i = order[el]
        if i <= after or i >= before or el in ancestors or not isinstance(el.tag, str):
            continue
        if any(a in chosen for a in el.iterancestors()):
            continue
        picked.append(el)
        chosen.add(el)
    if sum(len(el.text_content().split()) for el in picked) > _BETWEEN_MAX_WORDS:
        return []
    return picked


def _outside(content) -> list:
    """Every element outside the chosen content element (its ancestors' other children), for the removed list."""
    out: list[Any] = []
    node = content
    while node.getparent() is not None:
        parent = node.getparent()
        out.extend(sib for sib in parent if sib is not node and isinstance(sib.tag, str))
        node = parent
    return out


def _is_byline_markup(el) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _BYLINE_TAGS or (el.get("rel") or "").lower() == "author":
        return True
    if (el.get("itemprop") or "").lower() in _BYLINE_ITEMPROPS:
        return True
    return any(t in _BYLINE_TOKENS for t in _tokens(el))


def _breaks_line(br) -> bool:
    """A single <br> that ends a paragraph: before a list bullet, or between two elements with no text around it.

    (``<b>Title</b><br><i>byline</i>``, ``<a>one</a><br><a>two</a>`` in old table layouts.)
    """
    tail = br.tail or ""
    if _BULLET.match(tail.lstrip()):
        return True
    prev, nxt = br.getprevious(), br.getnext()
    if prev is None or nxt is None or tail.strip() or (prev.tail or "").strip():
        return False
    return all(isinstance(x.tag, str) and x.tag.lower() != "br" for x in (prev, nxt))


def _block_noise(el, text: str, link: int, meta: int) -> str | None:
    """What the markup says of a collected block: a byline, a link (menu item, headline), a signature; else None."""
    n = len(words(text))
    total = _visible_len(text)
    if not total or ends_sentence(text):
        return None
    if meta >= _BYLINE_SHARE * total and n <= _BYLINE_MAX_WORDS:
        return BYLINE
    if link >= _LINK_BLOCK_SHARE * total and el.tag.lower() != "h1":
        return LINKS
    aligned = _RIGHT_ALIGNED.search(el.get("style") or "") or (el.get("align") or "").lower() == "right"
    if aligned and n <= _SIGNATURE_MAX_WORDS and ":" not in text:
        return BYLINE
    return None


def _collect(el, out: list[HtmlBlock], caption: bool = False, meta: bool = False) -> None:
    """Walk ``el`` in document order: inline text gathers into its block, block elements flush it.

    Inline elements are walked in place, so a block nested in one (``<a><div>``,
    or what a parser makes of unclosed tags) still breaks the text around it.
    Each piece of text remembers whether it sits in a link or in byline markup,
    for :func:`_block_noise`.
    """
    buffer: list[tuple[str, bool, bool]] = []
    caption = caption or el.tag == "figcaption"
    meta = meta or _is_byline_markup(el)

    def flush() -> None:
        text = unicodedata.normalize("NFC", " ".join("".join(t for t, _, _ in buffer).split()))
        if text:
            link = sum(_visible_len(t) for t, in_link, _ in buffer if in_link)
            byline = sum(_visible_len(t) for t, _, in_meta in buffer if in_meta)
            out.append(HtmlBlock(text, caption, _block_noise(el, text, link, byline)))
        buffer.clear()

    def walk(node, link: bool, in_meta: bool) -> None:
        if node.text:
            buffer.append((node.text, link, in_meta))
        brs = 0
        for child in node:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag == "br":
                brs += 1
                if brs >= 2 or _breaks_line(child):
                    flush()
                else:
                    buffer.append((" ", False, False))
            elif tag in _BLOCK_TAGS:
                brs = 0
                flush()
                _collect(child, out, caption, in_meta)
            elif tag:
                brs = 0
                walk(child, link or (tag == "a" and child.get("href") is not None), in_meta or _is_byline_markup(child))
            if child.tail:
                if child.tail.strip():
                    brs = 0
                buffer.append((child.tail, link, in_meta))

    walk(el, False, meta)
    flush()


# --- segments ---------------------------------------------------------------------


def _segment_text(text: str) -> str:
    """A segment as a translation-memory string: line breaks inside it become one space."""
    return _LINE_END_BREAKS.sub(" ", text).strip()


def _split_credits(doc_text: str, blocks: list[Block]) -> list[Block]:
    """A block that ends with a photo credit (``Quang cảnh. Ảnh: Hoàng Long``) becomes the text and a credit block."""
    out: list[Block] = []
    for block in blocks:
        raw = doc_text[block.start:block.end]
        cut = trailing_credit(raw) if block.noise is None else None
        if cut is None:
            out.append(block)
            continue
        out.append(Block(block.start, block.start + len(raw[:cut].rstrip()), block.caption))
        out.append(Block(block.start + cut, block.end, block.caption, CREDIT))
    return out


def _segments(doc_text: str, blocks: list[Block], lang: str, split: bool, *, edges: bool = True) -> list[Segment]:
    # A credit after a caption is split off; blocks the reader already set aside (a PDF's page furniture, an
    # HTML byline) keep their reason; the rules see the others.
    blocks = _split_credits(doc_text, blocks)
    known = [b.noise for b in blocks]
    rest = [i for i, b in enumerate(blocks) if b.noise is None]
    texts = [_segment_text(doc_text[blocks[i].start:blocks[i].end]) for i in rest]
    captions = {k for k, i in enumerate(rest) if blocks[i].caption}
    reasons = known
    for i, reason in zip(rest, find_noise(texts, lang, captions=captions, edges=edges)):
        reasons[i] = reason
    segments: list[Segment] = []
    for para, (block, reason) in enumerate(zip(blocks, reasons)):
        raw = doc_text[block.start:block.end]
        if reason is not None or not split:
            kind: SegmentKind = "noise" if reason is not None else "paragraph"
            segments.append(Segment(_segment_text(raw), kind, para, 0, (block.start, block.end), reason))
            continue
        spans = split_sentences(raw.replace("\n", " "), lang) or [(0, len(raw))]
        for index, (s, e) in enumerate(spans):
            segments.append(Segment(_segment_text(raw[s:e]), "sentence", para, index, (block.start + s, block.start + e)))
    return segments


def _presplit_segments(text: str, split: bool) -> list[Segment]:
    kind: SegmentKind = "sentence" if split else "paragraph"
    return [Segment(text[s:e], kind, i, 0, (s, e)) for i, (s, e) in enumerate(_nonblank_lines(text))]


def _nonblank_lines(text: str) -> list[tuple[int, int]]:
    """The stripped span of each line that is not blank: :func:`_lines` without the blank ones, in one scan."""
    return [m.span() for m in _STRIPPED_LINE.finditer(text)]


def _check_language(segments: list[Segment], path: str, lang: str) -> None:
    sample = " ".join(s.text for s in segments if s.kind != "noise")
    problem = language_mismatch(sample, lang)
    if problem:
        raise InputError(problem, path=path, hint="use --force to proceed")
