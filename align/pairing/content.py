"""Content evidence: how much of two documents translates each other, from the sentence vectors.

The alignment embeds every content segment anyway, and through the same
``Encoder`` (and its cache) the pairing uses, so the vectors computed here are
the ones ``align corpus`` reads back from the cache: pairing embeds nothing
twice.

* **Candidates** come from a document vector: the mean of its sentence
  vectors, less the mean document vector of its side (a multilingual model
  puts every news article of a language near every other: raw cosines of
  unrelated documents are 0.94 with e5-small, centred ones 0.4), unit length.
* **The score** of a candidate pair is measured on the sentences, because
  another version of the same story (a few paragraphs more or less, a byline
  added) has nearly the same document vector as the translation itself. A
  sentence's match counts by how far its cosine rises above the sentence's
  *background* (the mean and spread of its cosines with a random sample of
  the other side's sentences: from ``background_z`` spreads above the mean,
  fully ``sentence_scale`` spreads further), sentences are matched
  one to one (``linear_sum_assignment`` on the pair's sentence matrix), and
  the matched characters are divided by the longer document's: a shorter
  version leaves the original's extra paragraphs unmatched, a longer one
  brings unmatched lines of its own. On the NTREX dev set (123 news
  documents, e5-small) a translation scores 0.54-0.97 (median 0.82), the best
  unrelated document at most 0.28, and the full translation beats the other
  version of the same story in all 118 stories.
* **Anchors** (numbers, URLs, capitalised names, diacritics folded) shared,
  weighted by rarity, and **length** (the character ratio against the
  corpus' usual ratio) add a little: they carry the decision when the encoder
  is weak (the hashed test encoder) and break near ties.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from align.core.lexical import fold
from align.embedding import Encoder

_NUMBER = re.compile(r"\d(?:[\d.,:/\-]*\d)?")
_URLISH = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NAME = re.compile(r"\b[A-ZÀ-ÝĐ][\w'’-]{2,}", re.UNICODE)


@dataclass(frozen=True)
class ContentParams:
    """Weights and scales of the content score (see the module)."""

    sentence_weight: float = 0.8
    anchor_weight: float = 0.1
    length_weight: float = 0.1
    background_z: float = 3.0  # a sentence match starts to count this many spreads above the background mean
    sentence_scale: float = 1.0  # ... and counts fully this many spreads further
    background_sample: int = 1000  # other-side sentences a sentence's background is measured on
    length_spread: float = 0.35  # |log length ratio - usual| at which the length agreement falls to 1/e
    seed: int = 7


@dataclass
class Side:
    """One side's documents as the content score needs them."""

    sentences: list[np.ndarray]  # per document: (n_i, d) unit-length sentence vectors
    chars: list[np.ndarray]  # per document: characters of each sentence
    background: list[np.ndarray]  # per document: (2, n_i), each sentence's background mean and spread
    doc: np.ndarray  # (n, d) centred unit document vectors
    anchors: sparse.csr_matrix  # (n, vocabulary) idf-weighted unit rows
    length: np.ndarray  # characters per document


def anchors_of(text: str) -> set[str]:
    """Numbers (digits only: ``1.000`` and ``1,000`` meet), URL hosts and paths, and capitalised names, folded."""
    out = set()
    for m in _URLISH.finditer(text):
        out.add("u:" + fold(m.group(0)).split("://")[-1].rstrip("/.,;"))
    clean = _URLISH.sub(" ", text)
    for m in _NUMBER.finditer(clean):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 2 or m.group(0) != digits:
            out.add("n:" + digits)
    for m in _NAME.finditer(clean):
        out.add("w:" + fold(m.group(0)))
    return out


