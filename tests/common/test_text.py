"""Text helpers: patterns compiled on first use, and the astral test that skips ASCII."""

from __future__ import annotations

import copy
import pickle
import re

from align.common import text
from align.common.text import has_astral, lazy_compile


def test_a_lazy_pattern_compiles_on_first_use_and_then_is_the_compiled_pattern(monkeypatch):
    compiled: list[str] = []
    real = re.compile

    def counting(source, flags=0):
        compiled.append(source)
        return real(source, flags)

    monkeypatch.setattr(text.re, "compile", counting)
    rx = lazy_compile(r"(\d+)\s*(tháng|THÁNG)", re.IGNORECASE)
    assert compiled == []  # nothing compiled yet
    assert rx.search("ngày 25 Tháng 10").group(1) == "25"
    assert compiled == [r"(\d+)\s*(tháng|THÁNG)"]
    same = real(r"(\d+)\s*(tháng|THÁNG)", re.IGNORECASE)
    s = "3 tháng, 4 THÁNG và 5 Tháng"
    assert rx.findall(s) == same.findall(s)
    assert rx.sub("#", s) == same.sub("#", s)
    assert [m.span() for m in rx.finditer(s)] == [m.span() for m in same.finditer(s)]
    assert rx.match(s) and not rx.fullmatch(s) and rx.split(s) == same.split(s)
    assert rx.pattern == same.pattern and rx.flags == same.flags and rx.groups == 2
    assert compiled == [r"(\d+)\s*(tháng|THÁNG)"]  # once


def test_has_astral_finds_characters_above_the_basic_plane():
    assert not has_astral("plain ASCII")
    assert not has_astral("Tiếng Việt, 中文, ﬁ")
    assert has_astral("emoji 😀") and has_astral("𠀀 ideograph")
    assert not has_astral("")


def test_a_lazy_pattern_copies_and_pickles_as_the_call_that_made_it():
    rx = lazy_compile(r"\bcookies?\b", re.IGNORECASE)
    for fresh in (copy.copy(rx), pickle.loads(pickle.dumps(rx))):
        assert fresh.search("Accept COOKIES").group() == "COOKIES"
    assert rx.search("a cookie") and copy.deepcopy(rx).findall("cookie, cookies") == ["cookie", "cookies"]
