"""The pairing's outputs: the manifest ``align corpus`` reads, and the list of documents left unpaired.

The manifest is the corpus manifest (``align.corpus.plan.read_manifest``):
a TSV with ``pair_id, src, tgt, src_lang, tgt_lang`` and, ignored by the
corpus but there for the person who checks it, ``score, margin, evidence``.
One row per pair and target language; a source paired in several languages
keeps one ``pair_id``, so its outputs share a folder. Paths are relative to
the manifest's folder when the files are inside it, else absolute (a
relative path leading out of the manifest's folder is refused by the corpus
unless ``--follow-links``). A person may delete a row, or move a row of the
unpaired list in by hand.

The unpaired list, ``<manifest>.unpaired.tsv`` beside it (not in the manifest:
every manifest row must be a pair), names each document left out, its best
candidate with that candidate's score, and the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from align.common.atomic import atomic_write
from align.pairing.pair import Pairing

MANIFEST_COLUMNS = ("pair_id", "src", "tgt", "src_lang", "tgt_lang", "score", "margin", "evidence", "detail")
UNPAIRED_COLUMNS = ("side", "lang", "document", "best_candidate", "best_score", "reason")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\\t]+")


def unpaired_path(manifest: str | os.PathLike[str]) -> Path:
    """``pairs.tsv`` -> ``pairs.unpaired.tsv``."""
    p = Path(manifest)
    return p.with_name(p.stem + ".unpaired" + (p.suffix or ".tsv"))


def _cell(value: object) -> str:
    """A TSV cell: tabs and line breaks become spaces."""
    return re.sub(r"[\t\r\n]+", " ", str(value))


def _shown(path: str, base: Path) -> str:
    """``path`` relative to ``base`` when it lies inside it, else absolute."""
    full = Path(path).resolve()
    return full.relative_to(base).as_posix() if full.is_relative_to(base) else str(full)


def pair_ids(paths: Sequence[str], root: str | os.PathLike[str]) -> dict[str, str]:
    """A pair id per source path: its path under ``root`` without the extension, ``/`` as ``-``, unique."""
    top = Path(root).resolve()
    out: dict[str, str] = {}
    used: set[str] = set()
    for p in sorted(paths):
        full = Path(p).resolve()
        rel = full.relative_to(top) if full.is_relative_to(top) else Path(full.name)
        base = _UNSAFE.sub("-", rel.with_suffix("").as_posix()).lstrip(".-") or "doc"
        pid = base
        if pid in used:
            pid = f"{base}-{rel.suffix.lstrip('.')}" if rel.suffix else base
        n = 2
        while pid in used:
            pid, n = f"{base}-{n}", n + 1
        used.add(pid)
        out[p] = pid
    return out


def write_manifest(pairings: Sequence[Pairing], path: str | os.PathLike[str], src_root: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write the manifest and the unpaired list of ``pairings`` (one per target language); their paths."""
    out = Path(path)
    base = out.parent.resolve()
    ids = pair_ids(sorted({p.src[m.src].path for p in pairings for m in p.matches}), src_root)
    rows = ["\t".join(MANIFEST_COLUMNS)]
    lost = ["\t".join(UNPAIRED_COLUMNS)]
    for pr in pairings:
        for m in pr.matches:
            s, t = pr.src[m.src], pr.tgt[m.tgt]
            rows.append("\t".join(_cell(v) for v in (ids[s.path], _shown(s.path, base), _shown(t.path, base), pr.src_lang,
                                                    pr.tgt_lang, f"{m.score:.4f}", f"{m.margin:.4f}", m.evidence, m.detail)))
        for u in pr.unpaired:
            docs, others = (pr.src, pr.tgt) if u.side == "src" else (pr.tgt, pr.src)
            best = _shown(others[u.best].path, base) if u.best >= 0 else ""
            lang = pr.src_lang if u.side == "src" else pr.tgt_lang
            side = "source" if u.side == "src" else f"target ({pr.src_lang}-{pr.tgt_lang})"
            lost.append("\t".join(_cell(v) for v in (side, lang, _shown(docs[u.doc].path, base), best,
                                                    f"{u.best_score:.4f}" if u.best >= 0 else "", u.reason)))
    atomic_write(out, "\n".join(rows) + "\n")
    lost_path = unpaired_path(out)
    atomic_write(lost_path, "\n".join(lost) + "\n")
    return out, lost_path
