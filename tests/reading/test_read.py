"""read_document / document_from_text: formats, blocks, segments, spans, errors."""

from __future__ import annotations

import codecs
import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from legacy_encodings import encode_cp1258

from align import Document
from align.common.errors import InputError, UsageError
from align.reading.read import document_from_text, read_document, text_blocks

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "seed_vietnamvn_id.txt"
SEED_VI = DATA / "seed_vietnamvn_vi.txt"
HTML = DATA / "news_page.html"

ID_PARA = (
    "Menteri Luong Tam Quang menyambut baik gagasan untuk mendirikan Pusat Regional UNODC di Vietnam. "
    "Ini akan menjadi langkah penting yang berkontribusi pada peningkatan peran Vietnam di komunitas internasional."
)
VI_PARA = (
    "Bộ trưởng Lương Tam Quang hoan nghênh ý tưởng thành lập Trung tâm khu vực của UNODC tại Việt Nam. "
    "Đây sẽ là bước đi quan trọng, góp phần nâng cao vai trò và vị thế của Việt Nam trên trường quốc tế."
)


def assert_spans_valid(doc: Document) -> None:
    """Every segment points into Document.text, and every visible character is in some segment."""
    covered = [False] * len(doc.text)
    for seg in doc.segments:
        start, end = seg.span
        raw = doc.text[start:end]
        assert " ".join(raw.split()) == " ".join(seg.text.split()), seg
        assert raw == raw.strip(), seg
        for i in range(start, end):
            covered[i] = True
    lost = [ch for ch, c in zip(doc.text, covered) if not c and not ch.isspace()]
    assert not lost, "".join(lost)[:80]


# --- the sample page ------------------------------------------------------------


def test_seed_page_one_block_per_line():
    doc = read_document(SEED, "id")
    non_empty = [line.strip() for line in doc.text.splitlines() if line.strip()]
    paras = sorted({s.para for s in doc.segments})
    assert paras == list(range(len(non_empty)))  # an image name and its caption are two blocks
    for seg in doc.segments:
        assert seg.text in non_empty[seg.para]
    assert_spans_valid(doc)
    assert doc.encoding == "utf-8" and doc.fmt == "text" and doc.warnings == ()


def test_seed_page_noise_and_content():
    doc = read_document(SEED, "id")
    noise = {s.text: s.reason for s in doc.noise}
    assert noise["inbound6430099935246812354.jpg"] == "image file name"
    assert noise["Vietnam.vn - Nền tảng quảng bá Việt Nam"] == "site boilerplate"
    assert noise["Komentar (0)"] == "comment box"
    assert len(doc.noise) == 24
    content_paras = {s.para for s in doc.content}
    assert len(content_paras) == 21
    first = doc.content[0]
    assert first.para == 1 and first.text.startswith("Langkah maju baru")
    texts = {s.text for s in doc.content}
    assert "Suasana dari acara resepsi." in texts
    assert "Menteri Luong Tam Quang berbicara pada acara resepsi tersebut." in texts
    # long paragraphs are split into sentences, in order, with their index in the block
    multi = [s for s in doc.content if s.para == 13]
    assert len(multi) == 3 and [s.index for s in multi] == [0, 1, 2]
    assert multi[1].text.startswith("Sejak UNODC mendirikan")


def test_paragraph_mode_keeps_blocks_whole():
    doc = read_document(SEED, "id", split=False)
    assert {s.kind for s in doc.content} == {"paragraph"}
    assert len(doc.content) == 21
    assert all(s.index == 0 for s in doc.segments)
    assert_spans_valid(doc)


def test_vietnamese_reconstruction_reads_alike():
    vi, id_ = read_document(SEED_VI, "vi"), read_document(SEED, "id")
    assert [s.para for s in vi.noise] == [s.para for s in id_.noise]


# --- plain-text paragraph shapes -----------------------------------------------

WRAPPED = """The Hanoi Convention was opened for signature on Saturday, and
the minister said that it was the first global legal instrument
against cybercrime in more than two decades.

Both sides agreed to deepen the existing mechanisms of cooperation,
in particular the network of border liaison offices, and to train
officers in digital investigation.
"""


def test_hard_wrapped_text_joins_lines_into_paragraphs():
    doc = document_from_text(WRAPPED, "w.txt", "en")
    assert sorted({s.para for s in doc.segments}) == [0, 1]
    first = doc.content[0]
    assert first.text.startswith("The Hanoi Convention was opened for signature on Saturday, and the minister")
    assert "\n" not in first.text and "\n" in doc.text[first.span[0]:first.span[1]]
    assert_spans_valid(doc)


