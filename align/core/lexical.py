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

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from align.common.text import CASED_PLANES_END, char_class, has_astral, wide
from align.common.text import strip_marks as strip_marks  # re-exported: the core's callers use it

_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+", re.UNICODE)
# a number with its internal separators (1.000,50 / 1 000 / 3,5); written \d\d* and not \d+ so that
# ``re`` looks for its first digit with a class test a character instead of trying a match at each
_NUMBER = re.compile(r"\d\d*(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_SENT_END = frozenset(".!?:;…»«\"“”([–—-")


def fold(text: str) -> str:
    """Lower case without diacritics (``đ``/``Đ`` → ``d``, ``ß`` → ``ss``)."""
    return strip_marks(unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).casefold())


class _Digits(dict[int, str | None]):
    """A ``str.translate`` table for a ``_NUMBER`` match: any script's digit as 0-9, separators dropped.

    Filled as characters are first met: a match holds only decimal digits
    (``\\d``) and the separators, so one C call reads a number.
    """

    def __missing__(self, code: int) -> str | None:
        c = chr(code)
        keep = str(unicodedata.digit(c)) if c.isdigit() else None
        self[code] = keep
        return keep


_DIGITS = _Digits()
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_LAST_CAPITAL = CASED_PLANES_END - 1  # no code point above is upper case


def candidate_tokens(text: str) -> set[str]:
    """Tokens of a segment that may survive translation unchanged.

    Numbers (separators removed, so ``1.000`` = ``1,000`` = ``1000``), URLs and
    e-mail addresses, acronyms and capitalised words that do not start a
    sentence (names), and words mixing letters and digits (``A320``, ``COVID-19``).
    """
    return side_tokens([text])[0]


def side_tokens(texts: Sequence[str]) -> list[set[str]]:
    """``candidate_tokens`` of every text: a few regex passes a text, and one ``fold`` for all their words.

    Folding is most of the cost of a word (normalisation, case, marks: four C
    calls), and it works character by character, so the words of all texts are
    folded as one string, joined by line breaks that no word holds.
    """
    found = [_raw_tokens(t) for t in texts]
    words = [w for _, ws in found for w in ws]
    folded = fold("w:" + "\nw:".join(words)).split("\n") if words else []
    out: list[set[str]] = []
    k = 0
    for head, ws in found:
        out.append(set(head + folded[k : k + len(ws)]) if ws else set(head))
        k += len(ws)
    return out


def _may_hold_url(text: str) -> bool:
    """Whether ``_URL`` can match at all (three substring tests, much cheaper than the pattern)."""
    return "@" in text or "www." in text or "://" in text


def own_letters(text: str, shared: set[str]) -> int:
    """Letters of ``text`` outside the ``shared`` tokens (``candidate_tokens`` both lines hold) and URLs.

    How much a line says beyond the names and numbers it shares with another:
    ``Ảnh: Thu Trang`` has 6 letters of its own against ``Foto: Thu Trang``
    (they share ``trang``; ``Thu`` opens a sentence after the colon, so it is
    no name token).
    A character of a script written without spaces counts 3 (a Chinese word is
    1.5 characters on average, an English one about 5 letters), so the measure
    means about the same in every script.
    """
    if _may_hold_url(text):
        text = _URL.sub(" ", text)
    letters = 0
    for word in _WORD.findall(text):
        if "w:" + fold(word) not in shared:
            letters += sum(3 if wide(c) else 1 for c in word if c.isalpha())
    return letters


def _raw_tokens(text: str) -> tuple[list[str], list[str]]:
    """The URL and number tokens of ``text`` (final), and its name-like words (not yet folded)."""
    head: list[str] = []
    rest = text
    if _may_hold_url(text):  # else no URL or address can match: two scans saved
        head = ["u:" + fold(u.rstrip(".,;:)")) for u in _URL.findall(text)]
        rest = _URL.sub(" ", rest)
    head += ["n:" + (_digits(g).lstrip("0") or "0") for g in _NUMBER.findall(rest)]
    astral = has_astral(rest)
    words: list[str] = []
    for cap, inside, crowded, opening, other in _patterns(astral).capitals.findall(rest):
        if inside or crowded:
            return head, _words_anywhere(rest, astral)
        if other or _acronym(cap + opening):
            words.append(cap + (other or opening))
    return head, words


def _digits(number: str) -> str:
    """A ``_NUMBER`` match as 0-9 without separators: any script's digits (٣, ३, ３) read as 0-9, so 2019 = ٢٠١٩.

    An ASCII match (most) holds only 0-9, ``.`` and ``,``: two replaces give what the table gives, without a
    dictionary look-up per character.
    """
    if number.isascii():
        return number.replace(".", "").replace(",", "")
    return number.translate(_DIGITS)


def _words_anywhere(text: str, astral: bool) -> list[str]:
    """The name-like words of a text whose capitals are not all at a word's start (``iPhone``, ``l'ONU``).

    Whitespace is squeezed to one space first, so "follows sentence
    punctuation" is a fixed-width look-behind here too.
    """
    found = _patterns(astral).words.findall(_SPACES.sub(" ", text))
    return [other or opening for opening, other in found if other or _acronym(opening)]


def _acronym(word: str) -> bool:
    """Two capitals: a word that opens a sentence still names something (``UNODC``, ``McCain``)."""
    return sum(map(str.isupper, word)) >= 2


class _Patterns(NamedTuple):
    capitals: re.Pattern[str]
    words: re.Pattern[str]


