"""What news sites put around an article, per language: menus, bylines, credits, comments, footers.

All of it is noise for the benchmark (see :mod:`tests.benchmarks.pages.make_pages`); it is
written per language so that vi, id and en pages carry their site's words, as real pages do.
"""

from __future__ import annotations

import datetime

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

VOCAB: dict[str, dict] = {
    "vi": {
        "menu": ["Trang chủ", "Thời sự", "Thế giới", "Kinh doanh", "Giải trí", "Thể thao", "Pháp luật", "Giáo dục",
                 "Sức khỏe", "Đời sống", "Du lịch", "Số hóa"],
        "home": "Trang chủ",
        "search": "Tìm kiếm",
        "login": "Đăng nhập",
        "share": "Chia sẻ",
        "share_buttons": ["Facebook", "Zalo", "Twitter", "Sao chép liên kết"],
        "print": "In bài",
        "comments_header": "Ý kiến",
        "comments_title": "Bình luận",
        "comment_prompt": "Hãy để lại bình luận để chia sẻ cảm nhận của bạn!",
        "comment_send": "Gửi bình luận",
        "comments": [("Nguyễn Văn Hùng", "Mong thành phố làm thêm nhiều tuyến như thế này, đi lại sẽ đỡ vất vả hơn rất nhiều."),
                     ("Trần Thu Trang", "Bài viết rất hữu ích, cảm ơn tác giả đã cung cấp thông tin chi tiết và kịp thời."),
                     ("Lê Minh", "Tôi đã thử đi tuyến này hôm qua, xe sạch sẽ và tài xế lịch sự.")],
        "reply": "Trả lời",
        "like": "Thích",
        "related": "Tin liên quan",
        "same_section": "Cùng chuyên mục",
        "most_read": "Đọc nhiều nhất",
        "read_also": "Xem thêm",
        "headlines": ["Giá vàng hôm nay tiếp tục lập đỉnh mới", "Hà Nội sẽ cấm xe máy trong vành đai 1 từ năm 2026",
                      "Đội tuyển Việt Nam chốt danh sách dự AFF Cup", "Ngân hàng đồng loạt giảm lãi suất cho vay mua nhà",
                      "Cháy lớn tại kho hàng ở Bình Dương, không có thương vong",
                      "Người dân đổ về phố đi bộ dịp cuối tuần"],
        "tags": "Từ khóa",
        "footer": ["© Copyright 1997-2025 Báo Tin Nhanh, toàn bộ bản quyền thuộc Báo Tin Nhanh.",
                   "Giấy phép số 548/GP-BTTTT do Bộ Thông tin và Truyền thông cấp ngày 24/8/2021.",
                   "Địa chỉ: Tầng 10, Tòa nhà FPT, phố Duy Tân, Cầu Giấy, Hà Nội",
                   "Liên hệ quảng cáo: 0243 123 4567"],
        "about": ["Giới thiệu", "Liên hệ", "Điều khoản sử dụng", "Chính sách bảo mật"],
        "cookie": "Chúng tôi sử dụng cookie để nâng cao trải nghiệm của bạn. Khi tiếp tục truy cập, bạn chấp nhận việc sử dụng cookie.",
        "cookie_ok": "Đồng ý",
        "newsletter": "Nhận bản tin mỗi sáng: những tin quan trọng nhất trong ngày, gửi thẳng vào hộp thư của bạn.",
        "subscribe": "Đăng ký",
        "ad": "Quảng cáo",
        "credit": "Ảnh",
        "by": "Bởi",
        "updated": "Cập nhật",
        "site": "Báo Tin Nhanh",
        "agency": "TTXVN",
        "back_top": "Về đầu trang",
    },
    "id": {
        "menu": ["Beranda", "Berita", "Internasional", "Bisnis", "Hiburan", "Olahraga", "Hukum", "Pendidikan",
                 "Kesehatan", "Gaya Hidup", "Wisata", "Teknologi"],
        "home": "Beranda",
        "search": "Cari",
        "login": "Masuk",
        "share": "Bagikan",
        "share_buttons": ["Facebook", "WhatsApp", "Twitter", "Salin tautan"],
        "print": "Cetak",
        "comments_header": "Komentar",
        "comments_title": "Komentar",
        "comment_prompt": "Silakan tinggalkan komentar untuk berbagi perasaan Anda!",
        "comment_send": "Kirim komentar",
        "comments": [("Budi Santoso", "Semoga kota kami juga segera punya layanan seperti ini, pasti sangat membantu warga."),
                     ("Siti Rahma", "Artikel yang sangat bermanfaat, terima kasih kepada penulis atas informasinya yang lengkap."),
                     ("Andi", "Saya sudah mencobanya kemarin, busnya bersih dan sopirnya ramah.")],
        "reply": "Balas",
        "like": "Suka",
        "related": "Berita Terkait",
        "same_section": "Dalam kategori yang sama",
        "most_read": "Terpopuler",
        "read_also": "Baca juga",
        "headlines": ["Harga emas hari ini kembali cetak rekor baru", "Jakarta perluas kawasan ganjil genap mulai bulan depan",
                      "Timnas Indonesia umumkan skuad untuk Piala AFF", "Bank ramai-ramai turunkan bunga KPR",
                      "Kebakaran gudang di Bekasi, tidak ada korban jiwa", "Warga padati car free day akhir pekan"],
        "tags": "Tag",
        "footer": ["© 2025 Kabar Nusantara. Hak cipta dilindungi undang-undang.",
                   "Kabar Nusantara adalah media daring yang terverifikasi Dewan Pers.",
                   "Alamat: Jl. Palmerah Selatan No. 22, Jakarta Pusat",
                   "Kontak iklan: (021) 555 1234"],
        "about": ["Tentang Kami", "Kontak", "Pedoman Media Siber", "Kebijakan Privasi"],
        "cookie": "Kami menggunakan cookie untuk meningkatkan pengalaman Anda. Dengan melanjutkan, Anda setuju dengan penggunaan cookie.",
        "cookie_ok": "Setuju",
        "newsletter": "Dapatkan ringkasan berita setiap pagi: berita terpenting hari ini, langsung ke kotak masuk Anda.",
        "subscribe": "Berlangganan",
        "ad": "Iklan",
        "credit": "Foto",
        "by": "Oleh",
        "updated": "Diperbarui",
        "site": "Kabar Nusantara",
        "agency": "VNA",
        "back_top": "Kembali ke atas",
    },
    "en": {
        "menu": ["Home", "News", "World", "Business", "Entertainment", "Sports", "Law", "Education", "Health",
                 "Life", "Travel", "Tech"],
        "home": "Home",
        "search": "Search",
        "login": "Sign in",
        "share": "Share",
        "share_buttons": ["Facebook", "LinkedIn", "Twitter", "Copy link"],
        "print": "Print",
        "comments_header": "Comments",
        "comments_title": "Comments",
        "comment_prompt": "Leave a comment to share your thoughts!",
        "comment_send": "Post a comment",
        "comments": [("John Tran", "I hope other cities follow this example, it would make commuting so much easier."),
                     ("Mary Nguyen", "A very useful article, thank you to the author for the detailed and timely information."),
                     ("Kevin", "I tried it yesterday, the bus was clean and the driver was polite.")],
        "reply": "Reply",
        "like": "Like",
        "related": "Related news",
        "same_section": "More stories",
        "most_read": "Most read",
        "read_also": "Read more",
        "headlines": ["Gold prices hit another record high today", "Hanoi to ban motorbikes inside Ring Road 1 from 2026",
                      "Vietnam names squad for the AFF Cup", "Banks cut mortgage rates across the board",
                      "Warehouse fire in Binh Duong, no casualties", "Crowds flock to walking street at the weekend"],
        "tags": "Tags",
        "footer": ["© 2025 Vietnam Daily News. All rights reserved.",
                   "Licence No. 548/GP-BTTTT issued by the Ministry of Information and Communications.",
                   "Address: 10th floor, FPT Building, Duy Tan Street, Hanoi",
                   "Advertising: +84 24 3123 4567"],
        "about": ["About us", "Contact", "Terms of use", "Privacy policy"],
        "cookie": "We use cookies to improve your experience. By continuing to browse, you accept our use of cookies.",
        "cookie_ok": "Accept",
        "newsletter": "Get the morning briefing: the most important news of the day, straight to your inbox.",
        "subscribe": "Subscribe",
        "ad": "Advertisement",
        "credit": "Photo",
        "by": "By",
        "updated": "Updated",
        "site": "Vietnam Daily News",
        "agency": "VNA",
        "back_top": "Back to top",
    },
}


