"""Text helpers every stage may need: dropping combining marks (diacritics after NFKD)."""

from __future__ import annotations

import unicodedata

__all__ = ["strip_marks"]


class _Marks(dict[int, int | None]):
    """A ``str.translate`` table that drops combining marks, filled as characters are first met.

    Looking each character up in C is ten times faster than a Python test per
    character, and a document meets a few hundred distinct characters.
    """

    def __missing__(self, code: int) -> int | None:
        keep = None if unicodedata.combining(chr(code)) else code
        self[code] = keep
        return keep


_MARKS = _Marks()


def strip_marks(text: str) -> str:
    """``text`` without its combining characters (after NFKD: without its diacritics)."""
    return text.translate(_MARKS)