def test_line_per_paragraph_without_blank_lines():
    text = "Langkah maju baru dalam kerja sama.\n" + ID_PARA + "\nSuasana dari acara resepsi.\n" + ID_PARA + "\n"
    doc = document_from_text(text, "x.txt", "id")
    assert sorted({s.para for s in doc.segments}) == [0, 1, 2, 3]


def test_wrapped_mode_splits_bullets_and_file_names():
    text = (
        "The report lists the priorities that both sides agreed on during\n"
        "the meeting in Hanoi, which lasted for most of the afternoon:\n"
        "- border management and the exchange of information\n"
        "- training for the police in the analysis of digital evidence\n\n"
        "photo_2025.jpg\n"
        "The minister speaks at the reception, next to the director\n"
        "of the regional office of the United Nations agency.\n"
    )
    blocks = [" ".join(text[b.start:b.end].split()) for b in text_blocks(text)]
    assert blocks == [
        "The report lists the priorities that both sides agreed on during the meeting in Hanoi, which lasted for most of the afternoon:",
        "- border management and the exchange of information",
        "- training for the police in the analysis of digital evidence",
        "photo_2025.jpg",
        "The minister speaks at the reception, next to the director of the regional office of the United Nations agency.",
    ]


def test_short_list_lines_in_blank_separated_groups_stay_separate():
    text = "Judul berita tentang kerja sama regional\n\n" + ID_PARA + "\n\nfoto.jpg\nSuasana acara.\n\n" + ID_PARA + "\n"
    assert len(text_blocks(text)) == 5


# --- pre-split --------------------------------------------------------------------


def test_presplit_one_segment_per_non_empty_line():
    text = "Câu thứ nhất. Vẫn là dòng một.\n\ninbound123.jpg\n  Dòng ba có khoảng trắng.  \n"
    doc = document_from_text(text, "src.txt", "vi", "presplit")
    assert [s.text for s in doc.segments] == ["Câu thứ nhất. Vẫn là dòng một.", "inbound123.jpg", "Dòng ba có khoảng trắng."]
    assert [s.para for s in doc.segments] == [0, 1, 2]  # blank lines skipped: indices count non-empty lines
    assert {s.kind for s in doc.segments} == {"sentence"}  # used as is: no noise, no splitting
    assert doc.fmt == "presplit"
    assert_spans_valid(doc)
    assert {s.kind for s in document_from_text(text, "src.txt", "vi", "presplit", split=False).segments} == {"paragraph"}


# --- HTML ---------------------------------------------------------------------------


def test_html_news_page_blocks():
    doc = read_document(HTML, "id")
    assert doc.fmt == "html"
    paras: dict[int, list[str]] = {}
    for s in doc.segments:
        paras.setdefault(s.para, []).append(s.text)
    blocks = [" ".join(v) for _, v in sorted(paras.items())]
    assert blocks == [
        "Langkah maju baru dalam kerja sama antara Vietnam dan PBB",
        "25/10/2025 14:30",
        "Pada sore hari tanggal 25 Oktober, di Hanoi, Menteri Luong Tam Quang menerima Ibu Ghada Waly, Direktur Eksekutif UNODC.",
        "Menteri menyampaikan ucapan selamat atas keberhasilan upacara pembukaan Konvensi Hanoi. Dokumen ini memiliki dampak terluas.",
        "Suasana dari acara resepsi.",
        "Kerja sama regional",
        "Kedua belah pihak sepakat untuk memperkuat kerja sama dalam peningkatan kapasitas & pelatihan.",
        "Manajemen perbatasan",
        "Kejahatan teknologi tinggi",
        "Solidaritas adalah kunci.",
        "Teks langsung di dalam div. Lanjutan dalam span.",
        "Sel pertama",
        "Sel kedua",
    ]
    assert [s.reason for s in doc.noise] == ["byline/date line"]
    for gone in ("tracking", "Warisan", "Beranda", "Facebook", "Komentar", "Tempat hiburan", "Cari", "©", "JavaScript"):
        assert gone not in doc.text
    assert doc.text == "\n\n".join(blocks)
    assert_spans_valid(doc)


