"""Evaluation runs: align folders of (src.txt, tgt.txt, gold.txt) and score the beads against the gold.

Each document folder holds one segment per line on each side and its gold
beads; every folder is aligned with ``align_segments``, scored by the rules of
``align.tools.gold`` (micro-averaged strict and lax precision, recall, F1, as
Bertalign and Vecalign score), and set beside its *ceiling* (the best strict
F1 any monotone aligner could reach on that gold, ``align.tools.ceiling``) and
the precision of the beads by score (what filtering a TMX on the score buys).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from align.common.errors import InputError, OutputError
from align.core.aligner import AlignParams, align_segments, signature
from align.embedding import Encoder
from align.reading.decode import read_utf8
from align.tools.ceiling import ceiling_path
from align.tools.gold import BeadPair, Counts, Scores, bead_set, count_doc, format_beads, ratio, read_beads

#: Bead-score thresholds at which the precision of beads is reported.
THRESHOLDS = (0.5, 0.7, 0.9)

# ---------------------------------------------------------------- evaluation runs


class CountingEncoder:
    """An encoder that counts the distinct texts each document asks to embed (segments and merged windows alike).

    What ``texts embedded ÷ segments`` reports: the cost of an alignment in
    model calls, whatever a cache then saves. A text asked for twice in one
    document (a window the reorder round asks for again) reaches the model
    once, as ``Encoder.encode`` memoises it; ``document()`` starts a new count.
    """

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.texts = 0
        self._seen: set[str] = set()

    @property
    def model_id(self) -> str:
        return str(getattr(self.inner, "model_id", "unknown"))

    def document(self) -> None:
        """The next texts are another document's: each counts again, once."""
        self._seen.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        new = set(texts) - self._seen
        self.texts += len(new)
        self._seen |= new
        out: np.ndarray = self.inner.encode(list(texts))
        return out


@dataclass(frozen=True)
class DocResult:
    """One document of an evaluation run."""

    name: str
    n_src: int
    n_tgt: int
    counts: Counts
    seconds: float
    ceiling: Counts | None = None  # counts of the monotone path with the best strict F1 (``ceiling_path``)
    embedded: int = 0  # texts the alignment asked the encoder to embed (segments and merged windows)


@dataclass(frozen=True)
class EvalResult:
    """An evaluation run: per-document counts, totals, and precision by bead score.

    ``by_threshold`` maps a score threshold to ``(beads scoring >= it, of which
    correct)``, correct meaning a strict match with a gold bead: it tells a user
    what filtering a TMX on the score buys.
    """

    sets: dict[str, tuple[DocResult, ...]]
    signature: str
    seconds: float
    by_threshold: dict[str, dict[float, tuple[int, int]]] = field(default_factory=dict)

    def scores(self, name: str | None = None) -> Scores:
        docs = self.all_docs() if name is None else self.sets[name]
        total = Counts()
        for d in docs:
            total = total + d.counts
        return Scores(total)

    def all_docs(self) -> tuple[DocResult, ...]:
        return tuple(d for docs in self.sets.values() for d in docs)

    def ceiling(self, name: str | None = None) -> Scores | None:
        """Scores of the monotone path with the best strict F1, same bead types (None if not measured)."""
        docs = self.all_docs() if name is None else self.sets[name]
        if not docs or any(d.ceiling is None for d in docs):
            return None
        total = Counts()
        for d in docs:
            total = total + d.ceiling  # type: ignore[operator]
        return Scores(total)


def find_doc_dirs(root: str | os.PathLike) -> list[Path]:
    """Every folder under ``root`` (itself included) holding src.txt, tgt.txt and gold.txt, sorted."""
    root = Path(root)
    if not root.is_dir():
        raise InputError("not a folder", path=str(root))
    found = [p.parent for p in root.rglob("gold.txt") if (p.parent / "src.txt").is_file() and (p.parent / "tgt.txt").is_file()]
    return sorted(set(found))


def _read_lines(path: Path) -> list[str]:
    lines = read_utf8(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines]


