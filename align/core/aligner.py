"""Sentence and paragraph alignment: segments + encoder -> scored beads.

The search, in short:

1. every segment is embedded once; a window of segments is the normalised sum
   of its members' (centred) vectors, so the search itself embeds no window;
2. a bead ``(a, b)`` (up to 1-4/4-1, 2-2, 2-3/3-2) scores its normalised
   similarity, a Gale-Church length log-likelihood with the length ratio and
   variance of this document pair, a bonus for shared numbers and names scaled
   by the similarity, minus a cost per extra segment; one-sided beads
   (omissions, additions) cost ``skip`` per segment, less for one holding a
   number the other text lacks (``_scores``); a 2-1/1-2... bead whose lone
   segment holds as many sentences as the segments it is paired with earns a
   bonus (a pre-split line or paragraph holding two sentences is evidence that
   the other side split it);
3. a monotone DP finds the best path (``_search``): exact on short documents,
   in a band around a coarser path on long ones (blocks of 2, 4, 8...
   segments, or the paragraph alignment), so time and memory grow linearly;
   the length ratio starts from mutual best matches and is re-estimated
   from the path until the path stops changing (at most ``refine_steps``);
4. when both documents have paragraphs, paragraphs are aligned first
   (paragraph vector = normalised sum of its sentence vectors) and sentences
   are then aligned inside the aligned paragraph groups and their neighbours,
   with a bonus for beads whose paragraph boundaries coincide; if the
   paragraph alignment is unsure, one sentence pass over the whole document;
5. the windows of the one-to-many beads the search chose are then embedded
   as text (a few per cent of the segments); where an edge member makes its
   window less similar to the other side than the window without it, the
   search runs again with that evidence (``_members``): a sentence the
   translation left out is otherwise easily absorbed into its neighbour's bead;
6. segments the path left out or merged are paired out of order where the
   evidence is one-sided (``_reorder``: mutual best match nearby, as similar
   as a translation, clearly better than where the path had them); the pairs
   become beads marked ``moved`` and the rest is aligned again without them.
   A translation that moved a sentence or caption a few places keeps it.

Each bead's score is its posterior probability under the same scores
(forward-backward over all paths in the band): the share of the probability
mass of all alignments that contain this bead. It is high where the aligner
had no close alternative, and it is what a user filters a TMX on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

import align.core.scores as sc
from align.common.errors import UsageError
from align.reading.langid import detect_language
from align.core.lexical import Anchors, candidates, find_anchors, orphans
from align.core.members import WindowVectors, bead_member_cost, embed_windows, merge_windows
from align.common.model import Alignment, Bead, Document
from align.core.reorder import crossing_pairs
from align.core.scores import DocModel, WindowScorer, score_matrix
from align.core.search import (
    Band,
    BeadType,
    backward,
    band_around,
    bead_posteriors,
    full_band,
    path_to_spans,
    viterbi,
)
from align.reading.segment import sentence_count

__all__ = ["AlignParams", "align_documents", "align_segments", "score_matrix", "signature"]

# Trust a paragraph alignment when at least this share of the text lies in
# two-sided paragraph beads with posterior >= 0.5; otherwise align sentences
# over the whole document.
_PARA_SURE_SHARE = 0.8


@dataclass(frozen=True)
class AlignParams:
    """Every knob of the search, with the defaults used for all languages and genres."""

    max_src: int = 4  # most source segments in one bead
    max_tgt: int = 4  # most target segments in one bead
    max_total: int = 5  # most segments in one bead (2-3 and 1-4 yes, 3-3 no)
    centre: bool = True  # remove each side's mean vector before comparing
    sim_weight: float = 6.0  # weight of the normalised similarity
    sim_offset: float = 0.5  # normalised similarity at which a bead is neutral
    len_weight: float = 1.0  # weight of the length log-likelihood
    len_tail: float = 1.0  # Student-t degrees of freedom of length deviations (1 = Cauchy, 0 = Gaussian)
    lex_weight: float = 1.0  # bonus for shared numbers/names (times similarity); 0 = off
    skip: float = 4.0  # cost of a segment left out (omission or addition)
    merge: float = 1.5  # cost per segment a bead has beyond one each side
    merge_big: float = 0.5  # extra cost per segment beyond three in one bead (3-1, 2-2, 1-4 ...)
    count_bonus: float = 1.0  # n-1/1-n bead whose sentence counts agree (lines, paragraphs); 0 = off
    orphan_skip: float = 1.5  # leaving out a segment whose number/URL the other text lacks costs this less
    member_drop: float = 0.25  # an edge member may lower its embedded window's normalised similarity this much free
    member_weight: float = 50.0  # cost per unit lowered beyond that (``_members``); 0 = never embed windows
    para_first: bool = True  # align paragraphs first when both sides have them
    para_bonus: float = 0.5  # bonus for beads whose paragraph boundaries coincide
    reorder_window: int = 12  # pair moved segments up to this many segments away (``_reorder``); 0 = off
    reorder_min: float = 0.8  # normalised similarity a moved pair needs (1 = the document's typical translation)
    reorder_margin: float = 0.5  # how much better the pair must fit than the beads its segments leave
    refine: bool = True  # re-estimate the length model from a first pass
    refine_steps: int = 3  # at most this many re-estimates (fewer once the path stops changing)
    max_cells: int = 1_000_000  # exact DP up to this many cells, else coarse-to-fine
    band_radius: int = 8  # half-width of the band around a coarse path (segments)

    def __post_init__(self) -> None:
        if not 0.0 <= self.orphan_skip < self.skip:
            # at skip or above, leaving a segment out would be free or a gain
            raise UsageError(f"orphan_skip must be at least 0 and below skip ({self.skip}), got {self.orphan_skip}")
        for name in ("merge", "merge_big", "count_bonus", "member_drop", "member_weight", "reorder_window",
                     "reorder_margin"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must not be negative, got {getattr(self, name)}")

    def as_dict(self) -> dict:
        return asdict(self)

    def bead_types(self) -> list[BeadType]:
        """Two-sided bead types, simplest first (ties go to simpler beads)."""
        out = [
            (a, b)
            for a in range(1, self.max_src + 1)
            for b in range(1, self.max_tgt + 1)
            if a + b <= self.max_total
        ]
        return sorted(out, key=lambda t: (t[0] + t[1], abs(t[0] - t[1]), -t[1]))


def signature(model_id: str, params: AlignParams | None = None) -> str:
    """``align:<version>|model:<id>|params:<settings that differ from the defaults, or default>``."""
    from align import __version__

    params = params or AlignParams()
    default = AlignParams().as_dict()
    diff = {k: v for k, v in params.as_dict().items() if default.get(k) != v}
    ptxt = ",".join(f"{k}={v}" for k, v in sorted(diff.items())) if diff else "default"
    return f"align:{__version__}|model:{model_id}|params:{ptxt}"


# ------------------------------------------------------------------ search


def _trivial(n: int, m: int) -> list[BeadType]:
    return [(1, 0)] * n + [(0, 1)] * m


@dataclass
class Found:
    """A search result: the path, each bead's posterior, and what the search measured."""

    path: list[BeadType]
    probs: list[float]
    model: DocModel | None = None
    cells: int = 0  # DP cells of the finest level (n * width: linear in the length)
    width: int = 0  # widest band row
    largest: int = 0  # elements of the largest array the search allocated, coarse levels included
    band: Band | None = None  # the band searched (reused by a second pass)