def test_html_by_content_in_a_txt_file(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text("<!DOCTYPE html><html><body><p>" + ID_PARA + "</p></body></html>", encoding="utf-8")
    doc = read_document(f, "id")
    assert doc.fmt == "html" and len(doc.content) == 2 and "<p>" not in doc.text


def test_html_forced_as_text_keeps_tags():
    doc = document_from_text("<p>" + ID_PARA + "</p>", "page.html", "id", "text")
    assert doc.fmt == "text" and doc.content[0].text.startswith("<p>")


def test_malformed_html_still_reads():
    html = "<div><p>" + ID_PARA + "<p>Paragraf kedua <b>tanpa penutup<li>Butir daftar"
    doc = document_from_text(html, "bad.htm", "id")
    assert [s.text for s in doc.segments][-2:] == ["Paragraf kedua tanpa penutup", "Butir daftar"]
    assert_spans_valid(doc)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Judul</title><script>var a = 'teks';</script></head><body>  </body></html>",
        "<html><body><nav>Beranda</nav><!-- komentar --></body></html>",
        "<!DOCTYPE html>",
        "<html></html>",
    ],
)
def test_html_without_text_is_an_input_error(html):
    with pytest.raises(InputError, match="no visible text"):
        document_from_text(html, "empty.html", "id")


def test_absurdly_deep_html_is_refused_not_crashed():
    html = "<html><body>" + "<div>" * 5000 + "Teks." + "</div>" * 5000 + "</body></html>"
    with pytest.raises(InputError, match="cannot parse the HTML: Excessive depth"):
        document_from_text(html, "deep.html", "id")


def test_br_is_a_space_and_double_br_a_paragraph_break():
    html = "<body><p>Baris satu<br>baris dua.<br><br>Paragraf baru.</p></body>"
    doc = document_from_text(html, "br.html", "id", split=False)
    assert [s.text for s in doc.segments] == ["Baris satu baris dua.", "Paragraf baru."]


def test_html_entities_are_not_expanded_from_a_dtd():
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        ' <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        "<html><body><p>Kalimat &lol2; dan &xxe; selesai &amp; aman.</p></body></html>"
    )
    doc = document_from_text(html, "x.xhtml", "id")
    assert [s.text for s in doc.segments] == ["Kalimat &lol2; dan &xxe; selesai & aman."]
    assert "root:" not in doc.text and "]>" not in doc.text


def test_html_class_signals_and_article_choice():
    html = """<html><body>
      <div id="main-menu"><p>Menu utama</p></div>
      <div class="container has-sidebar"><article><h1>Judul artikel yang benar</h1><p>%s</p>
        <div class="social-share">Bagikan ke teman</div></article></div>
      <article class="card"><p>Kartu pendek.</p></article>
      <div role="navigation">Navigasi</div>
      <p class="cookie-consent">Kami memakai cookie.</p>
    </body></html>""" % ID_PARA
    doc = document_from_text(html, "c.html", "id")
    assert doc.text.split("\n\n") == ["Judul artikel yang benar", ID_PARA]


def test_teaser_card_articles_do_not_hide_the_story():
    html = (
        "<html><body><h1>Judul berita yang sebenarnya di sini</h1><div class='story'><p>%s</p><p>%s</p></div>"
        "<article class='teaser'><p>Kartu pendek.</p></article></body></html>" % (ID_PARA, ID_PARA)
    )
    doc = document_from_text(html, "t.html", "id")
    assert doc.text.split("\n\n")[:3] == ["Judul berita yang sebenarnya di sini", ID_PARA, ID_PARA]


# --- language check ------------------------------------------------------------


def test_swapped_languages_are_refused_unless_forced():
    with pytest.raises(InputError) as e:
        read_document(SEED, "vi")
    msg = str(e.value)
    assert "looks like Indonesian (id), not Vietnamese (vi)" in msg and "--force" in msg
    assert str(SEED) in msg and e.value.exit_code == 3
    doc = read_document(SEED, "vi", force=True)
    assert doc.lang == "vi" and len(doc.content) > 20


def test_short_text_is_not_language_checked():
    doc = document_from_text("Suasana dari acara resepsi.", "x.txt", "vi")
    assert doc.content[0].text == "Suasana dari acara resepsi."


# --- encodings and files, end to end -------------------------------------------


def test_windows_1258_file(tmp_path):
    f = tmp_path / "vi.txt"
    f.write_bytes(encode_cp1258(VI_PARA + "\n"))
    doc = read_document(f, "vi")
    assert doc.encoding == "cp1258" and any("cp1258" in w for w in doc.warnings)
    assert " ".join(s.text for s in doc.content) == VI_PARA
    assert all(unicodedata.is_normalized("NFC", s.text) for s in doc.segments)


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_file(tmp_path, codec, bom):
    f = tmp_path / "vi.txt"
    f.write_bytes(bom + (VI_PARA + "\r\n").encode(codec))
    doc = read_document(f, "vi")
    assert doc.encoding == codec and doc.content[0].text.startswith("Bộ trưởng")


def test_nfd_file_gives_nfc_segments(tmp_path):
    f = tmp_path / "vi.txt"
    f.write_bytes(unicodedata.normalize("NFD", VI_PARA).encode("utf-8"))
    doc = read_document(f, "vi")
    assert " ".join(s.text for s in doc.content) == VI_PARA
    assert any("NFC" in w for w in doc.warnings)


