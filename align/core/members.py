"""Merge members checked against real embeddings of the merged text.

The search scores a window of several segments by the normalised sum of its
members' vectors, so it never embeds a window. That sum hardly moves when a
short sentence joins a long one, so a sentence the translation left out is
easily absorbed into its neighbour's bead (a 2-1 where the truth is a 1-1 and
an omission). The model itself tells the two apart once it reads the merged
text: a real member brings the window's embedding closer to its translation
than the window without it; an absorbed sentence pulls it away. On NTREX with
synthetic merges and drops, the similarity of the full window minus that of the
window without the edge member, divided by the document's translation-vs-unrelated
scale, is +0.24 for the median real member (at least +0.01 for 95% of them) and
-0.21 for the median absorbed sentence (below -0.15 for 75%). In literary text
(Text+Berg) real members reach -0.12 at the 5th percentile (fragments, captions),
hence a free drop of 0.25 before any cost.

So after a first pass, the windows of its one-to-many beads (and their
sub-windows, so either edge member can be tested) are embedded: a few per cent
of the segments, only where the search chose a merge. A one-to-many bead whose
window has a real embedding costs ``member_weight`` per unit by which removing
an edge member *raises* its normalised similarity beyond ``member_drop``. The
search runs once more only if a chosen bead pays that cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from align.common.products import products
from align.common.text import wide
from align.core.params import AlignParams
from align.core.vectors import TextEncoder, centre, normalise_rows

Window = tuple[int, int]  # (first segment, number of segments)
# segment rows gathered per stacked product in ``_batched_gains``: 12 MB of float64 at 384 dimensions, whatever
# the band (a window of a short document's full band meets every row of the other side)
_GATHER_ROWS = 4096
MemberCells = tuple[np.ndarray, np.ndarray, np.ndarray]  # DP rows, band offsets, costs (sorted by row, then offset)


@dataclass
class WindowVectors:
    """Real embeddings of multi-segment windows, centred like the segments (keys: ``(start, size)``)."""

    src: dict[Window, np.ndarray] = field(default_factory=dict)
    tgt: dict[Window, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.src) + len(self.tgt)


def merge_windows(spans: Iterable[tuple[range, range]]) -> tuple[set[Window], set[Window]]:
    """Windows of the many side of each one-to-many bead, closed under removing an edge member (size >= 2)."""
    out: tuple[set[Window], set[Window]] = (set(), set())
    for s, t in spans:
        if not len(s) or not len(t) or (len(s) == 1) == (len(t) == 1):
            continue
        side, many = (0, s) if len(s) > 1 else (1, t)
        todo = [(many.start, len(many))]
        while todo:
            w = todo.pop()
            if w[1] < 2 or w in out[side]:
                continue
            out[side].add(w)
            todo += [(w[0] + 1, w[1] - 1), (w[0], w[1] - 1)]
    return out


def join_window(parts: Sequence[str]) -> str:
    """A window's text: members joined by a space, or by nothing between two wide (CJK) characters.

    Chinese and Japanese write sentences without a space between them, so a
    space there would be a character the text never has; everywhere else
    (Korean and Thai included, which separate sentences by a space) a space is
    what stands between two sentences.
    """
    out = ""
    for k, part in enumerate(parts):
        if k == 0:
            out = part
            continue
        left, right = out.rstrip(), part.lstrip()
        if left and right and wide(left[-1]) and wide(right[0]):
            out = left + right
        else:
            out += " " + part
    return out


def embed_windows(
    encoder: TextEncoder,
    sides: Sequence[tuple[Sequence[str], Iterable[Window], np.ndarray | None, dict[Window, np.ndarray]]],
) -> int:
    """Embed, in one call, each side's windows not yet in its dict (members joined by ``join_window``).

    ``sides`` holds ``(texts, windows, mean, into)`` per side: ``mean`` is the
    mean unit vector of that side's segments, removed as from the segments'
    own vectors (``vectors.centre``; None when they were not centred), and the
    centred unit vectors land in ``into``. Returns how many windows were embedded.
    """
    todo = [(k, w) for k, (_, windows, _, into) in enumerate(sides) for w in sorted(windows) if w not in into]
    if not todo:
        return 0
    vecs = normalise_rows(encoder.encode([join_window(sides[k][0][w[0] : w[0] + w[1]]) for k, w in todo]))
    side_of = np.array([k for k, _ in todo])
    for k, (_, _, mean, into) in enumerate(sides):
        mine = np.nonzero(side_of == k)[0]
        if len(mine) == 0:
            continue
        # each side's windows centred at once (row by row: the values of one window alone)
        done = vecs[mine] if mean is None else centre(vecs[mine], mean)
        for p, v in zip(mine.tolist(), done):
            into[todo[p][1]] = v
    return len(todo)


def _stack(window: Window, vecs: Mapping[Window, np.ndarray], single: np.ndarray) -> list[np.ndarray] | None:
    """The window's vector and those of the window less its first and less its last member, or None."""
    start, size = window
    v = vecs.get(window)
    if v is None:
        return None
    rows = [v]
    for w in ((start + 1, size - 1), (start, size - 1)):
        u = single[w[0]] if w[1] == 1 else vecs.get(w)
        if u is None:
            return None
        rows.append(u)
    return rows


