"""Anchor tokens (numbers, names, acronyms, URLs) and their banded match counts."""

from __future__ import annotations

import random
import sys
import unicodedata

import numpy as np

from align.core import lexical as lx
from align.core.lexical import candidate_tokens, find_anchors, fold, match_band, orphans, own_letters


def test_fold_removes_diacritics_and_case():
    assert fold("Lương Tam Quang") == "luong tam quang"
    assert fold("Đà Nẵng") == "da nang"
    assert fold("Straße") == "strasse"


def test_candidates_survive_translation():
    vi = candidate_tokens("Ông Lương Tam Quang nói UNODC năm 1992 có 1.000 người, xem www.unodc.org.")
    id_ = candidate_tokens("Menurut Luong Tam Quang, UNODC pada 1992 ada 1,000 orang, lihat www.unodc.org.")
    shared = vi & id_
    assert {"w:luong", "w:tam", "w:quang", "w:unodc", "n:1992", "n:1000", "u:www.unodc.org"} <= shared


def test_sentence_initial_capitals_are_not_names():
    toks = candidate_tokens("Yesterday it rained. Then Berlin froze.")
    assert "w:yesterday" not in toks and "w:then" not in toks
    assert "w:berlin" in toks


def test_acronyms_count_even_at_sentence_start():
    assert "w:nato" in candidate_tokens("NATO met today.")


def test_anchors_are_only_tokens_found_on_both_sides_weighted_by_rarity():
    a = find_anchors(["Chapter 1 in Bern", "Then 1988"], ["Capitolo 1 a Berna", "Poi 1988"])
    # "Bern" has no counterpart token on the target side ("Berna"): not an anchor
    assert a.src[0] == {"n:1": 1.0} and a.tgt[0] == {"n:1": 1.0}
    assert a.src[1] == {"n:1988": 1.0}
    # a token in two source segments and one target segment weighs 1/2
    a2 = find_anchors(["We saw Bern.", "We left Bern."], ["Wir sahen Bern."])
    assert a2.src == ({"w:bern": 0.5}, {"w:bern": 0.5})
    assert a2.tgt == ({"w:bern": 0.5},)
    assert not a2.empty
    assert find_anchors(["no names here"], ["keine namen"]).empty


def test_match_band_equals_brute_force():
    src = ["Anna 1990", "Bob", "Anna and Carl 2001", "x"]
    tgt = ["Anna 1990", "Carl 2001", "Bob", "Anna"]
    anchors = find_anchors(src, tgt)
    start = np.array([0, 0, 1, 2])
    end = np.array([3, 4, 4, 4])
    band = match_band(anchors, start, end, 4)
    for r in range(4):
        for j in range(start[r], end[r]):
            expected = sum(w for t, w in anchors.src[r].items() if t in anchors.tgt[j])
            assert band[r, j - start[r]] == np.float32(expected)
    assert band[0, 0] > 0 and band[2, 0] > 0  # Anna/1990; Carl/2001


def test_orphans_are_numbers_and_urls_the_other_text_lacks():
    src = [
        "Doanh thu giảm 1,8% trong tháng 7.",  # 1,8 and 7: the translation has 1.8 and 7
        "Năm 1992 ông đến Hà Nội.",  # 1992 is nowhere in the translation
        "Xem www.example.org để biết thêm.",  # the URL is missing
        "Ông Nguyễn Văn A phát biểu.",  # a name the translation lacks is not used
    ]
    tgt = ["Pendapatan turun 1.8% pada bulan 7.", "Dia datang ke Hanoi.", "Lihat situsnya.", "Pak A berbicara."]
    s, t = orphans(src, tgt)
    assert s.tolist() == [False, True, True, False]
    assert t.tolist() == [False, False, False, False]
    s, t = orphans(["Một câu."], ["Satu kalimat, 2024."])
    assert s.tolist() == [False] and t.tolist() == [True]


def _random_token_sets(rng: random.Random, n: int) -> list[set[str]]:
    """Candidate token sets as ``side_tokens`` makes them: numbers, URLs and folded words, some shared, some not."""
    pool = [f"n:{k}" for k in range(12)] + [f"u:site{k}.org" for k in range(4)] + [f"w:name{k}" for k in range(15)]
    pool += ["x:other", "nx", ""]  # no kind the package makes: never an orphan
    return [set(rng.sample(pool, rng.randint(0, 5))) for _ in range(n)]


