"""Word (.docx), OpenDocument (.odt) and PDF inputs: what is read, in which order, what is set aside, what is refused.

The documents are made here with the libraries (python-docx, a zip of ODF XML,
fpdf2) from :mod:`office_docs`; the checks are on ``read_document``'s segments.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from office_docs import FONT, PAIR, PDF_JOINED, make_docx, make_odt, make_pdf, odt_bytes, odt_content, odt_styles

from align.common.errors import InputError, UsageError
from align.quality.invariants import check_document
from align.reading.parts import Extracted
from align.reading.pdf import LOSSY_WARNING, is_page_number, join_lines
from align.reading.read import document_from_extracted, document_from_text, read_document, read_rich


def _expected_order(lang: str) -> list[str]:
    """The paragraphs of a DOCX/ODT side in reading order: body (cells row by row, the text box after its
    paragraph), then the footnote."""
    t = PAIR[lang]
    cells = [c for row in t["cells"] for c in row]
    return [t["title"], t["paras"][0], t["heading"], *t["items"], *cells, t["paras"][1], t["textbox"], t["paras"][2],
            t["footnote"]]


def _paragraph_texts(doc) -> list[str]:
    """Content paragraphs: the sentences of each paragraph joined back."""
    out: dict[int, list[str]] = {}
    for s in doc.content:
        out.setdefault(s.para, []).append(s.text)
    return [" ".join(v) for _, v in sorted(out.items())]


# --- DOCX and ODT: paragraphs, headings, lists, tables cell by cell, footnotes, text boxes -------------------


@pytest.mark.parametrize("make", [make_docx, make_odt], ids=["docx", "odt"])
@pytest.mark.parametrize("lang", ["vi", "id"])
def test_docx_and_odt_read_headings_lists_table_cells_text_boxes_and_footnotes_in_order(tmp_path, make, lang):
    path = make(tmp_path / f"{lang}.{make.__name__[5:]}", lang)
    doc = read_document(path, lang)
    check_document(doc)
    assert doc.fmt == make.__name__[5:]
    assert _paragraph_texts(doc) == _expected_order(lang)
    assert doc.warnings == ()


@pytest.mark.parametrize("make", [make_docx, make_odt], ids=["docx", "odt"])
def test_page_header_and_footer_are_listed_as_noise_not_dropped(tmp_path, make):
    doc = read_document(make(tmp_path / "vi.x", "vi"), "vi")
    noise = [(s.text, s.reason) for s in doc.noise]
    assert noise == [(PAIR["vi"]["header"], "running header"), (PAIR["vi"]["footer"], "running footer")]
    assert not any(PAIR["vi"]["header"] in s.text for s in doc.content)


def test_docx_text_box_is_read_once_though_word_stores_it_twice(tmp_path):
    """Word writes a text box as a DrawingML shape and again as a VML fallback: the fallback is not read."""
    doc = read_document(make_docx(tmp_path / "vi.docx", "vi"), "vi")
    assert sum(PAIR["vi"]["textbox"] in s.text for s in doc.segments) == 1


@pytest.mark.parametrize("make", [make_docx, make_odt], ids=["docx", "odt"])
def test_tracked_deletion_is_left_out_with_a_warning(tmp_path, make):
    doc = read_document(make(tmp_path / "vi.x", "vi", deleted="Câu đã xoá khỏi văn bản."), "vi")
    assert "đã xoá" not in doc.text
    assert any("tracked changes" in w for w in doc.warnings)


def test_docx_special_characters_in_runs(tmp_path):
    """Tabs and breaks are spaces, a soft hyphen disappears, a non-breaking hyphen is a hyphen, field codes are not text."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    p = d.add_paragraph("Hai bên nhất trí")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for xml in (f"<w:r {w}><w:tab/><w:t>tăng</w:t><w:br/><w:t>cường hợp tác trong phòng</w:t><w:softHyphen/>"
                "<w:t>chống tội phạm</w:t><w:noBreakHyphen/><w:t>mạng.</w:t></w:r>",
                f'<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>', f"<w:r {w}><w:instrText> PAGE </w:instrText></w:r>",
                f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>'):
        p._p.append(parse_xml(xml))
    d.save(str(tmp_path / "x.docx"))
    doc = read_document(tmp_path / "x.docx", "vi")
    assert doc.text == "Hai bên nhất trí tăng cường hợp tác trong phòngchống tội phạm-mạng."


