"""The "nothing lost" check: an alignment accounts for every character of both documents.

A translator trusts the TMX and the report to say what happened to every
sentence. This module checks the promises the data model makes, cheaply (linear
in the text), so the pipeline can assert them on every run:

* the beads cover every index of ``Alignment.src`` and ``Alignment.tgt``
  exactly once, those not ``moved`` in document order (monotone), a moved one
  pairs one segment with one, and no bead is empty on both sides;
* every segment of each ``Document`` (noise included) is either in a two-sided
  bead or listed in ``Alignment.unaligned``, never both, never twice;
* every segment's text is the ``Document.text`` span it claims, up to the
  documented normalisation (NFC, runs of whitespace made one space); spans lie
  inside the text, in order, without overlapping, and together cover every
  non-whitespace character of it.

A violation is a bug in this program, not a user error, so it raises
:class:`InvariantError` (an ``AssertionError``), which the CLI reports as an
internal error.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter
from collections.abc import Sequence

from align.common.model import Alignment, Bead, Document, Segment

__all__ = ["InvariantError", "check_alignment", "check_document"]


class InvariantError(AssertionError):
    """An alignment or document breaks a promise of the data model (a programming error)."""


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _short(text: str, n: int = 60) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")


def _where(doc: Document, k: int, seg: Segment) -> str:
    return f"{doc.path}: segment {k} (para {seg.para}, {seg.kind}, span {seg.span[0]}-{seg.span[1]})"


def check_document(doc: Document) -> None:
    """Each segment is non-empty and is its span of ``doc.text``; spans are ordered and cover the text.

    A segment whose text is its span character for character (nearly all)
    needs no normalising; the messages are built only for a failure.
    """
    text, n = doc.text, len(doc.text)
    prev_end = 0
    for k, seg in enumerate(doc.segments):
        start, end = seg.span
        if not 0 <= start <= end <= n:
            raise InvariantError(f"{_where(doc, k, seg)}: span outside the document text of {n} characters")
        if start < prev_end:
            raise InvariantError(
                f"{_where(doc, k, seg)}: overlaps or precedes the previous segment (which ends at {prev_end})"
            )
        if start > prev_end:
            _check_gap(doc, prev_end, start)
        prev_end = end
        if not seg.text or seg.text.isspace():
            raise InvariantError(f"{_where(doc, k, seg)}: empty segment text")
        span = text[start:end]
        if span != seg.text and _comparable(span) != _comparable(seg.text):
            raise InvariantError(
                f"{_where(doc, k, seg)}: text {_short(seg.text)} is not the span's text {_short(span)}"
            )
    _check_gap(doc, prev_end, n)


def _check_gap(doc: Document, start: int, end: int) -> None:
    """Text between two segments may only be whitespace: anything else would be lost."""
    gap = doc.text[start:end]
    if gap.isspace() or not gap:
        return
    i = start + next(k for k, ch in enumerate(gap) if not ch.isspace())
    raise InvariantError(
        f"{doc.path}: character {doc.text[i]!r} at offset {i} is in no segment "
        f"(context {_short(doc.text[max(0, i - 20):i + 20])})"
    )


def _covers_in_order(beads: Sequence[Bead], side: str, n: int) -> bool:
    """``_check_cover``'s promises, checked by whole lists: every index once, the beads not moved in order.

    A moved bead pairs one segment with one, so the indices of the beads that
    are not moved, read in bead order, must simply increase.
    """
    sides = [b.src for b in beads] if side == "src" else [b.tgt for b in beads]
    if not all(b.src or b.tgt for b in beads) or not all(len(b.src) == len(b.tgt) == 1 for b in beads if b.moved):
        return False
    flat = [i for idx in sides for i in idx]
    if not any(b.moved for b in beads):
        return flat == list(range(n))
    plain = [i for b, idx in zip(beads, sides, strict=True) if not b.moved for i in idx]
    return sorted(flat) == list(range(n)) and all(a < c for a, c in itertools.pairwise(plain))


def _check_cover(beads: Sequence[Bead], side: str, n: int) -> None:
    if _covers_in_order(beads, side, n):  # nearly always: no need to find which promise fails
        return
    last = -1
    seen: set[int] = set()
    for k, b in enumerate(beads):
        if not b.src and not b.tgt:
            raise InvariantError(f"bead {k} is empty on both sides")
        if b.moved and (len(b.src) != 1 or len(b.tgt) != 1):
            raise InvariantError(f"bead {k} {b.notation()}: a moved bead pairs one segment with one")
        idx = getattr(b, side)
        if any(a >= c for a, c in itertools.pairwise(idx)):
            raise InvariantError(f"bead {k} {b.notation()}: {side} indices of one bead must increase")
        for i in idx:
            if i in seen or not 0 <= i < n:
                what = "repeats" if i in seen else f"is outside 0-{n - 1}"
                raise InvariantError(f"bead {k} {b.notation()}: {side} index {i} {what}; beads must cover every segment once")
            seen.add(i)
            if not b.moved:
                if i < last:
                    raise InvariantError(
                        f"bead {k} {b.notation()}: {side} index {i} goes back to before {last}; "
                        "beads that are not moved must be in document order"
                    )
                last = i
    if len(seen) != n:
        lost = min(set(range(n)) - seen)
        raise InvariantError(f"beads cover {len(seen)} of {n} {side} segments; {side} segment {lost} is lost")


def _check_accounted(doc: Document, in_beads: list[Segment], unaligned: list[Segment], side: str) -> None:
    # The very segment objects of the document, each once: equal as values too (hashing a
    # Segment hashes all its fields, so the check by value runs only when this one fails).
    ids = {*map(id, in_beads), *map(id, unaligned)}
    if len(ids) == len(in_beads) + len(unaligned) == len(doc.segments) and ids == set(map(id, doc.segments)):
        return
    have = Counter(in_beads) + Counter(unaligned)
    want = Counter(doc.segments)
    if have == want:
        return
    lost = list((want - have).elements())
    extra = list((have - want).elements())
    if lost:
        s = lost[0]
        raise InvariantError(
            f"{doc.path}: {len(lost)} {side} segment(s) neither aligned nor listed as unaligned, "
            f"first para {s.para} index {s.index}: {_short(s.text)}"
        )
    s = extra[0]
    raise InvariantError(
        f"{doc.path}: {len(extra)} {side} segment(s) accounted for twice or not from the document, "
        f"first para {s.para} index {s.index}: {_short(s.text)}"
    )


def check_alignment(alignment: Alignment) -> None:
    """Raise :class:`InvariantError` unless ``alignment`` loses nothing (see the module docstring)."""
    a = alignment
    check_document(a.source)
    check_document(a.target)
    _check_cover(a.beads, "src", len(a.src))
    _check_cover(a.beads, "tgt", len(a.tgt))
    unaligned = a.unaligned
    for side, doc, segs in (("src", a.source, a.src), ("tgt", a.target, a.tgt)):
        in_beads = [segs[i] for b in a.beads if not b.is_null for i in getattr(b, side)]
        listed = [u.segment for u in unaligned if u.side == side]
        _check_accounted(doc, in_beads, listed, side)