def test_anchors_and_orphans_are_those_of_their_definitions():
    """Counted in C (``Counter``, set operations) where Python loops counted them: the same anchors, weights and order,
    and the same orphans, on random token sets."""
    rng = random.Random(12)
    for _ in range(200):
        cs, ct = _random_token_sets(rng, rng.randint(0, 9)), _random_token_sets(rng, rng.randint(0, 9))
        df_s = {t: sum(t in toks for toks in cs) for toks in cs for t in toks}
        df_t = {t: sum(t in toks for toks in ct) for toks in ct for t in toks}
        shared = {t: 1.0 / max(df_s[t], df_t[t]) for t in df_s if t in df_t}
        got = lx.anchors_of((cs, ct))
        for side, want_side in ((got.src, cs), (got.tgt, ct)):
            want = tuple({t: shared[t] for t in sorted(toks) if t in shared} for toks in want_side)
            assert side == want and [list(d) for d in side] == [list(d) for d in want]  # the order is summed in
        number_or_url = ("n:", "u:")
        all_s = {t for toks in cs for t in toks if t[:2] in number_or_url}
        all_t = {t for toks in ct for t in toks if t[:2] in number_or_url}
        o_s, o_t = orphans([""] * len(cs), [""] * len(ct), (cs, ct))
        assert o_s.tolist() == [any(t[:2] in number_or_url and t not in all_t for t in toks) for toks in cs]
        assert o_t.tolist() == [any(t[:2] in number_or_url and t not in all_s for t in toks) for toks in ct]


def test_numbers_in_any_script_match():
    assert "n:2019" in candidate_tokens("في عام ٢٠١٩ ذهب")  # Arabic-Indic digits
    assert "n:2019" in candidate_tokens("वर्ष २०१९ में")  # Devanagari
    assert "n:2019" in candidate_tokens("２０１９年に")  # full-width
    s, t = orphans(["Năm 2019 ông đến."], ["في عام ٢٠١٩ ذهب"])
    assert not s[0] and not t[0]


def _plain_candidate_tokens(text):
    """``candidate_tokens`` as a loop over every word (the definition the fast path must keep)."""
    out = {"u:" + lx.fold(m.group(0).rstrip(".,;:)")) for m in lx._URL.finditer(text)}
    rest = lx._URL.sub(" ", text)
    for m in lx._NUMBER.finditer(rest):
        digits = "".join(str(unicodedata.digit(c)) for c in m.group(0) if c.isdigit())
        out.add("n:" + (digits.lstrip("0") or "0"))
    for m in lx._WORD.finditer(rest):
        w = m.group(0).strip("'’-")
        upper = sum(c.isupper() for c in w)
        if len(w) >= 2 and upper and (upper >= 2 or not _starts_sentence(rest, m.start())):
            out.add("w:" + lx.fold(w))
    return out


def _starts_sentence(text, pos):
    """The word at ``pos`` opens the text or follows sentence punctuation (so its capital says nothing)."""
    k = pos - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or text[k] in lx._SENT_END


def test_candidates_found_by_runs_holding_a_capital_are_those_of_a_loop_over_every_word():
    rng = random.Random(3)
    # capitals inside a word, after two spaces or above U+FFFF take the general pattern; the rest the fast one
    alpha = [*"aAbBzZ09_-'’ .,Ⅻǅ ⒶİıßẞÉéĐđ@www.http://x.y ΣσςЖж日本\t\u00a0:«»(…", "  ", ". ", "𝐀", "𐐀", "𝐚", "Mc", "Do"]
    texts = ["Bộ trưởng Lương Tam Quang gặp UNODC tại Hà Nội năm 2019.", "iPhone A320 COVID-19 x@y.org www.un.org",
             "«Hôm nay», ông Nguyễn nói. Đó là ngày 25/10.", "Hà Nội.  Đà Nẵng", "l'ONU et d'Artagnan. 𝐀𝐁 lo"]
    texts += ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += ["".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(25)) for _ in range(3000)]
    for text in texts:
        assert candidate_tokens(text) == _plain_candidate_tokens(text), text
    assert lx.side_tokens(texts) == [_plain_candidate_tokens(t) for t in texts]  # the words folded all at once


def test_no_capital_lies_above_the_planes_searched_for_capitals():
    assert not [c for c in range(lx._LAST_CAPITAL + 1, sys.maxunicode + 1) if chr(c).isupper()]


