"""Sentence and paragraph alignment: segments + encoder -> scored beads.

The search, in short:

1. every segment is embedded once; a window of segments is the normalised sum
   of its members' (centred) vectors, so the search itself embeds no window;
2. a bead ``(a, b)`` (up to 1-4/4-1, 2-2, 2-3/3-2) scores its normalised
   similarity, a Gale-Church length log-likelihood with the length ratio and
   variance of this document pair, a bonus for shared numbers and names scaled
   by the similarity, minus a cost per extra segment; one-sided beads
   (omissions, additions) cost ``skip`` per segment, less for one holding a
   number the other text lacks, and such a segment costs more as a merge
   member (``scores``); a 2-1/1-2... bead whose lone
   segment holds as many sentences as the segments it is paired with earns a
   bonus (a pre-split line or paragraph holding two sentences is evidence that
   the other side split it);
3. a monotone DP finds the best path (``find``, ``search``): exact on short
   documents, in a band around a coarser path on long ones (blocks of 2, 4,
   8... segments, or the paragraph alignment), so time and memory grow linearly;
   the length ratio starts from mutual best matches and is re-estimated
   from the path until the path stops changing (at most ``refine_steps``);
   the cost of leaving a segment out is the pair's own (``scores.skip_for``):
   where many segments match nothing on the other side (a page from another
   version of the story, captions, bylines), leaving one out costs less, so
   a line without counterpart is not glued onto its neighbour's pair;
4. when both documents have paragraphs, paragraphs are aligned first
   (``paragraphs``; paragraph vector = normalised sum of its sentence vectors) and sentences
   are then aligned inside the aligned paragraph groups and their neighbours,
   with a bonus for beads whose paragraph boundaries coincide; if the
   paragraph alignment is unsure, one sentence pass over the whole document;
5. the windows of the one-to-many beads the search chose are then embedded
   as text (a few per cent of the segments); where an edge member makes its
   window less similar to the other side than the window without it, the
   search runs again with that evidence (``members``): a sentence the
   translation left out is otherwise easily absorbed into its neighbour's bead;
6. segments the path left out or merged are paired out of order where the
   evidence is one-sided (``reorder``: mutual best match nearby, as similar
   as a translation, clearly better than where the path had them); the pairs
   become beads marked ``moved`` and the rest is aligned again without them.
   A translation that moved a sentence or caption a few places keeps it. Two
   such lines that share names and say little else (a photo credit and a
   byline of one person) are taken out too, but left unaligned.

Each bead's score is its posterior probability under the same scores
(forward-backward over all paths in the band): the share of the probability
mass of all alignments that contain this bead. It is high where the aligner
had no close alternative, and it is what a user filters a TMX on.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from align.common.model import Alignment, Bead, Document
from align.core.explain import Explained, explained_members
from align.core.find import Found, search, with_posteriors
from align.core.members import WindowVectors, bead_member_cost, embed_windows, merge_windows
from align.core.paragraphs import para_beads_from, paragraph_band
from align.core.params import AlignParams, signature
from align.core.reorder import crossing_pairs, on_names_alone
from align.core.scores import score_matrix
from align.core.search import Band, band_of_kept
from align.core.side import Evidence, Segments
from align.core.vectors import TextEncoder
from align.reading.langid import detect_language
from align.reading.segment import sentence_count

# AlignParams, signature and score_matrix stay importable from here (their home: params, scores)
__all__ = ["AlignParams", "align_documents", "align_segments", "score_matrix", "signature"]

_T = TypeVar("_T")

# the score of a line left unaligned because its only match shared names with it (``reorder.on_names_alone``):
# no search weighed it, and a reviewer may well pair it, so it is neither sure nor unlikely
_APART_SCORE = 0.5


# ------------------------------------------------------------------ entry points


def align_documents(
    source: Document, target: Document, encoder: TextEncoder, *, params: AlignParams | None = None
) -> Alignment:
    """Align the content segments of two documents; see the module docstring."""
    params = params or AlignParams()
    src, tgt = source.content, target.content
    counts_s = _document_counts(source) if params.count_bonus > 0 else None
    counts_t = _document_counts(target) if params.count_bonus > 0 else None
    beads, para_beads = _align(
        _segments([s.text for s in src], encoder, params, paras=[s.para for s in src], counts=counts_s),
        _segments([s.text for s in tgt], encoder, params, paras=[s.para for s in tgt], counts=counts_t),
        params,
        encoder,
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


def align_segments(
    src: list[str],
    tgt: list[str],
    encoder: TextEncoder | None,
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
    (``members``; not done with vectors passed in, which may come from another model). A blank segment
    (empty or whitespace, as a pre-split file's empty line) translates nothing
    and is nothing's translation: it is left out of the search and comes back
    as its own one-sided bead (score 1.0), where the reading order puts it, or
    inside a bead that merges the segments on both sides of it.

    Segments are taken as given (pre-split lines), so one may hold several
    sentences; they are counted with the segmenter of ``src_lang``/``tgt_lang``
    (guessed from the text when not given) for ``params.count_bonus``.
    """
    params = params or AlignParams()
    # windows must come from the model that made the segments' vectors: not checked when vectors are given
    windows_from = encoder if src_vecs is None and tgt_vecs is None else None

    def counts(texts: Sequence[str], lang: str | None) -> np.ndarray | None:
        return _sentence_counts(texts, lang) if params.count_bonus > 0 else None

    keep_s = [k for k, t in enumerate(src) if t.strip()]
    keep_t = [k for k, t in enumerate(tgt) if t.strip()]
    if len(keep_s) == len(src) and len(keep_t) == len(tgt):
        cs, ct = counts(src, src_lang), counts(tgt, tgt_lang)
        beads, _ = _align(
            _segments(src, encoder, params, vecs=src_vecs, paras=src_paras, counts=cs),
            _segments(tgt, encoder, params, vecs=tgt_vecs, paras=tgt_paras, counts=ct),
            params,
            windows_from,
        )
        return beads

    def rows(vecs: np.ndarray | None, keep: list[int]) -> np.ndarray | None:
        return None if vecs is None else np.asarray(vecs)[keep]

    kept_s, kept_t = _pick(src, keep_s), _pick(tgt, keep_t)
    cs, ct = counts(kept_s, src_lang), counts(kept_t, tgt_lang)
    inner, _ = _align(
        _segments(kept_s, encoder, params, vecs=rows(src_vecs, keep_s), paras=_pick_ids(src_paras, keep_s), counts=cs),
        _segments(kept_t, encoder, params, vecs=rows(tgt_vecs, keep_t), paras=_pick_ids(tgt_paras, keep_t), counts=ct),
        params,
        windows_from,
    )
    # a bead over kept segments k and k+1 also covers any blank between them (a merge across an empty line)
    blank = (set(range(len(src))) - set(keep_s), set(range(len(tgt))) - set(keep_t))
    mapped, (blank_s, blank_t) = _mapped_back(inner, (keep_s, keep_t), blank)
    return _with_blanks(mapped, blank_s, blank_t)


