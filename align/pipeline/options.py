"""The TMX and review options, defined once for ``align run``, ``align corpus`` and the editor's export.

``TmxOptions`` holds what the TMX writers read (it is an
``align.formats.base.OutputOptions``): ``RunOptions`` (one run) and the
editor's ``TmxExport`` extend it, so a field added here reaches all three.
``OutputSet`` adds the review outputs a user asks for (the review TMX of
``split_by_score``, the review sheets); the command line builds it in one
place (``align.cli.options.output_options``), for both commands, so that
``run`` and ``corpus`` cannot offer different options.

``tmx_counts`` and ``tmx_notes`` are what both commands say about the TMX
options' effect, in the same words (one pair, or a corpus' pairs added up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from align.common.errors import UsageError
from align.formats.registry import default_path
from align.formats.tmx import REVIEW_TMX, TmxStats, language_code

#: What a TMX attribute cannot carry, or carries only to break a CAT tool: C0/C1 controls,
#: DEL, lone surrogates and the non-characters U+FFFE/U+FFFF.
_NOT_IN_AN_ATTRIBUTE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

#: The review sheets, by writer name (``align.formats.registry``).
REVIEW_SHEETS = ("review_tsv", "review_xlsx")


def check_creationid(value: str) -> str:
    """``value`` if a TMX can carry it as ``creationid``; UsageError (exit 2) naming the character if not.

    Checked when the options are made, before anything is read or aligned: lxml
    would refuse the character only when the TMX is written, after the whole
    alignment, as an internal error.
    """
    m = _NOT_IN_AN_ATTRIBUTE.search(value)
    if m:
        raise UsageError(f"--creationid {value!r} holds the control character U+{ord(m.group()):04X}, "
                         "which a TMX cannot carry", hint="give a plain name, e.g. your user name")
    return value


@dataclass(frozen=True)
class TmxOptions:
    """The TMX options a user chooses: what every TMX writer of a run reads.

    One definition for ``align run``, ``align corpus`` (``RunOptions`` extends
    it) and the editor's export (``TmxExport`` extends it). Checked when made:
    a creationid or language code a TMX cannot carry is refused before any work.
    """

    level: str = "sentence"  # sentence | paragraph | both
    region: bool = False  # language codes with region (vi-VN)
    src_code: str | None = None  # exact code of the source tuvs
    tgt_code: str | None = None
    min_score: float = 0.0  # TUs below it are left out
    dedupe: bool = True  # identical (source, target) TUs written once
    append: bool = False  # add to an existing TMX instead of replacing it
    creationid: str = "align"  # TMX creationid of the new units
    split_by_score: float | None = None  # TUs below it go to the review_tmx output instead

    def __post_init__(self) -> None:
        """Refuse now what the TMX writer would refuse only after the whole alignment has run."""
        check_creationid(self.creationid)
        for code in (self.src_code, self.tgt_code):
            if code:
                language_code(code, explicit=code)  # UsageError for a code CAT tools reject (vn)


def tmx_fields(options: TmxOptions) -> dict[str, Any]:
    """The ``TmxOptions`` fields of ``options`` (any subclass) by name, to build another subclass from."""
    return {f.name: getattr(options, f.name) for f in fields(TmxOptions)}


@dataclass(frozen=True)
class OutputSet:
    """Every TMX and review option of one command line: the TMX options and the review sheets asked for.

    ``review_tsv``/``review_xlsx``: ``None`` for no sheet, ``""`` for the sheet
    beside the TMX (``OUT.review.tsv``; in a corpus beside each pair's TMX), or
    a path (``align run`` only: a corpus has one sheet per pair).
    """

    tmx: TmxOptions = field(default_factory=TmxOptions)
    review_tsv: str | None = None
    review_xlsx: str | None = None

    def sheets(self) -> dict[str, str]:
        """The review sheets asked for: writer name -> the path given (``""``: beside the TMX)."""
        return {name: value for name, value in (("review_tsv", self.review_tsv), ("review_xlsx", self.review_xlsx))
                if value is not None}

    def paths(self, out_tmx: str) -> dict[str, str | None]:
        """The outputs of one run writing ``out_tmx``, by writer name (``align_pair``'s ``outputs``)."""
        out: dict[str, str | None] = {
            "tmx": out_tmx,
            REVIEW_TMX.name: default_path(out_tmx, REVIEW_TMX.name) if self.tmx.split_by_score is not None else None,
        }
        for name, given in self.sheets().items():
            out[name] = given or default_path(out_tmx, name)
        return out

    def per_pair_kinds(self) -> tuple[str, ...]:
        """The outputs each pair of a corpus writes beside its TMX besides the usual ones (review TMX, sheets).

        UsageError for a sheet given a path: a corpus writes one sheet per pair,
        named like its TMX (``<pair>.<src>-<tgt>.review.xlsx``).
        """
        for name, given in self.sheets().items():
            if given:
                option = "--" + name.replace("_", "-")
                raise UsageError(f"{option} takes no file name in a corpus: each pair's sheet goes beside its TMX "
                                 f"(got {given!r})", hint=f"give {option} alone, after the input folder")
        kinds = [REVIEW_TMX.name] if self.tmx.split_by_score is not None else []
        return (*kinds, *self.sheets())


# --------------------------------------------------------------------------- what the TMX options did

#: The numbers ``tmx_counts`` gives (one pair) and ``tmx_notes`` words (a pair or a corpus, added up).
COUNT_KEYS = ("tmx_kept_existing", "tmx_duplicates", "tmx_below_min_score", "review_tmx_tus")


def tmx_counts(stats: object, review_stats: object) -> dict[str, int]:
    """What the TMX options did to one pair, JSON-ready (the corpus keeps them in each pair's summary).

    ``tmx_below_min_score`` counts the units left out by ``min_score`` alone:
    with ``split_by_score`` the main TMX also leaves out the units below the
    split, which are not lost but in the review TMX (``review_tmx_tus``), so
    the review TMX's own count is the one that says what ``min_score`` dropped.
    """
    tmx = stats if isinstance(stats, TmxStats) else None
    review = review_stats if isinstance(review_stats, TmxStats) else None
    below = review.skipped_below_min if review is not None else (tmx.skipped_below_min if tmx is not None else 0)
    return {
        "tmx_kept_existing": tmx.kept_existing if tmx is not None else 0,
        "tmx_duplicates": (tmx.duplicates if tmx is not None else 0) + (review.duplicates if review is not None else 0),
        "tmx_below_min_score": below,
        "review_tmx_tus": review.tus_written if review is not None else 0,
    }


def add_counts(counts: Iterable[Mapping[str, object]]) -> dict[str, int]:
    """The ``tmx_counts`` of several pairs added up (a summary without them counts 0)."""
    total = dict.fromkeys(COUNT_KEYS, 0)
    for c in counts:
        for k in COUNT_KEYS:
            value = c.get(k, 0)
            total[k] += value if isinstance(value, int) else 0
    return total


def tmx_notes(counts: Mapping[str, int]) -> str:
    """What the TMX options did, in the words both commands print (``""`` when there is nothing to say).

    Only what happened is said: "below --min-score left out" only for units
    ``min_score`` dropped, never for the units ``split_by_score`` sent to the
    review TMX (those are said by the review TMX's own line).
    """
    parts = []
    if counts.get("tmx_kept_existing"):
        parts.append(f"{counts['tmx_kept_existing']} units kept from the existing file")
    dup = counts.get("tmx_duplicates", 0)
    if dup:
        parts.append(f"{dup} repeated unit{'s' if dup != 1 else ''} written once")
    if counts.get("tmx_below_min_score"):
        parts.append(f"{counts['tmx_below_min_score']} below --min-score left out")
    return ", ".join(parts)
