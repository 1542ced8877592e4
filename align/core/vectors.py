"""Segment vectors as the aligner compares them: unit length, centred per side.

Also what the core needs of an encoder (``TextEncoder``): texts in, one row per
text out. The rest of the core (scores, members, reorder) builds on these
few operations, so this module imports nothing else of the core but the params.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from align.core.params import AlignParams
from align.embedding.base import normalise_rows as normalise_rows  # one definition: the encoders' own

__all__ = ["TextEncoder", "block_sums", "block_vectors", "centre", "normalise_rows", "prepare", "prepare_vectors"]


class TextEncoder(Protocol):
    """Anything that embeds texts, one row per text (``align.embedding.Encoder`` and its kin)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def centre(vecs: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Remove the side's mean direction and renormalise.

    Most of what e5 vectors share is the model's and the language's common
    direction; without it, unrelated pairs have cosines near 0 and a window
    (a sum of vectors) no longer drifts towards every other window. For two or
    more segments this equals subtracting the mean of the *other* segments, so
    no segment's own content is removed; a single segment is left as it is.
    A given ``mean`` (the side's, from its segments) is removed instead: a
    window embedded later is centred like the segments it is made of.
    """
    if mean is None:
        if len(vecs) < 2:
            return np.asarray(vecs, dtype=np.float32)
        mean = vecs.mean(axis=0)
    return normalise_rows(vecs - np.asarray(mean)[None, :])


def prepare(vecs: np.ndarray, params: AlignParams) -> tuple[np.ndarray, np.ndarray | None]:
    """A side's vectors as the search compares them, and the mean unit vector centring removed (None: none).

    The mean is kept so that a window embedded later (``members``) is centred
    like the segments it is made of.
    """
    unit = normalise_rows(np.asarray(vecs, dtype=np.float32))
    mean = unit.mean(axis=0) if params.centre and len(unit) >= 2 else None
    return (unit if mean is None else centre(unit, mean)), mean


def prepare_vectors(vecs: np.ndarray, params: AlignParams) -> np.ndarray:
    """A side's vectors as the search compares them: unit length, centred when ``params.centre``."""
    return prepare(vecs, params)[0]


def block_vectors(vecs: np.ndarray, size: int) -> np.ndarray:
    """Consecutive blocks of ``size`` rows summed and renormalised (for the coarse pass)."""
    n = len(vecs)
    k = -(-n // size)
    pad = k * size - n
    v = np.concatenate([vecs, np.zeros((pad, vecs.shape[1]), dtype=vecs.dtype)]) if pad else vecs
    return normalise_rows(v.reshape(k, size, -1).sum(axis=1))


def block_sums(x: np.ndarray, size: int) -> np.ndarray:
    """Consecutive blocks of ``size`` values summed."""
    n = len(x)
    k = -(-n // size)
    pad = k * size - n
    v = np.concatenate([x, np.zeros(pad, dtype=x.dtype)]) if pad else x
    out: np.ndarray = v.reshape(k, size).sum(axis=1)
    return out