# --- PDF: text layer, de-hyphenation, running headers/footers/page numbers, the lossy warning ----------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {lang: make_pdf(folder / f"{lang}.pdf", lang) for lang in ("vi", "id")}


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_pdf_running_header_footer_and_page_numbers_are_noise_with_their_reason(pdfs, lang):
    t = PAIR[lang]
    doc = read_document(pdfs[lang], lang)
    check_document(doc)
    noise = [(s.text, s.reason) for s in doc.noise]
    pages = [(t["page"].format(n=n, total=3), "page number") for n in (1, 2, 3)]
    expected = [(t["header"], "running header"), (t["footer"], "running footer")]
    assert noise == [expected[0], expected[1], pages[0], expected[0], expected[1], pages[1], expected[0],
                     expected[1], pages[2]]
    content = " ".join(s.text for s in doc.content)
    for furniture in (t["header"], t["footer"], "1/3", "1 dari 3"):
        assert furniture not in content


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_pdf_paragraphs_cells_and_footnote_in_reading_order(pdfs, lang):
    t = PAIR[lang]
    doc = read_document(pdfs[lang], lang)
    cells = [c for row in t["cells"] for c in row]
    expected = [t["title"], PDF_JOINED[lang], t["paras"][1], "1 " + t["footnote"], t["heading"], *t["items"], *cells,
                t["paras"][2], t["textbox"]]
    assert _paragraph_texts(doc) == expected


def test_pdf_words_broken_at_a_line_end_are_made_whole(pdfs):
    text = read_document(pdfs["id"], "id").text
    assert "mendirikan" in text and "mendi-" not in text
    assert "anak-anak" in text  # reduplication keeps its hyphen
    assert "internet" in read_document(pdfs["vi"], "vi").text


def test_pdf_reading_warns_that_pdf_is_lossy(pdfs):
    assert LOSSY_WARNING in read_document(pdfs["vi"], "vi").warnings


@pytest.mark.parametrize("prev,nxt,joined", [
    ("untuk mendi-", "rikan Pusat", "untuk mendirikan Pusat"),
    ("bersama teman-", "teman mereka", "bersama teman-teman mereka"),
    ("kawasan Asia-", "Pasifik", "kawasan Asia-Pasifik"),
    ("pada 12-", "15 Mei", "pada 12-15 Mei"),
    ("a well-", "known fact", "a well-known fact"),
    ("sebuah kata\u00ad", "kata", "sebuah katakata"),
    ("giá trị -", "không", "giá trị - không"),
    ("Hai bên", "nhất trí", "Hai bên nhất trí"),
])
def test_join_lines_de_hyphenation(prev, nxt, joined):
    assert join_lines(prev, nxt, {"well-known"}) == joined


@pytest.mark.parametrize("line", ["12", "- 12 -", "12 / 40", "Page 3 of 9", "Trang 3", "Halaman 4 dari 10", "xii", "iv",
                                  "— 7 —", "trang 3/3"])
def test_is_page_number(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["Mill", "mix", "2024 budget", "Trang chủ", "Chương 3. Kết luận", "Halaman utama"])
def test_is_not_page_number(line):
    assert not is_page_number(line)


