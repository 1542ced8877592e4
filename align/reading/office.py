"""Word (.docx) and OpenDocument (.odt) text documents into paragraphs.

Both are zip archives of XML. The bytes are read bounded like every input
(:func:`align.common.files.read_bounded`) and the archive is checked against
zip bombs (:func:`align.common.zips.check_zip_archive`) before anything is
inflated; the XML is parsed without network access, DTDs or entity expansion.

What becomes a paragraph, in reading order:

* body paragraphs and headings (a list item is a paragraph; its bullet or
  number is layout, not text);
* tables cell by cell, row by row (each paragraph of a cell on its own);
* text boxes, right after the paragraph they are anchored in;
* footnotes and endnotes, after the body, in the order they are stored
  (the order of their references); the reference marks themselves are left out;
* the page headers and footers, last, as noise (``running header`` /
  ``running footer``): they repeat on every page and are not the document's
  text, but they are listed in the report, not dropped silently.

Tracked changes are read as if accepted (deleted text is left out) and comments
are left out; both are reported as warnings. Inside a paragraph, tabs and line
breaks become spaces, a soft hyphen disappears and a non-breaking hyphen is a
hyphen.

DOCX is opened with python-docx (package, content types, relationships: a
``.docm`` or a damaged package is refused by it); its body element and the
parts it relates to (footnotes, endnotes, headers, footers, comments) are then
walked here, since python-docx reads neither notes nor text boxes. ODT is read
with lxml on ``content.xml`` and ``styles.xml`` directly (the ODF namespaces):
odfpy, the usual library, has had no release since 2020, and its text
extraction puts a footnote's text inside the sentence that cites it; the tree
walk is the same either way. python-docx is imported when a DOCX is read, not
with this module (it adds ~0.2 s to every start of the command line).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

import lxml.etree

from align.common.errors import InputError
from align.common.zips import ZipRules, check_zip_archive
from align.reading.parts import RUNNING_FOOTER, RUNNING_HEADER, Extracted

__all__ = ["DOCX_RULES", "ODT_RULES", "looks_like_docx", "looks_like_odt", "read_docx", "read_odt"]

_HINT_SPLIT = "split it into smaller documents"
DOCX_RULES = ZipRules(what="a document a word processor writes", hint_split=_HINT_SPLIT,
                      hint_resave="open it in Word or LibreOffice and save it again as .docx")
ODT_RULES = ZipRules(what="a document a word processor writes", hint_split=_HINT_SPLIT,
                     hint_resave="open it in LibreOffice and save it again as .odt")

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODF_KINDS = {"spreadsheet": "spreadsheet", "presentation": "presentation", "graphics": "drawing",
              "formula": "formula", "chart": "chart", "image": "image", "database": "database"}


def _safe_parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _damaged(path: str, kind: str, hint: str) -> Callable[[Exception], InputError]:
    def make(e: Exception) -> InputError:
        detail = f"{type(e).__name__}: {_short(str(e))}" if str(e) else type(e).__name__
        return InputError(f"is not a readable {kind} ({detail})", path=path, hint=hint)
    return make


def _zip_names(data: bytes) -> set[str]:
    if data.count(b"PK\x01\x02") > DOCX_RULES.max_parts:  # not listed here: the reader's archive check refuses it
        return set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return set(zf.namelist())
    except Exception:  # a damaged archive: the caller decides what it is by name
        return set()


def looks_like_docx(data: bytes) -> bool:
    """A zip holding ``word/document.xml`` (or at least ``[Content_Types].xml`` and a ``word/`` folder)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(data)
    return "word/document.xml" in names or ("[Content_Types].xml" in names and any(n.startswith("word/") for n in names))


def looks_like_odt(data: bytes) -> bool:
    """A zip whose first part is ``mimetype`` naming an OpenDocument text (or that holds ``content.xml``)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    # ODF stores "mimetype" first and uncompressed, so its content sits at a fixed offset.
    if data[30:38] == b"mimetype" and data[38:38 + len(ODT_MIMETYPE)] == ODT_MIMETYPE:
        return True
    names = _zip_names(data)
    return "content.xml" in names and "word/document.xml" not in names


# --- DOCX -------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_W_P, _W_T, _W_TXBX = _W + "p", _W + "t", _W + "txbxContent"
_W_SPACE = frozenset(_W + t for t in ("tab", "br", "cr", "ptab"))
_W_DELETED = frozenset(_W + t for t in ("del", "moveFrom", "delText", "delInstrText"))
# Inside a paragraph: no text of the document (field codes, properties, the footnote and comment marks).
_W_SKIP = frozenset([_W + t for t in ("instrText", "rPr", "pPr", "footnoteReference", "endnoteReference",
                                      "commentReference", "footnoteRef", "endnoteRef", "annotationRef")]
                    + [_MC + "Fallback"])
# Between paragraphs: properties and marks with no text.
_W_SKIP_BLOCK = frozenset([_W + t for t in ("sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "sdtPr", "sdtEndPr")]
                          + [_MC + "Fallback"])
_NOTE_SKIP_TYPES = frozenset(("separator", "continuationSeparator", "continuationNotice"))


class _Walker:
    """What both formats' walkers share: a paragraph is its inline text, then the text boxes anchored in it."""

    out: Extracted

    def blocks(self, parent) -> None:
        raise NotImplementedError

    def _inline(self, el, parts: list[str], boxes: list) -> None:
        raise NotImplementedError

    def paragraph(self, p) -> None:
        parts: list[str] = []
        boxes: list = []
        self._inline(p, parts, boxes)
        self.out.add("".join(parts))
        for box in boxes:
            self.blocks(box)