def search(
    x: np.ndarray,
    y: np.ndarray,
    ls: np.ndarray,
    lt: np.ndarray,
    params: AlignParams,
    *,
    anchors: Anchors | None = None,
    model: DocModel | None = None,
    src_starts: np.ndarray | None = None,
    tgt_starts: np.ndarray | None = None,
    types: Sequence[BeadType] | None = None,
    posteriors: bool = True,
    band: Band | None = None,
    src_counts: np.ndarray | None = None,
    tgt_counts: np.ndarray | None = None,
    src_orphans: np.ndarray | None = None,
    tgt_orphans: np.ndarray | None = None,
    windows: WindowVectors | None = None,
) -> Found:
    """Best bead path for prepared vectors; coarse-to-fine when the matrix is large.

    Without a given ``model`` the statistics are estimated inside the band and,
    with ``params.refine``, the length model is re-estimated from the path and
    the search run again, until the path stops changing (at most
    ``params.refine_steps`` times). ``src_counts``/``tgt_counts`` (sentences per
    segment) enable the ``count_bonus``; ``src_orphans``/``tgt_orphans``
    (segments with a number the other side lacks) the ``orphan_skip``;
    ``windows`` (real embeddings of merged windows) the member check.
    """
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        path = _trivial(n, m)
        return Found(path, [1.0] * len(path), model)
    types = list(types or params.bead_types())
    coarse_largest = 0
    if band is None:
        if (n + 1) * (m + 1) <= params.max_cells:
            band = full_band(n, m)
        else:
            band, coarse_largest = _coarse_band(x, y, ls, lt, params)
    scorer = WindowScorer(
        x, y, ls, lt, band, params, types, anchors, model, src_starts, tgt_starts, src_counts, tgt_counts,
        src_orphans, tgt_orphans, windows,
    )
    refine = model is None and params.refine and params.refine_steps > 0
    res = viterbi(band, scorer, params.skip, with_forward=posteriors and not refine)
    for _ in range(params.refine_steps if refine else 0):
        # Viterbi training: re-estimate the length model from the path until the path stays put
        scorer.model = sc.refine_model(scorer.model, path_to_spans(res.path), ls, lt)
        new = viterbi(band, scorer, params.skip, with_forward=posteriors)
        settled = new.path == res.path
        res = new
        if settled:
            break
    probs = [1.0] * len(res.path)
    if posteriors:
        B = backward(band, scorer, params.skip)
        probs = bead_posteriors(res.path, band, res.forward, B, scorer, params.skip)
    largest = max(
        (n + 1) * band.width,  # DP, forward, backward and back-pointer arrays
        scorer.cos.values.size,  # banded segment cosines
        len(types) * scorer.block_rows * band.width,  # one block of bead scores
        coarse_largest,
    )
    return Found(res.path, probs, scorer.model, band.cells, band.width, largest, band)


