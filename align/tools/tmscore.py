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

The all-pairs comparison is done in blocks (memory linear in the size), so
time grows with the square of the number of units: about 6 s for 10,000 units
on two cores (1 s for 2,000), on top of the embedding.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

import align.core.scores as sc
from align.common.atomic import atomic_write
from align.common.errors import InputError
from align.common.model import Alignment, Bead, Document, Segment
from align.core.lexical import find_anchors
from align.core.params import AlignParams, signature
from align.core.search import band_around
from align.core.side import Side
from align.core.vectors import prepare_vectors
from align.embedding import Encoder
from align.formats.report.html import render_report
from align.formats.report.payload import json_text, report_payload
from align.formats.tmx import TU, TmxFile, clean_text, read_tmx, write_tmx_props
from align.quality.flags import QualityParams, check_beads

FORMAT = "align-tm-score"
#: Unflagged units shown in the HTML report (all flagged units are shown).
MAX_CLEAN_ROWS = 2000
FORMAT_VERSION = 1
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


@dataclass(frozen=True)
class ScoredTU:
    """One bilingual unit with its score, flags and a detail line per flag."""

    position: int  # 0-based among the bilingual units of the file
    tu: TU
    score: float
    flags: tuple[str, ...]
    issues: dict[str, str]
    similarity: float  # normalised similarity of its own pair (0 unrelated, 1 typical translation)


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
    sim: np.ndarray | None = field(default=None, repr=False)  # centred cosines, kept for small memories

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
    sim: np.ndarray | None


def _measure(src_vecs, tgt_vecs, src_lens, tgt_lens, params, *, src_texts=None, tgt_texts=None, block: int = 512,
             keep_sim: int = 4_000_000) -> _Pairs:
    """Prepare the vectors as the aligner does and measure every unit's own and best-other cosines (see ``_Pairs``)."""
    params = params or AlignParams()
    n = len(src_vecs)
    if len(tgt_vecs) != n or len(src_lens) != n or len(tgt_lens) != n:
        raise ValueError("score_pairs needs as many target vectors and lengths as source vectors")
    if n == 0:
        e = np.zeros(0)
        return _Pairs(None, e, e, e, e.astype(int), e, e.astype(int), None)
    x, y = prepare_vectors(src_vecs, params), prepare_vectors(tgt_vecs, params)
    ls = np.asarray(src_lens, dtype=np.float64)
    lt = np.asarray(tgt_lens, dtype=np.float64)
    own = np.einsum("ij,ij->i", x, y).astype(np.float64)
    row_other = np.full(n, -np.inf)
    row_arg = np.full(n, -1, dtype=np.int64)
    col_other = np.full(n, -np.inf)
    col_arg = np.full(n, -1, dtype=np.int64)
    sim = np.zeros((n, n), dtype=np.float32) if n * n <= keep_sim else None
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        c = x[r0:r1] @ y.T
        if sim is not None:
            sim[r0:r1] = c
        c[np.arange(r1 - r0), np.arange(r0, r1)] = -np.inf  # not its own pair
        if n > 1:
            k = np.argmax(c, axis=1)
            row_other[r0:r1] = c[np.arange(r1 - r0), k]
            row_arg[r0:r1] = k
            kc = np.argmax(c, axis=0)
            vc = c[kc, np.arange(n)]
            better = vc > col_other
            col_other[better] = vc[better]
            col_arg[better] = kc[better] + r0
    # The aligner's document model, from a "band" holding each source's best target
    best = np.maximum(own, row_other)
    arg = np.where(own >= row_other, np.arange(n), row_arg)
    band = sc.BandMatrix(best[:, None].astype(np.float32), arg, arg + 1)
    model = sc.estimate_model(Side(x, ls), Side(y, lt), band, tail=params.len_tail)
    if params.refine:
        model = sc.refine_model(model, [(range(k, k + 1), range(k, k + 1)) for k in range(n)], Side(x, ls), Side(y, lt))
    dp = _bead_dp_scores(x, y, ls, lt, params, model, src_texts, tgt_texts)
    scores = 1.0 / (1.0 + np.exp(-dp))  # 0.5 where the bead is neutral in the aligner's scores
    return _Pairs(model, own, scores, row_other, row_arg, col_other, col_arg, sim)


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


