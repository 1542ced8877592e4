"""The editor's operations on a sheet, each checked by the invariant: pure Python, no server."""

from __future__ import annotations

import unicodedata

import pytest

from align.editor.model import EditError, Row, Seg, Sheet, Stamp, apply, check_sheet

STAMP = Stamp("20261206T000000Z", "ana")


def sheet(rows: list[tuple[tuple[int, ...], tuple[int, ...]]], n: int = 6, m: int = 6) -> Sheet:
    return Sheet(tuple(Seg(f"s{i} text") for i in range(n)), tuple(Seg(f"t{j} text") for j in range(m)),
                 tuple(Row(a, b, score=0.9) for a, b in rows))


def beads(sh: Sheet) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(r.src, r.tgt) for r in sh.rows]


ONE = [((k,), (k,)) for k in range(6)]


def test_invariant_accepts_a_monotone_cover_and_refuses_gaps_doubles_disorder_and_empty_rows():
    check_sheet(sheet(ONE))
    with pytest.raises(EditError, match="in no row"):
        check_sheet(sheet(ONE[:-1]))
    with pytest.raises(EditError, match="two rows"):
        check_sheet(sheet([*ONE, ((5,), ())]))
    with pytest.raises(EditError, match="before"):
        check_sheet(sheet([ONE[1], ONE[0], *ONE[2:]]))
    with pytest.raises(EditError, match="empty"):
        check_sheet(sheet([*ONE, ((), ())]))


def test_shift_down_moves_the_last_segment_into_the_next_row_and_up_moves_it_back():
    sh = apply(sheet(ONE), "shift", {"row": 1, "side": "tgt", "direction": "down"}, STAMP)
    assert beads(sh)[1:3] == [((1,), ()), ((2,), (1, 2))]
    assert sh.rows[1].edited and sh.rows[1].score is None and sh.rows[2].changeid == "ana"
    back = apply(sh, "shift", {"row": 2, "side": "tgt", "direction": "up"}, STAMP)
    assert beads(back) == ONE


def test_shift_that_empties_a_row_removes_it():
    rows = [((0,), (0,)), ((), (1,)), *[((k,), (k + 1,)) for k in range(1, 6)]]
    sh = apply(sheet(rows, m=7), "shift", {"row": 1, "side": "tgt", "direction": "up"})
    assert beads(sh)[:2] == [((0,), (0, 1)), ((1,), (2,))] and len(sh.rows) == 6


def test_shift_past_the_edges_is_refused():
    with pytest.raises(EditError, match="no row above"):
        apply(sheet(ONE), "shift", {"row": 0, "side": "src", "direction": "up"})
    with pytest.raises(EditError, match="no row below"):
        apply(sheet(ONE), "shift", {"row": 5, "side": "src", "direction": "down"})


def test_merge_and_split_row_are_inverse():
    sh = apply(sheet(ONE), "merge", {"row": 2})
    assert beads(sh)[2] == ((2, 3), (2, 3)) and len(sh.rows) == 5
    back = apply(sh, "split_row", {"row": 2, "src_at": 1, "tgt_at": 1})
    assert beads(back) == ONE
    with pytest.raises(EditError, match="empty row"):
        apply(sh, "split_row", {"row": 2, "src_at": 0, "tgt_at": 0})


def test_split_segment_at_the_cursor_renumbers_the_side_and_join_puts_it_back():
    sh = apply(sheet(ONE), "split_segment", {"row": 2, "side": "src", "seg": 0, "at": 2})
    assert [s.text for s in sh.src[2:4]] == ["s2", "text"] and len(sh.src) == 7
    assert beads(sh)[2:4] == [((2, 3), (2,)), ((4,), (3,))]
    back = apply(sh, "join_segments", {"row": 2, "side": "src", "seg": 0})
    assert [s.text for s in back.src] == [s.text for s in sheet(ONE).src] and beads(back) == ONE
    with pytest.raises(EditError, match="both parts"):
        apply(sheet(ONE), "split_segment", {"row": 2, "side": "src", "seg": 0, "at": 0})


