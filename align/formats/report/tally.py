"""How the report and the command line count what is not in a translation unit, and what the verdict says.

One module for both, so that ``align run``'s summary line, the report's
cards, its verdict and the corpus index all use the same definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def unaligned_tally(reasons: Iterable[str]) -> dict[str, int]:
    """Unaligned segments counted as the page's card and the command line both count them.

    ``content``: segments of the text in no translation unit (``omission``: source
    only, ``addition``: target only, ``other``: any other reason); ``noise``: blocks
    the reader set aside as not article text (menus, captions). One definition, so
    ``align run``'s summary line and the report's card cannot disagree.
    """
    tally = {"content": 0, "omission": 0, "addition": 0, "other": 0, "noise": 0}
    for reason in reasons:
        kind = reason.split(":", 1)[0].strip()
        if kind == "noise":
            tally["noise"] += 1
            continue
        tally["content"] += 1
        tally[kind if kind in ("omission", "addition") else "other"] += 1
    return tally


def unaligned_phrase(tally: Mapping[str, int]) -> str:
    """``unaligned_tally`` in words: what the command line prints and the card's second line says."""
    other = f", {tally['other']} other" if tally.get("other") else ""
    noise = tally.get("noise", 0)
    return (f"{tally['content']} unaligned ({tally['omission']} omitted, {tally['addition']} added{other}), "
            f"{noise} noise block{'' if noise == 1 else 's'} set aside")


#: Verdicts on the quality figure (share of text in clean translation units): bar, class, title, text.
VERDICTS = (
    (0.95, "good", "Looks reliable", "Nearly all the text is in translation units that passed every check."),
    (0.80, "review", "Review the flagged rows", "A noticeable share of the text is unaligned or flagged."),
    (0.0, "bad", "Needs careful review", "Much of the text is unaligned or flagged; do not use as is."),
)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def verdict(quality: float | None, unaligned: Mapping[str, int] | None = None) -> dict:
    """The verdict on a document: by its ``quality`` (``VERDICTS``), never "good" while text is unaligned.

    A long document with one omitted sentence keeps a quality near 1 (the share of
    its characters in clean units), yet a translation that dropped a sentence is
    not reliable as it stands: with any content segment unaligned (``unaligned_tally``'s
    ``content``: omissions, additions) the verdict is at best "review", and says why.
    """
    q = quality or 0.0
    bar, cls, title, text = next((v for v in VERDICTS if q >= v[0]), VERDICTS[-1])  # below 0: an edited report
    u = unaligned or {}
    content = int(u.get("content", 0) or 0)
    if cls == "good" and content:
        cls, title, bar = "review", "Review the unaligned text", VERDICTS[1][0]
        parts = [f"{_plural(int(u[k]), noun)} {what}" for k, noun, what in (
            ("omission", "source segment", "not translated"), ("addition", "target segment", "with no original"),
            ("other", "segment", "left out")) if u.get(k)]
        text = "; ".join(parts or [f"{_plural(content, 'segment')} unaligned"]) + ": check the unaligned segments before using the units."
    return {"cls": cls, "title": title, "text": text, "bar": bar, "unaligned": content}