def _gains(cosines: np.ndarray) -> np.ndarray:
    """Gain from cosines ``[..., 3]`` (the window, less its first member, less its last): keep-all minus the better cut."""
    out: np.ndarray = cosines[..., 0] - np.maximum(cosines[..., 1], cosines[..., 2])
    return out


def member_gain(
    window: Window, vecs: Mapping[Window, np.ndarray], single: np.ndarray, others: np.ndarray
) -> np.ndarray | None:
    """Cosine of the window with each row of ``others`` minus the best cosine of the window without an edge member.

    ``single`` holds the side's (centred) segment vectors, used for
    sub-windows of one segment. None when a needed vector is missing. The
    cosines are ``products`` (float64 sums, one rounding): a row's gain is the
    same whatever the other rows, the machine or its BLAS, so the search
    (``band_member_costs``, many windows at once) and the check of its chosen
    beads (``bead_member_cost``, one) charge a bead alike.
    """
    stack = _stack(window, vecs, single)
    return None if stack is None else _gains(products(others, np.stack(stack, axis=1)))


def band_member_costs(
    types: Sequence[tuple[int, int]],
    windows: WindowVectors,
    vecs: tuple[np.ndarray, np.ndarray],
    band: tuple[np.ndarray, np.ndarray],
    *,
    scale: float,
    params: AlignParams,
) -> dict[int, MemberCells]:
    """Every band cell a one-to-many bead over an embedded window pays a member cost at, per bead type.

    ``vecs`` are the sides' prepared segment vectors, ``band`` the DP band
    ``(lo, hi)`` (row ``i`` holds columns ``lo[i] <= j < hi[i]``). A source
    window ``(s, a)`` ends in DP row ``s + a`` and meets the target segment
    ``j - 1`` in each of its columns ``j``; a target window ``(s, b)`` ends in
    column ``s + b`` and meets the source segment ``i - 1`` of each row ``i``
    holding that column (one run of rows: both ends of the band only grow).
    The windows are walked, not the cells, and their cosines taken many
    windows at a time (``_batched_gains``). Only cells where a bead can end are
    listed (a target segment before it, ``j >= b``), and only non-zero costs:
    a cell not listed keeps its score.
    """
    x, y = vecs
    lo, hi = band
    n = len(lo) - 1
    out: dict[int, MemberCells] = {}
    for t, (a, b) in enumerate(types):
        if (a == 1) == (b == 1):
            continue
        rows_: list[np.ndarray] = []
        offs: list[np.ndarray] = []
        segs: list[np.ndarray] = []
        stacks: list[np.ndarray] = []  # three vectors a window, one after the other
        own, other, wins = (x, y, windows.src) if a > 1 else (y, x, windows.tgt)
        for window in sorted(w for w in wins if w[1] == max(a, b)):
            stack = _stack(window, wins, own)
            if stack is None:
                continue
            end = window[0] + window[1]
            if a > 1:  # the window ends in row ``end``; each of its columns meets target segment j - 1
                if end > n:
                    continue
                cols = np.arange(max(int(lo[end]), b), int(hi[end]))
                rows, off, seg = np.full(len(cols), end), cols - int(lo[end]), cols - 1
            else:  # the window ends in column ``end``; each row holding it meets source segment i - 1
                first = max(int(np.searchsorted(hi, end, side="right")), a)
                rows = np.arange(first, int(np.searchsorted(lo, end, side="right")))
                off, seg = end - lo[rows], rows - 1
            if len(rows):
                rows_.append(rows)
                offs.append(off)
                segs.append(seg)
                stacks += stack
        if not stacks:
            continue
        costs = member_cost(_batched_gains(stacks, segs, other), scale, params)
        at, off_ = np.concatenate(rows_), np.concatenate(offs)
        keep = costs != 0
        order = np.lexsort((off_[keep], at[keep]))
        if len(order):
            out[t] = (at[keep][order], off_[keep][order], costs[keep][order])
    return out


