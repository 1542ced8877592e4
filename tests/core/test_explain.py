"""``explain.explained_members``: a segment that matches nothing alone but joins its neighbour's match is a merge member.

The fixed encoder below gives chosen texts exact vectors, so the joined text's
embedding can differ from the sum of its members' (as a real model's does).
"""

from __future__ import annotations

import numpy as np

from align.core.explain import explained_members
from align.core.params import AlignParams
from align.core.side import Segments
from align.embedding import HashEncoder


class _Fixed(HashEncoder):
    def __init__(self, fixed: dict[str, np.ndarray]) -> None:
        super().__init__(dim=64)
        self.fixed = fixed

    def _embed(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for k, t in enumerate(texts):
            v = np.zeros(self.dim, dtype=np.float32)
            f = self.fixed[t]
            v[: len(f)] = f
            out[k] = v / np.linalg.norm(v)
        return out


def _pair(member_joined: np.ndarray) -> tuple[Segments, Segments, _Fixed]:
    """Six source sentences, five target ones; source 2 ("said") is merged into target 1 by the translation."""
    e = np.eye(16, dtype=np.float32)
    src = ["a", "b", "said", "c", "d", "f"]
    tgt = ["A", "B", "C", "D", "F"]
    fixed = {"a": e[0], "b": e[1], "said": e[9], "c": e[2], "d": e[3], "f": e[4],
             "A": e[0], "B": e[1] + 0.4 * e[9], "C": e[2], "D": e[3], "F": e[4],  # B also says what "said" says
             "b said": member_joined, "said c": e[2] + e[9] * 1.5}
    enc = _Fixed(fixed)
    p = AlignParams()
    return Segments.build(src, enc.encode(src), p), Segments.build(tgt, enc.encode(tgt), p), enc


def test_a_member_whose_joined_text_matches_better_is_explained():
    e = np.eye(16, dtype=np.float32)
    src, tgt, enc = _pair(member_joined=e[1] + 0.4 * e[9])  # "b said" reads as B's translation, better than "b"
    (ex_s, ex_t), wins = explained_members(src, tgt, AlignParams(), enc)
    assert ex_s is not None and ex_t is not None
    assert ex_s.tolist() == [False, False, True, False, False, False] and not ex_t.any()
    assert set(wins.src) == {(1, 2)}  # the window that explained it, kept for the member check


def test_a_line_that_pulls_the_window_away_is_not_explained():
    e = np.eye(16, dtype=np.float32)
    src, tgt, enc = _pair(member_joined=e[1] + 3 * e[9])  # a caption: the joined text is less like B than "b" alone
    (ex_s, _), wins = explained_members(src, tgt, AlignParams(), enc)
    assert ex_s is not None and not ex_s.any() and not wins.src


def test_nothing_is_embedded_for_a_pair_too_large_for_the_full_matrix():
    e = np.eye(16, dtype=np.float32)
    src, tgt, enc = _pair(member_joined=e[1])
    before = enc.texts_embedded
    (ex_s, ex_t), wins = explained_members(src, tgt, AlignParams(max_cells=10), enc)
    assert ex_s is None and ex_t is None and not wins.src and enc.texts_embedded == before
