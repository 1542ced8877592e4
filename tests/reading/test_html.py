"""HTML extraction on news pages (issue 22): credits, bylines, in-body source lines, and what was removed."""

from __future__ import annotations

import pytest

from align.reading.noise import BYLINE, COMMENTS, CREDIT, LINKS
from align.reading.read import OUTSIDE, document_from_text, left_out

VI_P1 = ("Ba tuyến mới có tổng chiều dài hơn 70 km, đi qua các khu đô thị Tây Mỗ, Đại Mỗ và Vinhomes Smart City. "
         "Mỗi tuyến có 15 xe chạy với tần suất 10 đến 15 phút một chuyến vào giờ cao điểm.")
VI_P2 = ("Theo kế hoạch, đến năm 2030 toàn bộ xe buýt mới đưa vào khai thác tại Hà Nội sẽ dùng điện hoặc năng lượng xanh. "
         "Hiện thành phố có 1.200 xe buýt, trong đó khoảng 300 xe chạy bằng điện.")
VI_P3 = ("Giá vé lượt trên các tuyến mới là 9.000 đồng, vé tháng vẫn áp dụng như các tuyến buýt thường. "
         "Người cao tuổi, người khuyết tật và trẻ em dưới 6 tuổi được miễn vé.")
ID_P1 = ("Ketiga rute baru ini memiliki panjang total lebih dari 70 km dan melewati kawasan perkotaan Tay Mo, Dai Mo, "
         "dan Vinhomes Smart City. Setiap rute dilayani 15 bus dengan frekuensi 10 hingga 15 menit sekali pada jam sibuk.")
ID_P2 = ("Sesuai rencana, pada tahun 2030 semua bus baru yang dioperasikan di Hanoi akan menggunakan listrik atau energi hijau. "
         "Saat ini kota tersebut memiliki 1.200 bus, sekitar 300 di antaranya bertenaga listrik.")
ID_P3 = ("Harga tiket sekali jalan pada rute baru adalah 9.000 dong, sedangkan tiket bulanan tetap berlaku seperti pada rute "
         "bus biasa. Lansia, penyandang disabilitas, dan anak di bawah 6 tahun dibebaskan dari tiket.")

PAGE = """<!DOCTYPE html><html><head><title>{title}</title><script>var x = 1;</script></head><body>
<div id="cookie-notice">{cookie}</div>
<header class="site-header"><nav><ul><li><a href="/">{home}</a></li><li><a href="/s">{section}</a></li></ul></nav></header>
<ul class="list-cat"><li><a href="/a">{section}</a></li><li><a href="/b">Kinh doanh</a></li><li><a href="/c">Giải trí</a></li></ul>
<main><article>
  <h1>{title}</h1>
  <p class="byline-line">{byline}</p>
  <p>{p1}</p>
  <figure><img src="/bus.jpg" alt=""><figcaption>{caption} {credit}</figcaption></figure>
  <p>{p2}</p>
  <p><em>{source}</em></p>
  <h2>{subhead}</h2>
  <p>{p3}</p>
  <p><img src="/bus2.jpg"></p><p style="text-align:right"><em>{credit}</em></p>
</article>
<div class="comments"><h3>{comments}</h3><p>{comment}</p></div>
</main>
<footer class="site-footer"><p>{footer}</p></footer>
</body></html>"""

VI = dict(title="Hà Nội mở thêm ba tuyến xe buýt điện nối các khu đô thị mới", cookie="Chúng tôi sử dụng cookie.",
          home="Trang chủ", section="Giao thông", byline="Hoàng Long - Thứ Tư, 12/3/2025 08:15", p1=VI_P1, p2=VI_P2,
          p3=VI_P3, caption="Xe buýt điện chạy thử trên tuyến Vinhomes Smart City - Cầu Giấy.", credit="Ảnh: Hoàng Long",
          source="Nguồn: Sở Giao thông vận tải Hà Nội", subhead="Giá vé không đổi", comments="Ý kiến (1)",
          comment="Mong thành phố làm thêm nhiều tuyến như thế này, đi lại sẽ đỡ vất vả hơn rất nhiều.",
          footer="© 2025 Báo Tin Nhanh. Giấy phép số 548/GP-BTTTT.")
