"""The gold-bead notation and the scorer, against hand-computed cases (the rules of Bertalign and Vecalign)."""

from __future__ import annotations

import pytest

from align.common.errors import InputError
from align.tools.gold import count_doc, format_beads, read_beads, score


def test_read_beads_parses_the_notation_and_skips_blank_lines():
    beads = read_beads(["[0]:[0]", "", "[1, 2]:[1]", "[3]:[]", "[]:[2,3]", "[]:[]"])
    assert beads == [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((), (2, 3)), ((), ())]


def test_read_beads_round_trips_through_format_beads(tmp_path):
    beads = [((0,), (0, 1)), ((1, 2), (2,)), ((3,), ()), ((), (3,))]
    p = tmp_path / "b.txt"
    p.write_text(format_beads(beads), encoding="utf-8")
    assert read_beads(p) == beads


def test_read_beads_rejects_garbage_with_file_and_line(tmp_path):
    p = tmp_path / "gold.txt"
    p.write_text("[0]:[0]\n0-0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gold.txt:2"):
        read_beads(p)


def test_perfect_prediction_scores_one():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ())]
    s = score([gold], [gold])
    assert (s.strict_p, s.strict_r, s.strict_f1, s.lax_f1) == (1.0, 1.0, 1.0, 1.0)


def test_strict_versus_lax_by_hand():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,))]
    # [1]:[1] overlaps gold [1,2]:[1] -> lax only; [2]:[] is a null bead -> no lax credit;
    # [3]:[2] strict.
    pred = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,))]
    c = count_doc(pred, gold)
    assert (c.pred, c.strict_tp_p, c.lax_tp_p) == (4, 2, 3)
    # recall: gold beads non-empty on both sides (3); [1,2]:[1] is linked by pred [1]:[1] -> lax hit
    assert (c.gold, c.strict_tp_r, c.lax_tp_r) == (3, 2, 3)
    s = score([pred], [gold])
    assert s.strict_p == pytest.approx(2 / 4)
    assert s.strict_r == pytest.approx(2 / 3)
    assert s.strict_f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert s.lax_p == pytest.approx(3 / 4)
    assert s.lax_r == pytest.approx(1.0)


def test_null_beads_match_only_strictly_and_count_only_in_precision():
    gold = [((0,), (0,)), ((1,), ()), ((), (1,))]
    pred = [((0,), (0,)), ((1,), ()), ((), (1,))]
    c = count_doc(pred, gold)
    assert (c.pred, c.strict_tp_p, c.lax_tp_p, c.gold, c.strict_tp_r) == (3, 3, 3, 1, 1)
    # a wrong null bead gets nothing, even next to its gold bead
    c2 = count_doc([((0,), (0,)), ((1,), (1,))], gold)
    assert (c2.pred, c2.strict_tp_p, c2.lax_tp_p) == (2, 1, 1)
    c3 = count_doc([((0, 1), (0,)), ((), (1,))], gold)
    # [0,1]:[0] is a lax hit (0 is linked to 0); []:[1] is a strict hit
    assert (c3.strict_tp_p, c3.lax_tp_p) == (1, 2)


def test_non_monotone_gold_is_scored_by_links_not_order():
    gold = [((0,), (1,)), ((1,), (0,)), ((2,), (2,))]
    pred = [((0, 1), (0, 1)), ((2,), (2,))]
    c = count_doc(pred, gold)
    assert (c.strict_tp_p, c.lax_tp_p) == (1, 2)
    assert (c.gold, c.strict_tp_r, c.lax_tp_r) == (3, 1, 3)


def test_beads_empty_on_both_sides_are_dropped_and_duplicates_count_once():
    gold = [((0,), (0,)), ((), ())]
    pred = [((0,), (0,)), ((0,), (0,)), ((), ())]
    c = count_doc(pred, gold)
    assert (c.pred, c.strict_tp_p, c.gold) == (1, 1, 1)


def test_micro_average_sums_counts_before_dividing():
    g1, p1 = [((0,), (0,))], [((0,), (0,))]
    g2 = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    p2 = [((0, 1, 2), (0, 1, 2))]
    s = score([p1, p2], [g1, g2])
    assert s.strict_p == pytest.approx(1 / 2)  # 1 of 2 predicted beads
    assert s.strict_r == pytest.approx(1 / 4)  # 1 of 4 gold beads
    assert s.lax_r == pytest.approx(1.0)


def test_zero_over_zero_is_zero():
    s = score([[]], [[]])
    assert (s.strict_p, s.strict_r, s.strict_f1, s.lax_f1) == (0.0, 0.0, 0.0, 0.0)


def test_score_needs_as_many_predictions_as_gold_documents():
    with pytest.raises(ValueError):
        score([[]], [[], []])
