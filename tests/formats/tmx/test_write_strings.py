"""The TMX writer writes new units as strings: they must be the bytes lxml writes for the same elements.

The reference here is the writer as it was before (one lxml element per unit,
indented by ``_indent``, serialised by lxml), kept in this file as the oracle.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from lxml import etree
from test_tmx import BEADS, ID, VI, make_alignment

from align.common.model import Bead
from align.formats.tmx.read import XML_LANG
from align.formats.tmx.write import (
    _codes,
    _collect,
    _Counts,
    _date,
    _indent,
    _load_existing,
    _render,
    _serialize,
    _skeleton,
    _TuWriter,
    _Unit,
    clean_text,
    write_tmx,
)

NOW = datetime(2024, 5, 17, 8, 30, 5, tzinfo=UTC)
STAMP = _date(NOW)
CODES = ("vi", "id")


# --------------------------------------------------------------------------- the oracle: the lxml-element writer


def _tu_element(u: _Unit, tuid: str, codes: tuple[str, str], stamp: str, creationid: str, header_segtype: str):
    tu = etree.Element("tu", tuid=tuid, srclang=codes[0])
    if u.segtype != header_segtype:
        tu.set("segtype", u.segtype)
    tu.set("creationdate", stamp)
    tu.set("creationid", creationid)
    tu.set("changedate", stamp)
    props = [("x-alignment-score", f"{u.score:.3f}"), ("x-document", u.document), ("x-bead-type", u.bead_type)]
    if u.context:
        props.append(("x-context", u.context))
    if u.flags:
        props.append(("x-flags", ",".join(u.flags)))
    for ptype, value in props:
        etree.SubElement(tu, "prop", type=ptype).text = clean_text(value)[0]
    for code, text in ((codes[0], u.src), (codes[1], u.tgt)):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, code)
        etree.SubElement(tuv, "seg").text = text
    return tu


def _lxml_file(codes, segtype, stamp, creationid, units, existing) -> bytes:
    """The file as the element writer made it: the same header and kept units, each new unit an lxml element."""
    root, body, header_segtype, tuids = _skeleton(codes, segtype, stamp, existing)
    for n, u in enumerate(units, start=1):
        body.append(_tu_element(u, tuids.take(u.tuid or str(n)), codes, stamp, creationid, header_segtype))
    _indent(root)
    return _serialize(root)


def _lxml_tu(u: _Unit, tuid: str, creationid: str = "align", header_segtype: str = "sentence") -> str:
    """One unit as the element writer wrote it, indented in its place in a file."""
    root = etree.Element("tmx")
    body = etree.SubElement(root, "body")
    body.append(_tu_element(u, tuid, CODES, STAMP, creationid, header_segtype))
    _indent(root)
    return etree.tostring(body[0], encoding="UTF-8", with_tail=False).decode("utf-8")


def _unit(src: str, tgt: str = "Teks.", **kw) -> _Unit:
    fields = {"score": 0.5, "document": "doc.txt", "bead_type": "1-1", "flags": (), "segtype": "sentence",
              "tuid": "doc.txt:0:0", "context": "0123456789abcdef,-"}
    fields.update(kw)
    return _Unit(src, tgt, **fields)


# --------------------------------------------------------------------------- one unit


TRICKY = [
    "a < b & c > d",
    'He said "yes" and \'no\'',
    "<b>bold</b> &amp; &lt;not a tag&gt; &#233; ]]> <![CDATA[x]]>",
    "tab\there, line\nbreak, return\rhere\r\n",  # never after cleaning, but the writer escapes them all the same
    "Hà Nội, Việt Nam — “quoted” «guillemets» 漢字 😀 \u00a0nbsp\u00a0 \u2028 \u200b zero width, e\u0301 combining",
    "  outer spaces kept as given  ",
    "x" * 100_000,  # a very long segment
    "&" * 5000 + "<" * 5000,
]


@pytest.mark.parametrize("text", TRICKY)
def test_a_unit_is_the_bytes_lxml_writes_for_its_element(text):
    writer = _TuWriter(CODES, STAMP, "align", "sentence")
    for u in (_unit(text), _unit("Câu.", text), _unit(text, text, document=text, bead_type=text, flags=(text, "b"))):
        assert writer.tu(u, "t") == _lxml_tu(u, "t")


@pytest.mark.parametrize("kw", [
    {"score": 0.0}, {"score": 1.0}, {"score": 0.12345}, {"score": float("nan")},
    {"context": ""}, {"flags": ("length-ratio", "numbers & dates")}, {"document": ""}, {"document": "a\x01b\x85c"},
    {"segtype": "paragraph"}, {"bead_type": "2-1"},
])
def test_each_optional_part_of_a_unit_is_written_as_lxml_writes_it(kw):
    u = _unit("Câu một.", **kw)
    assert _TuWriter(CODES, STAMP, "align", "sentence").tu(u, 'id "1" & <2>') == _lxml_tu(u, 'id "1" & <2>')


def test_constant_attributes_are_escaped_as_lxml_escapes_them():
    creationid = 'me & "you" <us>\tthem'
    u = _unit("Câu.")
    assert _TuWriter(CODES, STAMP, creationid, "paragraph").tu(u, "t") == _lxml_tu(u, "t", creationid, "paragraph")


def test_every_character_a_segment_may_hold_is_written_as_lxml_writes_it():
    legal = [chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c <= 0xDFFF]
    text = clean_text("".join(legal))[0]
    assert len(text) > 190_000  # the cleaning kept nearly all of them
    writer = _TuWriter(CODES, STAMP, "align", "sentence")
    for k in range(0, len(text), 20_000):
        u = _unit(text[k:k + 20_000])
        assert writer.tu(u, "t") == _lxml_tu(u, "t")


def test_a_creationid_xml_cannot_hold_raises_lxmls_error_and_writes_nothing(tmp_path):
    al = make_alignment(VI, ID, BEADS)
    with pytest.raises(ValueError, match="XML compatible"):
        write_tmx(al, tmp_path / "a.tmx", creationid="me\x01", now=NOW)
    assert not (tmp_path / "a.tmx").exists()


# --------------------------------------------------------------------------- whole files


def _both(als, level="sentence", creationid="align", existing_path=None, min_score=0.0):
    """The file from ``_render`` and from the element writer, for the same units."""
    codes = _codes(als, None, None, False)
    units = _collect(als, level, codes, min_score, True, set(), _Counts())
    segtype = "paragraph" if level == "paragraph" else "sentence"
    out = []
    for make in (_render, _lxml_file):
        existing = _load_existing(str(existing_path), codes) if existing_path else None
        out.append(make(codes, segtype, STAMP, creationid, units, existing))
    return out


@pytest.mark.parametrize("level", ["sentence", "paragraph", "both"])
def test_a_file_is_the_bytes_the_element_writer_wrote(level):
    vi = [[*VI[0], "Ký tự lạ: \x01\x0b\x7f\x85 & <i>nghiêng</i>"], VI[1], VI[2]]
    new, old = _both([make_alignment(vi, ID, BEADS)], level, creationid='a&"b"')
    assert new == old
    assert new.count(b"<tu ") == len(etree.fromstring(new).findall("body/tu")) > 0


def test_attributes_outside_ascii_are_written_as_the_element_writer_wrote_them():
    # tuids (from the document's name) and the creationid in a script of their own: a file's bytes, declaration and
    # all (libxml2 writes such attributes as they are there; without the declaration some versions write &#x...;)
    al = make_alignment(VI, ID, BEADS, src_path="/dữ liệu/Bài viết — số 1.vi.txt", tgt_path="/data/Artikel №1.id.txt")
    for level in ("sentence", "paragraph"):
        new, old = _both([al], level, creationid="Người dịch «Thu» & 翻訳者")
        assert new == old
        tu = etree.fromstring(new).find("body/tu")
        assert tu is not None and "Bài viết" in tu.get("tuid") and tu.get("creationid") == "Người dịch «Thu» & 翻訳者"


def test_a_file_without_units_is_the_bytes_the_element_writer_wrote():
    new, old = _both([make_alignment(VI, ID, BEADS)], min_score=1.0)
    assert new == old
    assert b"<body/>" in new


def test_appending_is_the_bytes_the_element_writer_wrote(tmp_path):
    """Kept units stay lxml's, even one holding a comment like the one the new units replace."""
    first = tmp_path / "first.tmx"
    write_tmx(make_alignment(VI, ID, BEADS[:2]), first, now=NOW)
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("<tuv", "<!-- the new units --><tuv", 1), encoding="utf-8")
    more = make_alignment(VI, ID, [Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.8), Bead((5,), (3,), 0.7)])
    new, old = _both([more], existing_path=first)
    assert new == old
    assert new.count(b"<!-- the new units -->") == 1  # the kept one
    shutil.copy(first, tmp_path / "again.tmx")
    new, old = _both([make_alignment(VI, ID, [Bead((4,), (3,), 0.6)])], existing_path=tmp_path / "again.tmx")
    assert new == old
