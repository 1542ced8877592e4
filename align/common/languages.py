"""Language codes: one alias table, the canonical BCP-47 form, and the code a file name gives.

Three stages meet language codes that people type: the reader (which abbreviation
list and which language profile), the TMX writer (the code CAT tools accept) and
the command line (``vi.txt`` names its language). They used to keep three alias
tables that drifted apart; this module holds the one table they all use, so that
``vie``, ``VI`` and ``vi-VN`` mean the same language everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from align.common.errors import UsageError

__all__ = ["ALIASES", "LANG_RE", "WRONG_CODES", "canonical_code", "lang_from_filename"]

#: ISO 639-2/3 codes and deprecated 639-1 codes people pass, mapped to the
#: shortest BCP-47 form CAT tools expect (BCP-47 requires the 2-letter code).
ALIASES: dict[str, str] = {
    "vie": "vi", "ind": "id", "msa": "ms", "may": "ms", "zsm": "ms", "eng": "en",
    "tha": "th", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "fra": "fr",
    "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "in": "id", "iw": "he",
    "ji": "yi", "khm": "km", "lao": "lo", "tgl": "tl",
}
#: Codes that are syntactically fine but wrong for the language people mean.
WRONG_CODES: dict[str, str] = {"vn": "vi (vn is the country code)", "jp": "ja", "cn": "zh", "kr": "ko"}
#: A canonical code: language, optional script, optional region (``vi``, ``zh-Hant-TW``, ``es-419``).
LANG_RE = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:-(?P<script>[A-Z][a-z]{3}))?(?:-(?P<region>[A-Z]{2}|\d{3}))?$"
)
#: Three-letter codes a file may be named by that are languages although not in ``ALIASES``.
_THREE_LETTER_NAMES = frozenset({"fil"})


def canonical_code(raw: str) -> str:
    """``"VI_vn"`` -> ``"vi-VN"``, ``"vie"`` -> ``"vi"``: the BCP-47 form CAT tools accept.

    Canonical case (lower language, title script, upper region), ``_`` read as
    ``-``, aliases mapped to the 2-letter code. UsageError for an empty code, a
    country code given as a language (``vn``) or anything that is not BCP-47:
    a TMX with such a code is silently skipped by some CAT tools.
    """
    parts = [p for p in raw.strip().replace("_", "-").split("-") if p]
    if not parts:
        raise UsageError(f"empty language code {raw!r}")
    base = parts[0].lower()
    if base in WRONG_CODES:
        raise UsageError(f"language code {raw!r} is not a language", hint=f"use {WRONG_CODES[base]}")
    base = ALIASES.get(base, base)
    rest = []
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            rest.append(p.title())
        elif len(p) == 2 and p.isalpha() or len(p) == 3 and p.isdigit():
            rest.append(p.upper())
        else:
            rest.append(p)
    code = "-".join([base, *rest])
    if not LANG_RE.match(code):
        raise UsageError(
            f"language code {raw!r} is not a BCP-47 code CAT tools accept",
            hint="use e.g. vi, id, vi-VN, id-ID",
        )
    return code


def lang_from_filename(path: str | Path) -> str | None:
    """``parallel/x/vi.txt`` -> ``vi``: the corpus layout names files by language code.

    Three-letter stems count only when they are known ISO 639-2 codes (``vie``):
    ``src.txt`` or ``doc.txt`` must not make "src" or "doc" the language. The
    code is returned as the file spells it (lower case), not canonicalised.
    """
    stem = Path(path).stem.lower()
    base = stem.split("-")[0]
    if len(base) == 3 and base not in ALIASES and base not in _THREE_LETTER_NAMES:
        return None
    if 2 <= len(base) <= 3 and stem.replace("-", "").isalpha() and len(stem) <= 8:
        return stem
    return None
