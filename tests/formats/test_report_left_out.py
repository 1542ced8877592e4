"""Issue 22 item 2: the report lists what the readers left out of the documents, with the reason.

A news page pair with a menu, a footer, a comment box and photo credits, aligned
end to end: the JSON report's ``removed`` list names each with its reason and a
count per reason, and the HTML page has the collapsed "Left out by the reader"
section grouped by reason, with long texts cut.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from align.common.model import Alignment, Bead, Document, Segment
from align.embedding import HashEncoder
from align.formats.report.html import MAX_LEFT_OUT_CHARS, render_report
from align.formats.report.payload import load_report, rebuild_report, report_payload
from align.pipeline.pair import RunOptions, align_pair

VI_P1 = ("Ba tuyến mới có tổng chiều dài hơn 70 km, đi qua các khu đô thị Tây Mỗ, Đại Mỗ và Vinhomes Smart City. "
         "Mỗi tuyến có 15 xe chạy với tần suất 10 đến 15 phút một chuyến vào giờ cao điểm.")
VI_P2 = ("Theo kế hoạch, đến năm 2030 toàn bộ xe buýt mới đưa vào khai thác tại Hà Nội sẽ dùng điện hoặc năng lượng xanh. "
         "Hiện thành phố có 1.200 xe buýt, trong đó khoảng 300 xe chạy bằng điện.")
ID_P1 = ("Ketiga rute baru ini memiliki panjang total lebih dari 70 km dan melewati kawasan perkotaan Tay Mo, Dai Mo, "
         "dan Vinhomes Smart City. Setiap rute dilayani 15 bus dengan frekuensi 10 hingga 15 menit sekali pada jam sibuk.")
ID_P2 = ("Sesuai rencana, pada tahun 2030 semua bus baru yang dioperasikan di Hanoi akan menggunakan listrik atau energi hijau. "
         "Saat ini kota tersebut memiliki 1.200 bus, sekitar 300 di antaranya bertenaga listrik.")

PAGE = """<!DOCTYPE html><html><head><title>{title}</title></head><body>
<nav><ul><li><a href="/">{home}</a></li><li><a href="/s">{section}</a></li></ul></nav>
<main><article>
  <h1>{title}</h1>
  <p>{p1}</p>
  <figure><img src="/bus.jpg" alt=""><figcaption>{caption} {credit}</figcaption></figure>
  <p>{p2}</p>
</article>
<div class="comments"><h3>{comments}</h3><p>{comment}</p></div>
</main>
<footer class="site-footer"><p>{footer}</p></footer>
</body></html>"""

VI = dict(title="Hà Nội mở thêm ba tuyến xe buýt điện nối các khu đô thị mới", home="Trang chủ", section="Giao thông",
          p1=VI_P1, p2=VI_P2, caption="Xe buýt điện chạy thử trên tuyến Vinhomes Smart City - Cầu Giấy.",
          credit="Ảnh: Hoàng Long", comments="Ý kiến (1)",
          comment="Mong thành phố làm thêm nhiều tuyến như thế này, đi lại sẽ đỡ vất vả hơn rất nhiều.",
          footer="© 2025 Báo Tin Nhanh. Giấy phép số 548/GP-BTTTT.")
ID = dict(title="Hanoi membuka tiga rute bus listrik baru yang menghubungkan kawasan perkotaan baru", home="Beranda",
          section="Transportasi", p1=ID_P1, p2=ID_P2,
          caption="Bus listrik melakukan uji coba di rute Vinhomes Smart City - Cau Giay.", credit="Foto: Hoang Long",
          comments="Komentar (1)",
          comment="Semoga kota kami juga segera punya layanan seperti ini, pasti sangat membantu warga.",
          footer="© 2025 Kabar Nusantara. Hak cipta dilindungi undang-undang.")


def news_pair_report(tmp_path) -> tuple[dict, str]:
    """Align the two pages end to end (the hashing encoder: no model) and return the JSON report and the page."""
    (tmp_path / "vi.html").write_text(PAGE.format(**VI), encoding="utf-8")
    (tmp_path / "id.html").write_text(PAGE.format(**ID), encoding="utf-8")
    align_pair(str(tmp_path / "vi.html"), str(tmp_path / "id.html"), HashEncoder(), RunOptions(),
               outputs={"report_html": str(tmp_path / "r.html"), "report_json": str(tmp_path / "r.json")})
    return (json.loads((tmp_path / "r.json").read_text("utf-8")), (tmp_path / "r.html").read_text("utf-8"))


def by_reason(data: dict) -> dict[str, list[tuple[str, str, bool]]]:
    return {g["reason"]: [(i["side"], i["text"], i["set_aside"]) for i in g["items"]] for g in data["removed"]}


class Section(HTMLParser):
    """The text of the element with id ``left-out``, its <h3> headings and the tooltips (title) inside it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.headings: list[str] = []
        self.titles: list[str] = []
        self.open_details = False
        self._h3: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        if self.depth == 0 and a.get("id") == "left-out":
            self.depth = 1
            return
        if self.depth and tag not in ("br", "img", "meta", "input"):
            self.depth += 1
            if tag == "h3":
                self._h3 = []
            if tag == "details" and "open" in a:
                self.open_details = True
            if a.get("title"):
                self.titles.append(a["title"])

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if self.depth and tag not in ("br", "img", "meta", "input"):
            self.depth -= 1
            if tag == "h3" and self._h3 is not None:
                self.headings.append(" ".join("".join(self._h3).split()))
                self._h3 = None

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if self.depth:
            self.text.append(data)
            if self._h3 is not None:
                self._h3.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def test_report_lists_what_the_reader_left_out_with_the_reason(tmp_path):
    data, page = news_pair_report(tmp_path)
    removed = by_reason(data)
    # The menu and the page footer were removed before segmenting: in no segment, listed only here.
    assert ("src", "Trang chủ | Giao thông", False) in removed["menu"]
    assert ("tgt", "Beranda | Transportasi", False) in removed["menu"]
    assert any(side == "src" and "Báo Tin Nhanh" in text and not kept for side, text, kept in removed["page footer"])
    assert any(side == "tgt" and "Mong thành phố" not in text and "Semoga kota" in text
               for side, text, _ in removed["comment box"])
    # The photo credit was split off its caption and set aside as a noise segment.
    assert ("src", "Ảnh: Hoàng Long", True) in removed["photo credit"]
    assert ("tgt", "Foto: Hoang Long", True) in removed["photo credit"]
    for group in data["removed"]:
        assert group["count"] == len(group["items"])
    # What was set aside is also an unaligned noise segment (its block given); what was removed is in no segment.
    noise = {(u["side"], u["text"]): u["para"] for u in data["unaligned"] if u["reason"].startswith("noise")}
    credit = next(i for g in data["removed"] for i in g["items"] if i["text"] == "Ảnh: Hoàng Long")
    assert credit["block"] == noise[("src", "Ảnh: Hoàng Long")]
    assert all((side, text) not in noise for side, text, _ in removed["menu"])
    assert all(i["block"] is None for i in data["removed"][0]["items"])

    section = Section(page)
    assert section.depth == 0 and section.text, "no 'Left out by the reader' section"
    assert section.all_text.startswith(f"Left out by the reader {sum(g['count'] for g in data['removed'])}")
    assert not section.open_details  # collapsed
    counts = {g["reason"]: g["count"] for g in data["removed"]}
    assert f"Menu {counts['menu']}" in section.headings
    assert f"Photo credit {counts['photo credit']}" in section.headings
    assert "Trang chủ | Giao thông" in section.all_text and "Ảnh: Hoàng Long" in section.all_text
    assert re.search(rf"target {credit['block'] + 1} Foto: Hoang Long set aside", section.all_text)
    assert re.search(r"source – Trang chủ \| Giao thông removed", section.all_text)
    # The unaligned section no longer lists the noise a second time: it points here.
    assert 'id="noise-pointer"' in page and 'href="#left-out"' in page and 'id="noise"' not in page