@functools.cache
def _patterns(astral: bool) -> _Patterns:
    """The two patterns that find the name-like words (``_WORD`` holding a capital, two characters at least).

    A word is the part of a run of word characters (``[\\w'’-]``) from its first
    letter on, less its trailing apostrophes and hyphens. It opens a sentence when
    nothing but whitespace, or sentence punctuation and whitespace, stands before
    it (so its capital says nothing): it is kept only as an acronym (``_acronym``).

    ``capitals`` starts at a capital, which ``re`` finds with a table look-up a
    character (runs without a capital, most of a text, cost next to nothing), and
    reads the word from it: groups (capital, inside, crowded, opening rest, other
    rest). ``inside`` (a capital inside a run: ``iPhone``, ``d'Artagnan``) and
    ``crowded`` (two spaces before it: how far back the sentence punctuation
    stands is unknown) send the text to ``words``, which starts from each run
    (a test a character, five times slower) and gives (opening word, other word).

    The capitals are every code point that ``str.isupper`` calls upper case and
    ``\\w`` a word character; the class is built once per process (a few
    hundredths of a second). With capitals above U+FFFF it cannot be a 64k-bit
    table and ``re`` tests its 647 ranges one by one, 17 times slower: the
    ``astral`` patterns are only for a text holding such characters.
    """
    last = _LAST_CAPITAL if astral else 0xFFFF
    cap = char_class(c for c in map(chr, range(last + 1)) if c.isupper() and _LETTER.match(c))
    end = "[" + re.escape("".join(sorted(_SENT_END))) + "]"
    run = r"[\w'’-]"
    rest = rf"({run}*\w)"  # the word after its first letter: one character at least, no trailing '’-
    after = rf"(?:(?<=\A.)|(?<={end}.)|(?<=\A\s.)|(?<={end}\s.))"  # the capital (.) opens a sentence
    capitals = rf"({cap})(?:(?<=({run}).)|(?<=(\s)\s.)|{after}{rest}|{rest})"
    word = rf"(?={run}*?{cap})[^\W\d_]{run}*\w"  # holds a capital
    opens = rf"(?:\A|(?<=\A )|(?<={end})|(?<={end} ))"
    # from a run's start only (linear): its non-letters, then the word, at a sentence opening or not
    words = rf"(?<!{run})[\d_'’-]*(?:{opens}({word})|({word}))"
    return _Patterns(re.compile(capitals, re.DOTALL), re.compile(words))


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
    return side_tokens(src), side_tokens(tgt)


def find_anchors(src: Sequence[str], tgt: Sequence[str], cands: Candidates | None = None) -> Anchors:
    """Anchor tokens of each segment: candidates that occur on both sides (``cands``: already found)."""
    return anchors_of(cands or candidates(src, tgt))


def anchors_of(cands: Candidates) -> Anchors:
    """Anchor tokens of each unit, from each unit's candidates: those that occur on both sides."""
    cs, ct = cands
    df_s = Counter(itertools.chain.from_iterable(cs))
    df_t = Counter(itertools.chain.from_iterable(ct))
    shared = {t: 1.0 / max(n, df_t[t]) for t, n in df_s.items() if t in df_t}
    # each segment's tokens in sorted order, not a set's: the order of a set of strings changes from one process
    # to the next (hash randomisation), and the weights are summed in this order (``totals``, ``match_band``)
    keys = shared.keys()
    return Anchors(
        tuple({t: shared[t] for t in sorted(keys & toks)} for toks in cs),
        tuple({t: shared[t] for t in sorted(keys & toks)} for toks in ct),
    )


def match_band(anchors: Anchors, start: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """Shared anchor weight of source segment r and target segment j, in band layout.

    ``out[r, j - start[r]]`` for ``start[r] <= j < end[r]``; uses the postings of
    each token, so the cost is the number of anchor matches, not ``n * m``.
    The postings are one sorted array of ``token * m + j``: each (segment,
    token) finds its band's matches with two binary searches, all at once,
    and ``np.add.at`` adds the weights in the order a loop over the segments,
    their tokens and the matches would (float32 sums of one cell keep that order).
    """
    n, m = len(anchors.src), len(anchors.tgt)
    out = np.zeros((n, max(width, 1)), dtype=np.float32)
    ids: dict[str, int] = {}
    keys = np.sort(np.array([ids.setdefault(tok, len(ids)) * m + j for j, toks in enumerate(anchors.tgt)
                             for tok in toks], dtype=np.int64))
    pairs = [(r, ids[tok], w) for r, toks in enumerate(anchors.src) for tok, w in toks.items() if tok in ids]
    if not pairs:
        return out
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    tok_key = np.array([p[1] for p in pairs], dtype=np.int64) * m
    weights = np.array([p[2] for p in pairs], dtype=np.float32)
    s = np.asarray(start, dtype=np.int64)[rows]
    e = np.maximum(np.asarray(end, dtype=np.int64)[rows], s)
    lo = np.searchsorted(keys, tok_key + s)
    count = np.searchsorted(keys, tok_key + e) - lo
    which = np.repeat(np.arange(len(pairs)), count)  # the (segment, token) pair of each match
    k = lo[which] + np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
    np.add.at(out, (rows[which], keys[k] - tok_key[which] - s[which]), weights[which])
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
    # a token of the other side's is no orphan; of the rest, the numbers and URLs are (not the names: ``w:``)
    every_s: set[str] = set().union(*all_cs)
    every_t: set[str] = set().union(*all_ct)
    return (
        np.array([_holds_orphan(toks - every_t) for toks in all_cs], dtype=bool),
        np.array([_holds_orphan(toks - every_s) for toks in all_ct], dtype=bool),
    )


_ORPHAN_KINDS = ("n:", "u:")


def _holds_orphan(missing: set[str]) -> bool:
    """Whether tokens the other side lacks hold a number (``n:``) or a URL (``u:``): most segments miss none."""
    return any(t[:2] in _ORPHAN_KINDS for t in missing) if missing else False
