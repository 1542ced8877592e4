"""Sentence segmentation: hand-made cases per rule, real Indonesian news, properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.common.errors import UsageError
from align.reading.segment import abbreviation_lists, sentence_count, sentences, split_sentences

# (lang, text, expected sentences). One realistic sentence pair per case.
CASES = {
    # --- Vietnamese: must not split ---
    "vi TP.HCM inside": (
        "vi",
        "Hội nghị diễn ra tại TP.HCM vào sáng nay. Hơn 300 đại biểu tham dự.",
        ["Hội nghị diễn ra tại TP.HCM vào sáng nay.", "Hơn 300 đại biểu tham dự."],
    ),
    "vi TP.HCM at the end": (
        "vi",
        "Ông hiện sống tại TP.HCM. Đầu năm nay ông về quê.",
        ["Ông hiện sống tại TP.HCM.", "Đầu năm nay ông về quê."],
    ),
    "vi Tp. Hồ Chí Minh": (
        "vi",
        "Sự kiện được tổ chức tại Tp. Hồ Chí Minh từ ngày 20. Ban tổ chức cho biết như vậy.",
        ["Sự kiện được tổ chức tại Tp. Hồ Chí Minh từ ngày 20.", "Ban tổ chức cho biết như vậy."],
    ),
    "vi PGS.TS.": (
        "vi",
        "PGS.TS. Nguyễn Văn A, Hiệu trưởng nhà trường, phát biểu khai mạc. Buổi lễ kéo dài hai giờ.",
        ["PGS.TS. Nguyễn Văn A, Hiệu trưởng nhà trường, phát biểu khai mạc.",
         "Buổi lễ kéo dài hai giờ."],
    ),
    "vi ThS. and GS.": (
        "vi",
        "Tham dự có GS. Trần Văn Bình và ThS. Lê Thị Hoa. Hai người đều là chuyên gia.",
        ["Tham dự có GS. Trần Văn Bình và ThS. Lê Thị Hoa.", "Hai người đều là chuyên gia."],
    ),
    "vi TS. and BS.": (
        "vi",
        "Theo TS. Phạm Minh, BS. Đỗ Hùng đã điều trị cho bệnh nhân. Ca mổ thành công.",
        ["Theo TS. Phạm Minh, BS. Đỗ Hùng đã điều trị cho bệnh nhân.", "Ca mổ thành công."],
    ),
    "vi Q. and P.": (
        "vi",
        "Cửa hàng nằm ở P. Bến Nghé, Q. 1 và đóng cửa lúc 22 giờ. Khách rất đông.",
        ["Cửa hàng nằm ở P. Bến Nghé, Q. 1 và đóng cửa lúc 22 giờ.", "Khách rất đông."],
    ),
    "vi TT.": (
        "vi",
        "Ông là Chủ tịch UBND TT. Phú Mỹ trong nhiệm kỳ trước. Nay ông đã nghỉ hưu.",
        ["Ông là Chủ tịch UBND TT. Phú Mỹ trong nhiệm kỳ trước.", "Nay ông đã nghỉ hưu."],
    ),
    "vi decimal and thousands": (
        "vi",
        "Doanh thu đạt 1.000,5 tỷ đồng trong quý III. Lợi nhuận tăng 12,5%.",
        ["Doanh thu đạt 1.000,5 tỷ đồng trong quý III.", "Lợi nhuận tăng 12,5%."],
    ),
    "vi date with slashes": (
        "vi",
        "Ngày 25/10/2025, Bộ trưởng tiếp đoàn công tác. Đến 25/10 đoàn về nước.",
        ["Ngày 25/10/2025, Bộ trưởng tiếp đoàn công tác.", "Đến 25/10 đoàn về nước."],
    ),
    "vi date with dots": (
        "vi",
        "Hạn chót là 15.12.2025 theo thông báo. Sau ngày 15.12.2025. Hồ sơ sẽ bị trả lại.",
        ["Hạn chót là 15.12.2025 theo thông báo.", "Sau ngày 15.12.2025.", "Hồ sơ sẽ bị trả lại."],
    ),
    "vi v.v. before lower case": (
        "vi",
        "Chợ bán rau, thịt, cá, v.v. với giá rẻ. Người mua rất đông.",
        ["Chợ bán rau, thịt, cá, v.v. với giá rẻ.", "Người mua rất đông."],
    ),
    "vi v.v. ends a sentence": (
        "vi",
        "Chợ bán rau, thịt, cá, v.v. Người mua rất đông.",
        ["Chợ bán rau, thịt, cá, v.v.", "Người mua rất đông."],
    ),
    "vi initials": (
        "vi",
        "Nhà văn A. B. Nguyen vừa ra mắt sách mới. Sách bán rất chạy.",
        ["Nhà văn A. B. Nguyen vừa ra mắt sách mới.", "Sách bán rất chạy."],
    ),
    "vi url and email": (
        "vi",
        "Xem tại https://daibieunhandan.vn/abc-10392942.html hoặc gửi thư tới a.b@c.vn. "
        "Mọi ý kiến đều được ghi nhận.",
        ["Xem tại https://daibieunhandan.vn/abc-10392942.html hoặc gửi thư tới a.b@c.vn.",
         "Mọi ý kiến đều được ghi nhận."],
    ),
    "vi url at a sentence end": (
        "vi",
        "Nguồn: https://daibieunhandan.vn/abc-10392942.html. Bài viết đã được cập nhật.",
        ["Nguồn: https://daibieunhandan.vn/abc-10392942.html.", "Bài viết đã được cập nhật."],
    ),
    "vi abbreviation in parentheses": (
        "vi",
        "Đoàn đã đến thăm thành phố (Tp. Hồ Chí Minh) vào ngày 25/10. Chuyến đi kéo dài ba ngày.",
        ["Đoàn đã đến thăm thành phố (Tp. Hồ Chí Minh) vào ngày 25/10.",
         "Chuyến đi kéo dài ba ngày."],
    ),
    "vi ellipsis inside": (
        "vi",
        "Anh ấy ngập ngừng... rồi nói tiếp. Mọi người im lặng.",
        ["Anh ấy ngập ngừng... rồi nói tiếp.", "Mọi người im lặng."],
    ),
    # --- Vietnamese: must split ---
    "vi ellipsis then capital": (
        "vi",
        "Chúng tôi đã chờ rất lâu... Đến tối thì xe mới tới.",
        ["Chúng tôi đã chờ rất lâu...", "Đến tối thì xe mới tới."],
    ),
    "vi unicode ellipsis then capital": (
        "vi",
        "Chúng tôi đã chờ rất lâu… Ước gì xe tới sớm hơn.",
        ["Chúng tôi đã chờ rất lâu…", "Ước gì xe tới sớm hơn."],
    ),
    "vi straight quote closes sentence": (
        "vi",
        'Bộ trưởng nói: "Chúng tôi sẵn sàng." Sau đó ông rời hội trường.',
        ['Bộ trưởng nói: "Chúng tôi sẵn sàng."', "Sau đó ông rời hội trường."],
    ),
    "vi curly quote closes sentence": (
        "vi",
        "Bộ trưởng nói: “Chúng tôi sẵn sàng.” Sau đó ông rời hội trường.",
        ["Bộ trưởng nói: “Chúng tôi sẵn sàng.”", "Sau đó ông rời hội trường."],
    ),
    "vi question and exclamation": (
        "vi",
        "Bạn đã ăn chưa? Ăn rồi! Ừ, tốt.",
        ["Bạn đã ăn chưa?", "Ăn rồi!", "Ừ, tốt."],
    ),
    "vi capital Đ Ư Ô after a period": (
        "vi",
        "Trời mưa to. Đường ngập nặng. Ước tính thiệt hại lớn. Ô tô chết máy.",
        ["Trời mưa to.", "Đường ngập nặng.", "Ước tính thiệt hại lớn.", "Ô tô chết máy."],
    ),
    "vi one-letter words end sentences": (
        "vi",
        "Cả lớp đều đồng ý. Đội tuyển sang châu Á. Sau đó đội sang Ý. Vâng ạ. Hết.",
        ["Cả lớp đều đồng ý.", "Đội tuyển sang châu Á.", "Sau đó đội sang Ý.", "Vâng ạ.", "Hết."],
    ),
    "vi question then lower case": (
        "vi",
        '"Anh đi đâu vậy?" cô hỏi. Anh không trả lời.',
        ['"Anh đi đâu vậy?" cô hỏi.', "Anh không trả lời."],
    ),
    "vi line breaks are spaces": (
        "vi",
        "Đây là câu đầu\nvẫn còn tiếp tục.\nĐây là câu thứ hai.",
        ["Đây là câu đầu\nvẫn còn tiếp tục.", "Đây là câu thứ hai."],
    ),
    # --- Indonesian ---
    "id dr. and Bpk.": (
        "id",
        "Acara itu dihadiri dr. Andi dan Bpk. Joko dari dinas kesehatan. Keduanya memberi sambutan.",
        ["Acara itu dihadiri dr. Andi dan Bpk. Joko dari dinas kesehatan.",
         "Keduanya memberi sambutan."],
    ),
    "id Jl. and No.": (
        "id",
        "Kantornya berada di Jl. Sudirman No. 5, Jakarta Pusat. Gedung itu baru direnovasi.",
        ["Kantornya berada di Jl. Sudirman No. 5, Jakarta Pusat.", "Gedung itu baru direnovasi."],
    ),
    "id rupiah": (
        "id",
        "Setiap peserta menerima Rp1.500.000,00 dari panitia. Dana itu berasal dari sponsor.",
        ["Setiap peserta menerima Rp1.500.000,00 dari panitia.", "Dana itu berasal dari sponsor."],
    ),
    "id dll. mid-sentence": (
        "id",
        "Pasar menjual buah, sayur, dll. yang dijual dengan harga murah. Pembeli datang sejak pagi.",
        ["Pasar menjual buah, sayur, dll. yang dijual dengan harga murah.",
         "Pembeli datang sejak pagi."],
    ),
    "id dll. ends a sentence": (
        "id",
        "Pasar menjual buah, sayur, dll. Kemudian harga cabai naik tajam.",
        ["Pasar menjual buah, sayur, dll.", "Kemudian harga cabai naik tajam."],
    ),
    "id degree after a name mid-sentence": (
        "id",
        "Bupati Banjar H. Ahmad Muzani, S.Sos. membuka acara tersebut. Ratusan warga hadir.",
        ["Bupati Banjar H. Ahmad Muzani, S.Sos. membuka acara tersebut.", "Ratusan warga hadir."],
    ),
    "id degree before a comma": (
        "id",
        "Acara dibuka oleh Bupati Banjar H. Ahmad Muzani, S.Sos., dan Kepala Dinas Drs. Budi Santoso, "
        "S.H., M.Si. yang datang terlambat. Hujan turun.",
        ["Acara dibuka oleh Bupati Banjar H. Ahmad Muzani, S.Sos., dan Kepala Dinas Drs. Budi Santoso, "
         "S.H., M.Si. yang datang terlambat.", "Hujan turun."],
    ),
    "id degree ends a sentence": (
        "id",
        "Sambutan disampaikan oleh H. Ahmad Muzani, S.Sos. Ia menekankan pentingnya kebersihan.",
        ["Sambutan disampaikan oleh H. Ahmad Muzani, S.Sos.", "Ia menekankan pentingnya kebersihan."],
    ),
    "id pre-nominal titles": (
        "id",
        "Hadir Prof. Dr. Ir. Bambang dan Drs. Hj. Siti Aminah, S.Kom. dalam seminar itu. Acara ramai.",
        ["Hadir Prof. Dr. Ir. Bambang dan Drs. Hj. Siti Aminah, S.Kom. dalam seminar itu.",
         "Acara ramai."],
    ),
    "id Tel. before a number": (
        "id",
        "Informasi lebih lanjut hubungi Tel. 021 5550123 pada jam kerja. Layanan gratis.",
        ["Informasi lebih lanjut hubungi Tel. 021 5550123 pada jam kerja.", "Layanan gratis."],
    ),
    "id hal. as a word ends a sentence": (
        "id",
        "Ia tidak mau membahas hal. Menurutnya, semua sudah jelas. Lihat hal. 12 laporan itu.",
        ["Ia tidak mau membahas hal.", "Menurutnya, semua sudah jelas.", "Lihat hal. 12 laporan itu."],
    ),
    "id guillemets close a sentence": (
        "id",
        "Ia berkata: «Kami siap.» Kemudian rapat ditutup.",
        ["Ia berkata: «Kami siap.»", "Kemudian rapat ditutup."],
    ),
    "id Industri 4.0 at the end": (
        "id",
        "Kerja sama ini penting di era Industri 4.0. Kementerian mendukung penuh.",
        ["Kerja sama ini penting di era Industri 4.0.", "Kementerian mendukung penuh."],
    ),
    # --- English, German, French, generic ---
    "en titles and U.S.": (
        "en",
        "Mr. Smith moved to the U.S. in 2020 with Dr. Jones. They live on St. Mark's Place.",
        ["Mr. Smith moved to the U.S. in 2020 with Dr. Jones.", "They live on St. Mark's Place."],
    ),
    "en no as a word and No. as a number": (
        "en",
        "He said no. Then he read item No. 5 aloud.",
        ["He said no.", "Then he read item No. 5 aloud."],
    ),
    "de ordinal dates and z. B.": (
        "de",
        "Am 3. Oktober kam er z. B. nach Berlin. Im 19. Jahrhundert war das anders. Er kam 2025. Dann ging er.",
        ["Am 3. Oktober kam er z. B. nach Berlin.", "Im 19. Jahrhundert war das anders.",
         "Er kam 2025.", "Dann ging er."],
    ),
    "fr M. and spaced guillemets": (
        "fr",
        "M. Dupont est arrivé. Il y en a. Il dit : « Nous sommes prêts. » Après, il part.",
        ["M. Dupont est arrivé.", "Il y en a.", "Il dit : « Nous sommes prêts. »", "Après, il part."],
    ),
    "fr opening guillemet goes with the next sentence": (
        "fr",
        "Il attend la nuit . « Tu viens ? » demande-t-il.",
        ["Il attend la nuit .", "« Tu viens ? » demande-t-il."],
    ),
    "generic language": (
        "sw",
        "Mr. Otieno alifika jana. Alisema: \"Tuko tayari.\" Kisha akaondoka.",
        ["Mr. Otieno alifika jana.", 'Alisema: "Tuko tayari."', "Kisha akaondoka."],
    ),
    "full-width ends without spaces": (
        "zh",
        "今天下雨。我们回家！「好吗？」 明天见。",
        ["今天下雨。", "我们回家！", "「好吗？」", "明天见。"],
    ),
    "ar question mark": (
        "ar",
        "ذهبت إلى السوق. هل اشتريت الخبز؟ نعم، اشتريته.",
        ["ذهبت إلى السوق.", "هل اشتريت الخبز؟", "نعم، اشتريته."],
    ),
    "hi danda": (
        "hi",
        "मैं बाजार गया। मैंने रोटी खरीदी। क्या तुमने देखा?",
        ["मैं बाजार गया।", "मैंने रोटी खरीदी।", "क्या तुमने देखा?"],
    ),
    "ur full stop": ("ur", "میں بازار گیا۔ میں نے روٹی خریدی۔", ["میں بازار گیا۔", "میں نے روٹی خریدی۔"]),
    "am Ethiopic full stop": ("am", "ወደ ገበያ ሄድኩ። ዳቦ ገዛሁ።", ["ወደ ገበያ ሄድኩ።", "ዳቦ ገዛሁ።"]),
    "hy Armenian full stop": ("hy", "Ես գնացի շուկա։ Ես հաց գնեցի։", ["Ես գնացի շուկա։", "Ես հաց գնեցի։"]),
    "my Myanmar section mark": (
        "my",
        "ကျွန်တော် ဈေးသွားတယ်။ ပေါင်မုန့်ဝယ်တယ်။",
        ["ကျွန်တော် ဈေးသွားတယ်။", "ပေါင်မုန့်ဝယ်တယ်။"],
    ),
    "id telephone with a plus sign": (
        "id",
        "Hubungi Tel. +62 21 5550123 sekarang. Layanan gratis.",
        ["Hubungi Tel. +62 21 5550123 sekarang.", "Layanan gratis."],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_split_case(name: str) -> None:
    lang, text, expected = CASES[name]
    assert sentences(text, lang) == expected


# Paragraphs of ../shared/seeds/000_39404f678b48ea5c.txt (Indonesian news), copied here.
SEED_PARAGRAPHS = [
    (
        "Menteri Luong Tam Quang menegaskan bahwa koordinasi antara Kementerian Keamanan Publik Vietnam "
        "dan UNODC telah mengirimkan pesan kuat tentang semangat kerja sama internasional dalam mencegah "
        "dan memerangi kejahatan siber, yang bertujuan untuk membangun standar komunikasi yang seragam di "
        "antara entitas di dunia maya – mulai dari lembaga penegak hukum dan penyedia layanan hingga warga "
        "negara dan korban kejahatan siber – sehingga mendorong pengembangan dunia maya global yang aman "
        "dan berkelanjutan di era Industri 4.0. Kementerian Keamanan Publik Vietnam secara konsisten "
        "mendukung dan mempromosikan multilateralisme dan kerja sama internasional dalam menangani isu-isu "
        "global, mengingat hal ini sebagai faktor penting yang berkontribusi pada pemeliharaan perdamaian, "
        "stabilitas, dan keamanan internasional.",
        2,
    ),
    (
        "Menteri Luong Tam Quang menyambut baik upaya tersebut dan sangat mengapresiasi peran PBB secara "
        "umum, dan UNODC secara khusus, dalam mendukung negara-negara untuk meningkatkan kapasitas mereka "
        "dalam memerangi kejahatan terorganisir transnasional dan menanggapi tantangan keamanan "
        "non-tradisional, terutama kejahatan siber. Sejak UNODC mendirikan kantor perwakilannya di Vietnam "
        "pada tahun 1992, organisasi tersebut telah menjalin hubungan kerja sama yang erat dan semakin "
        "mendalam dengan lembaga-lembaga terkait di Vietnam, termasuk Kementerian Keamanan Publik. Pada "
        "kesempatan ini, atas nama Kementerian Keamanan Publik Vietnam, Menteri Luong Tam Quang sangat "
        "mengapresiasi dan menyampaikan terima kasih yang tulus kepada UNODC atas dukungannya selama ini, "
        "terutama kegiatan kerja sama dalam kerangka beberapa program utama seperti manajemen perbatasan, "
        "pemberantasan kejahatan teknologi tinggi, perdagangan manusia, kejahatan lingkungan, korupsi, dan "
        "terorisme.",
        3,
    ),
    (
        "Menurut Menteri Luong Tam Quang, kejahatan transnasional, khususnya kejahatan siber, saat ini "
        "merupakan tantangan bersama bagi seluruh dunia, dan tidak ada satu negara pun yang dapat secara "
        "efektif menyelesaikan masalah ini sendirian. Konvensi Hanoi menandai titik balik penting setelah "
        "lebih dari dua dekade, karena ini adalah pertama kalinya komunitas internasional mencapai "
        "instrumen hukum global tentang kejahatan transnasional. Konvensi ini tidak hanya menunjukkan tekad "
        "bersama dalam menanggapi tantangan yang semakin kompleks dari dunia maya, tetapi juga menegaskan "
        "bahwa solidaritas dan kerja sama internasional adalah kunci untuk memastikan keamanan siber global.",
        3,
    ),
    ("Báo Đại biểu Nhân dânBáo Đại biểu Nhân dân25/10/2025", 1),
    ("inbound6430099935246812354.jpg\nSuasana dari acara resepsi.", 1),
]


@pytest.mark.parametrize("text,count", SEED_PARAGRAPHS)
def test_seed_paragraph_counts(text: str, count: int) -> None:
    got = sentences(text, "id")
    assert len(got) == count, got
    assert all(s[-1] in ".0123456789" for s in got)


def test_seed_paragraph_boundary_after_version_number() -> None:
    first, second = sentences(SEED_PARAGRAPHS[0][0], "id")
    assert first.endswith("di era Industri 4.0.")
    assert second.startswith("Kementerian Keamanan Publik Vietnam secara konsisten")


# --- spans ---------------------------------------------------------------------------

def test_spans_are_stripped_offsets_into_the_text() -> None:
    text = "  Câu một.   Câu hai!\n\n"
    assert split_sentences(text, "vi") == [(2, 10), (13, 21)]


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u00a0\u2028"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text, "vi") == []


def test_nonbreaking_spaces_count_as_spaces() -> None:
    text = "Trời mưa.\u00a0Đường ngập."
    assert sentences(text, "vi") == ["Trời mưa.", "Đường ngập."]


def test_punctuation_only_piece_is_not_a_sentence() -> None:
    assert sentences("Xong rồi. !!! Đi thôi.", "vi") == ["Xong rồi. !!!", "Đi thôi."]


def test_all_lower_case_text_still_splits() -> None:
    assert sentences("trời mưa. đường ngập. xe chết máy.", "vi") == [
        "trời mưa.", "đường ngập.", "xe chết máy."]


# --- languages and lists ----------------------------------------------------------

@pytest.mark.parametrize("code", ["vi", "VI", "vi-VN", "vi_VN", "vie"])
def test_language_codes_resolve(code: str) -> None:
    assert sentences("Tại TP.HCM. Ông PGS.TS. Lê đến.", code) == ["Tại TP.HCM.", "Ông PGS.TS. Lê đến."]


def test_indonesian_legacy_code_in() -> None:
    assert sentences("Ada buah, dll. yang dijual.", "in") == ["Ada buah, dll. yang dijual."]


def test_unknown_language_uses_generic_list() -> None:
    assert abbreviation_lists("zz") == abbreviation_lists("generic")
    assert "mr" in abbreviation_lists("zz").abbrev
    assert "bpk" not in abbreviation_lists("zz").abbrev


@pytest.mark.parametrize("lang", ["vi", "id", "en", "de", "fr"])
def test_shipped_lists_load_and_kinds_are_disjoint(lang: str) -> None:
    lists = abbreviation_lists(lang)
    assert lists.abbrev and lists.can_end and lists.before_number
    assert not (lists.abbrev & lists.can_end)
    assert not (lists.abbrev & lists.before_number)
    assert not (lists.can_end & lists.before_number)
    for entry in lists.abbrev | lists.can_end | lists.before_number:
        assert entry == entry.lower() and not entry.endswith(".") and entry


def test_language_file_overrides_generic_kind() -> None:
    # "p" is number-only in general, but a Vietnamese ward prefix ("P. Bến Nghé", "p. 5").
    assert "p" in abbreviation_lists("generic").before_number
    assert "p" in abbreviation_lists("vi").abbrev


def test_bad_arguments_raise_usage_error() -> None:
    with pytest.raises(UsageError):
        split_sentences(b"bytes", "vi")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        split_sentences("text", None)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠĐƯỚỜÔẾabAB ")
    + [" ", " ", "\n", "\t", "\u00a0", ".", ".", "...", "…", "?", "!", ",", ":", '"', "“", "”", "«", "»",
       "(", ")", "'", "1", "2", "0", "/", "-", "@", "TP.HCM", "PGS.TS.", "dr.", "Jl.", "No.", "dll.",
       "S.Sos.", "v.v.", "U.S.", " A. ", "Đ", "\u200b", "中", "。"]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join)
_LANG = st.sampled_from(["vi", "id", "en", "de", "fr", "xx"])


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, lang=_LANG)
def test_spans_cover_text_with_whitespace_gaps(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    pos = 0
    rebuilt = []
    for start, end in spans:
        assert pos <= start < end <= len(text)
        gap = text[pos:start]
        assert gap.strip() == "" and gap == "".join(c for c in gap if c.isspace())
        piece = text[start:end]
        assert piece == piece.strip() and piece
        rebuilt += [gap, piece]
        pos = end
    assert text[pos:].strip() == ""
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == text


@settings(max_examples=60, deadline=None)
@given(text=_TEXT, lang=_LANG)
def test_deterministic_and_helper_agrees(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    assert split_sentences(text, lang) == spans
    assert sentences(text, lang) == [text[s:e] for s, e in spans]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Trời mưa to.", "Đường ngập?", "Xe chết máy!", "Ông đến TP.HCM.",
                                 "PGS.TS. Lê Văn Hai đến.", "Giá 1.000,5 tỷ đồng."]),
                min_size=1, max_size=6))
def test_joined_clean_sentences_come_back(parts: list[str]) -> None:
    assert sentences(" ".join(parts), "vi") == parts


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("id", "Harga naik 2,5 persen.[1] Pemerintah akan bertindak.", ["Harga naik 2,5 persen.[1]", "Pemerintah akan bertindak."]),
        ("id", "Ia pergi.[12][13] Lalu pulang.", ["Ia pergi.[12][13]", "Lalu pulang."]),
        ("vi", "Giá tăng mạnh.[4]", ["Giá tăng mạnh.[4]"]),
        # with a space the mark may open a numbered item: left where it is
        ("en", "See the notes. [2] More follows here.", ["See the notes.", "[2] More follows here."]),
    ],
)
def test_a_footnote_mark_stays_with_the_sentence_it_annotates(lang, text, expected):
    assert [text[a:b] for a, b in split_sentences(text, lang)] == expected


@pytest.mark.parametrize(
    ("text", "lang", "n"),
    [
        ("One sentence with its mark.", "en", 1),
        ("No mark at all", "en", 1),
        ("  ", "en", 1),
        ("First one. Second one.", "en", 2),
        ("Dr. Smith came home.", "en", 1),  # an abbreviation is not a sentence end
        ("Ông ấy đến. Bà ấy đi. Họ về.", "vi", 3),
        ("他来了。她走了。", "zh", 2),
        ("Giá 26.750 đồng.", "vi", 1),
        ("Wait… Then he left.", "en", 2),  # an ellipsis ends a sentence when a capital follows
    ],
)
def test_sentence_count_of_a_pre_split_line(text, lang, n):
    assert sentence_count(text, lang) == n


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["Ông", "A.", "đi", "Dr.", "về", "3.5", "…", "!", "?", ".", "Họ", "x", "。", "Then"]), max_size=12),
    st.sampled_from(["vi", "en", "de", "und"]),
)
def test_sentence_count_agrees_with_the_segmenter(words, lang):
    """The fast path (no inner sentence mark: one sentence) never disagrees with splitting."""
    text = " ".join(words)
    assert sentence_count(text, lang) == max(1, len(split_sentences(text.strip(), lang)))


def test_sentence_count_skips_the_segmenter_only_where_it_finds_one_sentence():
    """The count's shortcut (no word character after a mark a cut can follow) against the segmenter itself.

    Marks glued to quotes, brackets, numbers and words, ellipses, full-width
    ends and footnote marks: wherever the shortcut answers 1, splitting does too.
    """
    rng = random.Random(5)
    parts = ["Ông", "Then", "đi", "x", "A.", "St.", "Dr.", "3.5", "2.000", "…", "...", ".", "!", "?", "。", "؟",
             "\"", "”", "“", "»", "«", "(", ")", "[1]", "²", ":", ",", "'", "-", "St", "Louis", "Họ", "về"]
    seps = ["", " ", " ", "  ", "\u00a0", "\t"]
    for _ in range(4000):
        text = "".join(rng.choice(parts) + rng.choice(seps) for _ in range(rng.randint(0, 8)))
        lang = rng.choice(["vi", "en", "de", "und"])
        assert sentence_count(text, lang) == max(1, len(split_sentences(text.strip(), lang))), (text, lang)


def test_sentence_count_of_lines_ending_in_quotes_and_numbers():
    assert sentence_count('Bà nói: "Tôi sẽ đi."', "vi") == 1
    assert sentence_count("Giá tăng 3.5% so với 2.000 đồng.", "vi") == 1
    assert sentence_count('Ông ấy đến." Bà ấy đi.', "vi") == 2
    assert sentence_count("He left.(Then she came.)", "en") == max(1, len(split_sentences("He left.(Then she came.)", "en")))
