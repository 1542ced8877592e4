"""An editing session: the journal (fsync'd, replayed, torn tail dropped), undo/redo across restarts, save,
the version check, and realign around confirmed rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from editor_data import SRC, TGT, small_report

from align.common.errors import InputError
from align.editor.model import EditError
from align.editor.session import Conflict, Session
from align.embedding import load_encoder


def beads(s: Session) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(r.src, r.tgt) for r in s.sheet.rows]


def test_a_report_opens_as_its_rows(tmp_path):
    s = Session(small_report(tmp_path, [([0, 1], [0]), ([2], [1, 2]), ([3], []), ([], [3]),
                                        *[([k], [k]) for k in range(4, 10)]]))
    assert beads(s)[:4] == [((0, 1), (0,)), ((2,), (1, 2)), ((3,), ()), ((), (3,))]
    assert [x.text for x in s.sheet.src] == SRC and [x.text for x in s.sheet.tgt] == TGT
    assert s.meta.model_id == "hash-256" and s.meta.src_lang == "vi" and s.version == 0


def test_every_edit_is_in_the_journal_before_it_returns_and_a_restart_replays_it(tmp_path):
    report = small_report(tmp_path)
    s = Session(report, user="ana")
    s.do("shift", {"row": 2, "side": "tgt", "direction": "down"}, version=0)
    s.do("set_status", {"row": 0, "status": "confirmed"}, version=1)
    lines = (tmp_path / "x.report.json.edits").read_text("utf-8").splitlines()
    assert [json.loads(x)["op"] for x in lines] == ["shift", "set_status"]
    assert json.loads(lines[0])["by"] == "ana"
    again = Session(report)
    assert again.sheet == s.sheet and again.version == 2


def test_undo_and_redo_survive_a_restart(tmp_path):
    report = small_report(tmp_path)
    s = Session(report)
    s.do("merge", {"row": 0})
    s.do("merge", {"row": 0})
    s.do("undo")
    assert beads(s)[0] == ((0, 1), (0, 1))
    again = Session(report)
    assert beads(again)[0] == ((0, 1), (0, 1))
    again.do("undo")
    assert beads(again)[0] == ((0,), (0,))
    again.do("redo")
    again.do("redo")
    assert beads(again)[0] == ((0, 1, 2), (0, 1, 2))
    with pytest.raises(EditError, match="nothing to redo"):
        again.do("redo")
    assert again.version == 6  # the refused redo is not journaled


def test_a_refused_operation_changes_nothing_and_is_not_journaled(tmp_path):
    report = small_report(tmp_path)
    s = Session(report)
    with pytest.raises(EditError):
        s.do("shift", {"row": 0, "side": "src", "direction": "up"})
    assert s.version == 0 and not (tmp_path / "x.report.json.edits").exists()


def test_a_stale_version_is_a_conflict(tmp_path):
    s = Session(small_report(tmp_path))
    s.do("merge", {"row": 0}, version=0)
    with pytest.raises(Conflict, match="changed elsewhere"):
        s.do("merge", {"row": 0}, version=0)
    assert s.version == 1


def test_a_journal_line_cut_short_by_a_crash_is_dropped(tmp_path):
    report = small_report(tmp_path)
    s = Session(report)
    s.do("merge", {"row": 0})
    s.close()
    with open(tmp_path / "x.report.json.edits", "a", encoding="utf-8") as f:
        f.write('{"seq": 2, "op": "merge", "args": {"ro')  # killed while writing: never acknowledged
    again = Session(report)
    assert again.version == 1
    again.do("merge", {"row": 1})
    assert Session(report).version == 2


def test_a_damaged_journal_line_in_the_middle_is_an_input_error(tmp_path):
    report = small_report(tmp_path)
    (tmp_path / "x.report.json.edits").write_text('garbage\n{"seq": 1, "op": "merge", "args": {"row": 0}}\n')
    with pytest.raises(InputError, match="damaged"):
        Session(report)


def test_save_compacts_the_journal_into_the_edited_file_and_keeps_the_history(tmp_path):
    report = small_report(tmp_path)
    s = Session(report)
    s.do("merge", {"row": 0})
    s.do("edit_text", {"row": 1, "side": "src", "seg": 0, "text": "Câu mới"})
    path = s.save()
    assert path.endswith("x.edited.json")
    assert (tmp_path / "x.report.json.edits").read_text() == ""
    saved = json.loads((tmp_path / "x.edited.json").read_text("utf-8"))
    assert saved["format"] == "align-edited" and len(saved["entries"]) == 2 and saved["src"][2][0] == "Câu mới"
    again = Session(report)
    assert again.sheet == s.sheet and again.version == 2
    again.do("undo")
    again.do("undo")
    assert beads(again) == [((k,), (k,)) for k in range(10)]


def test_a_crash_between_save_and_emptying_the_journal_replays_nothing_twice(tmp_path):
    report = small_report(tmp_path)
    s = Session(report)
    s.do("merge", {"row": 0})
    journal = (tmp_path / "x.report.json.edits").read_text("utf-8")
    s.save()
    (tmp_path / "x.report.json.edits").write_text(journal, "utf-8")  # the truncation never happened
    again = Session(report)
    assert again.version == 1 and beads(again)[0] == ((0, 1), (0, 1))


class CountingEncoder:
    """The hash encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = load_encoder("hash")
        self.model_id = self.inner.model_id
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


