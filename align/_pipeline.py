"""One document pair, from files on disk to TMX, beads and reports.

The CLI's ``run`` and the corpus runner both call ``align_pair`` so that a pair
aligned alone and a pair aligned in a corpus of thousands give the same bytes.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ._encoders import Encoder
from ._errors import OutputError
from ._model import Alignment

LEVELS = ("sentence", "paragraph", "both")


@dataclass(frozen=True)
class RunOptions:
    """What a user chooses for one run (everything but the inputs and the model)."""

    src_lang: str = "vi"
    tgt_lang: str = "id"
    fmt: str = "auto"  # auto | text | html | presplit
    level: str = "sentence"
    region: bool = False
    src_code: str | None = None
    tgt_code: str | None = None
    min_score: float = 0.0
    force: bool = False
    progress: bool = False
    aligner: dict = field(default_factory=dict)  # AlignParams overrides


@dataclass
class PairResult:
    alignment: Alignment
    tus_written: int
    seconds: float
    outputs: dict[str, str]
    stats: object = None


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A crash, a full disk or a kill leaves either the old file or the new one,
    never half of one.
    """
    path = Path(path)
    d = path.parent if str(path.parent) else Path(".")
    if not d.is_dir():
        raise OutputError("output folder does not exist", path=str(path), hint="create it first or choose another path")
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(d))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fd = None
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise OutputError(f"cannot write: {e.strerror or e}", path=str(path), hint="check the folder exists, is writable and has space") from e
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def beads_text(alignment: Alignment) -> str:
    """The beads in the evaluation notation, one per line (``[0]:[0]``, ``[1,2]:[3]``, ``[4]:[]``)."""
    return "".join(b.notation() + "\n" for b in alignment.beads)


def align_pair(
    src_path: str,
    tgt_path: str,
    encoder: Encoder,
    options: RunOptions,
    *,
    tmx_path: str | None = None,
    beads_path: str | None = None,
    report_html: str | None = None,
    report_json: str | None = None,
) -> PairResult:
    """Read, segment, align and flag one pair, then write whichever outputs are asked for."""
    from ._aligner import AlignParams, align_documents
    from ._quality import flag_beads
    from ._read import read_document

    t0 = time.perf_counter()
    split = options.level != "paragraph" or options.fmt == "presplit"
    src = read_document(src_path, options.src_lang, fmt=options.fmt, force=options.force, split=split)
    tgt = read_document(tgt_path, options.tgt_lang, fmt=options.fmt, force=options.force, split=split)
    params = AlignParams(**options.aligner) if options.aligner else AlignParams()
    alignment = align_documents(src, tgt, encoder, params=params)
    src_vecs = encoder.encode([s.text for s in alignment.src])
    tgt_vecs = encoder.encode([s.text for s in alignment.tgt])
    alignment = flag_beads(alignment, src_vecs, tgt_vecs)

    outputs: dict[str, str] = {}
    stats = None
    tus = sum(1 for b in alignment.beads if not b.is_null and b.score >= options.min_score)
    if tmx_path:
        from ._tmx import write_tmx

        stats = write_tmx(
            alignment,
            tmx_path,
            level=options.level,
            src_code=options.src_code,
            tgt_code=options.tgt_code,
            region=options.region,
            min_score=options.min_score,
        )
        tus = stats.tus_written
        outputs["tmx"] = tmx_path
    if beads_path:
        atomic_write_text(beads_path, beads_text(alignment))
        outputs["beads"] = beads_path
    if report_html or report_json:
        from ._report import write_report

        sim = src_vecs @ tgt_vecs.T if len(src_vecs) * len(tgt_vecs) <= 4_000_000 else None
        write_report(alignment, report_html, report_json, sim_matrix=sim)
        if report_html:
            outputs["report_html"] = report_html
        if report_json:
            outputs["report_json"] = report_json
    return PairResult(alignment, tus, time.perf_counter() - t0, outputs, stats)
