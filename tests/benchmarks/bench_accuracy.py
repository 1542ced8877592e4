"""Benchmark: alignment accuracy of named parameter settings over eval folders, one table.

Not a test. Each ``--config NAME=KEY=VALUE,KEY=VALUE`` is a set of
``AlignParams`` overrides (as ``align eval --set`` takes them); ``default`` is
always measured first. For every setting and folder it prints strict
precision, recall and F1, lax F1, the precision of beads scoring >= 0.9 (what
filtering a TMX on the score buys), and the texts the aligner asked the model
to embed per segment (segments and merged windows). With ``--cache`` the
vectors are reused across settings and runs; the counts do not depend on it.

    python tests/benchmarks/bench_accuracy.py ../shared/eval/*/ --cache /tmp/emb.sqlite
    python tests/benchmarks/bench_accuracy.py ../shared/eval/*/ --cache /tmp/emb.sqlite --ablations

``--ablations`` adds the alternatives the closing notes report (fixed skip
costs, the per-document skip's parts turned off or moved, the defaults of
before it): every number of those notes can be rerun from here. ``--swap``
also aligns every set the other way round (``tgt.txt`` as the source), so a
setting that helps one direction only shows as such.
"""

from __future__ import annotations

import argparse
import time

from align.core import AlignParams
from align.embedding import load_encoder
from align.tools.evaluate import evaluate_dirs
from align.tools.gold import ratio

ABLATIONS = {
    "fixed-skip-4": "skip_slope=0",
    "fixed-skip-3": "skip_slope=0,skip=3.0",
    "fixed-skip-2": "skip_slope=0,skip=2.0",
    "no-explain": "explain_low=false",
    "no-explain-theta-0.4": "explain_low=false,skip_theta=0.4",
    "theta-0.4": "skip_theta=0.4",
    "theta-0.6": "skip_theta=0.6",
    "slope-4": "skip_slope=4",
    "no-low-penalty": "low_weight=0",
    "moved-on-names-alone": "reorder_own=0",
    "no-orphan-merge": "orphan_merge=0",
    "beads-of-6": "max_total=6,max_src=5,max_tgt=5",
    "coarse-refine": "coarse_refine=true",
    "session-11-defaults": "reorder_own=0,orphan_merge=0",
    "session-8-defaults": "skip_slope=0,low_weight=0,explain_low=false,reorder_own=0,orphan_merge=0",
}


def _config(text: str) -> tuple[str, list[str]]:
    name, _, body = text.partition("=")
    if not body:
        raise SystemExit(f"--config {text!r}: expected NAME=KEY=VALUE[,KEY=VALUE...]")
    return name, [kv for kv in body.split(",") if kv]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="eval folders (one sub-folder per document)")
    ap.add_argument("--model", default=None, help="model name (default: the bundled e5-small)")
    ap.add_argument("--cache", default=None, help="SQLite embedding cache shared by every setting")
    ap.add_argument("--config", action="append", default=[], metavar="NAME=K=V,K=V", help="a setting to measure")
    ap.add_argument("--ablations", action="store_true", help="also measure the settings the notes report")
    ap.add_argument("--swap", action="store_true",
                    help="also align every set the other way round (rows '<set>-swapped'): the two should agree")
    args = ap.parse_args()
    configs = [("default", [])] + [_config(c) for c in args.config]
    if args.ablations:
        configs += [(name, body.split(",")) for name, body in ABLATIONS.items()]
    enc = load_encoder(args.model, cache=args.cache)
    head = (f"{'setting':20s} {'set':28s} {'strict P':>8s} {'R':>6s} {'F1':>6s} {'lax F1':>7s} "
            f"{'P@0.9':>6s} {'emb/seg':>7s} {'sec':>6s}")
    print(head)
    print("-" * len(head))
    for name, settings in configs:
        params = AlignParams().with_settings(settings)
        for swap in (False, True) if args.swap else (False,):
            t0 = time.perf_counter()
            res = evaluate_dirs(args.dirs, enc, params=params, swap=swap)
            sec = time.perf_counter() - t0
            for set_name, docs in res.sets.items():
                s = res.scores(set_name)
                n, correct = res.by_threshold[set_name][0.9]
                segs = sum(d.n_src + d.n_tgt for d in docs)
                emb = ratio(sum(d.embedded for d in docs), segs)
                print(f"{name[:20]:20s} {set_name[:28]:28s} {s.strict_p:8.4f} {s.strict_r:6.4f} {s.strict_f1:6.4f} "
                      f"{s.lax_f1:7.4f} {ratio(correct, n):6.3f} {emb:7.3f} {sec:6.1f}")
                sec = 0.0
        print(f"{'':20s} signature: {res.signature}")


if __name__ == "__main__":
    main()
