"""Write TMX 1.4b translation memories from alignments.

The file is what a translator loads into a CAT tool (OmegaT, Trados, memoQ,
Phrase), so the writer is strict where those tools are strict:

* UTF-8 without BOM, an XML declaration, ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``;
* a full header whose ``srclang`` is exactly the code used on the source tuvs
  (OmegaT 3.6 ignores a whole file without it; Trados and Phrase skip units
  whose locale differs from the TM's, so one code form is used everywhere);
* one ``<tu>`` per two-sided bead, exactly one ``<tuv>`` per language, never
  an empty ``<seg>``; NFC text, whitespace collapsed, XML-illegal and C1
  control characters removed (counted in :class:`TmxStats`);
* the alignment score, source document, bead type and quality flags as
  ``x-`` props (custom fields in Trados/memoQ, ignored by tools that do not
  know them).

The file is written to a temporary file in the target directory and moved into
place with :func:`os.replace` only once complete, so a crash or a full disk
never leaves a half-written TM where the translator's TM used to be.

``TMX`` and ``REVIEW_TMX`` are the writers the pipeline calls (see
``align.formats.base``): the memory of a pair, and with ``split_by_score`` its
units below the bar in a second file.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, NamedTuple, cast

from lxml import etree

from align.common.atomic import atomic_write, copy_for_append
from align.common.errors import InputError, UsageError
from align.common.languages import LANG_RE, canonical_code
from align.common.model import Alignment, Bead, Segment
from align.common.version import __version__
from align.formats.base import AlignedPair, OutputOptions
from align.formats.tmx.read import DATE_RE, XML_LANG, bilingual_units, file_languages, parse_tmx, seg_text

Level = Literal["sentence", "paragraph", "both"]

DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
#: Trados Cloud refuses segments longer than this (characters); we warn, not cut.
MAX_SEG_CHARS = 2000
#: Over-long segments named one by one in the warnings; the rest are counted in one more line.
MAX_LONG_SEGMENT_WARNINGS = 10

#: Default region per language for ``region=True`` (``vi`` -> ``vi-VN``). Kept
#: small on purpose: where the usual region is a matter of choice (pt, zh, ar),
#: the caller must pass an explicit code.
DEFAULT_REGIONS: dict[str, str] = {
    "vi": "VN", "id": "ID", "ms": "MY", "th": "TH", "km": "KH", "lo": "LA",
    "my": "MM", "tl": "PH", "fil": "PH", "ja": "JP", "ko": "KR", "en": "US",
    "fr": "FR", "de": "DE", "es": "ES", "it": "IT", "nl": "NL", "ru": "RU",
    "pl": "PL", "tr": "TR", "uk": "UA", "hi": "IN",
}

#: Languages whose sentences are joined without a space.
NO_SPACE_LANGS = frozenset({"zh", "ja", "th"})

# XML 1.0 forbids C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF and lone
# surrogates; DEL and C1 controls are legal XML but CAT tools choke on them.
# Separators among them become a space (deleting them could glue two words).
_SEPARATOR_CONTROLS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# Collapse ordinary whitespace; no-break spaces are kept (they are meaning).
_SPACE_RE = re.compile(r"[ \t\n\r\u2028\u2029]+")


@dataclass(frozen=True)
class TmxStats:
    """What :func:`write_tmx` did, so the CLI and the report can say it.

    ``tus_written`` counts the new units this call wrote (in append mode the
    units kept from the existing file are ``kept_existing``); ``null_beads``
    counts the one-sided beads at the finest level written (never TUs: they
    are in the report's unaligned list); ``warnings`` are one-line messages
    (characters removed, over-long segments, an empty file) the caller must
    show: ``align run`` prints them and the report lists them.
    ``control_chars_removed`` counts the characters removed from the units
    this file holds (XML cannot carry them, or CAT tools reject them).
    """

    tus_written: int
    skipped_below_min: int
    duplicates: int
    null_beads: int
    warnings: tuple[str, ...] = ()
    control_chars_removed: int = 0
    empty_skipped: int = 0
    kept_existing: int = 0
    skipped_above_max: int = 0


class _Unit(NamedTuple):
    """A TU to be written, before it gets its tuid (a tuple: tens of thousands are made and copied per file)."""

    src: str
    tgt: str
    score: float
    document: str
    bead_type: str
    flags: tuple[str, ...]
    segtype: str
    tuid: str = ""  # stable: the document id and the unit's segment (or paragraph) positions
    context: str = ""  # x-context: hashes of the source segments before and after the unit


@dataclass
class _Counts:
    skipped_below_min: int = 0
    skipped_above_max: int = 0
    duplicates: int = 0
    null_beads: int = 0
    control: int = 0
    removed: Counter[str] = field(default_factory=Counter)  # the characters counted in ``control``
    empty: int = 0
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- languages


def language_code(lang: str, *, explicit: str | None = None, region: bool = False) -> str:
    """The BCP-47 code for a TMX, from a Document's ``lang`` (or an explicit code).

    Canonical case (``vi-VN``), ISO 639-2 and deprecated codes mapped to the
    2-letter form (``vie``/``in`` -> ``vi``/``id``); ``region=True`` adds the
    default region from :data:`DEFAULT_REGIONS`. Raises UsageError for codes
    CAT tools reject (``vn``, ``id_ID`` is accepted and fixed to ``id-ID``).
    """
    raw = explicit if explicit else lang
    code = canonical_code(raw)
    if explicit or not region:
        return code
    m = LANG_RE.match(code)
    assert m is not None
    if m.group("region"):
        return code
    base = m.group("lang")
    if base not in DEFAULT_REGIONS:
        raise UsageError(
            f"no default region for language {base!r}",
            hint=f"pass an explicit code such as {base}-XX",
        )
    return f"{code}-{DEFAULT_REGIONS[base]}"


def _joiner(code: str) -> str:
    return "" if code.split("-")[0] in NO_SPACE_LANGS else " "


# --------------------------------------------------------------------------- text


def clean_text(text: str) -> tuple[str, int]:
    """NFC, control characters removed, whitespace collapsed; returns (text, removed).

    Done on every seg so that the TM matches the NFC documents a translator
    opens, and so that no character makes a strict CAT tool reject the file.
    """
    removed = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal removed
        removed += 1
        return " " if m.group() in _SEPARATOR_CONTROLS else ""

    # Every control character and every space but U+0020 is unprintable, so a printable text (most)
    # skips the two regex passes; the space pass would rewrite each space as itself.
    printable = text.isprintable()
    if not printable:
        text = _CONTROL_RE.sub(fix, text)
    text = unicodedata.normalize("NFC", text)  # keeps a printable text printable
    if "  " in text or not (printable or text.isprintable()):
        text = _SPACE_RE.sub(" ", text)
    return text.strip(), removed


def _join(segments: Iterable[Segment], code: str) -> str:
    return _joiner(code).join([s.text.strip() for s in segments])


def _join_at(texts: Sequence[str], positions: Sequence[int], joiner: str) -> str:
    """``texts`` (stripped segment texts) at ``positions`` joined by ``joiner`` (a one-segment side joins nothing)."""
    if len(positions) == 1:
        return texts[positions[0]]
    return joiner.join([texts[k] for k in positions])


# --------------------------------------------------------------------------- units


def document_id(al: Alignment) -> str:
    """What ``x-document`` says: the pair's id (``Alignment.document_id``), else the source file's name."""
    return al.document_id or os.path.basename(al.source.path)


def _span(positions: Sequence[int], prefix: str = "") -> str:
    """``3`` or ``3-5``: the first and last position (0-based, as in the beads file)."""
    return f"{prefix}{positions[0]}" if len(positions) == 1 else f"{prefix}{positions[0]}-{positions[-1]}"


def _hash(text: str) -> str:
    """A short stable hash of a segment's text (NFC, outer spaces off): ``x-context`` compares it, never reads it."""
    return hashlib.sha1(unicodedata.normalize("NFC", text.strip()).encode("utf-8")).hexdigest()[:16]


def _context(texts: Sequence[str], first: int, last: int, hashes: dict[int, str]) -> str:
    """``x-context``: the hashes of the source segments before ``first`` and after ``last`` (``-``: none).

    What CAT tools call a context match (Trados' ``x-Context``): the same
    source sentence between the same neighbours. A hash, not the text, so the
    TMX does not carry every sentence three times. ``hashes`` keeps each
    segment's hash for the next unit (a segment is the neighbour of two).
    ``texts`` are the texts of the alignment's source segments.
    """
    before = _hash_at(texts, first - 1, hashes) if first > 0 else "-"
    after = _hash_at(texts, last + 1, hashes) if last + 1 < len(texts) else "-"
    return f"{before},{after}"


def _hash_at(texts: Sequence[str], k: int, hashes: dict[int, str]) -> str:
    """The hash of ``texts[k]``, kept in ``hashes`` (each segment is hashed once, not once per neighbouring unit)."""
    h = hashes.get(k)
    if h is None:
        h = hashes[k] = _hash(texts[k])
    return h


def _sentence_units(al: Alignment, codes: tuple[str, str]) -> list[_Unit]:
    doc = document_id(al)
    src_joiner, tgt_joiner = _joiner(codes[0]), _joiner(codes[1])
    src_texts = [s.text.strip() for s in al.src]  # stripped once: what units join and x-context hashes
    tgt_texts = [s.text.strip() for s in al.tgt]
    hashes: dict[int, str] = {}
    out = []
    for b in al.beads:
        if b.is_null:
            continue
        src = _join_at(src_texts, b.src, src_joiner)
        tgt = _join_at(tgt_texts, b.tgt, tgt_joiner)
        out.append(_Unit(src, tgt, b.score, doc, b.kind, tuple(b.flags), "sentence",
                         f"{doc}:{_span(b.src)}:{_span(b.tgt)}", _context(src_texts, min(b.src), max(b.src), hashes)))
    return out


def _paragraph_units(al: Alignment, codes: tuple[str, str]) -> list[_Unit]:
    """Paragraph TUs from ``para_beads``, or grouped sentence beads if there are none."""
    doc = document_id(al)
    src_by_para = _by_para(al.src)
    tgt_by_para = _by_para(al.tgt)
    position = {id(seg): k for k, seg in enumerate(al.src)}
    src_texts = [s.text for s in al.src]
    hashes: dict[int, str] = {}

    def context(paras: Sequence[int]) -> str:
        segs = [position[id(s)] for p in paras for s in src_by_para.get(p, ())]
        return _context(src_texts, min(segs), max(segs), hashes) if segs else "-,-"

    out = []
    if al.para_beads:
        for b in al.para_beads:
            if b.is_null:
                continue
            src = _join((s for p in b.src for s in src_by_para.get(p, ())), codes[0])
            tgt = _join((s for p in b.tgt for s in tgt_by_para.get(p, ())), codes[1])
            out.append(_Unit(src, tgt, b.score, doc, b.kind, tuple(b.flags), "paragraph",
                             f"{doc}:{_span(b.src, 'p')}:{_span(b.tgt, 'p')}", context(b.src)))
        return out
    for src_paras, tgt_paras, beads in _group_by_paragraph(al):
        pairs = [b for b in beads if not b.is_null]
        if not pairs:
            continue  # only unaligned text: listed as such in the report
        src = _join((s for p in src_paras for s in src_by_para[p]), codes[0])
        tgt = _join((s for p in tgt_paras for s in tgt_by_para[p]), codes[1])
        out.append(
            _Unit(
                src, tgt, _weighted_score(al, pairs), doc, f"{len(src_paras)}-{len(tgt_paras)}",
                _group_flags(beads), "paragraph", f"{doc}:{_span(src_paras, 'p')}:{_span(tgt_paras, 'p')}",
                context(src_paras),
            )
        )
    return out


def _by_para(segments: Sequence[Segment]) -> dict[int, list[Segment]]:
    out: dict[int, list[Segment]] = {}
    for s in segments:
        out.setdefault(s.para, []).append(s)
    return out


def _group_by_paragraph(al: Alignment) -> list[tuple[list[int], list[int], list[Bead]]]:
    """Connected groups of sentence beads that share a source or target paragraph.

    Used when the aligner did not work paragraph-first (``para_beads`` empty):
    every bead links the paragraphs its segments come from, and each connected
    set of paragraphs is one paragraph-level TU holding the full text of those
    paragraphs (null beads inside them included, flagged ``contains-omission``
    / ``contains-addition``). Groups are returned in source document order.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    nodes_of = []
    for b in al.beads:
        nodes = [("s", al.src[i].para) for i in b.src] + [("t", al.tgt[j].para) for j in b.tgt]
        for n in nodes[1:]:
            parent[find(n)] = find(nodes[0])
        find(nodes[0])
        nodes_of.append(nodes)
    groups: dict[tuple[str, int], tuple[set[int], set[int], list[Bead]]] = {}
    order: list[tuple[str, int]] = []
    for b, nodes in zip(al.beads, nodes_of):
        root = find(nodes[0])
        if root not in groups:
            groups[root] = (set(), set(), [])
            order.append(root)
        g = groups[root]
        for side, p in nodes:
            (g[0] if side == "s" else g[1]).add(p)
        g[2].append(b)
    return [(sorted(groups[r][0]), sorted(groups[r][1]), groups[r][2]) for r in order]


def _weighted_score(al: Alignment, beads: list[Bead]) -> float:
    """Mean bead score weighted by characters: a long bad sentence weighs more."""
    weights = [sum(len(al.src[i].text) for i in b.src) + sum(len(al.tgt[j].text) for j in b.tgt) for b in beads]
    total = sum(weights)
    if total == 0:
        return min(b.score for b in beads)
    return sum(w * b.score for w, b in zip(weights, beads)) / total


def _group_flags(beads: list[Bead]) -> tuple[str, ...]:
    flags: list[str] = []
    for b in beads:
        if not b.tgt:
            flags.append("contains-omission")
        elif not b.src:
            flags.append("contains-addition")
        flags.extend(b.flags)
    return tuple(dict.fromkeys(flags))


def _collect(
    alignments: list[Alignment],
    level: str,
    codes: tuple[str, str],
    min_score: float,
    dedupe: bool,
    seen: set[tuple[str, str]],
    counts: _Counts,
    max_score: float | None = None,
) -> list[_Unit]:
    raw: list[_Unit] = []
    sentence_keys: set[tuple[str, str]] = set()
    for al in alignments:
        if level in ("sentence", "both"):
            counts.null_beads += sum(b.is_null for b in al.beads)
            raw.extend(_sentence_units(al, codes))
        else:
            counts.null_beads += _paragraph_nulls(al)
    if level in ("paragraph", "both"):
        for al in alignments:
            raw.extend(_paragraph_units(al, codes))
    out = []
    for u in raw:
        src, n1 = clean_text(u.src)
        tgt, n2 = clean_text(u.tgt)
        if not src or not tgt:
            counts.empty += 1
            counts.warnings.append(
                f"{u.document}: a {u.bead_type} {u.segtype} bead has no text on the "
                f"{'source' if not src else 'target'} side after cleaning; not written"
            )
            continue
        if u.score < min_score:
            counts.skipped_below_min += 1
            continue
        if max_score is not None and u.score >= max_score:
            counts.skipped_above_max += 1
            continue
        key = (src, tgt)
        if u.segtype == "paragraph" and level == "both" and key in sentence_keys:
            counts.duplicates += 1
            continue
        if u.segtype == "sentence":
            sentence_keys.add(key)
        if dedupe and key in seen:
            counts.duplicates += 1
            continue
        seen.add(key)
        if n1 + n2:  # counted for the units this file holds: the warning says what the file lost
            counts.control += n1 + n2
            counts.removed.update(_CONTROL_RE.findall(u.src + u.tgt))
        out.append(u._replace(src=src, tgt=tgt))
    return out


def _removed_warning(counts: _Counts) -> str:
    """The warning for the characters ``clean_text`` removed, naming each (``U+001F x2, U+FFFE``)."""
    listing = ", ".join(f"U+{ord(c):04X}" + (f" x{n}" if n > 1 else "") for c, n in sorted(counts.removed.items()))
    return (f"removed {counts.control} XML-illegal or control characters from the text ({listing}): XML cannot "
            "hold them or CAT tools reject them; line and page separators among them became spaces")


def _empty_warning(counts: _Counts, min_score: float, max_score: float | None) -> str:
    """Why the TMX holds no unit: every bead one-sided, below the minimum score, kept for the other file..."""
    why = []
    if counts.skipped_below_min:
        why.append(f"{counts.skipped_below_min} below the minimum score {min_score:g}")
    if counts.skipped_above_max:
        why.append(f"{counts.skipped_above_max} scoring {max_score:g} or more, written to the other TMX")
    if counts.duplicates:
        why.append(f"{counts.duplicates} duplicates")
    if counts.empty:
        why.append(f"{counts.empty} with no text on one side after cleaning")
    return "no translation unit to write: the TMX is empty" + (f" ({'; '.join(why)})" if why else "")


def _paragraph_nulls(al: Alignment) -> int:
    if al.para_beads:
        return sum(b.is_null for b in al.para_beads)
    return sum(all(b.is_null for b in g[2]) for g in _group_by_paragraph(al))


# --------------------------------------------------------------------------- write


def write_tmx(
    alignments: Alignment | Sequence[Alignment],
    path: str | os.PathLike[str],
    *,
    level: Level = "sentence",
    src_code: str | None = None,
    tgt_code: str | None = None,
    region: bool = False,
    min_score: float = 0.0,
    dedupe: bool = True,
    creationid: str = "align",
    now: datetime | None = None,
    append: bool = False,
    max_score: float | None = None,
) -> TmxStats:
    """Write the two-sided beads of one or more alignments as a TMX 1.4b file.

    ``level``: ``"sentence"`` (one TU per sentence bead), ``"paragraph"`` (one
    per paragraph bead; without ``para_beads``, sentence beads that share a
    paragraph are grouped) or ``"both"`` (sentence TUs, then the paragraph TUs
    that differ from every sentence TU). Language codes come from the
    documents (``vi``, ``id``), with the default region if ``region`` is set,
    unless ``src_code``/``tgt_code`` are given. Beads scoring below
    ``min_score`` are left out; with ``dedupe`` identical (source, target)
    pairs are written once. ``append=True`` keeps the units of an existing
    TMX at ``path`` (same languages required) and adds only new pairs.
    ``max_score`` leaves out units scoring at or above it: with ``min_score``
    it cuts a memory in two by score (``align run --split-by-score``).
    The file appears at ``path`` complete or not at all (OutputError).
    """
    als = [alignments] if isinstance(alignments, Alignment) else list(alignments)
    if level not in ("sentence", "paragraph", "both"):
        raise UsageError(f"unknown TMX level {level!r}", hint="use sentence, paragraph or both")
    if not 0.0 <= min_score <= 1.0:
        raise UsageError(f"min_score {min_score} is outside [0, 1]")
    if max_score is not None and not 0.0 <= max_score <= 1.0:
        raise UsageError(f"max_score {max_score} is outside [0, 1]")
    codes = _codes(als, src_code, tgt_code, region)
    path = os.fspath(path)
    stamp = _date(now)
    counts = _Counts()
    existing = _load_existing(path, codes) if append and os.path.exists(path) else None
    seen = set(existing[2]) if existing is not None and dedupe else set()
    units = _collect(als, level, codes, min_score, dedupe, seen, counts, max_score)
    segtype = "paragraph" if level == "paragraph" else "sentence"
    first_new = len(existing[1]) if existing is not None else 0
    long_segments = 0
    for k, u in enumerate(units, start=first_new + 1):
        for side, text in (("source", u.src), ("target", u.tgt)):
            if len(text) > MAX_SEG_CHARS:
                long_segments += 1
                if long_segments <= MAX_LONG_SEGMENT_WARNINGS:
                    counts.warnings.append(
                        f"{u.document}: TU {k}: {side} segment has {len(text)} characters "
                        f"(over {MAX_SEG_CHARS}, the Trados Cloud limit); written anyway"
                    )
    if long_segments > MAX_LONG_SEGMENT_WARNINGS:
        counts.warnings.append(f"{long_segments - MAX_LONG_SEGMENT_WARNINGS} more segments over {MAX_SEG_CHARS} "
                               "characters (the Trados Cloud limit); written anyway")
    if counts.control:
        counts.warnings.append(_removed_warning(counts))
    if not units and not first_new:
        counts.warnings.append(_empty_warning(counts, min_score, max_score))
    atomic_write(path, _render(codes, segtype, stamp, creationid, units, existing))
    return TmxStats(
        tus_written=len(units),
        skipped_below_min=counts.skipped_below_min,
        duplicates=counts.duplicates,
        null_beads=counts.null_beads,
        warnings=tuple(counts.warnings),
        control_chars_removed=counts.control,
        empty_skipped=counts.empty,
        kept_existing=first_new,
        skipped_above_max=counts.skipped_above_max,
    )


def _codes(als: list[Alignment], src_code: str | None, tgt_code: str | None, region: bool) -> tuple[str, str]:
    if not als and not (src_code and tgt_code):
        raise UsageError("no alignment given and no language codes: cannot write a TMX")
    pairs = {
        (language_code(a.source.lang, explicit=src_code, region=region),
         language_code(a.target.lang, explicit=tgt_code, region=region))
        for a in als
    }
    if len(pairs) > 1:
        raise UsageError(
            f"alignments have different language pairs {sorted(pairs)}; one TMX holds one pair",
            hint="write one TMX per language pair",
        )
    if pairs:
        src, tgt = pairs.pop()
    else:
        src, tgt = language_code(src_code or ""), language_code(tgt_code or "")
    if src.lower() == tgt.lower():
        raise UsageError(f"source and target language are both {src!r}")
    return src, tgt


def _date(now: datetime | None) -> str:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _skeleton(
    codes: tuple[str, str],
    segtype: str,
    stamp: str,
    existing: tuple[etree._Element, list[etree._Element], list[tuple[str, str]]] | None,
) -> tuple[etree._Element, etree._Element, str, UniqueIds]:
    """The ``<tmx>`` element with its header and the units kept from ``existing``, before any new unit.

    Also its ``<body>``, the header's segtype (the kept units' where they have
    one) and the tuids the kept units took, for the new units to follow.
    """
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(root, "header")
    attrs = {
        "creationtool": "align",
        "creationtoolversion": __version__,
        "segtype": segtype,
        "o-tmf": "align",
        "adminlang": "en",
        "srclang": codes[0],
        "datatype": "plaintext",
        "creationdate": stamp,
    }
    if existing is not None:
        old = existing[0]
        if old.get("segtype") in ("block", "paragraph", "sentence", "phrase"):
            attrs["segtype"] = old.get("segtype")  # the kept units were segmented so
        if DATE_RE.match(old.get("creationdate") or ""):
            attrs["creationdate"] = old.get("creationdate")
        attrs["changedate"] = stamp
        for child in old:
            if isinstance(child.tag, str) and child.tag in ("note", "prop", "ude"):
                header.append(child)
    for k, v in attrs.items():
        header.set(k, v)
    body = etree.SubElement(root, "body")
    tuids = UniqueIds()
    for n, tu in enumerate(existing[1] if existing is not None else [], start=1):
        tu.set("tuid", tuids.take(tu.get("tuid") or str(n)))  # kept, unless another unit holds it already
        body.append(tu)
    return root, body, attrs["segtype"], tuids


def _render(
    codes: tuple[str, str],
    segtype: str,
    stamp: str,
    creationid: str,
    units: list[_Unit],
    existing: tuple[etree._Element, list[etree._Element], list[tuple[str, str]]] | None,
) -> bytes:
    """The file's bytes: lxml writes the header and any kept units, the new units are written as strings.

    Building an lxml element per ``<tu>`` (ten elements and a dozen
    attributes each) took most of the writer's time on a large memory; the
    strings :meth:`_TuWriter.tu` makes are the bytes lxml would write for those
    elements (same escaping, asked of lxml, and the indentation of
    :func:`_indent`). They take the place of a comment that stands where the
    last unit would, so lxml still writes and indents everything around them.
    """
    root, body, header_segtype, tuids = _skeleton(codes, segtype, stamp, existing)
    if not units:
        _indent(root)
        return _serialize(root)
    writer = _TuWriter(codes, stamp, creationid, header_segtype)
    new = "\n    ".join([writer.tu(u, tuids.take(u.tuid or str(n))) for n, u in enumerate(units, start=1)])
    body.append(etree.Comment(_NEW_UNITS))
    _indent(root)
    data = _serialize(root)
    at = data.rindex(_NEW_UNITS_BYTES)  # the last one: a kept unit may hold the same comment, nothing after ours can
    return data[:at] + new.encode("utf-8") + data[at + len(_NEW_UNITS_BYTES):]


_NEW_UNITS = " the new units "
_NEW_UNITS_BYTES = f"<!--{_NEW_UNITS}-->".encode()


@dataclass(frozen=True)
class _Escapes:
    """How lxml writes each ASCII character in element text and in attribute values (``&`` as ``&amp;``...).

    Asked of lxml (:func:`_escapes`), not written down here, so that units
    written as strings match the elements lxml writes with the libxml2 it
    runs on; in UTF-8 libxml2 writes every other character as it is.
    """

    text: dict[int, str]
    attribute: dict[int, str]
    in_text: re.Pattern[str]  # any character of ``text``
    in_attribute: re.Pattern[str]

    def escape_text(self, value: str) -> str:
        return value.translate(self.text) if self.in_text.search(value) else value

    def escape_attribute(self, value: str) -> str:
        return value.translate(self.attribute) if self.in_attribute.search(value) else value


@functools.cache
def _escapes() -> _Escapes:
    """Each XML-legal ASCII character written by lxml as the text and as an attribute of an element."""
    text: dict[int, str] = {}
    attribute: dict[int, str] = {}
    for code in (0x09, 0x0A, 0x0D, *range(0x20, 0x7F)):
        char = chr(code)
        el = etree.Element("a", b=char)
        el.text = char
        m = re.fullmatch(r'<a b="(.*)">(.*)</a>', etree.tostring(el, encoding="UTF-8").decode("utf-8"), re.DOTALL)
        assert m is not None, "lxml writes an element with one attribute and text as <a b=...>...</a>"
        if m.group(1) != char:
            attribute[code] = m.group(1)
        if m.group(2) != char:
            text[code] = m.group(2)

    def any_of(table: dict[int, str]) -> re.Pattern[str]:
        return re.compile("[" + re.escape("".join(map(chr, table))) + "]")

    return _Escapes(text, attribute, any_of(text), any_of(attribute))


class _TuWriter:
    """Writes a unit's ``<tu>`` as the string lxml would write for the element ``_indent`` indented.

    What is the same for every unit of the file (languages, dates, creationid)
    is escaped once; lxml is handed it once, so that a value XML cannot hold
    (a control character in ``creationid``) raises lxml's own ValueError.
    """

    def __init__(self, codes: tuple[str, str], stamp: str, creationid: str, header_segtype: str) -> None:
        etree.Element("tu", srclang=codes[0], creationdate=stamp, creationid=creationid, changedate=stamp)
        etree.Element("tuv", {XML_LANG: codes[1]})
        self._escapes = _escapes()
        attr = self._escapes.escape_attribute
        dates = f' creationdate="{attr(stamp)}" creationid="{attr(creationid)}" changedate="{attr(stamp)}">'
        self._header_segtype = header_segtype
        self._after_tuid = f'" srclang="{attr(codes[0])}"'
        self._dates = dates
        self._tuvs = [f'<tuv xml:lang="{attr(code)}">\n        <seg>' for code in codes]
        self._props: dict[tuple[str, str], str] = {}  # a prop value as written: most repeat (document, bead type, flags)

    def tu(self, u: _Unit, tuid: str) -> str:
        """The ``<tu>`` of ``u``, from its start tag to its end tag (its tail is the caller's)."""
        segtype = "" if u.segtype == self._header_segtype else f' segtype="{self._escapes.escape_attribute(u.segtype)}"'
        parts = [f'<tu tuid="{self._escapes.escape_attribute(tuid)}{self._after_tuid}{segtype}{self._dates}']
        parts.append(self._prop("x-alignment-score", f"{u.score:.3f}"))
        parts.append(self._prop("x-document", u.document))
        parts.append(self._prop("x-bead-type", u.bead_type))
        if u.context:
            parts.append(self._prop("x-context", u.context))
        if u.flags:
            parts.append(self._prop("x-flags", ",".join(u.flags)))
        escape = self._escapes.escape_text
        parts.append(f"{self._tuvs[0]}{escape(u.src)}</seg>\n      </tuv>")
        parts.append(f"{self._tuvs[1]}{escape(u.tgt)}</seg>\n      </tuv>")
        return "\n      ".join(parts) + "\n    </tu>"

    def _prop(self, ptype: str, value: str) -> str:
        """``<prop type="ptype">value</prop>``, the value cleaned like a segment."""
        written = self._props.get((ptype, value))
        if written is None:
            written = self._props[ptype, value] = f'<prop type="{ptype}">{self._escapes.escape_text(clean_text(value)[0])}</prop>'
        return written


class UniqueIds:
    """Hands out each tuid once: a taken one gets ``~2``, ``~3``... (a document appended twice, a merge)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, tuid: str) -> str:
        tuid, _ = clean_text(tuid)
        out, k = tuid, 1
        while out in self._taken:
            k += 1
            out = f"{tuid}~{k}"
        self._taken.add(out)
        return out


_STRUCTURE = ("tmx", "header", "body", "tu", "tuv")


def _indent(root: etree._Element) -> None:
    """Indent the structure by hand: never touch whitespace inside ``<seg>``.

    (lxml's pretty printer would indent a seg that holds only inline tags,
    changing its text.)
    """

    def walk(el: etree._Element, depth: int) -> None:
        kids = list(el)
        if el.tag not in _STRUCTURE or not kids:
            return
        el.text = "\n" + "  " * (depth + 1)
        for i, child in enumerate(kids):
            child.tail = "\n" + "  " * (depth + (1 if i < len(kids) - 1 else 0))
            walk(child, depth + 1)

    walk(root, 0)
    root.tail = None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype=DOCTYPE) + b"\n"



def _load_existing(path: str, codes: tuple[str, str]) -> tuple[etree._Element, list[etree._Element], list[tuple[str, str]]]:
    """The header, the ``<tu>`` elements and their (src, tgt) keys of a TMX to append to.

    Its languages must be exactly ours (case aside): appending ``vi`` units to
    a ``vi-VN`` TM would make the file mix code forms, which Trados and
    Phrase treat as different languages.
    """
    tree = parse_tmx(path)
    root = tree.getroot()
    header = root.find("header")
    if header is None:
        header = etree.Element("header")
    found = {f.lower() for f in file_languages(tree)}
    wanted = {codes[0].lower(), codes[1].lower()}
    srclang = (header.get("srclang") or "").lower()
    if found - wanted or (srclang and srclang not in (codes[0].lower(), "*all*")):
        raise InputError(
            f"cannot append {codes[0]}->{codes[1]} units: the existing TMX has languages "
            f"{', '.join(sorted(found)) or 'none'} (srclang {header.get('srclang')!r})",
            path=path, hint="use the same language codes (src_code/tgt_code, region) or another file",
        )
    tus, keys = [], []
    for tu, s, t in bilingual_units(tree, codes[0], codes[1]):
        tus.append(tu)
        if s is not None and t is not None and s.find("seg") is not None and t.find("seg") is not None:
            keys.append((clean_text(seg_text(s.find("seg")))[0], clean_text(seg_text(t.find("seg")))[0]))
    for tu in tus:  # drop the old indentation; _indent redoes the structure
        _strip_structure_space(tu)
    return header, tus, keys


def _strip_structure_space(el: etree._Element) -> None:
    el.tail = None
    if el.tag in ("tu", "tuv"):
        if el.text is not None and not el.text.strip():
            el.text = None
        for child in el:
            if child.tail is not None and not child.tail.strip():
                child.tail = None
            if child.tag == "tuv":
                _strip_structure_space(child)


# --------------------------------------------------------------------------- writers (align.formats.base)


class TmxWriter:
    """Writer of a pair's translation memory (``align run -o OUT.tmx``; ``<pair>.tmx`` in a corpus).

    With ``split_by_score`` it holds the units scoring at least that (the
    others go to the review TMX, which must then be asked for too); with
    ``append`` the new units are added to the TMX already at the final path.
    """

    name = "tmx"
    suffix = ".tmx"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> TmxStats:
        """Write the TMX of ``pair``; return what was written (the report and the CLI say it)."""
        split = options.split_by_score
        if split is not None and REVIEW_TMX.name not in pair.paths:
            raise UsageError(f"split_by_score needs a {REVIEW_TMX.name} output for the units below it",
                             hint="ask for both outputs, or leave split_by_score unset")
        return _write_pair_tmx(pair, path, options, self.name, min_score=max(options.min_score, split or 0.0))


class ReviewTmxWriter:
    """Writer of the units scoring below ``split_by_score`` (``align run --split-by-score``: ``OUT.review.tmx``)."""

    name = "review_tmx"
    suffix = ".review.tmx"

    def write(self, pair: AlignedPair, path: str, options: OutputOptions) -> TmxStats:
        """Write the review TMX of ``pair``; return what was written."""
        split = options.split_by_score
        if split is None:
            raise UsageError("the review TMX holds the units below split_by_score, which is not set")
        return _write_pair_tmx(pair, path, options, self.name, min_score=options.min_score, max_score=split)


def _write_pair_tmx(
    pair: AlignedPair, path: str, options: OutputOptions, name: str, *, min_score: float, max_score: float | None = None
) -> TmxStats:
    """``write_tmx`` with the run's options; with ``append``, ``path`` first gets a copy of the file to add to."""
    final = pair.paths.get(name, path)
    if options.append and os.path.abspath(final) != os.path.abspath(path):
        copy_for_append(final, path)
    return write_tmx(
        pair.alignment, path, level=cast(Level, options.level), src_code=options.src_code, tgt_code=options.tgt_code,
        region=options.region, min_score=min_score, max_score=max_score, dedupe=options.dedupe,
        append=options.append, creationid=options.creationid,
    )


TMX = TmxWriter()
REVIEW_TMX = ReviewTmxWriter()
