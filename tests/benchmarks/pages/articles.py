"""The article text of the benchmark pages: parallel news articles written for this benchmark.

Each article is a list of items in reading order, each item a dict from language to
text (vi, id, and en for some). Item kinds:

* ``title``, ``lead`` (the standfirst), ``p`` (a body paragraph), ``h2`` (a subheading),
  ``quote`` (a pull quote), ``list`` (a list: the value is a list of item dicts)
* ``fig``: a photo with its caption (the caption is content, the credit is not)
* ``src``: a line that *looks* like a source line but is translated body text (the data
  source of a figure in the article); it is content and must be kept

``meta`` carries what a site puts around the article (author, date, section); it is noise.
The ninth article is the repository's sample pair (``parallel/``), read from its files.
"""

from __future__ import annotations

import re
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[3] / "parallel" / "buoc-tien-moi-hop-tac-viet-nam-lhq-phong-chong-toi-pham-mang"

ARTICLES: list[dict] = [
    {
        "id": "bus",
        "meta": {"author": {"vi": "Hoàng Long", "id": "Hoang Long", "en": "Hoang Long"}, "date": (2025, 3, 12, 8, 15),
                 "section": {"vi": "Giao thông", "id": "Transportasi", "en": "Transport"}},
        "items": [
            ("title", {"vi": "Hà Nội mở thêm ba tuyến xe buýt điện nối các khu đô thị mới",
                       "id": "Hanoi membuka tiga rute bus listrik baru yang menghubungkan kawasan perkotaan baru",
                       "en": "Hanoi opens three more electric bus routes linking new urban areas"}),
            ("lead", {"vi": "Từ ngày 15/3, hành khách ở phía tây thành phố có thể đi xe buýt điện tới trung tâm với giá vé không đổi.",
                      "id": "Mulai 15 Maret, penumpang di bagian barat kota dapat naik bus listrik ke pusat kota dengan harga tiket yang tidak berubah.",
                      "en": "From March 15, passengers in the west of the city can ride electric buses to the centre at an unchanged fare."}),
            ("p", {"vi": "Ba tuyến mới có tổng chiều dài hơn 70 km, đi qua các khu đô thị Tây Mỗ, Đại Mỗ và Vinhomes Smart City. Mỗi tuyến có 15 xe chạy với tần suất 10 đến 15 phút một chuyến vào giờ cao điểm.",
                   "id": "Ketiga rute baru ini memiliki panjang total lebih dari 70 km dan melewati kawasan perkotaan Tay Mo, Dai Mo, dan Vinhomes Smart City. Setiap rute dilayani 15 bus dengan frekuensi 10 hingga 15 menit sekali pada jam sibuk.",
                   "en": "The three new routes are more than 70 km long in total and run through the Tay Mo, Dai Mo and Vinhomes Smart City urban areas. Each route has 15 buses running every 10 to 15 minutes at peak hours."}),
            ("fig", {"vi": "Xe buýt điện chạy thử trên tuyến Vinhomes Smart City - Cầu Giấy.",
                     "id": "Bus listrik melakukan uji coba di rute Vinhomes Smart City - Cau Giay.",
                     "en": "An electric bus on a trial run on the Vinhomes Smart City - Cau Giay route."}),
            ("p", {"vi": "Theo kế hoạch, đến năm 2030 toàn bộ xe buýt mới đưa vào khai thác tại Hà Nội sẽ dùng điện hoặc năng lượng xanh. Hiện thành phố có 1.200 xe buýt, trong đó khoảng 300 xe chạy bằng điện.",
                   "id": "Sesuai rencana, pada tahun 2030 semua bus baru yang dioperasikan di Hanoi akan menggunakan listrik atau energi hijau. Saat ini kota tersebut memiliki 1.200 bus, sekitar 300 di antaranya bertenaga listrik.",
                   "en": "Under the plan, by 2030 all new buses put into service in Hanoi will run on electricity or green energy. The city now has 1,200 buses, about 300 of them electric."}),
            ("src", {"vi": "Nguồn: Sở Giao thông vận tải Hà Nội",
                     "id": "Sumber: Dinas Perhubungan Hanoi",
                     "en": "Source: Hanoi Department of Transport"}),
            ("h2", {"vi": "Giá vé không đổi", "id": "Harga tiket tetap", "en": "Fares unchanged"}),
            ("p", {"vi": "Giá vé lượt trên các tuyến mới là 9.000 đồng, vé tháng vẫn áp dụng như các tuyến buýt thường. Người cao tuổi, người khuyết tật và trẻ em dưới 6 tuổi được miễn vé.",
                   "id": "Harga tiket sekali jalan pada rute baru adalah 9.000 dong, sedangkan tiket bulanan tetap berlaku seperti pada rute bus biasa. Lansia, penyandang disabilitas, dan anak di bawah 6 tahun dibebaskan dari tiket.",
                   "en": "A single ticket on the new routes costs 9,000 dong, and monthly passes apply as on ordinary bus routes. Elderly people, people with disabilities and children under six ride free."}),
            ("quote", {"vi": "\u201cChúng tôi muốn người dân bỏ xe máy ở nhà ít nhất vài ngày mỗi tuần\u201d, đại diện Sở cho biết.",
                       "id": "\u201cKami ingin warga meninggalkan sepeda motor di rumah setidaknya beberapa hari dalam seminggu,\u201d kata perwakilan Dinas.",
                       "en": "\u201cWe want people to leave their motorbikes at home at least a few days a week,\u201d a department representative said."}),
        ],
    },
    {
        "id": "rice",
        "meta": {"author": {"vi": "Minh Anh", "id": "Minh Anh", "en": "Minh Anh"}, "date": (2025, 4, 2, 14, 30),
                 "section": {"vi": "Kinh tế", "id": "Ekonomi", "en": "Business"}},
        "items": [
            ("title", {"vi": "Xuất khẩu gạo quý I tăng mạnh nhờ giá cao ở thị trường châu Á",
                       "id": "Ekspor beras kuartal pertama melonjak berkat harga tinggi di pasar Asia",
                       "en": "Rice exports jump in the first quarter on high prices in Asian markets"}),
            ("lead", {"vi": "Việt Nam xuất khẩu gần 2,2 triệu tấn gạo trong ba tháng đầu năm, thu về hơn 1,3 tỷ USD.",
                      "id": "Vietnam mengekspor hampir 2,2 juta ton beras dalam tiga bulan pertama tahun ini dan meraup lebih dari 1,3 miliar dolar AS.",
                      "en": "Vietnam exported almost 2.2 million tonnes of rice in the first three months of the year, earning more than 1.3 billion USD."}),
            ("p", {"vi": "So với cùng kỳ năm trước, lượng gạo xuất khẩu tăng 12% còn kim ngạch tăng tới 25%. Philippines tiếp tục là thị trường lớn nhất, chiếm gần 40% tổng lượng.",
                   "id": "Dibandingkan periode yang sama tahun lalu, volume ekspor beras naik 12% sedangkan nilainya naik hingga 25%. Filipina tetap menjadi pasar terbesar dengan hampir 40% dari total volume.",
                   "en": "Compared with the same period last year, export volume rose 12% while value rose as much as 25%. The Philippines remained the largest market, taking almost 40% of the total."}),
            ("src", {"vi": "Nguồn: Tổng cục Hải quan", "id": "Sumber: Direktorat Jenderal Bea dan Cukai",
                     "en": "Source: General Department of Customs"}),
            ("p", {"vi": "Giá gạo 5% tấm của Việt Nam hiện ở mức 580 USD một tấn, cao hơn gạo cùng loại của Thái Lan và Pakistan. Các doanh nghiệp cho biết đơn hàng đã kín đến tháng 6.",
                   "id": "Harga beras patah 5% Vietnam saat ini berada di level 580 dolar AS per ton, lebih tinggi daripada beras sejenis dari Thailand dan Pakistan. Para pengusaha mengatakan pesanan sudah penuh hingga bulan Juni.",
                   "en": "Vietnam's 5% broken rice now sells at 580 USD a tonne, higher than the same grade from Thailand and Pakistan. Exporters say their order books are full until June."}),
            ("fig", {"vi": "Nông dân Đồng Tháp thu hoạch lúa đông xuân.",
                     "id": "Petani Dong Thap memanen padi musim dingin-semi.",
                     "en": "Farmers in Dong Thap harvest the winter-spring rice crop."}),
            ("p", {"vi": "Bộ Công Thương khuyến cáo doanh nghiệp không nên ký hợp đồng giá thấp kéo dài, đồng thời đa dạng hóa thị trường sang châu Phi và Trung Đông để giảm rủi ro.",
                   "id": "Kementerian Perindustrian dan Perdagangan mengimbau para pengusaha agar tidak menandatangani kontrak jangka panjang dengan harga rendah, sekaligus melakukan diversifikasi pasar ke Afrika dan Timur Tengah untuk mengurangi risiko.",
                   "en": "The Ministry of Industry and Trade advised exporters not to sign long low-price contracts and to diversify into Africa and the Middle East to reduce risk."}),
        ],
    },
    {
        "id": "storm",
        "meta": {"author": {"vi": "Thu Hà", "id": "Thu Ha"}, "date": (2025, 10, 27, 6, 40),
                 "section": {"vi": "Thời sự", "id": "Berita"}},
        "items": [
            ("title", {"vi": "Bão số 12 đổ bộ miền Trung, hơn 20.000 người được sơ tán",
                       "id": "Badai nomor 12 menerjang Vietnam Tengah, lebih dari 20.000 orang dievakuasi"}),
            ("p", {"vi": "Rạng sáng 27/10, bão số 12 đổ bộ vào khu vực Quảng Ngãi - Bình Định với sức gió mạnh cấp 11, giật cấp 13. Mưa lớn kéo dài khiến nhiều tuyến đường bị ngập sâu.",
                   "id": "Pada dini hari tanggal 27 Oktober, badai nomor 12 menerjang wilayah Quang Ngai - Binh Dinh dengan kekuatan angin level 11 dan hembusan hingga level 13. Hujan lebat yang berkepanjangan membuat banyak ruas jalan tergenang dalam."}),
            ("p", {"vi": "Chính quyền các tỉnh đã sơ tán hơn 20.000 người khỏi vùng trũng thấp và ven biển. Hàng nghìn tàu cá được kêu gọi vào nơi trú ẩn an toàn từ chiều hôm trước.",
                   "id": "Pemerintah provinsi telah mengevakuasi lebih dari 20.000 orang dari daerah dataran rendah dan pesisir. Ribuan kapal nelayan diminta berlindung di tempat aman sejak sore sebelumnya."}),
            ("fig", {"vi": "Người dân Quy Nhơn gia cố nhà cửa trước khi bão đổ bộ.",
                     "id": "Warga Quy Nhon memperkuat rumah mereka sebelum badai menerjang."}),
            ("h2", {"vi": "Nguy cơ lũ quét và sạt lở", "id": "Risiko banjir bandang dan tanah longsor"}),
            ("p", {"vi": "Trung tâm Dự báo khí tượng thủy văn quốc gia cảnh báo lượng mưa có thể vượt 400 mm trong hai ngày tới. Các huyện miền núi có nguy cơ cao xảy ra lũ quét và sạt lở đất.",
                   "id": "Pusat Prakiraan Hidrometeorologi Nasional memperingatkan bahwa curah hujan dapat melebihi 400 mm dalam dua hari ke depan. Distrik pegunungan berisiko tinggi mengalami banjir bandang dan tanah longsor."}),
            ("list", [{"vi": "Không ra khỏi nhà khi bão đang đi qua.", "id": "Jangan keluar rumah saat badai sedang melintas."},
                      {"vi": "Tránh xa sông suối và sườn đồi dốc.", "id": "Jauhi sungai dan lereng bukit yang curam."},
                      {"vi": "Chuẩn bị nước uống và đèn pin cho ba ngày.", "id": "Siapkan air minum dan senter untuk tiga hari."}]),
            ("p", {"vi": "Đến 7 giờ sáng, chưa có báo cáo thương vong, nhưng khoảng 150 ngôi nhà bị tốc mái và nhiều khu vực mất điện.",
                   "id": "Hingga pukul 7 pagi, belum ada laporan korban jiwa, tetapi sekitar 150 rumah kehilangan atap dan banyak daerah mengalami pemadaman listrik."}),
        ],
    },
    {
        "id": "exam",
        "meta": {"author": {"vi": "Lan Phương", "id": "Lan Phuong"}, "date": (2025, 6, 26, 19, 5),
                 "section": {"vi": "Giáo dục", "id": "Pendidikan"}},
        "items": [
            ("title", {"vi": "Hơn một triệu thí sinh bước vào kỳ thi tốt nghiệp trung học phổ thông",
                       "id": "Lebih dari satu juta peserta mengikuti ujian kelulusan sekolah menengah atas"}),
            ("lead", {"vi": "Kỳ thi năm nay là kỳ đầu tiên theo chương trình giáo dục phổ thông mới, với bốn môn thi thay vì sáu.",
                      "id": "Ujian tahun ini adalah yang pertama di bawah kurikulum pendidikan umum yang baru, dengan empat mata ujian alih-alih enam."}),
            ("p", {"vi": "Sáng 26/6, hơn 1,16 triệu thí sinh trên cả nước làm bài thi môn Ngữ văn. Bộ Giáo dục và Đào tạo cho biết kỳ thi diễn ra an toàn, không có sự cố lớn.",
                   "id": "Pada pagi hari tanggal 26 Juni, lebih dari 1,16 juta peserta di seluruh negeri mengerjakan ujian Sastra. Kementerian Pendidikan dan Pelatihan menyatakan ujian berlangsung aman tanpa insiden besar."}),
            ("fig", {"vi": "Thí sinh tại Hà Nội trao đổi sau giờ thi môn Ngữ văn.",
                     "id": "Peserta di Hanoi berdiskusi setelah ujian Sastra."}),
            ("p", {"vi": "Đề Ngữ văn được nhiều giáo viên đánh giá là gần gũi với đời sống, yêu cầu học sinh trình bày suy nghĩ về lòng biết ơn và trách nhiệm với cộng đồng.",
                   "id": "Banyak guru menilai soal Sastra dekat dengan kehidupan sehari-hari, karena meminta siswa menyampaikan pendapat tentang rasa syukur dan tanggung jawab terhadap masyarakat."}),
            ("quote", {"vi": "\u201cĐề không đánh đố, học sinh có thể viết bằng chính trải nghiệm của mình\u201d, cô Nguyễn Thị Mai, giáo viên một trường ở quận Ba Đình, nhận xét.",
                       "id": "\u201cSoalnya tidak menjebak, siswa bisa menulis berdasarkan pengalaman mereka sendiri,\u201d ujar Nguyen Thi Mai, guru di sebuah sekolah di distrik Ba Dinh."}),
            ("p", {"vi": "Kết quả thi dự kiến được công bố vào ngày 16/7. Các trường đại học sẽ dùng điểm thi này để xét tuyển cùng với học bạ và các chứng chỉ quốc tế.",
                   "id": "Hasil ujian diperkirakan diumumkan pada 16 Juli. Universitas akan menggunakan nilai ujian ini untuk seleksi masuk bersama dengan rapor dan sertifikat internasional."}),
        ],
    },
    {
        "id": "dengue",
        "meta": {"author": {"vi": "Bảo Ngọc", "id": "Bao Ngoc", "en": "Bao Ngoc"}, "date": (2025, 8, 19, 10, 0),
                 "section": {"vi": "Sức khỏe", "id": "Kesehatan", "en": "Health"}},
        "items": [
            ("title", {"vi": "Số ca sốt xuất huyết tại TP.HCM tăng gấp đôi trong tháng 8",
                       "id": "Jumlah kasus demam berdarah di Kota Ho Chi Minh meningkat dua kali lipat pada bulan Agustus",
                       "en": "Dengue cases in Ho Chi Minh City double in August"}),
            ("p", {"vi": "Trong hai tuần đầu tháng 8, thành phố ghi nhận hơn 3.400 ca sốt xuất huyết, gấp đôi so với tháng trước. Các quận Bình Tân, Thủ Đức và Gò Vấp có số ca mắc cao nhất.",
                   "id": "Dalam dua minggu pertama bulan Agustus, kota ini mencatat lebih dari 3.400 kasus demam berdarah, dua kali lipat dibandingkan bulan sebelumnya. Distrik Binh Tan, Thu Duc, dan Go Vap mencatat jumlah kasus tertinggi.",
                   "en": "In the first two weeks of August the city recorded more than 3,400 dengue cases, twice as many as the month before. Binh Tan, Thu Duc and Go Vap districts had the most cases."}),
            ("src", {"vi": "Nguồn: Sở Y tế TP.HCM", "id": "Sumber: Dinas Kesehatan Kota Ho Chi Minh",
                     "en": "Source: Ho Chi Minh City Department of Health"}),
            ("p", {"vi": "Bác sĩ khuyến cáo người dân không tự ý truyền dịch tại nhà khi bị sốt. Người bệnh cần đến cơ sở y tế nếu sốt cao liên tục, đau bụng hoặc chảy máu cam.",
                   "id": "Dokter mengimbau warga agar tidak melakukan infus sendiri di rumah ketika demam. Pasien harus pergi ke fasilitas kesehatan jika mengalami demam tinggi terus-menerus, sakit perut, atau mimisan.",
                   "en": "Doctors advise people not to put themselves on a drip at home when they have a fever. Patients should go to a clinic if they have a persistent high fever, stomach pain or nosebleeds."}),
            ("fig", {"vi": "Nhân viên y tế phun thuốc diệt muỗi tại một khu dân cư ở quận Bình Tân.",
                     "id": "Petugas kesehatan menyemprotkan obat nyamuk di sebuah permukiman di distrik Binh Tan.",
                     "en": "Health workers spray insecticide in a residential area of Binh Tan district."}),
            ("p", {"vi": "Ngành y tế đã tổ chức chiến dịch diệt lăng quăng tại hơn 200 khu phố. Mỗi hộ gia đình được đề nghị dành mười phút mỗi tuần để đổ nước đọng quanh nhà.",
                   "id": "Sektor kesehatan telah menggelar kampanye pemberantasan jentik nyamuk di lebih dari 200 lingkungan. Setiap rumah tangga diminta meluangkan sepuluh menit setiap minggu untuk membuang genangan air di sekitar rumah.",
                   "en": "The health authorities have run a larvae-killing campaign in more than 200 neighbourhoods. Every household is asked to spend ten minutes a week emptying standing water around the house."}),
        ],
    },
    {
        "id": "hue",
        "meta": {"author": {"vi": "Phan Thành", "id": "Phan Thanh", "en": "Phan Thanh"}, "date": (2025, 6, 7, 21, 10),
                 "section": {"vi": "Văn hóa", "id": "Budaya", "en": "Culture"}},
        "items": [
            ("title", {"vi": "Festival Huế 2025 khai mạc với đêm nghệ thuật trên sông Hương",
                       "id": "Festival Hue 2025 dibuka dengan malam seni di Sungai Huong",
                       "en": "Hue Festival 2025 opens with an art night on the Perfume River"}),
            ("lead", {"vi": "Hơn 500 nghệ sĩ trong và ngoài nước tham gia chương trình khai mạc kéo dài gần hai giờ.",
                      "id": "Lebih dari 500 seniman dalam dan luar negeri ambil bagian dalam acara pembukaan yang berlangsung hampir dua jam.",
                      "en": "More than 500 artists from Vietnam and abroad took part in the opening show, which lasted almost two hours."}),
            ("p", {"vi": "Tối 7/6, sân khấu nổi trên sông Hương được thắp sáng bằng hàng nghìn chiếc đèn hoa đăng. Chương trình tái hiện nghi lễ cung đình và các làn điệu ca Huế.",
                   "id": "Pada malam tanggal 7 Juni, panggung terapung di Sungai Huong diterangi ribuan lentera bunga. Acara tersebut menampilkan kembali upacara istana dan lagu-lagu tradisional Hue.",
                   "en": "On the evening of June 7, a floating stage on the Perfume River was lit by thousands of flower lanterns. The show re-enacted court rituals and traditional Hue songs."}),
            ("fig", {"vi": "Màn biểu diễn nhã nhạc cung đình trong đêm khai mạc.",
                     "id": "Pertunjukan musik istana pada malam pembukaan.",
                     "en": "A royal court music performance on the opening night."}),
            ("p", {"vi": "Festival năm nay kéo dài đến hết tháng 6 với hơn 60 hoạt động, trong đó có lễ hội áo dài, chợ quê ngày hội và đêm Hoàng cung mở cửa miễn phí cho du khách.",
                   "id": "Festival tahun ini berlangsung hingga akhir Juni dengan lebih dari 60 kegiatan, termasuk festival ao dai, pasar desa, dan malam Istana Kekaisaran yang dibuka gratis bagi wisatawan.",
                   "en": "This year's festival runs until the end of June with more than 60 events, including an ao dai festival, a village fair and imperial palace nights open free to visitors."}),
            ("quote", {"vi": "\u201cHuế muốn trở thành thành phố lễ hội quanh năm, không chỉ trong vài ngày\u201d, Chủ tịch UBND thành phố phát biểu.",
                       "id": "\u201cHue ingin menjadi kota festival sepanjang tahun, bukan hanya selama beberapa hari,\u201d kata Ketua Komite Rakyat kota.",
                       "en": "\u201cHue wants to be a festival city all year round, not just for a few days,\u201d the chairman of the city People's Committee said."}),
        ],
    },
    {
        "id": "5g",
        "meta": {"author": {"vi": "Đức Minh", "id": "Duc Minh"}, "date": (2025, 9, 3, 16, 45),
                 "section": {"vi": "Công nghệ", "id": "Teknologi"}},
        "items": [
            ("title", {"vi": "Mạng 5G phủ sóng 90% dân số trước cuối năm", "id": "Jaringan 5G menjangkau 90% penduduk sebelum akhir tahun"}),
            ("lead", {"vi": "Các nhà mạng đã lắp đặt hơn 25.000 trạm phát sóng 5G, vượt kế hoạch đề ra từ đầu năm.",
                      "id": "Para operator telah memasang lebih dari 25.000 stasiun pemancar 5G, melampaui rencana yang ditetapkan sejak awal tahun."}),
            ("p", {"vi": "Theo Bộ Khoa học và Công nghệ, tốc độ tải xuống trung bình của mạng 5G tại Việt Nam đạt 400 Mbps, gấp khoảng tám lần mạng 4G.",
                   "id": "Menurut Kementerian Sains dan Teknologi, kecepatan unduh rata-rata jaringan 5G di Vietnam mencapai 400 Mbps, sekitar delapan kali lipat jaringan 4G."}),
            ("h2", {"vi": "Giá cước vẫn là rào cản", "id": "Tarif masih menjadi hambatan"}),
            ("p", {"vi": "Dù vùng phủ rộng, chỉ khoảng 12 triệu thuê bao đang dùng 5G. Nhiều người dùng cho rằng gói cước còn đắt và điện thoại hỗ trợ 5G chưa phổ biến ở nông thôn.",
                   "id": "Meski cakupannya luas, baru sekitar 12 juta pelanggan yang menggunakan 5G. Banyak pengguna menilai paket tarifnya masih mahal dan ponsel yang mendukung 5G belum umum di pedesaan."}),
            ("fig", {"vi": "Kỹ sư lắp đặt trạm phát sóng 5G tại Đà Nẵng.", "id": "Teknisi memasang stasiun pemancar 5G di Da Nang."}),
            ("p", {"vi": "Các nhà mạng cam kết giảm giá gói cước 5G thêm 20% trong quý IV và hỗ trợ người dùng đổi máy với giá ưu đãi.",
                   "id": "Para operator berjanji menurunkan harga paket 5G sebesar 20% lagi pada kuartal keempat dan membantu pengguna menukar ponsel dengan harga khusus."}),
        ],
    },
    {
        "id": "phuquoc",
        "meta": {"author": {"vi": "Khánh Vy", "id": "Khanh Vy"}, "date": (2025, 12, 1, 9, 20),
                 "section": {"vi": "Du lịch", "id": "Wisata"}},
        "items": [
            ("title", {"vi": "Phú Quốc đón khách quốc tế thứ một triệu trong năm",
                       "id": "Phu Quoc menyambut wisatawan mancanegara ke-1 juta tahun ini"}),
            ("p", {"vi": "Sáng 1/12, đảo Phú Quốc tổ chức lễ đón vị khách quốc tế thứ một triệu, một du khách đến từ Hàn Quốc. Đây là lần đầu tiên đảo đạt mốc này.",
                   "id": "Pada pagi hari tanggal 1 Desember, pulau Phu Quoc menggelar upacara penyambutan wisatawan mancanegara ke-1 juta, seorang turis asal Korea Selatan. Ini pertama kalinya pulau tersebut mencapai angka ini."}),
            ("fig", {"vi": "Vị khách thứ một triệu nhận hoa tại sân bay Phú Quốc.",
                     "id": "Wisatawan ke-1 juta menerima bunga di bandara Phu Quoc."}),
            ("p", {"vi": "Hàn Quốc, Trung Quốc và Đài Loan là ba thị trường khách lớn nhất. Số chuyến bay quốc tế thẳng đến đảo đã tăng lên 40 chuyến mỗi ngày.",
                   "id": "Korea Selatan, Tiongkok, dan Taiwan merupakan tiga pasar wisatawan terbesar. Jumlah penerbangan internasional langsung ke pulau ini telah meningkat menjadi 40 penerbangan per hari."}),
            ("list", [{"vi": "Miễn thị thực 30 ngày cho khách quốc tế.", "id": "Bebas visa 30 hari bagi wisatawan mancanegara."},
                      {"vi": "Thêm đường bay thẳng từ Ấn Độ và Úc.", "id": "Penerbangan langsung baru dari India dan Australia."}]),
            ("p", {"vi": "Ngành du lịch địa phương đặt mục tiêu đón 1,5 triệu khách quốc tế vào năm sau, đồng thời kiểm soát chặt chẽ giá dịch vụ trong mùa cao điểm.",
                   "id": "Sektor pariwisata setempat menargetkan 1,5 juta wisatawan mancanegara tahun depan, sekaligus mengawasi ketat harga layanan selama musim ramai."}),
        ],
    },
]


def sample_article() -> dict:
    """The repository's sample pair as an article: title, lead, paragraphs and its four photos' captions."""
    items: list = []
    blocks = {}
    for lang in ("vi", "id"):
        text = (SAMPLE / f"{lang}.txt").read_text(encoding="utf-8")
        bl = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        end = next(i for i, b in enumerate(bl) if b.startswith(("Nguồn:", "Sumber:")))
        blocks[lang] = [b for b in bl[1:end] if not b.startswith("Báo Đại")]
    assert len(blocks["vi"]) == len(blocks["id"])
    for k, (vi, id_) in enumerate(zip(blocks["vi"], blocks["id"])):
        if "\n" in vi:  # an image file name, then its caption
            items.append(("fig", {"vi": vi.split("\n", 1)[1], "id": id_.split("\n", 1)[1]}))
        else:
            items.append(("title" if k == 0 else "lead" if k == 1 else "p", {"vi": vi, "id": id_}))
    return {"id": "unodc", "items": items,
            "meta": {"author": {"vi": "Hoàng Long", "id": "Hoang Long"}, "date": (2025, 10, 25, 17, 5),
                     "section": {"vi": "Chính trị", "id": "Politik"}}}