def test_document_from_text_normalises_too():
    doc = document_from_text(unicodedata.normalize("NFD", VI_PARA), "x.txt", "vi")
    assert doc.text == VI_PARA and doc.warnings


def test_mixed_line_endings(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_bytes(("Judul berita\r\n\r\n" + ID_PARA + "\r" + "Suasana acara.\n" + ID_PARA).encode("utf-8"))
    doc = read_document(f, "id")
    assert "\r" not in doc.text
    assert sorted({s.para for s in doc.segments}) == [0, 1, 2, 3]
    assert_spans_valid(doc)


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda p: None, "file not found"),
        (lambda p: p.mkdir(), "is a folder"),
        # a PDF or a zip is read by its own reader whatever its name (tests/reading/test_office.py): these are damaged
        (lambda p: p.write_bytes(b"%PDF-1.4\n"), "not a readable PDF"),
        (lambda p: p.write_bytes(b"PK\x03\x04rest"), "zip archive, but not a Word"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\nrest"), "PNG image"),
        (lambda p: p.write_bytes(b"abc\x00def"), "NUL bytes"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(b"  \n\n \t"), "only whitespace"),
    ],
)
def test_bad_files_are_input_errors(tmp_path, setup, message):
    p = tmp_path / "input.txt"
    setup(p)
    with pytest.raises(InputError, match=message) as e:
        read_document(p, "vi")
    assert str(p) in str(e.value)


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown input format"):
        document_from_text("abc", "x.txt", "vi", "rtf")


def test_explicit_encoding(tmp_path):
    f = tmp_path / "de.txt"
    f.write_bytes("Die Straße führt über die Brücke.".encode("cp1252"))
    doc = read_document(f, "de", encoding="cp1252")
    assert doc.encoding == "cp1252" and doc.content[0].text == "Die Straße führt über die Brücke."


def test_one_megabyte_line_without_newline():
    sentence = ("Menteri menyatakan bahwa kerja sama internasional " * 8).strip() + ". "
    text = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    start = time.perf_counter()
    doc = document_from_text(text, "big.txt", "id")
    assert time.perf_counter() - start < 30
    assert len({s.para for s in doc.segments}) == 1 and len(doc.content) > 2000


# --- invariants --------------------------------------------------------------------

_pieces = st.sampled_from(
    ["Bộ trưởng", "nói", "Việt Nam", ".", "!", "?", ",", " ", " ", "\n", "\n\n", "\r\n", "inbound1.jpg", "Ảnh: TTXVN",
     "25/10/2025", "Komentar (0)", "PBB", "3.5", "dr.", "“", "”", "\t", "Sumber: https://x.vn/a", "kata"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_pieces, min_size=1, max_size=60), st.booleans(), st.sampled_from(["text", "presplit"]))
def test_no_character_is_lost(pieces, split, fmt):
    text = "".join(pieces)
    if not text.strip():
        return
    doc = document_from_text(text, "h.txt", "vi", fmt, force=True, split=split)
    assert_spans_valid(doc)
    starts = [s.span[0] for s in doc.segments]
    assert starts == sorted(starts)
    assert all(s.text and not re.search(r"\n", s.text) for s in doc.segments)


def test_presplit_is_one_segment_per_line_whatever_the_separators(tmp_path):
    """Issue 19, case 7: \\x0b \\x0c \\x85 U+2028 U+2029 inside a line do not make segments."""
    lines = [
        "Dòng một.",
        "Dòng\x0bhai.",
        "Dòng\x0cba.",
        "Dòng\x85bốn.",
        "Dòng\u2028năm.",
        "Dòng\u2029sáu.",
        "Dòng bảy.",
    ]
    path = tmp_path / "vi.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = read_document(path, "vi", fmt="presplit", force=True)
    assert [s.text for s in doc.segments] == [line.translate(dict.fromkeys(map(ord, "\x0b\x0c\x85\u2028\u2029"), " ")) for line in lines]
    assert any("5 line or page separator characters" in w for w in doc.warnings)


def test_separators_still_break_lines_in_running_text(tmp_path):
    path = tmp_path / "vi.txt"
    path.write_text("Đây là đoạn văn thứ nhất của bài.\u2029Đây là đoạn văn thứ hai của bài.\n", encoding="utf-8")
    doc = read_document(path, "vi", fmt="text", force=True)
    assert [s.text for s in doc.segments] == ["Đây là đoạn văn thứ nhất của bài.", "Đây là đoạn văn thứ hai của bài."]
