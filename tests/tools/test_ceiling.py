"""The monotone ceiling: the best strict F1 a monotone aligner can reach on a gold alignment."""

from __future__ import annotations

from align.core.aligner import AlignParams
from align.tools.ceiling import ceiling_path
from align.tools.gold import Scores, count_doc

TYPES = AlignParams().bead_types()


def _f1(path, gold) -> float:
    return Scores(count_doc(path, gold)).strict_f1


def _covers(path, n: int, m: int) -> bool:
    """Monotone and complete: every index once, in order."""
    return [i for s, _ in path for i in s] == list(range(n)) and [j for _, t in path for j in t] == list(range(m))


def test_monotone_gold_is_its_own_ceiling():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2, 3)), ((), (4,)), ((5,), (5,))]
    path = ceiling_path(gold, 6, 6, TYPES)
    assert sorted(path) == sorted(gold) and _covers(path, 6, 6)
    assert _f1(path, gold) == 1.0


def test_crossing_gold_beads_cap_the_score():
    """Source 1 and 2 translated in swapped order: no monotone path has both beads."""
    gold = [((0,), (0,)), ((1,), (2,)), ((2,), (1,)), ((3,), (3,))]
    path = ceiling_path(gold, 4, 4, TYPES)
    assert _covers(path, 4, 4)
    assert ((0,), (0,)) in path and ((3,), (3,)) in path
    assert sum(b in gold for b in path) == 3  # one of the crossing pair, not both
    assert _f1(path, gold) < 1.0


def test_a_bead_larger_than_the_allowed_types_is_out_of_reach():
    gold = [((0, 1, 2), (0, 1, 2)), ((3,), (3,))]  # 3-3 is not a bead type (max_total 5)
    path = ceiling_path(gold, 4, 4, TYPES)
    assert ((3,), (3,)) in path and ((0, 1, 2), (0, 1, 2)) not in path and _covers(path, 4, 4)


def test_fewer_wrong_beads_can_beat_more_matches():
    """Lines in no gold bead: the best-F1 path covers them with as few wrong beads as it can."""
    gold = [((0,), (0,)), ((5,), (5,))]  # 1-4 and 1-4 unaccounted for in the gold
    path = ceiling_path(gold, 6, 6, TYPES)
    assert _covers(path, 6, 6) and ((0,), (0,)) in path and ((5,), (5,)) in path
    assert len(path) <= 6  # e.g. 1-1 x4 or wider beads, never eight one-sided beads
    assert _f1(path, gold) >= Scores(count_doc([((0,), (0,))] + [((i,), ()) for i in range(1, 5)] + [((), (j,)) for j in range(1, 5)] + [((5,), (5,))], gold)).strict_f1


def test_the_best_f1_path_is_not_always_the_one_with_most_matches():
    """Gold lists line 1 twice (alone and in a 2-2): the two one-sided matches give no recall at all."""
    gold = [((1,), ()), ((0, 1), (0, 1)), ((), (1,))]
    path = ceiling_path(gold, 2, 2, TYPES)
    assert path == [((0, 1), (0, 1))] and _f1(path, gold) == 1.0


def test_empty_sides():
    assert ceiling_path([((0,), ())], 1, 0, TYPES) == [((0,), ())]
    assert ceiling_path([], 0, 2, TYPES) == [((), (0,)), ((), (1,))]
