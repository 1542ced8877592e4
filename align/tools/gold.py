"""Gold beads and how predicted beads are scored against them, as Bertalign and Vecalign score.

The rules (see the eval README) are kept exactly, so that our numbers can be
set beside published ones:

* beads become a *set* of ``(source tuple, target tuple)``; beads empty on both
  sides are dropped;
* strict: a predicted bead equals a gold bead; lax: not strict, but a source
  sentence of the predicted bead is linked in the gold to a target sentence of
  it (a one-sided bead can only match strictly);
* precision is over all predicted beads (null beads included), recall over gold
  beads non-empty on both sides against predicted beads non-empty on both sides;
* counts are summed over documents (micro average) before dividing; 0/0 is 0.

The gold need not be monotone or cover every line; the scorer never assumes so.

``align.tools.evaluate`` (evaluation runs) and ``align.tools.ceiling`` (the
best score a monotone aligner could reach) both score with this module.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from align.common.errors import InputError
from align.reading.decode import read_utf8

#: A bead as indices: (source segment indices, target segment indices); either side may be empty.
BeadPair = tuple[tuple[int, ...], tuple[int, ...]]

_BEAD = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*$")


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.replace(" ", "").split(",") if x != "")


def read_beads(path_or_lines: str | os.PathLike | Iterable[str]) -> list[BeadPair]:
    """Beads from a file (or lines) in the notation ``[1,2]:[3]``, one per line.

    Blank lines are skipped; anything else that is not a bead is an
    ``InputError`` naming the file and line, because a silently skipped gold
    bead would change every score.
    """
    name: str | None = None
    if isinstance(path_or_lines, (str, os.PathLike)):
        name = str(path_or_lines)
        lines: Iterable[str] = read_utf8(name, "beads file").splitlines()
    else:
        lines = path_or_lines
    out: list[BeadPair] = []
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = _BEAD.match(line)
        if not m:
            where = f"{name}:{k}" if name else f"line {k}"
            raise InputError(f"not a bead: {line.strip()[:60]!r}", path=where, hint="expected e.g. [1,2]:[3]")
        out.append((_indices(m.group(1)), _indices(m.group(2))))
    return out


def format_beads(beads: Iterable[BeadPair]) -> str:
    """The notation ``[1,2]:[3]``, one bead a line (the inverse of ``read_beads``)."""
    return "".join("[" + ",".join(map(str, s)) + "]:[" + ",".join(map(str, t)) + "]\n" for s, t in beads)


@dataclass(frozen=True)
class Counts:
    """Raw counts of one document or one set; scores are derived so sums stay exact."""

    pred: int = 0  # predicted beads (non-empty), the precision denominator
    strict_tp_p: int = 0  # predicted beads that equal a gold bead
    lax_tp_p: int = 0  # predicted beads that match strictly or laxly
    gold: int = 0  # gold beads non-empty on both sides, the recall denominator
    strict_tp_r: int = 0
    lax_tp_r: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self._tuple(), other._tuple())))

    def _tuple(self) -> tuple[int, ...]:
        return (self.pred, self.strict_tp_p, self.lax_tp_p, self.gold, self.strict_tp_r, self.lax_tp_r)


def ratio(a: float, b: float) -> float:
    """``a / b``, and 0 for ``0 / 0`` (no beads: no precision to speak of), as the published scorers count."""
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return ratio(2 * p * r, p + r)


@dataclass(frozen=True)
class Scores:
    """Strict and lax precision, recall and F1 from summed counts."""

    counts: Counts

    @property
    def strict_p(self) -> float:
        return ratio(self.counts.strict_tp_p, self.counts.pred)

    @property
    def strict_r(self) -> float:
        return ratio(self.counts.strict_tp_r, self.counts.gold)

    @property
    def strict_f1(self) -> float:
        return _f1(self.strict_p, self.strict_r)

    @property
    def lax_p(self) -> float:
        return ratio(self.counts.lax_tp_p, self.counts.pred)

    @property
    def lax_r(self) -> float:
        return ratio(self.counts.lax_tp_r, self.counts.gold)

    @property
    def lax_f1(self) -> float:
        return _f1(self.lax_p, self.lax_r)

    def as_dict(self) -> dict[str, float]:
        return {
            k: round(getattr(self, k), 6)
            for k in ("strict_p", "strict_r", "strict_f1", "lax_p", "lax_r", "lax_f1")
        }


def bead_set(beads: Iterable[Sequence[Sequence[int]]]) -> set[BeadPair]:
    """The beads as a set of index tuples, beads empty on both sides dropped (the scorers' first rule)."""
    return {(tuple(s), tuple(t)) for s, t in beads if len(s) or len(t)}


def _links(beads: Iterable[BeadPair]) -> dict[int, set[int]]:
    """Source index -> the target indices it is linked to by some bead."""
    out: dict[int, set[int]] = defaultdict(set)
    for s, t in beads:
        for i in s:
            out[i].update(t)
    return out


def _matches(reference: set[BeadPair], candidates: set[BeadPair]) -> tuple[int, int]:
    """(strict, strict + lax) matches of ``candidates`` against ``reference``."""
    links = _links(reference)
    strict = lax = 0
    for s, t in candidates:
        if (s, t) in reference:
            strict += 1
            lax += 1
        elif any(j in links.get(i, ()) for i in s for j in t):
            lax += 1
    return strict, lax


def count_doc(pred: Iterable[Sequence[Sequence[int]]], gold: Iterable[Sequence[Sequence[int]]]) -> Counts:
    """Counts for one document (see the module docstring for the rules)."""
    p, g = bead_set(pred), bead_set(gold)
    sp, lp = _matches(g, p)
    p2 = {b for b in p if b[0] and b[1]}
    g2 = {b for b in g if b[0] and b[1]}
    sr, lr = _matches(p2, g2)
    return Counts(pred=len(p), strict_tp_p=sp, lax_tp_p=lp, gold=len(g2), strict_tp_r=sr, lax_tp_r=lr)


def score(pred_docs: Sequence[Iterable[Sequence[Sequence[int]]]], gold_docs: Sequence[Iterable[Sequence[Sequence[int]]]]) -> Scores:
    """Micro-averaged strict/lax scores of predicted documents against gold ones (same order)."""
    if len(pred_docs) != len(gold_docs):
        raise ValueError(f"{len(pred_docs)} predicted documents but {len(gold_docs)} gold ones")
    total = Counts()
    for p, g in zip(pred_docs, gold_docs):
        total = total + count_doc(p, g)
    return Scores(total)