ID = dict(title="Hanoi membuka tiga rute bus listrik baru yang menghubungkan kawasan perkotaan baru",
          cookie="Kami menggunakan cookie.", home="Beranda", section="Transportasi",
          byline="Oleh Hoang Long, Rabu, 12 Maret 2025 08:15 WIB", p1=ID_P1, p2=ID_P2, p3=ID_P3,
          caption="Bus listrik melakukan uji coba di rute Vinhomes Smart City - Cau Giay.", credit="Foto: Hoang Long",
          source="Sumber: Dinas Perhubungan Hanoi", subhead="Harga tiket tetap", comments="Komentar (1)",
          comment="Semoga kota kami juga segera punya layanan seperti ini, pasti sangat membantu warga.",
          footer="© 2025 Kabar Nusantara. Hak cipta dilindungi undang-undang.")


def page(lang: str):
    values = VI if lang == "vi" else ID
    return document_from_text(PAGE.format(**values), f"{lang}.html", lang), values


def units(doc) -> list[str]:
    return [s.text for s in doc.content]


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_photo_credit_is_not_a_unit(lang):
    """'Ảnh: Hoàng Long' / 'Foto: Hoang Long' after a caption or on its own line is set aside; the caption stays."""
    doc, v = page(lang)
    assert not any(v["credit"] in u for u in units(doc))
    assert v["caption"] in units(doc)
    credits = [s for s in doc.noise if s.reason == CREDIT]
    assert [s.text for s in credits] == [v["credit"], v["credit"]]


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_byline_with_date_is_not_a_unit(lang):
    doc, v = page(lang)
    assert not any("08:15" in u or "2025" in u for u in units(doc))
    assert [s.text for s in doc.noise if s.reason == BYLINE] == [v["byline"]]


def test_byline_markup_without_a_time_is_not_a_unit():
    """Evidence from the markup: <time>, rel=author, a byline/meta class, whatever the words."""
    html = ("<html><body><article><h1>Judul artikel yang cukup panjang di sini</h1>"
            "<div class='entry-meta'>Diposting pada <time>12 Maret 2025</time> oleh <a rel='author' href='/a'>Hoang Long</a></div>"
            f"<p>{ID_P1}</p><p>{ID_P2}</p></article></body></html>")
    doc = document_from_text(html, "p.html", "id")
    assert units(doc)[0] == "Judul artikel yang cukup panjang di sini"
    assert [s.reason for s in doc.noise] == [BYLINE]
    assert "Hoang Long" not in " ".join(units(doc))


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_in_body_source_line_is_kept(lang):
    """'Nguồn: Sở Giao thông…' / 'Sumber: Dinas Perhubungan…' inside the article is translated text: a unit."""
    doc, v = page(lang)
    assert v["source"] in units(doc)
    assert v["subhead"] in units(doc)


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_page_units_are_the_article(lang):
    doc, v = page(lang)
    paras: dict[int, list[str]] = {}
    for s in doc.content:
        paras.setdefault(s.para, []).append(s.text)
    assert [" ".join(t) for _, t in sorted(paras.items())] == [
        v["title"], v["p1"], v["caption"], v["p2"], v["source"], v["subhead"], v["p3"]]


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_removed_list_says_what_and_why(lang):
    """Document.removed lists every piece of visible text the reader left out, with its reason."""
    doc, v = page(lang)
    removed = dict((text, reason) for reason, text in doc.removed)
    assert removed[v["cookie"]] == "cookie banner"
    assert removed[f"{v['home']} | {v['section']}"] == "page header"
    assert removed[f"{v['section']} | Kinh doanh | Giải trí"] == LINKS
    assert removed[f"{v['comments']} | {v['comment']}"] == COMMENTS
    assert removed[v["footer"]] == "page footer"
    # nothing removed is in the text, and no script or title leaks into the list
    assert all(text not in doc.text for text in removed)
    assert not any("var x" in text for text in removed)