# ------------------------------------------------------------------ one document pair


def _align(
    src: Segments, tgt: Segments, params: AlignParams, windows_from: TextEncoder | None
) -> tuple[list[Bead], list[Bead]]:
    """Sentence beads and paragraph beads (over paragraph ids) for one document pair.

    ``windows_from`` is the encoder that embeds merged windows for the member
    check (None: no check). With pairs out of order (``reorder``), the paired
    segments are taken out and the rest is aligned again, from the same
    vectors and in the first search's band less the pairs (the paragraph pass
    or the coarse passes, the longest searches of a long document, are not
    repeated; the document model is estimated again, from the rest); the pairs
    are put in by source position. The first path's posteriors are taken only
    where it stays (no pairs): otherwise its beads go, and so would a forward
    and a backward pass over the whole document.
    """
    band = None  # the sentence band of a sure paragraph alignment, when both sides have paragraphs
    if params.para_first and src.informative and tgt.informative:
        band = paragraph_band(src, tgt, params)
    # with pairs out of order the rest is aligned again and this path's beads go: their posteriors wait
    reorder = params.reorder_window > 0
    found = _align_vectors(src, tgt, params, windows_from, band=band, posteriors=not reorder)
    if reorder and found.model is not None:
        pairs = crossing_pairs(
            found.spans, src.vecs, tgt.vecs, found.model.sim,
            window=params.reorder_window, min_sim=params.reorder_min, margin=params.reorder_margin,
        )
        apart: list[tuple[int, int, float]] = []
        if pairs and params.reorder_own > 0:
            pairs, apart = on_names_alone(pairs, (src.texts, tgt.texts), (src.tokens, tgt.tokens), own=params.reorder_own)
        if pairs or apart:
            found = dataclasses.replace(found, scorer=None)  # its scores are not held while the rest is aligned
            keep_s = sorted(set(range(len(src))) - {i for i, _, _ in pairs + apart})
            keep_t = sorted(set(range(len(tgt))) - {j for _, j, _ in pairs + apart})
            # the first search's band less the pairs: neither the paragraph pass nor the coarse passes run again
            band = band_of_kept(found.band, keep_s, keep_t, len(tgt)) if found.band is not None else None
            # the first round's vectors are not read again: each side's go as soon as its rest is picked
            rest_s = src.pick(keep_s, params)
            src = src.without_vectors()
            rest_t = tgt.pick(keep_t, params)
            tgt = tgt.without_vectors()
            rest = _beads_of(_align_vectors(rest_s, rest_t, params, windows_from, band=band))
            # a line set apart between two segments the rest merged goes into their bead, as a blank line does;
            # the others are each unaligned, where they stand
            apart_ids = ({i for i, _, _ in apart}, {j for _, j, _ in apart})
            mapped, (lone_s, lone_t) = _mapped_back(rest, (keep_s, keep_t), apart_ids)
            beads = _with_moved(mapped, [Bead((i,), (j,), score, moved=True) for i, j, score in pairs])
            beads = _with_blanks(beads, lone_s, lone_t, score=_APART_SCORE)
            return beads, para_beads_from(beads, src, tgt)
    if reorder:  # the path stays: its posteriors now
        found = with_posteriors(found)
    beads = _beads_of(found)
    return beads, para_beads_from(beads, src, tgt)


