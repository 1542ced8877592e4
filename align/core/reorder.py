"""Pairs the monotone search cannot make: a sentence or caption the translation moved.

The search (``core.search``) is monotone: bead k+1 starts where bead k ends, on both
sides. A translation that moves a sentence a few places (two sentences
swapped, a photo caption put after its paragraph instead of before, a line of
a scanned page read in another order) leaves it two bad choices: leave the
moved sentence and its translation out (two null beads), or absorb them into a
neighbour's merge (a 1-3 bead holding a stranger). Either way a translation
unit is lost and a neighbour is spoiled.

After the search, ``crossing_pairs`` looks for such pairs among the segments the
path treated as suspect, those in null beads and those on the many side of a
merge, and pairs two of them only when the evidence is one-sided:

* each is the other's most similar segment within ``reorder_window`` segments of
  where the path puts it (mutual best, over *all* segments there, not only the
  suspects);
* they are about as similar as a translation in this document: normalised
  similarity (``SimStats.normalise``: 0 = unrelated text, 1 = the document's
  typical translation) at least ``reorder_min``;
* they are clearly more similar to each other than to the beads they leave:
  by at least ``reorder_margin`` on the same scale, for both of them (a
  segment in a null bead leaves nothing: 0).

The aligner then takes the paired segments out, aligns the rest again (the
neighbours' merges shrink back) and adds each pair as a bead marked
``moved``. The pair's score is its margin, capped at 1: how much better the two
fit each other than where the path had them.

One kind of pair is not made (``on_names_alone``): two lines that share names
or numbers and say little else. A short line's embedding is mostly its names,
so a photo credit ``(Ảnh: Thu Trang/TTXVN)`` is the nearest neighbour of a
byline ``Oleh Thu Trang, 6/12/2025`` and of any other credit of the same
photographer, translation or not; and the path, the only other evidence, had
no place for either. Such lines are still taken out of the rest (they are no
more at home in a neighbour's merge than they were paired), and each is
reported unaligned, an omission or an addition, where it stands (inside a bead
only where the rest merged the two segments around it, as a blank line would be).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.common.products import products
from align.core.lexical import fold, own_letters
from align.core.scores import SimStats
from align.core.vectors import normalise_rows

__all__ = ["crossing_pairs", "on_names_alone"]

Pair = tuple[int, int, float]  # (source index, target index, score)


def _positions(spans: Sequence[tuple[range, range]], side: int) -> np.ndarray:
    """For each segment of ``side`` (0 source, 1 target): where the path is on the other side."""
    other = 1 - side
    n = sum(len(sp[side]) for sp in spans)
    out = np.zeros(n, dtype=np.int64)
    for sp in spans:
        for k in sp[side]:
            out[k] = sp[other].start  # a null bead's other side is empty, starting where the path is
    return out


def _suspects(spans: Sequence[tuple[range, range]], side: int) -> dict[int, int]:
    """Segments in a null bead, or on the many side of a merge -> their bead's index."""
    out: dict[int, int] = {}
    for k, sp in enumerate(spans):
        mine, theirs = sp[side], sp[1 - side]
        if not len(theirs) or len(mine) >= 2:
            for i in mine:
                out[i] = k
    return out


def crossing_pairs(
    spans: Sequence[tuple[range, range]],
    x: np.ndarray,
    y: np.ndarray,
    sim: SimStats,
    *,
    window: int,
    min_sim: float,
    margin: float,
) -> list[Pair]:
    """Out-of-path pairs ``(source index, target index, score)``, in source order.

    ``spans`` is the monotone path; ``x``/``y`` the prepared (unit, centred)
    segment vectors the search used; ``sim`` its similarity statistics. Each
    segment is in at most one pair without any bookkeeping: a source segment
    has one best match, and a target segment accepts only its own best one.
    The cosines are ``products``: a near tie between two candidates goes the
    same way on every machine, whatever the window's length.
    """
    n, m = len(x), len(y)
    if window <= 0 or n == 0 or m == 0:
        return []
    pos_s, pos_t = _positions(spans, 0), _positions(spans, 1)
    sus_s, sus_t = _suspects(spans, 0), _suspects(spans, 1)
    if not sus_s or not sus_t:
        return []

    def fit(vec: np.ndarray, k: int, side: int) -> float:
        """Normalised similarity of a segment to the other side of bead ``k`` (0 for a null bead)."""
        other = spans[k][1 - side]
        if not len(other):
            return 0.0
        rows = (y if side == 0 else x)[other.start:other.stop]
        return float(sim.normalise(products(vec[None, :], normalise_rows(rows.sum(axis=0, keepdims=True)).T)[0, 0]))

    found: list[Pair] = []
    for i, ki in sus_s.items():
        lo, hi = max(0, int(pos_s[i]) - window), min(m, int(pos_s[i]) + window + 1)
        z = sim.normalise(products(y[lo:hi], x[i][:, None])[:, 0])
        j = lo + int(np.argmax(z))
        best = float(z[j - lo])
        kj = sus_t.get(j)
        if kj is None or kj == ki or best < min_sim:
            continue
        lo2, hi2 = max(0, int(pos_t[j]) - window), min(n, int(pos_t[j]) + window + 1)
        if lo2 + int(np.argmax(products(x[lo2:hi2], y[j][:, None])[:, 0])) != i:
            continue  # not mutual
        gap = best - max(fit(x[i], ki, 0), fit(y[j], kj, 1), 0.0)
        if gap < margin:
            continue
        found.append((i, j, round(min(1.0, gap), 4)))
    return found


def on_names_alone(
    pairs: Sequence[Pair],
    texts: tuple[Sequence[str], Sequence[str]],
    tokens: tuple[Sequence[set[str]], Sequence[set[str]]],
    *,
    own: int,
) -> tuple[list[Pair], list[Pair]]:
    """``pairs`` split into those kept and those matched on shared names and numbers alone (see the module).

    A pair is set apart when its two lines share a ``candidate_tokens`` token
    and either line has fewer than ``own`` letters outside the shared tokens
    (``lexical.own_letters``). Lines sharing nothing are not judged here: their
    similarity owes nothing to a name; nor are two lines that read the same
    once folded (``NATO`` and ``NATO``, ``2019`` and ``2019``: a heading or a
    table cell the translation moved). ``own`` 0 keeps every pair.
    """
    if own <= 0:
        return list(pairs), []
    kept: list[Pair] = []
    apart: list[Pair] = []
    for i, j, score in pairs:
        shared = tokens[0][i] & tokens[1][j]
        alone = (
            bool(shared)
            and min(own_letters(texts[0][i], shared), own_letters(texts[1][j], shared)) < own
            and fold(texts[0][i].strip()) != fold(texts[1][j].strip())
        )
        (apart if alone else kept).append((i, j, score))
    return kept, apart