def doc_vectors(sentences: Sequence[np.ndarray], dim: int) -> np.ndarray:
    """Centred, unit-length mean sentence vectors (a document without sentences: zeros)."""
    out = np.zeros((len(sentences), dim), dtype=np.float32)
    for i, v in enumerate(sentences):
        if len(v):
            out[i] = v.mean(axis=0)
    full = np.linalg.norm(out, axis=1) > 0
    if full.any():
        out[full] -= out[full].mean(axis=0)
    norms = np.linalg.norm(out, axis=1)
    out[norms > 0] /= norms[norms > 0, None]
    return out


def embed_side(encoder: Encoder, docs: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Sentence vectors of every document, in one call (the encoder batches and caches)."""
    flat = [t for d in docs for t in d]
    vecs = encoder.encode(flat) if flat else np.zeros((0, encoder.dim), dtype=np.float32)
    vecs = np.asarray(vecs, dtype=np.float32)
    out, pos = [], 0
    for d in docs:
        out.append(vecs[pos : pos + len(d)])
        pos += len(d)
    return out


def _backgrounds(sentences: list[np.ndarray], other: list[np.ndarray], p: ContentParams) -> list[np.ndarray]:
    """Each sentence's background: ``(mean, spread)`` of its cosines with a sample of the other side's sentences.

    Mean and standard deviation, not the best few cosines: the sample may hold
    the sentence's own translation and its copies in other versions of the
    story, and a small archive gives too few sentences for a high rank to mean
    the same as in a large one. Returned stacked: row 0 the mean, row 1 the spread.
    """
    pool = [v for v in other if len(v)]
    if not pool:
        return [np.zeros((2, len(v)), dtype=np.float32) + [[0.0], [1.0]] for v in sentences]
    allv = np.concatenate(pool)
    rng = np.random.default_rng(p.seed)
    sample = allv[rng.choice(len(allv), min(len(allv), p.background_sample), replace=False)].astype(np.float64)
    # mean and variance of v . s over the sample without the (sentences x sample) products:
    # E[v.s] = v . E[s], E[(v.s)^2] = v^T E[s s^T] v
    first = sample.mean(axis=0).astype(np.float32)
    second = (sample.T @ sample / len(sample)).astype(np.float32)
    mine = [v for v in sentences if len(v)]
    if not mine:
        return [np.zeros((2, 0), dtype=np.float32) for _ in sentences]
    mine_v = np.concatenate(mine)  # one product for the side: small ones pay the BLAS start-up each
    mean = mine_v @ first
    var = np.einsum("ij,ij->i", mine_v @ second, mine_v) - mean**2
    both = np.stack([mean, np.sqrt(np.maximum(var, 1e-6))]).astype(np.float32)
    out, pos = [], 0
    for v in sentences:
        out.append(both[:, pos : pos + len(v)])
        pos += len(v)
    return out


def _anchor_matrix(src: list[set[str]], tgt: list[set[str]]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Rows of idf weights (document frequency over both sides), unit length."""
    vocab: dict[str, int] = {}
    df: list[int] = []
    for docs in (src, tgt):
        for a in docs:
            for w in a:
                j = vocab.setdefault(w, len(df))
                if j == len(df):
                    df.append(0)
                df[j] += 1
    n = len(src) + len(tgt)
    idf = np.log((n + 1) / (np.asarray(df, dtype=np.float64) + 1)) + 0.01 if df else np.zeros(0)

    def build(docs: list[set[str]]) -> sparse.csr_matrix:
        rows = [i for i, a in enumerate(docs) for _ in a]
        cols = [vocab[w] for a in docs for w in a]
        m = sparse.csr_matrix((idf[cols] if cols else [], (rows, cols)), shape=(len(docs), len(vocab)))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)

    return build(src), build(tgt)