def _align_vectors(
    src: Segments,
    tgt: Segments,
    params: AlignParams,
    windows_from: TextEncoder | None,
    *,
    band: Band | None = None,
    posteriors: bool = True,
) -> Found:
    """The monotone alignment of two sides: the search result, with each bead's posterior if ``posteriors``.

    The sentence search with the pair's ``Evidence`` (in ``band``, a sure
    paragraph alignment's, when given), then the member check. Each bead's
    posterior is taken once, of the path that stays: the member check's
    second search takes its own, and the first search's are taken only where
    no second search replaces its path (a forward and a backward pass saved
    where one does; one Viterbi pass more where none does, as the training's
    last pass no longer sums the forward scores on the way). Without a member
    check the search takes them itself. Without ``posteriors`` none are taken
    (``find.with_posteriors`` takes them later, from the scorer the result keeps):
    a caller that may align the rest again (``reorder``) takes them only where this path stays.
    """
    explained: Explained = (None, None)
    known = WindowVectors()
    if params.explain_low and params.skip_slope > 0 and windows_from is not None:
        explained, known = explained_members(src, tgt, params, windows_from)
    evidence = Evidence.of(src, tgt, params, explained)
    checker = windows_from if params.member_weight > 0 else None  # the encoder of the member check, if any
    # where the member check may search again, the first path's posteriors wait until it is known to stay
    found = search(evidence.src, evidence.tgt, params, anchors=evidence.anchors, band=band,
                   posteriors=posteriors and checker is None)
    if checker is None:
        return found
    again = _check_members(found, src, tgt, evidence, params=params, encoder=checker, known=known, posteriors=posteriors)
    if again is not None:
        return again
    return with_posteriors(found) if posteriors else found


def _beads_of(found: Found) -> list[Bead]:
    """The beads of a search's path, scored by their posteriors."""
    return _beads_from_spans(found.spans, found.probs)


def _check_members(
    found: Found,
    src: Segments,
    tgt: Segments,
    evidence: Evidence,
    *,
    params: AlignParams,
    encoder: TextEncoder,
    known: WindowVectors | None = None,
    posteriors: bool = True,
) -> Found | None:
    """Search again with the merged windows embedded when a chosen merge keeps a member that does not belong.

    See ``members``: the first pass's one-to-many beads get real window
    embeddings; if one of them loses similarity by its edge member, the search
    runs once more with that evidence (same band, document model and ``Evidence``). Nothing
    is embedded when the first pass merged nothing, and the search is not
    repeated when no chosen bead pays: the costs only lower other paths, so the
    path would stay. A merge that only the second search makes is not checked
    again (a third round changed nothing on the development sets). None
    where the first search's path stands; ``posteriors``: the second search takes its beads' posteriors.
    """
    spans = found.spans
    need_s, need_t = merge_windows(spans)
    if not need_s and not need_t:
        return None
    # windows ``explain`` embedded before the search are not embedded again
    wins = WindowVectors(dict(known.src), dict(known.tgt)) if known is not None else WindowVectors()
    embed_windows(encoder, [(src.texts, need_s, src.mean, wins.src), (tgt.texts, need_t, tgt.mean, wins.tgt)])
    model = found.model
    if model is None:
        return None
    scale = model.sim.mu1 - model.sim.mu0
    if not any(bead_member_cost(s, t, wins, src.vecs, tgt.vecs, scale=scale, params=params) > 0 for s, t in spans):
        return None  # no chosen bead pays: the costs only lower other paths, so the path would stay
    return search(evidence.src, evidence.tgt, params, anchors=evidence.anchors, windows=wins, first=found,
                  posteriors=posteriors)


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


