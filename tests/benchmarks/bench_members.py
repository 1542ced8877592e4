"""Benchmark: what the merge-member check costs and what it changes.

Not a test. Aligns eval folders (``src.txt``/``tgt.txt``/``gold.txt`` per
document, as ``align eval`` reads them) twice with a fresh encoder and no
embedding cache: with the check off (``member_weight=0``) and with the
defaults. Prints, per folder and setting, the texts the model embedded, the
wall time (embedding included) and strict / lax F1, then the extra texts and
time of the check.

    python tests/benchmarks/bench_members.py ../shared/eval/ntrex_vi_id_hard ../shared/eval/textberg
    python tests/benchmarks/bench_members.py DIR --model e5-small-c
"""

from __future__ import annotations

import argparse
import time

from align.core import AlignParams
from align.embedding import load_encoder
from align.tools.evaluate import evaluate_dirs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="eval folders (one sub-folder per document)")
    ap.add_argument("--model", default=None, help="model name (default: the bundled e5-small)")
    args = ap.parse_args()
    print(f"{'set':24s} {'check':6s} {'texts':>7s} {'sec':>7s} {'strict F1':>10s} {'lax F1':>8s}")
    for d in args.dirs:
        rows = []
        for weight in (0.0, AlignParams().member_weight):
            enc = load_encoder(args.model)  # fresh memo, no cache: every text is embedded here
            t0 = time.perf_counter()
            res = evaluate_dirs([d], enc, params=AlignParams(member_weight=weight))
            sec = time.perf_counter() - t0
            s = res.scores()
            rows.append((enc.texts_embedded, sec))
            name = d.rstrip("/").split("/")[-1][:24]
            print(f"{name:24s} {'on' if weight else 'off':6s} {enc.texts_embedded:7d} {sec:7.1f} "
                  f"{s.strict_f1:10.4f} {s.lax_f1:8.4f}", flush=True)
        (t_off, s_off), (t_on, s_on) = rows
        print(f"{'':24s} extra: {t_on - t_off} texts (+{100 * (t_on - t_off) / max(t_off, 1):.0f}%), "
              f"+{100 * (s_on - s_off) / max(s_off, 1e-9):.0f}% time")


if __name__ == "__main__":
    main()
