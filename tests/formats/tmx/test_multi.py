"""The multilingual TMX writer (issue 23): blocks pivoted on the source, one tuv per language, nothing dropped silently."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from align.formats.tmx.multi import MultiDocument, blocks, write_multilingual_tmx
from align.formats.tmx.read import XML_LANG

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SOURCE = ["Một.", "Hai.", "Ba.", "Bốn."]


def _tus(path):
    root = etree.parse(str(path)).getroot()
    return [{tuv.get(XML_LANG): tuv.findtext("seg") for tuv in tu.iter("tuv")} for tu in root.iter("tu")], root


def test_units_of_languages_that_split_differently_are_merged_into_one_block(tmp_path):
    units = {"id": [(0, 0, "Satu."), (1, 2, "Dua tiga.")], "en": [(0, 0, "One."), (1, 1, "Two."), (2, 2, "Three."), (3, 3, "Four.")]}
    assert blocks(units) == [(0, 0), (1, 2), (3, 3)]
    stats = write_multilingual_tmx([MultiDocument("doc", SOURCE, units)], tmp_path / "m.tmx", src_lang="vi",
                                   tgt_langs=["id", "en"], now=NOW)
    tus, root = _tus(tmp_path / "m.tmx")
    assert root.find("header").get("srclang") == "vi"
    assert tus[1] == {"vi": "Hai. Ba.", "id": "Dua tiga.", "en": "Two. Three."}
    assert tus[2] == {"vi": "Bốn.", "en": "Four."}  # no Indonesian for the last sentence: a unit without its tuv...
    assert [(m.first, m.lang, m.reason) for m in stats.missing] == [(3, "id", "no counterpart")]  # ...listed
    assert stats.tus == 3 and stats.tuvs == {"id": 2, "en": 3}
    assert [tu.get("tuid") for tu in root.iter("tu")] == ["doc:0", "doc:1-2", "doc:3"]


def test_a_counterpart_covering_part_of_a_block_is_listed_not_written(tmp_path):
    units = {"id": [(0, 2, "Satu dua tiga.")], "en": [(0, 0, "One."), (2, 2, "Three.")]}
    stats = write_multilingual_tmx([MultiDocument("doc", SOURCE, units)], tmp_path / "m.tmx", src_lang="vi",
                                   tgt_langs=["id", "en"], now=NOW)
    tus, _ = _tus(tmp_path / "m.tmx")
    assert tus == [{"vi": "Một. Hai. Ba.", "id": "Satu dua tiga."}]
    assert [(m.lang, m.reason) for m in stats.missing] == [("en", "counterpart covers 2 of 3 source segments")]


def test_a_block_no_language_covers_whole_is_listed(tmp_path):
    units = {"id": [(0, 1, "Satu dua.")], "en": [(1, 2, "Two three.")]}
    stats = write_multilingual_tmx([MultiDocument("doc", SOURCE, units)], tmp_path / "m.tmx", src_lang="vi",
                                   tgt_langs=["id", "en"], now=NOW)
    assert _tus(tmp_path / "m.tmx")[0] == []
    assert {m.lang for m in stats.missing} == {"id", "en", "*"}


def test_a_language_without_a_translation_of_the_original_is_listed(tmp_path):
    stats = write_multilingual_tmx([MultiDocument("doc", SOURCE, {"id": [(0, 0, "Satu.")]})], tmp_path / "m.tmx",
                                   src_lang="vi", tgt_langs=["id", "en"], now=NOW)
    assert _tus(tmp_path / "m.tmx")[0] == [{"vi": "Một.", "id": "Satu."}]
    assert [(m.lang, m.reason) for m in stats.missing] == [("en", "no document of this language paired with the original")]