def _beads_from_spans(spans: Sequence[tuple[range, range]], probs: Sequence[float]) -> list[Bead]:
    return [Bead(tuple(s), tuple(t), round(float(p), 4)) for (s, t), p in zip(spans, probs)]


# ------------------------------------------------------------------ sides


def _segments(
    texts: Sequence[str],
    encoder: TextEncoder | None,
    params: AlignParams,
    *,
    vecs: np.ndarray | None = None,
    paras: Sequence[int] | None = None,
    counts: np.ndarray | None = None,
) -> Segments:
    """One side from its texts: vectors as given, else from ``encoder``."""
    return Segments.build(texts, _encode(encoder, texts, vecs), params, paras=paras, counts=counts)


def _encode(encoder: TextEncoder | None, texts: Sequence[str], vecs: np.ndarray | None) -> np.ndarray:
    if vecs is not None:
        return np.asarray(vecs, dtype=np.float32)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if encoder is None:
        raise ValueError("an encoder is needed when no vectors are given")
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


# ------------------------------------------------------------------ blank segments


def _pick(seq: Sequence[_T], keep: list[int]) -> list[_T]:
    """The items of ``seq`` at ``keep``."""
    return [seq[k] for k in keep]


def _pick_ids(seq: Sequence[int] | None, keep: list[int]) -> list[int] | None:
    """The paragraph ids at ``keep`` (None stays None)."""
    return None if seq is None else _pick(seq, keep)


def _span(ix: list[int], blank: set[int]) -> tuple[int, ...]:
    """Indices ``ix`` and the blank indices between two of them (not a moved segment that sat there)."""
    out: list[int] = []
    for a, b in itertools.pairwise(ix):
        out.append(a)
        out.extend(k for k in range(a + 1, b) if k in blank)
    return tuple(out + ix[-1:])


def _mapped_back(
    inner: Sequence[Bead], keep: tuple[list[int], list[int]], left: tuple[set[int], set[int]]
) -> tuple[list[Bead], tuple[list[int], list[int]]]:
    """Beads over the kept segments (``keep``: their old indices) in old indices, and the ``left`` ones no bead took.

    A bead whose segments stand on both sides of a left-out index takes it in
    (``_span``): it would otherwise read after that bead, out of order. What
    stays left out comes back in index order, for ``_with_blanks``.
    """
    keep_s, keep_t = keep
    mapped = [
        Bead(_span([keep_s[k] for k in b.src], left[0]), _span([keep_t[k] for k in b.tgt], left[1]), b.score,
             moved=b.moved)
        for b in inner
    ]
    inside_s = {k for b in mapped for k in b.src}
    inside_t = {k for b in mapped for k in b.tgt}
    return mapped, (sorted(left[0] - inside_s), sorted(left[1] - inside_t))


def _with_blanks(beads: list[Bead], blank_s: list[int], blank_t: list[int], *, score: float = 1.0) -> list[Bead]:
    """``beads`` with a one-sided bead (``score``) for each of ``blank_s``/``blank_t``, before the first bead reading past it."""
    out: list[Bead] = []
    si = ti = 0
    for b in beads:
        if b.moved:  # in source order only: a target line does not read before it
            while si < len(blank_s) and blank_s[si] < b.src[0]:
                out.append(Bead((blank_s[si],), (), score))
                si += 1
            out.append(b)
            continue
        while si < len(blank_s) and b.src and blank_s[si] < b.src[0]:
            out.append(Bead((blank_s[si],), (), score))
            si += 1
        while ti < len(blank_t) and b.tgt and blank_t[ti] < b.tgt[0]:
            out.append(Bead((), (blank_t[ti],), score))
            ti += 1
        out.append(b)
    out.extend(Bead((k,), (), score) for k in blank_s[si:])
    out.extend(Bead((), (k,), score) for k in blank_t[ti:])
    return out
