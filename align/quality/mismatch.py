"""Numbers and names that a translation should carry over, and the beads where it did not.

Tagger-free and loose on purpose: a reviewer forgives a missed flag more
easily than a page of false ones. Numbers compare by their digits (separators,
scale words and month names normalised); names compare after folding case and
diacritics (``Lương Tam Quang`` = ``Luong Tam Quang``, ``Hà Nội`` = ``Hanoi``).
Measured on the NTREX vi→id gold alignments (1,997 correct pairs), about 1%
of pairs get a number flag and 1% a name flag, most of them real differences
between the two translations.

Linear in the text: each segment's text is analysed once (``TextIndex``,
held by ``SegmentTexts``) and reused by every bead that holds it and by the
document's name index; a bead of several segments joins their analyses
instead of reading its joined text again, except where the segments' edges
change what a reading of the joined text would find (``_seamless``).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, overload

from align.common.text import CASED_PLANES_END, bmp_or_astral, has_astral, strip_marks

T = TypeVar("T")


class _lazy(Generic[T]):  # noqa: N801 (named like the decorator it replaces)
    """``functools.cached_property`` without the lock that Python 3.11 takes on every first access.

    The checks read thousands of such properties once each; nothing here is shared between threads.
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _lazy[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | _lazy[T]:
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value  # found there from now on, before this (non-data) descriptor
        return value


def fold(text: str) -> str:
    """Lower-case, strip diacritics (``Lương`` → ``luong``, ``đ`` → ``d``): names match across spellings."""
    return strip_marks(unicodedata.normalize("NFKD", text.lower()).replace("đ", "d").replace("ı", "i"))


# what is not ``str.isalnum()``: ``\w`` is exactly isalnum() or "_"
_NOT_ALNUM = re.compile(r"[\W_]+")


def _alnum(text: str) -> str:
    """The characters of ``text`` for which ``str.isalnum()`` holds, in order (one regex pass)."""
    return _NOT_ALNUM.sub("", text)


def _compact(text: str) -> str:
    """Folded text without spaces or punctuation, so ``Hà Nội`` matches ``Hanoi``.

    ``_alnum(fold(text))`` without ``strip_marks``: combining marks are not
    alphanumeric, so the one regex pass drops them with the punctuation.
    """
    if text.isascii() and text.isalnum():  # most words of a name: nothing to fold but the case
        return text.lower()
    return _alnum(unicodedata.normalize("NFKD", text.lower()).replace("đ", "d").replace("ı", "i"))


# Month names become numbers, so "25/10" matches "25 Oktober". Exact lower-case spellings
# (never folded: Vietnamese "Mặc" must not become Malay "Mac"), capitalised in the text.
_MONTHS: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",  # en
    "januari februari maret april mei juni juli agustus september oktober november desember",  # id
    "januari februari mac april mei jun julai ogos september oktober november disember",  # ms
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",  # fr
    "januar februar märz april mai juni juli august september oktober november dezember",  # de
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",  # es
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",  # pt
):
    for _m, _w in enumerate(_names.split(), 1):
        _MONTHS.setdefault(_w, _m)
_MONTHS.update({  # abbreviations and old spellings
    "jan": 1, "feb": 2, "apr": 4, "aug": 8, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
    "des": 12, "agu": 8, "nopember": 11, "pebruari": 2,
})
# Words that are also ordinary words or names ("May", "Mars", "Mac", "Mai"): months only next to a number.
_AMBIGUOUS_MONTHS = {"may", "mars", "march", "mac", "mai", "jan", "dec", "des", "agu", "jun", "jul"}

