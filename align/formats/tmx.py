"""Write and read TMX 1.4b translation memories.

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

The reader parses untrusted files: no network, no external DTD, no entity
expansion, and any file that declares entities is refused (XXE, billion laughs).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from lxml import etree

from align.common.atomic import atomic_write
from align.common.errors import InputError, UsageError
from align.common.model import Alignment, Bead, Segment

Level = Literal["sentence", "paragraph", "both"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
#: Trados Cloud refuses segments longer than this (characters); we warn, not cut.
MAX_SEG_CHARS = 2000

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

# ISO 639-2/3 codes and deprecated 639-1 codes people pass, mapped to the
# shortest BCP-47 form CAT tools expect (BCP-47 requires the 2-letter code).
_ALIASES = {
    "vie": "vi", "ind": "id", "msa": "ms", "may": "ms", "zsm": "ms", "eng": "en",
    "tha": "th", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "fra": "fr",
    "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "in": "id", "iw": "he",
    "ji": "yi", "khm": "km", "lao": "lo", "tgl": "tl",
}
# Codes that are syntactically fine but wrong for the language people mean.
_WRONG = {"vn": "vi (vn is the country code)", "jp": "ja", "cn": "zh", "kr": "ko"}
_LANG_RE = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:-(?P<script>[A-Z][a-z]{3}))?(?:-(?P<region>[A-Z]{2}|\d{3}))?$"
)

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
    are in the report's unaligned list); ``warnings`` are one-line messages.
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


@dataclass(frozen=True)
class TU:
    """One translation unit read back from a TMX file (plain text of the segs)."""

    tuid: str | None
    src: str
    tgt: str
    props: dict[str, str] = field(default_factory=dict)
    src_lang: str = ""
    tgt_lang: str = ""


@dataclass(frozen=True)
class TmxFile:
    """A read TMX: header attributes, the bilingual units, and what was left out.

    ``skipped`` counts ``<tu>`` elements without a tuv in one of the two
    languages (normal in a multilingual TM).
    """

    path: str
    version: str
    header: dict[str, str]
    tus: list[TU]
    src_lang: str
    tgt_lang: str
    skipped: int = 0


@dataclass(frozen=True)
class _Unit:
    """A TU to be written, before it gets its tuid."""

    src: str
    tgt: str
    score: float
    document: str
    bead_type: str
    flags: tuple[str, ...]
    segtype: str


@dataclass
class _Counts:
    skipped_below_min: int = 0
    skipped_above_max: int = 0
    duplicates: int = 0
    null_beads: int = 0
    control: int = 0
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
    code = _canonical(raw)
    if explicit or not region:
        return code
    m = _LANG_RE.match(code)
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


def _canonical(raw: str) -> str:
    parts = [p for p in raw.strip().replace("_", "-").split("-") if p]
    if not parts:
        raise UsageError(f"empty language code {raw!r}")
    base = parts[0].lower()
    if base in _WRONG:
        raise UsageError(f"language code {raw!r} is not a language", hint=f"use {_WRONG[base]}")
    base = _ALIASES.get(base, base)
    rest = []
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            rest.append(p.title())
        elif len(p) == 2 and p.isalpha() or len(p) == 3 and p.isdigit():
            rest.append(p.upper())
        else:
            rest.append(p)
    code = "-".join([base, *rest])
    if not _LANG_RE.match(code):
        raise UsageError(
            f"language code {raw!r} is not a BCP-47 code CAT tools accept",
            hint="use e.g. vi, id, vi-VN, id-ID",
        )
    return code


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

    text = _CONTROL_RE.sub(fix, text)
    text = unicodedata.normalize("NFC", text)
    return _SPACE_RE.sub(" ", text).strip(), removed


def _join(segments: Iterable[Segment], code: str) -> str:
    return _joiner(code).join(s.text.strip() for s in segments)


# --------------------------------------------------------------------------- units


def _sentence_units(al: Alignment, codes: tuple[str, str]) -> list[_Unit]:
    doc = os.path.basename(al.source.path)
    out = []
    for b in al.beads:
        if b.is_null:
            continue
        src = _join((al.src[i] for i in b.src), codes[0])
        tgt = _join((al.tgt[j] for j in b.tgt), codes[1])
        out.append(_Unit(src, tgt, b.score, doc, b.kind, tuple(b.flags), "sentence"))
    return out


def _paragraph_units(al: Alignment, codes: tuple[str, str]) -> list[_Unit]:
    """Paragraph TUs from ``para_beads``, or grouped sentence beads if there are none."""
    doc = os.path.basename(al.source.path)
    src_by_para = _by_para(al.src)
    tgt_by_para = _by_para(al.tgt)
    out = []
    if al.para_beads:
        for b in al.para_beads:
            if b.is_null:
                continue
            src = _join((s for p in b.src for s in src_by_para.get(p, ())), codes[0])
            tgt = _join((s for p in b.tgt for s in tgt_by_para.get(p, ())), codes[1])
            out.append(_Unit(src, tgt, b.score, doc, b.kind, tuple(b.flags), "paragraph"))
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
                _group_flags(beads), "paragraph",
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
        counts.control += n1 + n2
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
        out.append(_Unit(src, tgt, u.score, u.document, u.bead_type, u.flags, u.segtype))
    return out


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
    root = _build(codes, segtype, stamp, creationid, units, existing)
    first_new = len(existing[1]) if existing is not None else 0
    for k, u in enumerate(units, start=first_new + 1):
        for side, text in (("source", u.src), ("target", u.tgt)):
            if len(text) > MAX_SEG_CHARS:
                counts.warnings.append(
                    f"{u.document}: TU {k}: {side} segment has {len(text)} characters "
                    f"(over {MAX_SEG_CHARS}, the Trados Cloud limit); written anyway"
                )
    if counts.control:
        counts.warnings.append(f"removed {counts.control} XML-illegal or control characters from the text")
    if not units and not first_new:
        counts.warnings.append("no translation unit to write: the TMX is empty")
    atomic_write(path, _serialize(root))
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
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _build(
    codes: tuple[str, str],
    segtype: str,
    stamp: str,
    creationid: str,
    units: list[_Unit],
    existing: tuple[etree._Element, list[etree._Element], list[tuple[str, str]]] | None,
) -> etree._Element:
    from align import __version__

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
        if _DATE_RE.match(old.get("creationdate") or ""):
            attrs["creationdate"] = old.get("creationdate")
        attrs["changedate"] = stamp
        for child in old:
            if isinstance(child.tag, str) and child.tag in ("note", "prop", "ude"):
                header.append(child)
    for k, v in attrs.items():
        header.set(k, v)
    body = etree.SubElement(root, "body")
    n = 0
    for tu in existing[1] if existing is not None else []:
        n += 1
        tu.set("tuid", str(n))
        body.append(tu)
    for u in units:
        n += 1
        body.append(_tu_element(u, str(n), codes, stamp, creationid, attrs["segtype"]))
    _indent(root)
    return root


def _tu_element(u: _Unit, tuid: str, codes: tuple[str, str], stamp: str, creationid: str, header_segtype: str) -> etree._Element:
    tu = etree.Element("tu", tuid=tuid, srclang=codes[0])
    if u.segtype != header_segtype:
        tu.set("segtype", u.segtype)
    tu.set("creationdate", stamp)
    tu.set("creationid", creationid)
    tu.set("changedate", stamp)
    props = [
        ("x-alignment-score", f"{u.score:.3f}"),
        ("x-document", u.document),
        ("x-bead-type", u.bead_type),
    ]
    if u.flags:
        props.append(("x-flags", ",".join(u.flags)))
    for ptype, value in props:
        clean, _ = clean_text(value)
        etree.SubElement(tu, "prop", type=ptype).text = clean
    for code, text in ((codes[0], u.src), (codes[1], u.tgt)):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, code)
        etree.SubElement(tuv, "seg").text = text
    return tu


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


# --------------------------------------------------------------------------- read

_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_NATIVE_CODES = ("bpt", "ept", "ph", "it", "ut")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


def _parse(path: str) -> etree._ElementTree:
    """Parse a TMX safely; InputError for anything that is not a readable TMX."""
    try:
        with open(path, "rb") as f:
            tree = etree.parse(f, _parser())
    except FileNotFoundError as e:
        raise InputError("file not found", path=path) from e
    except IsADirectoryError as e:
        raise InputError("is a directory, not a TMX file", path=path) from e
    except PermissionError as e:
        raise InputError("permission denied", path=path) from e
    except etree.XMLSyntaxError as e:
        msg = str(getattr(e, "msg", "") or e)
        if "amplification" in msg or re.search(r"Entity '[^']*' not defined", msg):
            raise InputError(f"refused: entity declarations or references ({msg})", path=path,
                             hint="TMX files never need DTD entities") from e
        raise InputError(f"not well-formed XML (truncated or corrupt?): {msg}", path=path) from e
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        names = ", ".join(sorted(e.name for e in dtd.iterentities()))
        raise InputError(f"refused: the file declares DTD entities ({names})", path=path,
                         hint="entity expansion (XXE, billion laughs) is never needed in TMX")
    ref = next(tree.getroot().iter(etree.Entity), None)
    if ref is not None:
        raise InputError(f"refused: entity reference {ref.text} is not defined in the file", path=path,
                         hint="TMX files never need DTD entities; write the character itself")
    root = tree.getroot()
    if root.tag != "tmx":
        raise InputError(f"not a TMX file: root element is <{root.tag}>, expected <tmx>", path=path)
    if root.find("body") is None:
        raise InputError("not a TMX file: no <body> element", path=path)
    return tree


def _tuv_lang(tuv: etree._Element) -> str:
    return tuv.get(XML_LANG) or tuv.get("lang") or ""  # "lang" is TMX 1.1


def seg_text(seg: etree._Element) -> str:
    """The plain text of a ``<seg>``: native codes (``bpt``/``ept``/``ph``...) left out."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag == "hi":
            parts.append(seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lang_matches(requested: str, actual: str) -> bool:
    r, a = requested.lower(), actual.lower()
    return r == a or ("-" not in r and a.split("-")[0] == r)


def _pairs(tree: etree._ElementTree, src: str, tgt: str) -> list[tuple[etree._Element, etree._Element | None, etree._Element | None]]:
    out = []
    for tu in tree.getroot().iterfind("body/tu"):
        s = t = None
        for tuv in tu.iterfind("tuv"):
            lang = _tuv_lang(tuv)
            if s is None and _lang_matches(src, lang):
                s = tuv
            elif t is None and _lang_matches(tgt, lang):
                t = tuv
        out.append((tu, s, t))
    return out


def _languages(tree: etree._ElementTree) -> list[str]:
    return sorted({_tuv_lang(t) for t in tree.getroot().iterfind("body/tu/tuv")})


def read_tmx(path: str | os.PathLike[str], *, src_lang: str | None = None, tgt_lang: str | None = None) -> TmxFile:
    """Read the bilingual units of a TMX (ours or any TMX 1.1-1.4b).

    ``src_lang`` defaults to the header's ``srclang``; ``tgt_lang`` to the one
    other language in the file. A requested code without region also matches
    its regional forms (``vi`` matches ``vi-VN``). InputError if the file is not
    a safe, well-formed TMX or lacks the requested languages.
    """
    path = os.fspath(path)
    tree = _parse(path)
    root = tree.getroot()
    header_el = root.find("header")
    header = {k: v for k, v in (header_el.attrib.items() if header_el is not None else [])}
    found = _languages(tree)
    src = src_lang or header.get("srclang", "")
    if not src or src == "*all*":
        raise InputError("no usable srclang in the header", path=path, hint="pass src_lang")
    if not found:  # an empty memory (e.g. every unit below --min-score) is valid
        return TmxFile(path=path, header=header, tus=[], src_lang=src, tgt_lang=tgt_lang or "", skipped=0,
                       version=root.get("version", ""))
    if not any(_lang_matches(src, f) for f in found):
        raise InputError(f"no unit in language {src!r} (file has {', '.join(found) or 'none'})", path=path)
    if tgt_lang is None:
        others = sorted({f for f in found if not _lang_matches(src, f)})
        if len(others) != 1:
            raise InputError(
                f"cannot tell the target language: file has {', '.join(others) or 'none'} besides {src}",
                path=path, hint="pass tgt_lang",
            )
        tgt = others[0]
    else:
        tgt = tgt_lang
        if not any(_lang_matches(tgt, f) for f in found):
            raise InputError(f"no unit in language {tgt!r} (file has {', '.join(found) or 'none'})", path=path)
    tus, skipped = [], 0
    for tu, s, t in _pairs(tree, src, tgt):
        seg_s = s.find("seg") if s is not None else None
        seg_t = t.find("seg") if t is not None else None
        if seg_s is None or seg_t is None:
            skipped += 1
            continue
        props: dict[str, str] = {}
        for p in tu.iterfind("prop"):
            props.setdefault(p.get("type", ""), p.text or "")
        tus.append(TU(tu.get("tuid"), seg_text(seg_s), seg_text(seg_t), props, _tuv_lang(s), _tuv_lang(t)))
    return TmxFile(path, root.get("version", ""), header, tus, src, tgt, skipped)


def _load_existing(path: str, codes: tuple[str, str]) -> tuple[etree._Element, list[etree._Element], list[tuple[str, str]]]:
    """The header, the ``<tu>`` elements and their (src, tgt) keys of a TMX to append to.

    Its languages must be exactly ours (case aside): appending ``vi`` units to
    a ``vi-VN`` TM would make the file mix code forms, which Trados and
    Phrase treat as different languages.
    """
    tree = _parse(path)
    root = tree.getroot()
    header = root.find("header")
    if header is None:
        header = etree.Element("header")
    found = {f.lower() for f in _languages(tree)}
    wanted = {codes[0].lower(), codes[1].lower()}
    srclang = (header.get("srclang") or "").lower()
    if found - wanted or (srclang and srclang not in (codes[0].lower(), "*all*")):
        raise InputError(
            f"cannot append {codes[0]}->{codes[1]} units: the existing TMX has languages "
            f"{', '.join(sorted(found)) or 'none'} (srclang {header.get('srclang')!r})",
            path=path, hint="use the same language codes (src_code/tgt_code, region) or another file",
        )
    tus, keys = [], []
    for tu, s, t in _pairs(tree, codes[0], codes[1]):
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
