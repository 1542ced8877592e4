"""Noise recognition: line rules, position rules, and the sample page."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.reading.noise import (
    BOILERPLATE,
    BYLINE,
    COMMENTS,
    CREDIT,
    IMAGE,
    RELATED,
    SOURCE,
    classify_noise,
    find_noise,
    trailing_credit,
)

DATA = Path(__file__).resolve().parents[1] / "data"
PROSE = (
    "Menteri Luong Tam Quang menyambut baik gagasan untuk mendirikan Pusat Regional UNODC di Vietnam, "
    "menegaskan bahwa ini akan menjadi langkah penting bagi peran Vietnam di komunitas internasional."
)


def lines(name: str) -> list[str]:
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(
    "block,reason",
    [
        ("inbound6430099935246812354.jpg", IMAGE),
        ("IMG_1234.JPG", IMAGE),
        ("bao-cao-tai-chinh.pdf", IMAGE),
        ("photo.webp?w=640", IMAGE),
        ("Ảnh: TTXVN", CREDIT),
        ("(Ảnh: TTXVN)", CREDIT),
        ("Foto: Antara/Hafidz Mubarak", CREDIT),
        ("Photo: Reuters", CREDIT),
        ("Ảnh minh họa", CREDIT),
        ("Sumber: https://daibieunhandan.vn/buoc-tien-moi-10392942.html", SOURCE),
        ("Nguồn: VnExpress", SOURCE),
        ("Source: AFP", SOURCE),
        ("https://example.com/article/123", SOURCE),
        ("Theo TTXVN", SOURCE),
        ("(Theo VnExpress)", SOURCE),
        ("Báo Đại biểu Nhân dânBáo Đại biểu Nhân dân25/10/2025", BYLINE),
        ("25/10/2025 14:30", BYLINE),
        ("Thứ Bảy, 25/10/2025, 14:30 (GMT+7)", BYLINE),
        ("Sabtu, 25 Oktober 2025 10:15 WIB", BYLINE),
        ("2025-10-25", BYLINE),
        ("Komentar (0)", COMMENTS),
        ("Bình luận (12)", COMMENTS),
        ("Comments", COMMENTS),
        ("Silakan tinggalkan komentar untuk berbagi perasaan Anda!", COMMENTS),
        ("Hãy để lại bình luận để chia sẻ cảm nhận của bạn!", COMMENTS),
        ("Dalam topik yang sama", RELATED),
        ("Dalam kategori yang sama", RELATED),
        ("Dari penulis yang sama", RELATED),
        ("Tin liên quan", RELATED),
        ("Related articles:", RELATED),
        ("Baca juga: Konvensi Hanoi resmi ditandatangani", RELATED),
        ("Xem thêm:", RELATED),
        ("Chia sẻ", BOILERPLATE),
        ("Share this article", BOILERPLATE),
        ("Tags: Vietnam, PBB, UNODC", BOILERPLATE),
        ("Từ khóa: tội phạm mạng", BOILERPLATE),
        ("© 2025 Vietnam.vn", BOILERPLATE),
        ("We use cookies to improve your experience. Accept all", BOILERPLATE),
    ],
)
def test_line_rules(block, reason):
    assert classify_noise(block, "id") == reason


@pytest.mark.parametrize(
    "block",
    [
        PROSE,
        "Suasana dari acara resepsi.",
        "Langkah maju baru dalam kerja sama antara Vietnam dan Perserikatan Bangsa-Bangsa dalam mencegah kejahatan siber.",
        "Theo Bộ trưởng Lương Tam Quang, tội phạm xuyên quốc gia hiện là thách thức chung của toàn thế giới.",
        "Menurut Menteri Luong Tam Quang, kejahatan transnasional merupakan tantangan bersama.",
        "Pada sore hari tanggal 25 Oktober, di Hanoi, Menteri menerima Ibu Ghada Waly.",
        "Menteri menolak memberikan komentar.",
        "Read more about the convention in the annex, which lists every article.",
        "Foto itu diambil di Hanoi.",
        "Warisan",  # a lone word is only noise by position
        "Kerja sama regional",
    ],
)
def test_line_rules_leave_content_alone(block):
    assert classify_noise(block, "id") is None


SEED_ID_NOISE = {
    "Vietnam.vn - Nền tảng quảng bá Việt Nam": BOILERPLATE,
    "Báo Đại biểu Nhân dânBáo Đại biểu Nhân dân25/10/2025": BYLINE,
    "inbound6430099935246812354.jpg": IMAGE,
    "inbound2519343355497421349.jpg": IMAGE,
    "inbound5587352559032741972.jpg": IMAGE,
    "inbound3798273874050573150.jpg": IMAGE,
    "Sumber: https://daibieunhandan.vn/buoc-tien-moi-trong-hop-tac-giua-viet-nam-va-lien-hop-quoc-ve-phong-chong-toi-pham-mang-10392942.html": SOURCE,
    "Komentar (0)": COMMENTS,
    "Silakan tinggalkan komentar untuk berbagi perasaan Anda!": COMMENTS,
    "Dalam topik yang sama": RELATED,
    "Dalam kategori yang sama": RELATED,
    "Tempat hiburan Natal yang menggemparkan anak muda di Kota Ho Chi Minh dengan pohon pinus setinggi 7 meter": RELATED,
    "Apa yang ada di gang 100m yang menyebabkan kehebohan saat Natal?": RELATED,
    "Terkesima dengan pernikahan super yang diselenggarakan selama 7 hari 7 malam di Phu Quoc": RELATED,
    "Parade Kostum Kuno: Kegembiraan Seratus Bunga": RELATED,
    "Dari penulis yang sama": RELATED,
    "Warisan": BOILERPLATE,
    "Angka": BOILERPLATE,
    "Bisnis": BOILERPLATE,
    "Don Den – Balkon langit baru Thai Nguyen menarik minat para pemburu awan muda": RELATED,
    "Peristiwa terkini": BOILERPLATE,
    "Sistem Politik": BOILERPLATE,
    "Lokal": BOILERPLATE,
    "Produk": BOILERPLATE,
}


def test_seed_page_noise_is_exactly_the_site_text():
    blocks = lines("seed_vietnamvn_id.txt")
    verdicts = dict(zip(blocks, find_noise(blocks, "id")))
    assert {b: r for b, r in verdicts.items() if r is not None} == SEED_ID_NOISE
    content = [b for b in blocks if verdicts[b] is None]
    assert content[0].startswith("Langkah maju baru dalam kerja sama")  # the title
    captions = [b for b in content if len(b.split()) < 25]
    assert captions == [
        "Langkah maju baru dalam kerja sama antara Vietnam dan Perserikatan Bangsa-Bangsa dalam mencegah dan memerangi kejahatan siber.",
        "Suasana dari acara resepsi.",
        "Menteri Luong Tam Quang berbicara pada acara resepsi tersebut.",
        "Ibu Ghada Waly, Wakil Sekretaris Jenderal PBB dan Direktur Eksekutif Kantor PBB untuk Narkoba dan Kejahatan, berbicara pada resepsi tersebut.",
        "Ibu Ghada Waly, Wakil Sekretaris Jenderal PBB dan Direktur Eksekutif Kantor PBB untuk Narkoba dan Kejahatan, berbicara pada resepsi tersebut.",
    ]
    assert len(content) == 21  # title, 4 captions and 16 body paragraphs
    assert content[-1].startswith("Kedua belah pihak juga sepakat")


def test_vietnamese_reconstruction_has_the_same_noise_positions():
    vi, id_ = lines("seed_vietnamvn_vi.txt"), lines("seed_vietnamvn_id.txt")
    vi_reasons, id_reasons = find_noise(vi, "vi"), find_noise(id_, "id")
    assert vi_reasons == id_reasons
    assert vi[1].startswith("Bước tiến mới") and vi_reasons[1] is None  # a title without a full stop


def test_short_caption_after_an_image_is_kept_at_the_end():
    blocks = ["Judul berita tentang kerja sama regional", PROSE, "IMG_0001.jpg", "Suasana acara", "Bisnis"]
    assert find_noise(blocks, "id") == [None, None, IMAGE, None, BOILERPLATE]


def test_html_captions_are_kept():
    blocks = ["Judul berita tentang kerja sama regional", PROSE, "Suasana acara"]
    assert find_noise(blocks, "id", captions={2}) == [None, None, None]
    assert find_noise(blocks, "id") == [None, None, BOILERPLATE]


def test_menu_lines_above_the_title_but_not_below():
    blocks = ["Beranda", "Politik", "Langkah maju baru dalam kerja sama", "Pusat Regional", PROSE, PROSE]
    assert find_noise(blocks, "id") == [BOILERPLATE, BOILERPLATE, None, None, None, None]


def test_comment_box_swallows_prose_comments():
    blocks = ["Judul berita panjang di sini", PROSE, PROSE, "Comments (2)", PROSE, "Budi", PROSE]
    assert find_noise(blocks, "id") == [None, None, None, COMMENTS, COMMENTS, BOILERPLATE, COMMENTS]


def test_related_box_inside_the_article_does_not_end_it():
    blocks = ["Judul berita panjang di sini", PROSE, PROSE, "Berita terkait", "Judul lain yang menarik sekali tentang Hanoi", PROSE, PROSE]
    assert find_noise(blocks, "id") == [None, None, None, RELATED, RELATED, None, None]


def test_marker_at_the_top_does_not_open_the_tail():
    blocks = ["Bình luận", "Tiêu đề bài viết về hợp tác quốc tế", PROSE, PROSE]
    assert find_noise(blocks, "vi") == [COMMENTS, None, None, None]


def test_source_line_tail_keeps_following_prose():
    # the article's own source line (a link) opens the tail; a source line without one is left to the next tests
    blocks = ["Judul berita panjang di sini", PROSE, "Nguồn: https://baotintuc.vn/thoi-su/abc-123.htm", "Sistem Politik", PROSE]
    assert find_noise(blocks, "id") == [None, None, SOURCE, BOILERPLATE, None]


@pytest.mark.parametrize("line", ["Nguồn: Sở Giao thông vận tải Hà Nội", "Sumber: Dinas Perhubungan Hanoi",
                                  "Source: Hanoi Department of Transport"])
def test_in_body_source_line_is_content(line):
    """Issue 22: a source line inside the article (the article goes on after it) is translated text, not noise."""
    blocks = ["Judul berita panjang di sini", PROSE, line, PROSE, "Harga tiket tetap", PROSE]
    assert find_noise(blocks, "id") == [None] * 6
    blocks = ["Judul berita panjang di sini", PROSE, PROSE, line, "Harga tiket tetap", PROSE]  # a subheading between
    assert find_noise(blocks, "id", edges=False) == [None] * 6


def test_closing_source_line_stays_noise():
    blocks = ["Judul berita panjang di sini", PROSE, PROSE, "Nguồn: TTXVN", "Bình luận (0)", "Hãy để lại bình luận!"]
    assert find_noise(blocks, "vi") == [None, None, None, SOURCE, COMMENTS, COMMENTS]
    blocks = ["Judul berita panjang di sini", PROSE, "Sumber: https://daibieunhandan.vn/a-1.html", PROSE]
    assert find_noise(blocks, "id")[2] == SOURCE


@pytest.mark.parametrize("line", ["Hoàng Long - Thứ Tư, 12/3/2025 08:15", "Oleh Hoang Long, Rabu, 12 Maret 2025 08:15 WIB",
                                  "Kabar NusantaraRabu, 12/03/2025 - 08:15", "By Bao Ngoc August 19, 2025 | 10:00",
                                  "Cập nhật lúc 08:15, 12/03/2025"])
def test_byline_with_date_and_time_is_noise(line):
    """Issue 22: a byline with a date (and a time) is not a unit, whatever words surround the date."""
    assert classify_noise(line, "vi") == BYLINE


@pytest.mark.parametrize("line", ["Trận đấu diễn ra 20/5/2025 lúc 19:30 tại sân Mỹ Đình",
                                  "Hạn chót nộp hồ sơ: 15/3/2025 lúc 17:00 tại trụ sở",
                                  "Pertandingan digelar 20/5/2025 pukul 19.30 di Stadion My Dinh"])
def test_a_sentence_giving_a_date_and_a_time_is_content(line):
    """Review finding: the byline rule took such lines out of one side only (the other's "pukul 19.30" stayed)."""
    assert classify_noise(line, "vi") is None


@pytest.mark.parametrize(
    "block,cut",
    [
        ("Quang cảnh buổi tiếp. Ảnh: Hoàng Long", "Ảnh: Hoàng Long"),
        ("Suasana dari acara resepsi. Foto: Hoang Long", "Foto: Hoang Long"),
        ("Suasana dari acara resepsi (Foto: Hoang Long/VNA)", "(Foto: Hoang Long/VNA)"),
        ("An electric bus on a trial run. (Photo: Hoang Long)", "(Photo: Hoang Long)"),
        ("Xe buýt điện chạy thử - Ảnh: TTXVN", "- Ảnh: TTXVN"),
        ("Ảnh: Hoàng Long", None),  # a credit alone is a block of its own (line rules)
        ("Ông nói. Ảnh: một bức ảnh rất đẹp, được chụp vào năm ngoái tại Hà Nội bởi phóng viên", None),
    ],
)
def test_trailing_credit(block, cut):
    at = trailing_credit(block)
    assert (block[at:] if at is not None else None) == cut


def test_bare_read_also_takes_the_headline_after_it():
    blocks = ["Judul berita panjang di sini", PROSE, "Baca juga", "Konvensi Hanoi resmi ditandatangani", PROSE]
    assert find_noise(blocks, "id") == [None, None, RELATED, RELATED, None]


def test_text_without_prose_is_left_alone():
    poem = ["Bên kia sông Đuống", "Em ơi buồn làm chi", "Anh đưa em về", "Sông Đuống trôi đi"]
    assert find_noise(poem, "vi") == [None] * 4


def test_edges_off_for_article_html():
    blocks = ["Langkah maju baru dalam kerja sama", PROSE, "Manajemen perbatasan", "Kejahatan siber"]
    assert find_noise(blocks, "id", edges=False) == [None, None, None, None]
    assert find_noise(blocks, "id") == [None, None, BOILERPLATE, BOILERPLATE]


def test_long_blocks_skip_line_rules_quickly():
    block = "Foto: " + "kata " * 200_000
    assert classify_noise(block, "id") is None