# A time (11:15, 11.15, 11h15) or a number: digits, optional thousand groups (. , or a
# narrow/no-break space), optional decimals. That is r"\d{1,2}[:h]\d{2}\b|\d+(?:[.,...]\d{3})*(?:[.,]\d+)?"
# with the first digit taken out of the alternatives: the same matches, and the regex
# engine can skip ahead to the next digit instead of trying both alternatives everywhere.
_NUMBER = re.compile(r"\d(?:\d?[:h]\d{2}\b|\d*(?:[.,\u00a0\u202f\u2009]\d{3})*(?:[.,]\d+)?)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


def _number_key(token: str) -> str:
    """Canonical digits of a number, loose on purpose.

    Separators are dropped (``1.000,5`` = ``1,000.5`` = ``1000.5``, ``11:15`` =
    ``11.15``), and so are leading and trailing zeros, so that written scales
    compare equal (``2.500.000`` = ``2,5 juta`` = ``2,5 triệu``). The price is
    that ``20`` equals ``2``: a missed flag costs less than a false one here.
    """
    digits = "".join(c for c in token if c.isdigit()).strip("0")
    return digits or "0"


def _month(text: str, m: re.Match) -> int | None:
    """The month a capitalised word names, or None (ambiguous words need a number beside them)."""
    w = m.group()
    low = w.lower().rstrip(".")
    if not w[0].isupper() or low not in _MONTHS:
        return None
    if low in _AMBIGUOUS_MONTHS:
        before, after = text[max(0, m.start() - 4) : m.start()], text[m.end() : m.end() + 4]
        if not (_DIGIT_BEFORE.search(before) or _DIGIT_AFTER.match(after)):
            return None
    return _MONTHS[low]


_DIGIT_BEFORE = re.compile(r"\d[\s,.]*$")
_DIGIT_AFTER = re.compile(r"[\s,.]*\d")

@functools.cache
def _runs(astral: bool) -> re.Pattern:
    """Runs of capitalised words with only spaces or no-break spaces between them (``_scan``); built on first use.

    A capitalised word is a token of ``_WORD`` whose first letter is upper
    case (``str.isupper``): only capitalised words can be names or month
    names, and the regex engine skips the lower-case majority of a text
    without a Python test per word. A token starts at a letter that follows
    neither a letter nor a joiner after a letter (``_WORD`` would have taken
    it into the previous token); the look-behinds sit after the first letter
    so that the engine's fast scan for that letter runs first.
    """
    letter = re.compile(r"[^\W\d_]")
    upper = [c for c in filter(str.isupper, map(chr, range(CASED_PLANES_END))) if letter.match(c)]
    word = bmp_or_astral(upper, astral) + r"(?<![^\W\d_].)(?<![^\W\d_][-'’].)[^\W\d_]*(?:[-'’][^\W\d_]+)*"
    return re.compile(f"{word}(?:[ \u00a0]+{word})*", re.DOTALL)


def numbers(text: str) -> dict[str, str]:
    """Canonical key → first surface form of every number (and month name) in ``text``."""
    return TextIndex(text).numbers


# Numbers written as words. They only excuse a number on the other side ("8 người" /
# "delapan orang", "58%" / "lima puluh delapan persen"); they never raise a flag. Exact
# lower-case spellings; each word is a value, "+10" (teens) or "*N" (a multiplier).
_NUMBER_WORDS: dict[str, str] = {}
for _vals in (
    "zero one two three four five six seven eight nine ten eleven twelve",  # en
    "nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas",  # id
    "không một hai ba bốn năm sáu bảy tám chín mười",  # vi
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",  # fr
    "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",  # de
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce",  # es
):
    for _n, _w in enumerate(_vals.split()):
        _NUMBER_WORDS.setdefault(_w, str(_n))
_NUMBER_WORDS.update({
    "lapan": "8", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
    "eighty": "80", "ninety": "90", "dozen": "12", "first": "1", "second": "2", "third": "3", "tư": "4",
    "lăm": "5", "mốt": "1", "nhất": "1", "nhì": "2", "seratus": "100", "seribu": "1000", "sejuta": "1000000",
    "belas": "+10", "puluh": "*10", "mươi": "*10", "ratus": "*100", "trăm": "*100", "hundred": "*100",
    "ribu": "*1000", "nghìn": "*1000", "ngàn": "*1000", "thousand": "*1000",
})


def _word_value(word: str) -> str | None:
    """The value of one lower-case word of ``_WORD`` written as a number (``keenam`` → ``6``), or None."""
    w = word[2:] if word.startswith("ke") and word[2:].lstrip("-") in _NUMBER_WORDS else word  # keenam, ke-enam
    return _NUMBER_WORDS.get(w.lstrip("-"))


# Every token with a value, prefixes included: one dict look-up per word instead of the rules above.
_WORD_VALUES = {
    t: v for w in _NUMBER_WORDS for t in (w, "ke" + w, "ke-" + w) if (v := _word_value(t)) is not None
}


def _word_values(lower: str) -> list[str | None]:
    """The values of the words of ``lower`` in order, a run of other words as one None.

    A run of words without value only ends the number before it, so one None
    stands for it; the lists of two texts then concatenate to the list of the
    texts joined by a space.
    """
    words = _WORD.findall(lower)
    if _WORD_VALUES.keys().isdisjoint(words):  # most texts: no number written as words
        return [None] if words else []
    out: list[str | None] = []
    for w in words:
        v = _WORD_VALUES.get(w)
        if v is not None or not out or out[-1] is not None:
            out.append(v)
    return out


def _number_keys(values: Sequence[str | None]) -> set[str]:
    """Keys of the numbers that ``values`` (``_word_values``, then a closing None) write out in words."""
    out: set[str] = set()
    total = current = 0
    seen = False
    for v in values:
        if v is None:
            if seen:
                out.add(_number_key(str(total + current)))
            total = current = 0
            seen = False
            continue
        seen = True
        if v.startswith("+"):
            current += int(v[1:])
        elif v.startswith("*"):
            mult = int(v[1:])
            if mult >= 1000:
                total, current = total + max(current, 1) * mult, 0
            else:
                current = max(current, 1) * mult
        else:
            if current:  # "two three" is two numbers, "mười hai" is 10 + 2
                if int(v) >= current or current % 10:
                    out.add(_number_key(str(total + current)))
                    total = current = 0
            current += int(v)
    return out


# After these, a capitalised word is capitalised because of its position, not because it is a name.
_OPENERS = set(".!?:;\"“”‘'«»(（[{–—-…•·*#>|")


def _is_initial(text: str, start: int) -> bool:
    """True when the word at ``start`` begins the text, a sentence, a quote or a bracket."""
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _OPENERS


def _is_acronym(word: str) -> bool:
    """``UNODC``, ``LHQ``, ``PBB``, ``UNESCO``: two or more capitals, at least as many as small letters."""
    if word[1:].islower():  # a capitalised word (most names): at most one capital, without a test per letter
        return False
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper >= sum(c.islower() for c in word)


@dataclass(frozen=True)
class Name:
    """A proper-name candidate: its surface form, its words, and whether it is strong evidence."""

    text: str
    words: tuple[str, ...]
    strong: bool  # an acronym, or two or more capitalised words not counting a sentence-initial one
    # Folded once, for every look-up: the name without spaces (``Hà Nội`` → ``hanoi``), and each word.
    key: str = field(init=False, repr=False, compare=False)
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = tuple(_compact(w) for w in self.words)
        object.__setattr__(self, "keys", keys)
        # _compact of the words joined by spaces: spaces are dropped, and folding is letter by letter
        object.__setattr__(self, "key", "".join(keys) if self.text == " ".join(self.words) else _compact(self.text))


def names(text: str) -> list[Name]:
    """Proper-name candidates in ``text``, without a tagger.

    Taken: acronyms (two or more capitals: ``UNODC``, ``LHQ``), runs of two or
    more capitalised words (``Lương Tam Quang``), and single capitalised words
    that are not sentence-initial. A lone sentence-initial word (``Bộ trưởng``,
    ``Menteri``) is ordinary capitalisation and is skipped; capitalised month
    names are numbers, not names (see ``numbers``).
    """
    return list(TextIndex(text).names)


@functools.lru_cache(maxsize=1 << 14)
def _name(words: tuple[str, ...], initial: bool) -> Name | None:
    """The name that a run of capitalised words makes, if any (see ``names``); a name recurs, so it is made once."""
    if len(words) == 1:
        if _is_acronym(words[0]):
            return Name(words[0], words, True)
        return None if initial else Name(words[0], words, False)
    rest = words[1:] if initial else words
    return Name(" ".join(words), words, len(rest) >= 2 or any(map(_is_acronym, words)))


def _add_name(found: list[Name], text: str, words: Sequence[str], start: int) -> None:
    if name := _name(tuple(words), _is_initial(text, start)):
        found.append(name)


# The lower-case words that may be month names, ambiguous ones included: checked one by one.
_MONTH_LIKE = frozenset(_MONTHS) | _AMBIGUOUS_MONTHS


@dataclass
class _Scan:
    """What one pass over a text finds: numbers, month names, names, and what its edges leave open."""

    digits: dict[str, str]  # key → first surface form of each number written in digits
    months: dict[str, str]  # key → first surface form of each month name
    names: list[Name]
    head_cap: bool  # the first word is capitalised, only white space before it: a text before may change it
    month_head: bool  # an ambiguous month name so near an edge that its context lies outside the text
    month_tail: bool


def _scan(text: str) -> _Scan:
    """Numbers and names of ``text``; the one pass over a text that every bead holding it reuses.

    Only runs of capitalised words are visited (``_runs``): any
    other word, punctuation or digit between two capitalised words ends a
    name. A run holding a possible month name is read word by word, as a month
    name is a number that ends the name before it.
    """
    digits: dict[str, str] = {}
    for token in _NUMBER.findall(text):
        digits.setdefault(_number_key(token), token)
    scan = _Scan(digits, {}, [], False, False, False)
    for k, run in enumerate(_runs(has_astral(text)).finditer(text)):
        if k == 0:
            scan.head_cap = not text[: run.start()].strip()
        if _MONTH_LIKE.isdisjoint(run.group().lower().split()):  # nearly always
            _add_name(scan.names, text, run.group().split(), run.start())
        else:
            _scan_months(text, run, scan)
    return scan


def _scan_months(text: str, run: re.Match, scan: _Scan) -> None:
    """A run of capitalised words, one of which may be a month name, word by word (``_scan``)."""
    words: list[re.Match] = []
    for m in _WORD.finditer(text, run.start(), run.end()):  # the run's words: spaces between them
        low = m.group().lower()
        if low in _AMBIGUOUS_MONTHS:
            scan.month_head |= m.start() < 4
            scan.month_tail |= m.end() + 4 > len(text)
        month = _month(text, m) if low in _MONTHS else None
        if month is None:
            words.append(m)
            continue
        scan.months.setdefault(_number_key(str(month)), m.group())
        if words:
            _add_name(scan.names, text, [w.group() for w in words], words[0].start())
        words = []
    if words:
        _add_name(scan.names, text, [w.group() for w in words], words[0].start())


DOCUMENT_NGRAMS = 4  # a name of the other document matches runs of up to this many of its words


@functools.lru_cache(maxsize=1 << 16)
def _key_grams(keys: tuple[str, ...], ngrams: int) -> frozenset[str]:
    """The joined runs of one to ``ngrams`` consecutive ``keys`` (a name's folded words); a name recurs."""
    return frozenset("".join(keys[i : i + n]) for n in range(1, ngrams + 1) for i in range(len(keys) - n + 1))


class TextIndex:
    """One text (a segment, or the segments of one side of a bead), analysed for the number and name checks.

    Made once per distinct text of a document and shared by every bead that
    holds it (``SegmentTexts``). ``numbers`` and ``names`` come from one pass
    at construction (``_scan``); the rest is computed on first use, because
    most beads need only part of it: ``compact`` the folded text without
    spaces, ``words`` its folded words, ``acronyms`` the letters of its
    acronyms in sorted order (``ADN`` ≈ ``DNA``). ``grams`` holds the joined
    runs of one to ``ngrams`` words of its names, for ``_found_in_document``
    (names only, so ``Dân`` never matches the Indonesian word ``dan``, not
    even a sentence-initial ``Dan``).

    A side of several segments is ``TextIndex.joined`` from theirs: the text
    joined by spaces, without a second pass where the segments' edges cannot
    change what a pass over the joined text would find.
    """

    def __init__(self, text: str, ngrams: int = 0) -> None:
        self.text = text
        self._parts: tuple[TextIndex, ...] = ()
        scan = _scan(text)
        self._digits, self._months, self.names = scan.digits, scan.months, scan.names
        stripped = text.rstrip()
        # What a text before or after this one could change here (``_seamless``)
        self._solid = len(text) >= 4 and bool(stripped)
        self._head_cap, self._month_head, self._month_tail = scan.head_cap, scan.month_head, scan.month_tail
        self._ends_opener = bool(stripped) and stripped[-1] in _OPENERS
        self.grams: set[str] = self.name_grams(ngrams) if ngrams else set()

    @classmethod
    def joined(cls, parts: Sequence[TextIndex], whole: Callable[[str], TextIndex] | None = None) -> TextIndex:
        """The index of the parts' texts joined by a space; exactly ``TextIndex(" ".join(texts))``.

        Made from the parts' analyses where their edges cannot matter
        (``_seamless``); else the joined text is analysed by ``whole``
        (default: ``TextIndex``).
        """
        if len(parts) == 1:
            return parts[0]
        text = " ".join(p.text for p in parts)
        if not all(_seamless(a, b) for a, b in itertools.pairwise(parts)):
            return (whole or cls)(text)
        self = cls.__new__(cls)
        self.text, self._parts, self.grams = text, tuple(parts), set()
        self._digits, self._months = {}, {}
        for p in parts:
            for key, surface in p._digits.items():
                self._digits.setdefault(key, surface)
            for key, surface in p._months.items():
                self._months.setdefault(key, surface)
        self.names = [n for p in parts for n in p.names]
        self._solid = False  # a side of a bead is never joined again
        self._head_cap = self._month_head = self._month_tail = True
        self._ends_opener = False
        return self

    @_lazy
    def numbers(self) -> dict[str, str]:
        """Canonical key → first surface form of every number, then every month name (``numbers``)."""
        out = dict(self._digits)
        for key, surface in self._months.items():
            out.setdefault(key, surface)
        return out

    def name_grams(self, ngrams: int) -> set[str]:
        """The folded runs of one to ``ngrams`` consecutive words of each name."""
        return set().union(*(_key_grams(n.keys, ngrams) for n in self.names))

    @_lazy
    def folded(self) -> str:
        return fold(self.text)

    @_lazy
    def lower(self) -> str:
        return self.text.lower()

    @_lazy
    def compact(self) -> str:
        if self._parts:
            return "".join(p.compact for p in self._parts)
        return _compact(self.text)

    @_lazy
    def words(self) -> set[str]:
        if self._parts:
            return set().union(*(p.words for p in self._parts))
        tokens = _WORD.findall(self.folded)  # without their joiners: a token holds no space
        return set(" ".join(tokens).replace("-", "").replace("'", "").replace("’", "").split(" ")) if tokens else set()

    @_lazy
    def acronyms(self) -> set[str]:
        if self._parts:
            return set().union(*(p.acronyms for p in self._parts))
        return {"".join(sorted(w.upper())) for w in _WORD.findall(self.text) if not w.islower() and _is_acronym(w)}

    @_lazy
    def word_values(self) -> list[str | None]:
        """``_word_values`` of the text: the numbers it writes in words, before they are added up."""
        if self._parts:
            return [v for p in self._parts for v in p.word_values]
        return _word_values(self.lower)

    @_lazy
    def number_words(self) -> set[str]:
        """Keys of the numbers written as words (``_number_words``)."""
        return _number_keys([*self.word_values, None])

    @_lazy
    def title_counts(self) -> tuple[int, int]:
        """Words of two letters or more, and how many of them are capitalised."""
        if self._parts:
            counts = [p.title_counts for p in self._parts]
            return sum(n for n, _ in counts), sum(u for _, u in counts)
        words = [w for w in _WORD.findall(self.text) if len(w) > 1]
        return len(words), sum(w[0].isupper() for w in words)

    @property
    def title_case(self) -> bool:
        """A headline in Title Case (``Membunuh Ratusan Orang``): its capitalised runs need not be names."""
        n, upper = self.title_counts
        return n >= 3 and upper >= 0.75 * n


def _seamless(a: TextIndex, b: TextIndex) -> bool:
    """Whether one pass over ``a``'s text, a separator (space or line break) and ``b``'s finds what each finds.

    Numbers and words never cross the separator, and the numbers written in
    words add up across it (``word_values``); three things can cross it: a
    name continuing into ``b``, ``b``'s first word becoming sentence-initial
    or not (``_is_initial`` looks back over white space), and an ambiguous
    month name within four characters of the edge (``_month`` looks at them).
    A short or blank text lets that context reach past it, so it is never
    seamless.
    """
    if not (a._solid and b._solid) or a._month_tail or b._month_head:
        return False
    return a._ends_opener or not b._head_cap


class SegmentTexts:
    """The segments of one side of a document, each text analysed once, for every bead and the document index.

    A repeated text (a heading, a boilerplate line) is analysed once too.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._segments: list[TextIndex | None] = [None] * len(texts)
        self._by_text: dict[str, TextIndex] = {}
        self._sides: dict[tuple[int, ...], TextIndex] = {}  # by the ids of the parts, which _by_text keeps alive

    def _index(self, text: str) -> TextIndex:
        found = self._by_text.get(text)
        if found is None:
            found = self._by_text[text] = TextIndex(text)
        return found

    def segment(self, i: int) -> TextIndex:
        found = self._segments[i]
        if found is None:
            found = self._segments[i] = self._index(self._texts[i])
        return found

    def side(self, idx: Sequence[int]) -> TextIndex:
        """One side of a bead: its segments' texts joined by spaces (the same object for the same texts)."""
        if len(idx) == 1:
            return self.segment(idx[0])
        parts = [self.segment(i) for i in idx]
        key = tuple(map(id, parts))
        found = self._sides.get(key)
        if found is None:
            found = self._sides[key] = TextIndex.joined(parts, self._index)
        return found

    @_lazy
    def grams(self) -> set[str]:
        """``TextIndex("\\n".join(texts), ngrams=4).grams``: the names of the whole document, from its segments.

        Segments whose edges matter (``_seamless``) are analysed together, in
        runs as long as those edges reach.
        """
        runs: list[list[TextIndex]] = []
        for i in range(len(self._texts)):
            seg = self.segment(i)
            if runs and not _seamless(runs[-1][-1], seg):
                runs[-1].append(seg)
            else:
                runs.append([seg])
        texts = {id(t): t for t in (r[0] if len(r) == 1 else self._index("\n".join(t.text for t in r)) for r in runs)}
        keys = {n.keys for t in texts.values() for n in t.names}  # a repeated text or name once
        return set().union(*(_key_grams(k, DOCUMENT_NGRAMS) for k in keys))


# Currency codes that a translation may write as a symbol or a word.
_CURRENCY = {
    "USD": ("$", "dollar", "dolar", "đô la", "đô-la"),
    "EUR": ("€", "euro"),
    "GBP": ("£", "pound", "bảng anh", "poundsterling"),
    "JPY": ("¥", "yen", "yên"),
    "VND": ("₫", "đồng", "dong", "vnđ"),
    "IDR": ("rp", "rupiah"),
}


def _found_in_bead(name: Name, other: TextIndex) -> bool:
    """Whether ``name`` appears on the other side of the bead, forgivingly (a miss here may flag).

    The whole name as one string (``Hà Nội`` ≈ ``Hanoi``), or any word of four
    letters or more, or half of its words, so titles translated around a name
    (``Bộ trưởng Lương Tam Quang`` ≈ ``Menteri Luong Tam Quang``) still match.
    Acronyms also match with their letters reordered (``ADN`` ≈ ``DNA``) and
    currency codes match their symbol or word (``USD`` ≈ ``$``).
    """
    key = name.key
    if not key or key in other.compact:
        return True
    if len(name.words) == 1:
        word = name.words[0]
        if _is_acronym(word) and "".join(sorted(word.upper())) in other.acronyms:
            return True
        return any(alt in other.lower for alt in _CURRENCY.get(word.upper(), ()))
    keys = name.keys
    if any(len(k) >= 4 and k in other.words for k in keys):
        return True
    return 2 * sum(k in other.words for k in keys) >= len(keys)


class _Grams(Protocol):
    """A document's name n-grams: ``SegmentTexts`` or ``TextIndex(text, ngrams=4)``."""

    @property
    def grams(self) -> set[str]: ...


def _found_in_document(name: Name, doc: _Grams) -> bool:
    """Whether the other document carries ``name`` somewhere, strictly (a hit here may flag).

    The folded name must equal one to four consecutive capitalised words of
    the other document (``Lương Tam Quang`` = ``Luong Tam Quang``,
    ``Hanoi`` = ``Hà Nội``).
    """
    key = name.key
    return len(key) >= 3 and key in doc.grams


# --------------------------------------------------------------------------- per bead


def number_issue(src_text: str, tgt_text: str) -> str | None:
    """Numbers on one side only. A number written out in words on the other side is not a mismatch."""
    return number_issue_of(TextIndex(src_text), TextIndex(tgt_text))


def number_issue_of(src: TextIndex, tgt: TextIndex) -> str | None:
    """``number_issue`` of two analysed texts (the words of a side are read only when a number lacks a match)."""
    a, b = src.numbers, tgt.numbers
    only_src = [k for k in a if k not in b and k != "0"]
    only_tgt = [k for k in b if k not in a and k != "0"]
    if only_src:
        only_src = [a[k] for k in only_src if k not in tgt.number_words]
    if only_tgt:
        only_tgt = [b[k] for k in only_tgt if k not in src.number_words]
    if not only_src and not only_tgt:
        return None
    parts = []
    if only_src:
        parts.append("source only: " + ", ".join(only_src))
    if only_tgt:
        parts.append("target only: " + ", ".join(only_tgt))
    return "; ".join(parts)


def name_issue(src_text: str, tgt_text: str, src_doc: TextIndex, tgt_doc: TextIndex) -> str | None:
    """``name_issue_of`` two texts."""
    return name_issue_of(TextIndex(src_text), TextIndex(tgt_text), src_doc, tgt_doc)


def name_issue_of(src: TextIndex, tgt: TextIndex, src_doc: _Grams, tgt_doc: _Grams) -> str | None:
    """Names on one side of the bead only, when they should have been carried over.

    Names get translated (``Trung Quốc`` → ``Tiongkok``, ``LHQ`` → ``PBB``),
    and a tagger-free extractor also picks up capitalised common words, so a
    missing name is flagged only when the other side of the bead has no
    unmatched name left that could be its translation, and the name is one a
    translation keeps: an acronym of three letters or more, a name of three or
    more capitalised words (``Ghada Fathy Ismail Waly``; not in a Title Case
    headline), or one that the other document carries elsewhere
    (``Lương Tam Quang`` ↔ ``Luong Tam Quang``). ``src_doc`` and ``tgt_doc``:
    the documents' name n-grams (``SegmentTexts`` or ``TextIndex(text, ngrams=4)``).
    """
    texts = (src, tgt)
    if not src.names and not tgt.names:
        return None
    unmatched = [[n for n in texts[k].names if not _found_in_bead(n, texts[1 - k])] for k in (0, 1)]
    parts = []
    for k, (other_doc, label) in enumerate(((tgt_doc, "source"), (src_doc, "target"))):
        if unmatched[1 - k]:
            continue
        flagged: list[str] = []
        for n in unmatched[k]:
            kept = (
                _is_acronym(n.text) and len(n.text) >= 3
                or n.strong and len(n.words) >= 3 and not texts[k].title_case
                or _found_in_document(n, other_doc)
            )
            if kept and n.text not in flagged:
                flagged.append(n.text)
        if flagged:
            parts.append(f"{label} only: " + ", ".join(flagged))
    return "; ".join(parts) or None
