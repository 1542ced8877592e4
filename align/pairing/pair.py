"""Pair the documents of a source folder with those of each target folder, one to one.

``pair_documents`` pairs two lists of documents (one target language);
``read_folder`` reads every document of a folder that the readers take, and
``pair_folders`` does both for a source folder and any number of target
folders. Evidence, strongest first:

1. **links** (``align.pairing.links``): a source and a target that name the
   same page through a key no other document holds are paired, whatever
   their content says;
2. **content** (``align.pairing.content``): candidates from the document
   vectors (``align.pairing.search``), scored on their sentences, anchors
   and lengths;

then one **global** assignment (``align.pairing.assign``) over every
candidate scoring at least ``min_score``. A content pair is kept only if
its score beats every other candidate of either document by ``min_margin``;
a competitor that is another version of the same story (the pair's own
target or source nearly verbatim, ``near_duplicate``) does not count, since
choosing the fuller version is what the score is for. Every document that
ends unpaired is listed with its best candidate and the reason: unreadable,
no candidate, margin too small, or already taken.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from align.common.errors import InputError, UsageError
from align.common.files import read_bounded
from align.common.languages import lang_from_filename
from align.embedding import Encoder
from align.pairing.assign import assign
from align.pairing.content import ContentParams, ContentScore, Side, embed_side, prepare, score_pairs, shared_text
from align.pairing.links import link_keys, unique_links
from align.pairing.search import SearchParams, candidates, describe
from align.reading import read_document

Evidence = Literal["both", "content", "links"]
#: Files a folder's documents may be (the readers' formats).
DOC_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".xhtml", ".docx", ".odt", ".pdf")
#: Added to a linked pair's score: a link outranks any content score (which is at most 1).
LINK_BONUS = 2.0


@dataclass(frozen=True)
class PairDoc:
    """One document as pairing sees it: its content segments' texts and the URL keys it names."""

    path: str
    lang: str
    texts: tuple[str, ...] = ()
    links: frozenset[str] = frozenset()
    error: str = ""  # why it could not be read ("" when it was)


@dataclass(frozen=True)
class PairParams:
    """How documents are paired (see the module)."""

    evidence: Evidence = "both"
    min_score: float = 0.3
    min_margin: float = 0.05
    near_duplicate: float = 0.5
    search: SearchParams = field(default_factory=SearchParams)
    content: ContentParams = field(default_factory=ContentParams)


@dataclass(frozen=True)
class Match:
    """A source paired with a target: indices into the pairing's lists, score, margin and evidence."""

    src: int
    tgt: int
    score: float
    margin: float
    evidence: str  # "link", "link+content" or "content"
    detail: str


@dataclass(frozen=True)
class Unpaired:
    """A document left without a counterpart, its best candidate (-1: none) and why."""

    side: Literal["src", "tgt"]
    doc: int
    best: int
    best_score: float
    reason: str


@dataclass
class Pairing:
    """The pairs of one source folder with one target language, and every document left unpaired."""

    src_lang: str
    tgt_lang: str
    src: list[PairDoc]
    tgt: list[PairDoc]
    matches: list[Match]
    unpaired: list[Unpaired]
    candidates: int = 0
    search: str = ""
    seconds: float = 0.0


@dataclass
class _Edge:
    score: float
    content: ContentScore | None = None
    keys: tuple[str, ...] = ()