def prepare(src_sents: list[np.ndarray], tgt_sents: list[np.ndarray], src_texts: Sequence[Sequence[str]],
            tgt_texts: Sequence[Sequence[str]], p: ContentParams) -> tuple[Side, Side]:
    """Both sides' features, from their sentence vectors and texts."""
    dim = next((v.shape[1] for v in (*src_sents, *tgt_sents) if v.ndim == 2), 1)
    sa, ta = _anchor_matrix([anchors_of("\n".join(t)) for t in src_texts], [anchors_of("\n".join(t)) for t in tgt_texts])
    sides = []
    for sents, other, texts, anch in ((src_sents, tgt_sents, src_texts, sa), (tgt_sents, src_sents, tgt_texts, ta)):
        chars = [np.array([len(t) for t in d], dtype=np.float64) for d in texts]
        sides.append(Side(sents, chars, _backgrounds(sents, other, p), doc_vectors(sents, dim), anch,
                          np.array([c.sum() for c in chars], dtype=np.float64)))
    return sides[0], sides[1]


def usual_ratio(src: Side, tgt: Side) -> float:
    """The corpus' usual log length ratio (source / target): the difference of the median log lengths."""
    a, b = src.length[src.length > 0], tgt.length[tgt.length > 0]
    if not len(a) or not len(b):
        return 0.0
    return float(np.median(np.log(a)) - np.median(np.log(b)))


def sentence_score(src: Side, tgt: Side, i: int, j: int, p: ContentParams) -> float:
    """Matched characters of documents ``i`` and ``j`` (sentences one to one, above background) over the longer's."""
    a, b = src.sentences[i], tgt.sentences[j]
    if not len(a) or not len(b):
        return 0.0
    bs, bt = src.background[i], tgt.background[j]
    mean = (bs[0][:, None] + bt[0][None, :]) / 2
    spread = (bs[1][:, None] + bt[1][None, :]) / 2
    w = np.clip((a @ b.T - mean - p.background_z * spread) / (p.sentence_scale * spread), 0.0, 1.0)
    r, c = linear_sum_assignment(w, maximize=True)
    la, lb = src.chars[i], tgt.chars[j]
    matched = float(((la[r] + lb[c]) / 2 * w[r, c]).sum())
    return matched / max(float(la.sum()), float(lb.sum()), 1.0)


@dataclass(frozen=True)
class ContentScore:
    """The content score of one candidate pair and its parts."""

    score: float
    sentences: float
    anchors: float
    length: float

    def describe(self) -> str:
        return f"content {self.score:.3f} (sentences {self.sentences:.2f}, anchors {self.anchors:.2f}, length {self.length:.2f})"


def score_pairs(src: Side, tgt: Side, rows: np.ndarray, cols: np.ndarray, p: ContentParams) -> list[ContentScore]:
    """The content score of every candidate pair ``(rows[k], cols[k])``."""
    mu = usual_ratio(src, tgt)
    out = []
    shared = np.asarray(src.anchors[rows].multiply(tgt.anchors[cols]).sum(axis=1)).ravel() if len(rows) else np.zeros(0)
    for i, j, a in zip(rows.tolist(), cols.tolist(), shared.tolist()):
        s = sentence_score(src, tgt, i, j, p)
        la, lb = src.length[i], tgt.length[j]
        ln = math.exp(-abs(math.log(la / lb) - mu) / p.length_spread) if la > 0 and lb > 0 else 0.0
        total = p.sentence_weight * s + p.anchor_weight * a + p.length_weight * ln
        out.append(ContentScore(total, s, a, ln))
    return out


def shared_text(side: Side, i: int, j: int, same: float = 0.9) -> float:
    """How much two documents of one side share nearly verbatim (sentences at cosine >= ``same``, by characters)."""
    a, b = side.sentences[i], side.sentences[j]
    if not len(a) or not len(b):
        return 0.0
    w = (a @ b.T >= same).astype(np.float64)
    r, c = linear_sum_assignment(w, maximize=True)
    la, lb = side.chars[i], side.chars[j]
    return float(((la[r] + lb[c]) / 2 * w[r, c]).sum()) / max(float(la.sum()), float(lb.sum()), 1.0)
