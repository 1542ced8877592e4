"""What the aligner knows of each side of a document pair, built once per side.

* ``Segments``: one document side, from its texts and their vectors: the
  prepared vectors (unit, centred) and the mean centring removed, lengths in
  characters, paragraph ids and their runs, sentences per segment.
* ``Side``: one side as a search reads it, a row per unit (a segment, a
  paragraph, or a block of the coarse pass): vectors, lengths, and the
  optional per-unit evidence (sentence counts, paragraph starts, orphans).
* ``Evidence``: both sides of the sentence search and the anchors they share;
  made once per alignment and reused by the member check's second search.

Every function of the core takes ``src`` and ``tgt`` of these types instead of
a twin argument per property.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from align.core.lexical import Anchors, anchors_of, orphans, side_tokens
from align.core.params import AlignParams
from align.core.vectors import prepare

__all__ = ["Evidence", "Run", "Segments", "Side", "boundaries", "informative", "lengths", "runs"]

Run = tuple[int, int, int]  # (paragraph id, first segment, end)


def lengths(texts: Sequence[str]) -> np.ndarray:
    """Characters per segment, the unit of the length model."""
    return np.array([len(t) for t in texts], dtype=np.float64)


def runs(paras: Sequence[int] | None, n: int) -> list[Run]:
    """Consecutive runs of one paragraph id: ``(id, start, end)``; one run per segment if no ids."""
    if paras is None:
        return [(k, k, k + 1) for k in range(n)]
    if len(paras) != n:
        raise ValueError(f"{len(paras)} paragraph ids for {n} segments")
    out: list[Run] = []
    for k, p in enumerate(paras):
        if out and out[-1][0] == p:
            out[-1] = (p, out[-1][1], k + 1)
        else:
            out.append((p, k, k + 1))
    return out


def boundaries(runs: Sequence[Run], n: int) -> np.ndarray:
    """``out[k]``: a paragraph boundary lies before segment k (k = 0..n)."""
    out = np.zeros(n + 1, dtype=bool)
    for _, s0, _ in runs:
        out[s0] = True
    out[n] = True
    return out


def informative(runs: Sequence[Run]) -> bool:
    """A side has paragraph structure worth using: several paragraphs, some of several segments."""
    return len(runs) >= 2 and any(e - s > 1 for _, s, e in runs)


@dataclass(frozen=True)
class Side:
    """One side of a search, a row per unit: all the search and its bead scores read of it.

    The optional evidence switches its bonus or cost on only when both sides
    have it (and its weight in ``AlignParams`` is positive).
    """

    vecs: np.ndarray  # prepared vectors (unit length, centred)
    lengths: np.ndarray  # characters per unit (float64)
    counts: np.ndarray | None = None  # sentences per unit: ``count_bonus``
    starts: np.ndarray | None = None  # (n + 1,) bools, a paragraph starts before unit k: ``para_bonus``
    orphans: np.ndarray | None = None  # the unit holds a number or URL the other text lacks: ``orphan_skip``/``_merge``
    explained: np.ndarray | None = None  # matching nothing alone, the unit joins a neighbour's match: ``skip_for``

    def __len__(self) -> int:
        return len(self.vecs)


@dataclass(frozen=True)
class Segments:
    """One document side, built once: its texts and everything the aligner derives from them alone."""

    texts: list[str]
    raw: np.ndarray  # the encoder's vectors, one per segment
    vecs: np.ndarray  # prepared: unit length, centred (``vectors.prepare``)
    mean: np.ndarray | None  # the mean unit vector centring removed (None: not centred)
    lengths: np.ndarray  # characters per segment
    paras: Sequence[int] | None  # paragraph id per segment (None: no paragraphs)
    runs: list[Run]  # runs of one paragraph id (one run per segment without ids)
    counts: np.ndarray | None  # sentences per segment (None: not counted)
    known_tokens: list[set[str]] | None = field(default=None, repr=False, compare=False)  # ``tokens``, if given

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        raw: np.ndarray,
        params: AlignParams,
        *,
        paras: Sequence[int] | None = None,
        counts: np.ndarray | None = None,
        tokens: list[set[str]] | None = None,
    ) -> Segments:
        """The side of ``texts`` with their vectors ``raw`` (one per text), paragraph ids and sentence counts.

        ``tokens``: each text's ``candidate_tokens`` when already known (made on first use otherwise).
        """
        if len(raw) != len(texts):
            raise ValueError("one vector per segment is needed")
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError("one token set per segment is needed")
        vecs, mean = prepare(raw, params)
        return cls(list(texts), raw, vecs, mean, lengths(texts), paras, runs(paras, len(texts)), counts, tokens)

    def __len__(self) -> int:
        return len(self.texts)

    @functools.cached_property
    def tokens(self) -> list[set[str]]:
        """Each segment's ``candidate_tokens`` (numbers, names, URLs), found once per side.

        A side's tokens do not depend on the other side, so the second search of
        a reordered pair (``pick``) and every ``Evidence`` of the side reuse them.
        """
        return self.known_tokens if self.known_tokens is not None else side_tokens(self.texts)

    @property
    def informative(self) -> bool:
        """Real paragraph structure (see ``informative``): worth a paragraph pass and a boundary bonus."""
        return informative(self.runs)

    def pick(self, keep: Sequence[int], params: AlignParams) -> Segments:
        """The side made of the segments at ``keep`` only (vectors prepared again, from those segments).

        Tokens already found are kept (``cached_property`` holds them in ``__dict__``), not found again.
        """
        found = self.__dict__.get("tokens")
        return Segments.build(
            [self.texts[k] for k in keep],
            self.raw[list(keep)],
            params,
            paras=None if self.paras is None else [self.paras[k] for k in keep],
            counts=None if self.counts is None else np.asarray(self.counts)[list(keep)],
            tokens=None if found is None else [found[k] for k in keep],
        )

    def without_vectors(self) -> Segments:
        """The same side with no vectors (zero-width rows): what reads only texts, lengths and paragraphs still works.

        The aligner's second round (pairs out of order taken out) aligns picked
        copies; the first round's vectors would otherwise stay in memory beside
        them (200 MB at 50,000 segments a side).
        """
        empty = np.zeros((len(self), 0), dtype=np.float32)
        return dataclasses.replace(self, raw=empty, vecs=empty, mean=None)

    def side(
        self, *, starts: bool = False, orphans: np.ndarray | None = None, explained: np.ndarray | None = None
    ) -> Side:
        """The sentence search's view, with paragraph starts (``starts``), ``orphans`` and ``explained`` when given."""
        if len(self) and self.vecs.shape[1] == 0:
            raise ValueError("this side's vectors were let go (without_vectors): it cannot be searched")
        marks = boundaries(self.runs, len(self)) if starts else None
        return Side(self.vecs, self.lengths, self.counts, marks, orphans, explained)


@dataclass(frozen=True)
class Evidence:
    """The sentence search's two sides and the anchors they share (the typed evidence of one alignment)."""

    src: Side
    tgt: Side
    anchors: Anchors | None = None

    @classmethod
    def of(
        cls,
        src: Segments,
        tgt: Segments,
        params: AlignParams,
        explained: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
    ) -> Evidence:
        """Each side's rows and evidence, as ``params`` asks for them.

        Paragraph starts only where both sides have paragraph structure (one
        line per paragraph says nothing); anchors (shared numbers and names)
        and orphans (numbers the other text lacks) from one tokenisation.
        """
        paragraphs = src.informative and tgt.informative
        anchors = anchors_of((src.tokens, tgt.tokens)) if params.lex_weight > 0 else None
        use_orphans = params.orphan_skip > 0 or params.orphan_merge > 0
        orph = orphans(src.texts, tgt.texts, (src.tokens, tgt.tokens)) if use_orphans else None
        return cls(
            src.side(starts=paragraphs, orphans=orph[0] if orph else None, explained=explained[0]),
            tgt.side(starts=paragraphs, orphans=orph[1] if orph else None, explained=explained[1]),
            anchors,
        )