def _batched_gains(stacks: Sequence[np.ndarray], segs: Sequence[np.ndarray], other: np.ndarray) -> np.ndarray:
    """``member_gain`` of window ``k`` (``stacks[3k : 3k + 3]``) against the rows ``other[segs[k]]``, all concatenated.

    Consecutive windows are one stacked product (``_runs``) instead of one
    small product, and its Python, per window. Where their rows overlap (a
    short document's full band: every window meets every row), the run's span
    of rows is multiplied once by all its windows' vectors; elsewhere (a long
    document's narrow band: a window meets a band's width of segments) each
    window's own rows are gathered, padded to the longest of the run. Either
    way the cosines are ``products`` (each a float64 sum rounded once, whatever
    the rows beside it): the values of ``member_gain``.
    """
    out: list[np.ndarray] = []
    for c0, c1 in _runs([len(s) for s in segs]):
        part = segs[c0:c1]
        vs = np.array(stacks[3 * c0 : 3 * c1])  # (3 x windows, dim)
        first, last = min(int(s[0]) for s in part), max(int(s[-1]) for s in part) + 1  # each window's rows ascend
        if last - first <= sum(len(s) for s in part):
            cos = products(other[first:last], vs.T)  # (span, 3 x windows)
            out += [_gains(cos[s - first, 3 * k : 3 * k + 3]) for k, s in enumerate(part)]
            continue
        sizes = np.array([len(s) for s in part])
        at = np.zeros((len(part), int(sizes.max())), dtype=np.int64)
        filled = np.arange(at.shape[1])[None, :] < sizes[:, None]
        at[filled] = np.concatenate(part)
        cos = products(other[at], vs.reshape(len(part), 3, -1).transpose(0, 2, 1))  # (windows, longest, 3)
        out.append(_gains(cos)[filled])
    return np.concatenate(out)


def _runs(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive runs ``[c0, c1)`` of windows whose padded rows (count x the longest) stay within ``_GATHER_ROWS``.

    A run holds one window at least, so a window longer than the bound is a run of its own.
    """
    out: list[tuple[int, int]] = []
    start, longest = 0, 0
    for k, size in enumerate(sizes):
        wider = max(longest, size)
        if k > start and (k - start + 1) * wider > _GATHER_ROWS:
            out.append((start, k))
            start, wider = k, size
        longest = wider
    if start < len(sizes):
        out.append((start, len(sizes)))
    return out


def bead_member_cost(
    src: range, tgt: range, wins: WindowVectors, x: np.ndarray, y: np.ndarray, *, scale: float, params: AlignParams
) -> float:
    """The member cost of one bead (0 unless it is one-to-many over an embedded window).

    ``x``/``y`` are the sides' prepared segment vectors, ``scale`` the
    document's translation-vs-unrelated cosine gap (``mu1 - mu0``).
    """
    if len(src) > 1 and len(tgt) == 1:
        window, vecs, single, others = (src.start, len(src)), wins.src, x, y[tgt.start : tgt.start + 1]
    elif len(tgt) > 1 and len(src) == 1:
        window, vecs, single, others = (tgt.start, len(tgt)), wins.tgt, y, x[src.start : src.start + 1]
    else:
        return 0.0
    gain = member_gain(window, vecs, single, others)
    return 0.0 if gain is None else float(member_cost(gain, scale, params)[0])


def member_cost(gain: np.ndarray, scale: float, params: AlignParams) -> np.ndarray:
    """``member_weight`` per unit of normalised similarity lost beyond ``member_drop``."""
    drop = -np.asarray(gain, dtype=np.float64) / max(scale, 1e-3)
    out: np.ndarray = params.member_weight * np.maximum(drop - params.member_drop, 0.0)
    return out
