"""How well a window of source segments matches a window of target segments.

Everything is derived from one vector per segment (embedded once): a window of
several segments is the normalised sum of its members' vectors, so its cosine
with another window is a block sum of segment-level dot products divided by the
two window norms. The raw cosine is then put on a scale that does not depend on
the model (e5 puts almost everything between 0.75 and 0.95):

* vectors are centred per side (the mean vector of a document is mostly the
  model's and the language's common direction; removing it stops windows,
  which are sums, from drifting towards everything);
* ``s = (cos - mu0) / (mu1 - mu0)``, where ``mu0`` is the typical cosine of
  unrelated pairs of this document pair (random pairs) and ``mu1`` that of
  matching ones (the median over source segments of their best cosine), so
  ``s`` is about 0 for unrelated text and about 1 for a typical translation.

The length model is Gale and Church's: target length is about ``c`` times the
source length, with a variance proportional to length; ``c`` and the variance
are estimated from the document pair itself. Its tails are Student-t rather
than Gaussian: real segments carry the odd untranslated caption or a free
rendering, and one such bead must not drag its neighbours out of place.

``WindowScorer`` turns all this into the scores of every bead type for the
cells of the search band, a block of rows at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.common.cores import in_parts
from align.common.products import one_blas_thread, products
from align.core.kernels import bead_scores, column_max, integral_image
from align.core.lexical import Anchors, match_band
from align.core.members import MemberCells, WindowVectors, band_member_costs
from align.core.params import AlignParams
from align.core.search import NEG, Band, BeadType, RowScores, segment_columns
from align.core.side import Side

# Variance factor of the length model before any evidence (Gale-Church's s^2,
# per character, measured about 3.5-4 on news and magazine text), and how many
# confident pairs that prior is worth when the document offers few of its own.
_S2_PRIOR = 4.0
_S2_PRIOR_WEIGHT = 10.0

# below this separation of translations from unrelated text (in spreads), the per-document skip is not estimated
_MIN_SEPARATION = 2.0

# integral images kept for the next passes, at most this many bytes (the rest are made again per pass)
_INTEGRALS_KEPT = 64 * 2**20
# bead scores of one document model kept for every pass that reads them (Viterbi, backward, posteriors), up to
# this many bytes (about 20 MB for 10,000 segments a side); beyond it only the few blocks a pass reads near each other
_SCORES_KEPT = 384 * 2**20

# stand-ins for evidence a pair lacks, typed as the kernels take the real thing (one compiled version)
_NO_LEX = (np.zeros((1, 1)), np.zeros(1), np.zeros(1))
_NO_STARTS = (np.zeros(1, dtype=bool), np.zeros(1, dtype=bool))
_NO_COUNTS = (np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))


def score_matrix(src_vecs: np.ndarray, tgt_vecs: np.ndarray) -> np.ndarray:
    """Plain cosine matrix (n, m) of L2-normalised vectors, for plots of small documents."""
    a = np.asarray(src_vecs, dtype=np.float32)
    b = np.asarray(tgt_vecs, dtype=np.float32)
    if a.size == 0 or b.size == 0:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    return a @ b.T


def window_sq_norms(vecs: np.ndarray, max_k: int) -> np.ndarray:
    """``out[k, i]`` = squared norm of ``vecs[i-k:i].sum()`` for window sizes 1..max_k.

    Only dot products of segments at most ``max_k - 1`` apart are needed, so
    this is linear in the number of segments. Invalid windows (i < k) are 1.
    """
    n = len(vecs)
    out = np.ones((max_k + 1, n + 1), dtype=np.float64)
    if n == 0:
        return out
    # max(.., 0): with windows longer than the side, ``vecs[: n - d]`` would count from the end
    near = [np.einsum("ij,ij->i", vecs[: max(n - d, 0)], vecs[d:]).astype(np.float64) for d in range(max_k)]
    for k in range(1, max_k + 1):
        # sum over pairs inside the window ending at i: diag terms + 2 * off-diagonal terms
        tot = np.zeros(n + 1, dtype=np.float64)
        for d in range(k):
            # pairs (p, p+d) with i-k <= p and p+d < i
            c = np.concatenate([[0.0], np.cumsum(near[d])])  # c[q] = sum near[d][:q]
            ends = np.arange(k, n + 1)
            hi = ends - d
            lo = ends - k
            tot[k:] += (1.0 if d == 0 else 2.0) * (c[hi] - c[lo])
        out[k, k:] = np.maximum(tot[k:], 1e-12)
    return out


# rows per thread below which a block of bead scores is not shared (a thread's hand-off costs about 20 microseconds,
# a row of a 25-cell band with 10 bead types about 12)
_MIN_PART_ROWS = 16


@dataclass(frozen=True)
class SimStats:
    """Where unrelated (``mu0``, spread ``sd0``) and matching (``mu1``) cosines lie."""

    mu0: float
    sd0: float
    mu1: float

    def normalise(self, cos: np.ndarray) -> np.ndarray:
        return (cos - self.mu0) / max(self.mu1 - self.mu0, 1e-3)

    @property
    def separation(self) -> float:
        """``(mu1 - mu0) / sd0``: how many spreads apart a translation and unrelated text are."""
        return (self.mu1 - self.mu0) / max(self.sd0, 1e-3)


def background_stats(x: np.ndarray, y: np.ndarray, samples: int = 4096) -> tuple[float, float]:
    """Median and robust spread of the cosines of random pairs (deterministic sample).

    Translations are at most one pair in ``min(n, m)``, so the median of random
    pairs is the cosine of unrelated text.
    """
    n, m = len(x), len(y)
    if n * m <= samples:
        c = (x @ y.T).ravel()
    else:
        rng = np.random.default_rng(12345)
        i = rng.integers(0, n, samples)
        j = rng.integers(0, m, samples)
        c = np.einsum("ij,ij->i", x[i], y[j])
    c = c.astype(np.float64)
    med = float(np.median(c))
    mad = float(np.median(np.abs(c - med))) * 1.4826
    return med, max(mad, 1e-3)


@dataclass(frozen=True)
class LengthModel:
    """Gale-Church: ``lt ~ c * ls`` with variance ``s2 * (ls + lt / c) / 2`` (characters).

    ``tail`` is the Student-t degrees of freedom of the deviation (1 = Cauchy),
    0 for a Gaussian.
    """

    c: float
    s2: float
    tail: float = 1.0

    def delta(self, ls: np.ndarray, lt: np.ndarray) -> np.ndarray:
        mean_len = (ls + lt / self.c) / 2.0
        return (lt - self.c * ls) / np.sqrt(self.s2 * np.maximum(mean_len, 1.0))

    def loglik(self, ls: np.ndarray, lt: np.ndarray) -> np.ndarray:
        """Log-likelihood of a bead's lengths, 0 for a perfect ratio."""
        d = self.delta(ls, lt)
        out: np.ndarray
        if self.tail <= 0:
            out = -0.5 * d * d
        else:
            out = -0.5 * (self.tail + 1.0) * np.log1p(d * d / self.tail)
        return out