def _fpdf(pages: list[list[str]], *, encrypt: tuple[str, str] | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dv", fname=FONT)
    if encrypt:
        pdf.set_encryption(owner_password=encrypt[0], user_password=encrypt[1])
    for lines in pages:
        pdf.add_page()
        pdf.set_font("dv", size=11)
        if not lines:
            pdf.rect(20, 20, 50, 50, style="F")  # a page with a picture and no text
        for line in lines:
            pdf.cell(0, 6, line)
            pdf.ln(12)
    return bytes(pdf.output())


def test_pdf_page_number_alone_is_noise_on_a_one_page_document(tmp_path):
    f = tmp_path / "one.pdf"
    f.write_bytes(_fpdf([[PAIR["vi"]["paras"][0], PAIR["vi"]["paras"][1], PAIR["vi"]["paras"][2], "1"]]))
    doc = read_document(f, "vi")
    assert [(s.text, s.reason) for s in doc.noise] == [("1", "page number")]
    assert len(doc.content) == 3


def test_pdf_pages_without_text_are_reported(tmp_path):
    f = tmp_path / "mixed.pdf"
    f.write_bytes(_fpdf([PAIR["vi"]["paras"], []]))
    doc = read_document(f, "vi")
    assert any("page 2 of 2 has no text layer" in w for w in doc.warnings), doc.warnings


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    """Many PDFs are "encrypted" only against editing: they open without a password, and so are read."""
    f = tmp_path / "owner.pdf"
    f.write_bytes(_fpdf([PAIR["vi"]["paras"]], encrypt=("owner-secret", "")))
    assert _paragraph_texts(read_document(f, "vi")) == PAIR["vi"]["paras"]


# --- formats: detection and refusals -----------------------------------------------------------------------


def test_auto_format_goes_by_the_bytes_not_the_name(tmp_path):
    data = make_docx(tmp_path / "vi.docx", "vi").read_bytes()
    (tmp_path / "renamed.txt").write_bytes(data)
    assert read_document(tmp_path / "renamed.txt", "vi").fmt == "docx"
    odt = make_odt(tmp_path / "vi.odt", "vi").read_bytes()
    (tmp_path / "renamed.bin").write_bytes(odt)
    assert read_document(tmp_path / "renamed.bin", "vi", fmt="odt").fmt == "odt"


def test_text_and_html_are_not_read_as_office_formats(tmp_path):
    assert read_rich(b"Chao ban.\n", "x.txt", "vi") is None
    assert read_rich(b"<html><body><p>Chao.</p></body></html>", "x.html", "vi") is None
    with pytest.raises(UsageError):
        document_from_text("Chào bạn.", "x.txt", "vi", fmt="docx")


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx_with(tmp_path, extra: dict[str, bytes]) -> bytes:
    data = make_docx(tmp_path / "base.docx", "vi").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    return _zip({**parts, **extra})


REFUSED = [
    ("truncated docx", lambda tmp: make_docx(tmp / "b.docx", "vi").read_bytes()[:3000], "x.docx",
     ["not a readable Word .docx document"]),
    ("docx without its document part", lambda tmp: _zip({"[Content_Types].xml": "<Types/>", "word/styles.xml": "<x/>"}),
     "x.docx", ["not a readable Word .docx document"]),
    ("docx zip bomb", lambda tmp: _docx_with(tmp, {"word/media/big.bin": b"\0" * (8 * 2**20)}), "x.docx",
     ["zip bomb"]),
    ("encrypted docx (an OLE file)", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.docx",
     ["old Microsoft Office file", "password"]),
    ("text named .docx", lambda tmp: b"Chao ban.\n", "x.docx", ["is not a zip archive"]),
    ("xlsx", lambda tmp: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}), "x.xlsx",
     ["zip archive, but not a Word"]),
    ("encrypted odt", lambda tmp: odt_bytes("xx", None, manifest='<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                                             'opendocument:xmlns:manifest:1.0"><manifest:encryption-data/></manifest:manifest>'),
     "x.odt", ["password-protected"]),
    ("ods", lambda tmp: odt_bytes(odt_content("vi"), mimetype="application/vnd.oasis.opendocument.spreadsheet"), "x.ods",
     ["OpenDocument spreadsheet, not a text document"]),
    ("odt with broken xml", lambda tmp: odt_bytes(odt_content("vi")[:500], odt_styles("vi")), "x.odt",
     ["not a readable OpenDocument text"]),
    ("truncated pdf", lambda tmp: _fpdf([PAIR["vi"]["paras"]])[:400], "x.pdf", ["not a readable PDF"]),
    ("pdf catalog only", lambda tmp: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "x.pdf", ["not a readable PDF"]),
    ("password pdf", lambda tmp: _fpdf([PAIR["vi"]["paras"]], encrypt=("o", "user-secret")), "x.pdf",
     ["password-protected"]),
    ("scanned pdf", lambda tmp: _fpdf([[], []]), "x.pdf", ["no text layer", "OCR"]),
    ("text named .pdf", lambda tmp: b"Chao ban.\n", "x.pdf", ["is not a PDF: it does not start with %PDF"]),
    ("docx with only a header", lambda tmp: _docx_only_header(tmp), "x.docx", ["no text but page headers"]),
]


