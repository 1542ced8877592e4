"""One search between two sides: the band, the document model, Viterbi training and the posteriors.

``search`` wraps the DP of ``search.py`` (which knows nothing of vectors) for
two sides (``Side``): it picks the band (every cell for short documents; for long
ones a band around the path found on blocks of two segments, recursively, as
Vecalign does), scores beads with a ``WindowScorer``, re-estimates the length
model from the path until the path stops changing, and gives each bead its
posterior probability. The aligner calls it for paragraphs, for sentences,
and again with the member check's window embeddings.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.common.cores import alongside
from align.core.lexical import Anchors
from align.core.members import WindowVectors
from align.core.params import AlignParams
from align.core.scores import DocModel, WindowScorer, refine_model
from align.core.search import (
    Band,
    BeadType,
    SearchResult,
    backward,
    band_around,
    bead_posteriors,
    full_band,
    path_to_spans,
    viterbi,
)
from align.core.side import Side
from align.core.vectors import block_sums, block_vectors

__all__ = ["Found", "search", "with_posteriors"]

# the bead types of the coarse pass, over blocks of two segments
_COARSE_TYPES: list[BeadType] = [(1, 1), (1, 2), (2, 1)]


@dataclass
class Found:
    """A search result: the path, each bead's posterior, and what the search measured."""

    path: list[BeadType]
    probs: list[float]  # 1.0 each from a search made with ``posteriors=False``, until ``with_posteriors`` takes them
    model: DocModel | None = None
    cells: int = 0  # DP cells of the finest level (n * width: linear in the length)
    width: int = 0  # widest band row
    largest: int = 0  # elements of the largest array the search allocated, coarse levels included
    band: Band | None = None  # the band searched (reused by a second pass)
    scorer: WindowScorer | None = None  # its bead scores under ``model`` (reused by the member check's search)

    @functools.cached_property
    def spans(self) -> list[tuple[range, range]]:
        """The path as (source range, target range) per step, made once (the member check, the reorder pass and
        the beads all read it)."""
        return path_to_spans(self.path)


def _trivial(n: int, m: int) -> list[BeadType]:
    return [(1, 0)] * n + [(0, 1)] * m


def search(
    src: Side,
    tgt: Side,
    params: AlignParams,
    *,
    anchors: Anchors | None = None,
    model: DocModel | None = None,
    band: Band | None = None,
    types: Sequence[BeadType] | None = None,
    posteriors: bool = True,
    windows: WindowVectors | None = None,
    first: Found | None = None,
) -> Found:
    """Best bead path between two sides; coarse-to-fine when the matrix is large.

    Without a given ``model`` the statistics are estimated inside the band and,
    with ``params.refine``, the length model is re-estimated from the path and
    the search run again, until the path stops changing (at most
    ``params.refine_steps`` times). The sides' evidence (sentence counts,
    paragraph starts, orphans) and ``anchors`` enable their bonuses and costs;
    ``windows`` (real embeddings of merged windows) the member check. A given
    ``band`` (a paragraph alignment's, or a first search's) is searched as it is.
    With ``first``, a search of the same sides and anchors, its band, document
    model and bead scores are reused and only ``windows``' member costs are new.
    """
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        path = _trivial(n, m)
        return Found(path, [1.0] * len(path), model)
    types = list(types or params.bead_types())
    coarse_largest = 0
    if first is not None and first.scorer is not None and first.band is not None:
        band, model = first.band, first.scorer.model
        scorer = first.scorer.with_windows(windows or WindowVectors())  # ``first`` gives its kept scores away
    else:
        if band is None:
            if (n + 1) * (m + 1) <= params.max_cells:
                band = full_band(n, m)
            else:
                band, coarse_largest = _coarse_band(src, tgt, params)
        scorer = WindowScorer(src, tgt, band, params, types=types, anchors=anchors, model=model, windows=windows)
    refine = model is None and params.refine and params.refine_steps > 0
    res = _trained(band, scorer, (src, tgt), params, posteriors) if refine else None
    if posteriors:
        res, probs = _posteriors(band, scorer, res)
    else:
        if res is None:
            res = viterbi(band, scorer, scorer.model.skip)
        probs = [1.0] * len(res.path)
    largest = max(
        (n + 1) * band.width,  # DP, forward, backward and back-pointer arrays
        scorer.cos.values.size,  # banded segment cosines
        len(types) * (band.n + 1 if scorer.keeps_all else scorer.block_rows) * band.width,  # the bead scores kept
        coarse_largest,
    )
    return Found(res.path, probs, scorer.model, band.cells, band.width, largest, band, scorer)


