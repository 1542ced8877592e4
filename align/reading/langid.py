"""A small, self-contained language check, to catch swapped or mislabelled inputs.

Aligning a file against itself's translation with the languages swapped gives
plausible-looking but useless output, so ``read_document`` compares the declared
language with what the text looks like. The method is deliberately simple (the
share of words that are frequent function words of a language, plus Vietnamese's
own letters) and only answers when the evidence is overwhelming; languages it has
no profile for are never checked.
"""

from __future__ import annotations

import re

from align.common.languages import ALIASES

#: Frequent function words per language. Chosen to be common in news and prose;
#: overlaps between languages are fine because only a clear winner counts.
STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "vi": "và của các là những được trong có cho với không này một người đã để từ đến khi theo về tại năm ra"
        " cũng như nhiều đó sẽ thì lại đang nhưng vì nên rằng còn hơn mà hai bà ông chúng tôi",
        "id": "yang dan di ke dari dengan untuk ini itu pada dalam tidak akan adalah atau juga oleh sebagai telah"
        " bahwa karena ada saat lebih mereka kami kita sudah bisa dapat para secara tersebut antara serta belum",
        "ms": "yang dan di ke dari dengan untuk ini itu pada dalam tidak akan adalah atau juga oleh sebagai telah"
        " bahawa kerana ada ialah iaitu daripada boleh sahaja beliau mereka kami kita sudah dapat para secara",
        "en": "the of and to in is that for on with as was by at from it are this be have has an which not but"
        " they their were been will would its his her who also",
        "de": "der die und den das ist nicht mit von sich des auf für im dem eine ein zu auch es als wird wurde"
        " sind bei nach aus werden oder über einer einen noch wie nur hat",
        "fr": "le la les des et est une un du pour dans que qui sur pas au avec par ce il sont ont été cette aux"
        " mais ou plus se en son elle nous leur",
        "es": "el la los las de que y en del por con una un para es se al como más pero sus fue ha son lo su"
        " también entre",
        "pt": "o a os as de que e do da dos das em para com um uma não por se no na é foi mais ao pelo pela"
        " também",
        "it": "il la le di che e un una per del della è non con sono si dei gli nel alla anche come più"
        " delle degli ha",
        "nl": "de het een en van in is dat op te zijn voor met niet die ook aan er als bij door wordt werd"
        " naar maar nog",
    }.items()
}

def _weights() -> dict[str, tuple[tuple[str, float], ...]]:
    """A word shared by k language families counts 1/k for each, so "de" or "la" cannot decide alone.

    Words shared only within a family (Indonesian and Malay) count fully for both.
    """
    owners: dict[str, list[str]] = {}
    for lang, words in STOPWORDS.items():
        for w in words:
            owners.setdefault(w, []).append(lang)
    weights = {}
    for w, langs in owners.items():
        families = {_family(lang) for lang in langs}
        weights[w] = tuple((lang, 1 / len(families)) for lang in langs)
    return weights

#: Letters only Vietnamese uses among the profiled languages (ă, đ, ơ, ư and the
#: stacked or dot-below tone marks); about a third of Vietnamese words carry one.
_VI_LETTERS = frozenset("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉĩịọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")

#: Every letter with a Vietnamese diacritic, the shared ones (à, é, ô...) included. Written
#: Vietnamese marks nearly every other syllable, so a text of several words with none
#: of them is not Vietnamese, however short (the function-word profile needs 30 words).
_VI_MARKED = _VI_LETTERS | frozenset("àáâãèéêìíòóôõùúý")
MIN_VI_WORDS = 8

NAMES: dict[str, str] = {
    "vi": "Vietnamese", "id": "Indonesian", "ms": "Malay", "en": "English", "de": "German",
    "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "nl": "Dutch",
}
#: Languages close enough that one is never reported as a swap of the other.
_FAMILIES: tuple[frozenset[str], ...] = (frozenset({"id", "ms"}),)


def _family(lang: str) -> str:
    return next((min(f) for f in _FAMILIES if lang in f), lang)


_WEIGHTS = _weights()

MIN_WORDS = 30  # below this, no verdict: titles and captions are too short to judge
_MIN_SCORE = 0.15  # the winner's share of function words
_MARGIN = 2.0  # the winner must score this many times the best other family
_MAX_CHARS = 20000  # enough for a confident verdict; keeps the check fast on big files
_WORD = re.compile(r"[^\W\d_]+")


def base_language(lang: str) -> str:
    """``"vi-VN"`` -> ``"vi"``, ``"in"`` -> ``"id"``: the code the profiles use."""
    base = lang.strip().lower().replace("_", "-").split("-")[0]
    return ALIASES.get(base, base)


def same_family(a: str, b: str) -> bool:
    return a == b or any(a in f and b in f for f in _FAMILIES)


def language_scores(text: str) -> tuple[dict[str, float], int]:
    """Per profiled language, the (weighted) share of words that look like it; and the word count."""
    words = _WORD.findall(text[:_MAX_CHARS].lower())
    if not words:
        return {lang: 0.0 for lang in STOPWORDS}, 0
    n = len(words)
    scores = dict.fromkeys(STOPWORDS, 0.0)
    for w in words:
        for lang, weight in _WEIGHTS.get(w, ()):
            scores[lang] += weight
    scores = {lang: s / n for lang, s in scores.items()}
    vi_letters = sum(any(ch in _VI_LETTERS for ch in w) for w in words) / n
    scores["vi"] = max(scores["vi"], vi_letters)
    return scores, n


def detect_language(text: str) -> str | None:
    """The profiled language ``text`` is clearly in, or None when unsure or too short."""
    scores, n = language_scores(text)
    if n < MIN_WORDS:
        return None
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    top, top_score = ranked[0]
    if top_score < _MIN_SCORE:
        return None
    rival = max((s for lang, s in ranked[1:] if not same_family(lang, top)), default=0.0)
    if top_score < _MARGIN * rival:
        return None
    return top


def language_mismatch(text: str, declared: str) -> str | None:
    """A one-line explanation when ``text`` is clearly not in the declared language, else None.

    Only languages with a profile are checked; close relatives (Indonesian and
    Malay) are not told apart.
    """
    want = base_language(declared)
    if want not in STOPWORDS:
        return None
    found = detect_language(text)
    if found is None and want == "vi":
        return _unmarked_vietnamese(text)
    if found is None or same_family(found, want):
        return None
    return f"looks like {NAMES[found]} ({found}), not {NAMES[want]} ({want}): the files may be swapped or mislabelled"


def _unmarked_vietnamese(text: str) -> str | None:
    """Text declared Vietnamese with no Vietnamese diacritic at all: too short for the profiles, still not Vietnamese."""
    words = _WORD.findall(text[:_MAX_CHARS].lower())
    if len(words) < MIN_VI_WORDS or any(ch in _VI_MARKED for w in words for ch in w):
        return None
    return (
        f"is declared Vietnamese (vi), but none of its {len(words)} words carries a Vietnamese tone mark or "
        "letter: the files may be swapped or mislabelled"
    )
