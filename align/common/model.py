"""The plain, immutable data that flows between the stages.

Every other module takes its types from here, so that ``tmx``, ``report`` and
``evaluate`` never need to import the search code, and any stage can be tested,
cached or shipped to another process on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SegmentKind = Literal["sentence", "paragraph", "noise"]


@dataclass(frozen=True)
class Segment:
    """One unit of text the aligner may use (or a noise block it set aside).

    ``para`` is the index of the block (paragraph) the segment comes from, in
    document order; ``index`` its position among the segments of that block.
    ``span`` is the character span in ``Document.text`` (the decoded,
    NFC-normalised text), so that no text is ever lost or silently rewritten.
    ``reason`` says why a noise segment was set aside (e.g. ``"image file name"``).
    """

    text: str
    kind: SegmentKind
    para: int
    index: int = 0
    span: tuple[int, int] = (0, 0)
    reason: str | None = None


@dataclass(frozen=True)
class Document:
    """A read and segmented document.

    ``segments`` holds every segment in document order, noise included;
    ``encoding`` is the encoding the bytes were decoded with and ``warnings``
    anything a user should know about the reading (legacy encoding guessed,
    NFC normalisation applied, ...). ``removed`` lists, as ``(reason, text)``,
    the visible text the reader left out before making ``text`` (an HTML page's
    menus, comment boxes, footers, what lies outside its article), so that a
    report can say what was removed and why; the blocks it kept but set aside
    are the ``noise`` segments.
    """

    path: str
    lang: str
    text: str
    segments: tuple[Segment, ...]
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    fmt: str = "text"  # "text" | "html" | "presplit"
    removed: tuple[tuple[str, str], ...] = ()  # (reason, text) of what the reader left out of ``text``

    @property
    def content(self) -> tuple[Segment, ...]:
        """The segments the aligner uses (everything but noise), in order."""
        return tuple(s for s in self.segments if s.kind != "noise")

    @property
    def noise(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind == "noise")


@dataclass(frozen=True)
class Bead:
    """A group of source segments aligned to a group of target segments.

    Indices are 0-based positions in ``Alignment.src`` / ``Alignment.tgt`` (the
    segments the aligner used). Either side may be empty: ``[i]:[]`` is an
    omission in the translation, ``[]:[j]`` an addition. ``score`` is in [0, 1];
    ``flags`` are quality warnings (see ``align.quality.flags``).

    Beads come in document order: the beads not ``moved`` are monotone on both
    sides. A ``moved`` bead pairs two segments out of that order (a sentence or
    caption the translation moved, ``align.core.reorder``); it stands before the
    first bead holding a later source segment. Indices of one side of a bead
    are increasing but need not be contiguous (a moved segment may have sat
    between them).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    flags: tuple[str, ...] = ()
    moved: bool = False

    @property
    def kind(self) -> str:
        """Bead type as ``"2-1"``, ``"1-0"``..."""
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_null(self) -> bool:
        return not self.src or not self.tgt

    def notation(self) -> str:
        """The bead in the evaluation notation, e.g. ``[1,2]:[3]``."""
        return "[" + ",".join(map(str, self.src)) + "]:[" + ",".join(map(str, self.tgt)) + "]"


@dataclass(frozen=True)
class Unaligned:
    """A segment that is in no translation unit, and why."""

    side: Literal["src", "tgt"]
    segment: Segment
    reason: str  # "omission", "addition", "noise: <why>", "below min-score", ...


@dataclass(frozen=True)
class Alignment:
    """The result of aligning two documents.

    ``src`` and ``tgt`` are the segments the aligner used (``Document.content``);
    ``beads`` cover every one of them exactly once, in document order.
    ``para_beads`` are the paragraph-level beads over paragraph indices
    (``Segment.para``) when the aligner worked paragraph-first, else empty.
    ``params`` are the settings that produced it and ``signature`` a one-line
    string (tool version, model, settings) that makes it reproducible.
    ``document_id`` names the pair wherever a unit must say where it came from.
    """

    source: Document
    target: Document
    src: tuple[Segment, ...]
    tgt: tuple[Segment, ...]
    beads: tuple[Bead, ...]
    model_id: str
    params: dict[str, Any] = field(default_factory=dict)
    signature: str = ""
    para_beads: tuple[Bead, ...] = ()
    document_id: str = ""  # the pair's id (a corpus folder or manifest id): the TMX's x-document and tuids

    @property
    def unaligned(self) -> tuple[Unaligned, ...]:
        """Every segment that is in no two-sided bead: null beads and noise."""
        out: list[Unaligned] = []
        for b in self.beads:
            if not b.tgt:
                out.extend(Unaligned("src", self.src[i], "omission: no counterpart in the translation") for i in b.src)
            elif not b.src:
                out.extend(Unaligned("tgt", self.tgt[j], "addition: no counterpart in the original") for j in b.tgt)
        out.extend(Unaligned("src", s, f"noise: {s.reason or 'set aside'}") for s in self.source.noise)
        out.extend(Unaligned("tgt", s, f"noise: {s.reason or 'set aside'}") for s in self.target.noise)
        return tuple(out)