def pair_documents(src: Sequence[PairDoc], tgt: Sequence[PairDoc], encoder: Encoder | None,
                   params: PairParams | None = None) -> Pairing:
    """Pair ``src`` with ``tgt`` one to one (see the module); ``encoder`` is needed unless ``evidence="links"``."""
    t0 = time.perf_counter()
    p = params or PairParams()
    if p.evidence not in ("both", "content", "links"):
        raise UsageError(f"unknown evidence {p.evidence!r}", hint="both, content or links")
    if p.evidence != "links" and encoder is None:
        raise UsageError("content evidence needs an encoder")
    src, tgt = list(src), list(tgt)
    s_ok = [i for i, d in enumerate(src) if not d.error]
    t_ok = [j for j, d in enumerate(tgt) if not d.error]
    edges: dict[tuple[int, int], _Edge] = {}
    if p.evidence != "content":
        for (a, b), keys in unique_links([src[i].links for i in s_ok], [tgt[j].links for j in t_ok]).items():
            edges[(s_ok[a], t_ok[b])] = _Edge(LINK_BONUS + 0.01 * min(len(keys), 10), None, tuple(keys))
    search = "links"
    s_side = t_side = None
    if p.evidence != "links" and s_ok and t_ok:
        assert encoder is not None
        s_vecs = embed_side(encoder, [src[i].texts for i in s_ok])
        t_vecs = embed_side(encoder, [tgt[j].texts for j in t_ok])
        s_side, t_side = prepare(s_vecs, t_vecs, [src[i].texts for i in s_ok], [tgt[j].texts for j in t_ok], p.content)
        rows, cols = candidates(s_side.doc, t_side.doc, p.search)
        search = describe(len(s_ok), len(t_ok), p.search)
        inv_s = {i: a for a, i in enumerate(s_ok)}
        inv_t = {j: b for b, j in enumerate(t_ok)}
        linked = np.array([(inv_s[i], inv_t[j]) for i, j in edges], dtype=np.int64).reshape(-1, 2)
        if len(linked):
            both = np.unique(np.concatenate([rows * len(t_ok) + cols, linked[:, 0] * len(t_ok) + linked[:, 1]]))
            rows, cols = both // len(t_ok), both % len(t_ok)
        for a, b, cs in zip(rows.tolist(), cols.tolist(), score_pairs(s_side, t_side, rows, cols, p.content)):
            key = (s_ok[a], t_ok[b])
            if key in edges:
                edges[key] = _Edge(edges[key].score + cs.score, cs, edges[key].keys)
            else:
                edges[key] = _Edge(cs.score, cs)
    chosen = _solve(edges, len(src), len(tgt), p.min_score)
    by_src: dict[int, list[tuple[float, int]]] = {}
    by_tgt: dict[int, list[tuple[float, int]]] = {}
    for (i, j), e in edges.items():
        by_src.setdefault(i, []).append((e.score, j))
        by_tgt.setdefault(j, []).append((e.score, i))
    for lst in (*by_src.values(), *by_tgt.values()):
        lst.sort(key=lambda x: (-x[0], x[1]))
    matches: list[Match] = []
    narrow: dict[tuple[str, int], tuple[int, float, float]] = {}
    near = _NearDuplicates(s_side, t_side, s_ok, t_ok, p.near_duplicate)
    for i, j in chosen:
        e = edges[(i, j)]
        rival = max(_rival(by_src[i], j, near, "tgt"), _rival(by_tgt[j], i, near, "src"))
        margin = e.score - max(rival, 0.0)
        if e.keys:
            evidence = "link+content" if e.content is not None else "link"
            detail = "link: " + ", ".join(e.keys[:3]) + (f"; {e.content.describe()}" if e.content is not None else "")
            score = e.content.score if e.content is not None else 1.0
            matches.append(Match(i, j, score, min(margin, 1.0), evidence, detail))
        elif margin < p.min_margin:
            narrow[("src", i)] = (j, e.score, margin)
            narrow[("tgt", j)] = (i, e.score, margin)
        else:
            assert e.content is not None
            matches.append(Match(i, j, e.score, margin, "content", e.content.describe()))
    taken_s = {m.src: m.tgt for m in matches}
    taken_t = {m.tgt: m.src for m in matches}
    unpaired = [*_unpaired("src", src, taken_s, by_src, taken_t, narrow, p, tgt),
                *_unpaired("tgt", tgt, taken_t, by_tgt, taken_s, narrow, p, src)]
    return Pairing(src[0].lang if src else "", tgt[0].lang if tgt else "", src, tgt, sorted(matches, key=lambda m: m.src),
                   unpaired, len(edges), search, time.perf_counter() - t0)


def _solve(edges: dict[tuple[int, int], _Edge], n: int, m: int, min_score: float) -> list[tuple[int, int]]:
    """The global assignment over the edges scoring at least ``min_score``."""
    keep = [(i, j, e.score - min_score + 1e-6) for (i, j), e in edges.items() if e.score >= min_score]
    if not keep:
        return []
    arr = np.array(keep)
    return assign(arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], n, m)


def _rival(options: list[tuple[float, int]], partner: int, near: _NearDuplicates, side: str) -> float:
    """The best score among ``options`` (documents of ``side``) other than ``partner`` and its versions."""
    for score, x in options:
        if x != partner and not near.same(side, partner, x):
            return score
    return -1.0


class _NearDuplicates:
    """Whether two documents of one side are versions of one story (memoised: asked for a few pairs only)."""

    def __init__(self, s_side: Side | None, t_side: Side | None, s_ok: list[int], t_ok: list[int], threshold: float) -> None:
        self.sides = {"src": (s_side, {i: a for a, i in enumerate(s_ok)}), "tgt": (t_side, {j: b for b, j in enumerate(t_ok)})}
        self.threshold = threshold
        self.memo: dict[tuple[str, int, int], bool] = {}

    def same(self, side: str, a: int, b: int) -> bool:
        feats, inv = self.sides[side]
        if feats is None or a not in inv or b not in inv:
            return False
        key = (side, min(a, b), max(a, b))
        if key not in self.memo:
            self.memo[key] = shared_text(feats, inv[a], inv[b]) >= self.threshold
        return self.memo[key]


