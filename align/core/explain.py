"""Which segments that match nothing on their own are a merge member, by the embedding of their joined text.

The per-document skip cost (``scores.skip_for``) counts the segments whose best
similarity to any segment of the other side is low: in a pair built from two
versions of a story, or with captions and bylines, those have no counterpart.
But a segment the translator merged with its neighbour (two source sentences,
one target sentence; a paragraph split in two) also matches nothing on its
own, and counting it would make leaving it out look cheap. The model tells
them apart once it reads the joined text: a real member brings the window with
its neighbour closer to the neighbour's counterpart; a caption, a byline or a
paragraph of another version does not. So for each such segment the windows
with each neighbour that has a match of its own are embedded, and the segment
counts as explained when a window beats its neighbour alone.
"""

from __future__ import annotations

import numpy as np

from align.core.members import WindowVectors, embed_windows
from align.core.params import AlignParams
from align.core.scores import SimStats, background_stats
from align.core.side import Segments
from align.core.vectors import TextEncoder

__all__ = ["explained_members"]


Explained = tuple[np.ndarray | None, np.ndarray | None]


def explained_members(
    src: Segments, tgt: Segments, params: AlignParams, encoder: TextEncoder
) -> tuple[Explained, WindowVectors]:
    """Per side, the segments with no good match of their own that a joined window with a neighbour explains.

    Also returns the explaining windows' embeddings, for the member check
    (a merge over one of them is not embedded again). None for both sides
    when the pair is too large for the full cosine matrix
    (``params.max_cells``): there every low segment is counted. Scoring the
    explaining windows by their joined text in the search was measured and
    left out: it glued more captions onto pairs than it saved merges.
    """
    wins = WindowVectors()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0 or (n + 1) * (m + 1) > params.max_cells:
        return (None, None), wins
    cos = src.vecs @ tgt.vecs.T
    mu0, sd0 = background_stats(src.vecs, tgt.vecs)
    sim = SimStats(mu0, sd0, max(float(np.median(cos.max(axis=1))), mu0 + 1e-3))
    s = sim.normalise(cos)
    plans: list[tuple[int, int, int, int, int]] = []  # (side, segment, window start, neighbour, partner)
    for side, norm in ((0, s), (1, s.T)):
        best, partner = norm.max(axis=1), norm.argmax(axis=1)
        low = best < params.skip_theta
        for k in np.nonzero(low)[0].tolist():
            for q in (k - 1, k + 1):
                if 0 <= q < len(norm) and not low[q]:
                    plans.append((side, k, min(k, q), q, int(partner[q])))
    out = (np.zeros(n, dtype=bool), np.zeros(m, dtype=bool))
    embedded = WindowVectors()
    embed_windows(encoder, [
        (side.texts, {(w, 2) for sd, _, w, _, _ in plans if sd == k}, side.mean, into)
        for k, (side, into) in enumerate(((src, embedded.src), (tgt, embedded.tgt)))
    ])
    for side, k, w, q, p in plans:
        u = (embedded.src if side == 0 else embedded.tgt)[(w, 2)]
        joined = (float(u @ (tgt.vecs[p] if side == 0 else src.vecs[p])) - sim.mu0) / (sim.mu1 - sim.mu0)
        alone = float(s[q, p] if side == 0 else s[p, q])
        if joined > alone:
            out[side][k] = True
            (wins.src if side == 0 else wins.tgt)[(w, 2)] = u
    return out, wins
