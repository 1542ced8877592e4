"""What a document reader of a rich format (DOCX, ODT, PDF) hands back: paragraphs in reading order.

The readers of :mod:`align.reading.office` and :mod:`align.reading.pdf` turn a
file's bytes into :class:`Extracted`; :func:`align.reading.read.read_document`
joins the paragraphs into ``Document.text`` (separated by blank lines, as for
HTML) and segments them like any other document. A paragraph a reader already
knows is not translatable text (a PDF's running header, a page number, a Word
page header) carries its ``noise`` reason, so it is kept in the document and
listed in the report with that reason instead of being dropped silently.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

#: Noise reasons the rich-format readers give (the report shows them next to the text).
RUNNING_HEADER = "running header"
RUNNING_FOOTER = "running footer"
PAGE_NUMBER = "page number"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph's text (one line, whitespace collapsed, NFC) and, for noise, why."""

    text: str
    noise: str | None = None


@dataclass
class Extracted:
    """The paragraphs of a document in reading order, and what the user should know about the reading."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, text: str, noise: str | None = None) -> None:
        """Append ``text`` as a paragraph (whitespace collapsed, soft hyphens removed, NFC) unless it is blank."""
        clean = unicodedata.normalize("NFC", " ".join(text.replace("\u00ad", "").split()))
        if clean:
            self.paragraphs.append(Paragraph(clean, noise))
