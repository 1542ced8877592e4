"""TMX writing and reading: what CAT tools need, checked on hand-made alignments."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import re
import subprocess
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from documents import make_doc
from lxml import etree

import align
from align.common import atomic as _atomic
from align.common.errors import InputError, OutputError, UsageError
from align.common.model import Alignment, Bead
from align.formats.tmx import TmxStats, clean_text, language_code, read_tmx, write_tmx

NOW = datetime(2024, 5, 17, 8, 30, 5, tzinfo=UTC)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TMXCHECK = Path(__file__).resolve().parents[3] / "shared" / "tools" / "tmxcheck" / "check.py"  # ../shared beside the repo


# --------------------------------------------------------------------------- fixtures


def make_alignment(src_paras, tgt_paras, beads, *, para_beads=(), src_lang="vi", tgt_lang="id",
                   src_path="/data/in/bai-viet.vi.txt", tgt_path="/data/in/bai-viet.id.txt") -> Alignment:
    s = make_doc(src_path, src_lang, src_paras)
    t = make_doc(tgt_path, tgt_lang, tgt_paras)
    return Alignment(s, t, s.content, t.content, tuple(beads), "hash", para_beads=tuple(para_beads))


VI = [
    ["Hà Nội là thủ đô của Việt Nam.", "Thành phố có hơn tám triệu dân."],
    ["Mùa thu ở Hà Nội rất đẹp.", "Người dân thường đi dạo quanh Hồ Gươm.", "Nhiều du khách đến vào tháng Mười."],
    ["Giá vé là 50.000 đồng <b>mỗi người</b> & trẻ em được miễn phí &amp; vui."],
]
ID = [
    ["Hanoi adalah ibu kota Vietnam.", "Kota ini memiliki lebih dari delapan juta penduduk."],
    ["Musim gugur di Hanoi sangat indah, dan warga sering berjalan-jalan di sekitar Danau Hoan Kiem."],
    ["Harga tiket 50.000 dong <b>per orang</b> & anak-anak gratis &amp; senang."],
    ["Catatan penerjemah: harga dapat berubah."],
]
BEADS = [
    Bead((0,), (0,), 0.951),
    Bead((1,), (1,), 0.9126),
    Bead((2, 3), (2,), 0.8204, ("length-ratio",)),
    Bead((4,), (), 0.0),  # omission
    Bead((5,), (3,), 0.77),
    Bead((), (4,), 0.0),  # addition
]
PARA_BEADS = [Bead((0,), (0,), 0.93), Bead((1,), (1,), 0.8), Bead((2,), (2,), 0.77), Bead((), (3,), 0.0)]


@pytest.fixture
def al() -> Alignment:
    return make_alignment(VI, ID, BEADS)


DOC = "bai-viet.vi.txt"  # make_alignment's source file: x-document without a pair id


def _hash(text: str) -> str:
    """x-context's hash of a segment (written here again: the test must not trust the writer's helper)."""
    return hashlib.sha1(unicodedata.normalize("NFC", text.strip()).encode("utf-8")).hexdigest()[:16]


def load(path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


def tus(path) -> list[etree._Element]:
    return load(path).findall("body/tu")


def pair(tu) -> tuple[str, str]:
    tuvs = tu.findall("tuv")
    return tuvs[0].findtext("seg"), tuvs[1].findtext("seg")


def props(tu) -> dict[str, str]:
    return {p.get("type"): p.text for p in tu.findall("prop")}


# --------------------------------------------------------------------------- structure

# The parts of the TMX 1.4b DTD our files use, as (allowed attributes, child pattern).
_DATE = re.compile(r"^\d{8}T\d{6}Z$")
_ALLOWED = {
    "tmx": ({"version"}, r"^header body $"),
    "header": ({"creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang",
                "datatype", "creationdate", "changedate", "creationid", "changeid", "o-encoding"},
               r"^((note|prop|ude) )*$"),
    "body": (set(), r"^(tu )*$"),
    "tu": ({"tuid", "srclang", "segtype", "creationdate", "creationid", "changedate", "changeid",
            "datatype", "usagecount", "lastusagedate", "creationtool", "creationtoolversion",
            "o-tmf", "o-encoding"}, r"^((note|prop) )*(tuv )+$"),
    "tuv": ({XML_LANG, "creationdate", "creationid", "changedate", "changeid"}, r"^((note|prop) )*seg $"),
    "prop": ({"type", XML_LANG, "o-encoding"}, r"^$"),
    "note": ({XML_LANG, "o-encoding"}, r"^$"),
}


def assert_tmx_structure(path) -> None:
    """Our own check of what the TMX 1.4b DTD and the CAT tools require of our files."""
    data = Path(path).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "BOM"
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") or data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>'
    )
    data.decode("utf-8")  # strict UTF-8
    assert b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data.split(b"<tmx", 1)[0]
    root = load(path)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "seg" or any(a.tag == "seg" for a in el.iterancestors()):
            continue  # inline content is checked elsewhere
        attrs, pattern = _ALLOWED[el.tag]
        assert set(el.attrib) <= attrs, (el.tag, set(el.attrib) - attrs)
        kids = "".join(c.tag + " " for c in el if isinstance(c.tag, str))
        assert re.match(pattern, kids), (el.tag, kids)
        for a in ("creationdate", "changedate"):
            if a in el.attrib:
                assert _DATE.match(el.get(a)), (el.tag, a, el.get(a))
    header = root.find("header")
    for a in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(a), a
    langs = {t.get(XML_LANG) for t in root.iter("tuv")}
    assert header.get("srclang") in langs or not langs
    ids = [tu.get("tuid") for tu in root.iter("tu")]
    assert len(ids) == len(set(ids))
    for tu in root.iter("tu"):
        tl = [t.get(XML_LANG) for t in tu.findall("tuv")]
        assert len(tl) == len(set(tl)) == 2, tl
        assert tu.get("srclang", header.get("srclang")) == header.get("srclang")
        for seg in tu.iter("seg"):
            assert "".join(seg.itertext()).strip()


# --------------------------------------------------------------------------- tests


def test_header_and_units(al, tmp_path):
    out = tmp_path / "out.tmx"
    stats = write_tmx(al, out, now=NOW)
    assert isinstance(stats, TmxStats)
    assert (stats.tus_written, stats.null_beads, stats.skipped_below_min, stats.duplicates) == (4, 2, 0, 0)
    assert_tmx_structure(out)
    root = load(out)
    assert root.get("version") == "1.4"
    assert dict(root.find("header").attrib) == {
        "creationtool": "align", "creationtoolversion": align.__version__, "segtype": "sentence",
        "o-tmf": "align", "adminlang": "en", "srclang": "vi", "datatype": "plaintext",
        "creationdate": "20240517T083005Z",
    }
    units = root.findall("body/tu")
    # stable ids: the document and the unit's segment positions (0-based, as in the beads file)
    assert [tu.get("tuid") for tu in units] == [f"{DOC}:0:0", f"{DOC}:1:1", f"{DOC}:2-3:2", f"{DOC}:5:3"]
    for tu in units:
        assert tu.get("srclang") == "vi"
        assert tu.get("creationdate") == tu.get("changedate") == "20240517T083005Z"
        assert tu.get("creationid") == "align"
        assert [t.get(XML_LANG) for t in tu.findall("tuv")] == ["vi", "id"]
    assert pair(units[2]) == (
        "Mùa thu ở Hà Nội rất đẹp. Người dân thường đi dạo quanh Hồ Gươm.",
        "Musim gugur di Hanoi sangat indah, dan warga sering berjalan-jalan di sekitar Danau Hoan Kiem.",
    )
    # null beads are never units
    all_text = " ".join(s for tu in units for s in pair(tu))
    assert "tháng Mười" not in all_text and "Catatan" not in all_text


def test_props(al, tmp_path):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW)
    units = tus(out)
    h = [_hash(t) for t in sum(VI, [])]
    assert props(units[0]) == {"x-alignment-score": "0.951", "x-document": DOC, "x-bead-type": "1-1",
                               "x-context": f"-,{h[1]}"}
    assert props(units[2]) == {
        "x-alignment-score": "0.820", "x-document": DOC, "x-bead-type": "2-1",
        "x-context": f"{h[1]},{h[4]}", "x-flags": "length-ratio",
    }
    assert props(units[3])["x-context"] == f"{h[4]},-"
    # props come before the tuvs (DTD order)
    assert [c.tag for c in units[2]] == ["prop"] * 5 + ["tuv", "tuv"]


def test_bytes_are_deterministic_utf8_without_bom(al, tmp_path):
    a, b = tmp_path / "a.tmx", tmp_path / "b.tmx"
    write_tmx(al, a, now=NOW)
    write_tmx(al, b, now=NOW)
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    assert data[:5] == b"<?xml" and b"encoding='UTF-8'" in data.splitlines()[0]
    assert data.splitlines()[1] == b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    assert "Hà Nội".encode() in data  # raw UTF-8, not character references


def test_now_defaults_to_current_utc(al, tmp_path):
    out = tmp_path / "out.tmx"
    before = datetime.now(UTC).replace(microsecond=0)
    write_tmx(al, out)
    stamp = datetime.strptime(load(out).find("header").get("creationdate"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= datetime.now(UTC)


def test_markup_like_text_is_escaped_and_round_trips(al, tmp_path):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW)
    data = out.read_bytes().decode()
    assert "&lt;b&gt;mỗi người&lt;/b&gt; &amp; trẻ em được miễn phí &amp;amp; vui." in data
    seg = tus(out)[3].find("tuv/seg")
    assert len(seg) == 0  # text, not elements
    tm = read_tmx(out)
    assert tm.tus[3].src == "Giá vé là 50.000 đồng <b>mỗi người</b> & trẻ em được miễn phí &amp; vui."
    assert tm.tus[3].tgt == "Harga tiket 50.000 dong <b>per orang</b> & anak-anak gratis &amp; senang."


def test_text_is_nfc_collapsed_and_control_free(tmp_path):
    nfd = unicodedata.normalize("NFD", "Tiếng Việt có dấu.")
    assert nfd != unicodedata.normalize("NFC", nfd)
    a = make_alignment([[nfd + "\x00 \t\n  Câu\x0bhai\u0085ba\x7f.\ufffe"]], [["Bahasa\x01  Indonesia\x9f."]],
                       [Bead((0,), (0,), 0.9)])
    out = tmp_path / "out.tmx"
    stats = write_tmx(a, out, now=NOW)
    src, tgt = pair(tus(out)[0])
    assert src == "Tiếng Việt có dấu. Câu hai ba."
    assert unicodedata.is_normalized("NFC", src)
    assert tgt == "Bahasa Indonesia."
    assert stats.control_chars_removed == 7
    assert any("7 XML-illegal" in w for w in stats.warnings)
    assert_tmx_structure(out)


def test_no_break_space_is_kept():
    assert clean_text("100\u00a0km  \n x") == ("100\u00a0km x", 0)


def test_empty_after_cleaning_is_not_written_but_reported(tmp_path):
    a = make_alignment([["Xin chào.", "\x00\x01"]], [["Halo.", "Ya."]], [Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9)])
    out = tmp_path / "out.tmx"
    stats = write_tmx(a, out, now=NOW)
    assert stats.tus_written == 1 and stats.empty_skipped == 1
    assert any("no text on the source side" in w for w in stats.warnings)


def test_cjk_and_thai_join_without_space(tmp_path):
    a = make_alignment([["Tôi đi.", "Anh ở lại."]], [["我走了。", "你留下。"]], [Bead((0, 1), (0, 1), 0.9)], tgt_lang="zh")
    out = tmp_path / "out.tmx"
    write_tmx(a, out, now=NOW)
    assert pair(tus(out)[0]) == ("Tôi đi. Anh ở lại.", "我走了。你留下。")


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ("vi", "id")),
        ({"region": True}, ("vi-VN", "id-ID")),
        ({"src_code": "vi-VN", "tgt_code": "id-ID"}, ("vi-VN", "id-ID")),
        ({"region": True, "tgt_code": "id"}, ("vi-VN", "id")),
        ({"src_code": "vi_vn", "tgt_code": "ID_id"}, ("vi-VN", "id-ID")),
    ],
)
def test_language_codes(al, tmp_path, kwargs, expected):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW, **kwargs)
    root = load(out)
    assert root.find("header").get("srclang") == expected[0]
    for tu in root.iter("tu"):
        assert tu.get("srclang") == expected[0]
        assert tuple(t.get(XML_LANG) for t in tu.findall("tuv")) == expected
    assert_tmx_structure(out)


def test_language_code_normalisation():
    assert language_code("vie") == "vi" and language_code("ind") == "id"
    assert language_code("in") == "id"  # Java's deprecated code for Indonesian
    assert language_code("VI") == "vi"
    assert language_code("zh-hant-tw") == "zh-Hant-TW"
    assert language_code("vi-VN", region=True) == "vi-VN"
    for bad in ("vn", "", "v1", "vi-Latn-VN-x"):
        with pytest.raises(UsageError):
            language_code(bad)
    with pytest.raises(UsageError, match="no default region"):
        language_code("xh", region=True)


def test_mixed_language_pairs_are_refused(al, tmp_path):
    other = make_alignment([["Xin chào."]], [["Hello."]], [Bead((0,), (0,), 0.9)], tgt_lang="en")
    with pytest.raises(UsageError, match="different language pairs"):
        write_tmx([al, other], tmp_path / "x.tmx")
    assert not (tmp_path / "x.tmx").exists()


def test_bad_arguments(al, tmp_path):
    with pytest.raises(UsageError):
        write_tmx(al, tmp_path / "x.tmx", level="word")
    with pytest.raises(UsageError):
        write_tmx(al, tmp_path / "x.tmx", min_score=1.5)
    with pytest.raises(UsageError):
        write_tmx([], tmp_path / "x.tmx")


def test_paragraph_level_from_para_beads(tmp_path):
    a = make_alignment(VI, ID, BEADS, para_beads=PARA_BEADS)
    out = tmp_path / "out.tmx"
    stats = write_tmx(a, out, level="paragraph", now=NOW)
    assert stats.tus_written == 3 and stats.null_beads == 1
    root = load(out)
    assert root.find("header").get("segtype") == "paragraph"
    units = root.findall("body/tu")
    assert pair(units[1]) == (
        "Mùa thu ở Hà Nội rất đẹp. Người dân thường đi dạo quanh Hồ Gươm. Nhiều du khách đến vào tháng Mười.",
        ID[1][0],
    )
    assert props(units[0])["x-alignment-score"] == "0.930"
    assert all(tu.get("segtype") is None for tu in units)  # header says paragraph
    assert_tmx_structure(out)


def test_paragraph_level_fallback_groups_sentence_beads(al, tmp_path):
    assert not al.para_beads
    out = tmp_path / "out.tmx"
    stats = write_tmx(al, out, level="paragraph", now=NOW)
    units = tus(out)
    assert stats.tus_written == 3
    assert stats.null_beads == 1  # the translator's note: a paragraph with no counterpart
    assert pair(units[0]) == (" ".join(VI[0]), " ".join(ID[0]))
    # the whole paragraph, the omitted sentence included, and flagged
    assert pair(units[1])[0] == " ".join(VI[1])
    p = props(units[1])
    assert p["x-flags"] == "length-ratio,contains-omission"
    assert p["x-bead-type"] == "1-1"
    # char-weighted mean of the two-sided beads of paragraph 0
    w0 = len(VI[0][0]) + len(ID[0][0])
    w1 = len(VI[0][1]) + len(ID[0][1])
    assert props(units[0])["x-alignment-score"] == f"{(w0 * 0.951 + w1 * 0.9126) / (w0 + w1):.3f}"


def test_fallback_merges_paragraphs_linked_by_a_bead(tmp_path):
    # a 1-2 bead whose target sentences lie in two paragraphs joins them
    a = make_alignment([["Một.", "Hai."]], [["Satu."], ["Dua,", "lagi."]],
                       [Bead((0,), (0,), 0.9), Bead((1,), (1, 2), 0.8)])
    out = tmp_path / "out.tmx"
    write_tmx(a, out, level="paragraph", now=NOW)
    units = tus(out)
    assert len(units) == 1
    assert pair(units[0]) == ("Một. Hai.", "Satu. Dua, lagi.")
    assert props(units[0])["x-bead-type"] == "1-2"


def test_level_both_skips_paragraphs_identical_to_sentences(tmp_path):
    a = make_alignment(VI, ID, BEADS, para_beads=PARA_BEADS)
    out = tmp_path / "out.tmx"
    stats = write_tmx(a, out, level="both", now=NOW)
    units = tus(out)
    # 4 sentence TUs + paragraphs 0 and 1 (paragraph 2 equals sentence bead [5]:[3])
    assert stats.tus_written == 6 and stats.duplicates == 1
    assert [tu.get("segtype") for tu in units] == [None] * 4 + ["paragraph"] * 2
    assert load(out).find("header").get("segtype") == "sentence"
    assert pair(units[4]) == (" ".join(VI[0]), " ".join(ID[0]))
    assert_tmx_structure(out)


def test_level_both_skips_identical_paragraphs_even_without_dedupe(tmp_path):
    a = make_alignment(VI, ID, BEADS, para_beads=PARA_BEADS)
    stats = write_tmx(a, tmp_path / "out.tmx", level="both", dedupe=False, now=NOW)
    assert stats.tus_written == 6


def test_min_score(al, tmp_path):
    out = tmp_path / "out.tmx"
    stats = write_tmx(al, out, min_score=0.9, now=NOW)
    assert stats.tus_written == 2 and stats.skipped_below_min == 2
    assert [props(tu)["x-alignment-score"] for tu in tus(out)] == ["0.951", "0.913"]


def test_dedupe(al, tmp_path):
    out = tmp_path / "out.tmx"
    stats = write_tmx([al, al], out, now=NOW)
    assert stats.tus_written == 4 and stats.duplicates == 4
    stats = write_tmx([al, al], out, dedupe=False, now=NOW)
    assert stats.tus_written == 8 and stats.duplicates == 0
    ids = [tu.get("tuid") for tu in tus(out)]  # the same document twice: the second copy's ids get ~2
    assert ids[4:] == [f"{t}~2" for t in ids[:4]] and len(set(ids)) == 8


def test_long_segment_warns_but_is_written(tmp_path):
    long_vi = "Câu rất dài. " * 200
    a = make_alignment([[long_vi.strip()]], [["Kalimat pendek."]], [Bead((0,), (0,), 0.5)])
    out = tmp_path / "out.tmx"
    stats = write_tmx(a, out, now=NOW)
    assert stats.tus_written == 1
    assert len(pair(tus(out)[0])[0]) > 2000
    assert any("TU 1: source segment has 2599 characters" in w for w in stats.warnings)


def test_append_adds_only_new_units(al, tmp_path):
    out = tmp_path / "tm.tmx"
    write_tmx(al, out, now=NOW)
    more = make_alignment([["Hà Nội là thủ đô của Việt Nam.", "Tôi yêu Hà Nội."]],
                          [["Hanoi adalah ibu kota Vietnam.", "Saya cinta Hanoi."]],
                          [Bead((0,), (0,), 0.99), Bead((1,), (1,), 0.88)], src_path="/x/khac.vi.txt")
    later = datetime(2024, 6, 1, tzinfo=UTC)
    tus_before = tus(out)
    stats = write_tmx(more, out, append=True, now=later)
    assert (stats.tus_written, stats.kept_existing, stats.duplicates) == (1, 4, 1)
    root = load(out)
    units = root.findall("body/tu")
    assert [tu.get("tuid") for tu in units][4] == "khac.vi.txt:1:1"  # the kept units keep theirs
    assert [tu.get("tuid") for tu in units][:4] == [tu.get("tuid") for tu in tus_before]
    assert pair(units[4]) == ("Tôi yêu Hà Nội.", "Saya cinta Hanoi.")
    assert props(units[4])["x-document"] == "khac.vi.txt"
    assert units[0].get("creationdate") == "20240517T083005Z"  # kept as it was
    header = root.find("header")
    assert header.get("creationdate") == "20240517T083005Z" and header.get("changedate") == "20240601T000000Z"
    assert_tmx_structure(out)
    # appending the same again changes nothing but the dates
    stats = write_tmx([al, more], out, append=True, now=later)
    assert stats.tus_written == 0 and len(tus(out)) == 5


def test_append_to_missing_file_creates_it(al, tmp_path):
    stats = write_tmx(al, tmp_path / "new.tmx", append=True, now=NOW)
    assert stats.tus_written == 4 and stats.kept_existing == 0


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="3.6" segtype="paragraph" o-tmf="OmegaT TMX"
          adminlang="EN-US" srclang="vi" datatype="plaintext">
    <prop type="x-project">demo</prop>
  </header>
  <body>
    <tu tuid="a7">
      <note>reviewed</note>
      <tuv xml:lang="vi"><seg>Nhấn <bpt i="1">&lt;b&gt;</bpt>Lưu<ept i="1">&lt;/b&gt;</ept> để tiếp tục.</seg></tuv>
      <tuv xml:lang="id"><seg>Tekan <bpt i="1">&lt;b&gt;</bpt>Simpan<ept i="1">&lt;/b&gt;</ept> untuk melanjutkan.</seg></tuv>
    </tu>
    <tu tuid="a7">
      <tuv xml:lang="vi"><seg>Hà Nội là thủ đô của Việt Nam.</seg></tuv>
      <tuv xml:lang="id"><seg>Hanoi adalah ibu kota Vietnam.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_append_to_foreign_tmx_keeps_its_units_intact(al, tmp_path):
    out = tmp_path / "tm.tmx"
    out.write_text(FOREIGN, encoding="utf-8")
    stats = write_tmx(al, out, append=True, now=NOW)
    assert (stats.tus_written, stats.kept_existing, stats.duplicates) == (3, 2, 1)
    root = load(out)
    header = root.find("header")
    assert header.get("segtype") == "paragraph" and header.findtext("prop") == "demo"
    units = root.findall("body/tu")
    assert [tu.get("tuid") for tu in units][:2] == ["a7", "a7~2"]  # kept, made unique
    assert len({tu.get("tuid") for tu in units}) == 5
    first = units[0]
    assert first.findtext("note") == "reviewed"
    assert etree.tostring(first.find("tuv/seg"), encoding="unicode", with_tail=False) == (
        '<seg>Nhấn <bpt i="1">&lt;b&gt;</bpt>Lưu<ept i="1">&lt;/b&gt;</ept> để tiếp tục.</seg>'
    )
    assert all(tu.get("segtype") == "sentence" for tu in units[2:])  # differs from the header's
    assert_tmx_structure(out)
    tm = read_tmx(out)
    assert tm.tus[0].src == "Nhấn Lưu để tiếp tục." and tm.tus[0].tgt == "Tekan Simpan untuk melanjutkan."


def test_append_refuses_other_languages(al, tmp_path):
    out = tmp_path / "tm.tmx"
    out.write_text(FOREIGN.replace('xml:lang="id"', 'xml:lang="ms"'), encoding="utf-8")
    before = out.read_bytes()
    with pytest.raises(InputError, match="cannot append vi->id"):
        write_tmx(al, out, append=True, now=NOW)
    with pytest.raises(InputError, match="cannot append vi-VN->id-ID"):
        write_tmx(al, out, append=True, region=True, now=NOW)
    assert out.read_bytes() == before


def test_append_refuses_region_mismatch(al, tmp_path):
    out = tmp_path / "tm.tmx"
    write_tmx(al, out, region=True, now=NOW)
    with pytest.raises(InputError, match="vi-VN"):
        write_tmx(al, out, append=True, now=NOW)


def test_append_to_broken_file_is_an_input_error(al, tmp_path):
    out = tmp_path / "tm.tmx"
    out.write_text(FOREIGN[:300], encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed"):
        write_tmx(al, out, append=True, now=NOW)
    assert out.read_text(encoding="utf-8") == FOREIGN[:300]


# --------------------------------------------------------------------------- atomic write


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".tmp"))


def test_disk_full_leaves_the_old_file_intact(al, tmp_path, monkeypatch):
    out = tmp_path / "tm.tmx"
    out.write_bytes(b"the translator's precious TM")

    def full(fd, data):
        os.write(fd, data[:100])  # a partial write first, as a real full disk does
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic, "_write_all", full)
    with pytest.raises(OutputError, match="disk full") as exc:
        write_tmx(al, out, now=NOW)
    assert exc.value.exit_code == 5 and exc.value.path == str(out)
    assert out.read_bytes() == b"the translator's precious TM"
    assert _leftovers(tmp_path) == []


def test_failed_write_of_new_file_leaves_nothing(al, tmp_path, monkeypatch):
    monkeypatch.setattr(_atomic, "_write_all", lambda fd, data: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OutputError, match="I/O error"):
        write_tmx(al, tmp_path / "tm.tmx", now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory(al, tmp_path):
    with pytest.raises(OutputError, match="folder does not exist"):
        write_tmx(al, tmp_path / "nope" / "tm.tmx")


def test_output_is_a_directory(al, tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        write_tmx(al, tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_directory(al, tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write_tmx(al, d / "tm.tmx")
    finally:
        d.chmod(0o700)


def test_replacing_keeps_file_mode(al, tmp_path):
    out = tmp_path / "tm.tmx"
    out.write_text("old")
    out.chmod(0o640)
    write_tmx(al, out, now=NOW)
    assert out.stat().st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------- read_tmx


def test_read_round_trip(al, tmp_path):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW, region=True)
    tm = read_tmx(out)
    assert tm.version == "1.4" and tm.header["srclang"] == "vi-VN"
    assert (tm.src_lang, tm.tgt_lang, tm.skipped) == ("vi-VN", "id-ID", 0)
    assert [(t.src_lang, t.tgt_lang) for t in tm.tus] == [("vi-VN", "id-ID")] * 4
    assert tm.tus[0].tuid == f"{DOC}:0:0"
    assert tm.tus[0].src == VI[0][0] and tm.tus[0].tgt == ID[0][0]
    assert tm.tus[2].props["x-bead-type"] == "2-1"
    # a code without region matches the regional form
    assert len(read_tmx(out, src_lang="vi", tgt_lang="id").tus) == 4


def test_read_skips_units_missing_a_language(tmp_path):
    p = tmp_path / "multi.tmx"
    p.write_text(FOREIGN.replace("</body>", '<tu><tuv xml:lang="vi"><seg>Chỉ tiếng Việt.</seg></tuv>'
                                           '<tuv xml:lang="en"><seg>Only.</seg></tuv></tu></body>'), encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the target language"):
        read_tmx(p)
    tm = read_tmx(p, tgt_lang="id")
    assert len(tm.tus) == 2 and tm.skipped == 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("<?xml version='1.0'?><html><body/></html>", "root element is <html>"),
        ("<tmx version='1.4'><header srclang='vi'/></tmx>", "no <body>"),
        (FOREIGN[:400], "not well-formed"),
        ("", "not well-formed"),
        ("\x00\x01binary", "not well-formed"),
        (FOREIGN.replace("Lưu", "Lưu & Thoát"), "not well-formed"),
        (FOREIGN.replace("Lưu", "Lưu&nbsp;"), "refused: entity declarations or references (Entity 'nbsp' not defined"),
    ],
)
def test_read_rejects_non_tmx(tmp_path, content, message):
    p = tmp_path / "bad.tmx"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as exc:
        read_tmx(p)
    assert str(p) in str(exc.value) and exc.value.exit_code == 3


def test_read_rejects_other_languages(al, tmp_path):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW)
    with pytest.raises(InputError, match=r"no unit in language 'ms' \(file has id, vi\)"):
        read_tmx(out, tgt_lang="ms")
    with pytest.raises(InputError, match="no unit in language 'en'"):
        read_tmx(out, src_lang="en")


def test_read_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_tmx(tmp_path / "none.tmx")


def test_xxe_is_refused_without_reading_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    p = tmp_path / "xxe.tmx"
    p.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<tmx version="1.4"><header srclang="vi"/><body><tu>'
        '<tuv xml:lang="vi"><seg>a&xxe;</seg></tuv><tuv xml:lang="id"><seg>b</seg></tuv>'
        "</tu></body></tmx>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="declares DTD entities") as exc:
        read_tmx(p)
    assert "TOPSECRET" not in str(exc.value)


def test_billion_laughs_is_refused_quickly(tmp_path):
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    p = tmp_path / "bomb.tmx"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE tmx [' + "".join(ents) + "]>\n"
        '<tmx version="1.4"><header srclang="vi"/><body><tu>'
        '<tuv xml:lang="vi"><seg>&lol9;</seg></tuv><tuv xml:lang="id"><seg>b</seg></tuv>'
        "</tu></body></tmx>",
        encoding="utf-8",
    )
    t = time.perf_counter()
    with pytest.raises(InputError, match="refused"):
        read_tmx(p)
    assert time.perf_counter() - t < 2.0


def test_internal_entity_without_expansion_is_refused(tmp_path):
    p = tmp_path / "ent.tmx"
    p.write_text('<!DOCTYPE tmx [<!ENTITY x "y">]><tmx version="1.4"><header srclang="vi"/><body/></tmx>')
    with pytest.raises(InputError, match=r"declares DTD entities \(x\)"):
        read_tmx(p)


def test_doctype_without_entities_is_fine(al, tmp_path):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW)  # has <!DOCTYPE tmx SYSTEM "tmx14.dtd">, which must not be fetched
    assert len(read_tmx(out).tus) == 4


# --------------------------------------------------------------------------- other readers


def test_translate_toolkit_reads_the_same_units(al, tmp_path):
    tmx_mod = pytest.importorskip("translate.storage.tmx")
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW, level="both")
    with open(out, "rb") as f:
        store = tmx_mod.tmxfile(f, sourcelanguage="vi", targetlanguage="id")
    units = [u for u in store.units if u.source]
    assert len(units) == len(tus(out)) == 6  # 4 sentences + 2 paragraphs
    assert units[3].source == "Giá vé là 50.000 đồng <b>mỗi người</b> & trẻ em được miễn phí &amp; vui."
    assert units[0].target == ID[0][0]


@pytest.mark.skipif(not TMXCHECK.exists(), reason="independent tmxcheck tool not present")
@pytest.mark.parametrize("kwargs", [{}, {"region": True, "level": "both"}])
def test_independent_tmxcheck_strict(al, tmp_path, kwargs):
    out = tmp_path / "out.tmx"
    write_tmx(al, out, now=NOW, **kwargs)
    src, tgt = ("vi-VN", "id-ID") if kwargs else ("vi", "id")
    cp = subprocess.run(
        [sys.executable, str(TMXCHECK), str(out), "--src", src, "--tgt", tgt, "--strict", "--omegat", "off"],
        capture_output=True, text=True, timeout=120,
    )
    last = cp.stdout.strip().splitlines()[-1]
    assert cp.returncode == 0 and last.startswith("tmxcheck: OK"), cp.stdout + cp.stderr
    assert "errors=0 warnings=0" in last


def test_an_empty_memory_reads_back_as_empty(al, tmp_path):
    """Every unit below --min-score gives a valid TMX with no <tu>; reading it must not fail."""
    out = tmp_path / "empty.tmx"
    stats = write_tmx(al, out, min_score=1.0, max_score=0.0, now=NOW)
    assert stats.tus_written == 0
    tm = read_tmx(out)
    assert tm.tus == [] and tm.src_lang == "vi"


# --------------------------------------------------------------------------- reading: bounded, streamed, clear messages (issue 19)


def test_tuv_without_lang_is_named_with_its_unit(tmp_path):
    """Issue 19: a <tuv> without xml:lang was reported as "file has , id besides vi" (an empty language)."""
    p = tmp_path / "nolang.tmx"
    p.write_text(FOREIGN.replace('<tuv xml:lang="id"><seg>Hanoi', '<tuv><seg>Hanoi'), encoding="utf-8")
    with pytest.raises(InputError, match=r"a <tuv> without xml:lang at unit 2 \(tuid a7\)") as exc:
        read_tmx(p)
    assert "besides" not in str(exc.value) and str(p) in str(exc.value)


def test_huge_text_node_names_the_parser_limit(tmp_path):
    """Issue 19: a text node over lxml's 10 MB limit was called "not well-formed XML (truncated or corrupt?)"."""
    from align.formats.tmx.read import MAX_TEXT_NODE

    p = tmp_path / "huge.tmx"
    big = "Một câu rất dài. " * (MAX_TEXT_NODE // 17 + 10)
    p.write_text(FOREIGN.replace("Hà Nội là thủ đô của Việt Nam.", big), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_tmx(p)
    msg = str(exc.value)
    assert "text node" in msg and "10,000,000 bytes" in msg and "truncated or corrupt" not in msg
    assert "\n" not in msg


def test_tmx_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    """A TMX over 1 GB (a sparse file: nothing is written or read) is refused before reading, naming the limit."""
    from align.formats.tmx.read import MAX_TMX_BYTES

    p = tmp_path / "big.tmx"
    with open(p, "wb") as f:
        f.truncate(MAX_TMX_BYTES + 1)
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"too large \(1024 MB; the limit is 1024 MB\)") as exc:
        read_tmx(p)
    assert "1 GB" in str(exc.value) and time.perf_counter() - t < 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_tmx_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    p = tmp_path / "pipe.tmx"
    os.mkfifo(p)
    t = time.perf_counter()
    with pytest.raises(InputError, match="FIFO"):
        read_tmx(p)
    assert time.perf_counter() - t < 2


def test_streamed_reading_gives_what_the_tree_gives(tmp_path):
    """``read_tmx`` streams the file; every unit, prop and language matches the whole tree's ``bilingual_units``."""
    from align.formats.tmx.read import bilingual_units, parse_tmx, seg_text

    p = tmp_path / "multi.tmx"
    p.write_text(FOREIGN.replace("</body>", '<tu tuid="z"><prop type="x-a">1</prop><prop type="x-a">2</prop>'
                                           '<tuv xml:lang="vi-VN"><seg>Chỉ <hi>tiếng</hi> Việt.</seg></tuv>'
                                           '<tuv xml:lang="en"><seg>Only.</seg></tuv><tuv xml:lang="id">'
                                           '<seg>Hanya.</seg></tuv><tuv xml:lang="id"><seg>Dua.</seg></tuv></tu>'
                                           '<tu><tuv xml:lang="vi"><seg>Không có.</seg></tuv><tuv xml:lang="id"/></tu>'
                                           "</body>"), encoding="utf-8")
    tm = read_tmx(p, tgt_lang="id")
    expected = []
    for tu, s, t in bilingual_units(parse_tmx(str(p)), "vi", "id"):
        if s is not None and t is not None and s.find("seg") is not None and t.find("seg") is not None:
            expected.append((tu.get("tuid"), seg_text(s.find("seg")), seg_text(t.find("seg"))))
    assert [(u.tuid, u.src, u.tgt) for u in tm.tus] == expected
    assert tm.tus[-1].props == {"x-a": "1"} and tm.tus[-1].src_lang == "vi-VN" and tm.tus[-1].tgt == "Hanya."
    assert tm.skipped == 1 and tm.header["creationtool"] == "OmegaT" and tm.version == "1.4"


# --------------------------------------------------------------------------- traceable units (issue 22, item 3)


def test_x_document_and_tuids_name_the_pair_when_it_has_an_id(tmp_path):
    """x-document was the file name (`vi.txt` for every pair of a corpus); with a pair id it is that id."""
    a = dataclasses.replace(make_alignment(VI, ID, BEADS, src_path="/corpus/bai-viet/vi.txt"), document_id="bai-viet")
    out = tmp_path / "out.tmx"
    write_tmx(a, out, now=NOW, level="both")
    units = tus(out)
    assert {props(tu)["x-document"] for tu in units} == {"bai-viet"}
    ids = [tu.get("tuid") for tu in units]
    assert ids[:4] == ["bai-viet:0:0", "bai-viet:1:1", "bai-viet:2-3:2", "bai-viet:5:3"]
    assert all(t.startswith("bai-viet:p") for t in ids[4:]) and len(set(ids)) == len(ids)


def test_tuids_are_stable_across_runs_and_options(al, tmp_path):
    """The same bead keeps its tuid whatever else the file holds (a reviewed copy can be cross-referenced)."""
    a, b = tmp_path / "a.tmx", tmp_path / "b.tmx"
    write_tmx(al, a, now=NOW)
    write_tmx(al, b, now=NOW, min_score=0.9)  # fewer units: the survivors keep their ids
    ids_a = {pair(tu): tu.get("tuid") for tu in tus(a)}
    ids_b = {pair(tu): tu.get("tuid") for tu in tus(b)}
    assert ids_b and all(ids_a[k] == v for k, v in ids_b.items())


def test_clean_text_is_the_plain_three_passes():
    """``clean_text`` skips its regex passes on printable text: never with another result."""
    import random
    import re
    import unicodedata

    from align.formats.tmx.write import _CONTROL_RE, _SEPARATOR_CONTROLS, _SPACE_RE

    def plain(text):
        removed = len(_CONTROL_RE.findall(text))
        text = _CONTROL_RE.sub(lambda m: " " if m.group() in _SEPARATOR_CONTROLS else "", text)
        return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip(), removed

    rng = random.Random(2)
    alpha = [*"ab \t\n\r\u2028\u2029\x00\x0b\x1f\x85\x7f\ufffe\u00a0\u202fe\u0301\u00ad", "  ", "Việt"]
    for _ in range(5000):
        text = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 12)))
        assert clean_text(text) == plain(text), repr(text)
    assert not re.search(r"\s\s", clean_text("a \u2028 b\t\tc")[0])
