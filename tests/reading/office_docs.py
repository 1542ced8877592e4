"""Test helper: a Vietnamese/Indonesian document pair as DOCX, ODT and PDF, made with the libraries.

Each document has a title, a heading, paragraphs, a bulleted list, a 2x2 table,
a footnote, a text box (DOCX and ODT), a page header and footer; the PDF has
three pages with a running header, a two-line footer with the page number, a
footnote line, a table, and words broken with a hyphen at a line end.
:data:`PAIR` holds the texts by language so tests can look for them.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib

FONT = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")

PAIR: dict[str, dict[str, object]] = {
    "vi": {
        "title": "Hợp tác phòng chống tội phạm giữa hai nước",
        "paras": [
            "Bộ trưởng Lương Tam Quang hoan nghênh ý tưởng thành lập Trung tâm khu vực của UNODC tại Việt Nam.",
            "Đây sẽ là bước đi quan trọng, góp phần nâng cao vai trò và vị thế của Việt Nam trên trường quốc tế.",
            "Hai bên nhất trí tăng cường hợp tác trong phòng, chống tội phạm mạng và ma túy.",
        ],
        "heading": "Các lĩnh vực hợp tác chính",
        "items": [
            "Trao đổi thông tin về tội phạm mạng giữa cơ quan chức năng hai nước.",
            "Đào tạo cán bộ thực thi pháp luật về điều tra tài chính.",
            "Phòng chống buôn bán ma túy qua biên giới đường bộ và đường biển.",
        ],
        "cells": [["Lĩnh vực hợp tác", "Kinh phí dự kiến"], ["Phòng chống ma túy", "Hai triệu đô la Mỹ"]],
        "footnote": "UNODC là Văn phòng Liên Hợp Quốc về Ma túy và Tội phạm, có trụ sở tại Viên.",
        "textbox": "Hội nghị diễn ra tại Hà Nội vào cuối tháng Năm năm nay.",
        "header": "Bộ Công an — Bản tin nội bộ",
        "footer": "Tài liệu lưu hành nội bộ",
        "page": "Trang {n}/{total}",
    },
    "id": {
        "title": "Kerja sama pencegahan kejahatan antara kedua negara",
        "paras": [
            "Menteri Luong Tam Quang menyambut baik gagasan untuk mendirikan Pusat Regional UNODC di Vietnam.",
            "Ini akan menjadi langkah penting yang berkontribusi pada peningkatan peran Vietnam di komunitas internasional.",
            "Kedua belah pihak sepakat untuk memperkuat kerja sama dalam mencegah kejahatan siber dan narkoba.",
        ],
        "heading": "Bidang kerja sama utama",
        "items": [
            "Pertukaran informasi tentang kejahatan siber antara lembaga berwenang kedua negara.",
            "Pelatihan bagi petugas penegak hukum tentang penyidikan keuangan.",
            "Pencegahan perdagangan narkoba lintas batas darat dan laut.",
        ],
        "cells": [["Bidang kerja sama", "Perkiraan anggaran"], ["Pencegahan narkoba", "Dua juta dolar Amerika"]],
        "footnote": "UNODC adalah Kantor Perserikatan Bangsa-Bangsa urusan Narkoba dan Kejahatan, berkantor pusat di Wina.",
        "textbox": "Konferensi berlangsung di Hanoi pada akhir bulan Mei tahun ini.",
        "header": "Kementerian Keamanan Publik — Buletin internal",
        "footer": "Dokumen untuk kalangan internal",
        "page": "Halaman {n} dari {total}",
    },
}

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSDECL = (f'xmlns:w="{_W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:v="urn:schemas-microsoft-com:vml"')


def _textbox_run(text: str) -> str:
    """A run holding a text box the way Word writes it: a DrawingML shape, and a VML copy as the fallback."""
    box = f'<w:txbxContent><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:txbxContent>'
    return (
        f'<w:r {_NSDECL}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
        f'<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f'<wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r>'
    )


def make_docx(path: Path, lang: str, *, deleted: str | None = None) -> Path:
    """The ``lang`` side of :data:`PAIR` as a Word document (python-docx, plus raw XML for the footnote and text box)."""
    import docx
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    t = PAIR[lang]
    d = docx.Document()
    d.add_heading(t["title"], level=1)
    first = d.add_paragraph(t["paras"][0])
    first.add_run()._r.append(parse_xml(f'<w:footnoteReference {_NSDECL} w:id="1"/>'))
    d.add_heading(t["heading"], level=2)
    for item in t["items"]:
        d.add_paragraph(item, style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate(t["cells"]):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    second = d.add_paragraph(t["paras"][1])
    second._p.append(parse_xml(_textbox_run(t["textbox"])))
    third = d.add_paragraph(t["paras"][2])
    if deleted:
        third._p.append(parse_xml(f'<w:del {_NSDECL} w:id="9" w:author="x"><w:r><w:delText>{escape(deleted)}'
                                  '</w:delText></w:r></w:del>'))
    notes = (
        f'<w:footnotes {_NSDECL}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(t["footnote"])}'
        '</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, notes.encode("utf-8"), d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    section = d.sections[0]
    section.header.paragraphs[0].text = t["header"]
    section.footer.paragraphs[0].text = t["footer"]
    d.save(str(path))
    return path


_ODF_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}
_ODF_DECL = " ".join(f'xmlns:{k}="{v}"' for k, v in _ODF_NS.items())
ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def odt_content(lang: str, *, deleted: str | None = None) -> str:
    """content.xml of the ``lang`` side of :data:`PAIR` (ODF 1.2 elements)."""
    t = PAIR[lang]
    e = escape
    cells = "".join(
        "<table:table-row>" + "".join(f'<table:table-cell office:value-type="string"><text:p>{e(c)}</text:p></table:table-cell>'
                                      for c in row) + "</table:table-row>"
        for row in t["cells"]
    )
    changes = ""
    if deleted:
        changes = ('<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info>'
                   '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">x</dc:creator></office:change-info>'
                   f'<text:p>{e(deleted)}</text:p></text:deletion></text:changed-region></text:tracked-changes>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODF_DECL} office:version="1.2">'
        '<office:body><office:text>'
        f'{changes}<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>'
        f'<text:h text:outline-level="1">{e(t["title"])}</text:h>'
        f'<text:p>{e(t["paras"][0])}<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        f'<text:note-body><text:p>{e(t["footnote"])}</text:p></text:note-body></text:note></text:p>'
        f'<text:h text:outline-level="2">{e(t["heading"])}</text:h>'
        "<text:list>" + "".join(f"<text:list-item><text:p>{e(i)}</text:p></text:list-item>" for i in t["items"]) + "</text:list>"
        f'<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>{cells}</table:table>'
        f'<text:p>{e(t["paras"][1])}<draw:frame draw:name="Box1" text:anchor-type="paragraph" svg:width="5cm">'
        f'<draw:text-box><text:p>{e(t["textbox"])}</text:p></draw:text-box></draw:frame></text:p>'
        + (f'<text:p>{e(t["paras"][2])}<text:change text:change-id="ct1"/></text:p>' if deleted else
           f'<text:p>{e(t["paras"][2])}</text:p>')
        + "</office:text></office:body></office:document-content>"
    )


def odt_styles(lang: str) -> str:
    t = PAIR[lang]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODF_DECL} office:version="1.2">'
        '<office:master-styles><style:master-page style:name="Standard">'
        f'<style:header><text:p>{escape(t["header"])}</text:p></style:header>'
        f'<style:footer><text:p>{escape(t["footer"])}</text:p></style:footer>'
        "</style:master-page></office:master-styles></office:document-styles>"
    )


def odt_bytes(content: str, styles: str | None = None, *, manifest: str = ODT_MANIFEST,
              mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """An ODT package: ``mimetype`` first and stored, then the XML parts (as LibreOffice writes them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        if styles is not None:
            z.writestr("styles.xml", styles)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def make_odt(path: Path, lang: str, *, deleted: str | None = None) -> Path:
    path.write_bytes(odt_bytes(odt_content(lang, deleted=deleted), odt_styles(lang)))
    return path


#: How the PDF breaks lines: a word cut with a hyphen (removed when read), a reduplication cut (hyphen kept).
PDF_BREAKS = {
    "vi": [["Bộ trưởng Lương Tam Quang hoan nghênh ý tưởng thành lập Trung tâm khu vực",
            "của UNODC tại Việt Nam, nơi có mạng in-", "ternet phát triển nhanh."]],
    "id": [["Menteri Luong Tam Quang menyambut baik gagasan untuk mendi-",
            "rikan Pusat Regional UNODC di Vietnam, negara yang anak-",
            "anak mudanya akrab dengan internet."]],
}
PDF_JOINED = {
    "vi": "Bộ trưởng Lương Tam Quang hoan nghênh ý tưởng thành lập Trung tâm khu vực của UNODC tại Việt Nam, "
          "nơi có mạng internet phát triển nhanh.",
    "id": "Menteri Luong Tam Quang menyambut baik gagasan untuk mendirikan Pusat Regional UNODC di Vietnam, "
          "negara yang anak-anak mudanya akrab dengan internet.",
}


def make_pdf(path: Path, lang: str) -> Path:
    """Three pages: a running header, a footer line and "page N of 3" at the bottom, a footnote line, a table."""
    from fpdf import FPDF

    t = PAIR[lang]
    total = 3

    class Doc(FPDF):
        def header(self) -> None:
            self.set_font("dv", size=9)
            self.cell(0, 6, t["header"], align="C")
            self.ln(14)

        def footer(self) -> None:
            self.set_y(-20)
            self.set_font("dv", size=9)
            self.cell(0, 5, t["footer"], align="C")
            self.ln(5)
            self.cell(0, 5, t["page"].format(n=self.page_no(), total=total), align="C")

    pdf = Doc()
    pdf.add_font("dv", fname=FONT)

    def heading(text: str) -> None:
        pdf.set_font("dv", size=16)
        pdf.cell(0, 10, text)
        pdf.ln(16)

    def para(lines: list[str]) -> None:
        pdf.set_font("dv", size=11)
        for line in lines:
            pdf.cell(0, 6, line)
            pdf.ln(6)
        pdf.ln(6)

    # page 1: title, the hyphenated paragraph, a footnote line at the bottom
    pdf.add_page()
    heading(t["title"])
    for lines in PDF_BREAKS[lang]:
        para(lines)
    para([t["paras"][1]])
    pdf.set_y(-40)
    pdf.set_font("dv", size=8)
    pdf.cell(0, 5, "1 " + t["footnote"])
    # page 2: heading, list, table
    pdf.add_page()
    heading(t["heading"])
    for item in t["items"]:
        para(["• " + item])
    pdf.set_font("dv", size=11)
    with pdf.table(col_widths=(60, 60), width=120, align="L", first_row_as_headings=False) as table:
        for row in t["cells"]:
            r = table.row()
            for cell in row:
                r.cell(cell)
    # page 3: the last paragraph and the text box text as a paragraph
    pdf.add_page()
    para([t["paras"][2]])
    para([t["textbox"]])
    pdf.output(str(path))
    return path