def test_outside_the_article_is_listed():
    html = (f"<html><body><div class='top'>Báo Tin Nhanh</div><article><h1>Tiêu đề bài báo đủ dài ở đây</h1><p>{VI_P1}</p>"
            f"<p>{VI_P2}</p></article><div class='bottom'><p>Địa chỉ: 12 Lý Thường Kiệt, Hà Nội</p></div></body></html>")
    doc = document_from_text(html, "o.html", "vi")
    assert doc.removed == ((OUTSIDE, "Báo Tin Nhanh"), (OUTSIDE, "Địa chỉ: 12 Lý Thường Kiệt, Hà Nội"))


def test_standfirst_between_an_outside_title_and_the_article_is_kept():
    html = (f"<html><body><div class='main'><h1>Tiêu đề bài báo đủ dài ở đây</h1><p class='description'>{VI_P3}</p>"
            f"<article><p>{VI_P1}</p><p>{VI_P2}</p><p>{VI_P1}</p></article></div></body></html>")
    doc = document_from_text(html, "s.html", "vi", split=False)
    assert units(doc) == ["Tiêu đề bài báo đủ dài ở đây", VI_P3, VI_P1, VI_P2, VI_P1]


def test_single_br_between_elements_and_before_bullets_breaks_the_block():
    html = ("<html><body><font size=4><b>Bão số 12 đổ bộ miền Trung</b></font><br><i>Thu Hà - 27/10/2025 06:40</i><br><br>"
            f"{VI_P1}<br><br>- Không ra khỏi nhà khi bão đang đi qua.<br>- Tránh xa sông suối và sườn đồi dốc.<br><br>"
            f"{VI_P2}</body></html>")
    doc = document_from_text(html, "t.html", "vi", split=False)
    assert [(s.text, s.reason) for s in doc.segments] == [
        ("Bão số 12 đổ bộ miền Trung", None), ("Thu Hà - 27/10/2025 06:40", BYLINE), (VI_P1, None),
        ("- Không ra khỏi nhà khi bão đang đi qua.", None), ("- Tránh xa sông suối và sườn đồi dốc.", None), (VI_P2, None)]
    # a <br> between words stays a space
    doc = document_from_text("<body><p>Baris satu<br>baris dua.</p></body>", "br.html", "id", split=False)
    assert [s.text for s in doc.segments] == ["Baris satu baris dua."]


def test_link_only_block_is_noise():
    html = (f"<html><body><article><div class='head'><a class='kicker' href='/s'>Giao thông</a><h1>Tiêu đề bài báo đủ dài ở đây</h1></div>"
            f"<p>{VI_P1}</p><p><a href='/x'>Hà Nội sẽ cấm xe máy trong vành đai 1 từ năm 2026</a></p><p>{VI_P2}</p></article></body></html>")
    doc = document_from_text(html, "k.html", "vi", split=False)
    assert units(doc) == ["Tiêu đề bài báo đủ dài ở đây", VI_P1, VI_P2]
    assert [s.reason for s in doc.noise] == [LINKS, LINKS]


def test_text_documents_remove_nothing():
    doc = document_from_text(f"Tiêu đề\n\n{VI_P1}\n", "a.txt", "vi")
    assert doc.removed == ()


def test_left_out_groups_removed_and_set_aside_by_reason():
    doc, v = page("vi")
    grouped = left_out(doc)
    assert grouped[CREDIT] == [v["credit"], v["credit"]]
    assert grouped[BYLINE] == [v["byline"]]
    assert grouped["cookie banner"] == [v["cookie"]]
    assert grouped[COMMENTS] == [f"{v['comments']} | {v['comment']}"]
    assert sum(map(len, grouped.values())) == len(doc.removed) + len(doc.noise)