def test_realign_keeps_confirmed_rows_and_realigns_only_between_them(tmp_path):
    # rows 0-2 scrambled, row 3 confirmed (even though a person paired it oddly), rows 4-9 scrambled
    scrambled = [([0, 1], [0]), ([2], [1, 2]), ([3], [3]), ([4], []), ([5], [4, 5]), ([6, 7], [6]), ([8], [7, 8]),
                 ([9], [9])]
    enc = CountingEncoder()
    s = Session(small_report(tmp_path, scrambled), encoder_factory=lambda model_id: enc)
    s.do("set_status", {"row": 2, "status": "confirmed"})
    s.do("shift", {"row": 7, "side": "src", "direction": "up"})  # row 6 now [8, 9]: [7, 8]
    s.do("set_status", {"row": 6, "status": "confirmed"})
    confirmed = [r for r in s.sheet.rows if r.status == "confirmed"]
    s.realign()
    assert [r for r in s.sheet.rows if r.status == "confirmed"] == confirmed
    got = beads(s)
    assert got[:4] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]  # realigned, then the confirmed row
    assert got[-2:] == [((8, 9), (7, 8)), ((), (9,))]  # the confirmed row as the person made it; a one-sided rest
    assert set(enc.texts) <= set(SRC) | set(TGT)  # nothing but the segments' own text embedded
    assert not any(TGT[9] == t for t in enc.texts)  # the stretch after the last confirmed row is one-sided: no vectors
    s.do("undo")
    assert [r.status for r in s.sheet.rows].count("confirmed") == 2 and beads(s)[0] == ((0, 1), (0,))


def test_realign_stretch_gets_the_aligner_beads_on_a_clean_pair(tmp_path):
    enc = CountingEncoder()
    s = Session(small_report(tmp_path, [([0, 1, 2], [0]), ([3], [1, 2, 3]), *[([k], [k]) for k in range(4, 10)]]),
                encoder_factory=lambda model_id: enc)
    s.realign()
    assert beads(s) == [((k,), (k,)) for k in range(10)]
    assert all(isinstance(r.score, float) and 0 <= r.score <= 1 for r in s.sheet.rows)


def test_realign_without_a_model_says_how_to_give_one(tmp_path):
    s = Session(small_report(tmp_path))
    with pytest.raises(EditError, match="--model"):
        s.realign()


def test_vectors_are_not_needed_to_replay_a_realign(tmp_path):
    report = small_report(tmp_path, [([0, 1, 2], [0]), ([3], [1, 2, 3]), *[([k], [k]) for k in range(4, 10)]])
    s = Session(report, encoder_factory=lambda model_id: CountingEncoder())
    s.realign()
    again = Session(report)  # no encoder: the journal holds the rows realign found
    assert again.sheet == s.sheet
    assert np.all([r.score is not None for r in again.sheet.rows])


def test_realign_embeds_only_text_the_run_did_not_embed_with_the_cache(tmp_path):
    """With the run's embedding cache (``--cache``), realign embeds nothing but edited or re-split text."""
    from editor_data import PAIR

    from align.editor.app import encoder_factory
    from align.pipeline.pair import RunOptions, align_pair

    cache = str(tmp_path / "emb.sqlite")
    report = tmp_path / "s.report.json"
    align_pair(str(PAIR / "vi.txt"), str(PAIR / "id.txt"), load_encoder("hash", cache=cache), RunOptions(),
               outputs={"report_json": str(report)})
    make = encoder_factory(None, cache)  # the model is found by the id the report names
    s = Session(report, encoder_factory=make)
    s.do("edit_text", {"row": 1, "side": "src", "seg": 0, "text": "Một câu đã sửa."})
    s.do("split_segment", {"row": 5, "side": "tgt", "seg": 0, "at": 12})
    s.realign()
    enc = s.encoder()
    assert enc.model_id == s.meta.model_id == "hash-256"
    assert enc.texts_embedded == 3  # the edited sentence and the two halves of the split one


def test_a_model_the_alignment_names_but_no_registry_entry_gives_is_a_usage_error(tmp_path):
    from align.common.errors import UsageError
    from align.editor.app import encoder_factory

    with pytest.raises(UsageError, match="--model"):
        encoder_factory(None, None)("some-model/that-is-nowhere")


def test_the_warm_up_loads_the_aligner_even_when_the_model_cannot_be_loaded(tmp_path, monkeypatch):
    """A missing model is reported by the realign that needs it, not by the background warm-up."""
    from align.common.errors import ModelError

    calls, warmed = [], []

    def broken(model_id):
        calls.append(model_id)
        raise ModelError(f"no model {model_id}")

    monkeypatch.setattr("align.core.warm.warm_up", lambda *langs: warmed.append(langs))
    s = Session(small_report(tmp_path), encoder_factory=broken)
    s.warm()
    assert len(calls) == 1 and len(warmed) == 1
    s.do("set_status", {"row": 0, "status": "confirmed"})
    with pytest.raises(ModelError):
        s.realign()
    assert len(calls) == 2