def test_join_needs_two_neighbouring_segments_of_one_row():
    with pytest.raises(EditError, match="no two"):
        apply(sheet(ONE), "join_segments", {"row": 0, "side": "tgt", "seg": 0})


def test_edit_text_is_nfc_on_one_line_keeps_the_score_and_marks_the_row_edited():
    decomposed = unicodedata.normalize("NFD", "Việt Nam\nmới")
    sh = apply(sheet(ONE), "edit_text", {"row": 3, "side": "tgt", "seg": 0, "text": decomposed}, STAMP)
    assert sh.tgt[3].text == "Việt Nam mới" and unicodedata.is_normalized("NFC", sh.tgt[3].text)
    assert sh.rows[3].edited and sh.rows[3].score == 0.9 and sh.rows[3].changedate == STAMP.date
    with pytest.raises(EditError, match="empty"):
        apply(sheet(ONE), "edit_text", {"row": 3, "side": "tgt", "seg": 0, "text": "  \n "})


def test_unpair_then_pair_restores_the_row():
    sh = apply(sheet(ONE), "unpair", {"row": 1})
    assert beads(sh)[1:3] == [((1,), ()), ((), (1,))]
    back = apply(sh, "pair", {"row": 1, "other": 2})
    assert beads(back) == ONE
    with pytest.raises(EditError, match="one-sided already"):
        apply(sh, "unpair", {"row": 1})
    with pytest.raises(EditError, match="not a source-only and a target-only"):
        apply(sheet(ONE), "pair", {"row": 1, "other": 2})


def test_pair_across_a_row_holding_the_moving_side_is_refused_by_the_invariant():
    sh = sheet([((0,), (0,)), ((1,), ()), ((2,), (1,)), ((), (2,)), *ONE[3:]])
    with pytest.raises(EditError):
        apply(sh, "pair", {"row": 1, "other": 3})  # target 2 would come before target 1


def test_unpair_a_moved_row_puts_each_part_in_document_order():
    sh = sheet([((0,), (0,)), ((3,), (1,)), ((1, 2), (2, 3)), ((4,), (4,)), ((5,), (5,))])
    sh = Sheet(sh.src, sh.tgt, tuple(Row(r.src, r.tgt, moved=(k == 1)) for k, r in enumerate(sh.rows)))
    check_sheet(sh)
    out = apply(sh, "unpair", {"row": 1})
    assert beads(out) == [((0,), (0,)), ((), (1,)), ((1, 2), (2, 3)), ((3,), ()), ((4,), (4,)), ((5,), (5,))]
    with pytest.raises(EditError, match="unpair it first"):
        apply(sh, "merge", {"row": 1})


def test_confirm_reject_and_unknown_things_are_refused_cleanly():
    sh = apply(sheet(ONE), "set_status", {"row": 0, "status": "confirmed"}, STAMP)
    assert sh.rows[0].status == "confirmed" and sh.rows[0].review == "confirmed" and not sh.rows[0].edited
    assert apply(sh, "set_status", {"row": 1, "status": "rejected"}).rows[1].status == "rejected"
    for op, args in [("nope", {}), ("merge", {"row": 99}), ("merge", {"row": "1"}), ("merge", {"rows": 1}),
                     ("set_status", {"row": 0, "status": "maybe"}), ("shift", {"row": 1, "side": "x", "direction": "up"})]:
        with pytest.raises(EditError):
            apply(sh, op, args)


def test_a_structural_change_unconfirms_the_row():
    sh = apply(sheet(ONE), "set_status", {"row": 2, "status": "confirmed"})
    sh = apply(sh, "merge", {"row": 2})
    assert sh.rows[2].status == "unreviewed" and sh.rows[2].review == "edited"


def test_realign_entry_replaces_stretches_from_the_end():
    sh = sheet(ONE)
    new = apply(sh, "realign", {"stretches": [[0, 2, [Row((0, 1), (0, 1), 0.7).to_json()]],
                                              [4, 6, [Row((4,), (4, 5)).to_json(), Row((5,), ()).to_json()]]]})
    assert beads(new) == [((0, 1), (0, 1)), ((2,), (2,)), ((3,), (3,)), ((4,), (4, 5)), ((5,), ())]