def with_posteriors(found: Found) -> Found:
    """``found`` (a search made with ``posteriors=False``) with each bead's posterior probability.

    Under the model and scores the search ended with (its ``scorer``, kept):
    the same posteriors, bit for bit, as the search would have given, so a
    caller may take them only once it knows that this path is the one it
    keeps. A search of an empty side has none to take (each bead is sure).
    """
    scorer, band = found.scorer, found.band
    if scorer is None or band is None:
        return found
    res, probs = _posteriors(band, scorer)
    if res.path != found.path:  # the same scores give the same path: a scorer changed since would be a bug
        raise RuntimeError("the posteriors' pass found another path than the search")
    out = dataclasses.replace(found, probs=probs)
    vars(out)["spans"] = found.spans  # the same path: its spans made once (``Found.spans``, a cached property)
    return out


def _posteriors(band: Band, scorer: WindowScorer, res: SearchResult | None = None) -> tuple[SearchResult, list[float]]:
    """The best path and each of its beads' posterior, under the scorer's model.

    ``res``: the training's last pass, whose forward sums are used where it
    took them; otherwise a pass takes them (``_with_sums``).
    """
    if res is None or res.forward is None:
        res, B = _with_sums(band, scorer)
    else:
        B = backward(band, scorer, scorer.model.skip)
    assert res.forward is not None
    return res, bead_posteriors(res.path, band, res.forward, B, scorer, scorer.model.skip)


def _trained(band: Band, scorer: WindowScorer, sides: tuple[Side, Side], params: AlignParams, sums: bool) -> SearchResult:
    """Viterbi training: the best path, the length model re-estimated from it until the path stays put.

    At most ``params.refine_steps`` re-estimates; none once a re-estimate is
    the model in use (to the last bit: a pass under it would find the same
    path). With ``sums`` (posteriors wanted), where the scores are made again
    per pass every re-estimated pass sums the forward scores, as the last
    one's are read; where they are kept, only a last allowed pass does; a
    training that ends before (or at the first pass) leaves them to
    ``_with_sums``, once.
    """
    src, tgt = sides
    every = sums and not scorer.keeps_all
    res = viterbi(band, scorer, scorer.model.skip)
    steps = params.refine_steps
    for step in range(steps):
        again = refine_model(scorer.model, path_to_spans(res.path), src, tgt)
        if again == scorer.model:
            break
        scorer.model = again
        new = viterbi(band, scorer, scorer.model.skip, with_forward=every or (sums and step == steps - 1))
        settled = new.path == res.path
        res = new
        if settled:
            break
    return res


def _with_sums(band: Band, scorer: WindowScorer) -> tuple[SearchResult, np.ndarray]:
    """A Viterbi pass with the forward sums, and the backward sums.

    Where every block's scores are kept (``complete``) the backward sums are
    summed beside the forward pass, both only reading them; scores made again
    per pass are never filled by two threads into one cache: one pass, then the other.
    """
    skip = scorer.model.skip
    if scorer.complete:
        backward_sums = alongside(backward, band, scorer, skip)
        res = viterbi(band, scorer, skip, with_forward=True)
        return res, backward_sums()
    res = viterbi(band, scorer, skip, with_forward=True)
    return res, backward(band, scorer, skip)


def _coarse_band(src: Side, tgt: Side, params: AlignParams) -> tuple[Band, int]:
    """A band around the path found on blocks of two segments (recursively, as Vecalign does).

    The coarse levels search once with the length model of their first
    estimate (``AlignParams.coarse_refine`` off): they only place a band of
    ``band_radius`` segments a side, which the re-estimates did not move
    enough to change a bead on the dev sets concatenated (F1 identical), at a
    quarter of the coarse passes. Also returns the size of the largest array the coarse levels allocated.
    """
    n, m = len(src), len(tgt)
    coarse = search(
        Side(block_vectors(src.vecs, 2), block_sums(src.lengths, 2)),
        Side(block_vectors(tgt.vecs, 2), block_sums(tgt.lengths, 2)),
        params if params.coarse_refine else dataclasses.replace(params, refine=False),
        types=_COARSE_TYPES,
        posteriors=False,
    )
    nodes = []
    i = j = 0
    for a, b in coarse.path:
        i += a
        j += b
        nodes.append((min(2 * i, n), min(2 * j, m)))
    return band_around(nodes, n, m, params.band_radius), coarse.largest
