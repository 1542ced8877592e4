"""Evaluation runs on tiny folders (HashEncoder): discovery, scores, beads kept, text and JSON output."""

from __future__ import annotations

import json

import pytest

from align.common.errors import InputError
from align.embedding import HashEncoder
from align.tools.evaluate import CountingEncoder, evaluate_dirs, find_doc_dirs, format_result, result_to_json
from align.tools.gold import format_beads, read_beads


def _write_doc(folder, src, tgt, gold):
    folder.mkdir(parents=True)
    (folder / "src.txt").write_text("\n".join(src) + "\n", encoding="utf-8")
    (folder / "tgt.txt").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    (folder / "gold.txt").write_text(format_beads(gold), encoding="utf-8")


LEX = {"nha": "rumah", "toi": "saya", "lon": "besar", "meo": "kucing", "den": "hitam", "ngu": "tidur", "cho": "anjing"}


def test_evaluate_dirs_finds_documents_recursively_and_scores_them(tmp_path):
    src = ["toi nha lon", "meo den ngu", "cho ngu nha"]
    tgt = ["saya rumah besar", "kucing hitam tidur", "anjing tidur rumah"]
    gold = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    _write_doc(tmp_path / "set" / "a" / "d1", src, tgt, gold)
    _write_doc(tmp_path / "set" / "d2", src[:2], tgt[:2], gold[:2])
    assert [p.name for p in find_doc_dirs(tmp_path / "set")] == ["d1", "d2"]
    res = evaluate_dirs([str(tmp_path / "set")], HashEncoder(lexicon=LEX), beads_dir=str(tmp_path / "out"))
    s = res.scores()
    assert s.strict_f1 == 1.0
    assert len(res.all_docs()) == 2
    assert res.signature.startswith("align:") and "|model:hash-256|" in res.signature
    # every bead of these clean pairs scores >= 0.5 and is right
    n, correct = res.by_threshold["set"][0.5]
    assert n == correct == 5
    kept = sorted(p.name for p in (tmp_path / "out" / "set").iterdir())
    assert kept == ["a__d1.txt", "d2.txt"]
    assert read_beads(tmp_path / "out" / "set" / "d2.txt") == gold[:2]
    text = format_result(res, per_doc=True)
    assert "signature: align:" in text and "d2" in text
    data = result_to_json(res)
    json.dumps(data)
    assert data["sets"]["set"]["scores"]["strict_f1"] == 1.0
    assert data["sets"]["set"]["precision_by_score"]["0.5"]["beads"] == 5
    # monotone, contiguous gold: the ceiling is reachable
    assert res.ceiling("set").strict_f1 == 1.0 and data["sets"]["set"]["ceiling_strict_f1"] == 1.0
    assert "monotone ceiling" in text


def test_evaluate_dirs_rejects_gold_pointing_past_the_text(tmp_path):
    _write_doc(tmp_path / "s" / "d", ["a"], ["b"], [((0,), (3,))])
    with pytest.raises(InputError, match="past the end"):
        evaluate_dirs([str(tmp_path / "s")], HashEncoder())


def test_evaluate_dirs_needs_document_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no folder"):
        evaluate_dirs([str(tmp_path / "empty")], HashEncoder())


def test_eval_counts_the_texts_the_alignment_embedded(tmp_path):
    """``embedded_per_segment``: segments and merged windows the aligner asked the model for (issue 20's cost)."""
    src = ["toi nha lon", "meo den ngu", "cho ngu nha"]
    tgt = ["saya rumah besar kucing hitam tidur", "anjing tidur rumah"]
    _write_doc(tmp_path / "set" / "d1", src, tgt, [((0, 1), (0,)), ((2,), (1,))])
    res = evaluate_dirs([str(tmp_path / "set")], HashEncoder(lexicon=LEX))
    doc = res.all_docs()[0]
    assert doc.embedded >= len(src) + len(tgt)  # every segment once, plus the windows of the merge it chose
    js = result_to_json(res)
    assert js["sets"]["set"]["embedded_per_segment"] == pytest.approx(doc.embedded / 5)
    assert "texts embedded / segments" in format_result(res)


def test_the_count_is_of_the_distinct_texts_each_document_asks_for():
    """A window asked for again (the reorder round) reaches the model once; the next document counts anew."""
    counting = CountingEncoder(HashEncoder())
    counting.document()
    counting.encode(["a b", "c", "a b"])
    counting.encode(["c", "d"])
    assert counting.texts == 3
    counting.document()
    counting.encode(["c"])
    assert counting.texts == 4


def test_swap_aligns_the_other_way_round_against_the_swapped_gold(tmp_path):
    """``swap``: tgt.txt is the source, the gold's sides swap with it, the set is named ``<set>-swapped``."""
    src = ["toi nha lon", "meo den ngu", "cho ngu nha"]
    tgt = ["saya rumah besar kucing hitam tidur", "anjing tidur rumah"]
    gold = [((0, 1), (0,)), ((2,), (1,))]
    _write_doc(tmp_path / "set" / "d1", src, tgt, gold)
    forward = evaluate_dirs([str(tmp_path / "set")], HashEncoder(lexicon=LEX))
    swapped = evaluate_dirs([str(tmp_path / "set")], HashEncoder(lexicon=LEX), beads_dir=str(tmp_path / "out"),
                            swap=True)
    assert list(swapped.sets) == ["set-swapped"]
    doc = swapped.all_docs()[0]
    assert (doc.n_src, doc.n_tgt) == (len(tgt), len(src))  # as aligned: tgt.txt's lines are the source
    # the 2-1 merge is found either way, and scored against the gold of its own direction
    assert forward.scores().strict_f1 == swapped.scores().strict_f1 == 1.0
    assert read_beads(tmp_path / "out" / "set-swapped" / "d1.txt") == [((0,), (0, 1)), ((1,), (2,))]
    assert "set-swapped" in format_result(swapped)


def test_swap_gives_each_side_its_own_language(tmp_path, monkeypatch):
    """``--src-lang`` names src.txt's language: swapped, it counts the sentences of the target side."""
    import align.tools.evaluate as evaluate

    seen = []
    real = evaluate.align_segments

    def spy(src, tgt, encoder, **kw):
        seen.append((src[0], kw["src_lang"], kw["tgt_lang"]))
        return real(src, tgt, encoder, **kw)

    monkeypatch.setattr(evaluate, "align_segments", spy)
    _write_doc(tmp_path / "set" / "d1", ["toi nha lon"], ["saya rumah besar"], [((0,), (0,))])
    evaluate_dirs([str(tmp_path / "set")], HashEncoder(lexicon=LEX), src_lang="vi", tgt_lang="id", swap=True)
    assert seen == [("saya rumah besar", "id", "vi")]
