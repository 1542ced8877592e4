"""Score an existing translation memory: which units are probably not translations of each other.

A TM grown over years (or made by another aligner) holds units where the
target belongs to a neighbouring unit, was cut short, or is simply another
sentence. ``score_tmx`` embeds both sides of every unit (one ``encode`` call
per side) and gives each unit the score the aligner gives a 1-1 bead, so a
``--min-score`` means the same thing on a scored TM as on a fresh alignment:

* vectors are prepared as the aligner prepares a document's (L2, centred);
* the similarity scale is the memory's own: ``mu0``/``sd0`` from cosines of
  random (so almost all non-paired) units, ``mu1`` the median over sources of
  their best cosine, exactly as :func:`~align.core.scores.estimate_model` does
  for a document pair; the Gale-Church length model is estimated from the
  units (:func:`~align.core.scores.refine_model` over 1-1 beads);
* each unit gets the aligner's DP score of a 1-1 bead
  (:class:`~align.core.scores.WindowScorer`: normalised similarity, length
  log-likelihood, shared numbers and names), mapped to [0, 1] by the
  logistic: 0.5 where the bead is neutral (similarity halfway between
  unrelated text and a typical translation, lengths as expected).

The aligner's own bead scores are posteriors over the paths of a document
(high where it had no close alternative); units of a TM are independent and
have no paths, so that part does not carry over, and the units' order does
not matter (beyond the sampled background of memories over 64 units).

On top of the score, the aligner's quality checks (``quality.flags.check_beads``:
low score, drift, length ratio, number and name mismatches) run over the units
as if they were the beads of one document, and one check of its own:

* ``misplaced``: the unit's target matches another unit's source (or its
  source another unit's target) much better than its own side, by at least
  ``misplaced_margin`` on the normalised similarity scale (0 = unrelated,
  1 = a typical translation of this memory), and that better match itself
  looks like a translation (``misplaced_min``). This catches swapped targets
  and targets copied from another unit even when the pair, read alone,
  would pass.

Scale (issue 19): a memory of up to ``exact_max`` (20,000) units compares
every unit with every other (exact, as before). A larger one compares each
unit exactly with the ``window`` (500) units either side of it in file order,
and searches the rest of the memory (an inverted file, ``nearest``) only for
the units that could be ``misplaced`` at all: those whose own pair is not so
close already that no other unit could beat it by the margin (a few percent
of a clean memory). Time and memory then grow about linearly: 500,000 units
(192 MB of TMX) take about 9 minutes on two cores with the hashed test encoder
and stay under 4 GB (``tests/benchmarks/bench_score.py``). A large memory is
embedded in chunks (each distinct text once), and the checks that read only
the texts (most of the checks' time) run in a second process meanwhile.

Outputs (issue 22): the scored TMX carries this score as its own props,
``x-tm-score`` and ``x-tm-flags``, beside the aligner's ``x-alignment-score``
and ``x-flags``, which stay as they were (a different scale: a posterior over
a document's paths, not a unit read alone). The report is a TM health page of
its own (``render_tm_report``): suspects worst first, the distribution of the
scores (and of the aligner's, where units carry one), duplicates and language
checks, not the alignment page, whose coverage, noise and path mean nothing
for a memory.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import re
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

import align.core.scores as sc
from align.common.atomic import atomic_write
from align.common.errors import InputError
from align.common.model import Alignment, Bead, Document, Segment
from align.core.lexical import find_anchors
from align.core.params import AlignParams, signature
from align.core.search import band_around
from align.core.side import Side
from align.core.vectors import centre, normalise_rows, prepare_vectors
from align.embedding import Encoder
from align.formats.report.html import render_tm_report
from align.formats.report.payload import json_text
from align.formats.tmx import TU, TmxFile, clean_text, read_tmx, write_tmx_props
from align.quality.flags import FLAGS, QualityParams, check_beads
from align.reading.langid import NAMES, STOPWORDS, base_language, language_mismatch, same_family
from align.tools.nearest import Best, Search, best_others

FORMAT = "align-tm-score"
#: Unflagged units shown in the HTML report (all flagged units are shown, up to ``MAX_REPORT_ROWS``).
MAX_CLEAN_ROWS = 2000
#: Rows put through the HTML report at most (flagged first); the page may show fewer (its own row limit).
MAX_REPORT_ROWS = 10_000
FORMAT_VERSION = 2  # 2: the health report (distribution, duplicates, languages, the aligner's score beside)
#: The props ``write_scored_tmx`` writes: this score and its flags, beside the aligner's own, which stay untouched.
TM_SCORE_PROP = "x-tm-score"
TM_FLAGS_PROP = "x-tm-flags"
ALIGNMENT_SCORE_PROP = "x-alignment-score"
#: The alignment flags a memory's units can carry (no omission, addition, moved or reordered: units are pairs).
TM_FLAGS = ("low-score", "drift", "length-ratio", "number-mismatch", "name-mismatch")
#: Duplicate groups and units with a language problem listed in the reports (the counts are of all).
MAX_LISTED = 500
#: An aligner's score at least this, with this score below the threshold, counts as a disagreement.
AGREE_HIGH = 0.8
WRONG_LANGUAGE = "wrong-language"
WRONG_LANGUAGE_EXPLANATION = (
    "A side reads as the other side's language, or the target is the source unchanged: not translated, or the "
    "sides swapped?"
)
MISPLACED_EXPLANATION = (
    "The target matches another unit's source (or the source another unit's target) much better than its own: "
    "swapped or copied from another unit?"
)


@dataclass(frozen=True)
class TmScoreParams:
    """Thresholds of ``score_tmx``: ``threshold`` is the low-score bar (the report's ``--threshold``)."""

    threshold: float = 0.5
    misplaced_margin: float = 0.35  # normalised-similarity lead of the better match over the unit's own pair
    misplaced_min: float = 0.5  # the better match must be at least this (normalised) to count
    block: int = 512  # rows of the all-pairs comparison computed at once
    exact_max: int = 20_000  # up to this many units every pair is compared; above, a window and an IVF (``nearest``)
    window: int = 500  # units either side compared exactly in a larger memory
    probes: int = 16  # inverted-file cells searched per vector in a larger memory
    chunk: int = 50_000  # texts embedded at once in a larger memory (the encoder's memo is emptied in between)
    parallel_min: int = 20_000  # from this many units the text-only checks run in a second process

    def search(self) -> Search:
        """The nearest-other-unit search these parameters ask for."""
        return Search(exact_max=self.exact_max, window=self.window, probes=self.probes, block=self.block)


@dataclass(frozen=True)
class ScoredTU:
    """One bilingual unit with its score, flags and a detail line per flag."""

    position: int  # 0-based among the bilingual units of the file
    tu: TU
    score: float
    flags: tuple[str, ...]
    issues: dict[str, str]
    similarity: float  # normalised similarity of its own pair (0 unrelated, 1 typical translation)
    alignment_score: float | None = None  # the unit's x-alignment-score as read (the aligner's), if it had one


@dataclass(frozen=True)
class TmScore:
    """A scored TM: every bilingual unit in file order, and what the scores were measured against."""

    tmx: TmxFile
    units: list[ScoredTU]
    model_id: str
    signature: str
    params: TmScoreParams
    stats: dict[str, float]
    warnings: tuple[str, ...] = ()
    texts: tuple[list[str], list[str]] | None = field(default=None, repr=False)  # the units' cleaned texts (report)

    def suspects(self) -> list[ScoredTU]:
        """Flagged units, worst (lowest score) first."""
        return sorted((u for u in self.units if u.flags), key=lambda u: (u.score, u.position))


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class _Pairs:
    """What the scoring measured: prepared vectors, the model, own and best-other cosines."""

    model: sc.DocModel | None  # None when there is no unit
    own: np.ndarray  # cosine of each unit's own pair
    scores: np.ndarray
    row_other: np.ndarray  # per source: best cosine with another unit's target, and that unit
    row_arg: np.ndarray
    col_other: np.ndarray  # per target: best cosine with another unit's source, and that unit
    col_arg: np.ndarray
    compared: int = 0  # pairs of units whose cosine was computed (``nearest.Best.compared``)


def _measure(src_vecs, tgt_vecs, src_lens, tgt_lens, params, *, src_texts=None, tgt_texts=None,
             search: Search | None = None, prepared: bool = False,
             misplaced_margin: float | None = None) -> _Pairs:
    """Prepare the vectors as the aligner does and measure every unit's own and best-other cosines (see ``_Pairs``).

    ``prepared``: the vectors are prepared already (``_prepare_in_place``).
    The best other match comes from ``nearest.best_others``: exact up to
    ``search.exact_max`` units; above, exact within a window, and beyond it
    searched (approximately) only for the units that could be ``misplaced``
    by ``misplaced_margin`` (``_could_be_misplaced``; None: no unit, as for
    ``score_pairs``, whose scores need the best others only for the scale).
    """
    params = params or AlignParams()
    search = search or Search()
    n = len(src_vecs)
    if len(tgt_vecs) != n or len(src_lens) != n or len(tgt_lens) != n:
        raise ValueError("score_pairs needs as many target vectors and lengths as source vectors")
    if n == 0:
        e = np.zeros(0)
        return _Pairs(None, e, e, e, e.astype(int), e, e.astype(int))
    if prepared:
        x, y = src_vecs, tgt_vecs
    else:
        x, y = prepare_vectors(src_vecs, params), prepare_vectors(tgt_vecs, params)
    ls = np.asarray(src_lens, dtype=np.float64)
    lt = np.asarray(tgt_lens, dtype=np.float64)
    own = np.einsum("ij,ij->i", x, y).astype(np.float64)
    if misplaced_margin is None:
        select = lambda best: np.zeros(n, dtype=bool)  # noqa: E731
    else:
        select = _could_be_misplaced(own, x, y, misplaced_margin)
    best = best_others(x, y, search, select=select)
    row_other, row_arg = best.row, best.row_arg
    # The aligner's document model, from a "band" holding each source's best target
    top = np.maximum(own, row_other)
    arg = np.where(own >= row_other, np.arange(n), row_arg)
    band = sc.BandMatrix(top[:, None].astype(np.float32), arg, arg + 1)
    model = sc.estimate_model(Side(x, ls), Side(y, lt), band, tail=params.len_tail)
    if params.refine:
        model = sc.refine_model(model, [(range(k, k + 1), range(k, k + 1)) for k in range(n)], Side(x, ls), Side(y, lt))
    dp = _bead_dp_scores(x, y, ls, lt, params, model, src_texts, tgt_texts)
    scores = 1.0 / (1.0 + np.exp(-dp))  # 0.5 where the bead is neutral in the aligner's scores
    return _Pairs(model, own, scores, row_other, row_arg, best.col, best.col_arg, best.compared)


def _could_be_misplaced(own: np.ndarray, x: np.ndarray, y: np.ndarray, margin: float) -> Callable[[Best], np.ndarray]:
    """The units whose own pair some other unit could beat by ``margin`` (normalised): those worth a search.

    A cosine is at most 1, so a unit is ``misplaced`` only if its own cosine
    is at most ``1 - margin * (mu1 - mu0)`` (the similarity scale of
    ``estimate_model``). The scale is taken from what the window found: its
    ``mu1`` is at most the final one (more matches can only raise a best
    match), so the bar is at least the final one and no unit that could be
    flagged is left out. In a clean memory this is a few percent of the units.
    """

    def select(best: Best) -> np.ndarray:
        mu0, _ = sc.background_stats(x, y)
        mu1 = float(np.median(np.maximum(own, best.row)))
        out: np.ndarray = own <= 1.0 + 1e-5 - margin * max(mu1 - mu0, 1e-3)
        return out

    return select


def _encode(encoder: Encoder, texts: list[str], chunk: int) -> np.ndarray:
    """The encoder's vectors of ``texts`` (float32), each distinct text embedded once.

    Up to ``chunk`` texts this is one ``encode`` call. More are embedded
    ``chunk`` distinct texts at a time, the encoder's in-memory memo emptied
    after each (``Encoder.forget``; its disk cache keeps them), so that memory
    holds the vectors once, not twice.
    """
    if len(texts) <= chunk:
        return np.asarray(encoder.encode(texts), dtype=np.float32)
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
    distinct = list(index)
    del index
    out: np.ndarray | None = None
    for a in range(0, len(distinct), chunk):
        vecs = np.asarray(encoder.encode(distinct[a : a + chunk]), dtype=np.float32)
        encoder.forget()
        if out is None:
            out = np.empty((len(distinct), vecs.shape[1]), dtype=np.float32)
        out[a : a + len(vecs)] = vecs
    assert out is not None  # there are texts
    return out if len(distinct) == len(texts) else out[rows]


def _prepare_in_place(vecs: np.ndarray, params: AlignParams, chunk: int) -> np.ndarray:
    """``prepare_vectors(vecs)``, computed chunk by chunk in ``vecs`` itself (float32, owned by the caller).

    Up to ``chunk`` rows this is ``prepare_vectors``; above, the same steps
    (unit length, the side's mean removed, unit length again) without the two
    full-size copies, the mean summed in float64.
    """
    n = len(vecs)
    if n <= chunk:
        return prepare_vectors(vecs, params)
    for a in range(0, n, chunk):
        vecs[a : a + chunk] = normalise_rows(vecs[a : a + chunk])
    if not params.centre:
        return vecs
    total = np.zeros(vecs.shape[1], dtype=np.float64)
    for a in range(0, n, chunk):
        total += vecs[a : a + chunk].sum(axis=0, dtype=np.float64)
    mean = (total / n).astype(np.float32)
    for a in range(0, n, chunk):
        vecs[a : a + chunk] = centre(vecs[a : a + chunk], mean)
    return vecs


def _bead_dp_scores(x, y, ls, lt, params, model, src_texts, tgt_texts) -> np.ndarray:
    """The aligner's own DP score of each 1-1 bead (i, i): similarity, length, shared numbers and names."""
    n = len(x)
    anchors = None
    if params.lex_weight > 0 and src_texts is not None and tgt_texts is not None:
        anchors = find_anchors(list(src_texts), list(tgt_texts))
    diagonal = band_around([(k, k) for k in range(n + 1)], n, n, 0)
    scorer = sc.WindowScorer(Side(x, ls), Side(y, lt), diagonal, params, types=[(1, 1)], anchors=anchors, model=model)
    return np.array([scorer.bead_score(i + 1, i + 1, 1, 1) for i in range(n)], dtype=np.float64)


def score_pairs(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_lens: np.ndarray,
    tgt_lens: np.ndarray,
    *,
    params=None,
    src_texts: list[str] | None = None,
    tgt_texts: list[str] | None = None,
) -> np.ndarray:
    """Score in [0, 1] of each given pair ``(src_vecs[i], tgt_vecs[i])``, in the aligner's terms.

    The pairs are treated as the beads of one document: the similarity scale
    (unrelated vs translation cosines) and the length model are estimated from
    them as the aligner estimates them from a document pair; each pair gets the
    aligner's DP score of a 1-1 bead (with the shared numbers/names bonus when
    the texts are given), mapped to [0, 1] by the logistic: 0.5 where the
    bead is neutral (similarity halfway between unrelated text and a typical
    translation of this memory, lengths as expected), about 0.95 for a typical
    translation. ``params`` is an :class:`~align.core.aligner.AlignParams`.
    """
    return _measure(src_vecs, tgt_vecs, src_lens, tgt_lens, params, src_texts=src_texts, tgt_texts=tgt_texts).scores


# --------------------------------------------------------------------------- TM


def _tm_alignment(tmx: TmxFile, src: Sequence[str], tgt: Sequence[str], scores) -> Alignment:
    """The units of a TM as the 1-1 beads of one document pair (so the quality checks and report apply)."""

    def doc(lang: str, texts: Sequence[str]) -> Document:
        segs, pos = [], 0
        for k, t in enumerate(texts):
            segs.append(Segment(t, "sentence", 0, k, (pos, pos + len(t))))
            pos += len(t) + 1
        return Document(tmx.path, lang, "\n".join(texts), tuple(segs))

    s, t = doc(tmx.src_lang, src), doc(tmx.tgt_lang, tgt)
    beads = tuple(
        Bead((k,), (k,), float(round(scores[k], 4))) for k in range(len(src))
    )
    return Alignment(s, t, s.segments, t.segments, beads, "", {}, "")


# --------------------------------------------------------------------------- the checks


def _text_checks(path: str, langs: tuple[str, str], src: list[str], tgt: list[str],
                 qp: QualityParams) -> dict[int, dict[str, str]]:
    """What ``check_beads`` finds by reading the texts alone (length ratio, numbers, names), by unit; flagged units only.

    Plus ``wrong-language`` (``_unit_language``): a target that is the source
    unchanged, or a side in the other language, which the score cannot see
    (identical or untranslated text is "similar").

    The units are given the score 1, so no score-based check fires here
    (``_score_checks`` runs those). This is most of the checks' time, and it
    needs no vector: a large memory runs it in a second process (``_TextChecks``).
    """
    tmx = TmxFile(path, "", {}, [], langs[0], langs[1])
    found = check_beads(_tm_alignment(tmx, src, tgt, np.ones(len(src))), params=qp)
    for k, (a, b) in enumerate(zip(src, tgt, strict=True)):  # a unit left untranslated reads as a perfect pair
        problem = _unit_language(a, b, langs[0], langs[1])
        if problem:
            found[k][WRONG_LANGUAGE] = problem
    return {k: d for k, d in enumerate(found) if d}


def _score_checks(scores: np.ndarray, qp: QualityParams) -> list[dict[str, str]]:
    """What ``check_beads`` finds from the scores alone (low score, drift): the units with empty texts.

    Empty texts have no number, no name and all the same length ratio, so
    only the score-based checks can fire; with ``_text_checks`` this gives
    exactly what ``check_beads`` gives on the units (a test holds them equal).
    """
    n = len(scores)
    empty = [""] * n
    return check_beads(_tm_alignment(TmxFile("", "", {}, [], "", ""), empty, empty, scores), params=qp)


def _text_checks_child(conn: Connection) -> None:
    """The second process: receive the arguments, run ``_text_checks``, send ``(True, result)`` or ``(False, traceback)``."""
    try:
        conn.send((True, _text_checks(*conn.recv())))
    except BaseException:  # reported to the parent, which raises
        conn.send((False, traceback.format_exc()))
    finally:
        conn.close()


class _TextChecks:
    """``_text_checks`` of a large memory in a second process, started before the vectors are compared.

    The process is spawned (not forked: the parent may hold BLAS or encoder
    threads) and daemonic, so it dies with its parent; the texts go through
    the pipe once it runs (not as the process' arguments, whose writing blocks
    for good if the child dies starting). If it cannot start or dies (say,
    killed for memory, or started from a script that ``multiprocessing``
    cannot import), the checks run here instead: slower, same result.
    """

    def __init__(self, args: tuple, parallel: bool) -> None:
        self._args = args
        self._proc: multiprocessing.process.BaseProcess | None = None
        if not parallel:
            return
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_text_checks_child, args=(child,), daemon=True, name="align-score-checks")
        try:
            proc.start()
            child.close()
            self._conn.send(args)
        except (OSError, EOFError):  # BrokenPipeError is an OSError
            if proc.pid is not None:
                proc.kill()
                proc.join()
            return
        self._proc = proc

    def result(self) -> dict[int, dict[str, str]]:
        if self._proc is None:
            return _text_checks(*self._args)
        try:
            ok, value = self._conn.recv()
        except (EOFError, OSError):  # the process died without an answer
            ok, value = True, None
        finally:
            self._proc.join()
            self._proc = None
            self._conn.close()
        if not ok:
            raise RuntimeError(f"the text checks failed in their process:\n{value}")
        return _text_checks(*self._args) if value is None else value

    def cancel(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._proc = None
            self._conn.close()


def _parallel(n: int, p: TmScoreParams) -> bool:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return n >= p.parallel_min and cores >= 2


def _misplaced(k: int, m: _Pairs, norm, p: TmScoreParams, tuid_of) -> str | None:
    own = float(norm(m.own[k]))
    found = []
    for other, arg, side, other_side in (
        (m.col_other[k], m.col_arg[k], "target", "source"),
        (m.row_other[k], m.row_arg[k], "source", "target"),
    ):
        if arg < 0 or not np.isfinite(other):
            continue
        s = float(norm(other))
        if s >= p.misplaced_min and s - own >= p.misplaced_margin:
            found.append((s, f"its {side} matches the {other_side} of unit {tuid_of(int(arg))} "
                             f"(similarity {s:.2f} against {own:.2f} with its own {other_side})"))
    if not found:
        return None
    return "; ".join(text for _, text in sorted(found, reverse=True))


def _misplaced_candidates(m: _Pairs, norm, p: TmScoreParams) -> np.ndarray:
    """Units that may be ``misplaced`` (a superset; ``_misplaced`` decides), so that the rest are not looked at."""
    own = norm(m.own)
    out = np.zeros(len(own), dtype=bool)
    for other in (m.col_other, m.row_other):
        s = np.where(np.isfinite(other), norm(np.where(np.isfinite(other), other, 0.0)), -np.inf)
        out |= (s >= p.misplaced_min - 1e-9) & (s - own >= p.misplaced_margin - 1e-9)
    return out


def score_tmx(
    path: str | os.PathLike[str],
    encoder: Encoder,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    params: TmScoreParams | None = None,
) -> TmScore:
    """Read a TMX and score every bilingual unit (see the module docstring).

    InputError if the file is not a readable TMX or holds no bilingual unit.
    """
    p = params or TmScoreParams()
    tmx = read_tmx(path, src_lang=src_lang, tgt_lang=tgt_lang)
    if not tmx.tus:
        langs = " and ".join(x for x in (tmx.src_lang, tmx.tgt_lang) if x)
        raise InputError(f"no bilingual unit ({langs}) to score", path=tmx.path, hint="is it an empty memory?")
    src = [clean_text(tu.src)[0] for tu in tmx.tus]
    tgt = [clean_text(tu.tgt)[0] for tu in tmx.tus]
    n = len(src)
    qp = QualityParams(low_score=p.threshold)
    checks = _TextChecks((tmx.path, (tmx.src_lang, tmx.tgt_lang), src, tgt, qp), _parallel(n, p))
    try:
        ap = AlignParams()
        x = _prepare_in_place(_encode(encoder, src, p.chunk), ap, p.chunk)
        y = _prepare_in_place(_encode(encoder, tgt, p.chunk), ap, p.chunk)
        m = _measure(x, y, [len(t) for t in src], [len(t) for t in tgt], ap, src_texts=src, tgt_texts=tgt,
                     search=p.search(), prepared=True, misplaced_margin=p.misplaced_margin)
        del x, y
        scores = m.scores.copy()
        empty = np.array([not a or not b for a, b in zip(src, tgt)])
        scores[empty] = 0.0
        score_issues = _score_checks(scores, qp)  # while the text checks may still run
        text_issues = checks.result()
    finally:
        checks.cancel()
    assert m.model is not None  # there are units
    model_id = getattr(encoder, "model_id", "unknown")
    search = p.search().describe(n)
    sig = (f"{signature(model_id, ap)}|tm-score:threshold={p.threshold},margin={p.misplaced_margin},"
           f"min={p.misplaced_min}" + ("" if search == "exact" else f",search={search}"))
    norm = m.model.sim.normalise
    tuid_of = lambda k: tmx.tus[k].tuid or f"#{k + 1}"  # noqa: E731
    maybe_misplaced = _misplaced_candidates(m, norm, p)
    own_norm = norm(m.own)
    units = []
    for k, tu in enumerate(tmx.tus):
        issues = {**score_issues[k], **text_issues.get(k, {})}
        issues = {c: issues[c] for c in FLAGS if c in issues}  # check_beads' order
        if WRONG_LANGUAGE in text_issues.get(k, {}):
            issues[WRONG_LANGUAGE] = text_issues[k][WRONG_LANGUAGE]
        if empty[k]:
            issues["low-score"] = f"the {'source' if not src[k] else 'target'} is empty"
        if maybe_misplaced[k] and (detail := _misplaced(k, m, norm, p, tuid_of)):
            issues["misplaced"] = detail
        units.append(ScoredTU(k, tu, float(round(scores[k], 4)), tuple(issues), issues, float(own_norm[k]),
                              _alignment_score(tu)))
    sim_stats = m.model.sim
    length = m.model.length
    stats = {"mu0": sim_stats.mu0, "sd0": sim_stats.sd0, "mu1": sim_stats.mu1,
             "separation": sim_stats.separation, "length_ratio": length.c, "length_s2": length.s2,
             "pairs_compared": float(m.compared)}
    warnings = []
    if n < 10:
        warnings.append(f"only {n} units: the similarity scale and length model are rough, "
                        "scores are less reliable than on a larger memory")
    if n > p.exact_max:
        warnings.append(f"{n:,} units: each was compared exactly with the {p.window:,} units either side of it and "
                        "approximately with the rest (an inverted file): a target copied from far away may be missed")
    if tmx.skipped:
        warnings.append(f"{tmx.skipped} units lack a {tmx.src_lang} or {tmx.tgt_lang} side: not scored, kept as they are")
    return TmScore(tmx, units, model_id, sig, p, stats, tuple(warnings), (src, tgt))


# --------------------------------------------------------------------------- outputs


def _alignment_score(tu: TU) -> float | None:
    """The unit's ``x-alignment-score`` (the aligner's, on its own scale), or None when it has none or not a number."""
    raw = tu.props.get(ALIGNMENT_SCORE_PROP)
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and np.isfinite(value) else None


def write_scored_tmx(result: TmScore, out_path: str | os.PathLike[str]) -> int:
    """Write the input TMX again with ``x-tm-score`` and ``x-tm-flags`` props on every scored unit.

    The aligner's ``x-alignment-score`` and ``x-flags`` are left as they were:
    this score is on another scale (a unit read alone, not a posterior over a
    document's paths), so it is written beside them, never over them. Everything
    else (header, other props, notes, inline codes, units without both
    languages) is kept too; an earlier ``x-tm-flags`` is replaced (and removed
    where nothing is flagged now). Returns the units scored.
    """
    props = [{TM_SCORE_PROP: f"{u.score:.3f}", TM_FLAGS_PROP: ",".join(u.flags) or None} for u in result.units]
    return write_tmx_props(result.tmx, props, out_path)


def _key(text: str) -> str:
    return " ".join(text.split())


def duplicate_units(src: Sequence[str], tgt: Sequence[str], limit: int = MAX_LISTED) -> dict:
    """Units repeated as they are, and sources translated more than one way (unit numbers from 1).

    ``exact``: groups of units with the same source and target (whitespace
    aside): copies a TM tool would merge; ``inconsistent``: sources with more
    than one distinct target, which a translator should settle (or which are
    context-dependent on purpose). Both listed largest first, at most ``limit``
    groups; the counts are of all.
    """
    pairs: dict[tuple[str, str], list[int]] = {}
    by_src: dict[str, dict[str, list[int]]] = {}
    for k, (a, b) in enumerate(zip(src, tgt, strict=True)):
        ka, kb = _key(a), _key(b)
        if not ka or not kb:
            continue
        pairs.setdefault((ka, kb), []).append(k)
        by_src.setdefault(ka, {}).setdefault(kb, []).append(k)
    exact = sorted((units for units in pairs.values() if len(units) > 1), key=lambda u: (-len(u), u[0]))
    mixed = sorted(((a, t) for a, t in by_src.items() if len(t) > 1),
                   key=lambda at: (-sum(len(u) for u in at[1].values()), min(min(u) for u in at[1].values())))
    return {
        "exact_groups": len(exact),
        "exact_copies": sum(len(u) - 1 for u in exact),
        "inconsistent_sources": len(mixed),
        "exact": [{"units": [k + 1 for k in units], "src": src[units[0]], "tgt": tgt[units[0]]} for units in exact[:limit]],
        "inconsistent": [
            {"src": src[min(min(u) for u in targets.values())],
             "targets": [{"tgt": tgt[units[0]], "units": [k + 1 for k in units]}
                         for units in sorted(targets.values(), key=lambda u: (-len(u), u[0]))]}
            for _, targets in mixed[:limit]
        ],
    }


#: A unit's side "looks like" the other language when that language's score is at least this ...
_LANG_MIN = 0.25
#: ... and this many times its own language's (plus a little), over at least ``_LANG_WORDS`` words.
_LANG_RATIO = 2.0
_LANG_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+")
#: Letters only Vietnamese writes among the profiled languages (``reading.langid``'s own list).
_VI_LETTERS = frozenset("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉĩịọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")


@functools.cache
def _pair_profile(a: str, b: str) -> dict[str, tuple[float, float]]:
    """Function words of languages ``a`` and ``b``, each with its weight for ``a`` and for ``b``.

    The weights of ``reading.langid.language_scores`` (a word shared by k
    language families counts 1/k for each), for two languages only: a unit's
    check then costs one pass over its words, not one per profiled language.
    """
    owners: dict[str, set[str]] = {}
    for lang, words in STOPWORDS.items():
        for w in words:
            owners.setdefault(w, set()).add(lang)
    out = {}
    for w, langs in owners.items():
        families: list[str] = []  # one language per family among the word's owners
        for x in sorted(langs):
            if not any(same_family(x, f) for f in families):
                families.append(x)
        weight = 1 / len(families)
        wa, wb = (weight if a in langs else 0.0), (weight if b in langs else 0.0)
        if wa or wb:
            out[w] = (wa, wb)
    return out


def _two_scores(text: str, a: str, b: str) -> tuple[float, float, int]:
    """``language_scores(text)`` for ``a`` and ``b`` only (Vietnamese's own letters included), and the word count."""
    words = _WORD.findall(text.lower())
    n = len(words)
    if not n:
        return 0.0, 0.0, 0
    profile = _pair_profile(a, b)
    sa = sb = 0.0
    for w in words:
        hit = profile.get(w)
        if hit is not None:
            sa += hit[0]
            sb += hit[1]
    sa, sb = sa / n, sb / n
    if "vi" in (a, b):
        vi = sum(1 for w in words if not _VI_LETTERS.isdisjoint(w)) / n
        sa, sb = (max(sa, vi), sb) if a == "vi" else (sa, max(sb, vi))
    return sa, sb, n


def _unit_language(src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
    """What is wrong with a unit's languages, or None: an untranslated target, or a side in the other language.

    Units are sentences, too short for ``detect_language``'s verdict (30 words);
    what can be told from a sentence is narrower: whether a side reads as the
    *other* side's language far more than as its own (function words, and
    Vietnamese's own letters), which is what a unit left untranslated or with
    its sides swapped looks like.
    """
    if len(src.split()) >= 3 and _key(src).casefold() == _key(tgt).casefold():
        return "the target is the source unchanged: not translated?"
    want_s, want_t = base_language(src_lang), base_language(tgt_lang)
    if want_s not in NAMES or want_t not in NAMES or same_family(want_s, want_t):
        return None
    for text, own, other, side in ((tgt, want_t, want_s, "target"), (src, want_s, want_t, "source")):
        s_own, s_other, n = _two_scores(text, own, other)
        if n >= _LANG_WORDS and s_other >= _LANG_MIN and s_other > _LANG_RATIO * s_own + 0.05:
            what = "not translated?" if side == "target" else "sides swapped?"
            return f"the {side} reads as {NAMES[other]} ({other}), not {NAMES[own]} ({own}): {what}"
    return None


def language_checks(src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str,
                    limit: int = MAX_LISTED, *, found: dict[int, str] | None = None) -> dict:
    """The memory's languages: each side as a whole against its declared language, and unit by unit.

    ``sides``: ``language_mismatch`` on a sample of each side (a memory whose
    languages are swapped or mislabelled); ``units``: the units a reader should
    look at (``_unit_language``), unit numbers from 1, at most ``limit``; ``problems``
    counts them all. ``found``: the units' problems by position when they are known
    already (``score_tmx`` flags them ``wrong-language``), so they are not looked for twice.
    """
    step = max(1, len(src) // 2000)
    sides = {
        side: {"declared": lang, "problem": language_mismatch("\n".join(texts[::step]), lang) if lang else None}
        for side, texts, lang in (("source", src, src_lang), ("target", tgt, tgt_lang))
    }
    if found is None:
        found = {k: p for k, (a, b) in enumerate(zip(src, tgt, strict=True))
                 if (p := _unit_language(a, b, src_lang, tgt_lang))}
    units = [{"unit": k + 1, "problem": found[k], "src": src[k], "tgt": tgt[k]} for k in sorted(found)[:limit]]
    return {"sides": sides, "problems": len(found), "units": units}


def _histogram(values: Sequence[float]) -> list[int]:
    counts, _ = np.histogram(np.clip(np.asarray(values, dtype=float), 0, 1), bins=np.linspace(0.0, 1.0, 21))
    return [int(c) for c in counts]


def score_report_json(result: TmScore) -> dict:
    """The TM health report as plain JSON-ready data: what the JSON file holds and the HTML page is drawn from.

    ``suspects``: every flagged unit, worst first (unit numbers from 1), each with
    this score and the aligner's ``x-alignment-score`` if it had one;
    ``distribution``: both scores in 20 bins; ``duplicates`` and ``languages``
    (``duplicate_units``, ``language_checks``).
    """
    flags = Counter(c for u in result.units for c in u.flags)
    suspects = result.suspects()
    scores = [u.score for u in result.units]
    original = [u.alignment_score for u in result.units if u.alignment_score is not None]
    src, tgt = result.texts if result.texts is not None else (
        [clean_text(u.tu.src)[0] for u in result.units], [clean_text(u.tu.tgt)[0] for u in result.units])
    dupes = duplicate_units(src, tgt)
    langs = language_checks(src, tgt, result.tmx.src_lang, result.tmx.tgt_lang,
                            found={u.position: u.issues[WRONG_LANGUAGE] for u in result.units if WRONG_LANGUAGE in u.issues})
    threshold = result.params.threshold
    disagree = sum(1 for u in result.units if u.alignment_score is not None and u.alignment_score >= AGREE_HIGH
                   and u.score < threshold)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tmx": result.tmx.path,
        "src_lang": result.tmx.src_lang,
        "tgt_lang": result.tmx.tgt_lang,
        "signature": result.signature,
        "model_id": result.model_id,
        "params": dataclasses.asdict(result.params),
        "stats": result.stats,
        "warnings": list(result.warnings),
        "props": {"score": TM_SCORE_PROP, "flags": TM_FLAGS_PROP, "aligner_score": ALIGNMENT_SCORE_PROP},
        "summary": {
            "units": len(result.units), "suspects": len(suspects), "not_scored": result.tmx.skipped,
            "flags": dict(sorted(flags.items())),
            "score": {"mean": float(np.mean(scores)), "median": float(np.median(scores)), "min": float(min(scores))},
            "below_threshold": sum(1 for x in scores if x < threshold),
            "with_aligner_score": len(original),
            "aligner_high_tm_low": disagree,
            "duplicates": {k: dupes[k] for k in ("exact_groups", "exact_copies", "inconsistent_sources")},
            "language_problems": langs["problems"] + sum(1 for v in langs["sides"].values() if v["problem"]),
        },
        "distribution": {"edges": [round(x, 2) for x in np.linspace(0.0, 1.0, 21)], "tm_score": _histogram(scores),
                         "aligner_score": _histogram(original) if original else None},
        "suspects": [
            {"unit": u.position + 1, "tuid": u.tu.tuid, "score": u.score, "aligner_score": u.alignment_score,
             "similarity": round(u.similarity, 3), "flags": list(u.flags), "issues": u.issues, "src": u.tu.src,
             "tgt": u.tu.tgt, "document": u.tu.props.get("x-document")}
            for u in suspects
        ],
        "duplicates": dupes,
        "languages": langs,
    }


def _page_rows(result: TmScore) -> list[dict]:
    """The table's rows: flagged units worst first, then at most ``MAX_CLEAN_ROWS`` clean ones, lowest first
    (``MAX_REPORT_ROWS`` in all); the page keeps to its own row limit on top."""
    flagged = sum(1 for u in result.units if u.flags)
    shown = sorted(result.units, key=lambda u: (not u.flags, u.score, u.position))
    shown = shown[: min(flagged + MAX_CLEAN_ROWS, MAX_REPORT_ROWS)]
    return [{"unit": u.position + 1, "tuid": u.tu.tuid, "score": u.score, "aligner_score": u.alignment_score,
             "flags": list(u.flags), "issues": dict(u.issues), "src": u.tu.src, "tgt": u.tu.tgt,
             "document": u.tu.props.get("x-document")} for u in shown]


def write_score_report(
    result: TmScore,
    html_path: str | os.PathLike[str] | None = None,
    json_path: str | os.PathLike[str] | None = None,
    *,
    scored_tmx: str | os.PathLike[str] | None = None,
) -> dict:
    """Write the TM health report: the HTML page and/or its JSON (``score_report_json``); return the JSON data.

    The page (``render_tm_report``) holds the summary of every unit, the score
    distribution, the suspects worst first (then the lowest clean units, at most
    ``MAX_CLEAN_ROWS``; the page keeps to its own row limit), duplicates and
    language checks. ``scored_tmx`` (the TMX written with every unit's score and
    flags) is named on a page that shows only some rows.
    """
    data = score_report_json(result)
    if json_path is not None:
        atomic_write(json_path, json_text(data))
    if html_path is not None:
        full_table = [] if scored_tmx is None else [_relative(scored_tmx, html_path)]
        page = {**data, "rows": _page_rows(result), "scores": [u.score for u in result.units],
                "aligner_scores": [u.alignment_score for u in result.units if u.alignment_score is not None],
                "legend": {**{c: {"title": f.title, "explanation": f.explanation} for c, f in FLAGS.items()
                              if c in TM_FLAGS},
                           "misplaced": {"title": "Misplaced?", "explanation": MISPLACED_EXPLANATION},
                           WRONG_LANGUAGE: {"title": "Wrong language?", "explanation": WRONG_LANGUAGE_EXPLANATION}}}
        atomic_write(html_path, render_tm_report(page, full_table=full_table))
    return data


def _relative(path: str | os.PathLike[str], page: str | os.PathLike[str]) -> str:
    """``path`` as the page names it: its name when beside the page, else as given."""
    p = Path(path)
    return p.name if p.resolve().parent == Path(page).resolve().parent else os.fspath(path)