def date_line(lang: str, date: tuple[int, int, int, int, int], style: int) -> str:
    """A site's date line, in one of a few styles per language (weekday, numeric or month names, time zone)."""
    y, m, d, hh, mm = date
    wd = WEEKDAYS[lang][datetime.date(y, m, d).weekday()]
    if lang == "vi":
        return [f"{wd}, {d}/{m}/{y}, {hh:02d}:{mm:02d} (GMT+7)", f"{d:02d}/{m:02d}/{y} {hh:02d}:{mm:02d}",
                f"{hh:02d}:{mm:02d} {wd.lower()}, {d}/{m}/{y}"][style % 3]
    if lang == "id":
        mon = MONTHS["id"][m - 1]
        return [f"{wd}, {d} {mon[:3]} {y} {hh:02d}:{mm:02d} WIB", f"{d} {mon} {y} | {hh:02d}:{mm:02d} WIB",
                f"{wd}, {d:02d}/{m:02d}/{y} - {hh:02d}:{mm:02d}"][style % 3]
    mon = MONTHS["en"][m - 1]
    h12 = hh % 12 or 12
    return [f"{wd}, {mon} {d}, {y} {h12}:{mm:02d} {'PM' if hh >= 12 else 'AM'}", f"{d} {mon} {y}, {hh:02d}:{mm:02d} GMT+7",
            f"{mon} {d}, {y} | {hh:02d}:{mm:02d}"][style % 3]