def _check_gold(gold: list[BeadPair], n_src: int, n_tgt: int, path: Path) -> None:
    for s, t in gold:
        if any(i >= n_src for i in s) or any(j >= n_tgt for j in t):
            raise InputError(f"gold bead {list(s)}:{list(t)} points past the end of src.txt/tgt.txt", path=str(path))


def evaluate_dirs(
    dirs: Sequence[str | os.PathLike],
    encoder: Encoder,
    params: AlignParams | None = None,
    beads_dir: str | os.PathLike | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    *,
    swap: bool = False,
) -> EvalResult:
    """Align every document folder under ``dirs`` (one segment per line) and score it.

    ``src_lang``/``tgt_lang`` pick the segmenter that counts the sentences of a
    line (guessed per document when not given; see ``align_segments``).

    Each DIR becomes one set in the result (named by its folder name); the
    predicted beads are written to ``beads_dir/<set>/<doc>.txt`` when asked.

    With ``swap`` each pair is aligned the other way round: ``tgt.txt`` is the
    source, the gold's sides are swapped with it, and each set is named
    ``<set>-swapped`` (its beads are written as aligned, ``tgt.txt``'s lines
    first). Nothing in an alignment should depend on which side is called the
    source (a TM manager aligns in the direction of the TM, whichever side
    holds a page's noise), so a set that scores lower swapped shows an
    asymmetry in the aligner, not in the data.
    """
    suffix = "-swapped" if swap else ""
    if swap:
        src_lang, tgt_lang = tgt_lang, src_lang
    params = params or AlignParams()
    types = params.bead_types()  # the ceiling uses the aligner's own bead types
    counting = CountingEncoder(encoder)
    t_all = time.perf_counter()
    sets: dict[str, tuple[DocResult, ...]] = {}
    by_thr: dict[str, dict[float, tuple[int, int]]] = {}
    for d in dirs:
        root = Path(d)
        docs = find_doc_dirs(root)
        if not docs:
            raise InputError("no folder with src.txt, tgt.txt and gold.txt", path=str(root))
        set_name = root.resolve().name + suffix
        if set_name in sets:
            set_name = str(root) + suffix
        results: list[DocResult] = []
        thr = {t: [0, 0] for t in THRESHOLDS}
        for doc in docs:
            src = _read_lines(doc / "src.txt")
            tgt = _read_lines(doc / "tgt.txt")
            gold = read_beads(doc / "gold.txt")
            _check_gold(gold, len(src), len(tgt), doc / "gold.txt")
            if swap:
                src, tgt, gold = tgt, src, [(t, s) for s, t in gold]
            t0 = time.perf_counter()
            before = counting.texts
            counting.document()
            beads = align_segments(src, tgt, counting, params=params, src_lang=src_lang, tgt_lang=tgt_lang)
            secs = time.perf_counter() - t0
            pred = [(b.src, b.tgt) for b in beads]
            counts = count_doc(pred, gold)
            gold_set = bead_set(gold)
            for b in beads:
                for t in THRESHOLDS:
                    if b.score >= t:
                        thr[t][0] += 1
                        thr[t][1] += (b.src, b.tgt) in gold_set
            rel = doc.relative_to(root).as_posix() if doc != root else doc.name
            best = ceiling_path(gold, len(src), len(tgt), types)
            results.append(
                DocResult(rel, len(src), len(tgt), counts, secs, count_doc(best, gold), counting.texts - before)
            )
            if beads_dir is not None:
                _write_beads(Path(beads_dir) / set_name / (rel.replace("/", "__") + ".txt"), pred)
        sets[set_name] = tuple(results)
        by_thr[set_name] = {t: (v[0], v[1]) for t, v in thr.items()}
    sig = signature(getattr(encoder, "model_id", "unknown"), params)
    return EvalResult(sets, sig, time.perf_counter() - t_all, by_thr)