def _docx_only_header(tmp: Path) -> bytes:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Bản tin nội bộ"
    d.save(str(tmp / "h.docx"))
    return (tmp / "h.docx").read_bytes()


@pytest.mark.parametrize("case,make,name,needles", REFUSED, ids=[c[0] for c in REFUSED])
def test_bad_office_files_are_refused_with_one_clear_error(tmp_path, case, make, name, needles):
    f = tmp_path / name
    f.write_bytes(make(tmp_path))
    with pytest.raises(InputError) as exc:
        read_document(f, "vi")
    message = str(exc.value)
    assert str(f) in message
    for needle in needles:
        assert needle in message, (needle, message)
    assert "\n" not in message


def test_forced_noise_keeps_its_reason_and_the_rules_see_the_rest():
    ex = Extracted()
    ex.add("Bản tin nội bộ", noise="running header")
    ex.add(PAIR["vi"]["paras"][0])
    ex.add("Trang 1", noise="page number")
    ex.add("Ảnh: Hoàng Long")  # a photo credit: the usual rules still apply to what the reader kept
    ex.add(PAIR["vi"]["paras"][1])
    doc = document_from_extracted(ex, "x.pdf", "vi", "pdf")
    check_document(doc)
    assert [(s.para, s.reason) for s in doc.noise] == [(0, "running header"), (2, "page number"), (3, "photo credit")]
    assert [s.text for s in doc.content] == PAIR["vi"]["paras"][:2]


def test_reading_the_package_does_not_import_python_docx_or_pdfminer():
    """They are loaded when a DOCX or PDF is read: ~0.2 s each on every start of the command line otherwise."""
    code = "import sys, align.reading, align.cli.main; print(sorted(m for m in ('docx', 'pdfminer') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr[-2000:]


# --- damaged files never crash: an InputError or a Document, nothing else --------------------------------------

_SEEDS: dict[str, bytes] = {}


def _seed(fmt: str) -> bytes:
    if fmt not in _SEEDS:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            make = {"docx": make_docx, "odt": make_odt}.get(fmt)
            _SEEDS[fmt] = make(Path(d) / f"s.{fmt}", "vi").read_bytes() if make else _fpdf([PAIR["vi"]["paras"]] * 2)
    return _SEEDS[fmt]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["docx", "odt", "pdf"]), st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)),
                                                        min_size=1, max_size=4), st.booleans(), st.floats(0.05, 1))
def test_damaged_office_bytes_give_an_input_error_or_a_document(fmt, edits, truncate, keep):
    data = bytearray(_seed(fmt))
    for where, junk in edits:
        k = int(where * (len(data) - 1))
        data[k:k + len(junk)] = junk
    if truncate:
        data = data[: max(1, int(keep * len(data)))]
    try:
        doc = read_rich(bytes(data), f"fuzz.{fmt}", "vi", force=True)
    except InputError as e:
        assert "fuzz." in str(e)
        return
    assert doc is not None
    check_document(doc)


def test_odt_spaces_tabs_breaks_spans_and_comments(tmp_path):
    """<text:s>, tabs and line breaks are spaces, spans are inline, a soft hyphen goes, a comment is left out (warned)."""
    from office_docs import _ODF_DECL

    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_DECL}><office:body><office:text>'
        "<text:p>Hai<text:s text:c=\"3\"/>bên<text:tab/>nhất <text:span>trí</text:span><text:line-break/>tăng cư\u00adờng"
        "<office:annotation><text:p>Nhận xét của biên tập viên.</text:p></office:annotation> hợp tác.</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    f = tmp_path / "x.odt"
    f.write_bytes(odt_bytes(content))
    doc = read_document(f, "vi")
    assert doc.text == "Hai bên nhất trí tăng cường hợp tác."
    assert doc.warnings == ("1 comment left out (comments are not the document's text)",)