def _unpaired(side: Literal["src", "tgt"], docs: list[PairDoc], taken: dict[int, int],
              options: dict[int, list[tuple[float, int]]], taken_other: dict[int, int],
              narrow: dict[tuple[str, int], tuple[int, float, float]], p: PairParams,
              others: list[PairDoc]) -> list[Unpaired]:
    """Every document of ``side`` without a pair, with its best candidate and the reason."""
    out = []
    for d, doc in enumerate(docs):
        if d in taken:
            continue
        if doc.error:
            out.append(Unpaired(side, d, -1, 0.0, f"unreadable: {doc.error}"))
            continue
        best = options.get(d, [])
        if (side, d) in narrow:
            other, score, margin = narrow[(side, d)]
            out.append(Unpaired(side, d, other, min(score, 1.0),
                                f"margin too small: {margin:.3f} over the next candidate (needs {p.min_margin})"))
        elif not best:
            out.append(Unpaired(side, d, -1, 0.0, "no link" if p.evidence == "links" else "no candidate"))
        elif best[0][0] < p.min_score:
            out.append(Unpaired(side, d, best[0][1], best[0][0], f"no candidate scores {p.min_score} or more"))
        else:
            other = best[0][1]
            holder = taken_other.get(other)
            why = (f"already taken: its best candidate is paired with {Path(docs[holder].path).name}"
                   if holder is not None else "already taken")
            out.append(Unpaired(side, d, other, min(best[0][0], 1.0), why))
    return out


# --------------------------------------------------------------------------- folders


def folder_lang(folder: str | os.PathLike[str]) -> str | None:
    """``archive/id/`` -> ``id``: a folder named by a language code gives its documents' language."""
    return lang_from_filename(Path(os.fspath(folder).rstrip("/\\")).name + ".txt")


def list_documents(folder: Path, *, follow_links: bool = False) -> tuple[list[Path], list[PairDoc]]:
    """The document files under ``folder`` (sorted, hidden names skipped), and those refused as links leading out."""
    top = folder.resolve()
    files, refused = [], []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or p.suffix.lower() not in DOC_EXTENSIONS:
            continue
        if not follow_links:
            try:
                outside = not p.resolve().is_relative_to(top)
            except (OSError, RuntimeError):
                outside = True
            if outside:
                refused.append(PairDoc(str(p), "", error="a link to a file outside the folder; not followed (--follow-links to allow)"))
                continue
        if p.is_file():
            files.append(p)
    return files, refused


def read_folder(folder: str | os.PathLike[str], lang: str, *, fmt: str = "auto", force: bool = False,
                split: bool = True, follow_links: bool = False) -> list[PairDoc]:
    """Every document of ``folder`` the readers take, as :class:`PairDoc`; a file they refuse is kept with its error."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("no such folder", path=str(root))
    files, refused = list_documents(root, follow_links=follow_links)
    out = []
    for f in files:
        try:
            doc = read_document(f, lang, fmt=fmt, force=force, split=split)
            raw = read_bounded(f) if f.suffix.lower() in (".html", ".htm", ".xhtml") else None
        except InputError as e:
            out.append(PairDoc(str(f), lang, error=str(e)))
            continue
        out.append(PairDoc(str(f), lang, tuple(s.text for s in doc.content), link_keys(str(f), raw, doc.text)))
    return out + [PairDoc(d.path, lang, error=d.error) for d in refused]


def pair_folders(src_dir: str | os.PathLike[str], tgt_dirs: Sequence[str | os.PathLike[str]], encoder: Encoder | None,
                 *, src_lang: str | None = None, tgt_langs: Sequence[str] | None = None, params: PairParams | None = None,
                 fmt: str = "auto", force: bool = False, split: bool = True, follow_links: bool = False) -> list[Pairing]:
    """The documents of ``src_dir`` paired with those of each folder of ``tgt_dirs`` (one :class:`Pairing` each).

    Languages come from the folder names (``vi/``, ``id/``) unless given.
    """
    if not tgt_dirs:
        raise UsageError("give at least one target folder")
    sl = src_lang or folder_lang(src_dir)
    if not sl:
        raise UsageError(f"cannot tell the language of {src_dir} from its name", hint="name it by language (vi/) or pass --src-lang")
    langs = list(tgt_langs or [])
    if langs and len(langs) != len(tgt_dirs):
        raise UsageError(f"{len(tgt_dirs)} target folders but {len(langs)} target languages")
    if not langs:
        for d in tgt_dirs:
            code = folder_lang(d)
            if not code:
                raise UsageError(f"cannot tell the language of {d} from its name", hint="name it by language (id/) or pass --tgt-lang")
            langs.append(code)
    if len(set(langs)) != len(langs) or sl in langs:
        raise UsageError(f"each folder needs its own language (source {sl}, targets {', '.join(langs)})")
    src = read_folder(src_dir, sl, fmt=fmt, force=force, split=split, follow_links=follow_links)
    out = []
    for d, tl in zip(tgt_dirs, langs):
        tgt = read_folder(d, tl, fmt=fmt, force=force, split=split, follow_links=follow_links)
        res = pair_documents(src, tgt, encoder, params)
        res.src_lang, res.tgt_lang = sl, tl
        out.append(res)
    return out
