"""One multilingual TMX from one original and its translations, pivoted on the source segments.

LF Aligner and InterText align one original with several translations at
once; CAT tools import a multilingual TMX (one ``<tu>``, one ``<tuv>`` per
language). Each language's alignment has its own source units: Indonesian may
join source sentences 3 and 4 into one unit where English keeps them apart.
So the source units of all languages are merged first into **blocks** (the
smallest runs of source segments that no language's unit crosses: the union of
overlapping source spans), and every block becomes one ``<tu>``: the source
``<tuv>`` (the block's source segments joined), and one ``<tuv>`` per language
whose units cover the whole block (their targets joined in order).

Nothing is dropped silently: a language with no translation of the original,
one with no unit in a block, or with units
covering only part of it, gets no ``<tuv>`` there and the block is listed in
:attr:`MultiStats.missing` with the reason; a block no language covers whole
is not written (a unit with a source only is no translation) and is listed too.

The file follows the per-pair writer's rules (``align.formats.tmx.write``):
UTF-8, the TMX 1.4b DOCTYPE, a full header whose ``srclang`` is the source
tuvs' code, NFC cleaned segments, stable tuids (``<doc>:<first>-<last>``),
``x-`` props, written all or nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from align.common.atomic import atomic_write
from align.common.errors import UsageError
from align.common.version import __version__
from align.formats.tmx.read import XML_LANG
from align.formats.tmx.write import NO_SPACE_LANGS, UniqueIds, _date, _indent, _serialize, clean_text, language_code

#: A language's unit of one document: the first and last source segment it covers (0-based), and its target text.
Span = tuple[int, int, str]


@dataclass(frozen=True)
class MultiDocument:
    """One original and its aligned translations: source segment texts, and each language's units."""

    document: str  # the pair id: x-document and the tuids' prefix
    source: Sequence[str]
    units: Mapping[str, Sequence[Span]]  # language -> its units; a language without a translation of this original: absent


@dataclass(frozen=True)
class Missing:
    """A block of source segments with no complete counterpart in one language (or in any: ``lang == "*"``)."""

    document: str
    first: int
    last: int
    lang: str
    reason: str
    source: str


@dataclass
class MultiStats:
    """What the writer wrote: units, tuvs per language, and every block a language lacks."""

    tus: int = 0
    tuvs: dict[str, int] = field(default_factory=dict)
    missing: list[Missing] = field(default_factory=list)


def _joiner(code: str) -> str:
    return "" if code.split("-")[0].lower() in NO_SPACE_LANGS else " "


def blocks(units: Mapping[str, Sequence[Span]]) -> list[tuple[int, int]]:
    """The runs of source segments no language's unit crosses (overlapping spans merged), in order."""
    spans = sorted((a, b) for us in units.values() for a, b, _ in us)
    out: list[list[int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def pivot(doc: MultiDocument, codes: Mapping[str, str], src_code: str) -> tuple[list[tuple[int, int, str, dict[str, str]]], list[Missing]]:
    """The units of one document: ``(first, last, source text, {language: target text})``, and what is missing."""
    units: list[tuple[int, int, str, dict[str, str]]] = []
    missing: list[Missing] = []
    by_lang = {lang: sorted(doc.units.get(lang, ())) for lang in codes}
    for first, last in blocks(doc.units):
        source, _ = clean_text(_joiner(src_code).join(s.strip() for s in doc.source[first : last + 1]))
        targets: dict[str, str] = {}
        for lang, us in by_lang.items():
            inside = [u for u in us if first <= u[0] and u[1] <= last]
            covered = {k for a, b, _ in inside for k in range(a, b + 1)}
            if lang not in doc.units:
                missing.append(Missing(doc.document, first, last, lang, "no document of this language paired with the original",
                                       source))
            elif not inside:
                missing.append(Missing(doc.document, first, last, lang, "no counterpart", source))
            elif len(covered) < last - first + 1:
                missing.append(Missing(doc.document, first, last, lang,
                                       f"counterpart covers {len(covered)} of {last - first + 1} source segments", source))
            else:
                text, _ = clean_text(_joiner(codes[lang]).join(t for _, _, t in inside))
                if text:
                    targets[lang] = text
        if not source or not targets:
            missing.append(Missing(doc.document, first, last, "*", "no language covers the whole block; no unit written", source))
            continue
        units.append((first, last, source, targets))
    return units, missing


def write_multilingual_tmx(docs: Sequence[MultiDocument], path: str | os.PathLike[str], *, src_lang: str,
                           tgt_langs: Sequence[str], creationid: str = "align", region: bool = False,
                           now: datetime | None = None) -> MultiStats:
    """Write one TMX with a ``<tu>`` per source block of every document and a ``<tuv>`` per language (see the module)."""
    if not tgt_langs:
        raise UsageError("a multilingual TMX needs at least one target language")
    src_code = language_code(src_lang, region=region)
    codes = {lang: language_code(lang, region=region) for lang in tgt_langs}
    if len({src_code, *codes.values()}) != len(tgt_langs) + 1:
        raise UsageError(f"languages repeat: {src_code}, {', '.join(codes.values())}")
    stamp = _date(now)
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(root, "header")
    for k, v in {"creationtool": "align", "creationtoolversion": __version__, "segtype": "sentence", "o-tmf": "align",
                 "adminlang": "en", "srclang": src_code, "datatype": "plaintext", "creationdate": stamp}.items():
        header.set(k, v)
    body = etree.SubElement(root, "body")
    stats = MultiStats(tuvs={lang: 0 for lang in tgt_langs})
    tuids = UniqueIds()
    for doc in docs:
        units, missing = pivot(doc, codes, src_code)
        stats.missing.extend(missing)
        for first, last, source, targets in units:
            span = f"{first}" if first == last else f"{first}-{last}"
            tu = etree.SubElement(body, "tu", tuid=tuids.take(f"{doc.document}:{span}"), srclang=src_code)
            tu.set("creationdate", stamp)
            tu.set("creationid", creationid)
            tu.set("changedate", stamp)
            for ptype, value in (("x-document", doc.document), ("x-languages", ",".join(codes[lang] for lang in targets))):
                etree.SubElement(tu, "prop", type=ptype).text = clean_text(value)[0]
            for code, text in ((src_code, source), *((codes[lang], targets[lang]) for lang in tgt_langs if lang in targets)):
                tuv = etree.SubElement(tu, "tuv")
                tuv.set(XML_LANG, code)
                etree.SubElement(tuv, "seg").text = text
            for lang in targets:
                stats.tuvs[lang] += 1
            stats.tus += 1
    _indent(root)
    atomic_write(path, _serialize(root))
    return stats
