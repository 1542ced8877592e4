"""Scale benchmark of ``align score``: time and peak RSS for 10k, 100k and 500k units, planted faults caught.

Not a test (pytest does not collect it); run it and read the table::

    python tests/benchmarks/bench_score.py                    # 10k, 100k, 500k units (several minutes)
    python tests/benchmarks/bench_score.py --sizes 2000,10000 # a smoke run
    python tests/benchmarks/bench_score.py --keep DIR         # keep the TMX files (and reuse them next time)

Each size is a synthetic Vietnamese-Indonesian memory written as a TMX file:
news-like sentences of 3 to 60 words (a Zipf-drawn vocabulary of vi-like
syllables, each with an Indonesian-like counterpart, plus shared names and
numbers), the translation dropping or adding the odd word. Faults are planted
as in ``tests/tools/test_tmscore.py``: targets swapped between neighbours and
between units far apart, targets copied from another unit, targets cut to their
first third. The command ``align score --model hash`` (the hashed bag-of-words
test encoder, so the time is the scorer's, not a model's) runs in a fresh
subprocess per size, with the synthetic vi-id lexicon registered for ``hash``,
and reports its wall time, its CPU time (with its children), its peak RSS
(``getrusage`` maxrss of that process) and that of the second process that runs
the text-only checks of a memory of 20,000 units or more (``+checks``: it ends
before the scored TMX is written, so the two peaks do not add up in time), how
many planted faults got a flag, how many swapped or copied targets were flagged
``misplaced``, and how many good units were flagged. Target (issue 19): 500k
units in under 10 minutes on 2 cores, peak RSS under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]

VI_ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s",
             "t", "th", "tr", "v", "x"]
VI_VOWELS = ["a", "á", "à", "ả", "ã", "ạ", "ă", "ắ", "ằ", "â", "ấ", "ầ", "ậ", "e", "é", "è", "ê", "ế", "ề", "ệ", "i",
             "í", "ì", "o", "ó", "ò", "ô", "ố", "ồ", "ộ", "ơ", "ớ", "ờ", "ợ", "u", "ú", "ù", "ư", "ứ", "ừ", "ự", "y",
             "ươ", "ườ", "iê", "iề", "uô", "uố", "oa", "oá", "ai", "ái", "ao", "au", "ây", "ôi", "ơi", "ui"]
VI_CODAS = ["", "", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
ID_SYLLABLES = ["ba", "ka", "ma", "ta", "pa", "la", "ra", "sa", "da", "na", "ga", "ja", "be", "ke", "me", "te", "pe",
                "le", "re", "se", "de", "ne", "ge", "bi", "ki", "mi", "ti", "pi", "li", "ri", "si", "di", "ni", "gi",
                "bu", "ku", "mu", "tu", "pu", "lu", "ru", "su", "du", "nu", "gu", "kan", "lah", "an", "ang", "ung",
                "ing", "per", "ter", "ber", "men", "pen", "ny", "ar", "ah", "at", "ik", "ul"]
ID_FUNCTION = ["yang", "di", "dan", "ini", "itu", "untuk", "dengan", "pada", "dari", "ke"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
GIVEN = ["Văn", "Thị", "Minh", "Quang", "Hữu", "Thanh", "Đức", "Ngọc", "Anh", "Tuấn", "Hùng", "Lan", "Hương", "Dũng"]
PLACES = ["Hà Nội", "Đà Nẵng", "Huế", "Cần Thơ", "Hải Phòng", "Nha Trang", "Jakarta", "Surabaya", "Bandung", "Medan"]
FOLD = str.maketrans("đĐ", "dD")


def fold(text: str) -> str:
    """Vietnamese diacritics stripped (``Nguyễn`` -> ``Nguyen``), as an Indonesian text writes a Vietnamese name."""
    import unicodedata

    t = unicodedata.normalize("NFKD", text.translate(FOLD))
    return "".join(c for c in t if not unicodedata.combining(c))


class Language:
    """A synthetic vi-id pair of vocabularies: ``words`` vi words, each with one id counterpart."""

    def __init__(self, words: int = 3000, seed: int = 19) -> None:
        rng = random.Random(seed)
        vi: list[str] = []
        seen: set[str] = set()
        while len(vi) < words:
            w = rng.choice(VI_ONSETS) + rng.choice(VI_VOWELS) + rng.choice(VI_CODAS)
            if w and fold(w) not in seen:  # the hash encoder folds diacritics: keep words apart after folding
                seen.add(fold(w))
                vi.append(w)
        ids: list[str] = []
        taken = set(ID_FUNCTION) | seen
        while len(ids) < words:
            w = "".join(rng.choice(ID_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
            if w not in taken:
                taken.add(w)
                ids.append(w)
        self.vi, self.id = vi, ids
        # Zipf weights: a few words everywhere (the hash encoder's "common words"), most rare
        self.weights = [1.0 / (k + 1) ** 1.05 for k in range(words)]
        self.lexicon = {b: fold(a) for a, b in zip(vi, ids, strict=True)}  # id word -> folded vi word

    def pair(self, rng: random.Random) -> tuple[str, str]:
        """A vi sentence and its id translation."""
        n = max(3, min(60, int(rng.lognormvariate(2.7, 0.55))))
        idx = rng.choices(range(len(self.vi)), weights=self.weights, k=n)
        vi = [self.vi[k] for k in idx]
        ids = [self.id[k] for k in idx if rng.random() > 0.08]
        for _ in range(n // 6):
            ids.insert(rng.randrange(len(ids) + 1), rng.choice(ID_FUNCTION))
        extras_vi, extras_id = [], []
        if rng.random() < 0.4:
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
            extras_vi.append(name)
            extras_id.append(fold(name))
        if rng.random() < 0.25:
            place = rng.choice(PLACES)
            extras_vi.append(place)
            extras_id.append(fold(place).replace(" ", "") if rng.random() < 0.5 else fold(place))
        if rng.random() < 0.35:
            num = str(rng.choice((rng.randrange(2, 100), rng.randrange(1990, 2026), rng.randrange(100, 100000))))
            extras_vi.append(num)
            extras_id.append(num)
        for a, b in zip(extras_vi, extras_id, strict=True):
            p = rng.randrange(len(vi) + 1)
            vi.insert(p, a)
            ids.insert(min(p, len(ids)), b)
        return sentence(vi), sentence(ids)


def sentence(words: list[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def truncate(text: str) -> str:
    """The first third of the words (rounded up), as the unit test cuts a target."""
    words = text.split()
    return " ".join(words[: -(-len(words) // 3)])


def plant(pairs: list[list[str]], rng: random.Random) -> dict[int, str]:
    """Plant faults in place, about one unit in 1,300 (at least a dozen): the kinds of the unit test."""
    n = len(pairs)
    k = max(2, n // 8000)
    spots = rng.sample(range(1, n - 1), 8 * k)
    faults: dict[int, str] = {}
    orig = [p[1] for p in pairs]
    it = iter(spots)
    for _ in range(k):  # neighbours swap
        a = next(it)
        if a in faults or a + 1 in faults:
            continue
        pairs[a][1], pairs[a + 1][1] = pairs[a + 1][1], pairs[a][1]
        faults[a] = faults[a + 1] = "swapped"
    for _ in range(k):  # far apart swap
        a, b = next(it), next(it)
        if a in faults or b in faults:
            continue
        pairs[a][1], pairs[b][1] = pairs[b][1], pairs[a][1]
        faults[a] = faults[b] = "swapped"
    for _ in range(k):  # a copy of another unit's target
        a, b = next(it), next(it)
        if a in faults or b in faults:
            continue
        pairs[a][1] = orig[b]
        faults[a] = "copied"
    for _ in range(k):  # cut to a third
        a = next(it)
        if a in faults or len(pairs[a][1].split()) < 9:
            continue
        pairs[a][1] = truncate(pairs[a][1])
        faults[a] = "truncated"
    return faults


def write_tmx(path: Path, pairs: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
                '  <header creationtool="bench" creationtoolversion="1" segtype="sentence" o-tmf="align" '
                'adminlang="en" srclang="vi" datatype="plaintext"/>\n  <body>\n')
        for k, (a, b) in enumerate(pairs):
            f.write(f'    <tu tuid="{k + 1}">\n      <prop type="x-document">doc{k // 40}</prop>\n'
                    f'      <tuv xml:lang="vi"><seg>{escape(a)}</seg></tuv>\n'
                    f'      <tuv xml:lang="id"><seg>{escape(b)}</seg></tuv>\n    </tu>\n')
        f.write("  </body>\n</tmx>\n")


def make_memory(n: int, folder: Path, lang: Language) -> tuple[Path, Path]:
    """The TMX of ``n`` units with planted faults, and a JSON of the faults (unit position -> kind)."""
    tmx, faults_path = folder / f"tm_{n}.tmx", folder / f"tm_{n}.faults.json"
    if tmx.exists() and faults_path.exists():
        return tmx, faults_path
    rng = random.Random(n)
    pairs = [list(lang.pair(rng)) for _ in range(n)]
    faults = plant(pairs, rng)
    write_tmx(tmx, pairs)
    faults_path.write_text(json.dumps(faults), encoding="utf-8")
    return tmx, faults_path


# --------------------------------------------------------------------------- the child process


def child(tmx: str, faults_path: str, out_dir: str) -> None:
    """Run ``align score --model hash`` in this process and print one JSON line of figures."""
    sys.path.insert(0, str(ROOT))
    import dataclasses

    from align.cli.main import main
    from align.embedding import HashEncoder
    from align.embedding.registry import lookup, register
    from align.formats.tmx import read_tmx

    lexicon = Language().lexicon
    register(dataclasses.replace(lookup("hash"), factory=lambda name, device: HashEncoder(lexicon=lexicon)))
    out = Path(out_dir) / "scored.tmx"
    report = Path(out_dir) / "scored.json"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    try:
        main(["score", tmx, "-o", str(out), "--report-json", str(report), "--model", "hash"])
    except SystemExit as e:
        if e.code:
            raise
    elapsed = time.perf_counter() - t0
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, peak_checks = me.ru_maxrss, kids.ru_maxrss  # kids: the text-checks process of a large memory
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    faults = {int(k): v for k, v in json.loads(Path(faults_path).read_text(encoding="utf-8")).items()}
    data = json.loads(report.read_text(encoding="utf-8"))
    flagged = {s["unit"] - 1: s["flags"] for s in data["suspects"]}
    caught = {k: flagged[k] for k in faults if k in flagged}
    misplaced = sum(1 for k, v in faults.items() if v in ("swapped", "copied") and "misplaced" in flagged.get(k, ()))
    n_units = data["summary"]["units"]
    scored_ok = out.stat().st_size > 0 and len(read_tmx(out).tus) == n_units if n_units <= 20000 else True
    print(json.dumps({
        "units": n_units, "seconds": round(elapsed, 1), "cpu_seconds": round(cpu), "peak_rss_mb": round(peak / 1024),
        "checks_rss_mb": round(peak_checks / 1024), "base_rss_mb": round(base / 1024),
        "faults": len(faults), "caught": len(caught),
        "swaps_copies": sum(1 for v in faults.values() if v in ("swapped", "copied")), "misplaced": misplaced,
        "missed": {k: v for k, v in faults.items() if k not in caught},
        "good_flagged": sum(1 for k in flagged if k not in faults), "flags": data["summary"]["flags"],
        "tmx_mb": round(os.path.getsize(tmx) / 2**20), "written": scored_ok,
    }))


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,500000")
    ap.add_argument("--keep", default=None, metavar="DIR", help="keep the generated TMX files there (and reuse them)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    lang = Language()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_score_"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} CPUs; files in {folder}")
    head = (f"{'units':>8} {'TMX MB':>7} {'time s':>7} {'CPU s':>6} {'peak RSS MB':>12} {'+checks MB':>11} "
            f"{'faults caught':>14} {'misplaced':>10} {'good flagged':>14}")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        tmx, faults = make_memory(n, folder, lang)
        gen = time.perf_counter() - t0
        with tempfile.TemporaryDirectory(dir=folder) as out_dir:
            proc = subprocess.run([sys.executable, __file__, "--child", str(tmx), str(faults), out_dir],
                                  capture_output=True, text=True, check=False)
        if proc.returncode:
            print(proc.stdout + proc.stderr)
            raise SystemExit(f"align score failed on {n} units")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"  {n} units: memory made in {gen:.0f} s; {proc.stderr.strip().splitlines()[0]}")
        if r["missed"]:
            print(f"  missed: {r['missed']}")
        checks = r["checks_rss_mb"] if r["units"] >= 20000 else 0  # the second process runs from 20,000 units
        rows.append(f"{r['units']:>8} {r['tmx_mb']:>7} {r['seconds']:>7.1f} {r['cpu_seconds']:>6} {r['peak_rss_mb']:>12} "
                    f"{checks:>11} {r['caught']:>6}/{r['faults']:<7} {r['misplaced']:>4}/{r['swaps_copies']:<5} "
                    f"{r['good_flagged']:>6} ({100 * r['good_flagged'] / max(r['units'] - r['faults'], 1):.2f}%)")
        print(head)
        print("\n".join(rows), flush=True)


if __name__ == "__main__":
    main()
