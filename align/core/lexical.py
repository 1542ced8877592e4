"""Cheap lexical evidence that survives translation: numbers, names, acronyms, URLs.

``Lương Tam Quang`` is ``Luong Tam Quang`` in an Indonesian text, ``UNODC`` and
``1992`` stay as they are. Tokens are folded (lower case, no diacritics,
``đ`` → ``d``) and only kept as *anchors* when they occur on both sides of the
document pair: so German nouns (capitalised, but not in the French text) and
other words that happen to look like names add nothing, and a token shared by
many segments counts little (weight ``1 / max(df_src, df_tgt)``).

The aligner uses this as a bonus scaled by semantic similarity, never alone.
The converse is evidence too: a number or URL that occurs nowhere in the other
text (``orphans``) says its segment was most likely left untranslated.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+", re.UNICODE)
# a number with its internal separators (1.000,50 / 1 000 / 3,5)
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENT_END = frozenset(".!?:;…»«\"“”([–—-")


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


def fold(text: str) -> str:
    """Lower case without diacritics (``đ``/``Đ`` → ``d``, ``ß`` → ``ss``)."""
    return strip_marks(unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).casefold())


def _starts_sentence(text: str, pos: int) -> bool:
    """The word at ``pos`` opens the text or follows sentence punctuation (so its capital says nothing)."""
    k = pos - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or text[k] in _SENT_END


def candidate_tokens(text: str) -> set[str]:
    """Tokens of a segment that may survive translation unchanged.

    Numbers (separators removed, so ``1.000`` = ``1,000`` = ``1000``), URLs and
    e-mail addresses, acronyms and capitalised words that do not start a
    sentence (names), and words mixing letters and digits (``A320``, ``COVID-19``).
    """
    out: set[str] = set()
    rest = text
    if "@" in text or "www." in text or "://" in text:  # else no URL or address can match: two scans saved
        for m in _URL.finditer(text):
            out.add("u:" + fold(m.group(0).rstrip(".,;:)")))
        rest = _URL.sub(" ", rest)
    for m in _NUMBER.finditer(rest):
        # any script's digits (٣, ३, ３) read as 0-9, so 2019 = ٢٠١٩
        digits = "".join(str(unicodedata.digit(c)) for c in m.group(0) if c.isdigit())
        out.add("n:" + (digits.lstrip("0") or "0"))
    for run in _capital_runs().finditer(rest):
        letter = _LETTER.search(run.group())  # the word: the run from its first letter (a capital is one)
        start = run.start() + (letter.start() if letter else 0)
        w = rest[start : run.end()].strip("'’-")
        if len(w) < 2:
            continue
        upper = sum(c.isupper() for c in w)
        if upper >= 2 or not _starts_sentence(rest, start):
            out.add("w:" + fold(w))
    return out


_LETTER = re.compile(r"[^\W\d_]")
# No code point above the supplementary multilingual plane is upper case (Unicode 14/15: the planes
# above hold CJK ideographs, tags and private use), so the capitals are looked for below it only.
_LAST_CAPITAL = 0x1FFFF


@functools.cache
def _capital_runs() -> re.Pattern[str]:
    """Runs of word characters (``[\\w'’-]``) that hold a capital: the only places a name can stand.

    A ``_WORD`` is the part of such a run from its first letter on, so the runs
    without a capital (most of a text) hold no candidate, and one regex pass
    skips them instead of a Python step per word. The capitals are every code
    point that ``str.isupper`` calls upper case and ``\\w`` a word character;
    the class is built once per process (a few hundredths of a second).
    """
    caps = [c for c in range(_LAST_CAPITAL + 1) if chr(c).isupper() and _LETTER.match(chr(c))]
    spans: list[list[int]] = []
    for c in caps:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    cls = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans)
    return re.compile(rf"(?<![\w'’-])[\w'’-]*?[{cls}][\w'’-]*")  # from a run's start only: linear


@dataclass(frozen=True)
class Anchors:
    """Anchor tokens per segment (shared by both sides) with their weights."""

    src: tuple[dict[str, float], ...]
    tgt: tuple[dict[str, float], ...]

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Total anchor weight of each source and each target segment."""
        return (
            np.array([sum(d.values()) for d in self.src], dtype=np.float64),
            np.array([sum(d.values()) for d in self.tgt], dtype=np.float64),
        )

    @property
    def empty(self) -> bool:
        return not any(self.src) or not any(self.tgt)


Candidates = tuple[list[set[str]], list[set[str]]]


def candidates(src: Sequence[str], tgt: Sequence[str]) -> Candidates:
    """``candidate_tokens`` of every segment of both sides (shared by anchors and orphans)."""
    return [candidate_tokens(t) for t in src], [candidate_tokens(t) for t in tgt]


def find_anchors(src: Sequence[str], tgt: Sequence[str], cands: Candidates | None = None) -> Anchors:
    """Anchor tokens of each segment: candidates that occur on both sides."""
    cs, ct = cands or candidates(src, tgt)
    df_s: dict[str, int] = defaultdict(int)
    df_t: dict[str, int] = defaultdict(int)
    for toks in cs:
        for tok in toks:
            df_s[tok] += 1
    for toks in ct:
        for tok in toks:
            df_t[tok] += 1
    shared = {t: 1.0 / max(df_s[t], df_t[t]) for t in df_s if t in df_t}
    return Anchors(
        tuple({t: shared[t] for t in toks if t in shared} for toks in cs),
        tuple({t: shared[t] for t in toks if t in shared} for toks in ct),
    )


def match_band(anchors: Anchors, start: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """Shared anchor weight of source segment r and target segment j, in band layout.

    ``out[r, j - start[r]]`` for ``start[r] <= j < end[r]``; uses the postings of
    each token, so the cost is the number of anchor matches, not ``n * m``.
    """
    n = len(anchors.src)
    out = np.zeros((n, max(width, 1)), dtype=np.float32)
    postings: dict[str, list[int]] = defaultdict(list)
    for j, toks in enumerate(anchors.tgt):
        for tok in toks:
            postings[tok].append(j)
    for r, toks in enumerate(anchors.src):
        s, e = int(start[r]), int(end[r])
        if s >= e:
            continue
        for tok, w in toks.items():
            post = postings.get(tok)
            if not post:
                continue
            k0 = bisect.bisect_left(post, s)
            k1 = bisect.bisect_left(post, e)
            for j in post[k0:k1]:
                out[r, j - s] += w
    return out


def orphans(src: Sequence[str], tgt: Sequence[str], cands: Candidates | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: does it hold a number or URL that occurs nowhere in the other text?

    Numbers and URLs survive translation (the separators are folded away), so
    one that the other side lacks entirely marks a sentence the translator left
    out or added; names are not used (German capitalises every noun). A number
    can also vanish legitimately (``tháng 6`` is ``Juni``), so this only makes
    leaving the segment out cheaper; the similarity still decides.
    """
    all_cs, all_ct = cands or candidates(src, tgt)
    cs = [{t for t in toks if t[:2] in ("n:", "u:")} for toks in all_cs]
    ct = [{t for t in toks if t[:2] in ("n:", "u:")} for toks in all_ct]
    all_s: set[str] = set().union(*cs)
    all_t: set[str] = set().union(*ct)
    return (
        np.array([bool(toks - all_t) for toks in cs], dtype=bool),
        np.array([bool(toks - all_s) for toks in ct], dtype=bool),
    )
