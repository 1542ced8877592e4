"""Pairing benchmark (issue 23): precision and recall of document pairs, and time and memory at scale.

Not a test (pytest does not collect it); run it and read the numbers::

    python tests/benchmarks/bench_pairing.py --cache /path/emb.sqlite      # quality, e5-small (the default model)
    python tests/benchmarks/bench_pairing.py --model hash                 # quality, the hashed test encoder
    python tests/benchmarks/bench_pairing.py --scale 1000,10000           # scale, a fake encoder (no quality run)

**Quality** is measured on an archive built from the NTREX dev sets in
``--eval`` (default ``../shared/eval`` beside the repository; read only by
this script, the project never needs it): the 123 stories of
``ntrex_vi_id`` (``src.txt`` Vietnamese, ``tgt.txt`` Indonesian), shuffled
with a seed, written as files with meaningless names into ``vi/`` and
``id/``:

* most stories as a pair (the gold);
* 12 stories only in ``vi/`` and 12 only in ``id/``: same-genre distractors
  without a counterpart;
* near-duplicates: for 24 paired stories the other version of the story from
  ``ntrex_vi_id_partial`` (1-3 lines less, a byline, a caption or other
  articles' titles more) is added on one side (12 in ``vi/``, 12 in
  ``id/``), without its counterpart: the gold is the full pair, the other
  version a distractor. (Both versions on both sides is not a fair test: the
  shorter version of one side is covered by the full version of the other as
  well as by its own partly parallel counterpart, and which pairing is right
  is a matter of definition.)

About half of the pairs, and some distractors, carry links: an HTML page with
``<link rel="canonical">`` and ``<link rel="alternate" hreflang>`` to its
other-language version, or a text page ending in a ``Sumber:`` / ``Nguồn:``
line naming the original's URL, as the sample pair does. A distractor's
links name pages that are not in the archive. ``align.pairing.read_folder``
reads every file, and ``pair_documents`` pairs them with content evidence
alone, link evidence alone and both; precision is over the pairs given,
recall over the gold pairs; for links alone also over the linked pairs.

**Scale** times ``pair_documents`` after reading, with a fake encoder that
maps a sentence to a seeded random vector of 384 floats (the translation: the
same vector plus noise), so the time is the pairing's, not a model's: N
documents a side (10% of each side without counterpart), 6-24 sentences
each, in a fresh subprocess per size for its peak RSS (``getrusage``). The
sentences are embedded first (timed apart): "pairing s" is what the pairing
adds after embedding (document vectors, candidate search, sentence scores,
assignment, margins).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from align.embedding import Encoder, HashEncoder, load_encoder
from align.embedding.base import normalise_rows
from align.pairing import PairDoc, PairParams, pair_documents, read_folder

SEED = 23


def _lines(path: Path) -> list[str]:
    return [x for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]


def _html(lines: list[str], lang: str, own: str, other: tuple[str, str] | None) -> str:
    head = [f'<meta charset="utf-8"><title>{escape(lines[0])}</title>', f'<link rel="canonical" href="{own}">',
            '<link rel="alternate" hreflang="x-default" href="https://news.example/">',
            f'<link rel="alternate" hreflang="{lang}" href="{own}">']
    if other:
        head.append(f'<link rel="alternate" hreflang="{other[0]}" href="{other[1]}">')
    body = "".join(f"<p>{escape(x)}</p>" for x in lines)
    return f'<!doctype html><html lang="{lang}"><head>{"".join(head)}</head><body><nav><a href="https://news.example/">Home</a></nav><article><h1>{escape(lines[0])}</h1>{body[len(escape(lines[0])) + 7:]}</article></body></html>'


def build_archive(eval_dir: Path, out: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]], dict[str, str]]:
    """Write ``out/vi`` and ``out/id``; the gold pairs (file names), the linked gold pairs, and what each file is."""
    rng = random.Random(SEED)
    full = eval_dir / "ntrex_vi_id"
    partial = eval_dir / "ntrex_vi_id_partial"
    stories = sorted(p.name for p in full.iterdir() if p.is_dir())
    rng.shuffle(stories)
    has_partial = {p.name for p in partial.iterdir() if p.is_dir()}
    src_only, tgt_only = stories[:12], stories[12:24]
    paired = stories[24:]
    near = [s for s in paired if s in has_partial][:24]
    docs: dict[str, list[tuple[str, list[str], str, tuple[str, str] | None, str | None]]] = {"vi": [], "id": []}
    gold: list[tuple[int, int]] = []
    linked: set[int] = set()

    def url(lang: str, story: str, version: str = "") -> str:
        return f"https://{'baomoi' if lang == 'vi' else 'berita'}.example/{story}{version}.html"

    for k, s in enumerate(paired):
        style = ("html", "source", "none", "none")[k % 4]  # half the pairs carry links
        vu, iu = url("vi", s), url("id", s)
        vi = (s, _lines(full / s / "src.txt"), style, ("id", iu) if style == "html" else None, vu)
        idd = (s, _lines(full / s / "tgt.txt"), style, ("vi", vu) if style == "html" else vu if style == "source" else None, iu)
        gold.append((len(docs["vi"]), len(docs["id"])))
        if style != "none":
            linked.add(len(gold) - 1)
        docs["vi"].append(vi)  # type: ignore[arg-type]
        docs["id"].append(idd)  # type: ignore[arg-type]
    for k, s in enumerate(near):
        style = "html" if k % 3 == 0 else "none"
        if k % 2:
            docs["vi"].append((s, _lines(partial / s / "src.txt"), style, None, url("vi", s, "-v2")))
        else:
            docs["id"].append((s, _lines(partial / s / "tgt.txt"), style, None, url("id", s, "-v2")))
    for k, s in enumerate(src_only):
        style = "html" if k % 2 else "none"
        docs["vi"].append((s, _lines(full / s / "src.txt"), style, ("id", url("id", s)), url("vi", s)))
    for k, s in enumerate(tgt_only):
        style = ("html", "source", "none")[k % 3]
        docs["id"].append((s, _lines(full / s / "tgt.txt"), style, ("vi", url("vi", s)) if style == "html" else url("vi", s), url("id", s)))
    names: dict[str, list[str]] = {}
    what: dict[str, str] = {}
    for lang, items in docs.items():
        folder = out / lang
        folder.mkdir(parents=True)
        order = list(range(len(items)))
        rng.shuffle(order)
        names[lang] = [""] * len(items)
        for rank, i in enumerate(order):
            story, lines, style, other, own = items[i]
            if style == "html":
                name = f"page-{rank:04d}.html"
                (folder / name).write_text(_html(lines, lang, own or "", other if isinstance(other, tuple) else None), encoding="utf-8")
            else:
                name = f"page-{rank:04d}.txt"
                text = "\n\n".join(lines)
                if style == "source":
                    label = "Nguồn" if lang == "vi" else "Sumber"
                    text += f"\n\n{label}: {other if isinstance(other, str) else own}\n"
                (folder / name).write_text(text + "\n", encoding="utf-8")
            names[lang][i] = name
            what[f"{lang}/{name}"] = f"{story}{'-v2' if own and own.endswith('-v2.html') else ''}"
    gold_names = {(names["vi"][a], names["id"][b]) for a, b in gold}
    linked_names = {(names["vi"][gold[g][0]], names["id"][gold[g][1]]) for g in linked}
    return gold_names, linked_names, what


def _pr(found: set[tuple[str, str]], gold: set[tuple[str, str]]) -> str:
    ok = len(found & gold)
    p = ok / len(found) if found else 0.0
    r = ok / len(gold) if gold else 0.0
    return f"P {p:.3f} ({ok}/{len(found)})  R {r:.3f} ({ok}/{len(gold)})"


def quality(args: argparse.Namespace) -> None:
    eval_dir = Path(args.eval)
    if not (eval_dir / "ntrex_vi_id").is_dir():
        sys.exit(f"no NTREX dev set under {eval_dir} (--eval)")
    encoder: Encoder = HashEncoder() if args.model == "hash" else load_encoder(args.model, cache=args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        gold, linked, what = build_archive(eval_dir, Path(tmp))
        t0 = time.perf_counter()
        src = read_folder(Path(tmp) / "vi", "vi")
        tgt = read_folder(Path(tmp) / "id", "id")
        print(f"archive: {len(src)} vi, {len(tgt)} id documents; {len(gold)} gold pairs, {len(linked)} of them linked; "
              f"read in {time.perf_counter() - t0:.1f} s; encoder {encoder.model_id}")
        for evidence in ("content", "links", "both"):
            t0 = time.perf_counter()
            res = pair_documents(src, tgt, encoder, PairParams(evidence=evidence))
            found = {(Path(res.src[m.src].path).name, Path(res.tgt[m.tgt].path).name) for m in res.matches}
            line = f"{evidence:8s} {_pr(found, gold)}"
            if evidence != "content":
                on_linked = {f for f in found if f in linked or any(f[0] == g[0] or f[1] == g[1] for g in linked)}
                line += f"  | linked pairs: {_pr(on_linked, linked)}"
            reasons: dict[str, int] = {}
            for u in res.unpaired:
                key = u.reason.split(":")[0]
                reasons[key] = reasons.get(key, 0) + 1
            print(f"{line}  [{time.perf_counter() - t0:.1f} s, {res.candidates} candidates; unpaired: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + "]")
            if args.verbose:
                for m in res.matches:
                    pair = (Path(res.src[m.src].path).name, Path(res.tgt[m.tgt].path).name)
                    if pair not in gold:
                        print(f"   wrong: {pair} = {what['vi/' + pair[0]]} / {what['id/' + pair[1]]}: {m.score:.3f} "
                              f"margin {m.margin:.3f} {m.detail}")


class FakeEncoder(Encoder):
    """Sentence ``"<lang> <story>.<k>"`` -> a seeded vector of story.k, plus noise for the translation."""

    def __init__(self, dim: int = 384, noise: float = 0.6) -> None:
        super().__init__()
        self._dim, self.noise, self.model_id = dim, noise, f"fake-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for r, t in enumerate(texts):
            lang, key = t.split(" ", 1)
            seed = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self._dim)
            if lang != "vi":
                v = v + self.noise * np.random.default_rng(seed ^ 0x5A5A).standard_normal(self._dim)
            out[r] = v
        return normalise_rows(out)


def scale_one(n: int) -> dict:
    rng = random.Random(n)
    stories = list(range(int(n / 0.9) + 1))
    rng.shuffle(stories)
    both = n - n // 10
    src_ids = stories[:n]
    tgt_ids = stories[:both] + stories[n : n + n // 10]
    rng.shuffle(tgt_ids)

    def doc(lang: str, story: int) -> PairDoc:
        count = 6 + story % 19
        return PairDoc(f"{lang}/{story}", lang, tuple(f"{lang} s{story}x{k}" for k in range(count)))

    src = [doc("vi", s) for s in src_ids]
    tgt = [doc("id", s) for s in tgt_ids]
    encoder = FakeEncoder()
    t0 = time.perf_counter()
    encoder.encode([t for d in (*src, *tgt) for t in d.texts])  # embedding first: the time below is the pairing's
    embed_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = pair_documents(src, tgt, encoder)
    seconds = time.perf_counter() - t0
    found = {(src[m.src].path.split("/")[1], tgt[m.tgt].path.split("/")[1]) for m in res.matches}
    ok = sum(a == b for a, b in found)
    gold = both
    return {"n": n, "seconds": round(seconds, 1), "embed_seconds": round(embed_seconds, 1), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "candidates": res.candidates, "search": res.search, "precision": ok / max(len(found), 1), "recall": ok / gold}


def scale(sizes: list[int]) -> None:
    print(f"{'docs a side':>11} {'pairing s':>9} {'(fake embedding s)':>18} {'peak RSS MB':>12} {'candidates':>11} "
          f"{'search':>15} {'P':>6} {'R':>6}")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--scale-one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['n']:>11} {r['seconds']:>9} {r['embed_seconds']:>18} {r['rss_mb']:>12} {r['candidates']:>11} {r['search']:>15} "
              f"{r['precision']:>6.3f} {r['recall']:>6.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", default=str(Path(__file__).resolve().parents[3] / "shared" / "eval"))
    ap.add_argument("--model", default=None, help="encoder: the default model (e5-small), any --model name, or hash")
    ap.add_argument("--cache", default=None, help="SQLite embedding cache for the real model")
    ap.add_argument("--scale", default=None, help="comma-separated sizes, e.g. 1000,10000 (fake encoder)")
    ap.add_argument("--scale-one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrong pairs")
    args = ap.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
    elif args.scale:
        scale([int(x) for x in args.scale.split(",")])
    else:
        quality(args)


if __name__ == "__main__":
    main()