def test_the_section_survives_a_rebuild_from_the_json(tmp_path):
    data, page = news_pair_report(tmp_path)
    rebuild_report(tmp_path / "r.json", tmp_path / "again.html")
    assert load_report(tmp_path / "r.json")["removed"] == data["removed"]
    assert Section((tmp_path / "again.html").read_text("utf-8")).all_text == Section(page).all_text


def tiny(removed: tuple[tuple[str, str], ...], noise: tuple[Segment, ...] = ()) -> Alignment:
    src = (Segment("Một câu.", "sentence", 0, 0),)
    tgt = (Segment("Satu kalimat.", "sentence", 0, 0),)
    return Alignment(source=Document("vi.html", "vi", "Một câu.", src + noise, fmt="html", removed=removed),
                     target=Document("id.html", "id", "Satu kalimat.", tgt, fmt="html"),
                     src=src, tgt=tgt, beads=(Bead((0,), (0,), 0.9),), model_id="hash", signature="t")


def test_a_long_left_out_text_is_cut_on_the_page_and_whole_in_the_json():
    long = " ".join(f"Mục{k}" for k in range(200))  # a long menu: 1,300 characters
    data = report_payload(tiny((("menu", long),)))
    assert data["removed"] == [{"reason": "menu", "count": 1,
                                "items": [{"side": "src", "text": long, "set_aside": False, "block": None}]}]
    section = Section(render_report(data))
    shown = section.all_text.split("source – ", 1)[1].rsplit(" removed", 1)[0]
    assert shown.endswith(" …") and len(shown) <= MAX_LEFT_OUT_CHARS + 2
    assert long.startswith(shown[:-2]) and not shown[:-2].endswith(("Mục", "Mụ"))  # cut between words
    assert section.titles == [long]  # the whole text in the tooltip


def test_nothing_left_out_means_no_section_and_an_old_report_still_renders():
    data = report_payload(tiny(()))
    assert data["removed"] == []
    assert 'id="left-out"' not in render_report(data)
    data = report_payload(tiny((), (Segment("Trang chủ", "noise", 1, 0, reason="site boilerplate"),)))
    assert data["removed"][0]["items"] == [{"side": "src", "text": "Trang chủ", "set_aside": True, "block": 1}]
    assert 'id="left-out"' in render_report(data) and 'id="noise"' not in render_report(data)
    del data["removed"]  # a report written before issue 22: its noise is listed under the unaligned segments, as then
    page = render_report(data)
    assert 'id="left-out"' not in page and 'id="noise"' in page and "Trang chủ" in page
