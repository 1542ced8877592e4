"""Paragraphs: the paragraph-first pass, and paragraph beads from sentence beads.

When both documents have paragraphs, paragraphs are aligned first (a
paragraph's vector is the normalised sum of its sentence vectors, its length
and sentence count the sums over its segments); when that alignment is sure,
the sentence search runs in a band around it (``paragraph_band``). After the
sentence search, ``para_beads_from`` cuts the sentence beads into paragraph
beads wherever both sides are at a paragraph boundary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from align.common.model import Bead
from align.core.find import search
from align.core.lexical import anchors_of
from align.core.params import AlignParams
from align.core.search import Band
from align.core.side import Run, Segments, Side, boundaries
from align.core.vectors import normalise_rows, prepare_vectors

__all__ = ["para_beads_from", "paragraph_band"]

# Trust a paragraph alignment when at least this share of the text lies in
# two-sided paragraph beads with posterior >= 0.5; otherwise align sentences
# over the whole document.
_PARA_SURE_SHARE = 0.8

Spans = list[tuple[range, range]]


def paragraph_band(src: Segments, tgt: Segments, params: AlignParams) -> Band | None:
    """The sentence band of a sure paragraph alignment; None when the paragraph alignment is unsure."""
    spans, probs = _align_paragraphs(src, tgt, params)
    if not _confident(spans, probs, src.runs, tgt.runs):
        return None
    return _para_band(src.runs, tgt.runs, spans, len(src), len(tgt))


def _group_vectors(vecs: np.ndarray, runs: Sequence[Run]) -> np.ndarray:
    return normalise_rows(np.stack([vecs[s:e].sum(axis=0) for _, s, e in runs])) if runs else vecs[:0]


def _paragraph_side(seg: Segments, params: AlignParams) -> Side:
    """A side whose units are paragraphs: summed vectors, lengths and sentence counts."""
    counts = None if seg.counts is None else np.array([seg.counts[s:e].sum() for _, s, e in seg.runs])
    return Side(
        prepare_vectors(_group_vectors(seg.raw, seg.runs), params),
        np.array([seg.lengths[s:e].sum() for _, s, e in seg.runs]),
        counts,
    )


def _align_paragraphs(src: Segments, tgt: Segments, params: AlignParams) -> tuple[Spans, list[float]]:
    """Paragraph-level search: a paragraph is the normalised sum of its sentence vectors.

    A paragraph's sentence count is the sum over its segments, so two paragraphs
    merged by the translator show as one holding both's sentences.
    """
    anchors = None
    if params.lex_weight > 0:
        # a paragraph's candidates are its segments' (found once per side; the sentence search reuses them)
        anchors = anchors_of((_paragraph_tokens(src), _paragraph_tokens(tgt)))
    # the paragraph path only places the sentence band (a paragraph of slack each side): coarse-to-fine sooner
    coarse_sooner = dataclasses.replace(params, max_cells=min(params.max_cells, params.para_max_cells))
    found = search(_paragraph_side(src, params), _paragraph_side(tgt, params), coarse_sooner, anchors=anchors)
    return found.spans, found.probs


def _paragraph_tokens(seg: Segments) -> list[set[str]]:
    tokens = seg.tokens
    return [set().union(*tokens[s:e]) for _, s, e in seg.runs]


def _confident(spans: Spans, probs: Sequence[float], sruns: Sequence[Run], truns: Sequence[Run]) -> bool:
    """Trust the paragraph alignment when most text sits in sure two-sided paragraph beads."""
    total = sum(e - s for _, s, e in sruns) + sum(e - s for _, s, e in truns)
    sure = 0
    for (s, t), p in zip(spans, probs):
        if len(s) and len(t) and p >= 0.5:
            sure += sum(sruns[k][2] - sruns[k][1] for k in s) + sum(truns[k][2] - truns[k][1] for k in t)
    return total > 0 and sure >= _PARA_SURE_SHARE * total


def _para_band(sruns: Sequence[Run], truns: Sequence[Run], para_spans: Spans, n: int, m: int) -> Band:
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


def para_beads_from(beads: Sequence[Bead], src: Segments, tgt: Segments) -> list[Bead]:
    """Paragraph beads implied by sentence beads: cut wherever both sides are at a paragraph boundary.

    Each paragraph lands in exactly one paragraph bead and no sentence bead
    crosses one; the score is the length-weighted mean of the sentence beads'.
    None without paragraph ids on both sides.
    """
    if src.paras is None or tgt.paras is None:
        return []
    # plain lists: read an item at a time, numpy's scalars would cost most of the time (same values, same sums)
    sb = boundaries(src.runs, len(src)).tolist()
    tb = boundaries(tgt.runs, len(tgt)).tolist()
    sides = (src.paras, tgt.paras, src.lengths.tolist(), tgt.lengths.tolist())
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
            out.append(_merge_group(cur, sides))
            cur = []
    if cur:
        out.append(_merge_group(cur, sides))
    return out


def _merge_group(beads: Sequence[Bead], sides: tuple[Sequence[int], Sequence[int], list[float], list[float]]) -> Bead:
    """One paragraph bead from the sentence beads of one group; its score weighted by characters.

    ``sides``: each side's paragraph ids and lengths in characters.
    """
    sp, tp, ls, lt = sides
    # paragraphs in document order (a moved pair may come first in the group)
    ps = tuple(dict.fromkeys(sp[k] for k in sorted(k for b in beads for k in b.src)))
    pt = tuple(dict.fromkeys(tp[k] for k in sorted(k for b in beads for k in b.tgt)))
    w = [float(sum(ls[k] for k in b.src) + sum(lt[k] for k in b.tgt)) for b in beads]
    sc_ = [b.score for b in beads]
    return Bead(ps, pt, round(_weighted_mean(w, sc_), 4))


def _weighted_mean(w: list[float], values: list[float]) -> float:
    """``sum(w * values) / sum(w)`` (the plain mean without weight) as numpy computes it, without arrays for short lists.

    Most paragraph groups hold one to a few beads, and numpy adds fewer than
    eight numbers left to right, as Python does: the same result, bit for bit,
    without two small arrays per paragraph (a tenth of a second per thousand).
    """
    if len(w) >= 8:
        wa, va = np.array(w), np.array(values)
        return float((wa * va).sum() / wa.sum()) if wa.sum() > 0 else float(va.mean())
    total = 0.0
    weighted = 0.0
    for x, v in zip(w, values):
        total += x
        weighted += x * v
    if total > 0:
        return weighted / total
    acc = 0.0
    for v in values:
        acc += v
    return acc / len(values)