def _write_beads(path: Path, beads: list[BeadPair]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(format_beads(beads), encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write beads: {e.strerror or e}", path=str(path)) from e


def format_result(result: EvalResult, per_doc: bool = False) -> str:
    """A plain-text table: one row per set (and per document when asked), then the signature."""
    head = f"{'set':<28}{'docs':>6}{'segs':>8}  {'strict P':>8} {'R':>6} {'F1':>6}  {'lax P':>6} {'R':>6} {'F1':>6}{'sec':>8}"
    lines = [head, "-" * len(head)]

    def row(name: str, n_docs: int, n_seg: int, s: Scores, secs: float) -> str:
        return (
            f"{name[:27]:<28}{n_docs:>6}{n_seg:>8}  {s.strict_p:>8.4f} {s.strict_r:>6.4f} {s.strict_f1:>6.4f}"
            f"  {s.lax_p:>6.4f} {s.lax_r:>6.4f} {s.lax_f1:>6.4f}{secs:>8.2f}"
        )

    for name, docs in result.sets.items():
        if per_doc:
            for d in docs:
                lines.append(row("  " + d.name, 1, d.n_src + d.n_tgt, Scores(d.counts), d.seconds))
        lines.append(
            row(name, len(docs), sum(d.n_src + d.n_tgt for d in docs), result.scores(name), sum(d.seconds for d in docs))
        )
    if len(result.sets) > 1:
        docs = result.all_docs()
        lines.append(row("all", len(docs), sum(d.n_src + d.n_tgt for d in docs), result.scores(), sum(d.seconds for d in docs)))
    lines.append("")
    lines.append("precision of beads by score (strict matches / beads scoring >= t):")
    for name, thr in result.by_threshold.items():
        cells = "  ".join(f">={t:.1f}: {ratio(c, n):.4f} ({c}/{n})" for t, (n, c) in sorted(thr.items()))
        lines.append(f"  {name[:26]:<26} {cells}")
    lines.append("")
    lines.append("texts embedded / segments (merged windows included; the cost in model calls):")
    for name, docs in result.sets.items():
        segs = sum(d.n_src + d.n_tgt for d in docs)
        lines.append(f"  {name[:26]:<26} {ratio(sum(d.embedded for d in docs), segs):.3f}")
    lines.append("")
    lines.append("monotone ceiling (best strict F1 of any monotone alignment with these bead types; moved pairs can pass it):")
    for name in result.sets:
        c = result.ceiling(name)
        if c is not None:
            lines.append(f"  {name[:26]:<26} {c.strict_f1:.4f}")
    lines.append("")
    lines.append(f"signature: {result.signature}")
    lines.append(f"wall time: {result.seconds:.2f} s")
    return "\n".join(lines)


def result_to_json(result: EvalResult) -> dict:
    """The result as plain JSON-able data (counts kept, so totals can be recomputed)."""
    out: dict = {"signature": result.signature, "seconds": round(result.seconds, 3), "sets": {}}
    for name, docs in result.sets.items():
        s = result.scores(name)
        out["sets"][name] = {
            "docs": len(docs),
            "segments": sum(d.n_src + d.n_tgt for d in docs),
            "seconds": round(sum(d.seconds for d in docs), 3),
            "scores": s.as_dict(),
            "counts": vars(s.counts).copy(),
            "embedded_per_segment": round(ratio(sum(d.embedded for d in docs), sum(d.n_src + d.n_tgt for d in docs)), 6),
            "ceiling_strict_f1": (round(c.strict_f1, 6) if (c := result.ceiling(name)) is not None else None),
            "precision_by_score": {
                f"{t:.1f}": {"beads": n, "correct": c, "precision": round(ratio(c, n), 6)}
                for t, (n, c) in sorted(result.by_threshold.get(name, {}).items())
            },
            "per_doc": [
                {"doc": d.name, "n_src": d.n_src, "n_tgt": d.n_tgt, "seconds": round(d.seconds, 3), **Scores(d.counts).as_dict()}
                for d in docs
            ],
        }
    out["total"] = result.scores().as_dict()
    return out
