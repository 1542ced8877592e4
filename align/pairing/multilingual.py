"""One original, many translations: the per-language alignments of a corpus run as one multilingual TMX.

``align corpus --pair vi/ id/ en/ --merge`` aligns every (original,
translation) pair on its own, as any corpus run does (resumable, one TMX and
report per pair and language); this module then reads the per-pair TMX files
back and writes ``OUTDIR/corpus.vi-id-en.tmx`` pivoted on the source segments
(``align.formats.tmx.multi``), and ``corpus.vi-id-en.missing.tsv``, every
block of source segments a language has no (whole) counterpart for.

The source segments are read again from the original with the corpus'
reading options (the same ``read_document`` the pipeline calls, so the same
segments), and each per-pair unit's source span comes from its tuid
(``<pair>:<first>-<last>:<first>-<last>``, written by ``align.formats.tmx.write``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from align.common.atomic import atomic_write
from align.formats.tmx import read_tmx
from align.formats.tmx.multi import MultiDocument, MultiStats, Span, write_multilingual_tmx
from align.reading import read_document

_SPAN = re.compile(r"^(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class Aligned:
    """One finished job of a corpus run: its pair id, original, target language and TMX file."""

    pair_id: str
    src: str
    tgt_lang: str
    tmx: str


def spans_of(tmx: str | os.PathLike[str], pair_id: str) -> tuple[list[Span], int]:
    """The units of a per-pair TMX as ``(first, last, target)`` source spans; and the units whose tuid says no span."""
    out: list[Span] = []
    unknown = 0
    for tu in read_tmx(tmx).tus:
        parts = (tu.tuid or "").rsplit(":", 2)
        m = _SPAN.match(parts[1]) if len(parts) == 3 and parts[0] == pair_id else None  # a clash's "~k" ends the tuid
        if m is None:
            unknown += 1
            continue
        first = int(m.group(1))
        out.append((first, int(m.group(2) or first), tu.tgt))
    return out, unknown


def merge_languages(done: Sequence[Aligned], out: str | os.PathLike[str], *, src_lang: str, tgt_langs: Sequence[str],
                    fmt: str = "auto", force: bool = False, region: bool = False) -> tuple[MultiStats, Path]:
    """Write the multilingual TMX of ``done`` to ``out`` and the list of what each language lacks beside it."""
    by_pair: dict[str, list[Aligned]] = {}
    for a in done:
        by_pair.setdefault(a.pair_id, []).append(a)
    docs = []
    unknown: list[str] = []
    for pair_id, items in sorted(by_pair.items()):
        source = read_document(items[0].src, src_lang, fmt=fmt, force=force)
        units: dict[str, list[Span]] = {}  # a language without a job for this original stays absent
        for a in items:
            spans, n = spans_of(a.tmx, pair_id)
            units[a.tgt_lang] = spans
            if n:
                unknown.append(f"{pair_id}\t\t\t{a.tgt_lang}\t{n} units without a source span in their tuid (left out)\t")
        docs.append(MultiDocument(pair_id, [s.text for s in source.content], units))
    stats = write_multilingual_tmx(docs, out, src_lang=src_lang, tgt_langs=tgt_langs, region=region)
    listing = Path(out).with_suffix(".missing.tsv")
    rows = ["document\tfirst\tlast\tlanguage\treason\tsource"]
    rows += [f"{m.document}\t{m.first}\t{m.last}\t{m.lang}\t{m.reason}\t{m.source}" for m in stats.missing]
    atomic_write(listing, "\n".join(rows + unknown) + "\n")
    return stats, listing
