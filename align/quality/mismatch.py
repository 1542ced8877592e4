"""Numbers and names that a translation should carry over, and the beads where it did not.

Tagger-free and loose on purpose: a reviewer forgives a missed flag more
easily than a page of false ones. Numbers compare by their digits (separators,
scale words and month names normalised); names compare after folding case and
diacritics (``Lương Tam Quang`` = ``Luong Tam Quang``, ``Hà Nội`` = ``Hanoi``).
Measured on the NTREX vi→id gold alignments (1,997 correct pairs), about 1%
of pairs get a number flag and 1% a name flag, most of them real differences
between the two translations.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from align.core.lexical import strip_marks


def fold(text: str) -> str:
    """Lower-case, strip diacritics (``Lương`` → ``luong``, ``đ`` → ``d``): names match across spellings."""
    return strip_marks(unicodedata.normalize("NFKD", text.lower()).replace("đ", "d").replace("ı", "i"))


# what is not ``str.isalnum()``: ``\w`` is exactly isalnum() or "_"
_NOT_ALNUM = re.compile(r"[\W_]+")


def _alnum(text: str) -> str:
    """The characters of ``text`` for which ``str.isalnum()`` holds, in order (one regex pass)."""
    return _NOT_ALNUM.sub("", text)


def _compact(text: str) -> str:
    """Folded text without spaces or punctuation, so ``Hà Nội`` matches ``Hanoi``."""
    return _alnum(fold(text))


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
# narrow/no-break space), optional decimals.
_NUMBER = re.compile(r"\d{1,2}[:h]\d{2}\b|\d+(?:[.,\u00a0\u202f\u2009]\d{3})*(?:[.,]\d+)?")
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
        if not (re.search(r"\d[\s,.]*$", before) or re.match(r"[\s,.]*\d", after)):
            return None
    return _MONTHS[low]


def numbers(text: str) -> dict[str, str]:
    """Canonical key → first surface form of every number (and month name) in ``text``."""
    out: dict[str, str] = {}
    for m in _NUMBER.finditer(text):
        out.setdefault(_number_key(m.group()), m.group())
    for m in _WORD.finditer(text):
        if month := _month(text, m):
            out.setdefault(_number_key(str(month)), m.group())
    return out


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


def _number_words(text: str) -> set[str]:
    """Keys of the numbers written as words in ``text`` (``lima puluh delapan`` → ``58``)."""
    out: set[str] = set()
    total = current = 0
    seen = False
    for w in [*_WORD.findall(text.lower()), ""]:
        w = w[2:] if w.startswith("ke") and w[2:].lstrip("-") in _NUMBER_WORDS else w  # keenam, ke-2
        w = w.lstrip("-")
        v = _NUMBER_WORDS.get(w)
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
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper >= sum(c.islower() for c in word)


@dataclass(frozen=True)
class Name:
    """A proper-name candidate: its surface form, its words, and whether it is strong evidence."""

    text: str
    words: tuple[str, ...]
    strong: bool  # an acronym, or two or more capitalised words not counting a sentence-initial one


def names(text: str) -> list[Name]:
    """Proper-name candidates in ``text``, without a tagger.

    Taken: acronyms (two or more capitals: ``UNODC``, ``LHQ``), runs of two or
    more capitalised words (``Lương Tam Quang``), and single capitalised words
    that are not sentence-initial. A lone sentence-initial word (``Bộ trưởng``,
    ``Menteri``) is ordinary capitalisation and is skipped; capitalised month
    names are numbers, not names (see ``numbers``).
    """
    out: list[Name] = []
    run: list[tuple[str, bool]] = []  # (word, sentence-initial)

    def close() -> None:
        if not run:
            return
        words = tuple(w for w, _ in run)
        if len(words) == 1:
            w, initial = run[0]
            if _is_acronym(w):
                out.append(Name(w, words, True))
            elif not initial:
                out.append(Name(w, words, False))
        else:
            rest = words[1:] if run[0][1] else words
            out.append(Name(" ".join(words), words, len(rest) >= 2 or any(map(_is_acronym, words))))
        run.clear()

    last_end = 0
    for m in _WORD.finditer(text):
        w = m.group()
        if run and text[last_end : m.start()].strip(" \u00a0"):
            close()  # punctuation or digits between two words end a name
        last_end = m.end()
        if w[0].isupper() and _month(text, m) is None:
            run.append((w, _is_initial(text, m.start())))
        elif run:  # most words are lower-case and follow no name: nothing to close
            close()
    close()
    return out


_JOINERS = str.maketrans("", "", "-'’")


class TextIndex:
    """One side's text, prepared for name look-ups.

    ``compact`` is the folded text without spaces, ``words`` its folded words,
    ``acronyms`` the letters of its acronyms in sorted order (``ADN`` ≈ ``DNA``)
    and ``grams`` the joined runs of one to ``ngrams`` words of its names (for
    ``_found_in_document``; names only, so ``Dân`` never matches the
    Indonesian word ``dan``, not even a sentence-initial ``Dan``). Each is
    computed on first use: most beads' names are found in ``compact`` alone.
    """

    def __init__(self, text: str, ngrams: int = 0) -> None:
        self.text = text
        self.grams: set[str] = set()
        compact: dict[str, str] = {}  # a document repeats its names: each word folded once
        for name in names(text) if ngrams else ():
            keys = [compact.get(w) or compact.setdefault(w, _compact(w)) for w in name.words]
            for n in range(1, ngrams + 1):
                self.grams.update("".join(keys[i : i + n]) for i in range(len(keys) - n + 1))

    @functools.cached_property
    def folded(self) -> str:
        return fold(self.text)

    @functools.cached_property
    def lower(self) -> str:
        return self.text.lower()

    @functools.cached_property
    def compact(self) -> str:
        return _alnum(self.folded)

    @functools.cached_property
    def words(self) -> set[str]:
        return {w.translate(_JOINERS) for w in _WORD.findall(self.folded)}

    @functools.cached_property
    def acronyms(self) -> set[str]:
        return {"".join(sorted(w.upper())) for w in _WORD.findall(self.text) if not w.islower() and _is_acronym(w)}


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
    key = _compact(name.text)
    if not key or key in other.compact:
        return True
    if len(name.words) == 1:
        word = name.words[0]
        if _is_acronym(word) and "".join(sorted(word.upper())) in other.acronyms:
            return True
        return any(alt in other.lower for alt in _CURRENCY.get(word.upper(), ()))
    keys = [_compact(w) for w in name.words]
    if any(len(k) >= 4 and k in other.words for k in keys):
        return True
    return 2 * sum(k in other.words for k in keys) >= len(keys)


def _found_in_document(name: Name, doc: TextIndex) -> bool:
    """Whether the other document carries ``name`` somewhere, strictly (a hit here may flag).

    The folded name must equal one to four consecutive capitalised words of
    the other document (``Lương Tam Quang`` = ``Luong Tam Quang``,
    ``Hanoi`` = ``Hà Nội``).
    """
    key = _compact(name.text)
    return len(key) >= 3 and key in doc.grams


def _is_title_case(text: str) -> bool:
    """A headline in Title Case (``Membunuh Ratusan Orang``): its capitalised runs need not be names."""
    words = [w for w in _WORD.findall(text) if len(w) > 1]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


# --------------------------------------------------------------------------- per bead


def number_issue(src_text: str, tgt_text: str) -> str | None:
    """Numbers on one side only. A number written out in words on the other side is not a mismatch."""
    a, b = numbers(src_text), numbers(tgt_text)
    wa, wb = _number_words(src_text), _number_words(tgt_text)
    only_src = [a[k] for k in a if k not in b and k not in wb and k != "0"]
    only_tgt = [b[k] for k in b if k not in a and k not in wa and k != "0"]
    if not only_src and not only_tgt:
        return None
    parts = []
    if only_src:
        parts.append("source only: " + ", ".join(only_src))
    if only_tgt:
        parts.append("target only: " + ", ".join(only_tgt))
    return "; ".join(parts)


def name_issue(src_text: str, tgt_text: str, src_doc: TextIndex, tgt_doc: TextIndex) -> str | None:
    """Names on one side of the bead only, when they should have been carried over.

    Names get translated (``Trung Quốc`` → ``Tiongkok``, ``LHQ`` → ``PBB``),
    and a tagger-free extractor also picks up capitalised common words, so a
    missing name is flagged only when the other side of the bead has no
    unmatched name left that could be its translation, and the name is one a
    translation keeps: an acronym of three letters or more, a name of three or
    more capitalised words (``Ghada Fathy Ismail Waly``; not in a Title Case
    headline), or one that the other document carries elsewhere
    (``Lương Tam Quang`` ↔ ``Luong Tam Quang``).
    """
    found = (names(src_text), names(tgt_text))
    if not found[0] and not found[1]:
        return None
    texts = (TextIndex(src_text), TextIndex(tgt_text))  # each prepared only when a name is looked up in it
    unmatched = [[n for n in found[k] if not _found_in_bead(n, texts[1 - k])] for k in (0, 1)]
    title = (_is_title_case(src_text), _is_title_case(tgt_text))
    parts = []
    for k, (other_doc, label) in enumerate(((tgt_doc, "source"), (src_doc, "target"))):
        if unmatched[1 - k]:
            continue
        flagged: list[str] = []
        for n in unmatched[k]:
            kept = (
                _is_acronym(n.text) and len(n.text) >= 3
                or n.strong and len(n.words) >= 3 and not title[k]
                or _found_in_document(n, other_doc)
            )
            if kept and n.text not in flagged:
                flagged.append(n.text)
        if flagged:
            parts.append(f"{label} only: " + ", ".join(flagged))
    return "; ".join(parts) or None
