"""Sentence segmentation: Punkt with shipped abbreviation lists, plus a few rules.

Punkt (``nltk.tokenize.punkt``) finds the candidate ends (``.``, ``?``, ``!``
before whitespace or a quote), keeps known abbreviations and initials, and moves
closing quotes onto the sentence they close. We give it hand-written lists from
``align/data/abbrev/<lang>.txt`` instead of trained models, so nothing is
downloaded and the behaviour is the same on every machine.

Untrained Punkt has no statistics about which words start sentences, so a small
pass over its boundaries adds what the statistics would have told it:

* no split before a lower-case word (``dll. yang``, ``"Kenapa?" tanya dia``),
  unless the block has no capitals at all (then case says nothing);
* no split before sentence-internal punctuation (``Tel.: 0123``);
* no split after an abbreviation that is one only before a number (``No. 5``),
  after ``<number>.`` used as an ordinal (``3. Oktober``), or after a chain of
  abbreviations and letters (``PGS.TS.``, ``S.H.`` is listed as able to end);
* a split after an ellipsis (``...`` or ``…``) before a capitalised word, and
  after full-width ``。！？`` (scripts written without spaces, which Punkt skips).

Punkt is also told the sentence-final marks of other scripts (Arabic ``؟``,
Urdu ``۔``, Devanagari ``।``, Ethiopic ``።``, Armenian ``։``, Myanmar ``။``).

Every function works on character spans into the caller's text, so no character
is ever lost or rewritten: the reader keeps exact offsets into the document.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
import sys
import threading
import types
from dataclasses import dataclass
from importlib import resources
from typing import Any

from align.common.errors import InputError, UsageError
from align.common.languages import ALIASES

__all__ = ["sentences", "split_sentences"]

_DATA_DIR = ("data", "abbrev")
_GENERIC = "generic"
_KINDS = ("abbrev", "can_end", "before_number")  # an entry has exactly one kind
_SECTIONS = (*_KINDS, "after_number", "before_ordinal", "words")

_WS = re.compile(r"\s")
# Quotes and brackets that may open a sentence / close one.
_OPENERS = "\"'“‘«‹„‚([{¿¡"
_CLOSERS = "\"'”’»›"
# A footnote mark glued to a sentence end (``end.[12] Next``); ``end. [12] Next`` may be a list item
_FOOTNOTE = re.compile(r"(?:(?:\[\d{1,3}\])+|[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3})(?= \S| *$)")
# Sentence-internal punctuation: a sentence never starts with these.
_INTERNAL = ",;:)]}%"
_QUOTES = "\"'“”‘’«»‹›„‚"
# Quote marks that only ever open, when they stand alone (French « spaced »).
_LONE_OPENERS = frozenset("«‹„")
_ELLIPSIS = re.compile(r"(?:\.{2,}|…)[%s]*\s+" % re.escape(_CLOSERS))
_NUMBER_DOT = re.compile(r"^\d+\.$")
_STARTS_NUMBER = re.compile(r"^[+\-−]?\d")
# Sentence-final marks Punkt splits after (before whitespace): Latin . ? !, Arabic ؟, Urdu ۔,
# Devanagari and Bengali danda । ॥, Ethiopic ። ፧, Armenian ։, Myanmar ။, and the double marks ‼ ⁇ ⁈ ⁉.
_SENT_END_CHARS = (".", "?", "!", "\u061f", "\u06d4", "\u0964", "\u0965", "\u1362", "\u1367", "\u0589", "\u104b",
                   "\u203c", "\u2047", "\u2048", "\u2049")
# Full-width sentence ends (Chinese, Japanese) need no space after them.
_FULLWIDTH_END = re.compile(r"[。！？]+[」』”’）\)\"]*")
_PARTS = re.compile(r"[.\-]+")
# Characters of context looked at on each side of a boundary (keeps long blocks linear).
_WINDOW = 200


@dataclass(frozen=True)
class AbbrevLists:
    """The word lists for one language (generic entries merged in).

    All entries are lower-case and without their final period; see
    ``align/data/abbrev/generic.txt`` for what each kind means.
    """

    abbrev: frozenset[str]
    can_end: frozenset[str]
    before_number: frozenset[str]
    after_number: frozenset[str]
    before_ordinal: frozenset[str]
    words: frozenset[str]


def _data_file(name: str):
    return resources.files("align").joinpath(*_DATA_DIR, f"{name}.txt")


def _parse(text: str, source: str) -> list[tuple[str, str]]:
    """Read one list file into (section, entry) pairs, in file order."""
    section = None
    pairs = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section not in _SECTIONS:
                raise InputError(f"line {lineno}: unknown section [{section}]", path=source,
                                 hint="use one of " + ", ".join(_SECTIONS))
            continue
        if section is None or " " in line:
            raise InputError(f"line {lineno}: expected one entry under a [section], got {raw!r}",
                             path=source)
        pairs.append((section, line.lower().removesuffix(".")))
    return pairs


def _lang_key(lang: str) -> str:
    """``"vi-VN"``, ``"VI"``, ``"vie"`` -> ``"vi"``; anything without a list -> generic."""
    if not isinstance(lang, str):
        raise UsageError(f"language must be a code such as 'vi', got {lang!r}")
    return _resolve_lang(lang)


@functools.lru_cache(maxsize=256)
def _resolve_lang(lang: str) -> str:
    key = lang.strip().lower().replace("_", "-").split("-")[0]
    key = ALIASES.get(key, key)
    if re.fullmatch(r"[a-z]{2,3}", key) and _data_file(key).is_file():
        return key
    return _GENERIC


@functools.cache
def abbreviation_lists(lang: str) -> AbbrevLists:
    """The merged lists for ``lang``: the generic file, then the language's own.

    An entry in the language file takes the kind given there (``no`` may be a
    plain abbreviation in one language and number-only in another).
    """
    key = _lang_key(lang)
    names = [_GENERIC] if key == _GENERIC else [_GENERIC, key]
    kind_of: dict[str, str] = {}
    extra: dict[str, set[str]] = {s: set() for s in _SECTIONS if s not in _KINDS}
    for name in names:
        f = _data_file(name)
        for section, entry in _parse(f.read_text(encoding="utf-8"), str(f)):
            if section in extra:
                extra[section].add(entry)
            else:
                kind_of[entry] = section
    by_kind = {k: frozenset(e for e, s in kind_of.items() if s == k) for k in _KINDS}
    return AbbrevLists(**by_kind, **{s: frozenset(v) for s, v in extra.items()})


def _is_initial(tok: str, one_letter_words: frozenset[str]) -> bool:
    """A capital letter and a period, unless that letter is a word ("Ý." = Italy).

    Stock Punkt treats any letter + period as a possible initial and then
    rarely splits after it, which glues sentences ending in Vietnamese ``ạ.``,
    ``ý.`` or French ``a.`` to the next one.
    """
    return (len(tok) == 2 and tok[1] == "." and tok[0].isalpha() and tok[0].isupper()
            and tok[0].lower() not in one_letter_words)


_PUNKT_LOCK = threading.Lock()


@functools.cache  # loaded once per process (and kept: warm_up loads it while a corpus worker starts)
def punkt_module() -> types.ModuleType:
    """``nltk.tokenize.punkt``, without running nltk's ``__init__`` when nltk is not imported yet.

    ``import nltk`` imports the whole toolkit (its collocations pull in
    scipy.stats, its classifiers scikit-learn): one to four seconds, where
    Punkt needs a handful of small modules. So, while nltk is not loaded,
    ``nltk.tokenize.punkt`` is loaded under bare stand-ins for the packages
    ``nltk`` and ``nltk.tokenize`` (their real folders, no ``__init__`` run),
    and every ``nltk`` module loaded so is taken out of ``sys.modules`` again:
    a later ``import nltk`` anywhere gets the real, complete package. Any
    error there falls back to the plain import.
    """
    name = "nltk.tokenize.punkt"
    if "nltk" in sys.modules:
        return importlib.import_module(name)
    with _PUNKT_LOCK:
        before = set(sys.modules)
        module = None
        try:
            spec = importlib.util.find_spec("nltk")
            root = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None
            if root is not None:
                for package, folder in (("nltk", root), ("nltk.tokenize", os.path.join(root, "tokenize"))):
                    stand_in = types.ModuleType(package)
                    stand_in.__path__ = [folder]
                    sys.modules[package] = stand_in
                module = importlib.import_module(name)
        except Exception:  # an nltk laid out otherwise: the plain import below
            module = None
        finally:
            for loaded in [k for k in sys.modules if k.split(".")[0] == "nltk" and k not in before]:
                del sys.modules[loaded]
    return module if module is not None else importlib.import_module(name)


def _punkt_tokenizer(lists: AbbrevLists):
    """A Punkt tokenizer with our abbreviations and initials rule (nltk loaded by ``punkt_module``)."""
    punkt: Any = punkt_module()

    class _LangVars(punkt.PunktLanguageVars):  # type: ignore[misc]
        """Punkt's own (linear) boundary pattern, compiled without nltk.redos's wall-clock limit.

        Recent nltk (3.10) runs it under a 5 s timeout that counts the whole lazy scan
        of a block, our work between matches included, so a long paragraph on a
        busy machine raised TimeoutError (found by fuzzing).

        Sentences end with more than ``. ? !``: scripts written with spaces have
        their own marks, so any language the model covers splits.
        """

        sent_end_chars = _SENT_END_CHARS

        def period_context_re(self):
            try:
                return self._plain_period_context
            except AttributeError:
                fmt = {"NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars}
                self._plain_period_context = re.compile(self._period_context_fmt % fmt, re.UNICODE | re.VERBOSE)
                return self._plain_period_context

    class _Token(punkt.PunktToken):  # type: ignore[misc]
        __slots__ = ()

        @property
        def is_initial(self) -> bool:
            return _is_initial(self.tok, lists.words)

    params = punkt.PunktParameters()
    params.abbrev_types = set(lists.abbrev)
    return punkt.PunktSentenceTokenizer(params, lang_vars=_LangVars(), token_cls=_Token)


def _first_letter_case(word: str) -> str:
    """'lower', 'upper', 'digit' or 'other' for the first character after openers.

    Camel-case words (``iPhone``, ``eKYC``) count as 'upper': they start sentences.
    """
    core = word.lstrip(_OPENERS)
    if not core:
        return "other"
    if _STARTS_NUMBER.match(core):
        return "digit"
    c = core[0]
    if c.islower():
        return "upper" if any(ch.isupper() for ch in core[1:]) else "lower"
    if c.isupper():
        return "upper"
    return "other"


class _Segmenter:
    """Punkt for one language plus the boundary rules of this module."""

    def __init__(self, lists: AbbrevLists):
        self.lists = lists
        self.punkt = _punkt_tokenizer(lists)

    def split(self, text: str) -> list[tuple[int, int]]:
        flat = _WS.sub(" ", text)  # one-for-one, so offsets stay valid
        if not flat.strip():
            return []
        cased = any(c.isupper() for c in flat)
        starts = {self._unhook_opener(flat, self._next_nonspace(flat, s))
                  for s, _ in self.punkt.span_tokenize(flat)}
        starts |= self._ellipsis_starts(flat) | self._fullwidth_starts(flat)
        starts.discard(self._next_nonspace(flat, 0))
        kept = [b for b in sorted(starts) if b < len(flat) and self._keep(flat, b, cased)]
        kept = sorted({self._after_footnote_mark(flat, b) for b in kept} - {len(flat)})
        return self._spans(flat, kept)

    @classmethod
    def _after_footnote_mark(cls, text: str, b: int) -> int:
        """Move a cut past a footnote mark (``persen.[1] Pemerintah``, ``năm.² Đây``).

        Punkt cuts after the full stop, so the mark would open the next
        sentence; it belongs to the one it annotates.
        """
        m = _FOOTNOTE.match(text, b) if b > 0 and text[b - 1] != " " else None
        if m is None:
            return b
        return cls._next_nonspace(text, m.end())

    @staticmethod
    def _next_nonspace(text: str, i: int) -> int:
        while i < len(text) and text[i] == " ":
            i += 1
        return i

    @staticmethod
    def _unhook_opener(text: str, b: int) -> int:
        """Give back a lone opening quote that Punkt's realignment pulled onto the sentence before.

        Punkt moves any quote after a sentence end onto that sentence; with French
        spacing (``fin . « Début``) the quote opens the next one instead.
        """
        window = text[max(0, b - _WINDOW):b]
        left = window.rstrip()
        tok = left.rsplit(" ", 1)[-1]
        if tok and len(tok) < len(left) and all(c in _LONE_OPENERS for c in tok):
            return b - (len(window) - len(left)) - len(tok)
        return b

    @staticmethod
    def _ellipsis_starts(text: str) -> set[int]:
        """Offsets of capitalised words right after an ellipsis (Punkt keeps those together)."""
        found = set()
        for m in _ELLIPSIS.finditer(text):
            word = text[m.end():m.end() + _WINDOW].split(" ", 1)[0]
            if _first_letter_case(word) == "upper":
                found.add(m.end())
        return found

    @classmethod
    def _fullwidth_starts(cls, text: str) -> set[int]:
        """Offsets after 。！？ (languages written without spaces; Punkt needs one)."""
        return {cls._next_nonspace(text, m.end()) for m in _FULLWIDTH_END.finditer(text)}

    def _keep(self, text: str, b: int, cased: bool) -> bool:
        """Whether the boundary before offset ``b`` is a real sentence start."""
        left = text[max(0, b - _WINDOW):b].rstrip()
        left_tok = left.rsplit(" ", 1)[-1]
        right_tok = text[b:b + _WINDOW].split(" ", 1)[0]
        case = _first_letter_case(right_tok)
        if cased and case == "lower":
            return False
        if right_tok.lstrip(_QUOTES)[:1] in tuple(_INTERNAL):
            return False
        if not left_tok.endswith(".") or left_tok.endswith(".."):
            return True  # ? ! ellipsis or a closing quote: Punkt or the ellipsis rule is right
        typ = left_tok.lstrip(_OPENERS).lower()[:-1]
        lists = self.lists
        if case == "digit" and (typ in lists.before_number or typ in lists.abbrev):
            return False
        if _NUMBER_DOT.match(left_tok) and self._is_ordinal(left, right_tok):
            return False
        if typ in lists.can_end or typ in lists.before_number:
            return True
        return not self._is_abbrev_chain(typ)

    def _is_ordinal(self, left: str, right_tok: str) -> bool:
        """``3. Oktober``, ``im 10. Schwierigkeitsgrad``: the number before the period is an ordinal."""
        words = left.rsplit(" ", 2)
        before = words[-2].lower() if len(words) > 1 else ""
        return (right_tok.lower().rstrip(".,") in self.lists.after_number
                or before in self.lists.before_ordinal)

    def _is_abbrev_chain(self, typ: str) -> bool:
        """``pgs.ts``, ``u.s``, ``c.-à-d``: every part a known abbreviation or one letter."""
        if typ in self.lists.abbrev:
            return True
        parts = [p for p in _PARTS.split(typ) if p]
        if len(parts) < 2:
            return False
        return all(p in self.lists.abbrev or (len(p) == 1 and p.isalpha()) for p in parts)

    @staticmethod
    def _spans(text: str, starts: list[int]) -> list[tuple[int, int]]:
        """Cut at ``starts``, strip whitespace, fold punctuation-only pieces into a neighbour."""
        bounds = [0, *starts, len(text)]
        pieces = []
        for a, z in zip(bounds, bounds[1:]):
            chunk = text[a:z]
            s = a + len(chunk) - len(chunk.lstrip())
            e = a + len(chunk.rstrip())
            if s < e:
                pieces.append([s, e])
        merged: list[list[int]] = []
        for piece in pieces:
            if merged and not any(c.isalnum() for c in text[piece[0]:piece[1]]):
                merged[-1][1] = piece[1]
            elif merged and not any(c.isalnum() for c in text[merged[-1][0]:merged[-1][1]]):
                merged[-1][1] = piece[1]
            else:
                merged.append(piece)
        return [(s, e) for s, e in merged]


@functools.cache
def _segmenter(key: str) -> _Segmenter:
    return _Segmenter(abbreviation_lists(key))


def split_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, in order.

    Spans are stripped of surrounding whitespace, do not overlap, and together
    cover every non-whitespace character of ``text`` (the gaps between them are
    whitespace only), so the caller can map each sentence back to the document.
    Line breaks count as spaces: blocks are split into paragraphs before this.
    ``lang`` is a language code (``vi``, ``id``, ``en-US``...); a language without
    a shipped list gets the generic one.
    """
    if not isinstance(text, str):
        raise UsageError(f"text to split must be a str, got {type(text).__name__}")
    return _segmenter(_lang_key(lang)).split(text)


def sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`split_sentences`)."""
    return [text[s:e] for s, e in split_sentences(text, lang)]


# A mark a cut can follow: one of Punkt's before punctuation or whitespace, an ellipsis, a full-width end
# (before anything). One class first, so that ``re`` looks for it with a table look-up a character.
_CUT_MARK = re.compile("[" + re.escape("".join(_SENT_END_CHARS)) + "…。！？](?:(?<=[。！？])|(?=\\W))")
_WORD_CHAR = re.compile(r"\w")


def sentence_count(text: str, lang: str) -> int:
    """How many sentences ``text`` holds (at least 1): a pre-split line may hold several.

    A second sentence needs a cut after a sentence mark and a letter or digit
    after the cut (``_spans`` folds a piece without one into its neighbour), so
    a line with no word character after its first mark that Punkt, the
    ellipsis or the full-width rule could cut after (``3.5``, ``nói."``) is
    counted without running the segmenter: most lines of a pre-split file.
    """
    body = text.strip()
    mark = _CUT_MARK.search(body)
    if mark is None or _WORD_CHAR.search(body, mark.start() + 1) is None:
        return 1
    return max(1, len(split_sentences(body, lang)))
