"""The light language check that catches swapped or mislabelled inputs."""

from __future__ import annotations

import pytest

from align.reading.langid import base_language, detect_language, language_mismatch

SAMPLES = {
    "vi": "Bộ trưởng Lương Tam Quang nhấn mạnh, việc Công ước được thông qua bằng đồng thuận sau quá trình đàm phán "
    "khẩn trương một lần nữa khẳng định tầm quan trọng của chủ nghĩa đa phương, cũng như vai trò trung tâm của Liên hợp "
    "quốc trong thúc đẩy hợp tác quốc tế trên cơ sở luật pháp quốc tế để ứng phó hiệu quả với các thách thức toàn cầu.",
    "id": "Menteri Luong Tam Quang menekankan bahwa pengesahan Konvensi secara konsensus selama negosiasi yang dipercepat "
    "sekali lagi menegaskan pentingnya multilateralisme, serta peran sentral PBB dalam mempromosikan kerja sama "
    "internasional berdasarkan hukum internasional untuk secara efektif menanggapi tantangan global yang ada saat ini.",
    "en": "The minister stressed that the adoption of the convention by consensus after accelerated negotiations once "
    "again affirmed the importance of multilateralism, as well as the central role of the United Nations in promoting "
    "international cooperation that is based on international law, which is needed to respond to global challenges.",
    "de": "Der Minister betonte, dass die Annahme des Übereinkommens im Konsens nach beschleunigten Verhandlungen die "
    "Bedeutung des Multilateralismus noch einmal bestätigt habe, und er verwies auf die zentrale Rolle der Vereinten "
    "Nationen bei der Förderung der internationalen Zusammenarbeit auf der Grundlage des Völkerrechts, die nicht nur wichtig ist.",
    "fr": "Le ministre a souligné que l'adoption de la convention par consensus, après des négociations accélérées, a "
    "une fois de plus affirmé l'importance du multilatéralisme ainsi que le rôle central des Nations unies dans la "
    "promotion de la coopération internationale fondée sur le droit international pour répondre aux défis mondiaux qui sont là.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_detects_each_profiled_language(lang):
    assert detect_language(SAMPLES[lang]) == lang


def test_short_text_gets_no_verdict():
    assert detect_language("Suasana dari acara resepsi.") is None


def test_unprofiled_script_gets_no_verdict():
    assert detect_language("これは日本語の文章です。" * 40) is None


def test_swap_is_explained():
    msg = language_mismatch(SAMPLES["id"], "vi")
    assert msg is not None
    assert msg.startswith("looks like Indonesian (id), not Vietnamese (vi)")


def test_no_complaint_when_it_matches():
    for lang, text in SAMPLES.items():
        assert language_mismatch(text, lang) is None
    assert language_mismatch(SAMPLES["vi"], "vi-VN") is None


def test_malay_and_indonesian_are_not_told_apart():
    assert language_mismatch(SAMPLES["id"], "ms") is None


def test_unknown_declared_language_is_not_checked():
    assert language_mismatch(SAMPLES["id"], "ja") is None


def test_base_language():
    assert base_language("vi-VN") == "vi"
    assert base_language("id_ID") == "id"
    assert base_language("in") == "id"
    assert base_language("VIE") == "vi"


def test_swapped_languages_on_short_texts_are_caught():
    """Issue 19, case 11: two short Indonesian sentences declared Vietnamese are refused."""
    indonesian = "Pemerintah mengumumkan kebijakan baru hari ini. Kebijakan itu berlaku mulai bulan depan."
    problem = language_mismatch(indonesian, "vi")
    assert problem is not None and "Vietnamese" in problem and "swapped" in problem
    # the same length of real Vietnamese passes, and so does a short title with no diacritics
    assert language_mismatch("Chính phủ công bố chính sách mới hôm nay. Chính sách có hiệu lực từ tháng sau.", "vi") is None
    assert language_mismatch("Hanoi Marathon 2025", "vi") is None