def _coarse_band(x: np.ndarray, y: np.ndarray, ls: np.ndarray, lt: np.ndarray, params: AlignParams) -> tuple[Band, int]:
    """A band around the path found on blocks of two segments (recursively, as Vecalign does).

    Also returns the size of the largest array the coarse levels allocated.
    """
    n, m = len(x), len(y)
    xc, yc = sc.block_vectors(x, 2), sc.block_vectors(y, 2)
    lsc, ltc = sc.block_sums(ls, 2), sc.block_sums(lt, 2)
    coarse = search(xc, yc, lsc, ltc, params, types=[(1, 1), (1, 2), (2, 1)], posteriors=False)
    path = coarse.path
    nodes = []
    i = j = 0
    for a, b in path:
        i += a
        j += b
        nodes.append((min(2 * i, n), min(2 * j, m)))
    return band_around(nodes, n, m, params.band_radius), coarse.largest


# ------------------------------------------------------------------ documents


def _lengths(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(t) for t in texts], dtype=np.float64)


def _prepare(vecs: np.ndarray, params: AlignParams) -> np.ndarray:
    v = sc.normalise_rows(np.asarray(vecs, dtype=np.float32))
    mean = _side_mean(v, params)
    return v if mean is None else sc.centre(v, mean)


def _side_mean(unit: np.ndarray, params: AlignParams) -> np.ndarray | None:
    """The mean ``_prepare`` removes from a side's unit vectors (None: it removes nothing)."""
    return unit.mean(axis=0) if params.centre and len(unit) >= 2 else None


