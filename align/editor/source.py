"""What the editor opens: the JSON report ``align run`` writes by default, turned into a ``Sheet``.

The report holds every bead with its segment indices, score, flags and text
(a side of several segments is their texts one per line), the documents'
paths and languages, the model id and the aligner's settings, and the reduced
similarity matrix of the dot plot: everything the editor needs, so no other
file is required from ``align run``. The segments are rebuilt from the beads;
a bead whose text does not split into as many lines as it has segments (a
segment holding a line break) is refused with a clear error rather than
guessed at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from align.common.errors import InputError
from align.editor.model import EditError, Row, Seg, Sheet, check_sheet
from align.formats.report.payload import load_report


@dataclass(frozen=True)
class Meta:
    """What the editor shows and exports about the pair besides its rows."""

    report: str  # the JSON report the sheet was built from (absolute)
    src_path: str = "src"
    tgt_path: str = "tgt"
    src_lang: str = "vi"
    tgt_lang: str = "id"
    model_id: str = "unknown"
    params: dict[str, Any] = field(default_factory=dict)
    signature: str = ""
    matrix: dict[str, Any] | None = None
    flag_legend: dict[str, Any] = field(default_factory=dict)


def _side_segments(beads: list[dict[str, Any]], side: str, path: str) -> tuple[Seg, ...]:
    found: dict[int, Seg] = {}
    for b in beads:
        idx = [int(i) for i in b[side]]
        if not idx:
            continue
        text = str(b[f"{side}_text"])
        parts = text.split("\n")
        if len(parts) != len(idx):
            raise InputError(f"bead {int(b.get('n', 0)) + 1}: its {side} text does not split into its "
                             f"{len(idx)} segments", path=path, hint="align the pair again with `align run`")
        paras = [int(p) for p in b.get(f"{side}_para") or []]
        for k, (i, t) in enumerate(zip(idx, parts, strict=True)):
            para = paras[k] if len(paras) == len(idx) else (paras[0] if paras else 0)
            found[i] = Seg(t, para)
    n = len(found)
    if sorted(found) != list(range(n)):
        raise InputError(f"the beads do not cover the {side} segments 0..{n - 1}", path=path)
    return tuple(found[i] for i in range(n))


def load_sheet(report_path: str | os.PathLike[str]) -> tuple[Sheet, Meta]:
    """The sheet and metadata of a JSON report (``load_report``: bounded and checked); InputError if unusable."""
    path = os.path.abspath(os.fspath(report_path))
    payload = load_report(path)
    beads = payload["beads"]
    src, tgt = _side_segments(beads, "src", path), _side_segments(beads, "tgt", path)
    rows = tuple(
        Row(src=tuple(int(i) for i in b["src"]), tgt=tuple(int(j) for j in b["tgt"]),
            score=None if b.get("score") is None else float(b["score"]), flags=tuple(str(f) for f in b["flags"]),
            moved=len(b["src"]) == 1 and len(b["tgt"]) == 1 and "reordered" in b["flags"])
        for b in beads
    )
    sheet = Sheet(src, tgt, rows)
    try:
        check_sheet(sheet)
    except EditError as e:
        raise InputError(f"the report's beads are not an alignment the editor can open: {e.message}", path=path,
                         hint="align the pair again with `align run`") from None
    s = payload["summary"]
    meta = Meta(
        report=path,
        src_path=str(s.get("source", {}).get("path", "src")), tgt_path=str(s.get("target", {}).get("path", "tgt")),
        src_lang=str(s.get("source", {}).get("lang", "vi")), tgt_lang=str(s.get("target", {}).get("lang", "id")),
        model_id=str(s.get("model_id", "unknown")), params=dict(s.get("params") or {}),
        signature=str(payload.get("signature", "")), matrix=payload.get("matrix"),
        flag_legend=dict(payload.get("flag_legend") or {}),
    )
    return sheet, meta
