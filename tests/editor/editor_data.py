"""Alignments for the editor's tests: a small synthetic report, the sample pair's report, a server subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from align.common.model import Alignment, Bead, Document, Segment
from align.formats.report.payload import write_report

ROOT = Path(__file__).resolve().parents[2]
PAIR = ROOT / "parallel" / "buoc-tien-moi-hop-tac-viet-nam-lhq-phong-chong-toi-pham-mang"
#: Where the browser test also copies its screenshots for a person to look at: $ALIGN_TEST_SHOTS, if set.
SHOTS = Path(os.environ["ALIGN_TEST_SHOTS"]) if os.environ.get("ALIGN_TEST_SHOTS") else None

SRC = [f"Câu số {k} nói về chủ đề {k * 7}." for k in range(10)]
TGT = [f"Kalimat nomor {k} tentang topik {k * 7}." for k in range(10)]


def small_alignment(beads: list[tuple[list[int], list[int]]] | None = None) -> Alignment:
    """Ten source and ten target sentences, one paragraph each; 1-1 beads unless ``beads`` says otherwise."""
    src = tuple(Segment(t, "sentence", k, 0) for k, t in enumerate(SRC))
    tgt = tuple(Segment(t, "sentence", k, 0) for k, t in enumerate(TGT))
    pairs = beads if beads is not None else [([k], [k]) for k in range(10)]
    return Alignment(
        source=Document("vi.txt", "vi", "\n".join(SRC), src), target=Document("id.txt", "id", "\n".join(TGT), tgt),
        src=src, tgt=tgt, beads=tuple(Bead(tuple(a), tuple(b), 0.9) for a, b in pairs), model_id="hash-256",
        params={"skip": 4.0},
    )


def small_report(folder: Path, beads: list[tuple[list[int], list[int]]] | None = None, name: str = "x") -> Path:
    """The JSON report of ``small_alignment`` (what ``align run`` leaves), at ``folder/NAME.report.json``."""
    path = folder / f"{name}.report.json"
    write_report(small_alignment(beads), None, path)
    return path


def sample_report(folder: Path) -> Path:
    """The sample pair aligned with ``--model hash`` (fast), its JSON report written as `align run` writes it."""
    from align.embedding import load_encoder
    from align.pipeline.pair import RunOptions, align_pair

    out = folder / "sample.report.json"
    align_pair(str(PAIR / "vi.txt"), str(PAIR / "id.txt"), load_encoder("hash"), RunOptions(),
               outputs={"report_json": str(out)})
    return out


def plant_shift(report: Path) -> tuple[int, dict]:
    """Shift a block of 3 rows' targets by one (the classic aligner slip); return the first row of the block and
    the untouched payload.

    Five 1-1 rows P, A, B, C, D over contiguous segments become: P holds its target and A's, A/B/C hold the
    target of the row below, D none. The reviewer fixes it with four boundary shifts.
    """
    data = json.loads(report.read_text("utf-8"))
    original = json.loads(json.dumps(data))
    beads = data["beads"]

    def one(b: dict) -> bool:
        return len(b["src"]) == 1 and len(b["tgt"]) == 1 and not b["flags"]

    for k in range(1, len(beads) - 4):
        run = beads[k - 1:k + 4]
        if all(one(b) for b in run) and all(run[i + 1]["src"][0] == run[i]["src"][0] + 1 and
                                            run[i + 1]["tgt"][0] == run[i]["tgt"][0] + 1 for i in range(4)):
            break
    else:
        raise AssertionError("no five 1-1 rows in a row to plant the slip in")
    p, a, b, c, d = run
    texts = [x["tgt_text"] for x in run]
    p["tgt"], p["tgt_text"] = p["tgt"] + a["tgt"], texts[0] + "\n" + texts[1]
    a["tgt"], a["tgt_text"] = b["tgt"], texts[2]
    b["tgt"], b["tgt_text"] = c["tgt"], texts[3]
    c["tgt"], c["tgt_text"] = d["tgt"], texts[4]
    d["tgt"], d["tgt_text"] = [], ""
    report.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return k - 1, original


def start_server(report: Path, *extra: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """``align edit REPORT --no-browser --model hash`` as a subprocess; the process and the URL it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "align", "edit", str(report), "--no-browser", "--model", "hash", *extra],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT, env=env or dict(os.environ),
    )
    deadline = time.time() + 60
    assert proc.stderr is not None
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise AssertionError("the editor did not print its URL")