class _DocxWalker(_Walker):
    """Paragraphs of WordprocessingML in document order (see the module docstring)."""

    def __init__(self) -> None:
        self.out = Extracted()
        self.deleted = 0

    def blocks(self, parent) -> None:
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str) or tag in _W_SKIP_BLOCK:
                continue
            if tag == _W_P:
                self.paragraph(child)
            elif tag in _W_DELETED:
                self.deleted += 1
            else:  # tables, rows, cells, content controls, custom XML, insertions: their paragraphs in order
                self.blocks(child)

    def _inline(self, el, parts: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _W_SKIP:
                continue
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag in _W_SPACE:
                parts.append(" ")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "softHyphen":
                continue
            elif tag == _W_TXBX:
                boxes.append(child)
            elif tag in _W_DELETED:
                self.deleted += 1
            else:  # runs, hyperlinks, fields, insertions, smart tags, drawings (a text box is deep inside one)
                self._inline(child, parts, boxes)


def read_docx(data: bytes, path: str) -> Extracted:
    """The paragraphs of a Word .docx document (see the module docstring)."""
    hint = "open it in Word or LibreOffice and save it again as .docx, or export it as plain text"
    damaged = _damaged(path, "Word .docx document", hint)
    check_zip_archive(data, path, DOCX_RULES, damaged=damaged)
    import docx  # python-docx, loaded when a DOCX is read (see the module docstring)

    try:
        document = docx.Document(io.BytesIO(data))
        walker = _DocxWalker()
        walker.blocks(document.element.body)
        related = [rel for rel in document.part.rels.values() if not rel.is_external]
        parts = {kind: [rel.target_part.blob for rel in related if rel.reltype == _REL + kind]
                 for kind in ("footnotes", "endnotes", "header", "footer", "comments")}
        for kind in ("footnotes", "endnotes"):
            for root in _parse_parts(parts[kind]):
                for note in root:
                    if note.tag in (_W + "footnote", _W + "endnote") and note.get(_W + "type") not in _NOTE_SKIP_TYPES:
                        walker.blocks(note)
        _furniture(walker.out, _parse_parts(parts["header"]), RUNNING_HEADER)
        _furniture(walker.out, _parse_parts(parts["footer"]), RUNNING_FOOTER)
        comments = sum(1 for root in _parse_parts(parts["comments"]) for c in root if c.tag == _W + "comment")
    except InputError:
        raise
    except Exception as e:  # python-docx and lxml on a damaged package raise many kinds
        raise damaged(e) from e
    out = walker.out
    _changes_and_comments(out, walker.deleted, comments)
    return out


def _parse_parts(blobs: Iterable[bytes]) -> list:
    return [lxml.etree.fromstring(blob, _safe_parser()) for blob in blobs]


def _furniture(out: Extracted, roots: list, reason: str) -> None:
    """Page headers or footers (each distinct text once) as noise paragraphs."""
    seen = {p.text for p in out.paragraphs if p.noise == reason}
    for root in roots:
        walker = _DocxWalker() if root.tag.startswith(_W) else _OdtWalker()
        walker.blocks(root)
        for p in walker.out.paragraphs:
            if p.text not in seen:
                seen.add(p.text)
                out.add(p.text, noise=reason)


def _changes_and_comments(out: Extracted, deleted: int, comments: int) -> None:
    if deleted:
        out.warnings.append("has tracked changes: read as if all were accepted (deleted text left out); "
                            "accept or reject them in the word processor to be sure")
    if comments:
        out.warnings.append(f"{comments} comment{'s' if comments != 1 else ''} left out (comments are not the "
                            "document's text)")


# --- ODT --------------------------------------------------------------------------

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_O_PARAS = frozenset((_TEXT + "p", _TEXT + "h"))
_O_SPACE = frozenset(_TEXT + t for t in ("s", "tab", "line-break"))
_O_SKIP = frozenset([_TEXT + t for t in ("note-citation", "change", "change-start", "change-end", "soft-page-break",
                                         "bookmark", "bookmark-start", "bookmark-end", "reference-mark",
                                         "reference-mark-start", "reference-mark-end", "toc-mark", "alphabetical-index-mark")]
                    + [_OFFICE + "annotation-end"])
_O_SKIP_BLOCK = frozenset([_TEXT + t for t in ("sequence-decls", "variable-decls", "user-field-decls", "dde-connection-decls",
                                               "soft-page-break", "tracked-changes")]
                          + [_OFFICE + "forms", _TABLE + "table-columns", _TABLE + "table-column",
                             _TABLE + "table-header-columns"])


class _OdtWalker(_Walker):
    """Paragraphs of ODF text in document order; footnotes and endnotes are kept for after the body."""

    def __init__(self) -> None:
        self.out = Extracted()
        self.notes: list = []
        self.comments = 0
        self.deleted = 0

    def blocks(self, parent) -> None:
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _O_PARAS:
                self.paragraph(child)
            elif tag == _OFFICE + "annotation":
                self.comments += 1
            elif tag == _TEXT + "tracked-changes":
                self.deleted += sum(1 for _ in child.iter(_TEXT + "deletion"))
            elif tag not in _O_SKIP_BLOCK:  # lists, list items, tables, rows, cells, sections, frames, text boxes
                self.blocks(child)

    def _inline(self, el, parts: list[str], boxes: list) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag not in _O_SKIP:
                if tag in _O_SPACE:
                    parts.append(" ")
                elif tag == _TEXT + "note":
                    body = child.find(_TEXT + "note-body")
                    if body is not None:
                        self.notes.append(body)
                elif tag == _OFFICE + "annotation":
                    self.comments += 1
                elif tag.startswith(_DRAW):  # a frame: a text box, or an image (whose title is no text)
                    boxes.append(child)
                else:  # spans, links, fields, metadata, ruby
                    self._inline(child, parts, boxes)
            if child.tail:
                parts.append(child.tail)

    def finish(self) -> None:
        """The notes, after the body (a note's own notes, if any, follow it)."""
        done = 0
        while done < len(self.notes):
            self.blocks(self.notes[done])
            done += 1


def read_odt(data: bytes, path: str) -> Extracted:
    """The paragraphs of an OpenDocument text (.odt) (see the module docstring)."""
    hint = "open it in LibreOffice and save it again as .odt, or export it as plain text"
    damaged = _damaged(path, "OpenDocument text (.odt)", hint)
    check_zip_archive(data, path, ODT_RULES, damaged=damaged)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype").strip() if "mimetype" in names else ODT_MIMETYPE
            manifest = zf.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if "content.xml" not in names:
                raise InputError("is not an OpenDocument text: it has no content.xml", path=path, hint=hint)
            content = zf.read("content.xml")
            styles = zf.read("styles.xml") if "styles.xml" in names else None
    except InputError:
        raise
    except Exception as e:
        raise damaged(e) from e
    if not mimetype.startswith(ODT_MIMETYPE):
        kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1].split("-")[0]
        raise InputError(f"is an OpenDocument {_ODF_KINDS.get(kind, _short(kind, 30))}, not a text document",
                         path=path, hint="give a text document (.odt), or export it as plain text")
    if b"encryption-data" in manifest:
        raise InputError("is password-protected (encrypted)", path=path,
                         hint="open it in LibreOffice and save it again without a password")
    try:
        root = lxml.etree.fromstring(content, _safe_parser())
        body = root.find(f"{_OFFICE}body/{_OFFICE}text")
        if body is None:
            raise InputError("is not an OpenDocument text: content.xml has no office:text body", path=path, hint=hint)
        walker = _OdtWalker()
        walker.blocks(body)
        walker.finish()
        if styles is not None:
            masters = lxml.etree.fromstring(styles, _safe_parser()).iter(_STYLE + "master-page")
            for master in list(masters):
                for child in master:
                    tag = child.tag if isinstance(child.tag, str) else ""
                    if tag.startswith(_STYLE + "header") or tag.startswith(_STYLE + "footer"):
                        reason = RUNNING_HEADER if tag.startswith(_STYLE + "header") else RUNNING_FOOTER
                        _furniture(walker.out, [child], reason)
    except InputError:
        raise
    except Exception as e:
        raise damaged(e) from e
    _changes_and_comments(walker.out, walker.deleted, walker.comments)
    return walker.out