def align_segments(
    src: list[str],
    tgt: list[str],
    encoder,
    *,
    params: AlignParams | None = None,
    src_paras: Sequence[int] | None = None,
    tgt_paras: Sequence[int] | None = None,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> list[Bead]:
    """Beads over ``src`` and ``tgt`` in order, covering every index exactly once.

    ``src_paras``/``tgt_paras`` give each segment's paragraph id; when both sides
    have real paragraphs the search goes paragraph-first. Vectors may be passed
    in (already computed); otherwise each list is encoded once, and the
    windows of the merges the search chose are embedded to check their members
    (``_members``; not done with vectors passed in, which may come from another model). A blank segment
    (empty or whitespace, as a pre-split file's empty line) translates nothing
    and is nothing's translation: it is left out of the search and comes back
    as its own one-sided bead (score 1.0), where the reading order puts it, or
    inside a bead that merges the segments on both sides of it.

    Segments are taken as given (pre-split lines), so one may hold several
    sentences; they are counted with the segmenter of ``src_lang``/``tgt_lang``
    (guessed from the text when not given) for ``params.count_bonus``.
    """
    params = params or AlignParams()

    def counts(texts: Sequence[str], lang: str | None) -> np.ndarray | None:
        return _sentence_counts(texts, lang) if params.count_bonus > 0 else None

    keep_s = [k for k, t in enumerate(src) if t.strip()]
    keep_t = [k for k, t in enumerate(tgt) if t.strip()]
    if len(keep_s) == len(src) and len(keep_t) == len(tgt):
        cs, ct = counts(src, src_lang), counts(tgt, tgt_lang)
        beads, _ = _align(src, tgt, encoder, params, src_paras, tgt_paras, src_vecs, tgt_vecs, cs, ct)
        return beads

    def rows(vecs, keep):
        return None if vecs is None else np.asarray(vecs)[keep]

    inner, _ = _align(
        _pick(src, keep_s), _pick(tgt, keep_t), encoder, params, _pick(src_paras, keep_s), _pick(tgt_paras, keep_t),
        rows(src_vecs, keep_s), rows(tgt_vecs, keep_t),
        counts(_pick(src, keep_s), src_lang), counts(_pick(tgt, keep_t), tgt_lang),
    )
    # a bead over kept segments k and k+1 also covers any blank between them (a merge across an empty line)
    bs, bt = set(range(len(src))) - set(keep_s), set(range(len(tgt))) - set(keep_t)
    mapped = [
        Bead(_span([keep_s[k] for k in b.src], bs), _span([keep_t[k] for k in b.tgt], bt), b.score, moved=b.moved)
        for b in inner
    ]
    inside_s = {k for b in mapped for k in b.src}
    inside_t = {k for b in mapped for k in b.tgt}
    blank_s = [k for k in range(len(src)) if k not in inside_s]
    blank_t = [k for k in range(len(tgt)) if k not in inside_t]
    return _with_blanks(mapped, blank_s, blank_t)


def _pick(seq, keep: list[int]):
    """The items of ``seq`` at ``keep`` (None stays None)."""
    return None if seq is None else [seq[k] for k in keep]


def _span(ix: list[int], blank: set[int]) -> tuple[int, ...]:
    """Indices ``ix`` and the blank indices between two of them (not a moved segment that sat there)."""
    out: list[int] = []
    for a, b in itertools.pairwise(ix):
        out.append(a)
        out.extend(k for k in range(a + 1, b) if k in blank)
    return tuple(out + ix[-1:])


def _with_blanks(beads: list[Bead], blank_s: list[int], blank_t: list[int]) -> list[Bead]:
    """``beads`` with a one-sided bead for each blank segment, each placed before the first bead that reads past it."""
    out: list[Bead] = []
    si = ti = 0
    for b in beads:
        if b.moved:  # in source order only: a blank target line does not read before it
            while si < len(blank_s) and blank_s[si] < b.src[0]:
                out.append(Bead((blank_s[si],), (), 1.0))
                si += 1
            out.append(b)
            continue
        while si < len(blank_s) and b.src and blank_s[si] < b.src[0]:
            out.append(Bead((blank_s[si],), (), 1.0))
            si += 1
        while ti < len(blank_t) and b.tgt and blank_t[ti] < b.tgt[0]:
            out.append(Bead((), (blank_t[ti],), 1.0))
            ti += 1
        out.append(b)
    out.extend(Bead((k,), (), 1.0) for k in blank_s[si:])
    out.extend(Bead((), (k,), 1.0) for k in blank_t[ti:])
    return out


def _runs(paras: Sequence[int] | None, n: int) -> list[tuple[int, int, int]]:
    """Consecutive runs of one paragraph id: ``(id, start, end)``; one run per segment if no ids."""
    if paras is None:
        return [(k, k, k + 1) for k in range(n)]
    if len(paras) != n:
        raise ValueError(f"{len(paras)} paragraph ids for {n} segments")
    out: list[tuple[int, int, int]] = []
    for k, p in enumerate(paras):
        if out and out[-1][0] == p:
            out[-1] = (p, out[-1][1], k + 1)
        else:
            out.append((p, k, k + 1))
    return out


def _starts(runs: list[tuple[int, int, int]], n: int) -> np.ndarray:
    """``out[k]``: a paragraph boundary lies before segment k (k = 0..n)."""
    out = np.zeros(n + 1, dtype=bool)
    for _, s0, _ in runs:
        out[s0] = True
    out[n] = True
    return out


def _informative(runs: list[tuple[int, int, int]]) -> bool:
    """A side has paragraph structure worth using: several paragraphs, some of several segments."""
    return len(runs) >= 2 and any(e - s > 1 for _, s, e in runs)


def _group_vectors(vecs: np.ndarray, runs) -> np.ndarray:
    return sc.normalise_rows(np.stack([vecs[s:e].sum(axis=0) for _, s, e in runs])) if runs else vecs[:0]


def _beads_from_spans(spans, probs, src_off: int = 0, tgt_off: int = 0) -> list[Bead]:
    return [
        Bead(tuple(k + src_off for k in s), tuple(k + tgt_off for k in t), round(float(p), 4))
        for (s, t), p in zip(spans, probs)
    ]


def _encode(encoder, texts: Sequence[str], vecs) -> np.ndarray:
    if vecs is not None:
        return np.asarray(vecs, dtype=np.float32)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return encoder.encode(list(texts))


def _sentence_counts(texts: Sequence[str], lang: str | None) -> np.ndarray:
    """Sentences per segment, with the segmenter of ``lang`` (guessed when None; generic if unknown)."""
    lang = lang or detect_language(" ".join(texts[:100])[:4000]) or "und"
    return np.array([sentence_count(t, lang) for t in texts], dtype=np.int64)


def _document_counts(doc: Document) -> np.ndarray:
    """Sentences per content segment: one for each the segmenter made; counted in lines and paragraphs."""
    segments = doc.content
    if doc.fmt != "presplit" and all(s.kind == "sentence" for s in segments):
        return np.ones(len(segments), dtype=np.int64)
    return _sentence_counts([s.text for s in segments], doc.lang)


def _align(
    src, tgt, encoder, params, src_paras, tgt_paras, src_vecs, tgt_vecs, src_counts=None, tgt_counts=None
) -> tuple[list[Bead], list[Bead]]:
    """Sentence beads and paragraph beads (over paragraph ids) for one document pair.

    ``src_counts``/``tgt_counts`` are the sentences of each segment (None: not
    used). A pre-split line or a paragraph may hold several, a sentence holds
    one; the paragraph pass sums them per paragraph. With pairs out of order
    (``_reorder``), the paired segments are taken out and the rest is aligned
    again, from the same vectors; the pairs are put in by source position.
    """
    raw_x, raw_y = _encode(encoder, src, src_vecs), _encode(encoder, tgt, tgt_vecs)
    if len(raw_x) != len(src) or len(raw_y) != len(tgt):
        raise ValueError("one vector per segment is needed")
    # windows must come from the model that made the segments' vectors: not checked when vectors are given
    windows_from = encoder if src_vecs is None and tgt_vecs is None else None
    ls, lt = _lengths(src), _lengths(tgt)
    sides = (src_paras, tgt_paras, src_counts, tgt_counts)
    beads, found, x, y = _align_vectors(src, tgt, raw_x, raw_y, windows_from, params, *sides)
    if params.reorder_window > 0 and found.model is not None:
        pairs = crossing_pairs(
            path_to_spans(found.path), x, y, found.model.sim,
            window=params.reorder_window, min_sim=params.reorder_min, margin=params.reorder_margin,
        )
        if pairs:
            keep_s = sorted(set(range(len(src))) - {i for i, _, _ in pairs})
            keep_t = sorted(set(range(len(tgt))) - {j for _, j, _ in pairs})
            rest, _, _, _ = _align_vectors(
                _pick(src, keep_s), _pick(tgt, keep_t), raw_x[keep_s], raw_y[keep_t], windows_from, params,
                _pick(src_paras, keep_s), _pick(tgt_paras, keep_t),
                None if src_counts is None else np.asarray(src_counts)[keep_s],
                None if tgt_counts is None else np.asarray(tgt_counts)[keep_t],
            )
            mapped = [Bead(tuple(keep_s[k] for k in b.src), tuple(keep_t[k] for k in b.tgt), b.score) for b in rest]
            beads = _with_moved(mapped, [Bead((i,), (j,), score, moved=True) for i, j, score in pairs])
    return beads, para_beads_from(beads, src_paras, tgt_paras, ls, lt)


def _with_moved(beads: list[Bead], pairs: list[Bead]) -> list[Bead]:
    """``beads`` (in order) with each pair put before the first bead holding a later source segment.

    A pair that stands in order there on both sides is an ordinary bead (the
    path had just refused it); only one that does not is ``moved``.
    """
    out: list[Bead] = []
    k = 0
    for b in beads:
        while k < len(pairs) and b.src and pairs[k].src[0] < b.src[0]:
            out.append(pairs[k])
            k += 1
        out.append(b)
    out += pairs[k:]
    # a pair stays moved unless it stands in order on both sides: after every earlier bead that is not moved
    # and before every later one (a re-aligned bead may hold segments on both sides of it)
    big = 1 << 62
    later_s, later_t = [big] * (len(out) + 1), [big] * (len(out) + 1)
    for p in range(len(out) - 1, -1, -1):
        b = out[p]
        fixed = not b.moved
        later_s[p] = min(later_s[p + 1], b.src[0]) if fixed and b.src else later_s[p + 1]
        later_t[p] = min(later_t[p + 1], b.tgt[0]) if fixed and b.tgt else later_t[p + 1]
    top_s = top_t = -1
    for p, b in enumerate(out):
        if b.moved and top_s < b.src[0] < later_s[p + 1] and top_t < b.tgt[0] < later_t[p + 1]:
            out[p] = b = Bead(b.src, b.tgt, b.score)
        if not b.moved:
            top_s, top_t = max([top_s, *b.src]), max([top_t, *b.tgt])
    return out


def _align_vectors(
    src, tgt, raw_x, raw_y, windows_from, params, src_paras, tgt_paras, src_counts, tgt_counts
) -> tuple[list[Bead], Found, np.ndarray, np.ndarray]:
    """The monotone alignment from the segments' vectors: beads, the search result and the prepared vectors.

    ``windows_from`` is the encoder that embeds merged windows for the member
    check (None: no check).
    """
    x, y = _prepare(raw_x, params), _prepare(raw_y, params)
    ls, lt = _lengths(src), _lengths(tgt)
    sruns, truns = _runs(src_paras, len(src)), _runs(tgt_paras, len(tgt))
    paragraphs = params.para_first and _informative(sruns) and _informative(truns)
    band = None
    if paragraphs:
        para_spans, para_probs = _align_paragraphs(
            src, tgt, raw_x, raw_y, ls, lt, sruns, truns, params, src_counts, tgt_counts
        )
        if _confident(para_spans, para_probs, sruns, truns):
            band = _para_band(sruns, truns, para_spans, len(src), len(tgt))
    bonus = _informative(sruns) and _informative(truns)  # one line per paragraph says nothing
    cands = candidates(src, tgt) if params.lex_weight > 0 or params.orphan_skip > 0 else None
    anchors = find_anchors(src, tgt, cands) if params.lex_weight > 0 else None
    orph = orphans(src, tgt, cands) if params.orphan_skip > 0 else None
    evidence = {
        "anchors": anchors,
        "src_starts": _starts(sruns, len(src)) if bonus else None,
        "tgt_starts": _starts(truns, len(tgt)) if bonus else None,
        "src_counts": src_counts,
        "tgt_counts": tgt_counts,
        "src_orphans": orph[0] if orph else None,
        "tgt_orphans": orph[1] if orph else None,
    }
    found = search(x, y, ls, lt, params, band=band, **evidence)
    if params.member_weight > 0 and windows_from is not None:
        found = _check_members(found, (src, tgt), (raw_x, raw_y), (x, y), (ls, lt), params, windows_from, evidence)
    return _beads_from_spans(path_to_spans(found.path), found.probs), found, x, y


def _check_members(
    found: Found,
    texts: tuple[Sequence[str], Sequence[str]],
    raw: tuple[np.ndarray, np.ndarray],
    vecs: tuple[np.ndarray, np.ndarray],
    lengths: tuple[np.ndarray, np.ndarray],
    params: AlignParams,
    encoder,
    evidence: dict,
) -> Found:
    """Search again with the merged windows embedded when a chosen merge keeps a member that does not belong.

    See ``_members``: the first pass's one-to-many beads get real window
    embeddings; if one of them loses similarity by its edge member, the search
    runs once more (same band and document model) with that evidence. Nothing
    is embedded when the first pass merged nothing, and the search is not
    repeated when no chosen bead pays: the costs only lower other paths, so the
    path would stay. A merge that only the second search makes is not checked
    again (a third round changed nothing on the development sets).
    """
    (src, tgt), (x, y), (ls, lt) = texts, vecs, lengths
    spans = path_to_spans(found.path)
    need_s, need_t = merge_windows(spans)
    if not need_s and not need_t:
        return found
    wins = WindowVectors()
    mean_s, mean_t = (_side_mean(sc.normalise_rows(np.asarray(r, dtype=np.float32)), params) for r in raw)
    embed_windows(encoder, [(src, need_s, mean_s, wins.src), (tgt, need_t, mean_t, wins.tgt)])
    scale = found.model.sim.mu1 - found.model.sim.mu0 if found.model is not None else 0.0
    if found.model is None or not any(bead_member_cost(s, t, wins, x, y, scale, params) > 0 for s, t in spans):
        return found  # no chosen bead pays: the costs only lower other paths, so the path would stay
    return search(x, y, ls, lt, params, band=found.band, model=found.model, windows=wins, **evidence)


def _para_band(sruns, truns, para_spans, n: int, m: int) -> Band:
    """Sentence band from a paragraph alignment: each paragraph group and its neighbours.

    Row i (i source sentences consumed) may use the target sentences of the
    paragraph groups before, at and after it, so one wrong paragraph bead can
    still be repaired at the sentence level.
    """
    edges = []  # (s0, s1, t0, t1) per paragraph bead, in sentence indices
    s_pos = t_pos = 0
    for s, t in para_spans:
        s1 = sruns[s[-1]][2] if len(s) else s_pos
        t1 = truns[t[-1]][2] if len(t) else t_pos
        edges.append((s_pos, s1, t_pos, t1))
        s_pos, t_pos = s1, t1
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for g, (s0, s1, _t0, _t1) in enumerate(edges):
        prev_t0 = edges[g - 1][2] if g > 0 else 0
        next_t1 = edges[g + 1][3] if g + 1 < len(edges) else m
        lo[s0 : s1 + 1] = np.minimum(lo[s0 : s1 + 1], prev_t0)
        hi[s0 : s1 + 1] = np.maximum(hi[s0 : s1 + 1], next_t1 + 1)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.minimum(np.maximum.accumulate(hi), m + 1)
    lo[0] = 0
    hi[n] = m + 1
    return Band(lo, hi)


def _align_paragraphs(
    src, tgt, raw_x, raw_y, ls, lt, sruns, truns, params: AlignParams, src_counts=None, tgt_counts=None
):
    """Paragraph-level search: a paragraph is the normalised sum of its sentence vectors.

    A paragraph's sentence count is the sum over its segments, so two paragraphs
    merged by the translator show as one holding both's sentences.
    """
    px = _prepare(_group_vectors(raw_x, sruns), params)
    py = _prepare(_group_vectors(raw_y, truns), params)
    pls = np.array([ls[s:e].sum() for _, s, e in sruns])
    plt = np.array([lt[s:e].sum() for _, s, e in truns])
    anchors = None
    if params.lex_weight > 0:
        anchors = find_anchors([" ".join(src[s:e]) for _, s, e in sruns], [" ".join(tgt[s:e]) for _, s, e in truns])

    def per_paragraph(counts, runs):
        return None if counts is None else np.array([counts[s:e].sum() for _, s, e in runs])

    found = search(
        px, py, pls, plt, params, anchors=anchors,
        src_counts=per_paragraph(src_counts, sruns), tgt_counts=per_paragraph(tgt_counts, truns),
    )
    return path_to_spans(found.path), found.probs


def _confident(spans, probs, sruns, truns, min_share: float = _PARA_SURE_SHARE) -> bool:
    """Trust the paragraph alignment when most text sits in sure two-sided paragraph beads."""
    total = sum(e - s for _, s, e in sruns) + sum(e - s for _, s, e in truns)
    sure = 0
    for (s, t), p in zip(spans, probs):
        if len(s) and len(t) and p >= 0.5:
            sure += sum(sruns[k][2] - sruns[k][1] for k in s) + sum(truns[k][2] - truns[k][1] for k in t)
    return total > 0 and sure >= min_share * total


def para_beads_from(beads: Sequence[Bead], src_paras, tgt_paras, ls=None, lt=None) -> list[Bead]:
    """Paragraph beads implied by sentence beads: cut wherever both sides are at a paragraph boundary.

    Each paragraph lands in exactly one paragraph bead and no sentence bead
    crosses one; the score is the length-weighted mean of the sentence beads'.
    """
    if src_paras is None or tgt_paras is None:
        return []
    n, m = len(src_paras), len(tgt_paras)
    sb = _starts(_runs(src_paras, n), n)
    tb = _starts(_runs(tgt_paras, m), m)
    out: list[Bead] = []
    cur: list[Bead] = []
    i = j = 0
    top_s = top_t = -1
    for b in beads:
        cur.append(b)
        i += len(b.src)
        j += len(b.tgt)
        top_s, top_t = max([top_s, *b.src]), max([top_t, *b.tgt])
        # a cut needs segments 0..i-1 and 0..j-1 seen, none missing (a moved pair may come later)
        if sb[i] and tb[j] and top_s == i - 1 and top_t == j - 1:
            out.append(_merge_group(cur, src_paras, tgt_paras, ls, lt))
            cur = []
    if cur:
        out.append(_merge_group(cur, src_paras, tgt_paras, ls, lt))
    return out


def _merge_group(beads: Sequence[Bead], src_paras, tgt_paras, ls, lt) -> Bead:
    # paragraphs in document order (a moved pair may come first in the group)
    sp = tuple(dict.fromkeys(src_paras[k] for k in sorted(k for b in beads for k in b.src)))
    tp = tuple(dict.fromkeys(tgt_paras[k] for k in sorted(k for b in beads for k in b.tgt)))
    w = np.array([
        (sum(ls[k] for k in b.src) if ls is not None else len(b.src)) + (sum(lt[k] for k in b.tgt) if lt is not None else len(b.tgt))
        for b in beads
    ], dtype=np.float64)
    sc_ = np.array([b.score for b in beads])
    score = float((w * sc_).sum() / w.sum()) if w.sum() > 0 else float(sc_.mean())
    return Bead(sp, tp, round(score, 4))


def align_documents(source: Document, target: Document, encoder, *, params: AlignParams | None = None) -> Alignment:
    """Align the content segments of two documents; see the module docstring."""
    params = params or AlignParams()
    src, tgt = source.content, target.content
    beads, para_beads = _align(
        [s.text for s in src],
        [s.text for s in tgt],
        encoder,
        params,
        [s.para for s in src],
        [s.para for s in tgt],
        None,
        None,
        _document_counts(source) if params.count_bonus > 0 else None,
        _document_counts(target) if params.count_bonus > 0 else None,
    )
    model_id = getattr(encoder, "model_id", "unknown")
    return Alignment(
        source=source,
        target=target,
        src=src,
        tgt=tgt,
        beads=tuple(beads),
        model_id=model_id,
        params=params.as_dict(),
        signature=signature(model_id, params),
        para_beads=tuple(para_beads),
    )
