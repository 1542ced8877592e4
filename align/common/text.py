"""Text helpers every stage may need: dropping combining marks, and character classes the ``re`` engine scans fast.

``re`` finds a character of a class whose members all lie below U+10000
with a bitmap look-up; a class holding astral characters becomes a list of
ranges tried one by one (~50 times slower). So a pattern over many code
points comes in two builds: the fast one, and one with a second class for
the astral members, used only on a text that holds an astral character.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

__all__ = ["ASTRAL", "CASED_PLANES_END", "bmp_or_astral", "char_class", "has_astral", "lazy_compile", "strip_marks", "wide"]

# Planes 2 to 16 hold CJK ideographs, tags and private use: no cased letters and no combining marks
# (tests/quality/test_linear.py checks this against the running Python's Unicode tables).
CASED_PLANES_END = 0x20000
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def has_astral(text: str) -> bool:
    """Whether ``text`` holds a character above U+FFFF (an ASCII text, as most of some languages' lines, is not searched)."""
    return not text.isascii() and ASTRAL.search(text) is not None


def char_class(chars: Iterable[str]) -> str:
    """A regex class of ``chars`` (in code point order), consecutive ones as ranges: a shorter pattern compiles faster."""
    spans: list[list[int]] = []
    for c in map(ord, chars):
        if spans and c == spans[-1][1] + 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return "[" + "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in spans) + "]"


def bmp_or_astral(chars: Iterable[str], astral: bool) -> str:
    """A class of the ``chars`` below U+10000, and a second class of the others if ``astral`` (see the module)."""
    chars = list(chars)
    bmp = char_class([c for c in chars if c < "\U00010000"])
    return f"(?:{bmp}|{char_class([c for c in chars if c >= chr(0x10000)])})" if astral else bmp


@functools.cache
def _marks(astral: bool) -> re.Pattern[str]:
    """The combining characters (``unicodedata.combining``); built on first use (~20 ms)."""
    return re.compile(bmp_or_astral(filter(unicodedata.combining, map(chr, range(CASED_PLANES_END))), astral))


def strip_marks(text: str) -> str:
    """``text`` without its combining characters (after NFKD: without its diacritics), in one regex pass."""
    return _marks(has_astral(text)).sub("", text)


def wide(ch: str) -> bool:
    """A character of a script written without spaces (Han, kana, CJK punctuation); Korean uses spaces."""
    return unicodedata.east_asian_width(ch) in ("W", "F") and not unicodedata.name(ch, "").startswith("HANGUL")


class _LazyPattern:
    """A pattern compiled on its first use; from then on its methods are the compiled pattern's own (no extra call).

    A module of many case-insensitive patterns over Unicode text costs its
    import a hundredth of a second or more to compile them (``re`` folds the
    case of every literal); a run that never reads them (a pre-split file
    never meets the page-noise rules) should not pay for them. Two threads
    that meet it first compile it twice, to the same pattern. It is used by
    its methods (``rx.search(text)``), not passed to ``re``'s functions, which
    want a real ``re.Pattern``; it pickles and copies as the call that made it.
    """

    def __init__(self, source: str, flags: int) -> None:
        self._source, self._flags = source, flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not a pattern's (copy and pickle ask before ``__init__`` has run)
            raise AttributeError(name)
        compiled = re.compile(self._source, self._flags)
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "pattern",
                     "flags", "groups", "groupindex", "scanner"):
            self.__dict__[attr] = getattr(compiled, attr)
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return lazy_compile, (self._source, self._flags)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source!r}, {self._flags!r})"


def lazy_compile(source: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, done when the pattern is first used (see ``_LazyPattern``)."""
    return cast("re.Pattern[str]", _LazyPattern(source, int(flags)))