def _loop_match_band(anchors, start, end, width):
    """``match_band`` as a loop over segments, tokens and matches: the float32 sums the search must keep."""
    out = np.zeros((len(anchors.src), max(width, 1)), dtype=np.float32)
    for r, toks in enumerate(anchors.src):
        for tok, w in toks.items():
            for j in range(int(start[r]), int(end[r])):
                if tok in anchors.tgt[j]:
                    out[r, j - start[r]] += w
    return out


def test_match_band_adds_in_the_order_of_the_loop_bit_for_bit():
    rng = random.Random(4)
    vocab = [f"w:{k}" for k in range(6)]
    for _ in range(300):
        n, m, width = rng.randint(0, 30), rng.randint(0, 30), rng.randint(1, 12)
        src = tuple({t: rng.choice([1.0, 0.5, 1 / 3, 0.1, 1 / 7]) for t in rng.sample(vocab, rng.randint(0, 4))}
                    for _ in range(n))
        tgt = tuple({t: 1.0 for t in rng.sample(vocab, rng.randint(0, 4))} for _ in range(m))
        anchors = lx.Anchors(src, tgt)
        start = np.array([rng.randint(0, max(m - 1, 0)) for _ in range(n)], dtype=np.int64)
        end = np.minimum(start + np.array([rng.randint(-2, width) for _ in range(n)], dtype=np.int64), m)
        want = _loop_match_band(anchors, start, end, width)
        assert match_band(anchors, start, end, width).tobytes() == want.tobytes()


def test_anchor_weights_do_not_depend_on_the_process_hash_seed():
    """Sets of strings iterate in another order in each process; the anchor sums must not (deterministic output)."""
    import subprocess
    import sys

    code = (
        "from align.core.lexical import find_anchors, match_band\n"
        "import numpy as np\n"
        "src = ['Ông Lý, bà Trần, Hà Nội, NASA, WHO, 2019, 45%, IBM, UN và EU ký ngày 3/5 tại Paris, Berlin.'] * 3\n"
        "tgt = ['Lý, Trần, Hà Nội, NASA, WHO, IBM, UN, EU, Paris dan Berlin, 2019, 45%, 3/5.'] * 3 + ['Paris 2019']\n"
        "a = find_anchors(src, tgt)\n"
        "t = a.totals()\n"
        "band = match_band(a, np.zeros(3, dtype=np.int64), np.full(3, 4, dtype=np.int64), 4)\n"
        "print([list(d) for d in a.src], t[0].tobytes().hex(), t[1].tobytes().hex(), band.tobytes().hex())\n"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outs) == 1


def test_own_letters_leave_out_what_two_lines_share_and_count_unspaced_scripts_as_words():
    credit, byline = "(Ảnh: Budi Santoso/TTXVN)", "Oleh Budi Santoso, 13/12/2025"
    shared = candidate_tokens(credit) & candidate_tokens(byline)
    assert shared == {"w:santoso"}  # "Budi" opens a sentence (after the colon), so it is no name token
    assert own_letters(credit, shared) == len("ẢnhBudiTTXVN")
    assert own_letters(byline, shared) == len("OlehBudi")  # the date is no letters
    assert own_letters(byline, set()) == len("OlehBudiSantoso")
    assert own_letters("Xem https://vietnam.vn/tin-moi ngay", set()) == len("Xemngay")  # a URL is no words
    assert own_letters("他笑了。", set()) == 3 * 3  # a Han character weighs about a word: 3 letters


def test_an_ascii_number_reads_as_the_digit_table_reads_it():
    """``_digits``' fast path for ASCII matches gives what ``str.translate`` with the digit table gives, and a
    number in another script's digits still reads as 0-9."""
    rng = np.random.default_rng(0)
    alphabet = list("0123456789.,  x") + ["\u00a0", "\u202f", "٣", "३", "３"]
    texts = ["".join(rng.choice(alphabet, size=rng.integers(1, 30))) for _ in range(3000)]
    matches = [g for t in texts for g in lx._NUMBER.findall(t)]
    assert sum(g.isascii() for g in matches) > 1000 and sum(not g.isascii() for g in matches) > 100
    assert all(lx._digits(g) == g.translate(lx._DIGITS) for g in matches)
    assert lx._digits("2.019,5") == "20195" and lx._digits("٢٠١٩") == "2019"