def length_ratio(src_lens: np.ndarray, tgt_lens: np.ndarray) -> float:
    """Target characters per source character over the whole document pair."""
    ts, tt = float(np.sum(src_lens)), float(np.sum(tgt_lens))
    if ts <= 0 or tt <= 0:
        return 1.0
    return tt / ts


class BandMatrix:
    """Segment-level values (cosines, anchor matches) inside a band, one row per source segment.

    Row ``r`` holds columns ``start[r] .. end[r] - 1``; memory is ``n * width``,
    never ``n * m`` unless the band is the full matrix.
    """

    def __init__(self, values: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        self.values = values
        self.start = start
        self.end = end

    @classmethod
    def cosines(cls, x: np.ndarray, y: np.ndarray, start: np.ndarray, end: np.ndarray, block: int = 64) -> BandMatrix:
        """Dot products of ``x[r]`` with ``y[start[r]:end[r]]``, computed ``block`` rows at a time.

        Summed in float64 and rounded once (``common.products``): the block size
        (small, so that a narrow band does not multiply a wide rectangle), the
        CPU and its BLAS threads do not change the values; on one BLAS thread,
        as the products are many and small.
        """
        n = len(x)
        width = int(np.max(end - start)) if n else 0
        vals = np.zeros((n, max(width, 1)), dtype=np.float32)
        with one_blas_thread():
            for r0 in range(0, n, block):
                r1 = min(n, r0 + block)
                cmin, cmax = int(start[r0:r1].min()), int(end[r0:r1].max())
                if cmax <= cmin:
                    continue
                prod = products(x[r0:r1], y[cmin:cmax].T)
                # row r takes prod[r - r0, start[r] - cmin : end[r] - cmin], left-aligned (one gather per block)
                k = np.arange(vals.shape[1])[None, :]
                inside = k < (end[r0:r1] - start[r0:r1])[:, None]
                cols = np.minimum(start[r0:r1, None] - cmin + k, cmax - cmin - 1)
                vals[r0:r1] = np.where(inside, prod[np.arange(r1 - r0)[:, None], cols], 0.0)
        return cls(vals, start, end)

    def masked(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values with -inf outside the band, the inside mask)``, both in band layout."""
        inside = np.arange(self.values.shape[1])[None, :] < (self.end - self.start)[:, None]
        return np.where(inside, self.values, -np.inf), inside

    def row_max(self) -> np.ndarray:
        """Per source segment, its best value in the band (-inf where the row is empty)."""
        if len(self.start) == 0:
            return np.zeros(0)
        out: np.ndarray = self.masked()[0].max(axis=1)
        return out

    def col_max(self, m: int) -> np.ndarray:
        """Per target segment (``m`` of them), its best value in the band (-inf where the column is empty)."""
        out: np.ndarray = column_max(self.values, self.start, self.end, m)
        return out

    def integral(self, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Integral image (float64) of the values of segment rows [r0, r1) and columns [c0, c1).

        ``I[p, q]`` is the sum over rows ``< r0 + p`` and columns ``< c0 + q``, so the sum
        of any window is four lookups.
        """
        out: np.ndarray = integral_image(self.values, self.start, self.end, (r0, r1, c0, c1))
        return out


# ------------------------------------------------------------------ document model


@dataclass(frozen=True)
class DocModel:
    """What the bead scores need to know about a document pair, estimated from it."""

    sim: SimStats
    length: LengthModel
    skip: float = 4.0  # cost of leaving a segment out, for this pair (``skip_for``)


def estimate_model(
    src: Side, tgt: Side, cos: BandMatrix, tail: float = 1.0, params: AlignParams | None = None
) -> DocModel:
    """Similarity statistics from the cosines inside the search band; a first length ratio.

    ``mu1`` is the median over source segments of their best cosine in the band
    (most segments have their translation there); the length ratio comes from
    mutual best matches (``mutual_length_ratio``) and is refined after a first
    pass (``refine_model``), which also measures the variance.
    """
    mu0, sd0 = background_stats(src.vecs, tgt.vecs)
    best = cos.row_max()
    ok = np.isfinite(best)
    mu1 = float(np.median(best[ok])) if ok.any() else mu0 + 4 * sd0
    mu1 = max(mu1, mu0 + sd0)
    ls, lt = src.lengths, tgt.lengths
    c = mutual_length_ratio(cos, ls, lt, mu0 + 0.5 * (mu1 - mu0), default=length_ratio(ls, lt))
    sim = SimStats(mu0, sd0, mu1)
    skip = skip_for(cos, sim, params, (src.explained, tgt.explained)) if params is not None else AlignParams().skip
    return DocModel(sim, LengthModel(c, _S2_PRIOR, tail), skip)


def skip_for(
    cos: BandMatrix, sim: SimStats, params: AlignParams, explained: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
) -> float:
    """The cost of leaving a segment out, lowered for a pair where many segments have no counterpart.

    A segment whose best normalised similarity to any segment of the other
    side stays below ``skip_theta`` probably has no counterpart. Their share
    (both sides, shrunk towards ``skip_rate`` with the weight of
    ``skip_prior`` segments; a segment a joined window explains, ``explain``,
    is not counted) says how often this pair leaves something out;
    the cost of a skip falls by ``skip_slope`` per unit of log of that share
    over ``skip_rate``, never below ``skip_min`` nor above ``skip``. Where
    translations hardly stand out from unrelated text (``SimStats.separation``
    below ``_MIN_SEPARATION``: a weak model, a pair of repeated sentences) a
    low best match says nothing, and the skip stays fixed.
    """
    if params.skip_slope <= 0 or sim.separation < _MIN_SEPARATION:
        return params.skip
    n = len(cos.start)
    m = int(cos.end.max()) if n else 0
    if n == 0 or m == 0:
        return params.skip
    best = np.concatenate([cos.row_max(), cos.col_max(m)])
    known = np.concatenate([
        np.zeros(n, dtype=bool) if explained[0] is None else np.asarray(explained[0], dtype=bool),
        np.zeros(m, dtype=bool) if explained[1] is None else np.asarray(explained[1], dtype=bool),
    ])
    keep = np.isfinite(best)
    best, known = best[keep], known[keep]
    low = float(np.sum((sim.normalise(best) < params.skip_theta) & ~known))
    rate = (low + params.skip_prior * params.skip_rate) / (len(best) + params.skip_prior)
    drop = params.skip_slope * max(np.log(rate / params.skip_rate), 0.0)
    return float(max(params.skip - drop, min(params.skip_min, params.skip)))


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at which half of the total weight lies below."""
    order = np.argsort(values, kind="stable")
    v = np.asarray(values, dtype=np.float64)[order]
    cw = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[min(int(np.searchsorted(cw, 0.5 * cw[-1])), len(v) - 1)])


def mutual_length_ratio(
    cos: BandMatrix, ls: np.ndarray, lt: np.ndarray, threshold: float, default: float, min_pairs: int = 3
) -> float:
    """Length ratio of segment pairs that are each other's best match, before any search.

    The ratio of the whole texts is biased by whatever one side leaves out (in a
    twenty-sentence story, one dropped sentence shifts it by 5%, and a biased
    ratio then makes the search absorb the dropped sentence into its
    neighbour's bead, which the first-pass re-estimate cannot undo). Mutual best
    matches above ``threshold`` are almost all true 1-1 pairs; a merge among
    them is an outlier that the length-weighted median ignores.
    """
    n, m = len(cos.start), len(lt)
    if n == 0 or m == 0:
        return default
    vals, _ = cos.masked()
    cols = np.minimum(cos.start[:, None] + np.arange(cos.values.shape[1])[None, :], m - 1)
    best = np.argmax(vals, axis=1)
    bval = vals[np.arange(n), best]
    bcol = cols[np.arange(n), best]
    colmax = cos.col_max(m)
    mutual = np.isfinite(bval) & (bval >= threshold) & (bval >= colmax[bcol])
    if int(mutual.sum()) < min_pairs:
        return default
    a, b = ls[mutual], lt[bcol[mutual]]
    return weighted_median(b / np.maximum(a, 1.0), a + b)


def _span_sums(values: np.ndarray, spans: Sequence[range]) -> np.ndarray:
    """``values[s].sum()`` for each (non-empty) range ``s``, in one pass: added in order, as ``sum`` adds a short span."""
    size = np.fromiter((len(r) for r in spans), dtype=np.int64, count=len(spans))
    start = np.fromiter((r.start for r in spans), dtype=np.int64, count=len(spans))
    offsets = np.cumsum(size) - size
    members = np.repeat(start - offsets, size) + np.arange(int(size.sum()))
    out: np.ndarray = np.add.reduceat(np.asarray(values, dtype=np.float64)[members], offsets)
    return out


def refine_model(model: DocModel, spans: Sequence[tuple[range, range]], src: Side, tgt: Side) -> DocModel:
    """Length ratio and variance re-estimated from the two-sided beads of a first pass.

    One step of Viterbi training: the ratio of the whole texts is biased when
    the translation leaves something out (in a five-sentence story one missing
    sentence is a fifth of the text), the ratio over aligned beads is not. The
    variance (median of ``delta^2``; 0.455 for a standard normal) is shrunk
    towards the prior when the beads are few.
    """
    pairs = [(s, t) for s, t in spans if len(s) and len(t)]
    if len(pairs) < 3:
        return model
    bs = _span_sums(src.lengths, [s for s, _ in pairs])
    bt = _span_sums(tgt.lengths, [t for _, t in pairs])
    c = float(bt.sum() / max(bs.sum(), 1.0))
    d = LengthModel(c, 1.0).delta(bs, bt)
    own = float(np.median(d * d)) / 0.455
    k = len(pairs)
    s2 = (k * own + _S2_PRIOR_WEIGHT * _S2_PRIOR) / (k + _S2_PRIOR_WEIGHT)
    return DocModel(model.sim, LengthModel(c, max(s2, 0.1), model.length.tail), model.skip)


# ------------------------------------------------------------------ bead scores


def _cumulated(counts: np.ndarray) -> np.ndarray:
    """Sentences (or orphans) before segment k (int64, as the score kernel takes them)."""
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


class WindowScorer:
    """Bead scores for the DP (a ``RowSource``), computed for blocks of rows at once.

    A bead ``(a, b)`` ending at ``(i, j)`` scores::

        sim_weight * (s - sim_offset) + len_weight * loglik(lengths)
          - merge * (a + b - 2) - merge_big * max(a + b - 3, 0)
          + lex_weight * dice(anchors) * clip(s, 0, 1) + para_bonus / 2 * (boundaries shared)
          + count_bonus * (one side a single segment, the other several, same number of sentences)
          - orphan_merge * (segments on a many side holding a number or URL the other text lacks)
          - member cost (one-to-many beads over an embedded window, ``members``)

    where ``s`` is the normalised cosine of the two windows; one-sided steps
    cost ``skip``, or ``skip - orphan_skip`` for a segment holding a number or
    URL that the other text lacks (an orphan: most likely a line the translator
    left out or the page added, such as a byline with its date; as a merge
    member it costs ``orphan_merge`` more, so it is not glued onto a pair). A window cosine is a block sum of the banded
    segment cosines (an integral image per block of rows) over the two window
    norms, so the search embeds no window. Each bonus or cost needs its
    evidence on both sides (``Side``): the sentence counts (``Side.counts``) matter
    where a segment may hold several (pre-split lines, paragraphs): a line
    holding two sentences paired with two lines is what a split or merge looks
    like. With ``windows`` (real embeddings of windows a first pass merged), a
    one-to-many bead over such a window also pays the member cost of ``members``.
    Without a ``model`` the document model is estimated from the band's cosines;
    ``types`` defaults to ``params.bead_types()``.
    """

    # rows per block of scores: each block is a round trip through Python (row steps, scores, kernel parts), so
    # blocks are large: 64 rows cost 0.1 s more at 10,000 segments a side, 512 no less (bench_core). A block's
    # window sums come from its own integral image, float64 sums of float32 cosines: exact unless a cosine is tiny
    # beside the sum, so 256 rows changed no bead and no score of the 64 before (488 dev documents, the benchmark's
    # 2k/10k/50k inputs; tests/core/test_aligner.py)
    block_rows = 256

    def __init__(
        self,
        src: Side,
        tgt: Side,
        band: Band,
        params: AlignParams,
        *,
        types: Sequence[BeadType] | None = None,
        anchors: Anchors | None = None,
        model: DocModel | None = None,
        windows: WindowVectors | None = None,
    ) -> None:
        x, y = src.vecs, tgt.vecs
        self.n, self.m = len(x), len(y)
        self.x, self.y = x, y
        self.band = band
        self.params = params
        self.types = list(types if types is not None else params.bead_types())
        self.max_a = max(a for a, _ in self.types)
        self.max_b = max(b for _, b in self.types)
        start, end = segment_columns(band, self.m, self.max_a, self.max_b)
        self.cos = BandMatrix.cosines(x, y, start, end)
        self._model = model or estimate_model(src, tgt, self.cos, params.len_tail, params)
        self.nx = window_sq_norms(x, self.max_a)
        self.ny = window_sq_norms(y, self.max_b)
        self.cls = np.concatenate([[0.0], np.cumsum(src.lengths, dtype=np.float64)])
        self.clt = np.concatenate([[0.0], np.cumsum(tgt.lengths, dtype=np.float64)])
        # shared anchor weight in the band, and each side's anchor weight before segment k
        self.lex: tuple[BandMatrix, np.ndarray, np.ndarray] | None = None
        if anchors is not None and params.lex_weight > 0 and not anchors.empty:
            tx, ty = anchors.totals()
            self.lex = (
                BandMatrix(match_band(anchors, start, end, self.cos.values.shape[1]), start, end),
                np.concatenate([[0.0], np.cumsum(tx)]),
                np.concatenate([[0.0], np.cumsum(ty)]),
            )
        # (n + 1,) and (m + 1,): a paragraph starts before segment k
        self.starts: tuple[np.ndarray, np.ndarray] | None = None
        if src.starts is not None and tgt.starts is not None and params.para_bonus > 0:
            self.starts = (np.ascontiguousarray(src.starts, dtype=bool), np.ascontiguousarray(tgt.starts, dtype=bool))
        # sentences before segment k, per side
        self.counts: tuple[np.ndarray, np.ndarray] | None = None
        if src.counts is not None and tgt.counts is not None and params.count_bonus > 0:
            self.counts = (_cumulated(src.counts), _cumulated(tgt.counts))
        # one-sided step scores when they differ per segment: a deletion ending in DP row i leaves out
        # source segment i-1, an insertion ending in column j target segment j-1 (index 0: never used)
        # orphans before segment k, per side: a merge pays ``orphan_merge`` for each member holding one
        self.orphans: tuple[np.ndarray, np.ndarray] | None = None
        if src.orphans is not None and tgt.orphans is not None and params.orphan_merge > 0:
            self.orphans = (_cumulated(src.orphans), _cumulated(tgt.orphans))
        self.steps: tuple[np.ndarray, np.ndarray] | None = None
        if src.orphans is not None and tgt.orphans is not None and params.orphan_skip > 0:
            skip = self._model.skip
            cost_s = skip - params.orphan_skip * skip / params.skip * np.asarray(src.orphans, dtype=np.float64)
            cost_t = skip - params.orphan_skip * skip / params.skip * np.asarray(tgt.orphans, dtype=np.float64)
            self.steps = (-np.concatenate([[skip], cost_s]), -np.concatenate([[skip], cost_t]))
        self.windows = windows if windows and params.member_weight > 0 else None
        self._cache: dict[int, np.ndarray] = {}
        self._keep_all = len(self.types) * (self.n + 1) * max(band.width, 1) * 8 <= _SCORES_KEPT
        self._store: np.ndarray | None = None  # the kept blocks, one array (blocks, T, block_rows, width)
        self._members: dict[int, MemberCells] | None = None  # the cells paying a member cost (``_member_cells``)
        self._base: WindowScorer | None = None  # the scorer whose scores this one's are, less member costs
        self._steps_band: tuple[np.ndarray, np.ndarray] | None = None
        # integral images per block: they do not depend on the document model, so every pass reuses them
        self._integrals: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._integral_bytes = 0
        self._lo = np.ascontiguousarray(band.lo, dtype=np.int64)
        self._hi = np.ascontiguousarray(band.hi, dtype=np.int64)
        self._A = np.array([a for a, _ in self.types], dtype=np.int64)
        self._B = np.array([b for _, b in self.types], dtype=np.int64)

    @property
    def keeps_all(self) -> bool:
        """Whether every block's scores are kept for the next passes (``_SCORES_KEPT``)."""
        return self._keep_all

    @property
    def model(self) -> DocModel:
        return self._model

    @model.setter
    def model(self, value: DocModel) -> None:
        self._model = value
        self._cache.clear()
        self._members = None  # the member costs are on the model's similarity scale

    def with_windows(self, windows: WindowVectors) -> WindowScorer:
        """The same scores less the member costs of ``windows`` (the member check's second search).

        Same sides, band, bead types and document model: the cells' scores are
        this scorer's (kept, not computed again); only the one-to-many beads over
        an embedded window pay their member cost on top. Where this scorer
        keeps every block (``complete``), the new one takes the blocks over and
        subtracts the costs in place, once: its passes then only read kept
        scores (no copy per block and pass, and the backward sums can run beside
        the forward pass); this scorer is left without kept blocks (a later read
        computes them again). Otherwise each block is this scorer's copied, less
        the costs, in every pass.
        """
        other = copy.copy(self)
        other.windows = windows if windows and self.params.member_weight > 0 else None
        other._cache = {}
        other._store = None
        other._base = self
        # its blocks are the base's plus a few costs: made again per pass, not kept (the costs are, ``_member_cells``)
        other._keep_all = False
        other._members = None
        if self.complete:
            other._base, other._keep_all, other._store = None, True, self._store
            for blk, out in sorted(self._cache.items()):
                r0 = blk * self.block_rows
                other._cache[blk] = other._less_costs(out, r0, np.arange(max(r0, 1), r0 + out.shape[1]))
            self._cache, self._store = {}, None
        return other

    @property
    def complete(self) -> bool:
        """Whether every block's scores are kept now (the passes only read them)."""
        return self._keep_all and len(self._cache) == -(-(self.n + 1) // self.block_rows)

    def _scores(self, blk: int) -> np.ndarray:
        """The scores of block ``blk`` (rows ``blk * block_rows ..``), computed once while the passes need them.

        All blocks are kept while they fit in ``_SCORES_KEPT`` (the last Viterbi
        pass, the backward pass and the posteriors read the same scores), else
        the three most recent (a pass only looks a few rows away).
        """
        got = self._cache.get(blk)
        if got is None:
            size = self.block_rows
            r0, r1 = blk * size, min(self.n + 1, (blk + 1) * size)
            shape = (len(self.types), r1 - r0, self.band.width)
            if not self._keep_all:
                if len(self._cache) >= 3:
                    self._cache.pop(next(iter(self._cache)))
                out = np.empty(shape)
            elif r1 - r0 < size:  # the last, short block: its own array (a view would not be contiguous)
                out = np.empty(shape)
            else:
                # one array for all blocks, kept across the refine passes: allocated once (and given back to the
                # system in one piece), not a few hundred block-sized pieces per pass
                if self._store is None:
                    self._store = np.empty(((self.n + 1) // size, *shape))
                out = self._store[blk]
            got = self._cache[blk] = self._block(r0, r1, out)
        return got

    def row(self, i: int) -> RowScores:
        """``(scores[T, width of row i], deletions, insertions)``; ``None`` for the constant skip."""
        blk = i // self.block_rows
        L = int(self.band.hi[i] - self.band.lo[i])
        S = self._scores(blk)[:, i - blk * self.block_rows, :L]
        if self.steps is None:
            return S, None, None
        dele, ins = self.steps
        lo = int(self.band.lo[i])
        return S, np.broadcast_to(dele[i], (L,)), ins[lo : lo + L]  # read-only views, no copies

    def rows(self, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Rows ``[r0, r1)`` at once, band layout: ``(S[T, r1 - r0, width], dele, ins)``, full width.

        ``dele``/``ins`` are ``(r1 - r0, width)`` or ``None`` for the constant
        skip. A range that is one block is that block itself (no copy).
        """
        size = self.block_rows
        first, last = r0 // size, (r1 - 1) // size
        parts = [self._scores(b) for b in range(first, last + 1)]
        S = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        S = S[:, r0 - first * size : r1 - first * size]
        if self.steps is None:
            return S, None, None
        if self._steps_band is None:  # the one-sided steps in band layout, laid out once for every pass
            dele, ins = self.steps
            width = self.band.width
            cols = np.minimum(self.band.lo[:, None] + np.arange(width)[None, :], self.m)
            self._steps_band = (np.repeat(dele[:, None], width, axis=1), ins[cols])
        dele_band, ins_band = self._steps_band
        return S, dele_band[r0:r1], ins_band[r0:r1]

    def bead_score(self, i: int, j: int, a: int, b: int) -> float:
        """The score of the bead of type (a, b) ending at DP cell (i, j)."""
        S, _, _ = self.row(i)
        return float(S[self.types.index((a, b)), j - int(self.band.lo[i])])

    def _block(self, r0: int, r1: int, out: np.ndarray | None = None) -> np.ndarray:
        """Scores of all bead types for DP rows [r0, r1), into ``out`` (T, r1 - r0, width): NEG where impossible.

        The cells are computed by ``kernels.bead_scores`` (or are the base
        scorer's); the member costs (found once per model, ``_member_cells``) are
        subtracted here.
        """
        band = self.band
        width = band.width
        rows = np.arange(max(r0, 1), r1)
        if out is None:
            out = np.empty((len(self.types), r1 - r0, width))
        if self._base is not None:
            np.copyto(out, self._base._scores(r0 // self.block_rows))
        else:
            out.fill(NEG)
            if len(rows):
                self._fill(out, r0, rows)
        return self._less_costs(out, r0, rows)

    def _less_costs(self, out: np.ndarray, r0: int, rows: np.ndarray) -> np.ndarray:
        """``out`` (the block from row ``r0``) less the member costs of its ``rows``, in place.

        Only the cells that pay a cost change (each is listed once); every other cell keeps its score.
        """
        if len(rows) and self.windows is not None:
            for t, (at, offs, costs) in self._member_cells().items():
                first, last = np.searchsorted(at, [int(rows[0]), int(rows[-1]) + 1])
                if last > first:
                    out[t, at[first:last] - r0, offs[first:last]] -= costs[first:last]
        return out

    def _member_cells(self) -> dict[int, MemberCells]:
        """Per bead type, the cells paying a member cost (``members.band_member_costs``), found once per model.

        They do not change between passes, only with the model's similarity
        scale; stacked products over the embedded windows, not a look-up per row and block.
        """
        if self._members is None:
            assert self.windows is not None  # read by ``_less_costs`` only where there are windows
            scale = self._model.sim.mu1 - self._model.sim.mu0
            self._members = band_member_costs(
                self.types, self.windows, (self.x, self.y), (self._lo, self._hi), scale=scale, params=self.params
            )
        return self._members

    def _fill(self, out: np.ndarray, r0: int, rows: np.ndarray) -> None:
        """The cells of DP ``rows`` (the block from row ``r0``, less row 0) by ``kernels.bead_scores``, into ``out``."""
        p = self.params
        band = self.band
        r1 = int(rows[-1]) + 1
        lo, hi = band.lo[rows], band.hi[rows]
        seg0 = max(0, int(rows[0]) - self.max_a)  # first segment row any window uses
        seg1 = int(rows[-1])  # windows use segments < i
        c0 = max(0, int(lo.min()) - self.max_b)
        c1 = min(self.m, int(hi.max()))
        lex = self.lex
        I, IL = self._integrals.get((r0, r1)) or (
            self.cos.integral(seg0, seg1, c0, c1),
            lex[0].integral(seg0, seg1, c0, c1) if lex is not None else _NO_LEX[0],
        )
        if self._integral_bytes + I.nbytes + IL.nbytes <= _INTEGRALS_KEPT and (r0, r1) not in self._integrals:
            self._integrals[r0, r1] = (I, IL)
            self._integral_bytes += I.nbytes + IL.nbytes
        cax, cay = (lex[1], lex[2]) if lex is not None else _NO_LEX[1:]
        sim, length = self._model.sim, self._model.length
        sb, tb = self.starts if self.starts is not None else _NO_STARTS
        ccs, cct = self.counts if self.counts is not None else _NO_COUNTS
        orph_s, orph_t = self.orphans if self.orphans is not None else _NO_COUNTS
        weights = (
            float(sim.mu0), float(max(sim.mu1 - sim.mu0, 1e-3)), float(length.c), float(length.s2), float(length.tail),
            float(p.sim_weight), float(p.sim_offset), float(p.len_weight), float(p.merge), float(p.merge_big),
            float(p.lex_weight), float(0.5 * p.para_bonus), float(p.count_bonus),
            float(p.low_sim), float(p.low_weight), float(p.orphan_merge),
        )
        rest = (
            (I, IL, self.nx, self.ny, self.cls, self.clt, cax, cay),
            (sb, tb, ccs, cct, orph_s, orph_t),
            weights,
            (lex is not None, self.starts is not None, self.counts is not None, self.orphans is not None),
        )
        # the kernel runs without the GIL and each part writes its own rows: the values of one call, on every core
        in_parts(
            lambda ra, rb: bead_scores(out, (self._lo, self._hi, self._A, self._B, r0, ra, rb, seg0, c0, self.m), *rest),
            (int(rows[0]), r1),
            _MIN_PART_ROWS,
        )
