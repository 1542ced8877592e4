"""One alias table for every stage: canonical codes, and the language a file name gives."""

from __future__ import annotations

import pytest

from align.common.errors import UsageError
from align.common.languages import ALIASES, canonical_code, lang_from_filename
from align.formats.tmx import language_code
from align.reading.langid import base_language
from align.reading.segment import abbreviation_lists


@pytest.mark.parametrize("raw, code", [
    ("vi", "vi"), ("VI", "vi"), ("vie", "vi"), ("in", "id"), ("ind", "id"), ("id_ID", "id-ID"),
    ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"), ("fil", "fil"), ("tgl", "tl"),
])
def test_canonical_code(raw, code):
    assert canonical_code(raw) == code
    assert language_code(raw) == code  # the TMX writer uses exactly this


@pytest.mark.parametrize("raw, hint", [("vn", "vi"), ("jp", "ja"), ("", None), ("v1", None), ("vi-VNN", None)])
def test_codes_cat_tools_reject_are_usage_errors(raw, hint):
    with pytest.raises(UsageError) as e:
        canonical_code(raw)
    if hint:
        assert hint in str(e.value)


def test_every_stage_reads_an_alias_the_same_way():
    for alias, code in ALIASES.items():
        assert canonical_code(alias) == code
        assert base_language(alias) == code  # the language check's profile
        assert abbreviation_lists(alias) == abbreviation_lists(code)  # the segmenter's word lists


@pytest.mark.parametrize("path, lang", [
    ("parallel/x/vi.txt", "vi"), ("id.html", "id"), ("VI-vn.txt", "vi-vn"), ("vie.txt", "vie"), ("fil.txt", "fil"),
    ("src.txt", None), ("doc.txt", None), ("tgt.txt", None), ("english.txt", None), ("v1.txt", None),
    ("x/a.txt", None), ("vi-VN-extra.txt", None),
])
def test_lang_from_filename(path, lang):
    assert lang_from_filename(path) == lang
