"""Fuzz ``align report FILE.json`` (rebuilding the HTML from a saved JSON report) (run by hand, not in the suite).

    pip install atheris
    nice -n 10 python tests/fuzz/fuzz_report.py CORPUS_DIR -max_total_time=600 -timeout=20 -max_len=16384

The contract: whatever the file holds, ``rebuild_report`` writes a page or
raises an ``AlignError`` (one line, exit 3 from the command); never another
exception, never a hang, never an unbounded allocation (``-rss_limit_mb``
catches one). Each input picks a mode with its first byte:

* raw: the rest of the input is the file (libFuzzer mutates real reports, the
  seeds, byte by byte);
* structured: the rest drives ``mutate`` over a valid report (a field deleted,
  replaced by a value of another type, a list item doubled, a string cut, the
  matrix data replaced), so the checks behind the JSON parser are reached too.

Anything else is a crash; libFuzzer saves the input as ``crash-*``. Replay one with
``python tests/fuzz/fuzz_report.py crash-...``. ``tests/formats/test_report_fuzz.py``
runs the same checks under hypothesis in the test suite.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import os
import sys
import tempfile
import zlib
from typing import Any

# Values a mutation puts where another was: each of the wrong type somewhere.
VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**64, 10**400, 0.5, -0.0, 1e308, 999.5, -999.0, 1e6, "", "x", "NaN", "1993", "<script>x</script>",
    "\x00", "é" * 40, [], [0], [-1], [2**70], ["a"], [[]], {}, {"a": 1}, {"explanation": 1}, {"src": []},
    "!!!not base64!!!", base64.b64encode(zlib.compress(b"\x00" * 1_000_000)).decode("ascii"),
    base64.b64encode(b"not zlib").decode("ascii"), [10**6, 10**6], [0, 0], [3, 3],
]


@functools.cache
def seed_payload() -> dict:
    """A small valid report (three beads, an omission, noise, a similarity matrix), as ``write_report`` writes it."""
    import numpy as np

    from align.common.model import Alignment, Bead, Document, Segment
    from align.formats.report.payload import json_text, report_payload

    src = [Segment("Một hai ba.", "sentence", 0, 0), Segment("Bốn năm 1993.", "sentence", 0, 1),
           Segment("Sáu bảy.", "sentence", 1, 0), Segment("Menu", "noise", 9, 0, reason="site menu")]
    tgt = [Segment("Satu dua tiga.", "sentence", 0, 0), Segment("Empat lima 1994.", "sentence", 0, 1)]
    s = Document("vi.txt", "vi", "\n".join(x.text for x in src), tuple(src), warnings=("guessed cp1258",))
    t = Document("id.txt", "id", "\n".join(x.text for x in tgt), tuple(tgt))
    beads = (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.4), Bead((2,), (), 0.0))
    al = Alignment(s, t, s.content, t.content, beads, "hash-256", {"min_score": 0.0}, "align:fuzz")
    sim = np.array([[0.9, 0.1], [0.2, 0.4], [0.3, 0.2]], dtype=np.float32)
    return json.loads(json_text(report_payload(al, sim_matrix=sim)))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into ``node`` (keys and list indices), the root first."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out += _paths(v, (*prefix, k))
    return out


def mutate(payload: dict, choices: bytes) -> Any:
    """A copy of ``payload`` changed as ``choices`` say: two bytes per change (where, what)."""
    doc: Any = copy.deepcopy(payload)
    for k in range(0, len(choices) - 1, 2):
        where, what = choices[k], choices[k + 1]
        paths = _paths(doc)
        path = paths[(where * 7919 + k) % len(paths)]
        op = what % 5
        if not path:
            doc = VALUES[what % len(VALUES)] if op == 0 else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 1 and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == 2 and isinstance(parent[key], str):
            parent[key] = parent[key][: what % max(1, len(parent[key]))]
        else:
            parent[key] = copy.deepcopy(VALUES[what % len(VALUES)])
    return doc


def check_report_file(data: bytes) -> str:
    """Rebuild a page from ``data`` as a JSON report: a page or an ``AlignError``, nothing else (which: returned)."""
    from align.common.errors import AlignError
    from align.formats.report.payload import rebuild_report

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.report.json")
        with open(path, "wb") as f:
            f.write(data)
        try:
            rebuild_report(path, os.path.join(tmp, "r.report.html"))
        except AlignError:
            return "refused"
        with open(os.path.join(tmp, "r.report.html"), encoding="utf-8") as f:
            if "<!DOCTYPE html>" not in f.read(200):
                raise AssertionError("rebuild_report wrote something that is not the page")
    return "page"


def run_one(data: bytes) -> str:
    """Dispatch one fuzz input (also used by tests/formats/test_report_fuzz.py): ``check_report_file``'s outcome."""
    if not data:
        return "empty"
    if data[0] % 2 == 0:
        return check_report_file(data[1:])
    doc = mutate(seed_payload(), data[1:64])
    try:
        text = json.dumps(doc, ensure_ascii=data[0] % 4 == 1)
    except (ValueError, OverflowError):  # not JSON at all (cannot happen with VALUES, kept for safety)
        return "not JSON"
    return check_report_file(text.encode("utf-8"))


def _write_seeds(corpus: str) -> None:
    os.makedirs(corpus, exist_ok=True)
    if os.listdir(corpus):
        return
    text = json.dumps(seed_payload(), ensure_ascii=False, indent=1).encode("utf-8")
    with open(os.path.join(corpus, "seed-raw"), "wb") as f:
        f.write(b"\x00" + text)
    for k in range(32):
        with open(os.path.join(corpus, f"seed-mut-{k:02d}"), "wb") as f:
            f.write(bytes([1, k * 8 % 256, k]))


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["align"]):
        import align.formats.report.check  # noqa: F401
        import align.formats.report.html  # noqa: F401
        import align.formats.report.payload  # noqa: F401
        import align.formats.report.plots  # noqa: F401
    args = list(sys.argv)
    dirs = [a for a in args[1:] if not a.startswith("-") and os.path.isdir(a)]
    if dirs:
        _write_seeds(dirs[0])
    atheris.Setup(args, run_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
