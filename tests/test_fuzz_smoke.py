"""A quick hypothesis run of the fuzz checks (``tests/fuzz/fuzz_readers.py``), plus the crashes fuzzing found.

The readers and the segmenter must return what their contract says or raise an
``AlignError``: never another exception, never a span that loses a character.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
# Each harness function raises (AssertionError / InvariantError) when its input breaks the contract.
from fuzz_readers import SEEDS  # noqa: E402
from fuzz_readers import fuzz_document as check_document_contract  # noqa: E402
from fuzz_readers import fuzz_read_text as check_read_text_contract  # noqa: E402
from fuzz_readers import fuzz_split as check_split_contract  # noqa: E402
from fuzz_readers import run_one as check_any_target  # noqa: E402

from align.reading.read import document_from_text, read_document  # noqa: E402

# Characters that matter to the readers: markup, line ends, quotes, sentence ends,
# Vietnamese letters and combining marks, controls, BOM, wide punctuation.
_ALPHABET = st.sampled_from(
    list("abc XYZ.!?…,;:\"'“”«»()[]<>/&#=-—•*\n\r\t\u2028\u0085\x0b\x0c\x00\x01\x0f\x1f\x7f\ufeff\u00a0\u200b")
    + ["ệ", "Đ", "ư", "\u0301", "\u0323", "。", "！", "<p>", "</p>", "<br>", "<div class=menu>", "<!--", "-->",
       "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&amp;", "&a;", "<script>", "</script>", "inbound1.jpg", "Sumber: http://x.id/a",
       "Dr.", "No. 5", "3.5", "U.S.", "PGS.TS.", "...", "<html>", "<body>", "<?xml version='1.0'?>", "<tmx"]
)
_TEXT = st.lists(_ALPHABET, max_size=80).map("".join)
_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.binary(max_size=300) | st.sampled_from(SEEDS), st.sampled_from(["vi", "id", "en", None]))
def test_read_text_contract(data, lang):
    check_read_text_contract(data, lang)


@_SETTINGS
@given(_TEXT, st.sampled_from(["vi", "id", "en", "xx"]), st.sampled_from(["text", "html", "presplit", "auto"]),
       st.booleans(), st.booleans())
def test_document_from_text_contract(text, lang, fmt, split, force):
    check_document_contract(text, lang, fmt, split, force)


@_SETTINGS
@given(_TEXT | st.text(max_size=200), st.sampled_from(["vi", "id", "en"]))
def test_split_sentences_contract(text, lang):
    check_split_contract(text, lang)


@_SETTINGS
@given(st.binary(min_size=2, max_size=400))
def test_fuzz_dispatch(data):
    check_any_target(data)


# --- crashes and slow inputs found by fuzzing (regressions) ---------------------------------


def test_control_character_in_a_dropped_elements_tail_is_not_a_crash():
    """lxml parsed a C0 control character but refused it when the reader moved a dropped <nav>'s tail text."""
    html = "<html><body><nav>Menu</nav>\x0fVăn bản.<p>Đoạn hai.</p></body></html>"
    doc = document_from_text(html, "page.html", "vi", force=True)
    assert [s.text for s in doc.segments] == ["Văn bản.", "Đoạn hai."]


def test_control_characters_in_an_html_file(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes("<html><body><nav>Menu</nav>\x01\x1fChào.<p>Một\x07 hai.</p></body></html>".encode())
    doc = read_document(f, "vi", force=True)
    assert [s.text for s in doc.segments] == ["Chào.", "Một hai."]


def test_doctype_subset_after_a_comment_leaves_no_debris():
    """A DOCTYPE with an internal subset after a comment leaked "%pe;]>" into the text."""
    html = '<!-- saved -->\n<!DOCTYPE html [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]><p>Nhà mới.</p>'
    assert document_from_text(html, "p.html", "vi", force=True).text == "Nhà mới."


@pytest.mark.parametrize("seed", SEEDS)
def test_seeds_pass_every_target(seed):
    for choice in range(16):
        for flags in (0, 1, 2, 0x41, 0x82, 0xC3):
            check_any_target(bytes([choice, flags]) + seed)


def test_long_inputs_stay_fast():
    start = time.perf_counter()
    for body in ("a." * 20000, "<p>" * 3000 + "x", "“" * 20000, "Dr. " * 5000, "\n" * 50000 + "x"):
        check_split_contract(body, "vi")
        check_document_contract(body, "vi", "auto", True, True)
    assert time.perf_counter() - start < 60


def test_long_paragraph_is_not_cut_short_by_nltks_regex_timeout(monkeypatch):
    """nltk.redos timed Punkt's whole lazy boundary scan (5 s wall clock, our work included):
    a long paragraph on a busy machine raised TimeoutError. A tiny limit makes that certain."""
    import nltk.redos

    from align.reading.segment import split_sentences

    monkeypatch.setattr(nltk.redos, "DEFAULT_TIMEOUT", 0.05)
    text = "Câu một hai ba. " * 20000
    spans = split_sentences(text, "vi")
    assert len(spans) == 20000