def _tm_alignment(tmx: TmxFile, src: list[str], tgt: list[str], scores, flags=None, *, model_id: str = "",
                  signature: str = "", params: dict | None = None) -> Alignment:
    """The units of a TM as the 1-1 beads of one document pair (so the quality checks and report apply)."""

    def doc(lang: str, texts: list[str]) -> Document:
        text, segs = "", []
        for k, t in enumerate(texts):
            if k:
                text += "\n"
            segs.append(Segment(t, "sentence", 0, k, (len(text), len(text) + len(t))))
            text += t
        return Document(tmx.path, lang, text, tuple(segs))

    s, t = doc(tmx.src_lang, src), doc(tmx.tgt_lang, tgt)
    beads = tuple(
        Bead((k,), (k,), float(round(scores[k], 4)), tuple(flags[k]) if flags else ()) for k in range(len(src))
    )
    return Alignment(s, t, s.segments, t.segments, beads, model_id, params or {}, signature)


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
    src_vecs = encoder.encode(src)
    tgt_vecs = encoder.encode(tgt)
    ap = AlignParams()
    m = _measure(src_vecs, tgt_vecs, [len(t) for t in src], [len(t) for t in tgt], ap, src_texts=src, tgt_texts=tgt,
                 block=p.block)
    assert m.model is not None  # there are units
    scores = m.scores.copy()
    empty = np.array([not a or not b for a, b in zip(src, tgt)])
    scores[empty] = 0.0
    qp = QualityParams(low_score=p.threshold)
    model_id = getattr(encoder, "model_id", "unknown")
    sig = (f"{signature(model_id, ap)}|tm-score:threshold={p.threshold},margin={p.misplaced_margin},"
           f"min={p.misplaced_min}")
    al = _tm_alignment(tmx, src, tgt, scores, model_id=model_id, signature=sig)
    checks = check_beads(al, params=qp)
    norm = m.model.sim.normalise
    tuid_of = lambda k: tmx.tus[k].tuid or f"#{k + 1}"  # noqa: E731
    units = []
    for k, (tu, issues) in enumerate(zip(tmx.tus, checks, strict=True)):
        issues = dict(issues)
        if empty[k]:
            issues["low-score"] = f"the {'source' if not src[k] else 'target'} is empty"
        if detail := _misplaced(k, m, norm, p, tuid_of):
            issues["misplaced"] = detail
        units.append(ScoredTU(k, tu, float(round(scores[k], 4)), tuple(issues), issues, float(norm(m.own[k]))))
    sim_stats = m.model.sim
    length = m.model.length
    stats = {"mu0": sim_stats.mu0, "sd0": sim_stats.sd0, "mu1": sim_stats.mu1,
             "separation": sim_stats.separation, "length_ratio": length.c, "length_s2": length.s2}
    warnings = []
    if len(tmx.tus) < 10:
        warnings.append(f"only {len(tmx.tus)} units: the similarity scale and length model are rough, "
                        "scores are less reliable than on a larger memory")
    if tmx.skipped:
        warnings.append(f"{tmx.skipped} units lack a {tmx.src_lang} or {tmx.tgt_lang} side: not scored, kept as they are")
    return TmScore(tmx, units, model_id, sig, p, stats, tuple(warnings), m.sim)


# --------------------------------------------------------------------------- outputs


def write_scored_tmx(result: TmScore, out_path: str | os.PathLike[str]) -> int:
    """Write the input TMX again with ``x-alignment-score`` and ``x-flags`` props on every scored unit.

    Everything else (header, other props, notes, inline codes, units without
    both languages) is kept as it was; an earlier ``x-flags`` is replaced (and
    removed where nothing is flagged now). Returns the units scored.
    """
    props = [{"x-alignment-score": f"{u.score:.3f}", "x-flags": ",".join(u.flags) or None} for u in result.units]
    return write_tmx_props(result.tmx, props, out_path)


def score_report_json(result: TmScore) -> dict:
    """The suspect units, worst first, as plain JSON-ready data."""
    flags = Counter(c for u in result.units for c in u.flags)
    suspects = result.suspects()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tmx": result.tmx.path,
        "src_lang": result.tmx.src_lang,
        "tgt_lang": result.tmx.tgt_lang,
        "signature": result.signature,
        "params": dataclasses.asdict(result.params),
        "stats": result.stats,
        "warnings": list(result.warnings),
        "summary": {"units": len(result.units), "suspects": len(suspects), "not_scored": result.tmx.skipped,
                    "flags": dict(sorted(flags.items()))},
        "suspects": [
            {"unit": u.position + 1, "tuid": u.tu.tuid, "score": u.score, "similarity": round(u.similarity, 3),
             "flags": list(u.flags), "issues": u.issues, "src": u.tu.src, "tgt": u.tu.tgt,
             "document": u.tu.props.get("x-document")}
            for u in suspects
        ],
    }


def write_score_report(
    result: TmScore,
    html_path: str | os.PathLike[str] | None = None,
    json_path: str | os.PathLike[str] | None = None,
) -> dict:
    """Write the HTML report (the alignment report, units worst first) and/or the JSON suspect list.

    The HTML is the ordinary alignment report of the memory seen as one
    document of 1-1 beads, its table ordered worst first (flagged units by
    score, then the rest, at most ``MAX_CLEAN_ROWS`` of those, lowest first);
    the row number is the unit's position in the TMX.
    Returns the JSON data.
    """
    data = score_report_json(result)
    if json_path is not None:
        atomic_write(json_path, json_text(data))
    if html_path is not None:
        src = [clean_text(u.tu.src)[0] for u in result.units]
        tgt = [clean_text(u.tu.tgt)[0] for u in result.units]
        qp = dataclasses.asdict(QualityParams(low_score=result.params.threshold))
        al = _tm_alignment(result.tmx, src, tgt, [u.score for u in result.units], [u.flags for u in result.units],
                           model_id=result.model_id, signature=result.signature, params={"quality": qp})
        payload = report_payload(al, sim_matrix=result.sim)
        payload["title"] = "Translation memory check"
        payload["flag_legend"]["misplaced"] = {"title": "Misplaced?", "explanation": MISPLACED_EXPLANATION}
        for row, u in zip(payload["beads"], result.units, strict=True):
            row["issues"] = dict(u.issues)
        payload["beads"].sort(key=lambda b: (not b["flags"], b["score"], b["n"]))
        flagged = sum(1 for b in payload["beads"] if b["flags"])
        del payload["beads"][flagged + MAX_CLEAN_ROWS:]  # a page a browser can open; the summary counts all
        atomic_write(html_path, render_report(payload))
    return data

